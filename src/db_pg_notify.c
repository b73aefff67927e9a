/* db_pg_notify.c - LISTEN/NOTIFY on the PostgreSQL backend: how one
 * daemon wakes the others (db.h's db_listen(), db_fd(),
 * db_notifications()).  The channels listened to are kept on the
 * connection, as pg_reset() listens again on a new one. */
#include "config.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "db_pg_priv.h"
#include "util.h"

int
pg_listen(struct db *db, const char *channel, int notify, char **cause)
{
	struct pg *pg = db->impl;
	char *sql = xasprintf("%s %s", notify ? "NOTIFY" : "LISTEN", channel);
	size_t i;
	int rc;

	rc = pg_exec(db, sql, cause);
	free(sql);
	if (rc != 0 || notify)
		return rc;
	for (i = 0; i < pg->nchannels; i++)
		if (strcmp(pg->channels[i], channel) == 0)
			return 0;
	pg->channels = xreallocarray(pg->channels, pg->nchannels + 1,
	    sizeof(*pg->channels));
	pg->channels[pg->nchannels++] = xstrdup(channel);
	return 0;
}

int
pg_fd(struct db *db)
{
	return PQsocket(((struct pg *)db->impl)->conn);
}

/* A lost connection is made again (listening again), and -1 says that
 * notifications may have been missed meanwhile. */
int
pg_notifications(struct db *db)
{
	struct pg *pg = db->impl;
	PGnotify *n;
	int count = 0;

	if (PQstatus(pg->conn) != CONNECTION_OK ||
	    PQconsumeInput(pg->conn) == 0) {
		pg->broken = pg->txn;
		pg_reset(db);
		return -1;
	}
	/* Our own NOTIFY (the leader queued messages) wakes the others,
	 * not us. */
	while ((n = PQnotifies(pg->conn)) != NULL) {
		if (n->be_pid != PQbackendPID(pg->conn))
			count++;
		PQfreemem(n);
	}
	return count;
}

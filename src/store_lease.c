/* store_lease.c - the leases table (store_lease.h).  One statement takes,
 * renews or refuses a lease, so two instances racing for it cannot both
 * win: the row is written only where it is free, expired or ours, and
 * the database serialises the two writes (SQLite's write lock,
 * PostgreSQL's row lock taken by ON CONFLICT DO UPDATE). */
#include <stdlib.h>

#include "db.h"
#include "store_lease.h"
#include "store_schema.h"

int
store_lease_take(struct store *st, const char *name, const char *holder,
    int64_t now, int ttl, int64_t *fence, char **cause)
{
	struct db_stmt *s;
	int rc;

	s = store_stmt(st, STMT_LEASE_TAKE, "INSERT INTO leases (name, holder,"
	    " until, fence) VALUES (?1, ?2, ?3 + ?4, 1) ON CONFLICT (name) DO"
	    " UPDATE SET holder = excluded.holder, until = excluded.until,"
	    " fence = leases.fence + CASE WHEN leases.holder ="
	    " excluded.holder THEN 0 ELSE 1 END WHERE leases.holder ="
	    " excluded.holder OR leases.until <= ?3 RETURNING fence;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, holder);
	db_bind_int64(s, 3, now);
	db_bind_int64(s, 4, ttl);
	if ((rc = db_step(s, cause)) == DB_ROW && fence != NULL)
		*fence = db_column_int64(s, 0);
	/* Read to its end: SQLite writes RETURNING's row at the step. */
	if (rc == DB_ROW && db_step(s, cause) == DB_ERROR)
		rc = DB_ERROR;
	db_reset(s);
	return rc == DB_ERROR ? -1 : rc == DB_ROW;
}

int
store_lease_drop(struct store *st, const char *name, const char *holder,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	s = store_stmt(st, STMT_LEASE_DROP, "UPDATE leases SET until = 0"
	    " WHERE name = ?1 AND holder = ?2;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, holder);
	rc = store_run(s, cause);
	db_reset(s);
	return rc;
}

/* Any number, the same in every instance: the leader's advisory lock. */
#define STORE_LEADER_LOCK 7310452

int
store_leader_lock(struct store *st, char **cause)
{
	struct db_stmt *s;
	unsigned gen;
	int rc, got = 0;

	if (db_backend(st->conn) != DB_PG)
		return 1;
	gen = db_generation(st->conn);
	if (st->leader_gen == gen)
		return 1;
	/* Not cached: a statement of the connection before would be
	 * prepared again anyway. */
	s = db_prepare(st->conn, "SELECT CASE WHEN pg_try_advisory_lock(?1)"
	    " THEN 1 ELSE 0 END;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, STORE_LEADER_LOCK);
	if ((rc = db_step(s, cause)) == DB_ROW)
		got = db_column_int64(s, 0) != 0;
	db_finalize(s);
	if (rc != DB_ROW)
		return -1;
	/* Taken on the connection of now: a reset since would have
	 * dropped it, and the next call takes it again. */
	if (got)
		st->leader_gen = db_generation(st->conn) == gen ? gen : 0;
	return got;
}

#define STORE_WAKE_CHANNEL "outreachd_wake"

int
store_wake_send(struct store *st, char **cause)
{
	if (db_backend(st->conn) != DB_PG)
		return 0;
	return db_notify(st->conn, STORE_WAKE_CHANNEL, cause);
}

int
store_wake_listen(struct store *st, char **cause)
{
	if (db_backend(st->conn) != DB_PG)
		return 0;
	return db_listen(st->conn, STORE_WAKE_CHANNEL, cause);
}

int
store_wake_fd(struct store *st)
{
	return db_backend(st->conn) == DB_PG ? db_fd(st->conn) : -1;
}

int
store_wake_pending(struct store *st)
{
	if (db_backend(st->conn) != DB_PG)
		return 0;
	return db_notifications(st->conn) != 0;
}

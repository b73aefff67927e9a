/* store_page.c - reads for the reps' pages and links. */
#include <stdlib.h>
#include <string.h>

#include "store_page.h"
#include "store_schema.h"
#include "util.h"

/* The rep with an id, and their token hash. */
int
store_rep_by_id(struct store *st, int64_t id, struct store_rep *r,
    char **hash, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	memset(r, 0, sizeof(*r));
	*hash = NULL;
	s = store_cached(st, STMT_REP_BY_ID, "SELECT id, key, name, email,"
	    " phone, token_hash, timezone, digest, locale FROM reps"
	    " WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r->id = sqlite3_column_int64(s, 0);
		r->key = store_column_text(s, 1);
		r->name = store_column_text(s, 2);
		r->email = store_column_text(s, 3);
		r->phone = store_column_text(s, 4);
		*hash = store_column_text(s, 5);
		r->timezone = store_column_text(s, 6);
		r->digest = sqlite3_column_int(s, 7);
		r->locale = store_column_text(s, 8);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "reading rep", cause);
}

/* The token hash of a rep by key. */
int
store_rep_token_hash(struct store *st, const char *key, char **hash,
    char **cause)
{
	sqlite3_stmt *s;
	int rc;

	*hash = NULL;
	s = store_prepare(st, "SELECT token_hash FROM reps WHERE key = ?1"
	    " AND token_hash IS NOT NULL;", cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, key);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*hash = store_column_text(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return *hash != NULL;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "reading rep", cause);
}

/* The newest contact of a customer (the latest day, then the latest
 * logged). */
int
store_contact_last(struct store *st, int64_t customer_id,
    struct store_contact *c, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	memset(c, 0, sizeof(*c));
	s = store_cached(st, STMT_CONTACT_LAST, "SELECT day, kind, note FROM"
	    " contacts WHERE customer_id = ?1 ORDER BY day DESC, id DESC"
	    " LIMIT 1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		c->day = (int32_t)sqlite3_column_int(s, 0);
		c->kind = store_column_text(s, 1);
		c->note = store_column_text(s, 2);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "reading contacts", cause);
}

/* Frees a contact's strings. */
void
store_contact_clear(struct store_contact *c)
{
	free(c->kind);
	free(c->note);
	memset(c, 0, sizeof(*c));
}

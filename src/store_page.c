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
	struct db_stmt *s;
	int rc;

	memset(r, 0, sizeof(*r));
	*hash = NULL;
	s = store_stmt(st, STMT_REP_BY_ID, "SELECT id, key, name, email,"
	    " phone, token_hash, timezone, digest, locale FROM reps"
	    " WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	if ((rc = db_step(s, cause)) == DB_ROW) {
		r->id = db_column_int64(s, 0);
		r->key = store_col_text(s, 1);
		r->name = store_col_text(s, 2);
		r->email = store_col_text(s, 3);
		r->phone = store_col_text(s, 4);
		*hash = store_col_text(s, 5);
		r->timezone = store_col_text(s, 6);
		r->digest = (int)db_column_int64(s, 7);
		r->locale = store_col_text(s, 8);
	}
	db_reset(s);
	if (rc == DB_ROW)
		return 1;
	return rc == DB_DONE ? 0 : -1;
}

/* The token hash of a rep by key. */
int
store_rep_token_hash(struct store *st, const char *key, char **hash,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	*hash = NULL;
	s = db_prepare(st->conn, "SELECT token_hash FROM reps WHERE key = ?1"
	    " AND token_hash IS NOT NULL;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, key);
	if ((rc = db_step(s, cause)) == DB_ROW)
		*hash = store_col_text(s, 0);
	db_finalize(s);
	if (rc == DB_ROW)
		return *hash != NULL;
	return rc == DB_DONE ? 0 : -1;
}

/* The newest contact of a customer (the latest day, then the latest
 * logged). */
int
store_contact_last(struct store *st, int64_t customer_id,
    struct store_contact *c, char **cause)
{
	struct db_stmt *s;
	int rc;

	memset(c, 0, sizeof(*c));
	s = store_stmt(st, STMT_CONTACT_LAST, "SELECT day, kind, note FROM"
	    " contacts WHERE customer_id = ?1 ORDER BY day DESC, id DESC"
	    " LIMIT 1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	if ((rc = db_step(s, cause)) == DB_ROW) {
		c->day = (int32_t)db_column_int64(s, 0);
		c->kind = store_col_text(s, 1);
		c->note = store_col_text(s, 2);
	}
	db_reset(s);
	if (rc == DB_ROW)
		return 1;
	return rc == DB_DONE ? 0 : -1;
}

/* Frees a contact's strings. */
void
store_contact_clear(struct store_contact *c)
{
	free(c->kind);
	free(c->note);
	memset(c, 0, sizeof(*c));
}

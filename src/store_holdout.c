/* store_holdout.c - the holdouts table (store_holdout.h). */
#include "store_holdout.h"
#include "store_schema.h"

int
store_holdout_add(struct store *st, const char *dedup_key, const char *rule,
    int64_t customer_id, int32_t day, int64_t now, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = store_cached(st, STMT_HOLDOUT_ADD, "INSERT INTO holdouts"
	    " (dedup_key, rule, customer_id, day, created_at) VALUES (?1, ?2,"
	    " ?3, ?4, ?5) ON CONFLICT (dedup_key) DO NOTHING;", cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, dedup_key);
	store_bind_text(s, 2, rule);
	sqlite3_bind_int64(s, 3, customer_id);
	sqlite3_bind_int(s, 4, day);
	sqlite3_bind_int64(s, 5, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "saving a holdout", cause);
	return sqlite3_changes(st->db) > 0;
}

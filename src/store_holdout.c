/* store_holdout.c - the holdouts table (store_holdout.h). */
#include "store_holdout.h"
#include "store_schema.h"

int
store_holdout_add(struct store *st, const char *dedup_key, const char *rule,
    int64_t customer_id, int32_t day, int64_t now, char **cause)
{
	struct db_stmt *s;
	int rc;

	s = store_stmt(st, STMT_HOLDOUT_ADD, "INSERT INTO holdouts"
	    " (dedup_key, rule, customer_id, day, created_at) VALUES (?1, ?2,"
	    " ?3, ?4, ?5) ON CONFLICT (dedup_key) DO NOTHING;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, dedup_key);
	db_bind_text(s, 2, rule);
	db_bind_int64(s, 3, customer_id);
	db_bind_int64(s, 4, day);
	db_bind_int64(s, 5, now);
	rc = store_write(st, s, cause);
	return rc < 0 ? -1 : rc > 0;
}

/* store_survey.c - survey messages and answers (store_survey.h). */
#include <stdlib.h>
#include <string.h>

#include "store_schema.h"
#include "store_survey.h"

void
store_survey_clear(struct store_survey *s)
{
	free(s->rule);
	free(s->name);
	free(s->locale);
	memset(s, 0, sizeof(*s));
}

int
store_survey_get(struct store *st, int64_t item_id, int64_t customer_id,
    struct store_survey *out, char **cause)
{
	struct db_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	s = db_prepare(st->conn, "SELECT p.rule, p.occurrence,"
	    " coalesce(c.salutation, c.name), c.locale,"
	    " (SELECT score FROM survey_answers a WHERE a.item_id = p.id)"
	    " FROM plan_items p JOIN customers c ON c.id = p.customer_id"
	    " WHERE p.id = ?1 AND p.customer_id = ?2 AND p.action = 'message'"
	    " AND p.event = 'after_visit';", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, item_id);
	db_bind_int64(s, 2, customer_id);
	if ((rc = db_step(s, cause)) == DB_ROW) {
		out->item_id = item_id;
		out->customer_id = customer_id;
		out->rule = store_col_text(s, 0);
		out->visit_day = (int32_t)db_column_int64(s, 1);
		out->name = store_col_text(s, 2);
		out->locale = store_col_text(s, 3);
		out->score = (int)db_column_int64(s, 4);
	}
	db_finalize(s);
	return rc == DB_ERROR ? -1 : rc == DB_ROW;
}

int
store_survey_answer(struct store *st, int64_t item_id, int64_t customer_id,
    int score, const char *comment, int32_t day, int64_t now,
    const char *source, char **cause)
{
	struct db_stmt *s;
	int rc;

	s = db_prepare(st->conn, "INSERT INTO survey_answers (item_id,"
	    " customer_id, score, comment, day, at, source) VALUES (?1, ?2, ?3,"
	    " ?4, ?5, ?6, ?7) ON CONFLICT (item_id) DO NOTHING;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, item_id);
	db_bind_int64(s, 2, customer_id);
	db_bind_int64(s, 3, score);
	db_bind_text(s, 4, comment);
	db_bind_int64(s, 5, day);
	db_bind_int64(s, 6, now);
	db_bind_text(s, 7, source);
	rc = store_write(st, s, cause);
	return rc < 0 ? -1 : rc > 0;
}

int
store_survey_recovery(struct store *st, const char *dedup_key,
    const char *rule, int64_t customer_id, int32_t day, const char *reason,
    int64_t now, char **cause)
{
	struct db_stmt *s;
	int rc;

	s = db_prepare(st->conn, "INSERT INTO plan_items (dedup_key, rule, event,"
	    " customer_id, day, occurrence, action, task_kind, reason,"
	    " created_at, modified_at, escalated) VALUES (?1, ?2,"
	    " 'after_visit', ?3, ?4, ?4, 'task', 'call', ?5, ?6, ?6, 1)"
	    " ON CONFLICT (dedup_key) DO NOTHING;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, dedup_key);
	db_bind_text(s, 2, rule);
	db_bind_int64(s, 3, customer_id);
	db_bind_int64(s, 4, day);
	db_bind_text(s, 5, reason);
	db_bind_int64(s, 6, now);
	rc = store_write(st, s, cause);
	return rc < 0 ? -1 : rc > 0;
}

int
store_survey_scores(struct store *st, long n[5], char **cause)
{
	struct db_stmt *s;
	int rc, k;

	memset(n, 0, 5 * sizeof(*n));
	s = db_prepare(st->conn, "SELECT score, count(*) FROM survey_answers"
	    " GROUP BY score;", cause);
	if (s == NULL)
		return -1;
	while ((rc = db_step(s, cause)) == DB_ROW) {
		k = (int)db_column_int64(s, 0);
		if (k >= 1 && k <= 5)
			n[k - 1] = (long)db_column_int64(s, 1);
	}
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

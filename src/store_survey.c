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
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	s = store_prepare(st, "SELECT p.rule, p.occurrence,"
	    " coalesce(c.salutation, c.name), c.locale,"
	    " (SELECT score FROM survey_answers a WHERE a.item_id = p.id)"
	    " FROM plan_items p JOIN customers c ON c.id = p.customer_id"
	    " WHERE p.id = ?1 AND p.customer_id = ?2 AND p.action = 'message'"
	    " AND p.event = 'after_visit';", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, item_id);
	sqlite3_bind_int64(s, 2, customer_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		out->item_id = item_id;
		out->customer_id = customer_id;
		out->rule = store_column_text(s, 0);
		out->visit_day = sqlite3_column_int(s, 1);
		out->name = store_column_text(s, 2);
		out->locale = store_column_text(s, 3);
		out->score = sqlite3_column_int(s, 4);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "reading a survey", cause);
	return rc == SQLITE_ROW;
}

int
store_survey_answer(struct store *st, int64_t item_id, int64_t customer_id,
    int score, const char *comment, int32_t day, int64_t now,
    const char *source, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = store_prepare(st, "INSERT INTO survey_answers (item_id,"
	    " customer_id, score, comment, day, at, source) VALUES (?1, ?2, ?3,"
	    " ?4, ?5, ?6, ?7) ON CONFLICT (item_id) DO NOTHING;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, item_id);
	sqlite3_bind_int64(s, 2, customer_id);
	sqlite3_bind_int(s, 3, score);
	store_bind_text(s, 4, comment);
	sqlite3_bind_int(s, 5, day);
	sqlite3_bind_int64(s, 6, now);
	store_bind_text(s, 7, source);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "saving a survey answer", cause);
	return sqlite3_changes(st->db) > 0;
}

int
store_survey_recovery(struct store *st, const char *dedup_key,
    const char *rule, int64_t customer_id, int32_t day, const char *reason,
    int64_t now, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = store_prepare(st, "INSERT INTO plan_items (dedup_key, rule, event,"
	    " customer_id, day, occurrence, action, task_kind, reason,"
	    " created_at, modified_at, escalated) VALUES (?1, ?2,"
	    " 'after_visit', ?3, ?4, ?4, 'task', 'call', ?5, ?6, ?6, 1)"
	    " ON CONFLICT (dedup_key) DO NOTHING;", cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, dedup_key);
	store_bind_text(s, 2, rule);
	sqlite3_bind_int64(s, 3, customer_id);
	sqlite3_bind_int(s, 4, day);
	store_bind_text(s, 5, reason);
	sqlite3_bind_int64(s, 6, now);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "saving a recovery task", cause);
	return sqlite3_changes(st->db) > 0;
}

int
store_survey_scores(struct store *st, long n[5], char **cause)
{
	sqlite3_stmt *s;
	int rc, k;

	memset(n, 0, 5 * sizeof(*n));
	s = store_prepare(st, "SELECT score, count(*) FROM survey_answers"
	    " GROUP BY score;", cause);
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		k = sqlite3_column_int(s, 0);
		if (k >= 1 && k <= 5)
			n[k - 1] = (long)sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "counting answers",
	    cause);
}

/* store_survey.h - satisfaction surveys (survey.h): the survey a signed
 * link names, its answer, and the service-recovery task a poor one opens. */
#ifndef OUTREACHD_STORE_SURVEY_H
#define OUTREACHD_STORE_SURVEY_H

#include <stdint.h>

#include "store.h"

/* A survey message as its page needs it.  Strings owned. */
struct store_survey {
	int64_t item_id;
	int64_t customer_id;
	char *rule;
	int32_t visit_day;	/* the visit or meeting asked about */
	char *name;		/* the customer's salutation, else name */
	char *locale;		/* the customer's, NULL: the configured one */
	int score;		/* the answer, 0 when none yet */
};
void store_survey_clear(struct store_survey *s);
/* 1 and *out when the survey message item_id of customer_id exists, 0
 * when not, -1 on error. */
int store_survey_get(struct store *st, int64_t item_id, int64_t customer_id,
    struct store_survey *out, char **cause);
/* Keeps the answer: 1 kept, 0 when the survey has one already (the first
 * answer stands), -1 on error. */
int store_survey_answer(struct store *st, int64_t item_id,
    int64_t customer_id, int score, const char *comment, int32_t day,
    int64_t now, const char *source, char **cause);
/* A service-recovery task for the customer (a call, escalated, due on
 * day), under dedup_key: 1 added, 0 when it exists, -1 on error. */
int store_survey_recovery(struct store *st, const char *dedup_key,
    const char *rule, int64_t customer_id, int32_t day, const char *reason,
    int64_t now, char **cause);
/* Answers by score, every one recorded: n[0] for score 1 ... n[4]. */
int store_survey_scores(struct store *st, long n[5], char **cause);

#endif

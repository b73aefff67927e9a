/* survey.h - the satisfaction survey after a visit.
 *
 * A rule with event "after_visit" sends, lead_days after a rep's visit or
 * meeting, a message whose {{survey_url}} is a signed link to one question
 * on outreachd's HTTP service (httpd_survey.c): how satisfied was the
 * customer, 1 to 5, with an optional comment.  The link names the survey
 * message and the customer, signed with the store's unsubscribe secret
 * under a survey-only prefix, so neither kind of link passes for the
 * other.  The first answer stands.  A score of 1 or 2 opens a
 * service-recovery task for the customer's rep (a call, escalated, so
 * the manager sees it too); the report counts CSAT, the share of 4 and 5. */
#ifndef OUTREACHD_SURVEY_H
#define OUTREACHD_SURVEY_H

#include <stdint.h>

#include "conf.h"
#include "store.h"
#include "token.h"

/* The survey link of a survey message for a customer.  malloc'd. */
char *survey_url(const struct conf *cf,
    const unsigned char secret[TOKEN_SECRET_LEN], int64_t item_id,
    int64_t customer_id);
/* 0 and the ids when the token is authentic, else -1. */
int survey_token_check(const unsigned char secret[TOKEN_SECRET_LEN],
    const char *token, int64_t *item_id, int64_t *customer_id);

/* What recording an answer did. */
struct survey_result {
	int recorded;		/* 0: the survey had an answer already */
	int recovery;		/* a recovery task was opened */
};
/* Records score (1 to 5) and comment (may be NULL) for the survey, and
 * for 1 or 2 the recovery task, due today, in one transaction.  0, or
 * -1 with *cause. */
int survey_answer(struct store *st, int64_t item_id, int64_t customer_id,
    int score, const char *comment, int32_t today, int64_t now,
    const char *source, struct survey_result *res, char **cause);

#endif

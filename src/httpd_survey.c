/* httpd_survey.c - GET /s/TOKEN shows a customer the satisfaction survey
 * (survey.h), POST /s/TOKEN records the answer: the button's score, 1 to
 * 5, and the optional comment.  A token that is malformed, forged or names
 * no survey gets the service's one 404; GET and HEAD change nothing; a
 * POST first takes one of the address's writes (httpd_guard.c's rate
 * limit).  The first answer stands: later ones see it. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "date_zone.h"
#include "httpd_priv.h"
#include "i18n.h"
#include "log.h"
#include "optout.h"
#include "outcome.h"
#include "page.h"
#include "store_survey.h"
#include "survey.h"

/* The survey a token names: 1 and *sv, 0 when none (404), -1 error. */
static int
survey_resolve(struct httpd_req *r, const char *token,
    struct store_survey *sv, char **cause)
{
	unsigned char secret[TOKEN_SECRET_LEN];
	int64_t item, customer;
	int rc;

	memset(sv, 0, sizeof(*sv));
	if (optout_secret(r->st, secret, cause) != 0)
		return -1;
	rc = survey_token_check(secret, token, &item, &customer);
	memset(secret, 0, sizeof(secret));
	if (rc != 0)
		return 0;
	return store_survey_get(r->st, item, customer, sv, cause);
}

/* The score of the POST's button, 0 when there is none valid. */
static int
form_score(struct httpd_req *r)
{
	char *v = page_form_get(r->body, r->body_kept, "score", NULL);
	int score = v != NULL && v[0] >= '1' && v[0] <= '5' && v[1] == '\0' ?
	    v[0] - '0' : 0;

	free(v);
	return score;
}

/* Records the POST's answer into sv->score; 0, 1 (a bad form: 400) or -1. */
static int
survey_post(struct httpd_req *r, struct store_survey *sv, int *just,
    char **cause)
{
	struct survey_result res;
	char *raw, *comment;
	int32_t today;
	int score = form_score(r), rc;

	if (score == 0)
		return 1;
	if (date_today((time_t)r->now, r->cf->timezone, &today, cause) != 0)
		return -1;
	raw = page_form_get(r->body, r->body_kept, "comment", NULL);
	comment = outcome_note(raw);	/* control characters out, capped */
	free(raw);
	r->wrote = 1;
	rc = survey_answer(r->st, sv->item_id, sv->customer_id, score, comment,
	    today, r->now, "web", &res, cause);
	free(comment);
	if (rc != 0)
		return -1;
	if (res.recorded) {
		sv->score = score;
		*just = 1;
		log_info("survey: customer %lld rated the visit of item %lld "
		    "%d of 5%s", (long long)sv->customer_id,
		    (long long)sv->item_id, score, res.recovery ?
		    "; a recovery task is open" : "");
	}
	return 0;
}

enum MHD_Result
httpd_route_survey(struct httpd_req *r, const char *token)
{
	struct store_survey sv;
	struct page_survey p = { 0 };
	enum MHD_Result ret;
	char *cause = NULL, *html;
	int rc, answered;

	if (r->post && ((ret = httpd_rate_limit(r, &answered)) != MHD_YES ||
	    answered))
		return ret;
	if (httpd_store(r) == NULL)
		return httpd_unavailable(r, "survey", NULL);
	if ((rc = survey_resolve(r, token, &sv, &cause)) <= 0)
		return rc < 0 ? httpd_unavailable(r, "survey", cause) :
		    httpd_invalid_token(r);
	if (r->post && sv.score == 0 &&
	    (rc = survey_post(r, &sv, &p.just, &cause)) != 0) {
		store_survey_clear(&sv);
		return rc < 0 ? httpd_unavailable(r, "survey", cause) :
		    httpd_reply(r, MHD_HTTP_BAD_REQUEST,
		    "text/plain; charset=utf-8", "Bad Request\n", NULL);
	}
	p.lang = i18n_lang_of(sv.locale, r->cf->locale);
	p.name = sv.name;
	p.visit_day = sv.visit_day;
	p.score = sv.score;
	html = page_survey_render(&p);
	store_survey_clear(&sv);
	ret = httpd_reply(r, MHD_HTTP_OK, page_type, html, page_headers);
	free(html);
	return ret;
}

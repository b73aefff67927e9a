/* httpd_report.c - GET /report/TOKEN: the manager's report (report.h) for
 * today and the 12 months before this one, the page `outreachctl report
 * --html` writes, in the manager's language (reps.locale, else `locale`).  TOKEN is a manager's feed token, or the signed link of
 * the weekly e-mail (report_digest.h): any other token, a rep's who does
 * not manage or one revoked, gets the service's one 404.
 *
 * The report reads every customer once (about 2 s at a million), so it is
 * built on request and never kept: a manager reads it once a week. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "date_zone.h"
#include "httpd_priv.h"
#include "i18n.h"
#include "log.h"
#include "page.h"
#include "replink.h"
#include "report.h"
#include "report_digest.h"
#include "report_print.h"
#include "store_page.h"
#include "team.h"

/* The page for today; NULL with *cause on a store error. */
static char *
report_page(struct httpd_req *r, enum i18n_lang lang, char **cause)
{
	struct report_opts o;
	struct report *rpt;
	int32_t today;
	char *html;

	if (date_today((time_t)r->now, r->cf->timezone, &today, cause) != 0 ||
	    report_period(today, NULL, NULL, &o, cause) != 0)
		return NULL;
	o.rep = NULL;
	if ((rpt = report_build(r->st, r->cf, &o, cause)) == NULL)
		return NULL;
	html = report_html(rpt, lang);
	report_free(rpt);
	return html;
}

/* The rep a weekly e-mail's signed link names, verified against the
 * rep's current token: 1 (*rep filled), 0 not such a link or not
 * authentic, -1 on a store error. */
static int
report_link_rep(struct httpd_req *r, const char *link, struct store_rep *rep,
    char **cause)
{
	unsigned char key[TOKEN_SECRET_LEN];
	char *hash = NULL;
	int64_t rep_id;
	int rc;

	if (report_digest_link_rep(link, &rep_id) != 0)
		return 0;
	if ((rc = store_rep_by_id(r->st, rep_id, rep, &hash, cause)) <= 0)
		return rc;
	if ((rc = replink_secret(r->st, key, 0, cause)) == 1 &&
	    replink_verify(key, link, hash) != 0)
		rc = 0;
	memset(key, 0, sizeof(key));
	free(hash);
	if (rc != 1)
		store_rep_clear(rep);
	return rc;
}

enum MHD_Result
httpd_route_report(struct httpd_req *r, const char *token)
{
	struct store_rep rep = { 0 };
	char *cause = NULL, *html;
	enum i18n_lang lang;
	enum MHD_Result ret;
	int rc;

	if (httpd_store(r) == NULL)
		return httpd_unavailable(r, "report", NULL);
	if ((rc = report_link_rep(r, token, &rep, &cause)) == 0)
		rc = httpd_feed_rep(r, token, &rep, NULL, &cause);
	if (rc <= 0)
		return rc < 0 ? httpd_unavailable(r, "report", cause) :
		    httpd_invalid_token(r);
	if (!team_is_manager(r->cf, rep.key)) {
		store_rep_clear(&rep);
		return httpd_invalid_token(r);
	}
	log_info("http: report for manager %s", rep.key);
	/* In the manager's language, like their day page. */
	lang = i18n_lang_of(rep.locale, r->cf->locale);
	store_rep_clear(&rep);
	if ((html = report_page(r, lang, &cause)) == NULL)
		return httpd_unavailable(r, "report", cause);
	ret = httpd_reply(r, MHD_HTTP_OK, page_type, html, page_headers);
	free(html);
	return ret;
}

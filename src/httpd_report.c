/* httpd_report.c - GET /report/TOKEN: the manager's report (report.h) for
 * today and the 12 months before this one, the page `outreachctl report
 * --html` writes.  TOKEN is a manager's feed token: any other token, a
 * rep's who does not manage or one revoked, gets the service's one 404.
 *
 * The report reads every customer once (about 2 s at a million), so it is
 * built on request and never kept: a manager reads it once a week. */
#include <stdlib.h>

#include "date.h"
#include "httpd_priv.h"
#include "log.h"
#include "page.h"
#include "report.h"
#include "report_print.h"
#include "team.h"

/* The page for today; NULL with *cause on a store error. */
static char *
report_page(struct httpd_req *r, char **cause)
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
	html = report_html(rpt);
	report_free(rpt);
	return html;
}

enum MHD_Result
httpd_route_report(struct httpd_req *r, const char *token)
{
	struct store_rep rep = { 0 };
	char *cause = NULL, *html;
	enum MHD_Result ret;
	int rc;

	if (httpd_store(r) == NULL)
		return httpd_unavailable(r, "report", NULL);
	if ((rc = httpd_feed_rep(r, token, &rep, &cause)) <= 0)
		return rc < 0 ? httpd_unavailable(r, "report", cause) :
		    httpd_invalid_token(r);
	if (!team_is_manager(r->cf, rep.key)) {
		store_rep_clear(&rep);
		return httpd_invalid_token(r);
	}
	log_info("http: report for manager %s", rep.key);
	store_rep_clear(&rep);
	if ((html = report_page(r, &cause)) == NULL)
		return httpd_unavailable(r, "report", cause);
	ret = httpd_reply(r, MHD_HTTP_OK, page_type, html, page_headers);
	free(html);
	return ret;
}

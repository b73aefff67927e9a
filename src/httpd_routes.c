/* httpd_routes.c - one-click unsubscribe, the Kannel callbacks, /healthz
 * and /metrics.
 *
 * The Kannel callbacks (delivery reports and inbound SMS) change the
 * store on the word of whoever calls them, so they are accepted only
 * from a loopback peer (Kannel's smsbox runs beside the daemon), only
 * when the request carries no Forwarded, X-Forwarded-For or X-Real-IP
 * header (a reverse proxy on the same host that publishes the feeds adds
 * those: nginx proxy_set_header X-Forwarded-For ...), and only with the
 * callback secret (callback.h) as their `secret` argument, which the
 * delivery report URL the daemon gives Kannel carries and the admin puts
 * in the sms-service URL: any local user can reach loopback.  Anything
 * else gets 403, and counts against the address's rate limit of writes,
 * as every one-click unsubscribe does.  A HEAD request is answered as
 * its GET would be, minus the body, and changes nothing.
 *
 * Wrong tokens and refused callbacks are not logged one by one (a flood
 * would fill the journal); httpd_guard.c counts them and sums them up.
 * Anything a client sent that reaches a log line is quoted (str_quote).
 *
 * Kannel's sms-service must have `omit-empty = true`: the inbound
 * callback answers with an empty body so that nothing is texted back. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "callback.h"
#include "date.h"
#include "date_zone.h"
#include "httpd_priv.h"
#include "log.h"
#include "metrics.h"
#include "metrics_report.h"
#include "optout.h"
#include "phone.h"
#include "sms_gw.h"
#include "store_outbox.h"
#include "store_task.h"
#include "tmpl.h"
#include "token.h"
#include "util.h"

static const char html_type[] = "text/html; charset=utf-8";
static const char *const retry_later[] = { "Retry-After", "30", NULL };
static const char text_type[] = "text/plain; charset=utf-8";
static const char *const html_headers[] = {
	"Cache-Control", "no-store",
	"Referrer-Policy", "no-referrer",
	"X-Frame-Options", "DENY",
	"Content-Security-Policy", "default-src 'none'; style-src "
	    "'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
	    "base-uri 'none'",
	NULL,
};

/* A small self-contained page: no scripts, no external resources. */
static char *
html_page(const char *title, const char *text, int form)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n<title>");
	tmpl_escape_html(&b, title);
	buf_puts(&b, "</title>\n<style>body{font-family:sans-serif;"
	    "max-width:34em;margin:3em auto;padding:0 1em;line-height:1.5}"
	    "button{font-size:1em;padding:.5em 1.5em}</style>\n</head>\n"
	    "<body>\n<h1>");
	tmpl_escape_html(&b, title);
	buf_puts(&b, "</h1>\n<p>");
	tmpl_escape_html(&b, text);
	buf_puts(&b, "</p>\n");
	if (form)
		buf_puts(&b, "<form method=\"post\">\n<input type=\"hidden\" "
		    "name=\"List-Unsubscribe\" value=\"One-Click\">\n"
		    "<button type=\"submit\">Unsubscribe</button>\n</form>\n");
	buf_puts(&b, "</body>\n</html>\n");
	return buf_detach(&b);
}

/* GET shows a confirmation page; POST (RFC 8058 one-click, or the page's
 * form) opts the customer out of the token's channel at once. */
enum MHD_Result
httpd_route_unsub(struct httpd_req *r, const char *token)
{
	unsigned char secret[TOKEN_SECRET_LEN];
	struct optout_token t;
	const char *what, *company = r->cf->company;
	char *cause = NULL, *page;
	enum MHD_Result ret;
	int rc;

	/* Before anything else: a flood of POSTs costs a lookup each. */
	if (r->post && ((ret = httpd_rate_limit(r, &rc)) != MHD_YES || rc))
		return ret;
	if (httpd_store(r) == NULL)
		return httpd_unavailable(r, "unsubscribe", NULL);
	if (optout_secret(r->st, secret, &cause) != 0)
		return httpd_unavailable(r, "unsubscribe secret", cause);
	rc = optout_token_check(secret, token, &t);
	memset(secret, 0, sizeof(secret));
	if (rc != 0)
		return httpd_invalid_token(r);
	what = t.channel == CHANNEL_EMAIL ? "e-mail" : "text";
	if (str_empty(company))
		company = "us";
	if (!r->post) {
		cause = xasprintf("Stop %s messages from %s?", what, company);
		page = html_page("Unsubscribe", cause, 1);
	} else {
		r->wrote = 1;
		rc = optout_record(r->st, t.customer_id, t.channel, r->now,
		    &cause);
		if (rc < 0)
			return httpd_unavailable(r, "unsubscribe", cause);
		log_notice("unsubscribe: customer %lld opted out of %s (one-click,"
		    " message item %lld)%s", (long long)t.customer_id,
		    channel_name(t.channel), (long long)t.item_id, rc == 0 ?
		    "; the customer no longer exists" : "");
		cause = xasprintf("Done: you will get no more %s messages from "
		    "%s.", what, company);
		page = html_page("Unsubscribed", cause, 0);
	}
	ret = httpd_reply(r, MHD_HTTP_OK, html_type, page, html_headers);
	free(cause);
	free(page);
	return ret;
}

/* Loopback peer, and no sign of a proxy in between. */
static int
callback_local(struct httpd_req *r)
{
	static const char *const proxy[] = { "Forwarded", "X-Forwarded-For",
		"X-Real-IP" };
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	const struct sockaddr_in6 *s6;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(proxy); i++) {
		if (MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
		    proxy[i]) != NULL)
			return 0;
	}
	ci = MHD_get_connection_info(r->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return 0;
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family != AF_INET6)
		return 0;
	s6 = (const struct sockaddr_in6 *)(const void *)sa;
	return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
	    (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) &&
	    s6->sin6_addr.s6_addr[12] == 127);
}

/* Lets Kannel in: loopback, no proxy, the secret.  Anybody else gets
 * 403, or 429 when the address has tried too often (*answered 1).  The
 * secret unreadable: 503. */
static enum MHD_Result
callback_allowed(struct httpd_req *r, int *answered)
{
	char *secret = NULL;
	enum MHD_Result ret;
	int ok = 0;

	*answered = 1;
	if (callback_local(r)) {
		if ((secret = httpd_callback_secret(r->h)) == NULL)
			return httpd_reply(r, MHD_HTTP_SERVICE_UNAVAILABLE,
			    text_type, "Service Unavailable\n", retry_later);
		ok = callback_secret_equal(secret, httpd_arg(r, "secret",
		    NULL));
		free(secret);
	}
	if (ok) {
		*answered = 0;
		return MHD_YES;
	}
	if ((ret = httpd_rate_limit(r, answered)) != MHD_YES || *answered)
		return ret;
	*answered = 1;
	return httpd_reply(r, MHD_HTTP_FORBIDDEN, text_type, "Forbidden\n",
	    NULL);
}

/* Kannel's delivery report: id, status (DLR type) and the SMSC answer. */
enum MHD_Result
httpd_route_dlr(struct httpd_req *r)
{
	struct sms_gw_dlr d;
	char *cause = NULL, *msg;
	enum MHD_Result ret;
	int rc;

	if ((ret = callback_allowed(r, &rc)) != MHD_YES || rc)
		return ret;
	if (sms_gw_parse_dlr(httpd_arg(r, "id", NULL), httpd_arg(r, "status",
	    NULL), httpd_arg(r, "answer", NULL), &d, &cause) != 0) {
		msg = xasprintf("Bad Request: %s\n", cause);
		log_warn("http: delivery report: %s", cause);
		ret = httpd_reply(r, MHD_HTTP_BAD_REQUEST, text_type, msg, NULL);
		free(msg);
		free(cause);
		return ret;
	}
	if (r->head) {		/* answered as GET would be, nothing done */
		sms_gw_dlr_free(&d);
		return httpd_reply(r, MHD_HTTP_OK, text_type, "ok\n", NULL);
	}
	if (d.delivered < 0) {	/* buffered or SMSC accepted: wait for more */
		log_debug("http: message %lld: intermediate report %d",
		    (long long)d.id, d.status);
	} else if (httpd_store(r) == NULL || (r->wrote = 1) == 0 ||
	    (rc = store_outbox_report(r->st, d.id, d.delivered, d.detail,
	    r->now, &cause)) < 0) {
		sms_gw_dlr_free(&d);
		return httpd_unavailable(r, "delivery report", cause);
	} else if (rc == 0) {
		log_info("http: delivery report for message %lld, which is not "
		    "a sent SMS", (long long)d.id);
	} else {
		log_info("message %lld: %s", (long long)d.id, d.delivered ?
		    "delivered" : d.detail);
	}
	sms_gw_dlr_free(&d);
	return httpd_reply(r, MHD_HTTP_OK, text_type, "ok\n", NULL);
}

/* A phone number for the log: the middle digits hidden. */
static char *
phone_mask(const char *p)
{
	size_t n = strlen(p), i;
	char *m = xstrdup(p);

	for (i = n > 8 ? 5 : 2; i + 4 < n; i++)
		m[i] = '*';
	return m;
}

/* Opts the customers with this number out of SMS. */
static int
inbound_stop(struct httpd_req *r, const char *from, char **cause)
{
	char *e164 = NULL, *why = NULL, *masked;
	int n;

	if (phone_normalize(from, r->cf->country_code, &e164, &why) != 0) {
		log_warn("inbound SMS opt-out from a number that cannot be "
		    "read; nobody opted out");
		free(why);
		return 0;
	}
	r->wrote = 1;
	if (optout_record_phone(r->st, e164, CHANNEL_SMS, r->now, &n,
	    cause) != 0) {
		free(e164);
		return -1;
	}
	masked = phone_mask(e164);
	if (n > 0)
		log_notice("inbound SMS opt-out from %s: %d customer%s opted out "
		    "of SMS", masked, n, n == 1 ? "" : "s");
	else
		log_warn("inbound SMS opt-out from %s: no customer has this "
		    "number", masked);
	free(masked);
	free(e164);
	return 0;
}

/* An inbound SMS from Kannel's sms-service: a STOP reply opts the sender
 * out of SMS.  Always an empty 200, so Kannel texts nothing back. */
enum MHD_Result
httpd_route_inbound(struct httpd_req *r)
{
	const char *from = httpd_arg(r, "from", NULL), *raw;
	char *text, *cause = NULL;
	enum MHD_Result ret;
	size_t n;
	int stop, answered;

	if ((ret = callback_allowed(r, &answered)) != MHD_YES || answered)
		return ret;
	if (r->head)		/* answered as GET would be, nothing done */
		return httpd_reply(r, MHD_HTTP_OK, text_type, NULL, NULL);
	raw = httpd_arg(r, "text", &n);
	text = optout_sms_text(raw, n, httpd_arg(r, "coding", NULL),
	    httpd_arg(r, "charset", NULL));
	stop = optout_sms_is_stop(r->cf, text);
	free(text);
	if (!stop || str_empty(from))
		log_info("inbound SMS (%zu bytes): not an opt-out", n);
	else if (httpd_store(r) == NULL || inbound_stop(r, from, &cause) != 0) {
		/* Kannel must not text "could not fetch" back: 200 anyway. */
		log_err("inbound SMS opt-out NOT saved, opt the sender out by "
		    "hand: %s", cause ? cause : "store unavailable");
		free(cause);
	}
	return httpd_reply(r, MHD_HTTP_OK, text_type, NULL, NULL);
}

/* GET /healthz: 200 "ok" when the store answers a query. */
enum MHD_Result
httpd_route_healthz(struct httpd_req *r)
{
	char *cause = NULL;
	long n;

	if (httpd_store(r) == NULL)
		return httpd_unavailable(r, "healthz", NULL);
	if (store_task_count(r->st, "open", &n, &cause) != 0)
		return httpd_unavailable(r, "healthz", cause);
	return httpd_reply(r, MHD_HTTP_OK, text_type, "ok\n", NULL);
}

/* Prometheus text format, version 0.0.4. */
enum MHD_Result
httpd_route_metrics(struct httpd_req *r)
{
	struct buf b;
	int32_t today;
	char *cause = NULL;
	enum MHD_Result ret;

	if (httpd_store(r) == NULL)
		return httpd_unavailable(r, "metrics", NULL);
	buf_init(&b);
	if (metrics_render(r->h->metrics, r->st, &b, &cause) != 0 ||
	    date_today((time_t)r->now, r->cf->timezone, &today, &cause) != 0 ||
	    metrics_report_render(r->st, today, &b, &cause) != 0) {
		buf_free(&b);
		return httpd_unavailable(r, "metrics", cause);
	}
	ret = httpd_reply(r, MHD_HTTP_OK,
	    "text/plain; version=0.0.4; charset=utf-8", b.data, NULL);
	buf_free(&b);
	return ret;
}

/* httpd_routes.c - one-click unsubscribe, the Kannel callbacks, /healthz
 * and /metrics.
 *
 * The Kannel callbacks (delivery reports and inbound SMS) change the
 * store on the word of whoever calls them, so they are accepted only
 * from a loopback peer (Kannel's smsbox runs beside the daemon) and only
 * when the request carries no Forwarded, X-Forwarded-For or X-Real-IP
 * header: a reverse proxy on the same host that publishes the feeds adds
 * those (nginx: proxy_set_header X-Forwarded-For ...), so the callbacks
 * stay unreachable through it.  Anything else gets 403.  A Kannel on
 * another host would need a shared secret in the URLs (not supported).
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

#include "httpd_priv.h"
#include "log.h"
#include "phone.h"
#include "sms_gw.h"
#include "store_outbox.h"
#include "store_task.h"
#include "tmpl.h"
#include "token.h"
#include "util.h"

static const char html_type[] = "text/html; charset=utf-8";
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
	int64_t item, customer;
	const char *what, *company = r->cf->company;
	char ch, *cause = NULL, *page;
	enum MHD_Result ret;
	int rc;

	if (httpd_store(r) == NULL)
		return httpd_unavailable(r, "unsubscribe", NULL);
	if (deliver_secret(r->st, secret, &cause) != 0)
		return httpd_unavailable(r, "unsubscribe secret", cause);
	rc = token_unsub_check(secret, token, &item, &customer, &ch);
	memset(secret, 0, sizeof(secret));
	if (rc != 0) {
		log_info("http: unsubscribe with an invalid token");
		return httpd_not_found(r);
	}
	what = ch == 'e' ? "e-mail" : "text";
	if (str_empty(company))
		company = "us";
	if (!r->post) {
		cause = xasprintf("Stop %s messages from %s?", what, company);
		page = html_page("Unsubscribe", cause, 1);
	} else {
		r->wrote = 1;
		rc = store_customer_optout_add(r->st, customer, ch == 'e' ?
		    "email" : "sms", r->now, &cause);
		if (rc < 0)
			return httpd_unavailable(r, "unsubscribe", cause);
		log_notice("unsubscribe: customer %lld opted out of %s (one-click,"
		    " message item %lld)%s", (long long)customer, ch == 'e' ?
		    "email" : "sms", (long long)item, rc == 0 ?
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
callback_allowed(struct httpd_req *r)
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

/* 403 for a callback from elsewhere. */
static enum MHD_Result
callback_forbidden(struct httpd_req *r)
{
	log_warn("http: %s refused: only Kannel on this host (loopback, no "
	    "proxy) may call it", r->url);
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

	if (!callback_allowed(r))
		return callback_forbidden(r);
	if (sms_gw_parse_dlr(httpd_arg(r, "id", NULL), httpd_arg(r, "status",
	    NULL), httpd_arg(r, "answer", NULL), &d, &cause) != 0) {
		msg = xasprintf("Bad Request: %s\n", cause);
		log_warn("http: delivery report: %s", cause);
		ret = httpd_reply(r, MHD_HTTP_BAD_REQUEST, text_type, msg, NULL);
		free(msg);
		free(cause);
		return ret;
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
		    "a sent message", (long long)d.id);
	} else {
		log_info("message %lld: %s", (long long)d.id, d.delivered ?
		    "delivered" : d.detail);
	}
	sms_gw_dlr_free(&d);
	return httpd_reply(r, MHD_HTTP_OK, text_type, "ok\n", NULL);
}

/* Appends a code point as UTF-8. */
static void
utf8_put(struct buf *b, uint32_t cp)
{
	if (cp < 0x80) {
		buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_addc(b, (char)(0xc0 | cp >> 6));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addc(b, (char)(0xe0 | cp >> 12));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_addc(b, (char)(0xf0 | cp >> 18));
		buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/* UTF-16BE (Kannel's UCS-2 text) to UTF-8; broken surrogates become
 * U+FFFD, NULs are dropped. */
static char *
utf16be_decode(const unsigned char *s, size_t n)
{
	struct buf b;
	uint32_t u, lo;
	size_t i;

	buf_init(&b);
	for (i = 0; i + 1 < n; i += 2) {
		u = (uint32_t)s[i] << 8 | s[i + 1];
		if (u >= 0xd800 && u < 0xdc00 && i + 3 < n &&
		    (lo = (uint32_t)s[i + 2] << 8 | s[i + 3]) >= 0xdc00 &&
		    lo < 0xe000) {
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		} else if (u >= 0xd800 && u < 0xe000)
			u = 0xfffd;
		if (u != 0)
			utf8_put(&b, u);
	}
	return buf_detach(&b);
}

/* The text of an inbound SMS as UTF-8, whatever Kannel passed on. */
static char *
inbound_text(const char *text, size_t n, const char *coding,
    const char *charset)
{
	struct buf b;
	size_t i;

	if (text == NULL)
		return xstrdup("");
	if ((charset != NULL && (strcasecmp(charset, "UTF-16BE") == 0 ||
	    strcasecmp(charset, "UCS-2") == 0 || strcasecmp(charset,
	    "UTF-16") == 0)) || (charset == NULL && coding != NULL &&
	    strcmp(coding, "2") == 0))
		return utf16be_decode((const unsigned char *)text, n);
	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (charset != NULL && (strcasecmp(charset, "ISO-8859-1") == 0 ||
		    strcasecmp(charset, "WINDOWS-1252") == 0))
			utf8_put(&b, (unsigned char)text[i]);
		else if (text[i] != '\0')
			buf_addc(&b, text[i]);
	}
	return buf_detach(&b);
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
	if (store_customer_optout_phone(r->st, e164, "sms", r->now, &n,
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
	const struct conf_http *ch = &r->cf->http;
	const char *from = httpd_arg(r, "from", NULL), *raw;
	const char **kw = NULL;
	char *text, *cause = NULL;
	size_t n, i;
	int stop;

	if (!callback_allowed(r))
		return callback_forbidden(r);
	raw = httpd_arg(r, "text", &n);
	text = inbound_text(raw, n, httpd_arg(r, "coding", NULL),
	    httpd_arg(r, "charset", NULL));
	if (ch->nstop_keywords > 0) {
		kw = xcalloc(ch->nstop_keywords + 1, sizeof(*kw));
		for (i = 0; i < ch->nstop_keywords; i++)
			kw[i] = ch->stop_keywords[i];
	}
	stop = sms_gw_is_unsubscribe(text, kw);
	free(kw);
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

/* HELP and TYPE lines of one metric. */
static void
metric_head(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Customers by tier and open tasks, from the store. */
static int
metrics_store(struct store *st, struct buf *b, char **cause)
{
	static const char tiers[] = "ABC";
	struct store_stats s;
	long n, v;
	size_t i, k;

	memset(&s, 0, sizeof(s));
	if (store_stats(st, &s, cause) != 0)
		return -1;
	metric_head(b, "outreachd_customers", "gauge", "Customers by tier.");
	for (k = 0; k < 3; k++) {
		for (v = 0, i = 0; i < s.nby_tier; i++)
			v += s.by_tier[i].key[0] == tiers[k] ? s.by_tier[i].count :
			    0;
		buf_printf(b, "outreachd_customers{tier=\"%c\"} %ld\n",
		    tiers[k], v);
	}
	metric_head(b, "outreachd_customers_opted_out", "gauge",
	    "Customers opted out, by channel (all = every channel).");
	buf_printf(b, "outreachd_customers_opted_out{channel=\"email\"} %ld\n"
	    "outreachd_customers_opted_out{channel=\"sms\"} %ld\n"
	    "outreachd_customers_opted_out{channel=\"all\"} %ld\n",
	    s.opted_out_email, s.opted_out_sms, s.opted_out_all);
	store_stats_clear(&s);
	if (store_task_count(st, "open", &n, cause) != 0)
		return -1;
	metric_head(b, "outreachd_tasks_open", "gauge",
	    "Rep tasks not done yet.");
	buf_printf(b, "outreachd_tasks_open %ld\n", n);
	return 0;
}

/* Outbox rows by state; every state is listed, 0 when empty. */
static int
metrics_outbox(struct store *st, struct buf *b, char **cause)
{
	static const char *const states[] = { "pending", "sending", "sent",
		"retry", "failed", "suppressed", "delivered", "undelivered" };
	struct store_count *c = NULL;
	size_t n = 0, i, k;
	long v;

	if (store_outbox_counts(st, &c, &n, cause) != 0)
		return -1;
	metric_head(b, "outreachd_outbox_messages", "gauge",
	    "Messages in the outbox by state.");
	for (k = 0; k < ARRAY_SIZE(states); k++) {
		for (v = 0, i = 0; i < n; i++)
			v += strcmp(c[i].key, states[k]) == 0 ? c[i].count : 0;
		buf_printf(b, "outreachd_outbox_messages{state=\"%s\"} %ld\n",
		    states[k], v);
	}
	for (i = 0; i < n; i++)
		free(c[i].key);
	free(c);
	return 0;
}

/* One counter per channel. */
static void
metric_channels(struct buf *b, const char *name, const unsigned long v[2])
{
	buf_printf(b, "%s{channel=\"email\"} %lu\n", name, v[0]);
	buf_printf(b, "%s{channel=\"sms\"} %lu\n", name, v[1]);
}

/* The daemon's own counters, by channel. */
static void
metrics_counters(struct httpd *h, struct buf *b)
{
	struct httpd_counters n;

	pthread_mutex_lock(&h->stats_lock);
	n = h->n;
	pthread_mutex_unlock(&h->stats_lock);
	metric_head(b, "outreachd_sends_total", "counter",
	    "Messages a gateway accepted since the daemon started.");
	metric_channels(b, "outreachd_sends_total", n.sends.sent_by);
	metric_head(b, "outreachd_send_failures_total", "counter",
	    "Messages that failed for good since the daemon started.");
	metric_channels(b, "outreachd_send_failures_total", n.sends.failed_by);
	metric_head(b, "outreachd_send_retries_total", "counter",
	    "Send attempts to be retried since the daemon started.");
	metric_channels(b, "outreachd_send_retries_total", n.sends.retried_by);
	metric_head(b, "outreachd_messages_suppressed_total", "counter",
	    "Messages not sent (opt-out, frequency cap) since start.");
	buf_printf(b, "outreachd_messages_suppressed_total %lu\n",
	    n.sends.suppressed);
	metric_head(b, "outreachd_last_scan_timestamp_seconds", "gauge",
	    "When the last planning scan ran (unix time, 0 = not yet).");
	buf_printf(b, "outreachd_last_scan_timestamp_seconds %lld\n",
	    (long long)n.last_scan);
	metric_head(b, "outreachd_last_scan_duration_seconds", "gauge",
	    "How long the last planning scan took.");
	buf_printf(b, "outreachd_last_scan_duration_seconds %.6f\n",
	    n.scan_secs);
	metric_head(b, "outreachd_feed_requests_total", "counter",
	    "Feed requests answered from the cache, or rendered.");
	buf_printf(b, "outreachd_feed_requests_total{result=\"cached\"} %lu\n"
	    "outreachd_feed_requests_total{result=\"rendered\"} %lu\n",
	    n.feed_hits, n.feed_renders);
	metric_head(b, "outreachd_http_responses_total", "counter",
	    "HTTP responses by status class.");
	buf_printf(b, "outreachd_http_responses_total{code=\"2xx\"} %lu\n"
	    "outreachd_http_responses_total{code=\"3xx\"} %lu\n"
	    "outreachd_http_responses_total{code=\"4xx\"} %lu\n"
	    "outreachd_http_responses_total{code=\"5xx\"} %lu\n",
	    n.responses[2], n.responses[3], n.responses[4], n.responses[5]);
}

/* Prometheus text format, version 0.0.4. */
enum MHD_Result
httpd_route_metrics(struct httpd_req *r)
{
	struct buf b;
	char *cause = NULL;
	enum MHD_Result ret;

	if (httpd_store(r) == NULL)
		return httpd_unavailable(r, "metrics", NULL);
	buf_init(&b);
	if (metrics_store(r->st, &b, &cause) != 0 ||
	    metrics_outbox(r->st, &b, &cause) != 0) {
		buf_free(&b);
		return httpd_unavailable(r, "metrics", cause);
	}
	metrics_counters(r->h, &b);
	ret = httpd_reply(r, MHD_HTTP_OK,
	    "text/plain; version=0.0.4; charset=utf-8", b.data, NULL);
	buf_free(&b);
	return ret;
}

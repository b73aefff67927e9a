/* conf_delivery.c - the delivery, email, sms, http and daemon groups.
 * What a transfer would only find out message by message (a URL of the
 * wrong scheme, an address that no server takes, a header or regex that
 * cannot work) is refused here, with the file and line. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"
#include "mime.h"
#include "sms_channel.h"
#include "sms_gw.h"

#define D(f) offsetof(struct conf_delivery, f)
#define C(f) offsetof(struct conf_channel, f)
#define H(f) offsetof(struct conf_http, f)
#define M(f) offsetof(struct conf_daemon, f)

_Static_assert(sizeof(enum conf_transport) == sizeof(int),
    "transport is stored as an int");

/* Setting name of g, or g itself when the file does not set it (the
 * value came from the defaults or another setting). */
static const config_setting_t *
at(const config_setting_t *g, const char *name)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	return s != NULL ? s : g;
}

/* "NAME must be WHAT, not "VALUE"", at the setting. */
static void
bad_setting(struct conf_errors *e, const config_setting_t *s,
    const char *name, const char *what, const char *value)
{
	char *q = str_quote(value, 80);

	conf_error(e, s, "%s must be %s, not %s", name, what, q);
	free(q);
}

/* 1 if url is printable ASCII and a URL with a host and one of schemes
 * (NULL-ended), as libcurl reads it; with bare, without a query or a
 * fragment either, as paths are appended to it. */
static int
url_valid(const char *url, const char *const *schemes, int bare)
{
	const unsigned char *p;
	CURLU *h;
	char *scheme = NULL, *host = NULL, *rest = NULL;
	int ok = 0;

	for (p = (const unsigned char *)url; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f)
			return 0;
	}
	if ((h = curl_url()) == NULL)
		abort();	/* out of memory, as in xmalloc() */
	if (curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    *host != '\0') {
		for (; *schemes != NULL; schemes++)
			ok |= strcmp(scheme, *schemes) == 0;
	}
	if (ok && bare && (curl_url_get(h, CURLUPART_QUERY, &rest, 0) ==
	    CURLUE_OK || curl_url_get(h, CURLUPART_FRAGMENT, &rest, 0) ==
	    CURLUE_OK))
		ok = 0;
	curl_free(scheme);
	curl_free(host);
	curl_free(rest);
	curl_url_cleanup(h);
	return ok;
}

static const struct conf_entry quiet_hours_entries[] = {
	{ .name = "start", .type = CONF_TIME, .offset = D(quiet_start),
	  .def = 21 * 60, .bad = "quiet_hours start must be HH:MM",
	  .doc = "Quiet hours start at this time of the customer's day." },
	{ .name = "end", .type = CONF_TIME, .offset = D(quiet_end),
	  .def = 9 * 60, .bad = "quiet_hours end must be HH:MM",
	  .doc = "Quiet hours end at this time; start = end: none." },
	{ .name = NULL }
};

static const struct conf_table quiet_hours_table = {
	.usage = "{ start = \"21:00\"; end = \"09:00\"; }",
	.entries = quiet_hours_entries
};

static const struct conf_entry delivery_entries[] = {
	{ .name = "dry_run", .type = CONF_BOOL, .offset = D(dry_run),
	  .def = 0, .doc = "Render, queue and log messages, send nothing." },
	{ .name = "quiet_hours", .type = CONF_GROUP,
	  .table = &quiet_hours_table,
	  .doc = "When no message is sent, in the customer's time zone." },
	{ .name = "max_attempts", .type = CONF_INT, .offset = D(max_attempts),
	  .min = 1, .max = 100, .def = 8,
	  .doc = "Temporary failures before a message fails for good." },
	{ .name = "retry_base_seconds", .type = CONF_INT,
	  .offset = D(retry_base), .min = 1, .max = 86400, .def = 60,
	  .doc = "The first wait before a retry; it doubles per attempt." },
	{ .name = "retry_max_seconds", .type = CONF_INT,
	  .offset = D(retry_max), .min = 1, .max = 7 * 86400,
	  .def = 6 * 3600, .doc = "The longest wait before a retry." },
	{ .name = "batch", .type = CONF_INT, .offset = D(batch),
	  .min = 1, .max = 100000, .def = 200,
	  .doc = "Messages taken per delivery pass." },
	{ .name = "claim_lease_seconds", .type = CONF_INT,
	  .offset = D(claim_lease), .min = 3, .max = 3600, .def = 60,
	  .doc = "Seconds a daemon's claim on messages lasts unless renewed." },
	{ .name = NULL }
};

/* The first wait of a retry is not longer than the longest. */
static void
delivery_check(struct conf_errors *e, const config_setting_t *g, void *base,
    struct conf *c)
{
	struct conf_delivery *d = base;
	const config_setting_t *s;

	if (d->retry_base <= d->retry_max)
		return;
	s = config_setting_get_member(g, "retry_base_seconds");
	conf_error(e, s != NULL ? s : at(g, "retry_max_seconds"),
	    "retry_base_seconds (%d) must not exceed retry_max_seconds (%d)",
	    d->retry_base, d->retry_max);
}

const struct conf_table conf_delivery_table = {
	.usage = "{ ... }", .entries = delivery_entries,
	.check = delivery_check
};

static const struct conf_entry rate_entries[] = {
	{ .name = "messages", .type = CONF_INT, .offset = C(rate_messages),
	  .min = 1, .max = 1000000, .def = 600,
	  .doc = "Messages accepted within seconds." },
	{ .name = "seconds", .type = CONF_INT, .offset = C(rate_seconds),
	  .min = 1, .max = 86400, .def = 60,
	  .doc = "The span of the rate, in seconds." },
	{ .name = NULL }
};

static const struct conf_table rate_table = {
	.usage = "{ messages = N; seconds = S; }", .entries = rate_entries
};

/* The directory of the store holds the daemon's state unless configured. */
static const char *
state_dir(struct conf *c)
{
	char *slash;

	if (c->daemon.state_dir != NULL)
		return c->daemon.state_dir;
	c->daemon.state_dir = xstrdup(c->store);
	slash = strrchr(c->daemon.state_dir, '/');
	if (slash == NULL) {
		free(c->daemon.state_dir);
		c->daemon.state_dir = xstrdup(".");
	} else if (slash == c->daemon.state_dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return c->daemon.state_dir;
}

static const struct conf_choice email_transports[] = {
	{ "maildir", TRANSPORT_MAILDIR },
	{ "smtp", TRANSPORT_SMTP },
	{ NULL, 0 }
};

static const struct conf_choice tls_choices[] = {
	{ "required", 1 },
	{ "none", 0 },
	{ NULL, 0 }
};

/* The smtp transport has an SMTP server to send to (libcurl would as
 * well PUT each message to a web server, or write it over a file, and
 * call it sent) and a sender; the addresses are what a server takes. */
static void
email_check(struct conf_errors *e, const config_setting_t *g, void *base,
    struct conf *c)
{
	static const char *const smtp[] = { "smtp", "smtps", NULL };
	struct conf_channel *ch = base;

	if (ch->url != NULL && !url_valid(ch->url, smtp, 0))
		bad_setting(e, at(g, "url"), "url",
		    "smtp://HOST[:PORT] or smtps://HOST[:PORT]", ch->url);
	if (ch->from != NULL && !mime_addr_valid(ch->from))
		bad_setting(e, at(g, "from"), "from",
		    "an address such as outreachd@example.com", ch->from);
	if (ch->helo != NULL && !mime_host_valid(ch->helo))
		bad_setting(e, at(g, "helo"), "helo",
		    "a host name such as crm.example.com", ch->helo);
	if (ch->transport == TRANSPORT_SMTP && (ch->url == NULL ||
	    ch->from == NULL))
		conf_error(e, g, "the smtp transport needs url and from");
}

/* The maildir and the addresses nobody configured. */
static void
email_finish(void *base, struct conf *c)
{
	struct conf_channel *ch = base;

	if (ch->maildir == NULL)
		ch->maildir = xasprintf("%s/maildir/email", state_dir(c));
	if (ch->from == NULL)
		ch->from = xstrdup("outreachd@localhost");
	if (ch->helo == NULL)
		ch->helo = xstrdup("localhost");
}

static const struct conf_entry email_entries[] = {
	{ .name = "transport", .type = CONF_ENUM, .offset = C(transport),
	  .choices = email_transports, .def = TRANSPORT_MAILDIR,
	  .bad = "email transport must be \"maildir\" or \"smtp\"",
	  .doc = "Write each message to a maildir, or send it by SMTP." },
	{ .name = "maildir", .type = CONF_STRING, .offset = C(maildir),
	  .def_doc = "state_dir/maildir/email",
	  .doc = "The maildir of the maildir transport." },
	{ .name = "url", .type = CONF_STRING, .offset = C(url),
	  .doc = "smtp://HOST:PORT or smtps://HOST:PORT; smtp needs it." },
	{ .name = "tls", .type = CONF_ENUM, .offset = C(tls_required),
	  .choices = tls_choices, .def = 1,
	  .bad = "tls must be \"required\" or \"none\" (smtps:// URLs always "
	  "use TLS)", .doc = "Whether an smtp:// server must offer STARTTLS." },
	{ .name = "username", .type = CONF_STRING, .offset = C(username),
	  .doc = "The SMTP AUTH user." },
	{ .name = "password_file", .type = CONF_STRING,
	  .offset = C(password_file), .credential = 1,
	  .doc = "A file whose first line is the password (%d/NAME: a "
	  "credential)." },
	{ .name = "ca_file", .type = CONF_STRING, .offset = C(ca_file),
	  .doc = "CA certificates to verify the server with." },
	{ .name = "helo", .type = CONF_STRING, .offset = C(helo),
	  .def_doc = "\"localhost\"",
	  .doc = "The EHLO name, and the domain of the Message-ID." },
	{ .name = "from", .type = CONF_STRING, .offset = C(from),
	  .def_doc = "\"outreachd@localhost\"",
	  .doc = "The envelope and From address; smtp needs it." },
	{ .name = "from_name", .type = CONF_STRING, .offset = C(from_name),
	  .doc = "The display name of From, after the rep's name." },
	{ .name = "connections", .type = CONF_INT, .offset = C(connections),
	  .min = 1, .max = 64, .def = 2,
	  .doc = "Transfers running at the same time." },
	{ .name = "rate", .type = CONF_GROUP, .table = &rate_table,
	  .doc = "At most messages in seconds, counted across restarts." },
	{ .name = "timeout_seconds", .type = CONF_INT,
	  .offset = C(timeout_seconds), .min = 1, .max = 3600, .def = 60,
	  .doc = "The longest one transfer may take." },
	{ .name = "data_timeout_seconds", .type = CONF_INT,
	  .offset = C(data_timeout_seconds), .min = 1, .max = 3600, .def = 600,
	  .doc = "How long to wait for the reply to the whole message." },
	{ .name = NULL }
};

const struct conf_table conf_email_table = {
	.usage = "{ ... }", .entries = email_entries, .check = email_check,
	.finish = email_finish
};

static const struct conf_choice sms_transports[] = {
	{ "maildir", TRANSPORT_MAILDIR },
	{ "kannel", TRANSPORT_KANNEL },
	{ "http", TRANSPORT_HTTP },
	{ "aliyun", TRANSPORT_ALIYUN },
	{ "tencent", TRANSPORT_TENCENT },
	{ "twilio", TRANSPORT_TWILIO },
	{ NULL, 0 }
};

static const struct conf_choice signature_choices[] = {
	{ "acs3-hmac-sha256", 0 },
	{ "hmac-sha1", 1 },
	{ NULL, 0 }
};

static const struct conf_choice method_choices[] = {
	{ "GET", 0 },
	{ "POST_FORM", 0 },
	{ "POST_JSON", 0 },
	{ NULL, 0 }
};

/* success_status = [200, 202]: the HTTP answers a gateway means "sent". */
static void
parse_statuses(struct conf_errors *e, const config_setting_t *g, void *base,
    struct conf *c)
{
	config_setting_t *s = config_setting_get_member(g, "success_status"), *el;
	struct conf_channel *ch = base;
	int i, n, v;

	if (s == NULL)
		return;
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		conf_error(e, s, "success_status must be a list of HTTP codes");
		return;
	}
	n = config_setting_length(s);
	free(ch->success_status);
	ch->success_status = xcalloc((size_t)n + 1, sizeof(int));
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(s, (unsigned)i);
		v = config_setting_type(el) == CONFIG_TYPE_INT ?
		    config_setting_get_int(el) : 0;
		if (v < 200 || v > 299) {
			conf_error(e, el, "success_status codes must be 200..299");
			v = 200;
		}
		ch->success_status[i] = v;
	}
}

/* The statuses of a gateway that says nothing else. */
static void
statuses_init(void *base)
{
	struct conf_channel *ch = base;

	ch->success_status = xcalloc(4, sizeof(int));
	ch->success_status[0] = 200;
	ch->success_status[1] = 201;
	ch->success_status[2] = 202;
}

/* Frees the statuses. */
static void
statuses_clear(void *base)
{
	struct conf_channel *ch = base;

	free(ch->success_status);
	ch->success_status = NULL;
}

/* Each header template is "Name: value", a token name (RFC 9110) and no
 * control character but tab: nothing can end the header block.  What the
 * placeholders bring is checked again when a request is built. */
static void
headers_check(struct conf_errors *e, const config_setting_t *g,
    const struct conf_channel *ch)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~0123456789"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	const config_setting_t *s = at(g, "headers"), *el;
	const unsigned char *p;
	const char *h;
	size_t i, n;

	for (i = 0; i < ch->nheaders; i++) {
		h = ch->headers[i];
		n = strspn(h, tchar);
		for (p = (const unsigned char *)h + n; *p != '\0'; p++) {
			if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
				break;
		}
		if (n > 0 && h[n] == ':' && *p == '\0')
			continue;
		el = config_setting_is_aggregate(s) && i <
		    (size_t)config_setting_length(s) ?
		    config_setting_get_elem(s, (unsigned)i) : s;
		bad_setting(e, el, "headers", "\"Name: value\" with a token "
		    "name and no control character", h);
	}
}

/* id_regex compiles, with a group around the id. */
static void
id_regex_check(struct conf_errors *e, const config_setting_t *g,
    const struct conf_channel *ch)
{
	regex_t re;
	char why[128];
	size_t nsub;
	int rc;

	if (ch->id_regex == NULL)
		return;
	if ((rc = regcomp(&re, ch->id_regex, REG_EXTENDED)) != 0) {
		regerror(rc, &re, why, sizeof why);
		conf_error(e, at(g, "id_regex"), "id_regex is not a POSIX "
		    "extended regex: %s", why);
		return;
	}
	nsub = re.re_nsub;
	regfree(&re);
	if (nsub < 1)
		conf_error(e, at(g, "id_regex"), "id_regex needs a group ( ) "
		    "around the provider's id");
}

/* The gateway's own check (sms_gw.c), the one the daemon makes before
 * it sends: a trial request, whose url must be http:// or https://. */
static void
gateway_check(struct conf_errors *e, const config_setting_t *g,
    const struct conf_channel *ch)
{
	struct sms_gw gw;
	char *cause = NULL, **owned;

	sms_channel_gateway(ch, NULL, &gw, &owned);
	if (sms_gw_check(&gw, &cause) != 0) {
		conf_error(e, at(g, "url"), "%s", cause);
		free(cause);
	}
	sms_channel_owned_free(owned);
}

/* A provider of approved templates: its settings are all there, and the
 * gateway's (and the other provider's) are not set by mistake. */
static void
provider_check(struct conf_errors *e, const config_setting_t *g,
    const struct conf_channel *ch)
{
	static const char *const gateway_only[] = { "username", "sender",
		"method", "body", "headers", "success_match", "id_regex" };
	const char *other = ch->transport == TRANSPORT_ALIYUN ? "secret_id" :
	    "access_key_id";
	struct sms_provider p;
	char *cause = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(gateway_only); i++)
		if (config_setting_get_member(g, gateway_only[i]) != NULL)
			conf_error(e, at(g, gateway_only[i]), "%s is a gateway "
			    "setting: the %s transport does not use it",
			    gateway_only[i], ch->transport == TRANSPORT_ALIYUN ?
			    "aliyun" : "tencent");
	if (config_setting_get_member(g, other) != NULL)
		conf_error(e, at(g, other), "%s is for the %s transport", other,
		    ch->transport == TRANSPORT_ALIYUN ? "tencent" : "aliyun");
	if (ch->transport == TRANSPORT_TENCENT &&
	    config_setting_get_member(g, "signature") != NULL)
		conf_error(e, at(g, "signature"), "signature is for the aliyun "
		    "transport (tencent always signs with TC3-HMAC-SHA256)");
	if (ch->password_file == NULL)
		conf_error(e, at(g, "transport"), "the %s transport needs "
		    "password_file, the file holding the secret key",
		    ch->transport == TRANSPORT_ALIYUN ? "aliyun" : "tencent");
	sms_channel_provider(ch, "x", &p);
	if (sms_provider_check(&p, &cause) != 0) {
		conf_error(e, at(g, cause != NULL && strstr(cause, "url") ?
		    "url" : "transport"), "%s", cause);
		free(cause);
	}
}

/* Both gateways send somewhere, and can; a generic gateway that takes
 * any success status for "sent" is worth a warning. */
static void
sms_check(struct conf_errors *e, const config_setting_t *g, void *base,
    struct conf *c)
{
	struct conf_channel *ch = base;
	size_t before = e->b.len;

	headers_check(e, g, ch);
	id_regex_check(e, g, ch);
	if (ch->transport == TRANSPORT_MAILDIR)
		return;
	if (sms_channel_is_provider(ch)) {
		provider_check(e, g, ch);
		return;
	}
	if (ch->url == NULL && ch->transport != TRANSPORT_TWILIO) {
		conf_error(e, g, "the %s transport needs a url",
		    ch->transport == TRANSPORT_KANNEL ? "kannel" : "http");
		return;
	}
	if (ch->transport == TRANSPORT_HTTP && ch->method != NULL &&
	    strcmp(ch->method, "GET") != 0 && ch->body == NULL)
		conf_error(e, at(g, "method"), "method %s needs a body "
		    "template", ch->method);
	if (e->b.len == before)
		gateway_check(e, g, ch);
	if (ch->transport == TRANSPORT_HTTP && str_empty(ch->success_match))
		conf_warn(e, at(g, "transport"), "the http transport has no "
		    "success_match: any answer with a success_status, an "
		    "error page too, counts as sent");
}

/* The maildir nobody configured. */
static void
sms_finish(void *base, struct conf *c)
{
	struct conf_channel *ch = base;

	if (ch->maildir == NULL)
		ch->maildir = xasprintf("%s/maildir/sms", state_dir(c));
}

static const struct conf_entry sms_entries[] = {
	{ .name = "transport", .type = CONF_ENUM, .offset = C(transport),
	  .choices = sms_transports, .def = TRANSPORT_MAILDIR,
	  .bad = "sms transport must be \"maildir\", \"kannel\", \"http\", "
	  "\"aliyun\", \"tencent\" or \"twilio\"",
	  .doc = "A maildir, a gateway, or a provider of approved templates." },
	{ .name = "maildir", .type = CONF_STRING, .offset = C(maildir),
	  .def_doc = "state_dir/maildir/sms",
	  .doc = "The maildir of the maildir transport." },
	{ .name = "url", .type = CONF_STRING, .offset = C(url),
	  .def_doc = "the provider's public endpoint",
	  .doc = "Kannel's sendsms URL, the HTTP API's or a provider's." },
	{ .name = "username", .type = CONF_STRING, .offset = C(username),
	  .doc = "The gateway user (twilio: the Account SID)." },
	{ .name = "access_key_id", .type = CONF_STRING,
	  .offset = C(access_key_id),
	  .doc = "aliyun: the AccessKey id (its secret in password_file)." },
	{ .name = "secret_id", .type = CONF_STRING, .offset = C(secret_id),
	  .doc = "tencent: the SecretId (the SecretKey in password_file)." },
	{ .name = "sign_name", .type = CONF_STRING, .offset = C(sign_name),
	  .doc = "aliyun, tencent: the approved signature (SignName)." },
	{ .name = "sdk_app_id", .type = CONF_STRING, .offset = C(sdk_app_id),
	  .doc = "tencent: the SmsSdkAppId of the SMS application." },
	{ .name = "region", .type = CONF_STRING, .offset = C(region),
	  .def_doc = "cn-hangzhou (aliyun), ap-guangzhou (tencent)",
	  .doc = "aliyun, tencent: the region the requests name." },
	{ .name = "signature", .type = CONF_ENUM, .offset = C(signature),
	  .choices = signature_choices, .def = 0,
	  .doc = "aliyun: V3 acs3-hmac-sha256, or the RPC hmac-sha1." },
	{ .name = "param_max_chars", .type = CONF_INT,
	  .offset = C(param_max_chars), .min = 0, .max = 500, .def = 0,
	  .doc = "Longest template variable; 0: aliyun 35, tencent 6." },
	{ .name = "report_push", .type = CONF_BOOL, .offset = C(report_push),
	  .def = 0,
	  .doc = "The provider pushes status reports: sent SMS not polled." },
	{ .name = "status_interval_seconds", .type = CONF_INT,
	  .offset = C(status_interval), .min = 1, .max = 3600, .def = 60,
	  .doc = "aliyun, tencent: the first status query's wait (then x5)." },
	{ .name = "password_file", .type = CONF_STRING,
	  .offset = C(password_file), .credential = 1,
	  .doc = "First line: the password or secret key (%d/NAME: a "
	  "credential)." },
	{ .name = "ca_file", .type = CONF_STRING, .offset = C(ca_file),
	  .doc = "CA certificates to verify an https gateway with." },
	{ .name = "sender", .type = CONF_STRING, .offset = C(sender),
	  .doc = "The sender id." },
	{ .name = "method", .type = CONF_STRING, .offset = C(method),
	  .choices = method_choices, .def_doc = "GET",
	  .doc = "http: how the request is made." },
	{ .name = "body", .type = CONF_STRING, .offset = C(body),
	  .doc = "http: the body (the query with GET), with placeholders." },
	{ .name = "headers", .type = CONF_STRINGS, .offset = C(headers),
	  .count = C(nheaders),
	  .doc = "http: extra \"Name: value\" headers, with placeholders." },
	{ .name = "success_status", .type = CONF_CUSTOM,
	  .parse = parse_statuses, .init = statuses_init,
	  .clear = statuses_clear, .def_doc = "[ 200, 201, 202 ]",
	  .doc = "http: the HTTP statuses, 200..299, that mean success." },
	{ .name = "success_match", .type = CONF_STRING,
	  .offset = C(success_match),
	  .doc = "http: text a successful answer also contains (warned if "
	  "unset)." },
	{ .name = "id_regex", .type = CONF_STRING, .offset = C(id_regex),
	  .doc = "http: a regex whose first group is the provider's id." },
	{ .name = "max_segments", .type = CONF_INT, .offset = C(max_segments),
	  .min = 1, .max = 20, .def = 3,
	  .doc = "Longer texts are not sent; the rep gets a task instead." },
	{ .name = "connections", .type = CONF_INT, .offset = C(connections),
	  .min = 1, .max = 64, .def = 2,
	  .doc = "Transfers running at the same time." },
	{ .name = "rate", .type = CONF_GROUP, .table = &rate_table,
	  .doc = "At most messages in seconds, counted across restarts." },
	{ .name = "timeout_seconds", .type = CONF_INT,
	  .offset = C(timeout_seconds), .min = 1, .max = 3600, .def = 60,
	  .doc = "The longest one transfer may take." },
	{ .name = NULL }
};

const struct conf_table conf_sms_table = {
	.usage = "{ ... }", .entries = sms_entries, .check = sms_check,
	.finish = sms_finish
};

/* listen as httpd.c splits it: "ADDRESS:PORT", "[IPV6]:PORT", "*:PORT"
 * or ":PORT" (any address), the address numeric or a host name. */
static void
listen_check(struct conf_errors *e, const config_setting_t *g,
    const char *spec)
{
	const config_setting_t *s = at(g, "listen");
	const char *colon, *port;
	unsigned char addr[sizeof(struct in6_addr)];
	char *host;
	size_t n;

	if (spec[0] == '[') {
		colon = strchr(spec, ']');
		if (colon == NULL || colon[1] != ':') {
			conf_error(e, s, "listen must be ADDRESS:PORT");
			return;
		}
		host = xstrndup(spec + 1, (size_t)(colon - spec - 1));
		colon++;
	} else {
		if ((colon = strrchr(spec, ':')) == NULL) {
			conf_error(e, s, "listen must be ADDRESS:PORT");
			return;
		}
		host = xstrndup(spec, (size_t)(colon - spec));
	}
	port = colon + 1;
	n = strspn(port, "0123456789");
	if (n == 0 || n > 5 || port[n] != '\0' || atoi(port) > 65535)
		bad_setting(e, s, "listen",
		    "ADDRESS:PORT with a port from 0 to 65535", spec);
	else if (spec[0] == '[' ? inet_pton(AF_INET6, host, addr) != 1 :
	    *host != '\0' && strcmp(host, "*") != 0 &&
	    inet_pton(AF_INET, host, addr) != 1 &&
	    inet_pton(AF_INET6, host, addr) != 1 && !mime_host_valid(host))
		bad_setting(e, s, "listen", "ADDRESS:PORT with an IP address, "
		    "a host name or * as the address", spec);
	free(host);
}

/* The address can be listened on, and links can start with base_url. */
static void
http_check(struct conf_errors *e, const config_setting_t *g, void *base,
    struct conf *c)
{
	static const char *const http[] = { "http", "https", NULL };
	struct conf_http *h = base;

	listen_check(e, g, h->listen);
	if (!url_valid(h->base_url, http, 1))
		bad_setting(e, at(g, "base_url"), "base_url",
		    "http(s)://HOST[:PORT][/PATH] without a query",
		    h->base_url);
}

/* Paths are appended to base_url: without its trailing slashes.  The
 * callback secret nobody placed elsewhere is in the state directory. */
static void
http_finish(void *base, struct conf *c)
{
	struct conf_http *h = base;
	size_t n = strlen(h->base_url);

	while (n > 0 && h->base_url[n - 1] == '/')
		h->base_url[--n] = '\0';
	if (h->callback_secret_file == NULL)
		h->callback_secret_file = xasprintf("%s/callback.secret",
		    state_dir(c));
}

static const struct conf_entry http_entries[] = {
	{ .name = "listen", .type = CONF_STRING, .offset = H(listen),
	  .def_str = "127.0.0.1:8088",
	  .doc = "ADDRESS:PORT to listen on; [IPV6]:PORT, *:PORT." },
	{ .name = "base_url", .type = CONF_STRING, .offset = H(base_url),
	  .def_str = "http://127.0.0.1:8088",
	  .doc = "The public http(s) URL that links start with." },
	{ .name = "max_connections", .type = CONF_INT,
	  .offset = H(max_connections), .min = 1, .max = 10000, .def = 256,
	  .doc = "Connections served at the same time." },
	{ .name = "max_connections_per_ip", .type = CONF_INT,
	  .offset = H(max_connections_per_ip), .min = 0, .max = 10000,
	  .def = 64,
	  .doc = "Connections one client address may hold, 0 no limit." },
	{ .name = "request_timeout", .type = CONF_INT,
	  .offset = H(request_timeout), .min = 1, .max = 3600, .def = 10,
	  .doc = "Seconds a client has to send a whole request." },
	{ .name = "write_rate_per_ip", .type = CONF_INT,
	  .offset = H(write_rate_per_ip), .min = 0, .max = 1000000,
	  .def = 60,
	  .doc = "Unsubscribes and callbacks per minute per address, 0 any." },
	{ .name = "callback_secret_file", .type = CONF_STRING,
	  .offset = H(callback_secret_file), .credential = 1,
	  .def_doc = "state_dir/callback.secret",
	  .doc = "The Kannel callback URLs' secret; made if missing, unless "
	  "%d/NAME." },
	{ .name = "threads", .type = CONF_INT, .offset = H(threads),
	  .min = 0, .max = 64, .def = 0,
	  .doc = "Worker threads; 0 is one per online CPU, at least 2." },
	{ .name = "done_visible_days", .type = CONF_INT,
	  .offset = H(done_visible_days), .min = 0, .max = 366, .def = 14,
	  .doc = "Done tasks stay in the feeds this many days." },
	{ .name = "with_vtodo", .type = CONF_BOOL, .offset = H(with_vtodo),
	  .def = 0, .doc = "Also put each task in the feed as a VTODO." },
	{ .name = "alarm_minutes", .type = CONF_INT,
	  .offset = H(alarm_minutes), .min = 0, .max = 10080, .def = 0,
	  .doc = "An alarm this many minutes before each task, 0 none." },
	{ .name = "stop_keywords", .type = CONF_STRINGS,
	  .offset = H(stop_keywords), .count = H(nstop_keywords),
	  .def_doc = "TD, T, 退订, STOP, UNSUBSCRIBE",
	  .doc = "Inbound SMS replies that opt the sender out of SMS." },
	{ .name = NULL }
};

const struct conf_table conf_http_table = {
	.usage = "{ ... }", .entries = http_entries, .check = http_check,
	.finish = http_finish
};

/* The state directory nobody configured. */
static void
daemon_finish(void *base, struct conf *c)
{
	state_dir(c);
}

static const struct conf_entry daemon_entries[] = {
	{ .name = "scan_interval", .type = CONF_INT, .offset = M(scan_interval),
	  .min = 1, .max = 86400, .def = 300,
	  .doc = "Seconds between planning scans." },
	{ .name = "state_dir", .type = CONF_STRING, .offset = M(state_dir),
	  .def_doc = "the store's directory",
	  .doc = "The lock file, the signing secret and default maildirs." },
	{ .name = "shutdown_grace", .type = CONF_INT,
	  .offset = M(shutdown_grace), .min = 0, .max = 3600, .def = 20,
	  .doc = "Seconds sends in flight may take after SIGTERM." },
	{ .name = NULL }
};

const struct conf_table conf_daemon_table = {
	.usage = "{ ... }", .entries = daemon_entries,
	.finish = daemon_finish
};

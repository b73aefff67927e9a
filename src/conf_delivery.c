/* conf_delivery.c - the delivery, email, sms, http and daemon groups. */
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"

static void
channel_defaults(struct conf_channel *ch)
{
	ch->transport = TRANSPORT_MAILDIR;
	ch->tls_required = 1;
	ch->connections = 2;
	ch->rate_messages = 600;
	ch->rate_seconds = 60;
	ch->timeout_seconds = 60;
	ch->max_segments = 3;
	ch->success_status = xcalloc(4, sizeof(int));
	ch->success_status[0] = 200;
	ch->success_status[1] = 201;
	ch->success_status[2] = 202;
}

void
conf_delivery_defaults(struct conf *c)
{
	c->delivery.quiet_start = 21 * 60;
	c->delivery.quiet_end = 9 * 60;
	c->delivery.max_attempts = 8;
	c->delivery.retry_base = 60;
	c->delivery.retry_max = 6 * 3600;
	c->delivery.batch = 200;
	channel_defaults(&c->email);
	channel_defaults(&c->sms);
	c->http.listen = xstrdup("127.0.0.1:8088");
	c->http.base_url = xstrdup("http://127.0.0.1:8088");
	c->http.max_connections = 256;
	c->http.done_visible_days = 14;
	c->http.alarm_minutes = 0;
	c->daemon.scan_interval = 300;
	c->daemon.shutdown_grace = 20;
}

static void
channel_free(struct conf_channel *ch)
{
	size_t i;

	free(ch->maildir);
	free(ch->url);
	free(ch->username);
	free(ch->password_file);
	free(ch->ca_file);
	free(ch->helo);
	free(ch->from);
	free(ch->from_name);
	free(ch->sender);
	free(ch->method);
	free(ch->body);
	for (i = 0; i < ch->nheaders; i++)
		free(ch->headers[i]);
	free(ch->headers);
	free(ch->success_status);
	free(ch->success_match);
	free(ch->id_regex);
}

void
conf_delivery_free(struct conf *c)
{
	size_t i;

	channel_free(&c->email);
	channel_free(&c->sms);
	free(c->http.listen);
	free(c->http.base_url);
	for (i = 0; i < c->http.nstop_keywords; i++)
		free(c->http.stop_keywords[i]);
	free(c->http.stop_keywords);
	free(c->daemon.state_dir);
}

/* "HH:MM" into minutes after midnight. */
static int
parse_hhmm(const char *s, int *min)
{
	int h, m;
	char extra;

	if (sscanf(s, "%2d:%2d%c", &h, &m, &extra) != 2 || strlen(s) != 5 ||
	    h < 0 || h > 23 || m < 0 || m > 59)
		return -1;
	*min = h * 60 + m;
	return 0;
}

static void
get_bool(struct conf_errors *e, const config_setting_t *g, const char *name,
    int *dst)
{
	config_setting_t *s = config_setting_get_member(g, name);

	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		conf_error(e, s, "%s must be true or false", name);
	else
		*dst = config_setting_get_bool(s);
}

static void
parse_delivery(struct conf_errors *e, const config_setting_t *g,
    struct conf *c)
{
	static const char *const known[] = { "dry_run", "quiet_hours",
		"max_attempts", "retry_base_seconds", "retry_max_seconds",
		"batch", NULL };
	static const char *const qk[] = { "start", "end", NULL };
	struct conf_delivery *d = &c->delivery;
	const config_setting_t *q;
	char *v = NULL;

	conf_check_unknown(e, g, known);
	get_bool(e, g, "dry_run", &d->dry_run);
	conf_get_int(e, g, "max_attempts", 1, 100, &d->max_attempts);
	conf_get_int(e, g, "retry_base_seconds", 1, 86400, &d->retry_base);
	conf_get_int(e, g, "retry_max_seconds", 1, 7 * 86400, &d->retry_max);
	conf_get_int(e, g, "batch", 1, 100000, &d->batch);
	if ((q = conf_get_group(e, g, "quiet_hours", qk,
	    "{ start = \"21:00\"; end = \"09:00\"; }")) == NULL)
		return;
	conf_get_string(e, q, "start", &v);
	if (v != NULL && parse_hhmm(v, &d->quiet_start) != 0)
		conf_error(e, config_setting_get_member(q, "start"),
		    "quiet_hours start must be HH:MM");
	free(v);
	v = NULL;
	conf_get_string(e, q, "end", &v);
	if (v != NULL && parse_hhmm(v, &d->quiet_end) != 0)
		conf_error(e, config_setting_get_member(q, "end"),
		    "quiet_hours end must be HH:MM");
	free(v);
}

static void
parse_transport(struct conf_errors *e, const config_setting_t *g,
    const char *chan, struct conf_channel *ch)
{
	char *t = NULL;

	conf_get_string(e, g, "transport", &t);
	if (t == NULL)
		return;
	if (strcmp(t, "maildir") == 0)
		ch->transport = TRANSPORT_MAILDIR;
	else if (strcmp(chan, "email") == 0 && strcmp(t, "smtp") == 0)
		ch->transport = TRANSPORT_SMTP;
	else if (strcmp(chan, "sms") == 0 && strcmp(t, "kannel") == 0)
		ch->transport = TRANSPORT_KANNEL;
	else if (strcmp(chan, "sms") == 0 && strcmp(t, "http") == 0)
		ch->transport = TRANSPORT_HTTP;
	else
		conf_error(e, config_setting_get_member(g, "transport"),
		    "%s transport must be \"maildir\" or %s", chan,
		    strcmp(chan, "email") == 0 ? "\"smtp\"" :
		    "\"kannel\" or \"http\"");
	free(t);
}

static void
parse_rate(struct conf_errors *e, const config_setting_t *g,
    struct conf_channel *ch)
{
	static const char *const known[] = { "messages", "seconds", NULL };
	const config_setting_t *r = conf_get_group(e, g, "rate", known,
	    "{ messages = N; seconds = S; }");

	if (r == NULL)
		return;
	conf_get_int(e, r, "messages", 1, 1000000, &ch->rate_messages);
	conf_get_int(e, r, "seconds", 1, 86400, &ch->rate_seconds);
}

/* success_status = [200, 202]: the HTTP answers a gateway means "sent". */
static void
parse_statuses(struct conf_errors *e, const config_setting_t *g,
    struct conf_channel *ch)
{
	config_setting_t *s = config_setting_get_member(g, "success_status"), *el;
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

/* Settings shared by both channels, then the channel's own. */
static void
parse_channel(struct conf_errors *e, const config_setting_t *g,
    const char *chan, struct conf_channel *ch)
{
	static const char *const email_known[] = { "transport", "maildir",
		"url", "username", "password_file", "ca_file", "tls", "helo",
		"from", "from_name", "connections", "rate", "timeout_seconds",
		NULL };
	static const char *const sms_known[] = { "transport", "maildir", "url",
		"username", "password_file", "ca_file", "sender", "method",
		"body", "headers", "success_status", "success_match",
		"id_regex", "max_segments", "connections", "rate",
		"timeout_seconds", NULL };
	int email = strcmp(chan, "email") == 0;
	char *tls = NULL;

	conf_check_unknown(e, g, email ? email_known : sms_known);
	parse_transport(e, g, chan, ch);
	conf_get_string(e, g, "maildir", &ch->maildir);
	conf_get_string(e, g, "url", &ch->url);
	conf_get_string(e, g, "username", &ch->username);
	conf_get_string(e, g, "password_file", &ch->password_file);
	conf_get_string(e, g, "ca_file", &ch->ca_file);
	conf_get_int(e, g, "connections", 1, 64, &ch->connections);
	conf_get_int(e, g, "timeout_seconds", 1, 3600, &ch->timeout_seconds);
	parse_rate(e, g, ch);
	if (email) {
		conf_get_string(e, g, "helo", &ch->helo);
		conf_get_string(e, g, "from", &ch->from);
		conf_get_string(e, g, "from_name", &ch->from_name);
		conf_get_string(e, g, "tls", &tls);
		if (tls != NULL && strcmp(tls, "required") != 0 &&
		    strcmp(tls, "none") != 0)
			conf_error(e, config_setting_get_member(g, "tls"),
			    "tls must be \"required\" or \"none\" (smtps:// "
			    "URLs always use TLS)");
		else if (tls != NULL)
			ch->tls_required = strcmp(tls, "required") == 0;
		free(tls);
		return;
	}
	conf_get_string(e, g, "sender", &ch->sender);
	conf_get_string(e, g, "method", &ch->method);
	conf_get_string(e, g, "body", &ch->body);
	conf_get_string(e, g, "success_match", &ch->success_match);
	conf_get_string(e, g, "id_regex", &ch->id_regex);
	conf_get_int(e, g, "max_segments", 1, 20, &ch->max_segments);
	parse_statuses(e, g, ch);
	if (config_setting_get_member(g, "headers") != NULL) {
		ch->nheaders = conf_get_strings(e, g, "headers", &ch->headers);
	}
	if (ch->method != NULL && strcmp(ch->method, "GET") != 0 &&
	    strcmp(ch->method, "POST_FORM") != 0 &&
	    strcmp(ch->method, "POST_JSON") != 0)
		conf_error(e, config_setting_get_member(g, "method"),
		    "method must be \"GET\", \"POST_FORM\" or \"POST_JSON\"");
}

static void
parse_http(struct conf_errors *e, const config_setting_t *g, struct conf *c)
{
	static const char *const known[] = { "listen", "base_url",
		"max_connections", "threads", "done_visible_days", "with_vtodo",
		"alarm_minutes", "stop_keywords", NULL };
	size_t i;

	conf_check_unknown(e, g, known);
	conf_get_string(e, g, "listen", &c->http.listen);
	conf_get_string(e, g, "base_url", &c->http.base_url);
	conf_get_int(e, g, "max_connections", 1, 10000,
	    &c->http.max_connections);
	conf_get_int(e, g, "threads", 0, 64, &c->http.threads);
	conf_get_int(e, g, "done_visible_days", 0, 366,
	    &c->http.done_visible_days);
	get_bool(e, g, "with_vtodo", &c->http.with_vtodo);
	conf_get_int(e, g, "alarm_minutes", 0, 10080, &c->http.alarm_minutes);
	if (config_setting_get_member(g, "stop_keywords") != NULL) {
		for (i = 0; i < c->http.nstop_keywords; i++)
			free(c->http.stop_keywords[i]);
		free(c->http.stop_keywords);
		c->http.nstop_keywords = conf_get_strings(e, g, "stop_keywords",
		    &c->http.stop_keywords);
	}
	if (strchr(c->http.listen, ':') == NULL)
		conf_error(e, config_setting_get_member(g, "listen"),
		    "listen must be ADDRESS:PORT");
}

static void
parse_daemon(struct conf_errors *e, const config_setting_t *g, struct conf *c)
{
	static const char *const known[] = { "scan_interval", "state_dir",
		"shutdown_grace", NULL };

	conf_check_unknown(e, g, known);
	conf_get_int(e, g, "scan_interval", 1, 86400, &c->daemon.scan_interval);
	conf_get_int(e, g, "shutdown_grace", 0, 3600,
	    &c->daemon.shutdown_grace);
	conf_get_string(e, g, "state_dir", &c->daemon.state_dir);
}

static const config_setting_t *
group(struct conf_errors *e, const config_setting_t *root, const char *name)
{
	return conf_get_group(e, root, name, NULL, "{ ... }");
}

void
conf_delivery_parse(struct conf_errors *e, const config_setting_t *root,
    struct conf *c)
{
	const config_setting_t *g;

	if ((g = group(e, root, "delivery")) != NULL)
		parse_delivery(e, g, c);
	if ((g = group(e, root, "email")) != NULL)
		parse_channel(e, g, "email", &c->email);
	if ((g = group(e, root, "sms")) != NULL)
		parse_channel(e, g, "sms", &c->sms);
	if ((g = group(e, root, "http")) != NULL)
		parse_http(e, g, c);
	if ((g = group(e, root, "daemon")) != NULL)
		parse_daemon(e, g, c);
	if (c->email.transport == TRANSPORT_SMTP && (c->email.url == NULL ||
	    c->email.from == NULL))
		conf_error(e, group(e, root, "email"), "the smtp transport needs "
		    "url and from");
	if (c->sms.transport != TRANSPORT_MAILDIR && c->sms.url == NULL)
		conf_error(e, group(e, root, "sms"), "the %s transport needs a url",
		    c->sms.transport == TRANSPORT_KANNEL ? "kannel" : "http");
}

/* The directory of the store holds the daemon's state unless configured. */
void
conf_delivery_finish(struct conf *c)
{
	char *slash;

	if (c->daemon.state_dir == NULL) {
		c->daemon.state_dir = xstrdup(c->store);
		slash = strrchr(c->daemon.state_dir, '/');
		if (slash == NULL) {
			free(c->daemon.state_dir);
			c->daemon.state_dir = xstrdup(".");
		} else if (slash == c->daemon.state_dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (c->email.maildir == NULL)
		c->email.maildir = xasprintf("%s/maildir/email",
		    c->daemon.state_dir);
	if (c->sms.maildir == NULL)
		c->sms.maildir = xasprintf("%s/maildir/sms", c->daemon.state_dir);
	if (c->email.from == NULL)
		c->email.from = xstrdup("outreachd@localhost");
	if (c->email.helo == NULL)
		c->email.helo = xstrdup("localhost");
}

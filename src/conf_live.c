/* conf_live.c - going live: what in a configuration that loads cannot
 * work in production (see conf_live.h). */
#include "conf_live.h"

#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "util.h"

struct live {
	const struct conf *c;
	char **v;		/* the warnings, NULL-ended */
	size_t n;
};

int
conf_live_systemd(void)
{
	const char *id = getenv("INVOCATION_ID"), *ns = getenv("NOTIFY_SOCKET");

	return (id != NULL && *id != '\0') || (ns != NULL && *ns != '\0');
}

/* Adds "FILE:LINE: warning: NAME "VALUE" why", at the line the file sets
 * name on, or "FILE: warning: NAME "VALUE" (the default) why"; why starts
 * with a verb. */
static void
live_warn(struct live *l, const char *name, const char *value,
    const char *fmt, ...) PRINTFLIKE(4, 5);

static void
live_warn(struct live *l, const char *name, const char *value,
    const char *fmt, ...)
{
	const char *file = l->c->path ? l->c->path : "(built-in defaults)";
	int line = conf_setting_line(l->c, name);
	char *why, *q = str_quote(value, 200), *at;
	va_list ap;

	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	at = line > 0 ? xasprintf("%s:%d", file, line) : xstrdup(file);
	l->v = xreallocarray(l->v, l->n + 2, sizeof(*l->v));
	l->v[l->n++] = xasprintf("%s: warning: %s %s%s %s", at, name, q,
	    line > 0 ? "" : " (the default)", why);
	l->v[l->n] = NULL;
	free(at);
	free(q);
	free(why);
}

/* 1 if name ends with the label suffix (".local"), case aside. */
static int
ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	return n > k && strcasecmp(name + n - k, suffix) == 0;
}

/* What an IPv4 or IPv6 address a is, when it is not a public one. */
static const char *
addr_local(int af, const unsigned char *a)
{
	static const unsigned char any6[16], lo6[16] = { [15] = 1 };

	if (af == AF_INET) {
		if (a[0] == 127)
			return "a loopback address";
		if (a[0] == 0)
			return "no address (0.0.0.0)";
		if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		    (a[0] == 192 && a[1] == 168))
			return "a private address";
		return a[0] == 169 && a[1] == 254 ? "a link-local address" :
		    NULL;
	}
	if (memcmp(a, lo6, 16) == 0)
		return "a loopback address";
	if (memcmp(a, any6, 16) == 0)
		return "no address (::)";
	if ((a[0] & 0xfe) == 0xfc)
		return "a private address";
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80 ? "a link-local address" :
	    NULL;
}

/* Why host cannot be reached from the Internet, or NULL when it may be:
 * what a customer's mail program, or a receiving server, cannot get to. */
static const char *
host_local(const char *host)
{
	static const char *const local[] = { ".localhost", ".localdomain",
		".local", ".internal", ".lan", ".home.arpa", NULL };
	unsigned char a[16];
	char h[64];
	size_t i, n = strlen(host);

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof h) {
		memcpy(h, host + 1, n - 2);	/* an IPv6 URL's [::1] */
		h[n - 2] = '\0';
		return inet_pton(AF_INET6, h, a) == 1 ?
		    addr_local(AF_INET6, a) : NULL;
	}
	if (inet_pton(AF_INET, host, a) == 1)
		return addr_local(AF_INET, a);
	if (inet_pton(AF_INET6, host, a) == 1)
		return addr_local(AF_INET6, a);
	if (strcasecmp(host, "localhost") == 0)
		return "localhost";
	for (i = 0; local[i] != NULL; i++)
		if (ends_with(host, local[i]))
			return "a local network name";
	return strchr(host, '.') == NULL ? "a name without a domain" : NULL;
}

/* The links in every e-mail start with base_url: customers must reach
 * it, and only an https link gets the one-click header (mime.c). */
static void
check_base_url(struct live *l)
{
	const char *url = l->c->http.base_url, *why;
	char *scheme = NULL, *host = NULL;
	CURLU *h = curl_url();

	if (h == NULL)
		abort();	/* out of memory, as in xmalloc() */
	if (curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if ((why = host_local(host)) != NULL)
			live_warn(l, "http.base_url", url, "is %s: the "
			    "unsubscribe link in every e-mail reaches nobody; "
			    "set the public https:// URL of this server", why);
		if (strcmp(scheme, "http") == 0)
			live_warn(l, "http.base_url", url, "is plain http: "
			    "e-mail goes out without the one-click unsubscribe "
			    "header (RFC 8058 List-Unsubscribe-Post), which "
			    "needs an https link and which Gmail and Yahoo "
			    "require of bulk senders");
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(h);
}

/* 1 if host is domain or a name under it, case aside. */
static int
host_in(const char *host, const char *domain)
{
	size_t n = strlen(host), k = strlen(domain);

	return strcasecmp(host, domain) == 0 || (n > k &&
	    host[n - k - 1] == '.' && strcasecmp(host + n - k, domain) == 0);
}

/* The server is greeted with helo and every Message-ID ends in it; the
 * From domain is what receivers check SPF, DKIM and DMARC against. */
static void
check_names(struct live *l)
{
	const struct conf_channel *e = &l->c->email;
	const char *dom = strrchr(e->from, '@'), *why;

	dom = dom != NULL ? dom + 1 : e->from;
	if ((why = host_local(dom)) != NULL)
		live_warn(l, "email.from", e->from, "is at %s: receiving "
		    "servers refuse it, and replies and bounces reach nobody",
		    why);
	if ((why = host_local(e->helo)) != NULL)
		live_warn(l, "email.helo", e->helo, "is no public host name "
		    "(%s): the SMTP server is greeted with it and every "
		    "Message-ID ends in @%s; set this host's public name, e.g. "
		    "crm.%s", why, e->helo,
		    host_local(dom) != NULL ? "example.com" : dom);
	else if (host_local(dom) == NULL && !host_in(e->helo, dom) &&
	    !host_in(dom, e->helo))
		live_warn(l, "email.helo", e->helo, "is not in the domain of "
		    "email.from (%s): every Message-ID ends in @%s, not the "
		    "From domain; use a name under %s, e.g. crm.%s", dom,
		    e->helo, dom, dom);
}

/* 1 if a message rule may send on the channel called name. */
static int
rules_use(const struct conf *c, const char *name)
{
	size_t i, k;

	for (i = 0; i < c->nrules; i++) {
		if (c->rules[i].action != ACT_MESSAGE)
			continue;
		for (k = 0; k < c->rules[i].nchannels; k++)
			if (strcmp(c->rules[i].channels[k], name) == 0 ||
			    strcmp(c->rules[i].channels[k], "preferred") == 0)
				return 1;
	}
	return 0;
}

/* A service whose rules send on a channel with the maildir transport
 * reports each message sent when it was only written to a directory. */
static void
check_maildir(struct live *l, const char *name, const char *what,
    const struct conf_channel *ch, const char *instead)
{
	char *setting;

	if (ch->transport != TRANSPORT_MAILDIR || !rules_use(l->c, name))
		return;
	setting = xasprintf("%s.transport", name);
	live_warn(l, setting, "maildir", "makes the service write each %s to "
	    "%s and count it sent: nobody receives it; set %s", what,
	    ch->maildir, instead);
	free(setting);
}

/* A secret file the service will not be able to read: missing, or (the
 * shipped unit runs outreachd as a DynamicUser=, some uid of the day)
 * readable by its owner alone.  A %d/NAME credential is systemd's to hand
 * over; here it is checked only where $CREDENTIALS_DIRECTORY is set. */
static void
check_secret(struct live *l, const char *setting, const char *value,
    int must_exist)
{
	struct stat sb;
	char *path = NULL;

	if (value == NULL || conf_secret_path(l->c, setting, value, &path,
	    NULL) != 0)
		return;
	if (stat(path, &sb) != 0) {
		if (must_exist || conf_credential_name(value) != NULL)
			live_warn(l, setting, value, "cannot be read: %s",
			    strerror(errno));
	} else if (conf_credential_name(value) == NULL &&
	    (sb.st_mode & S_IROTH) == 0)
		live_warn(l, setting, value, "is readable by its owner only "
		    "(mode %04o): the service runs as a DynamicUser= and cannot "
		    "read it; give it to the unit with LoadCredential=NAME:%s "
		    "and write \"%%d/NAME\" here", (unsigned)(sb.st_mode & 07777),
		    value);
	free(path);
}

char **
conf_live_check(const struct conf *c, int service)
{
	struct live l = { .c = c };

	if (c->email.transport == TRANSPORT_SMTP) {
		check_base_url(&l);
		check_names(&l);
	}
	if (c->email.transport == TRANSPORT_SMTP)
		check_secret(&l, "email.password_file", c->email.password_file,
		    1);
	if (c->sms.transport != TRANSPORT_MAILDIR)
		check_secret(&l, "sms.password_file", c->sms.password_file, 1);
	/* Made at the first start when missing. */
	check_secret(&l, "http.callback_secret_file",
	    c->http.callback_secret_file, 0);
	if (service) {
		check_maildir(&l, "email", "e-mail", &c->email,
		    "transport = \"smtp\"");
		check_maildir(&l, "sms", "SMS", &c->sms,
		    "transport = \"kannel\" or \"http\"");
	}
	return l.v;
}

void
conf_live_free(char **warnings)
{
	size_t i;

	if (warnings == NULL)
		return;
	for (i = 0; warnings[i] != NULL; i++)
		free(warnings[i]);
	free(warnings);
}

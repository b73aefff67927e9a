/* route.c - the HTTP routes, from the request's method and path alone. */
#include <string.h>

#include "route.h"
#include "util.h"

static const char route_allow_any[] = "GET, HEAD, POST";
static const char route_allow_get[] = "GET, HEAD";
static const char route_allow_post[] = "POST";

/* The resources that are one fixed path; all take GET and HEAD only but
 * the providers' status pushes, which take POST only. */
static const struct {
	const char *path;
	enum route_kind kind;
} route_fixed[] = {
	{ "/callbacks/kannel/dlr", ROUTE_KANNEL_DLR },
	{ "/callbacks/kannel/inbound", ROUTE_KANNEL_INBOUND },
	{ "/callbacks/aliyun/report", ROUTE_ALIYUN_REPORT },
	{ "/callbacks/tencent/report", ROUTE_TENCENT_REPORT },
	{ "/healthz", ROUTE_HEALTHZ },
	{ "/metrics", ROUTE_METRICS },
};

/* The resources that are "/X/TOKEN". */
static const struct {
	const char *prefix;
	enum route_kind kind;
} route_tokened[] = {
	{ "/u/", ROUTE_UNSUB },
	{ "/t/", ROUTE_TASK },
	{ "/r/", ROUTE_DAY },
	{ "/report/", ROUTE_REPORT },
	{ "/s/", ROUTE_SURVEY },
};

/* A feed or unsubscribe token: base64url, 1..ROUTE_TOKEN_MAX characters. */
int
route_token_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > ROUTE_TOKEN_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '_'))
			return 0;
	}
	return 1;
}

/* What follows "/feeds/": TOKEN/KIND.ics, nothing more. */
static enum route_kind
route_feeds(const char *rest, struct route *out)
{
	const char *slash = strchr(rest, '/');
	enum feeds_kind feed;

	if (slash == NULL || !route_token_ok(rest, (size_t)(slash - rest)) ||
	    feeds_kind_parse(slash + 1, &feed) != 0)
		return ROUTE_NOT_FOUND;
	out->token = rest;
	out->token_len = (size_t)(slash - rest);
	out->feed = feed;
	return ROUTE_FEED;
}

/* The resource a path names, whatever the method. */
static enum route_kind
route_path(const char *url, struct route *out)
{
	size_t i, n;

	if (strncmp(url, "/feeds/", 7) == 0)
		return route_feeds(url + 7, out);
	for (i = 0; i < ARRAY_SIZE(route_tokened); i++) {
		n = strlen(route_tokened[i].prefix);
		if (strncmp(url, route_tokened[i].prefix, n) != 0)
			continue;
		/* The token runs to the end: "/u/TOKEN/" is a 404. */
		if (!route_token_ok(url + n, strlen(url + n)))
			return ROUTE_NOT_FOUND;
		out->token = url + n;
		out->token_len = strlen(url + n);
		return route_tokened[i].kind;
	}
	for (i = 0; i < ARRAY_SIZE(route_fixed); i++) {
		if (strcmp(url, route_fixed[i].path) == 0)
			return route_fixed[i].kind;
	}
	return ROUTE_NOT_FOUND;
}

/* Routes a request line, in the order route.h gives. */
enum route_kind
route_parse(const char *method, const char *url, struct route *out)
{
	int post = strcmp(method, "POST") == 0;
	enum route_kind kind;

	*out = (struct route){ .kind = ROUTE_NOT_FOUND };
	if (!post && strcmp(method, "GET") != 0 &&
	    strcmp(method, "HEAD") != 0) {
		out->allow = route_allow_any;
		return out->kind = ROUTE_BAD_METHOD;
	}
	/* strnlen: a huge path is not scanned to its end. */
	if (strnlen(url, ROUTE_URL_MAX + 1) > ROUTE_URL_MAX)
		return out->kind = ROUTE_URI_TOO_LONG;
	kind = route_path(url, out);
	/* Only the one-click unsubscribe (RFC 8058), the task page's form,
	 * the survey's and the providers' reports take POST; an unknown path
	 * or a bad token stays a 404. */
	if (kind == ROUTE_ALIYUN_REPORT || kind == ROUTE_TENCENT_REPORT) {
		if (!post) {
			*out = (struct route){ .allow = route_allow_post };
			kind = ROUTE_BAD_METHOD;
		}
	} else if (post && kind != ROUTE_UNSUB && kind != ROUTE_TASK &&
	    kind != ROUTE_SURVEY && kind != ROUTE_NOT_FOUND) {
		*out = (struct route){ .allow = route_allow_get };
		kind = ROUTE_BAD_METHOD;
	}
	return out->kind = kind;
}

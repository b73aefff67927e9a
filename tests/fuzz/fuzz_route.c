/* fuzz_route.c - libFuzzer target: the HTTP routes (route.h), the method
 * and path an attacker sends, on arbitrary input.
 *
 * Input: the method, then a NUL or a newline, then the path to the end
 * of the input (a second NUL ends the path: libmicrohttpd never passes
 * one on).  Without a separator the whole input is the path and the
 * method is GET.  The corpus files are "METHOD\nPATH".
 *
 * Checked: a token lies inside the path, is 1..ROUTE_TOKEN_MAX base64url
 * characters and is where the route says (right after "/u/", "/t/",
 * "/r/" or "/feeds/"); a 405 names the methods; the answer does not depend on
 * anything but the input; HEAD answers as GET, POST as GET but on the
 * GET-only resources (all but /u/ and /t/); a path over ROUTE_URL_MAX is always a 414. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The path before the token of a route that is one prefix and a token. */
static const char *
prefix(enum route_kind kind)
{
	switch (kind) {
	case ROUTE_UNSUB:
		return "/u/";
	case ROUTE_TASK:
		return "/t/";
	case ROUTE_DAY:
		return "/r/";
	case ROUTE_REPORT:
		return "/report/";
	default:
		return "/s/";
	}
}

/* What must hold for any answer to method and url. */
static void
check(const char *method, const char *url, const struct route *rt)
{
	size_t len = strlen(url);
	const char *t = rt->token;
	size_t i, k;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    strcmp(method, "POST") != 0 && (rt->kind != ROUTE_BAD_METHOD ||
	    rt->allow == NULL || strcmp(rt->allow, "GET, HEAD, POST") != 0))
		abort();
	switch (rt->kind) {
	case ROUTE_BAD_METHOD:
		if (rt->allow == NULL || t != NULL ||
		    (strcmp(rt->allow, "GET, HEAD") != 0 &&
		    strcmp(rt->allow, "GET, HEAD, POST") != 0 &&
		    strcmp(rt->allow, "POST") != 0))
			abort();
		/* Only POST is turned away with "GET, HEAD", and only GET
		 * and HEAD (a provider's status push) with "POST". */
		if (strcmp(rt->allow, "GET, HEAD") == 0 &&
		    strcmp(method, "POST") != 0)
			abort();
		if (strcmp(rt->allow, "POST") == 0 &&
		    strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
			abort();
		return;
	case ROUTE_FEED:
	case ROUTE_UNSUB:
	case ROUTE_TASK:
	case ROUTE_DAY:
	case ROUTE_REPORT:
	case ROUTE_SURVEY:
		if (t == NULL || t < url || rt->token_len > len ||
		    (size_t)(t - url) > len - rt->token_len ||
		    rt->token_len == 0 || rt->token_len > ROUTE_TOKEN_MAX)
			abort();
		for (i = 0; i < rt->token_len; i++) {
			if (strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", t[i]) ==
			    NULL)
				abort();
		}
		k = strlen(prefix(rt->kind));
		if (rt->kind != ROUTE_FEED ? t != url + k ||
		    strncmp(url, prefix(rt->kind), k) != 0 ||
		    t[rt->token_len] != '\0' :
		    t != url + 7 || strncmp(url, "/feeds/", 7) != 0 ||
		    t[rt->token_len] != '/' || rt->feed >= FEEDS_NKINDS)
			abort();
		if (rt->kind == ROUTE_FEED) {	/* the rest is KIND.ics */
			k = strlen(feeds_kind_name(rt->feed));
			if (strncmp(t + rt->token_len + 1,
			    feeds_kind_name(rt->feed), k) != 0 ||
			    strcmp(t + rt->token_len + 1 + k, ".ics") != 0)
				abort();
		}
		break;
	default:
		if (t != NULL || rt->token_len != 0)
			abort();
		break;
	}
	if (rt->allow != NULL)
		abort();
	if (len > ROUTE_URL_MAX && rt->kind != ROUTE_URI_TOO_LONG)
		abort();
}

/* 1 when a (parsed from ua) and b (from ub) are the same answer, tokens
 * at the same offsets. */
static int
same(const struct route *a, const char *ua, const struct route *b,
    const char *ub)
{
	if (a->kind != b->kind || a->token_len != b->token_len ||
	    (a->token != NULL) != (b->token != NULL) ||
	    (a->kind == ROUTE_FEED && a->feed != b->feed))
		return 0;
	if (a->token != NULL && a->token - ua != b->token - ub)
		return 0;
	if (a->allow == NULL || b->allow == NULL)
		return a->allow == b->allow;
	return strcmp(a->allow, b->allow) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = xmalloc(size + 1), *url = buf, *copy;
	const char *method = "GET";
	struct route a, b, get, post;
	size_t n;

	memcpy(buf, data, size);
	buf[size] = '\0';
	if ((n = strcspn(buf, "\n")) < size) {	/* a newline or a NUL */
		buf[n] = '\0';
		method = buf;
		url = buf + n + 1;
	}
	route_parse(method, url, &a);
	check(method, url, &a);
	/* Deterministic, and from the bytes alone: a copy at another
	 * address routes the same, its token at the same offset. */
	copy = xstrdup(url);
	route_parse(method, copy, &b);
	if (!same(&a, url, &b, copy))
		abort();
	free(copy);
	/* HEAD is GET; POST differs only where GET finds a resource other
	 * than /u/, /t/ and /s/, and then it is a 405; a provider's status
	 * push is the other way round, POST only. */
	route_parse("GET", url, &get);
	route_parse("HEAD", url, &b);
	route_parse("POST", url, &post);
	if (!same(&get, url, &b, url))
		abort();
	if (get.kind == ROUTE_BAD_METHOD && strcmp(get.allow, "POST") == 0) {
		if (post.kind != ROUTE_ALIYUN_REPORT &&
		    post.kind != ROUTE_TENCENT_REPORT)
			abort();
	} else if (get.kind == ROUTE_NOT_FOUND || get.kind == ROUTE_UNSUB ||
	    get.kind == ROUTE_TASK || get.kind == ROUTE_SURVEY ||
	    get.kind == ROUTE_URI_TOO_LONG ? !same(&get, url, &post, url) :
	    post.kind != ROUTE_BAD_METHOD)
		abort();
	free(buf);
	return 0;
}

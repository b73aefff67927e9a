/* test_route.c - unit tests for the HTTP routes: every path, every method
 * case, the token checks and the prefix traps around them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "route.h"
#include "util.h"

#define TOK "AbC-_09xyz"

/* Parses and checks what every route promises besides its kind. */
static enum route_kind
parse(const char *method, const char *url, struct route *rt)
{
	enum route_kind k = route_parse(method, url, rt);

	assert_int_equal(rt->kind, k);
	if (k == ROUTE_FEED || k == ROUTE_UNSUB || k == ROUTE_TASK ||
	    k == ROUTE_DAY || k == ROUTE_REPORT || k == ROUTE_SURVEY) {
		assert_true(rt->token >= url &&
		    rt->token + rt->token_len <= url + strlen(url));
		assert_true(route_token_ok(rt->token, rt->token_len));
	} else {
		assert_null(rt->token);
		assert_int_equal(rt->token_len, 0);
	}
	if (k == ROUTE_BAD_METHOD)
		assert_non_null(rt->allow);
	else
		assert_null(rt->allow);
	return k;
}

/* The kind alone. */
static enum route_kind
kind(const char *method, const char *url)
{
	struct route rt;

	return parse(method, url, &rt);
}

/* A string of n copies of c after prefix, then suffix.  malloc'd. */
static char *
make(const char *prefix, size_t n, char c, const char *suffix)
{
	size_t p = strlen(prefix), s = strlen(suffix);
	char *u = xmalloc(p + n + s + 1);

	memcpy(u, prefix, p);
	memset(u + p, c, n);
	memcpy(u + p + n, suffix, s + 1);
	return u;
}

/* Checks a token route: its kind and that the token is the expected
 * stretch of the URL. */
static void
check_token(const char *method, const char *url, enum route_kind want,
    size_t off, size_t len)
{
	struct route rt;

	assert_int_equal(parse(method, url, &rt), want);
	assert_ptr_equal(rt.token, url + off);
	assert_int_equal(rt.token_len, len);
}

static void
test_feeds(void **state)
{
	static const char *const methods[] = { "GET", "HEAD" };
	struct route rt;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(methods); i++) {
		check_token(methods[i], "/feeds/" TOK "/followups.ics",
		    ROUTE_FEED, 7, strlen(TOK));
		parse(methods[i], "/feeds/" TOK "/followups.ics", &rt);
		assert_int_equal(rt.feed, FEEDS_FOLLOWUPS);
		check_token(methods[i], "/feeds/" TOK "/birthdays.ics",
		    ROUTE_FEED, 7, strlen(TOK));
		parse(methods[i], "/feeds/" TOK "/birthdays.ics", &rt);
		assert_int_equal(rt.feed, FEEDS_BIRTHDAYS);
	}
	check_token("GET", "/feeds/x/followups.ics", ROUTE_FEED, 7, 1);
	/* Only GET and HEAD: POST is told what to use instead. */
	assert_int_equal(parse("POST", "/feeds/" TOK "/followups.ics", &rt),
	    ROUTE_BAD_METHOD);
	assert_string_equal(rt.allow, "GET, HEAD");
}

static void
test_unsub(void **state)
{
	static const char *const methods[] = { "GET", "HEAD", "POST" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(methods); i++) {
		check_token(methods[i], "/u/" TOK, ROUTE_UNSUB, 3,
		    strlen(TOK));
		check_token(methods[i], "/u/a", ROUTE_UNSUB, 3, 1);
	}
}

static void
test_pages(void **state)
{
	static const char *const methods[] = { "GET", "HEAD", "POST" };
	struct route rt;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(methods); i++)
		check_token(methods[i], "/t/" TOK, ROUTE_TASK, 3, strlen(TOK));
	check_token("GET", "/r/" TOK, ROUTE_DAY, 3, strlen(TOK));
	check_token("HEAD", "/r/" TOK, ROUTE_DAY, 3, strlen(TOK));
	assert_int_equal(parse("POST", "/r/" TOK, &rt), ROUTE_BAD_METHOD);
	assert_string_equal(rt.allow, "GET, HEAD");
	assert_int_equal(kind("GET", "/t/" TOK "/"), ROUTE_NOT_FOUND);
	assert_int_equal(kind("POST", "/t/" TOK "%41"), ROUTE_NOT_FOUND);
	assert_int_equal(kind("GET", "/r/"), ROUTE_NOT_FOUND);
	assert_int_equal(kind("GET", "/T/" TOK), ROUTE_NOT_FOUND);
	/* The manager's report: a longer prefix, the same token rules. */
	check_token("GET", "/report/" TOK, ROUTE_REPORT, 8, strlen(TOK));
	check_token("HEAD", "/report/" TOK, ROUTE_REPORT, 8, strlen(TOK));
	assert_int_equal(parse("POST", "/report/" TOK, &rt), ROUTE_BAD_METHOD);
	assert_int_equal(kind("GET", "/report/"), ROUTE_NOT_FOUND);
	assert_int_equal(kind("GET", "/report"), ROUTE_NOT_FOUND);
	assert_int_equal(kind("GET", "/report/" TOK "/"), ROUTE_NOT_FOUND);
	assert_int_equal(kind("GET", "/reports/" TOK), ROUTE_NOT_FOUND);
	/* The survey takes its answer by POST. */
	for (i = 0; i < ARRAY_SIZE(methods); i++)
		check_token(methods[i], "/s/" TOK, ROUTE_SURVEY, 3, strlen(TOK));
	assert_int_equal(kind("POST", "/s/" TOK "/"), ROUTE_NOT_FOUND);
}

static void
test_fixed(void **state)
{
	static const struct {
		const char *url;
		enum route_kind kind;
	} fixed[] = {
		{ "/callbacks/kannel/dlr", ROUTE_KANNEL_DLR },
		{ "/callbacks/kannel/inbound", ROUTE_KANNEL_INBOUND },
		{ "/healthz", ROUTE_HEALTHZ },
		{ "/metrics", ROUTE_METRICS },
	};
	struct route rt;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(fixed); i++) {
		assert_int_equal(kind("GET", fixed[i].url), fixed[i].kind);
		assert_int_equal(kind("HEAD", fixed[i].url), fixed[i].kind);
		assert_int_equal(parse("POST", fixed[i].url, &rt),
		    ROUTE_BAD_METHOD);
		assert_string_equal(rt.allow, "GET, HEAD");
	}
}

/* The providers' status pushes take POST and nothing else. */
static void
test_sms_reports(void **state)
{
	static const struct {
		const char *url;
		enum route_kind kind;
	} pushes[] = {
		{ "/callbacks/aliyun/report", ROUTE_ALIYUN_REPORT },
		{ "/callbacks/tencent/report", ROUTE_TENCENT_REPORT },
	};
	struct route rt;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(pushes); i++) {
		assert_int_equal(kind("POST", pushes[i].url), pushes[i].kind);
		assert_int_equal(parse("GET", pushes[i].url, &rt),
		    ROUTE_BAD_METHOD);
		assert_string_equal(rt.allow, "POST");
		assert_int_equal(parse("HEAD", pushes[i].url, &rt),
		    ROUTE_BAD_METHOD);
	}
	assert_int_equal(kind("POST", "/callbacks/aliyun/report/"),
	    ROUTE_NOT_FOUND);
	assert_int_equal(kind("POST", "/callbacks/twilio/report"),
	    ROUTE_NOT_FOUND);
}

static void
test_methods(void **state)
{
	/* Methods are case-sensitive; anything but the three is a 405
	 * listing all three, before the path is even looked at. */
	static const char *const bad[] = { "PUT", "DELETE", "OPTIONS",
		"PATCH", "TRACE", "CONNECT", "get", "Get", "head", "post",
		"GETS", "GE", "POST ", " GET", "", "G\xc3\x89T" };
	static const char *const urls[] = { "/healthz", "/u/" TOK,
		"/feeds/" TOK "/followups.ics", "/nowhere", "", "/u/" };
	struct route rt;
	char *longu = make("/u/", ROUTE_URL_MAX, 'a', "");
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		for (j = 0; j < ARRAY_SIZE(urls); j++) {
			assert_int_equal(parse(bad[i], urls[j], &rt),
			    ROUTE_BAD_METHOD);
			assert_string_equal(rt.allow, "GET, HEAD, POST");
		}
		/* ... even before the length check. */
		assert_int_equal(kind(bad[i], longu), ROUTE_BAD_METHOD);
	}
	free(longu);
}

static void
test_not_found(void **state)
{
	/* An unknown path, a bad token or a bad feed name: 404 for every
	 * method the service takes, POST included (nothing is told). */
	static const char *const urls[] = {
		/* nothing, or a bare prefix */
		"", "/", "*", "//", "/u", "/u/", "/feeds", "/feeds/",
		/* feeds: no token, no kind, a wrong kind, more after it */
		"/feeds//followups.ics", "/feeds/" TOK, "/feeds/" TOK "/",
		"/feeds/" TOK "/unknown.ics", "/feeds/" TOK "/followups",
		"/feeds/" TOK "/followups.ICS", "/feeds/" TOK "/.ics",
		"/feeds/" TOK "/followups.ics/",
		"/feeds/" TOK "/followups.icsx",
		"/feeds/" TOK "/followups.ics?x=1",
		"/feeds/" TOK "/a/followups.ics",
		"/feeds/" TOK "//birthdays.ics",
		/* feeds: a bad token, a misspelt or doubled prefix */
		"/feeds/a.b/followups.ics", "/feeds/" TOK "%2Ffollowups.ics",
		"/feeds/%41/followups.ics", "/feeds/\xff/followups.ics",
		"/Feeds/" TOK "/followups.ics", "feeds/" TOK "/followups.ics",
		"//feeds/" TOK "/followups.ics",
		/* unsubscribe: anything after the token, a bad token */
		"/u/" TOK "/", "/u/" TOK "?x", "/u//" TOK, "/u/" TOK "%20",
		"/u/%41", "/u/" TOK ".", "/u/%", "/u/\xc3\xa9", "/U/" TOK,
		"u/" TOK, "/unsubscribe",
		/* the fixed paths, nearly */
		"/healthzX", "/healthz/", "/healthz?", "/HEALTHZ", "//healthz",
		"/healthz ", " /healthz", "/metrics/", "/metricsx", "/metric",
		"/callbacks/kannel", "/callbacks/kannel/",
		"/callbacks/kannel/dlr/", "/callbacks/kannel/dlrx",
		"/callbacks/kannel/inbound/", "/callbacks/kannel/Inbound",
		"/callbacks//kannel/dlr", "/metrics/../healthz", "/./healthz",
		/* odd bytes */
		"%2Fhealthz", "%", "/%", "\x01", "\x7f\xff",
	};
	static const char *const methods[] = { "GET", "HEAD", "POST" };
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(urls); i++) {
		for (j = 0; j < ARRAY_SIZE(methods); j++) {
			if (kind(methods[j], urls[i]) != ROUTE_NOT_FOUND)
				fail_msg("%s \"%s\": not a 404", methods[j],
				    urls[i]);
		}
	}
}

static void
test_token_length(void **state)
{
	static const char *const methods[] = { "GET", "HEAD", "POST" };
	size_t n, i;
	char *u;

	(void)state;
	for (n = 0; n <= ROUTE_TOKEN_MAX + 2; n++) {
		int ok = n >= 1 && n <= ROUTE_TOKEN_MAX;

		u = make("/u/", n, 'a', "");
		for (i = 0; i < ARRAY_SIZE(methods); i++) {
			if (ok)
				check_token(methods[i], u, ROUTE_UNSUB, 3, n);
			else
				assert_int_equal(kind(methods[i], u),
				    ROUTE_NOT_FOUND);
		}
		free(u);
		u = make("/feeds/", n, 'Z', "/birthdays.ics");
		if (ok)
			check_token("GET", u, ROUTE_FEED, 7, n);
		else {
			assert_int_equal(kind("GET", u), ROUTE_NOT_FOUND);
			/* A 404, not the 405 a good token gets. */
			assert_int_equal(kind("POST", u), ROUTE_NOT_FOUND);
		}
		free(u);
	}
	assert_int_equal(route_token_ok("", 0), 0);
	assert_int_equal(route_token_ok("a", 1), 1);
	u = make("", ROUTE_TOKEN_MAX + 1, '-', "");
	assert_int_equal(route_token_ok(u, ROUTE_TOKEN_MAX), 1);
	assert_int_equal(route_token_ok(u, ROUTE_TOKEN_MAX + 1), 0);
	free(u);
}

static void
test_token_alphabet(void **state)
{
	char u[64], f[64], tok[4];
	int c, ok;

	(void)state;
	/* Every byte but NUL, alone and in the middle of a token. */
	for (c = 1; c < 256; c++) {
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_';
		tok[0] = 'a', tok[1] = (char)c, tok[2] = 'b', tok[3] = '\0';
		assert_int_equal(route_token_ok(tok, 3), ok);
		assert_int_equal(route_token_ok(tok + 1, 1), ok);
		snprintf(u, sizeof(u), "/u/%s", tok);
		assert_int_equal(kind("POST", u), ok ? ROUTE_UNSUB :
		    ROUTE_NOT_FOUND);
		snprintf(f, sizeof(f), "/feeds/%s/followups.ics", tok);
		/* '/' ends the token early: "a" then "b/followups.ics". */
		assert_int_equal(kind("GET", f), ok ? ROUTE_FEED :
		    ROUTE_NOT_FOUND);
	}
	/* Standard base64's '+', '/', '=' are not base64url. */
	assert_int_equal(kind("GET", "/u/ab+c"), ROUTE_NOT_FOUND);
	assert_int_equal(kind("GET", "/u/abc="), ROUTE_NOT_FOUND);
	assert_int_equal(kind("GET", "/u/ab/c"), ROUTE_NOT_FOUND);
}

static void
test_url_length(void **state)
{
	static const char *const methods[] = { "GET", "HEAD", "POST" };
	char *atmax = make("/", ROUTE_URL_MAX - 1, 'a', "");
	char *over = make("/", ROUTE_URL_MAX, 'a', "");
	char *huge = make("/feeds/", 100000, 'a', "/followups.ics");
	char *feed = make("/feeds/", ROUTE_URL_MAX, 'a', "/followups.ics");
	char *hz = make("/healthz", ROUTE_URL_MAX, '/', "");
	size_t i;

	(void)state;
	assert_int_equal(strlen(atmax), ROUTE_URL_MAX);
	for (i = 0; i < ARRAY_SIZE(methods); i++) {
		/* At the limit the path is routed (and is nothing). */
		assert_int_equal(kind(methods[i], atmax), ROUTE_NOT_FOUND);
		assert_int_equal(kind(methods[i], over), ROUTE_URI_TOO_LONG);
		assert_int_equal(kind(methods[i], huge), ROUTE_URI_TOO_LONG);
		assert_int_equal(kind(methods[i], feed), ROUTE_URI_TOO_LONG);
		/* 414 before the 405 a GET-only resource would give. */
		assert_int_equal(kind(methods[i], hz), ROUTE_URI_TOO_LONG);
	}
	free(atmax);
	free(over);
	free(huge);
	free(feed);
	free(hz);
}

static void
test_reuse(void **state)
{
	struct route rt;

	(void)state;
	/* Every field is rewritten: nothing leaks from the last parse. */
	parse("GET", "/feeds/" TOK "/birthdays.ics", &rt);
	assert_int_equal(parse("POST", "/feeds/" TOK "/birthdays.ics", &rt),
	    ROUTE_BAD_METHOD);
	assert_null(rt.token);
	parse("PUT", "/healthz", &rt);
	assert_int_equal(parse("GET", "/metrics", &rt), ROUTE_METRICS);
	assert_null(rt.allow);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feeds),
		cmocka_unit_test(test_unsub),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_sms_reports),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_token_length),
		cmocka_unit_test(test_token_alphabet),
		cmocka_unit_test(test_url_length),
		cmocka_unit_test(test_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

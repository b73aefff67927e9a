/* route.h - which resource an HTTP request names, decided from its method
 * and path alone: no connection, no allocation, no state, so the unit
 * test and the fuzz target drive exactly what httpd.c answers with.
 *
 * Routes (everything else is the same 404):
 *	GET  /feeds/TOKEN/followups.ics, /feeds/TOKEN/birthdays.ics
 *	GET  /u/TOKEN	confirmation page;  POST /u/TOKEN  one-click (RFC 8058)
 *	GET  /t/LINK	a rep's task page;  POST /t/LINK   its outcome form
 *	GET  /r/TOKEN	a rep's day (TOKEN: the rep's feed token)
 *	GET  /report/TOKEN  the manager's report (a manager's feed token)
 *	GET  /s/TOKEN	a satisfaction survey;  POST /s/TOKEN  its answer
 *	GET  /callbacks/kannel/dlr, /callbacks/kannel/inbound
 *	POST /callbacks/aliyun/report, /callbacks/tencent/report (POST only)
 *	GET  /healthz, /metrics
 * HEAD is taken wherever GET is.  The checks, in order:
 *	1. a method other than GET, HEAD or POST (case-sensitive, RFC 9110
 *	   9.1): 405, Allow "GET, HEAD, POST", whatever the path;
 *	2. a path longer than ROUTE_URL_MAX bytes: 414;
 *	3. an unknown path, a malformed token or feed name: 404 (a wrong
 *	   token must look like a missing page, so this comes before 4);
 *	4. POST to a resource other than /u/, /t/, /s/ or the provider
 *	   reports: 405, Allow "GET, HEAD"; GET or HEAD to a provider report:
 *	   405, Allow "POST".
 * Tokens are base64url, 1..ROUTE_TOKEN_MAX characters; whether one is
 * valid is for the handler (token.h) to say. */
#ifndef OUTREACHD_ROUTE_H
#define OUTREACHD_ROUTE_H

#include <stddef.h>

#include "feeds.h"

#define ROUTE_URL_MAX 2048	/* longer paths: 414 */
#define ROUTE_TOKEN_MAX 128

enum route_kind {
	ROUTE_NOT_FOUND,	/* 404 */
	ROUTE_BAD_METHOD,	/* 405 with route.allow */
	ROUTE_URI_TOO_LONG,	/* 414 */
	ROUTE_FEED,		/* route.token, route.feed */
	ROUTE_UNSUB,		/* route.token; GET, HEAD or POST */
	ROUTE_TASK,		/* route.token; GET, HEAD or POST */
	ROUTE_DAY,		/* route.token */
	ROUTE_REPORT,		/* route.token */
	ROUTE_SURVEY,		/* route.token; GET, HEAD or POST */
	ROUTE_KANNEL_DLR,
	ROUTE_KANNEL_INBOUND,
	ROUTE_ALIYUN_REPORT,	/* POST only: SMS status pushes */
	ROUTE_TENCENT_REPORT,
	ROUTE_HEALTHZ,
	ROUTE_METRICS
};

/* A parsed request line.  Borrows from the strings given to
 * route_parse(): valid while they are. */
struct route {
	enum route_kind kind;
	const char *token;	/* ROUTE_FEED, _UNSUB, _TASK, _DAY, _REPORT,
				   _SURVEY: in the URL, */
	size_t token_len;	/* not NUL-terminated; else NULL, 0 */
	enum feeds_kind feed;	/* ROUTE_FEED */
	const char *allow;	/* ROUTE_BAD_METHOD: the Allow header value,
				   static; else NULL */
};

/* Routes method and url (the path, without the query).  Fills *out
 * completely and returns out->kind. */
enum route_kind route_parse(const char *method, const char *url,
    struct route *out);
/* 1 when s[0..n) is a well-formed token: base64url, 1..ROUTE_TOKEN_MAX. */
int route_token_ok(const char *s, size_t n);

#endif

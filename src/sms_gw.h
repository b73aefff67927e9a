/* sms_gw.h - SMS gateway requests and answers (Kannel sendsms or a generic
 * HTTP API), without any network I/O.
 *
 * sms_gw_build() describes the HTTP request for one message; the caller
 * performs it (libcurl) and hands status, Retry-After and body to
 * sms_gw_parse(), which says SENT, RETRY or FAILED.  The callback parsers
 * read what the HTTP service received from the gateway.
 *
 * Kannel (kind SMS_GW_KANNEL): always GET (smsbox refuses form POSTs with
 * "400 Invalid content-type") with URL-encoded username, password, from
 * (omitted when NULL: Kannel then needs a default-sender), to, text,
 * charset=UTF-8, coding=2 for a text that needs UCS-2 (Kannel garbles it
 * when only one of charset and coding is given, and still says 202), and
 * dlr-mask/dlr-url when dlr_url is set.  "to" is sent exactly as given
 * (E.164 with '+': Kannel's fake SMSC takes it; a real SMSC may want "00" or
 * plain digits, which is the caller's business), but must be an optional
 * '+' and 1-20 digits because Kannel splits "to" on spaces into several
 * recipients.  Kannel's answer carries no message id, so provider_id is
 * always NULL; its DLR callback identifies the message by our outbox id.
 *
 * The DLR URL is gw->dlr_url plus "id=ID&status=%d&answer=%A" ('?' or '&'
 * as needed).  Kannel fills its escape codes when the report comes:
 * %d = the DLR type (1 delivered, 2 failed, 4 buffered, 8 SMSC accepted,
 * 16 SMSC rejected), %A = the SMSC's reply text (Kannel user guide, table
 * "Parameters (escape codes)"; gw/urltrans.c).  A '%' already in dlr_url is
 * doubled ("%%" is Kannel's literal percent) so that e.g. "%C3" is not read
 * as %C; the whole URL is then URL-encoded once more as the dlr-url value.
 * A "secret" query argument of dlr_url is shown as *** in log_url, like
 * the password.
 *
 * Generic HTTP (kind SMS_GW_HTTP): url, body and header templates with the
 * placeholders {to} {text} {from} {username} {password} {id}.  Only these
 * exact names are placeholders; any other brace text stays as it is (JSON
 * bodies are full of braces).  Values are escaped where they land: in the
 * url, percent-encoded (RFC 3986 unreserved characters kept, UTF-8 bytes as
 * %XX); in a POST_FORM body the same; in a POST_JSON body as the inside of
 * a JSON string (the template supplies the quotes: "text":"{text}"); in a
 * header raw, and a header that ends up holding a control character (CR,
 * LF, ...) is refused.  With GET a body template, if any, is the query
 * string and is appended to the url.  POST methods need a body template and
 * get a Content-Type header unless the templates set one.  Missing values
 * (from, username, password NULL) expand to "".
 *
 * Every URL built must parse (libcurl's URL API) with scheme http or
 * https, so a bad configuration can never make libcurl read file:// URLs.
 *
 * Verdicts: HTTP status 0 (no answer) -> RETRY; 429, 408 and 5xx -> RETRY,
 * honouring Retry-After; a success (Kannel: 2xx and the body starts with
 * "0:" accepted or "3:" queued, where Kannel retries by itself; generic: a
 * status in success_status and the body containing success_match) ->
 * SENT.  Kannel's 401 and 403 (a wrong username or password: Kannel says
 * "Authorization failed for sendsms") -> RETRY, as the configuration is
 * wrong, not the message, and every SMS due would fail otherwise; a 2xx
 * from Kannel with a body that is none of its own answers (a proxy's
 * maintenance page) -> RETRY, as Kannel never saw the message.  Anything
 * else (other 4xx, 3xx, a generic 2xx with an unexpected body) -> FAILED,
 * because resending something the gateway may have taken would text the
 * customer twice.
 *
 * All functions are pure and thread-safe. */
#ifndef OUTREACHD_SMS_GW_H
#define OUTREACHD_SMS_GW_H

#include <stddef.h>
#include <stdint.h>

/* Default Kannel dlr-mask: 1 delivered + 2 failed at the handset + 8 SMSC
 * accepted + 16 SMSC rejected.  4 (buffered at the SMSC) is left out: it
 * is an intermediate state that only repeats what 8 said, one more callback
 * per message.  16 is needed because a message the SMSC refuses never gets
 * a 1 or 2. */
#define SMS_GW_DLR_MASK_DEFAULT 27

#define SMS_GW_ERROR_MAX 300	/* bytes of body text kept in res->error */

enum sms_gw_kind { SMS_GW_KANNEL, SMS_GW_HTTP };
enum sms_gw_method { SMS_GW_GET, SMS_GW_POST_FORM, SMS_GW_POST_JSON };

/* Filled from the configuration by the caller; sms_gw keeps no pointer to
 * it beyond a call. */
struct sms_gw {
	enum sms_gw_kind kind;
	const char *url;	    /* kannel: .../cgi-bin/sendsms; http: may
				       hold placeholders */
	const char *username;
	const char *password;	    /* the secret itself */
	const char *from;	    /* sender id, NULL = none */
	enum sms_gw_method method;  /* http only */
	const char *body;	    /* http only: template */
	const char *const *headers; /* http only: NULL-terminated "Name: value"
				       templates, or NULL */
	const int *success_status;  /* http only: 0-terminated, NULL =
				       {200, 201, 202} */
	const char *success_match;  /* http only: substring, NULL = none */
	const char *id_regex;	    /* http only: POSIX ERE, group 1 = id */
	const char *dlr_url;	    /* kannel: DLR callback base, NULL = no
				       delivery reports */
	int dlr_mask;		    /* kannel: <= 0 = SMS_GW_DLR_MASK_DEFAULT */
};

/* Everything is owned by the request; sms_gw_request_free() frees it. */
struct sms_gw_request {
	char *url;
	char *method;	/* "GET" or "POST" */
	char *body;	/* NULL for GET */
	char **headers; /* nheaders "Name: value" strings, NULL-terminated */
	size_t nheaders;
	char *log_url;	/* url with the password and the dlr-url's secret
			   shown as "***": log this */
};

/* Checks a gateway configuration once, at load time: url scheme, method
 * and body, header templates, success_status values, id_regex, dlr_mask.
 * Returns 0, or -1 with *cause set. */
int sms_gw_check(const struct sms_gw *gw, char **cause);

/* Builds the request for one message.  id is the outbox id (for the DLR
 * URL and {id}); to is "+" and digits; text is non-empty UTF-8.  Returns 0
 * and fills *req, or -1 with *cause set and *req zeroed. */
int sms_gw_build(const struct sms_gw *gw, int64_t id, const char *to,
    const char *text, struct sms_gw_request *req, char **cause);
void sms_gw_request_free(struct sms_gw_request *req);

enum sms_gw_verdict { SMS_GW_SENT, SMS_GW_RETRY, SMS_GW_FAILED };

/* Owned by the result; sms_gw_result_free() frees it. */
struct sms_gw_result {
	enum sms_gw_verdict verdict;
	char *provider_id; /* generic http with id_regex only, else NULL */
	char *error;	   /* "HTTP 403: <first line of the body>" for RETRY
			      and FAILED (control characters and invalid
			      UTF-8 shown as '?', at most SMS_GW_ERROR_MAX
			      bytes of body), but "Kannel refused the
			      credentials (403): check sms.username/
			      password_file" for Kannel's 401 and 403; NULL
			      for SENT, except a note when id_regex did not
			      match */
	int retry_after;   /* RETRY only: seconds from Retry-After
			      (delta-seconds, or an HTTP-date read with
			      curl_getdate(); past dates 0), -1 = none or
			      unparsable */
};

/* Classifies the gateway's answer.  status is the HTTP status (0 = no
 * answer / transport error), retry_after_header the Retry-After value or
 * NULL, body/len the answer (need not be NUL-terminated; may be NULL if len
 * is 0), now the current unix time for an HTTP-date.  Always fills *res;
 * returns 0, or -1 only if id_regex does not compile (a configuration error
 * sms_gw_check() reports first): the verdict is then still right and
 * res->error says what is wrong. */
int sms_gw_parse(const struct sms_gw *gw, long status,
    const char *retry_after_header, const char *body, size_t len,
    int64_t now, struct sms_gw_result *res);
void sms_gw_result_free(struct sms_gw_result *res);

/* A Kannel delivery report.  Owned: sms_gw_dlr_free() frees detail. */
struct sms_gw_dlr {
	int64_t id;	/* outbox id (> 0) */
	int delivered;	/* 1 delivered, 0 failed (handset or SMSC), -1
			   intermediate (buffered, SMSC accepted) */
	int status;	/* Kannel's DLR type as received */
	char *detail;	/* "smsc rejected (kannel dlr 16): <answer>" */
};

/* Parses the query parameters of a Kannel DLR callback: id (decimal > 0),
 * status (Kannel's DLR type) and the optional SMSC answer (%A, already
 * URL-decoded).  Types are read as bits: 1 delivered wins, then 2 or 16
 * (and Kannel 1.5's 0x22 expired, 0x42 unknown, which carry 2) mean failed,
 * then 4 or 8 intermediate; anything else is an error.  Returns 0, or -1
 * with *cause set (*out zeroed). */
int sms_gw_parse_dlr(const char *id, const char *status, const char *answer,
    struct sms_gw_dlr *out, char **cause);
void sms_gw_dlr_free(struct sms_gw_dlr *d);

/* Returns 1 if an inbound SMS text asks to unsubscribe, else 0.
 * keywords: NULL-terminated, NULL = the defaults TD, T, 退订, STOP,
 * UNSUBSCRIBE.  Text and keywords are compared normalised: full-width
 * ASCII forms (U+FF01..FF5E) and U+3000 read as ASCII, ASCII case folded,
 * white space (ASCII, U+3000, U+00A0) and punctuation at either end
 * dropped, zero-width characters dropped.  Then the text matches a
 * keyword if:
 *  - it is the keyword, ignoring inner white space ("td", " 退订 ",
 *    "Ｔ Ｄ", "T D", "Stop!");
 *  - the keyword is ASCII letters only and at least 4 long (STOP,
 *    UNSUBSCRIBE) and is the first word ("stop please", "STOP IT",
 *    "Unsubscribe me."); short ones like T and TD are not, because "T-shirt?"
 *    or "td is late" are not opt-outs;
 *  - the keyword has a non-ASCII character (退订) and occurs anywhere
 *    ("我要退订", "TD退订").  "不要退订" thus counts too: a missed opt-out
 *    is a compliance problem, an extra one only costs a customer we may
 *    not text.
 * Invalid UTF-8 is compared byte by byte and never crashes. */
int sms_gw_is_unsubscribe(const char *text, const char *const *keywords);

#endif

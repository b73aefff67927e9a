/* tmpl_set.h - a directory of message templates.
 *
 * Files are named RULE.CHANNEL[.LOCALE].tmpl or RULE.email[.LOCALE].html.tmpl
 * with RULE [a-z0-9_-]+, CHANNEL "email" or "sms" and LOCALE [a-z]{2,3} with
 * an optional _[A-Z]{2} ("zh", "zh_CN").  Any other name ending in .tmpl is
 * an error; hidden files (".x.tmpl", editor locks) and other files are
 * ignored.  An HTML template is an alternative body and needs the text
 * template of the same rule and locale.
 *
 * E-mail text templates start with a header block, then a blank line, then
 * the body:
 *	Subject: Happy birthday, {{name|friend}}!	(required)
 *	Reply-To: {{rep.email}}				(optional)
 * Header values are templates too.  HTML templates are all body; SMS
 * templates too, unless they start with the provider block of
 * tmpl_provider.h (provider-template:, provider-param NAME:).
 * A UTF-8 byte order mark at the start of a file is skipped.
 *
 * Error positions name the file relative to the directory: FILE:LINE:COL. */
#ifndef OUTREACHD_TMPL_SET_H
#define OUTREACHD_TMPL_SET_H

#include <stddef.h>
#include <stdint.h>

#include "tmpl.h"
#include "tmpl_provider.h"

#define TMPL_SET_MAX_FILE (1024 * 1024) /* larger files are an error */

struct tmpl_set;

/* One message: everything loaded for one (rule, channel, locale).  Owned by
 * the set and read-only; valid until tmpl_set_free(). */
struct tmpl_msg {
	char *rule;
	char *channel;		/* "email" or "sms" */
	char *locale;		/* "" for the file without a locale */
	char *file;		/* text template name: "bday.email.tmpl" */
	struct tmpl *subject;	/* e-mail only */
	struct tmpl *reply_to;	/* e-mail only; NULL if there is no Reply-To */
	struct tmpl *text;
	struct tmpl *html;	/* NULL without an HTML template */
	struct tmpl_provider *provider; /* SMS: the approved template, or
					   NULL */
};

/* The result of tmpl_msg_render(); every string is owned by the struct and
 * freed by tmpl_rendered_free(). */
struct tmpl_rendered {
	char *subject;	/* NULL for SMS */
	char *reply_to;	/* NULL for SMS, without Reply-To, or if empty */
	char *text;
	char *html;	/* NULL without an HTML template */
	char *provider;	/* SMS to a provider: the request (JSON), set by
			   render.c; NULL otherwise */
};

/* Loads and parses every template in dir into a new set (caller frees).  On
 * any error returns NULL and sets *cause to every error found, one per line,
 * so that a failed reload can keep the old set and report everything. */
struct tmpl_set *tmpl_set_load(const char *dir, char **cause);
void tmpl_set_free(struct tmpl_set *set); /* NULL is fine */

/* Finds the message for rule and channel, trying the locale ("zh_CN"), then
 * its language ("zh"), then the file without a locale.  locale may be NULL
 * or "" (no locale), is matched case-insensitively and may be written
 * "zh-CN" or "zh_CN.UTF-8"; one that is not a valid locale counts as none.
 * find(..., NULL) tells whether a rule has a fallback for every locale.
 * Returns NULL if nothing matches. */
const struct tmpl_msg *tmpl_set_find(const struct tmpl_set *set,
    const char *rule, const char *channel, const char *locale);

/* A fingerprint of the files loaded (names and bytes): it changes when
 * any of them does. */
uint64_t tmpl_set_digest(const struct tmpl_set *set);

/* 1 if any template (any locale) exists for rule and channel, else 0. */
int tmpl_set_has_rule(const struct tmpl_set *set, const char *rule,
    const char *channel);

/* Messages in order of rule, channel and locale, for check-config:
 * for (i = 0; i < tmpl_set_count(set); i++) m = tmpl_set_get(set, i); */
size_t tmpl_set_count(const struct tmpl_set *set);
const struct tmpl_msg *tmpl_set_get(const struct tmpl_set *set, size_t i);

/* 1 if rule is a valid rule name ([a-z0-9_-]+), else 0. */
int tmpl_rule_valid(const char *rule);
/* 1 if locale is written as in a file name, [a-z]{2,3}(_[A-Z]{2})? ("en",
 * "zh_CN"), else 0. */
int tmpl_locale_valid(const char *locale);

/* Renders every part of msg.  Subject and Reply-To have each run of control
 * characters (C0, DEL, C1, U+2028/9) replaced by one space and are trimmed;
 * an empty Subject is an error.  Bodies have CRLF and lone CR turned into
 * LF; an SMS body is also trimmed of leading and trailing white space.
 * Returns 0, or -1 with *cause and out zeroed (see tmpl_render()). */
int tmpl_msg_render(const struct tmpl_msg *msg, tmpl_lookup_fn lookup,
    void *arg, struct tmpl_rendered *out, char **cause);
void tmpl_rendered_free(struct tmpl_rendered *r); /* zeroes r */

#endif

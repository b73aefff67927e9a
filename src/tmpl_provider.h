/* tmpl_provider.h - what an SMS template says to a provider that sends
 * only approved templates (Aliyun, Tencent): the template id and how its
 * variables are filled, kept in the template file beside the text.
 *
 * An SMS template file may start with a header block, then a blank line,
 * then the text (optional; it is what the approved template reads, shown
 * by `outreachctl render` and used by the other transports):
 *
 *	provider-template: SMS_153055065
 *	provider-param name: {{#salutation}}{{salutation}}{{/salutation}}
 *	provider-param rep: {{rep.name|您的客户经理}}
 *
 *	{{salutation}}，祝您生日快乐！——{{rep.name}}
 *
 * The block is recognised by its first line starting with "provider-".
 * provider-template (required) is the provider's id of the approved
 * template: printable ASCII without spaces.  Each provider-param NAME
 * ([A-Za-z0-9_]+, each once) is a template rendered like the text; the
 * parameters are sent in the order written.  Aliyun fills ${NAME}, so
 * names are the template's variable names; Tencent fills {1}, {2}...
 * by position, so its names must be 1, 2, ... in order (checked by
 * tmpl_provider_check()).
 *
 * A rendered message's request is kept in the outbox as JSON:
 *	{"template":"SMS_153055065","params":{"name":"张总","rep":"李娜"}} */
#ifndef OUTREACHD_TMPL_PROVIDER_H
#define OUTREACHD_TMPL_PROVIDER_H

#include <stddef.h>

#include "tmpl.h"

#define TMPL_PROVIDER_MAX_PARAMS 16

struct tmpl_provider_param {
	char *name;
	struct tmpl *value;
	size_t line;
};

struct tmpl_provider {
	char *template_id;
	size_t line;			/* of provider-template */
	struct tmpl_provider_param *params;
	size_t nparams;
};

/* What a provider allows in a parameter's value. */
struct tmpl_provider_limits {
	const char *provider;	/* "aliyun", "tencent": for messages */
	int max_chars;		/* characters (code points), > 0 */
	int numbered;		/* names must be 1, 2, ... (Tencent) */
};

/* Parses the header block at the start of s, if there is one: *out (NULL
 * when the file has none), the offset of the body (0 without a block)
 * and the body's first line in *body_line.  Errors name file:line:col
 * and are returned one per line in *cause with -1. */
long tmpl_provider_parse(const char *s, size_t len, const char *file,
    struct tmpl_provider **out, size_t *body_line, char **cause);
void tmpl_provider_free(struct tmpl_provider *p);
/* The names against the provider's rule (Tencent: 1, 2, ...): 0, or -1
 * with "file:line: ..." in *cause. */
int tmpl_provider_check(const struct tmpl_provider *p, const char *file,
    const struct tmpl_provider_limits *lim, char **cause);
/* What each parameter yields with no customer data at all (every
 * variable missing, so only its literal text and defaults are left),
 * checked against lim: a link or a 【 written into the template, or
 * literal text already too long, is the template's fault, found when it
 * loads rather than at each message.  0, or -1 with "file:line: ...". */
int tmpl_provider_check_literals(const struct tmpl_provider *p,
    const char *file, const struct tmpl_provider_limits *lim, char **cause);
/* 0 when a rendered value is within lim: not empty, at most max_chars
 * characters, no control character, no 【 】 (they would pass for a
 * signature), no link (the providers refuse links in variables);
 * otherwise -1 with why. */
int tmpl_provider_value_ok(const char *v, const struct tmpl_provider_limits
    *lim, char **why);
/* Renders every parameter and checks it against lim (NULL: no check)
 * into the JSON request kept with the message.  -1 with "file:line:
 * provider-param NAME ..." in *cause. */
int tmpl_provider_render(const struct tmpl_provider *p, const char *file,
    tmpl_lookup_fn lookup, void *arg, const struct tmpl_provider_limits *lim,
    char **json, char **cause);

/* The text with the provider's own placeholders (Aliyun ${NAME},
 * Tencent {N}) filled from the rendered request json, as the approved
 * template will read: what `outreachctl render` shows.  malloc'd. */
char *tmpl_provider_fill(const char *text, const char *json, int numbered);

/* A request read back from the outbox.  Owned; tmpl_provider_req_free(). */
struct tmpl_provider_req {
	char *template_id;
	char **names;
	char **values;
	size_t n;
};
int tmpl_provider_req_parse(const char *json, struct tmpl_provider_req *r,
    char **cause);
void tmpl_provider_req_free(struct tmpl_provider_req *r);

#endif

/* tmpl_provider.c - the provider header block of SMS templates, the
 * values it renders and the request kept with each message. */
#include "tmpl_provider.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "utf8.h"
#include "util.h"

/* One error line appended to e. */
static void PRINTFLIKE(2, 3)
err_add(struct buf *e, const char *fmt, ...)
{
	va_list ap;

	if (e->len > 0)
		buf_addc(e, '\n');
	va_start(ap, fmt);
	buf_vprintf(e, fmt, ap);
	va_end(ap);
}

/* "provider-template: ID" */
static void
parse_template_id(struct tmpl_provider *p, const char *v, size_t n,
    const char *file, size_t line, struct buf *e)
{
	size_t i;

	if (p->template_id != NULL) {
		err_add(e, "%s:%zu:1: duplicate provider-template", file, line);
		return;
	}
	for (i = 0; i < n; i++)
		if (v[i] <= 0x20 || v[i] >= 0x7f)
			break;
	if (n == 0 || n > 64 || i < n) {
		err_add(e, "%s:%zu:1: provider-template must be the provider's "
		    "template id (1-64 printable ASCII characters, no spaces)",
		    file, line);
		return;
	}
	p->template_id = xstrndup(v, n);
	p->line = line;
}

/* "provider-param NAME: VALUE", s the part after "provider-param". */
static void
parse_param(struct tmpl_provider *p, const char *s, size_t n,
    const char *file, size_t line, size_t col, struct buf *e)
{
	struct tmpl_provider_param *pp;
	size_t i = 0, k, name, v;
	char *cause = NULL;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	name = i;
	while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
	    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
		i++;
	if (i == name || i - name > 64 || i == n || s[i] != ':') {
		err_add(e, "%s:%zu:1: expected \"provider-param NAME: value\" "
		    "with NAME of letters, digits and _", file, line);
		return;
	}
	for (k = 0; k < p->nparams; k++)
		if (strlen(p->params[k].name) == i - name &&
		    memcmp(p->params[k].name, s + name, i - name) == 0) {
			err_add(e, "%s:%zu:1: duplicate provider-param %.*s", file,
			    line, (int)(i - name), s + name);
			return;
		}
	if (p->nparams == TMPL_PROVIDER_MAX_PARAMS) {
		err_add(e, "%s:%zu:1: more than %d provider-param lines", file,
		    line, TMPL_PROVIDER_MAX_PARAMS);
		return;
	}
	for (v = i + 1; v < n && (s[v] == ' ' || s[v] == '\t'); v++)
		;
	p->params = xreallocarray(p->params, p->nparams + 1,
	    sizeof *p->params);
	pp = &p->params[p->nparams];
	pp->name = xstrndup(s + name, i - name);
	pp->line = line;
	pp->value = tmpl_parse_at(s + v, n - v, file, line, col + v, &cause);
	if (pp->value == NULL) {
		err_add(e, "%s", cause);
		free(cause);
		free(pp->name);
		return;
	}
	p->nparams++;
}

/* One header line s[0..n). */
static void
parse_line(struct tmpl_provider *p, const char *s, size_t n,
    const char *file, size_t line, struct buf *e)
{
	static const char tid[] = "provider-template:", par[] =
	    "provider-param ";
	size_t v;

	if (n >= sizeof tid - 1 && memcmp(s, tid, sizeof tid - 1) == 0) {
		for (v = sizeof tid - 1; v < n && (s[v] == ' ' || s[v] ==
		    '\t'); v++)
			;
		parse_template_id(p, s + v, n - v, file, line, e);
	} else if (n >= sizeof par - 1 && memcmp(s, par, sizeof par - 1) == 0)
		parse_param(p, s + sizeof par - 1, n - (sizeof par - 1), file,
		    line, sizeof par, e);
	else
		err_add(e, "%s:%zu:1: expected \"provider-template: ID\", "
		    "\"provider-param NAME: value\" or a blank line before the "
		    "text", file, line);
}

long
tmpl_provider_parse(const char *s, size_t len, const char *file,
    struct tmpl_provider **out, size_t *body_line, char **cause)
{
	struct tmpl_provider *p;
	size_t pos = 0, end, next, line = 1;
	const char *nl;
	struct buf e;

	*out = NULL;
	*body_line = 1;
	if (len < 9 || memcmp(s, "provider-", 9) != 0)
		return 0;
	p = xcalloc(1, sizeof *p);
	buf_init(&e);
	for (; pos < len; pos = next, line++) {
		nl = memchr(s + pos, '\n', len - pos);
		next = nl != NULL ? (size_t)(nl - s) + 1 : len;
		end = nl != NULL ? (size_t)(nl - s) : len;
		while (end > pos && (s[end - 1] == '\r' || s[end - 1] == ' ' ||
		    s[end - 1] == '\t'))
			end--;
		if (end == pos) {
			pos = next;
			line++;
			break;
		}
		parse_line(p, s + pos, end - pos, file, line, &e);
	}
	if (p->template_id == NULL && e.len == 0)
		err_add(&e, "%s:1:1: the provider block has no "
		    "\"provider-template: ID\"", file);
	if (e.len > 0) {
		tmpl_provider_free(p);
		*cause = buf_detach(&e);
		return -1;
	}
	buf_free(&e);
	*out = p;
	*body_line = line;
	return (long)pos;
}

void
tmpl_provider_free(struct tmpl_provider *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nparams; i++) {
		free(p->params[i].name);
		tmpl_free(p->params[i].value);
	}
	free(p->params);
	free(p->template_id);
	free(p);
}

int
tmpl_provider_check(const struct tmpl_provider *p, const char *file,
    const struct tmpl_provider_limits *lim, char **cause)
{
	char want[24];
	size_t i;

	for (i = 0; lim->numbered && i < p->nparams; i++) {
		snprintf(want, sizeof want, "%zu", i + 1);
		if (strcmp(p->params[i].name, want) != 0)
			return set_error(cause, "%s:%zu: %s fills its template's "
			    "variables by position: provider-param %s must be "
			    "provider-param %s", file, p->params[i].line,
			    lim->provider, p->params[i].name, want);
	}
	for (i = 0; !lim->numbered && i < p->nparams; i++)
		if (p->params[i].name[0] >= '0' && p->params[i].name[0] <= '9')
			return set_error(cause, "%s:%zu: %s variable names start "
			    "with a letter, not provider-param %s", file,
			    p->params[i].line, lim->provider, p->params[i].name);
	return 0;
}

int
tmpl_provider_value_ok(const char *v, const struct tmpl_provider_limits *lim,
    char **why)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t len = strlen(v), i = 0, k, chars = 0;
	uint32_t cp;

	if (len == 0)
		return set_error(why, "renders empty");
	if (strstr(v, "http://") || strstr(v, "https://") || strstr(v,
	    "www.") || strstr(v, "HTTP://") || strstr(v, "WWW."))
		return set_error(why, "holds a link, which %s refuses in a "
		    "variable", lim->provider);
	for (; i < len; i += k, chars++) {
		if ((k = utf8_decode(p + i, len - i, &cp)) == 0)
			return set_error(why, "is not UTF-8");
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		    cp == 0x2028 || cp == 0x2029)
			return set_error(why, "holds a control character or a "
			    "line break");
		if (cp == 0x3010 || cp == 0x3011)
			return set_error(why, "holds \xe3\x80\x90 or \xe3\x80\x91, "
			    "which would pass for a signature");
	}
	if (lim->max_chars > 0 && chars > (size_t)lim->max_chars)
		return set_error(why, "is %zu characters, more than the %d a %s "
		    "variable may hold (sms.param_max_chars)", chars,
		    lim->max_chars, lim->provider);
	return 0;
}

/* Every variable missing. */
static const char *
lookup_none(void *arg, const char *name)
{
	(void)arg;
	(void)name;
	return NULL;
}

int
tmpl_provider_check_literals(const struct tmpl_provider *p,
    const char *file, const struct tmpl_provider_limits *lim, char **cause)
{
	char *v = NULL, *why = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < p->nparams && rc == 0; i++) {
		if (tmpl_render(p->params[i].value, lookup_none, NULL, 0, &v,
		    NULL) != 0)
			continue;	/* needs a value: only data can tell */
		str_trim(v);
		if (*v != '\0' && tmpl_provider_value_ok(v, lim, &why) != 0) {
			rc = set_error(cause, "%s:%zu: provider-param %s %s", file,
			    p->params[i].line, p->params[i].name, why);
			free(why);
		}
		free(v);
		v = NULL;
	}
	return rc;
}

int
tmpl_provider_render(const struct tmpl_provider *p, const char *file,
    tmpl_lookup_fn lookup, void *arg, const struct tmpl_provider_limits *lim,
    char **json, char **cause)
{
	struct buf b;
	char *v, *why = NULL;
	size_t i;

	buf_init(&b);
	buf_puts(&b, "{\"template\":");
	json_read_quote(&b, p->template_id);
	buf_puts(&b, ",\"params\":{");
	for (i = 0; i < p->nparams; i++) {
		if (tmpl_render(p->params[i].value, lookup, arg, 0, &v,
		    cause) != 0) {
			buf_free(&b);
			return -1;
		}
		str_trim(v);
		if (lim != NULL && tmpl_provider_value_ok(v, lim, &why) != 0) {
			set_error(cause, "%s:%zu: provider-param %s %s", file,
			    p->params[i].line, p->params[i].name, why);
			free(why);
			free(v);
			buf_free(&b);
			return -1;
		}
		if (i > 0)
			buf_addc(&b, ',');
		json_read_quote(&b, p->params[i].name);
		buf_addc(&b, ':');
		json_read_quote(&b, v);
		free(v);
	}
	buf_puts(&b, "}}");
	*json = buf_detach(&b);
	return 0;
}

int
tmpl_provider_req_parse(const char *json, struct tmpl_provider_req *r,
    char **cause)
{
	const struct json_node *params;
	struct json_node *root;
	const char *id;
	size_t i;

	memset(r, 0, sizeof *r);
	if (json == NULL || (root = json_read_parse(json, strlen(json),
	    NULL)) == NULL)
		return set_error(cause, "the message has no provider request "
		    "(rendered before the provider transport was configured?)");
	id = json_read_text(root, "template");
	params = json_read_get(root, "params");
	if (id == NULL || params == NULL || params->type != JSON_OBJECT) {
		json_read_free(root);
		return set_error(cause, "the message's provider request is not "
		    "{\"template\":..., \"params\":{...}}");
	}
	r->template_id = xstrdup(id);
	r->names = xcalloc(params->nkids + 1, sizeof *r->names);
	r->values = xcalloc(params->nkids + 1, sizeof *r->values);
	for (i = 0; i < params->nkids; i++) {
		if (params->kids[i]->type != JSON_STRING)
			continue;
		r->names[r->n] = xstrdup(params->kids[i]->key);
		r->values[r->n++] = xstrdup(params->kids[i]->text);
	}
	json_read_free(root);
	return 0;
}

void
tmpl_provider_req_free(struct tmpl_provider_req *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->names[i]);
		free(r->values[i]);
	}
	free(r->names);
	free(r->values);
	free(r->template_id);
	memset(r, 0, sizeof *r);
}

char *
tmpl_provider_fill(const char *text, const char *json, int numbered)
{
	struct tmpl_provider_req r;
	const char *p = text, *open = numbered ? "{" : "${";
	size_t i, n, olen = strlen(open);
	struct buf b;

	if (tmpl_provider_req_parse(json, &r, NULL) != 0)
		return xstrdup(text);
	buf_init(&b);
	buf_puts(&b, "");
	while (*p != '\0') {
		for (i = 0; i < r.n; i++) {
			n = strlen(r.names[i]);
			if (strncmp(p, open, olen) == 0 && strncmp(p + olen,
			    r.names[i], n) == 0 && p[olen + n] == '}')
				break;
		}
		if (i < r.n) {
			buf_puts(&b, r.values[i]);
			p += olen + strlen(r.names[i]) + 1;
		} else
			buf_addc(&b, *p++);
	}
	tmpl_provider_req_free(&r);
	return buf_detach(&b);
}

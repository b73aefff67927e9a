/* conf.c - outreachd.conf: loading and validation. */
#include "conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"

#include "config.h"
#include "date.h"
#include "util.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

void
conf_error(struct conf_errors *e, const config_setting_t *s, const char *fmt,
    ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	buf_printf(&e->b, "%s%s:%d: %s", e->b.len ? "\n" : "", e->file,
	    s ? config_setting_source_line(s) : 0, m);
	free(m);
}

const char *
conf_default_path(void)
{
	return SYSCONFDIR "/outreachd/outreachd.conf";
}

/* The sample etc/outreachd.conf, compiled in (conf_default.c is generated
 * from it), so the built-in defaults are exactly what the sample shows. */
extern const char conf_default_text[];

static void conf_apply(struct conf_errors *e, const config_setting_t *root,
    struct conf *c);

static void
conf_set_paths(struct conf *c)
{
	free(c->store);
	free(c->templates);
	c->store = xstrdup(LOCALSTATEDIR "/lib/outreachd/outreachd.db");
	c->templates = xstrdup(SYSCONFDIR "/outreachd/templates");
}

/* The built-in configuration before derived paths are filled in. */
static struct conf *
conf_builtin(void)
{
	struct conf *c = xcalloc(1, sizeof(*c));
	struct conf_errors e = { .file = "(built-in defaults)" };
	config_t cfg;

	c->company = xstrdup("");
	c->timezone = xstrdup("UTC");
	c->locale = xstrdup("en");
	c->country_code = xstrdup("1");
	conf_plan_defaults(c);
	conf_delivery_defaults(c);
	config_init(&cfg);
	buf_init(&e.b);
	if (config_read_string(&cfg, conf_default_text) != CONFIG_TRUE)
		conf_error(&e, NULL, "line %d: %s", config_error_line(&cfg),
		    config_error_text(&cfg));
	else
		conf_apply(&e, config_root_setting(&cfg), c);
	config_destroy(&cfg);
	if (e.b.len > 0) { /* the build shipped a broken sample: a bug */
		fprintf(stderr, "<2>%s\n", e.b.data);
		abort();
	}
	conf_set_paths(c);
	return c;
}

struct conf *
conf_defaults(void)
{
	struct conf *c = conf_builtin();

	conf_delivery_finish(c);
	return c;
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->store);
	free(c->company);
	free(c->timezone);
	free(c->locale);
	free(c->country_code);
	free(c->templates);
	conf_plan_free(c);
	conf_delivery_free(c);
	free(c);
}

/* Settings allowed at the top level; anything else is a typo. */
static const char *const top_settings[] = {
	"store", "company", "timezone", "locale", "country_code", "templates",
	"planner", "tiers", "sleeping", "stale", "holidays", "rules",
	"delivery", "email", "sms", "http", "daemon", NULL
};

static int
name_in(const char *name, const char *const *list)
{
	for (; *list != NULL; list++) {
		if (strcmp(*list, name) == 0)
			return 1;
	}
	return 0;
}

void
conf_check_unknown(struct conf_errors *e, const config_setting_t *group,
    const char *const *known)
{
	int i, n = config_setting_length(group);
	config_setting_t *s;

	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(group, (unsigned)i);
		if (config_setting_name(s) && !name_in(config_setting_name(s),
		    known))
			conf_error(e, s, "unknown setting \"%s\"",
			    config_setting_name(s));
	}
}

const config_setting_t *
conf_get_group(struct conf_errors *e, const config_setting_t *parent,
    const char *name, const char *const *known, const char *usage)
{
	config_setting_t *g = config_setting_get_member(parent, name);

	if (g == NULL)
		return NULL;
	if (!config_setting_is_group(g)) {
		conf_error(e, g, "%s must be a group %s", name, usage);
		return NULL;
	}
	if (known != NULL)
		conf_check_unknown(e, g, known);
	return g;
}

/* Replaces *dst with the string setting `name` of group, if present. */
void
conf_get_string(struct conf_errors *e, const config_setting_t *group,
    const char *name, char **dst)
{
	config_setting_t *s = config_setting_get_member(group, name);

	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_error(e, s, "%s must be a string", name);
		return;
	}
	free(*dst);
	*dst = xstrdup(config_setting_get_string(s));
}

static void
conf_check_top(struct conf_errors *e, const config_setting_t *root,
    struct conf *c)
{
	const char *p;

	conf_get_string(e, root, "store", &c->store);
	conf_get_string(e, root, "company", &c->company);
	conf_get_string(e, root, "timezone", &c->timezone);
	conf_get_string(e, root, "locale", &c->locale);
	conf_get_string(e, root, "country_code", &c->country_code);
	conf_get_string(e, root, "templates", &c->templates);
	if (!date_tz_valid(c->timezone))
		conf_error(e, config_setting_get_member(root, "timezone"),
		    "unknown time zone \"%s\"", c->timezone);
	for (p = c->country_code; *p >= '0' && *p <= '9'; p++)
		;
	if (*p != '\0' || strlen(c->country_code) == 0 ||
	    strlen(c->country_code) > 3)
		conf_error(e, config_setting_get_member(root, "country_code"),
		    "country_code must be 1 to 3 digits without '+'");
	if (*c->store == '\0')
		conf_error(e, config_setting_get_member(root, "store"),
		    "store must name a file");
}

static void
conf_apply(struct conf_errors *e, const config_setting_t *root,
    struct conf *c)
{
	conf_check_unknown(e, root, top_settings);
	conf_check_top(e, root, c);
	conf_plan_parse(e, root, c);
	conf_delivery_parse(e, root, c);
}

struct conf *
conf_load(const char *path, char **cause)
{
	config_t cfg;
	struct conf *c;
	struct conf_errors e = { .file = path };

	config_init(&cfg);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			set_error(cause, "%s: cannot read: %m", path);
		else
			set_error(cause, "%s:%d: %s", path,
			    config_error_line(&cfg), config_error_text(&cfg));
		config_destroy(&cfg);
		return NULL;
	}
	c = conf_builtin();
	c->path = xstrdup(path);
	buf_init(&e.b);
	conf_apply(&e, config_root_setting(&cfg), c);
	config_destroy(&cfg);
	if (e.b.len > 0) {
		*cause = buf_detach(&e.b);
		conf_free(c);
		return NULL;
	}
	buf_free(&e.b);
	conf_delivery_finish(c);
	return c;
}

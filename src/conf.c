/* conf.c - outreachd.conf: the readers of each type of setting, the walk
 * over the settings tables, the root table that lists every group, and
 * loading.  The groups' tables are in conf_plan.c, conf_rules.c and
 * conf_delivery.c. */
#include "conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"

#include "config.h"
#include "date.h"
#include "date_zone.h"
#include "strmap.h"
#include "tmpl_set.h"
#include "util.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

/* The field at offset off of base, as a pointer to type. */
#define FIELD(base, off, type) ((type *)(void *)((char *)(base) + (off)))

/* Adds "FILE:LINE: message" to the errors. */
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

/* Adds "FILE:LINE: warning: message" to the warnings. */
void
conf_warn(struct conf_errors *e, const config_setting_t *s, const char *fmt,
    ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	buf_printf(&e->w, "%s%s:%d: warning: %s", e->w.len ? "\n" : "",
	    e->file, s ? config_setting_source_line(s) : 0, m);
	free(m);
}

/* The file used when -c is not given. */
const char *
conf_default_path(void)
{
	return SYSCONFDIR "/outreachd/outreachd.conf";
}

/* The entry of t called name, or NULL. */
static const struct conf_entry *
entry_find(const struct conf_table *t, const char *name)
{
	const struct conf_entry *ent;

	for (ent = t->entries; ent->name != NULL; ent++) {
		if (strcmp(ent->name, name) == 0)
			return ent;
	}
	return NULL;
}

/* Reports the settings of group that t does not declare: typos. */
void
conf_check_unknown(struct conf_errors *e, const config_setting_t *group,
    const struct conf_table *t)
{
	int i, n = config_setting_length(group);
	config_setting_t *s;
	const char *name;

	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(group, (unsigned)i);
		name = config_setting_name(s);
		if (name != NULL && entry_find(t, name) == NULL)
			conf_error(e, s, "unknown setting \"%s\"", name);
	}
}

/* The group `name` of parent, or NULL when it is absent or (reported)
 * not a group. */
static const config_setting_t *
get_group(struct conf_errors *e, const config_setting_t *parent,
    const char *name, const char *usage)
{
	config_setting_t *g = config_setting_get_member(parent, name);

	if (g == NULL)
		return NULL;
	if (!config_setting_is_group(g)) {
		conf_error(e, g, "%s must be a group %s", name, usage);
		return NULL;
	}
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

/* A string or a list of strings; returns the count, *out is NULL when
 * the setting is absent. */
size_t
conf_get_strings(struct conf_errors *e, const config_setting_t *group,
    const char *name, char ***out)
{
	config_setting_t *s = config_setting_get_member(group, name), *el;
	int i, n;
	size_t k = 0;

	*out = NULL;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		*out = xcalloc(2, sizeof(char *));	/* NULL-ended, too */
		(*out)[0] = xstrdup(config_setting_get_string(s));
		return 1;
	}
	if (!config_setting_is_aggregate(s) || config_setting_is_group(s)) {
		conf_error(e, s, "%s must be a string or a list of strings",
		    name);
		return 0;
	}
	n = config_setting_length(s);
	*out = xcalloc((size_t)n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(el) != CONFIG_TYPE_STRING) {
			conf_error(e, el, "%s must hold only strings", name);
			continue;
		}
		(*out)[k++] = xstrdup(config_setting_get_string(el));
	}
	return k;
}

/* The choice called name, or NULL. */
const struct conf_choice *
conf_choice_find(const struct conf_choice *choices, const char *name)
{
	for (; choices->name != NULL; choices++) {
		if (strcmp(choices->name, name) == 0)
			return choices;
	}
	return NULL;
}

/* The choices as "a", "b" or "c" (sep NULL), or joined by sep. */
void
conf_choices_text(struct buf *b, const struct conf_choice *ch, const char *sep)
{
	const struct conf_choice *first = ch;

	for (; ch->name != NULL; ch++) {
		if (sep != NULL)
			buf_printf(b, "%s%s", ch == first ? "" : sep, ch->name);
		else
			buf_printf(b, "%s\"%s\"", ch == first ? "" :
			    ch[1].name == NULL ? " or " : ", ", ch->name);
	}
}

/* Reports a value of the right type that ent does not accept. */
static void
bad_value(struct conf_errors *e, const config_setting_t *s,
    const struct conf_entry *ent, const char *usual)
{
	struct buf b;

	if (ent->bad != NULL) {
		conf_error(e, s, "%s", ent->bad);
		return;
	}
	buf_init(&b);
	if (ent->choices != NULL)
		conf_choices_text(&b, ent->choices, NULL);
	else
		buf_puts(&b, usual);
	conf_error(e, s, "%s must be %s", ent->name, b.data);
	buf_free(&b);
}

/* CONF_INT: a whole number within [min, max]. */
static void
get_int(struct conf_errors *e, const config_setting_t *group,
    const struct conf_entry *ent, int *dst)
{
	config_setting_t *s = config_setting_get_member(group, ent->name);
	int min = (int)ent->min, max = (int)ent->max;
	long long v;

	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		conf_error(e, s, "%s must be a whole number", ent->name);
		return;
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		conf_error(e, s, "%s must be between %d and %d", ent->name, min,
		    max);
		return;
	}
	*dst = (int)v;
}

/* CONF_NUMBER: an integer or a float within [min, max]. */
static void
get_number(struct conf_errors *e, const config_setting_t *group,
    const struct conf_entry *ent, double *dst)
{
	config_setting_t *s = config_setting_get_member(group, ent->name);
	double v;

	if (s == NULL)
		return;
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else if (config_setting_type(s) == CONFIG_TYPE_INT)
		v = config_setting_get_int(s);
	else {
		conf_error(e, s, "%s must be a number", ent->name);
		return;
	}
	if (!(v >= ent->min && v <= ent->max)) {
		if (ent->bad != NULL)
			conf_error(e, s, "%s", ent->bad);
		else
			conf_error(e, s, "%s must be between %g and %g",
			    ent->name, ent->min, ent->max);
		return;
	}
	*dst = v;
}

/* CONF_BOOL. */
static void
get_bool(struct conf_errors *e, const config_setting_t *group,
    const struct conf_entry *ent, int *dst)
{
	config_setting_t *s = config_setting_get_member(group, ent->name);

	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		conf_error(e, s, "%s must be true or false", ent->name);
	else
		*dst = config_setting_get_bool(s);
}

/* CONF_ENUM, and CONF_STRING with choices: the choice the setting names,
 * NULL when it is absent or (reported) not a choice. */
static const struct conf_choice *
get_choice(struct conf_errors *e, const config_setting_t *group,
    const struct conf_entry *ent)
{
	const struct conf_choice *ch;
	char *v = NULL;

	conf_get_string(e, group, ent->name, &v);
	if (v == NULL)
		return NULL;
	if ((ch = conf_choice_find(ent->choices, v)) == NULL)
		bad_value(e, config_setting_get_member(group, ent->name), ent,
		    NULL);
	free(v);
	return ch;
}

/* "HH:MM" into minutes after midnight. */
static int
parse_hhmm(const char *s, int *min)
{
	int h, m;
	char extra;

	if (sscanf(s, "%2d:%2d%c", &h, &m, &extra) != 2 || strlen(s) != 5 ||
	    h < 0 || h > 23 || m < 0 || m > 59)
		return -1;
	*min = h * 60 + m;
	return 0;
}

/* CONF_TIME. */
static void
get_time(struct conf_errors *e, const config_setting_t *group,
    const struct conf_entry *ent, int *dst)
{
	char *v = NULL;

	conf_get_string(e, group, ent->name, &v);
	if (v != NULL && parse_hhmm(v, dst) != 0)
		bad_value(e, config_setting_get_member(group, ent->name), ent,
		    "HH:MM");
	free(v);
}

/* Frees a list of n strings. */
static void
free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* CONF_STRINGS: a list given replaces the one there was. */
static void
get_strings(struct conf_errors *e, const config_setting_t *group,
    const struct conf_entry *ent, void *base)
{
	char ***v = FIELD(base, ent->offset, char **);
	size_t *n = FIELD(base, ent->count, size_t);

	if (config_setting_get_member(group, ent->name) == NULL)
		return;
	free_strings(*v, *n);
	*n = conf_get_strings(e, group, ent->name, v);
}

/* Reads one entry of group g into base. */
static void
entry_parse(struct conf_errors *e, const config_setting_t *g,
    const struct conf_entry *ent, void *base, struct conf *c)
{
	const struct conf_choice *ch;
	const config_setting_t *sub;

	if (ent->parse != NULL) {
		ent->parse(e, g, base, c);
		return;
	}
	switch (ent->type) {
	case CONF_INT:
		get_int(e, g, ent, FIELD(base, ent->offset, int));
		break;
	case CONF_BOOL:
		get_bool(e, g, ent, FIELD(base, ent->offset, int));
		break;
	case CONF_NUMBER:
		get_number(e, g, ent, FIELD(base, ent->offset, double));
		break;
	case CONF_STRING:
		if (ent->choices == NULL)
			conf_get_string(e, g, ent->name,
			    FIELD(base, ent->offset, char *));
		else if ((ch = get_choice(e, g, ent)) != NULL) {
			free(*FIELD(base, ent->offset, char *));
			*FIELD(base, ent->offset, char *) = xstrdup(ch->name);
		}
		if (ent->credential)
			conf_credential_check(e, g, ent,
			    *FIELD(base, ent->offset, char *));
		break;
	case CONF_ENUM:
		if ((ch = get_choice(e, g, ent)) != NULL)
			*FIELD(base, ent->offset, int) = ch->value;
		break;
	case CONF_TIME:
		get_time(e, g, ent, FIELD(base, ent->offset, int));
		break;
	case CONF_STRINGS:
		get_strings(e, g, ent, base);
		break;
	case CONF_GROUP:
		sub = get_group(e, g, ent->name, ent->table->usage);
		if (sub != NULL)
			conf_table_parse(e, sub, ent->table,
			    FIELD(base, ent->offset, char), c);
		break;
	case CONF_LIST:
	case CONF_CUSTOM:
		break;	/* these have parse */
	}
}

/* Remembers the line of each setting of group g written in the file, as
 * "group.name" (conf_setting_line()), for messages about values that load
 * but will not work.  Only the top level and its groups are kept: the
 * settings inside lists (rules, holidays) have no such name. */
static void
note_lines(const config_setting_t *g, const struct conf_table *t,
    struct conf *c)
{
	const struct conf_entry *ent;
	const config_setting_t *s;
	const char *gname = config_setting_name(g);
	char *key;

	if (c->lines == NULL || (!config_setting_is_root(g) &&
	    (gname == NULL || !config_setting_is_root(config_setting_parent(g)))))
		return;
	for (ent = t->entries; ent->name != NULL; ent++) {
		if ((s = config_setting_get_member(g, ent->name)) == NULL)
			continue;
		key = gname ? xasprintf("%s.%s", gname, ent->name) :
		    xstrdup(ent->name);
		strmap_put(c->lines, key, config_setting_source_line(s));
		free(key);
	}
}

int
conf_setting_line(const struct conf *c, const char *name)
{
	int64_t line;

	return c->lines != NULL && strmap_get(c->lines, name, &line) ?
	    (int)line : 0;
}

/* Reads group g as t describes it into base. */
void
conf_table_parse(struct conf_errors *e, const config_setting_t *g,
    const struct conf_table *t, void *base, struct conf *c)
{
	const struct conf_entry *ent;

	conf_check_unknown(e, g, t);
	for (ent = t->entries; ent->name != NULL; ent++)
		entry_parse(e, g, ent, base, c);
	if (t->check != NULL)
		t->check(e, g, base, c);
	note_lines(g, t, c);
}

/* Sets the defaults of t into base, which is zeroed. */
void
conf_table_init(const struct conf_table *t, void *base)
{
	const struct conf_entry *ent;
	void *p;

	for (ent = t->entries; ent->name != NULL; ent++) {
		p = FIELD(base, ent->offset, char);
		if (ent->parse != NULL) {
			if (ent->init != NULL)
				ent->init(base);
			continue;
		}
		if (ent->type == CONF_INT || ent->type == CONF_BOOL ||
		    ent->type == CONF_ENUM || ent->type == CONF_TIME)
			*(int *)p = ent->def;
		else if (ent->type == CONF_NUMBER)
			*(double *)p = ent->def_num;
		else if (ent->type == CONF_STRING && ent->def_str != NULL)
			*(char **)p = xstrdup(ent->def_str);
		else if (ent->type == CONF_GROUP)
			conf_table_init(ent->table, p);
	}
}

/* Frees what the entries of t hold in base. */
void
conf_table_clear(const struct conf_table *t, void *base)
{
	const struct conf_entry *ent;
	void *p;

	for (ent = t->entries; ent->name != NULL; ent++) {
		p = FIELD(base, ent->offset, char);
		if (ent->parse != NULL) {
			if (ent->clear != NULL)
				ent->clear(base);
		} else if (ent->type == CONF_STRING) {
			free(*(char **)p);
			*(char **)p = NULL;
		} else if (ent->type == CONF_STRINGS) {
			free_strings(*(char ***)p, *FIELD(base, ent->count,
			    size_t));
			*(char ***)p = NULL;
			*FIELD(base, ent->count, size_t) = 0;
		} else if (ent->type == CONF_GROUP)
			conf_table_clear(ent->table, p);
	}
}

/* Fills the values derived from others, groups first. */
static void
table_finish(const struct conf_table *t, void *base, struct conf *c)
{
	const struct conf_entry *ent;

	for (ent = t->entries; ent->name != NULL; ent++) {
		if (ent->type == CONF_GROUP && ent->parse == NULL)
			table_finish(ent->table, FIELD(base, ent->offset, char),
			    c);
	}
	if (t->finish != NULL)
		t->finish(base, c);
}

/* The top level's settings against each other. */
static void
root_check(struct conf_errors *e, const config_setting_t *root, void *base,
    struct conf *c)
{
	const char *p;
	char *q;

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
	if (!tmpl_locale_valid(c->locale)) {
		q = str_quote(c->locale, 40);
		conf_error(e, config_setting_get_member(root, "locale"),
		    "locale must look like en, zh or zh_CN, as template file "
		    "names write it, not %s", q);
		free(q);
	}
}

#define ROOT(f) offsetof(struct conf, f)

static const struct conf_entry root_entries[] = {
	{ .name = "store", .type = CONF_STRING, .offset = ROOT(store),
	  .def_str = LOCALSTATEDIR "/lib/outreachd/outreachd.db",
	  .doc = "The SQLite customer store, created on first use." },
	{ .name = "store_password_file", .type = CONF_STRING,
	  .offset = ROOT(store_password_file), .credential = 1,
	  .def_doc = "none",
	  .doc = "A PostgreSQL store's password: a file, or %d/NAME." },
	{ .name = "company", .type = CONF_STRING, .offset = ROOT(company),
	  .def_str = "", .doc = "Your company, {{company}} in templates." },
	{ .name = "timezone", .type = CONF_STRING, .offset = ROOT(timezone),
	  .def_str = "UTC",
	  .doc = "IANA time zone of customers without one, and of today." },
	{ .name = "locale", .type = CONF_STRING, .offset = ROOT(locale),
	  .def_str = "en",
	  .doc = "Locale of customers without one: en, zh, zh_CN, ..." },
	{ .name = "country_code", .type = CONF_STRING,
	  .offset = ROOT(country_code), .def_str = "1",
	  .doc = "Calling code of phone numbers without +CC, 1 to 3 digits." },
	{ .name = "templates", .type = CONF_STRING, .offset = ROOT(templates),
	  .def_str = SYSCONFDIR "/outreachd/templates",
	  .doc = "The directory of the message templates." },
	{ .name = "managers", .type = CONF_STRINGS, .offset = ROOT(managers),
	  .count = ROOT(nmanagers), .def_doc = "none",
	  .doc = "Keys of the reps who manage: they get the escalations." },
	{ .name = "planner", .type = CONF_GROUP, .offset = ROOT(plan),
	  .table = &conf_planner_table,
	  .doc = "Planning after downtime, 29 February, the frequency cap." },
	{ .name = "tiers", .type = CONF_GROUP, .offset = ROOT(plan),
	  .table = &conf_tiers_table,
	  .doc = "How customers are ranked into tiers A, B and C." },
	{ .name = "sleeping", .type = CONF_GROUP, .offset = ROOT(plan),
	  .table = &conf_sleeping_table,
	  .doc = "When customers sleep or are lost, and win-back messages." },
	{ .name = "lifecycle", .type = CONF_GROUP, .offset = ROOT(plan),
	  .table = &conf_lifecycle_table,
	  .doc = "When a customer counts as new." },
	{ .name = "stale", .type = CONF_GROUP, .offset = ROOT(plan),
	  .table = &conf_stale_table,
	  .doc = "When a customer record is stale." },
	{ .name = "tasks", .type = CONF_GROUP, .offset = ROOT(plan),
	  .table = &conf_tasks_table,
	  .doc = "Retrying and escalating tasks not reached." },
	{ .name = "digest", .type = CONF_GROUP, .offset = ROOT(plan),
	  .table = &conf_digest_table,
	  .doc = "The reps' and managers' morning e-mail of their tasks." },
	{ .name = "holidays", .type = CONF_LIST, .table = &conf_holiday_table,
	  .parse = conf_holidays_parse, .clear = conf_holidays_clear,
	  .def_doc = "spring_festival, mid_autumn, qingming, new_year",
	  .doc = "The named days holiday rules greet on." },
	{ .name = "keydates", .type = CONF_LIST, .table = &conf_keydate_table,
	  .parse = conf_keydates_parse, .clear = conf_keydates_clear,
	  .def_doc = "company_founding, store_opening, graduation",
	  .doc = "The titles of customers' key dates, by label." },
	{ .name = "rules", .type = CONF_LIST, .table = &conf_rule_table,
	  .parse = conf_rules_parse, .clear = conf_rules_clear,
	  .def_doc = "the 16 rules of outreachd.conf(5)",
	  .doc = "What is planned: event, filters, lead days, action." },
	{ .name = "delivery", .type = CONF_GROUP, .offset = ROOT(delivery),
	  .table = &conf_delivery_table,
	  .doc = "When messages are sent, retried and given up." },
	{ .name = "email", .type = CONF_GROUP, .offset = ROOT(email),
	  .table = &conf_email_table, .doc = "How e-mail is sent." },
	{ .name = "sms", .type = CONF_GROUP, .offset = ROOT(sms),
	  .table = &conf_sms_table, .doc = "How SMS are sent." },
	{ .name = "http", .type = CONF_GROUP, .offset = ROOT(http),
	  .table = &conf_http_table,
	  .doc = "Feeds, unsubscribe pages, callbacks, health and metrics." },
	{ .name = "report", .type = CONF_GROUP, .offset = ROOT(report),
	  .table = &conf_report_table,
	  .doc = "The manager's report: what counts as a conversion." },
	{ .name = "daemon", .type = CONF_GROUP, .offset = ROOT(daemon),
	  .table = &conf_daemon_table,
	  .doc = "Scans, the state directory and shutdown." },
	{ .name = "import", .type = CONF_GROUP, .offset = ROOT(import),
	  .table = &conf_import_table,
	  .doc = "How CSV files are read: the names of their columns." },
	{ .name = NULL }
};

const struct conf_table conf_root_table = {
	.usage = "", .entries = root_entries, .check = root_check
};

/* The sample etc/outreachd.conf, compiled in (conf_default.c is generated
 * from it), so the built-in defaults are exactly what the sample shows. */
extern const char conf_default_text[];

/* The sample's paths are a packaged install's; a build keeps the ones it
 * was configured with, the root table's defaults. */
static void
builtin_paths(struct conf *c)
{
	static const char *const names[] = { "store", "templates" };
	const struct conf_entry *ent;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ent = entry_find(&conf_root_table, names[i]);
		free(*FIELD(c, ent->offset, char *));
		*FIELD(c, ent->offset, char *) = xstrdup(ent->def_str);
	}
}

/* The built-in configuration before derived values are filled in. */
static struct conf *
conf_builtin(void)
{
	struct conf *c = xcalloc(1, sizeof(*c));
	struct conf_errors e = { .file = "(built-in defaults)" };
	config_t cfg;

	conf_table_init(&conf_root_table, c);
	config_init(&cfg);
	buf_init(&e.b);
	buf_init(&e.w);
	if (config_read_string(&cfg, conf_default_text) != CONFIG_TRUE)
		conf_error(&e, NULL, "line %d: %s", config_error_line(&cfg),
		    config_error_text(&cfg));
	else
		conf_table_parse(&e, config_root_setting(&cfg),
		    &conf_root_table, c, c);
	config_destroy(&cfg);
	if (e.b.len > 0) { /* the build shipped a broken sample: a bug */
		fprintf(stderr, "<2>%s\n", e.b.data);
		abort();
	}
	buf_free(&e.w);	/* the sample's, shown to nobody */
	builtin_paths(c);
	c->digest = util_fnv1a(UTIL_FNV_START, conf_default_text,
	    strlen(conf_default_text));
	return c;
}

/* Built-in defaults, used when no configuration file exists. */
struct conf *
conf_defaults(void)
{
	struct conf *c = conf_builtin();

	table_finish(&conf_root_table, c, c);
	return c;
}

/* Frees c and everything it holds; NULL is fine. */
void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	conf_table_clear(&conf_root_table, c);
	strmap_free(c->lines);
	free(c->path);
	free(c->warnings);
	free(c);
}

/* A fingerprint of the file's text, so what was rendered with another
 * configuration is noticed (deliver_queue.c); 0 when unreadable. */
static uint64_t
conf_file_digest(const char *path)
{
	uint64_t h = UTIL_FNV_START;
	char chunk[8192];
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		h = util_fnv1a(h, chunk, n);
	fclose(fp);
	return h;
}

/* Loads and validates path over the built-in configuration. */
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
	c->digest = conf_file_digest(path);
	c->lines = strmap_new();	/* the file's, not the sample's */
	buf_init(&e.b);
	buf_init(&e.w);
	conf_table_parse(&e, config_root_setting(&cfg), &conf_root_table, c,
	    c);
	config_destroy(&cfg);
	if (e.b.len > 0) {
		*cause = buf_detach(&e.b);
		buf_free(&e.w);
		conf_free(c);
		return NULL;
	}
	buf_free(&e.b);
	if (e.w.len > 0)
		c->warnings = buf_detach(&e.w);
	buf_free(&e.w);
	table_finish(&conf_root_table, c, c);
	return c;
}

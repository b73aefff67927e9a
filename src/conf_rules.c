/* conf_rules.c - the holidays and rules lists of outreachd.conf. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"
#include "lunar.h"

/* Yearly and lunar holidays are expanded over this span of years. */
#define HOLIDAY_FIRST_YEAR 1970
#define HOLIDAY_LAST_YEAR 2099

static const char *const task_kinds[] = { "call", "visit", "gift", "invite",
	"refresh", "meeting", "email", "winback", NULL };

static int
name_ok(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s != '\0'; s++) {
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '_' && *s != '-')
			return 0;
	}
	return 1;
}

static int
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++) {
		if (strcmp(s, *list) == 0)
			return 1;
	}
	return 0;
}

static int
cmp_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static void
add_day(struct conf_holiday *h, int32_t d)
{
	h->days = xreallocarray(h->days, h->ndays + 1, sizeof(*h->days));
	h->days[h->ndays++] = d;
}

/* "MM-DD" for yearly and lunar holidays. */
static int
parse_md(const char *s, int *m, int *d)
{
	char extra;

	if (sscanf(s, "%2d-%2d%c", m, d, &extra) != 2 || strlen(s) != 5 ||
	    *m < 1 || *m > 12 || *d < 1 || *d > 31)
		return -1;
	return 0;
}

static void
holiday_expand(struct conf_errors *e, const config_setting_t *g,
    struct conf_holiday *h)
{
	char **dates = NULL, *yearly = NULL, *lunar = NULL;
	size_t n, i;
	struct date dt;
	int m, d, y, kinds = 0;
	int32_t day;

	n = conf_get_strings(e, g, "dates", &dates);
	for (i = 0; i < n; i++) {
		if (date_parse(dates[i], &dt, NULL) != 0)
			conf_error(e, config_setting_get_member(g, "dates"),
			    "holiday %s: \"%s\" is not a YYYY-MM-DD date",
			    h->name, dates[i]);
		else
			add_day(h, date_to_days(dt.year, dt.month, dt.day));
		free(dates[i]);
	}
	free(dates);
	kinds += n > 0;
	conf_get_string(e, g, "yearly", &yearly);
	conf_get_string(e, g, "lunar", &lunar);
	if (yearly != NULL && (kinds++, parse_md(yearly, &m, &d) == 0 &&
	    d <= date_days_in_month(2000, m))) {
		for (y = HOLIDAY_FIRST_YEAR; y <= HOLIDAY_LAST_YEAR; y++) {
			if (date_yearly(m, d, y, DATE_FEB29_LEAP_ONLY, &day) == 0)
				add_day(h, day);
		}
	} else if (yearly != NULL)
		conf_error(e, config_setting_get_member(g, "yearly"),
		    "holiday %s: yearly must be \"MM-DD\"", h->name);
	if (lunar != NULL && (kinds++, parse_md(lunar, &m, &d) == 0 &&
	    d <= 30)) {
		struct lunar_date ld = { 0, m, d, 0 };
		int gy, gm, gd;
		for (y = LUNAR_YEAR_MIN; y <= LUNAR_YEAR_MAX; y++) {
			if (lunar_yearly(&ld, y, &gy, &gm, &gd, NULL) == 0 &&
			    gy >= HOLIDAY_FIRST_YEAR)
				add_day(h, date_to_days(gy, gm, gd));
		}
	} else if (lunar != NULL)
		conf_error(e, config_setting_get_member(g, "lunar"),
		    "holiday %s: lunar must be \"MM-DD\" (a lunar month and day)",
		    h->name);
	if (kinds != 1)
		conf_error(e, g, "holiday %s needs exactly one of dates, yearly "
		    "or lunar", h->name);
	free(yearly);
	free(lunar);
	if (h->ndays > 1)	/* days is NULL when there are none */
		qsort(h->days, h->ndays, sizeof(*h->days), cmp_day);
}

static void
parse_holidays(struct conf_errors *e, const config_setting_t *list,
    struct conf *c)
{
	static const char *const known[] = { "name", "title", "dates", "yearly",
		"lunar", NULL };
	config_setting_t *g;
	struct conf_holiday *h;
	int i, n;

	if (!config_setting_is_list(list)) {
		conf_error(e, list, "holidays must be a list ( { ... }, ... )");
		return;
	}
	n = config_setting_length(list);
	c->holidays = xcalloc((size_t)n + 1, sizeof(*c->holidays));
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(list, (unsigned)i);
		if (!config_setting_is_group(g)) {
			conf_error(e, g, "each holiday must be a group { ... }");
			continue;
		}
		h = &c->holidays[c->nholidays];
		conf_check_unknown(e, g, known);
		conf_get_string(e, g, "name", &h->name);
		if (h->name == NULL || !name_ok(h->name)) {
			conf_error(e, g, "holiday name must be lower-case letters, "
			    "digits, _ or -");
			free(h->name);
			h->name = NULL;
			continue;
		}
		if (conf_holiday_find(c, h->name) != NULL)
			conf_error(e, g, "holiday %s defined twice", h->name);
		c->nholidays++;
		conf_get_string(e, g, "title", &h->title);
		if (h->title == NULL)
			h->title = xstrdup(h->name);
		holiday_expand(e, g, h);
	}
}

const struct conf_holiday *
conf_holiday_find(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nholidays; i++) {
		if (c->holidays[i].name && strcmp(c->holidays[i].name, name) == 0)
			return &c->holidays[i];
	}
	return NULL;
}

static int
event_lookup(const char *s)
{
	int ev;

	for (ev = 0; ev < EV_COUNT; ev++) {
		if (strcmp(s, conf_event_name(ev)) == 0)
			return ev;
	}
	return -1;
}

/* Filters: tiers, reps, has (email/phone), attrs. */
static void
parse_rule_filters(struct conf_errors *e, const config_setting_t *g,
    struct conf_rule *r)
{
	char **v;
	size_t n, i;

	n = conf_get_strings(e, g, "tiers", &v);
	for (i = 0; i < n; i++) {
		if (strlen(v[i]) == 1 && v[i][0] >= 'A' && v[i][0] <= 'C')
			r->tiers |= TIER_BIT(v[i][0]);
		else
			conf_error(e, config_setting_get_member(g, "tiers"),
			    "rule %s: unknown tier \"%s\" (A, B or C)", r->name,
			    v[i]);
		free(v[i]);
	}
	free(v);
	n = conf_get_strings(e, g, "has", &v);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i], "email") == 0)
			r->need_email = 1;
		else if (strcmp(v[i], "phone") == 0)
			r->need_phone = 1;
		else
			conf_error(e, config_setting_get_member(g, "has"),
			    "rule %s: has must list \"email\" or \"phone\"",
			    r->name);
		free(v[i]);
	}
	free(v);
	r->nreps = conf_get_strings(e, g, "reps", &r->reps);
	r->nattrs = conf_get_strings(e, g, "attrs", &r->attrs);
}

static void
parse_rule_action(struct conf_errors *e, const config_setting_t *g,
    struct conf *c, struct conf_rule *r)
{
	static const char *const chans[] = { "preferred", "email", "sms", NULL };
	char *action = NULL;
	size_t i;

	conf_get_string(e, g, "action", &action);
	if (action == NULL || (strcmp(action, "message") != 0 &&
	    strcmp(action, "task") != 0))
		conf_error(e, g, "rule %s: action must be \"message\" or "
		    "\"task\"", r->name);
	else
		r->action = strcmp(action, "task") == 0 ? ACT_TASK : ACT_MESSAGE;
	free(action);
	conf_get_string(e, g, "template", &r->template);
	conf_get_string(e, g, "task", &r->task_kind);
	r->nchannels = conf_get_strings(e, g, "channels", &r->channels);
	if (r->action == ACT_MESSAGE) {
		if (r->template == NULL)
			r->template = xstrdup(r->name);
		else if (!name_ok(r->template))
			conf_error(e, g, "rule %s: bad template name \"%s\"",
			    r->name, r->template);
		if (r->nchannels == 0) {
			r->channels = xcalloc(3, sizeof(char *));
			r->channels[0] = xstrdup("preferred");
			r->channels[1] = xstrdup("email");
			r->channels[2] = xstrdup("sms");
			r->nchannels = 3;
		}
		for (i = 0; i < r->nchannels; i++) {
			if (!in_list(r->channels[i], chans))
				conf_error(e, g, "rule %s: unknown channel \"%s\" "
				    "(preferred, email or sms)", r->name,
				    r->channels[i]);
		}
		if (r->event == EV_LOST)
			conf_error(e, g, "rule %s: lost customers get no more "
			    "messages; use action = \"task\"", r->name);
	} else if (r->task_kind == NULL || !in_list(r->task_kind, task_kinds))
		conf_error(e, g, "rule %s: task must be one of call, visit, gift, "
		    "invite, refresh, meeting, email, winback", r->name);
	if (r->event == EV_HOLIDAY && (r->holiday == NULL ||
	    conf_holiday_find(c, r->holiday) == NULL))
		conf_error(e, g, "rule %s: holiday \"%s\" is not defined in "
		    "holidays", r->name, r->holiday ? r->holiday : "");
}

static void
parse_rule(struct conf_errors *e, const config_setting_t *g, struct conf *c,
    struct conf_rule *r)
{
	static const char *const known[] = { "name", "event", "action",
		"template", "channels", "task", "holiday", "lead_days", "tiers",
		"reps", "has", "attrs", "priority", NULL };
	char *event = NULL;
	size_t i;
	int ev;

	r->line = config_setting_source_line(g);
	conf_check_unknown(e, g, known);
	conf_get_string(e, g, "name", &r->name);
	if (r->name == NULL || !name_ok(r->name)) {
		conf_error(e, g, "rule name must be lower-case letters, digits, "
		    "_ or -");
		free(r->name);
		r->name = xstrdup("?");
	}
	for (i = 0; &c->rules[i] != r; i++) {
		if (strcmp(c->rules[i].name, r->name) == 0)
			conf_error(e, g, "rule %s defined twice", r->name);
	}
	conf_get_string(e, g, "event", &event);
	if (event == NULL || (ev = event_lookup(event)) < 0)
		conf_error(e, g, "rule %s: event must be birthday, anniversary, "
		    "revisit, sleeping, lost, stale or holiday", r->name);
	else
		r->event = (enum conf_event)ev;
	free(event);
	conf_get_string(e, g, "holiday", &r->holiday);
	conf_get_int(e, g, "lead_days", 0, 366, &r->lead_days);
	conf_get_int(e, g, "priority", 0, 1000000, &r->priority);
	parse_rule_filters(e, g, r);
	parse_rule_action(e, g, c, r);
}

static void
parse_rules(struct conf_errors *e, const config_setting_t *list,
    struct conf *c)
{
	config_setting_t *g;
	int i, n;

	if (!config_setting_is_list(list)) {
		conf_error(e, list, "rules must be a list ( { ... }, ... )");
		return;
	}
	n = config_setting_length(list);
	c->rules = xcalloc((size_t)n + 1, sizeof(*c->rules));
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(list, (unsigned)i);
		if (!config_setting_is_group(g)) {
			conf_error(e, g, "each rule must be a group { ... }");
			continue;
		}
		c->rules[c->nrules].priority = i;
		parse_rule(e, g, c, &c->rules[c->nrules]);
		c->nrules++;
	}
}

/* A list given in the file replaces the built-in one as a whole. */
void
conf_lists_parse(struct conf_errors *e, const config_setting_t *root,
    struct conf *c)
{
	config_setting_t *s;

	if ((s = config_setting_get_member(root, "holidays")) != NULL) {
		conf_plan_free_holidays(c);
		parse_holidays(e, s, c);
	}
	if ((s = config_setting_get_member(root, "rules")) != NULL) {
		conf_plan_free_rules(c);
		parse_rules(e, s, c);
	}
}

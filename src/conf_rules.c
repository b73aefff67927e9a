/* conf_rules.c - the holidays and rules lists of outreachd.conf, each
 * element a group described by a table. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf_priv.h"
#include "customer.h"
#include "date_zone.h"
#include "keydate.h"
#include "lunar.h"
#include "solar.h"

/* Yearly and lunar holidays are expanded over this span of years. */
#define HOLIDAY_FIRST_YEAR 1970
#define HOLIDAY_LAST_YEAR 2099

#define R(f) offsetof(struct conf_rule, f)

/* In enum conf_event's order: conf_event_name() indexes it. */
static const struct conf_choice event_choices[] = {
	{ "birthday", EV_BIRTHDAY },
	{ "anniversary", EV_ANNIVERSARY },
	{ "revisit", EV_REVISIT },
	{ "sleeping", EV_SLEEPING },
	{ "lost", EV_LOST },
	{ "stale", EV_STALE },
	{ "holiday", EV_HOLIDAY },
	{ "keydate", EV_KEYDATE },
	{ "after_visit", EV_AFTER_VISIT },
	{ NULL, 0 }
};

_Static_assert(sizeof(event_choices) / sizeof(event_choices[0]) ==
    EV_COUNT + 1, "every event has a name");

static const struct conf_choice action_choices[] = {
	{ "message", ACT_MESSAGE },
	{ "task", ACT_TASK },
	{ "rep_message", ACT_REP_MESSAGE },
	{ NULL, 0 }
};

static const char *const task_kinds[] = { "call", "visit", "gift", "invite",
	"refresh", "meeting", "email", "winback", NULL };

/* The name of an event, as rules and plan --json write it. */
const char *
conf_event_name(enum conf_event ev)
{
	return event_choices[ev].name;
}

/* The name of an action, as rules and plan --json write it. */
const char *
conf_action_name(enum conf_action a)
{
	size_t i;

	for (i = 0; action_choices[i].name != NULL; i++) {
		if (action_choices[i].value == (int)a)
			return action_choices[i].name;
	}
	return "?";
}

/* A rule, holiday or template name: [a-z0-9_-], 1 to 64 long. */
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

/* Whether s is one of the NULL-terminated list. */
static int
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++) {
		if (strcmp(s, *list) == 0)
			return 1;
	}
	return 0;
}

/* qsort order of day numbers. */
static int
cmp_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Appends a day to the holiday's days. */
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

/* A list of dates runs out: warn while there is less than a year left,
 * so the admin adds the coming years' before the greetings stop. */
static void
holiday_check_end(struct conf_errors *e, const config_setting_t *g,
    const struct conf_holiday *h, int32_t today)
{
	struct date t;
	char last[11];

	if (h->ndays == 0 || today == DAY_NONE)
		return;
	date_from_days(today, &t);
	if (h->days[h->ndays - 1] >= date_to_days(t.year + 1, t.month, t.day))
		return;
	date_format(h->days[h->ndays - 1], last);
	conf_warn(e, config_setting_get_member(g, "dates"), "holiday %s: its "
	    "last date is %s, less than a year ahead: add the coming years' "
	    "dates (or use yearly, lunar or solar_term), or it is greeted no "
	    "more", h->name, last);
}

/* Listed "YYYY-MM-DD" days; returns how many were given. */
static size_t
holiday_dates(struct conf_errors *e, const config_setting_t *g,
    struct conf_holiday *h)
{
	char **dates = NULL;
	struct date dt;
	size_t n, i;

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
	return n;
}

/* A solar term (solar.h) every year; returns the term, or -1. */
static int
holiday_solar(struct conf_errors *e, const config_setting_t *g,
    struct conf_holiday *h, const char *name)
{
	int term = solar_term_find(name), y;
	int32_t day;

	if (term < 0) {
		conf_error(e, config_setting_get_member(g, "solar_term"),
		    "holiday %s: solar_term must be one of the 24 terms in "
		    "pinyin (xiaohan, dahan, lichun ... qingming ... dongzhi)",
		    h->name);
		return -1;
	}
	for (y = HOLIDAY_FIRST_YEAR; y <= HOLIDAY_LAST_YEAR; y++) {
		if (solar_term_day(y, term, &day) == 0)
			add_day(h, day);
	}
	return term;
}

/* The holiday's days from exactly one of dates, yearly, lunar and
 * solar_term; *term is the solar term, or -1. */
static void
holiday_expand(struct conf_errors *e, const config_setting_t *g,
    struct conf_holiday *h, int32_t today, int *term)
{
	char *yearly = NULL, *lunar = NULL, *solar = NULL;
	size_t listed;
	int m, d, y, kinds = 0;
	int32_t day;

	*term = -1;
	listed = holiday_dates(e, g, h);
	kinds += listed > 0;
	conf_get_string(e, g, "yearly", &yearly);
	conf_get_string(e, g, "lunar", &lunar);
	conf_get_string(e, g, "solar_term", &solar);
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
	if (solar != NULL && kinds++ == 0)
		*term = holiday_solar(e, g, h, solar);
	if (kinds != 1)
		conf_error(e, g, "holiday %s needs exactly one of dates, yearly, "
		    "lunar or solar_term", h->name);
	free(yearly);
	free(lunar);
	free(solar);
	if (h->ndays > 1)	/* days is NULL when there are none */
		qsort(h->days, h->ndays, sizeof(*h->days), cmp_day);
	if (listed > 0 && kinds == 1)
		holiday_check_end(e, g, h, today);
}

static const struct conf_entry holiday_entries[] = {
	{ .name = "name", .type = CONF_STRING,
	  .doc = "Required and unique: lower-case letters, digits, _ and -." },
	{ .name = "title", .type = CONF_STRING,
	  .def_doc = "the name; a solar term's Chinese name",
	  .doc = "What templates show as {{holiday}}." },
	{ .name = "dates", .type = CONF_STRINGS,
	  .doc = "Listed days, [ \"YYYY-MM-DD\", ... ]." },
	{ .name = "yearly", .type = CONF_STRING,
	  .doc = "\"MM-DD\", every year; one of dates, yearly, lunar and "
	  "solar_term." },
	{ .name = "lunar", .type = CONF_STRING,
	  .doc = "\"MM-DD\", a Chinese lunar month and day, every year." },
	{ .name = "solar_term", .type = CONF_STRING,
	  .doc = "A solar term in pinyin (\"qingming\"), every year, on its "
	  "day in UTC+8." },
	{ .name = NULL }
};

/* A holiday's kinds of days depend on each other, so parse_holidays()
 * reads them by hand: this table gives their names, types and docs. */
const struct conf_table conf_holiday_table = {
	.usage = "( { ... }, ... )", .entries = holiday_entries
};

/* Each holiday of the list: a name, a title and its days. */
static void
parse_holidays(struct conf_errors *e, const config_setting_t *list,
    struct conf *c)
{
	config_setting_t *g;
	struct conf_holiday *h;
	int32_t today = DAY_NONE;
	int i, n, term;

	/* The zone is read before the lists; a bad one is reported there. */
	if (date_today(time(NULL), c->timezone, &today, NULL) != 0)
		date_today(time(NULL), "UTC", &today, NULL);
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
		conf_check_unknown(e, g, &conf_holiday_table);
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
		holiday_expand(e, g, h, today, &term);
		conf_get_string(e, g, "title", &h->title);
		if (h->title == NULL)
			h->title = xstrdup(term >= 0 ? solar_term_title(term) :
			    h->name);
	}
}

/* The holidays list; base is the struct conf.  A list given replaces
 * the built-in one as a whole. */
void
conf_holidays_parse(struct conf_errors *e, const config_setting_t *root,
    void *base, struct conf *c)
{
	const config_setting_t *list;

	if ((list = config_setting_get_member(root, "holidays")) == NULL)
		return;
	conf_holidays_clear(c);
	parse_holidays(e, list, c);
}

/* Frees the holidays list; base is the struct conf. */
void
conf_holidays_clear(void *base)
{
	struct conf *c = base;
	size_t i;

	for (i = 0; i < c->nholidays; i++) {
		free(c->holidays[i].name);
		free(c->holidays[i].title);
		free(c->holidays[i].days);
	}
	free(c->holidays);
	c->holidays = NULL;
	c->nholidays = 0;
}

/* The holiday called name, or NULL. */
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

/* rules.name: required, well formed and not used by an earlier rule. */
static void
rule_name(struct conf_errors *e, const config_setting_t *g, void *base,
    struct conf *c)
{
	struct conf_rule *r = base;
	size_t i;

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
}

/* rules.event: required. */
static void
rule_event(struct conf_errors *e, const config_setting_t *g, void *base,
    struct conf *c)
{
	struct conf_rule *r = base;
	const struct conf_choice *ch = NULL;
	char *event = NULL;

	conf_get_string(e, g, "event", &event);
	if (event == NULL || (ch = conf_choice_find(event_choices,
	    event)) == NULL)
		conf_error(e, g, "rule %s: event must be birthday, anniversary, "
		    "revisit, sleeping, lost, stale, holiday, keydate or "
		    "after_visit",
		    r->name);
	else
		r->event = (enum conf_event)ch->value;
	free(event);
}

/* rules.action: required. */
static void
rule_action(struct conf_errors *e, const config_setting_t *g, void *base,
    struct conf *c)
{
	struct conf_rule *r = base;
	const struct conf_choice *ch = NULL;
	char *action = NULL;

	conf_get_string(e, g, "action", &action);
	if (action == NULL || (ch = conf_choice_find(action_choices,
	    action)) == NULL)
		conf_error(e, g, "rule %s: action must be \"message\", "
		    "\"task\" or \"rep_message\"", r->name);
	else
		r->action = (enum conf_action)ch->value;
	free(action);
}

/* rules.tiers: A, B or C into the rule's mask. */
static void
rule_tiers(struct conf_errors *e, const config_setting_t *g, void *base,
    struct conf *c)
{
	struct conf_rule *r = base;
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
}

/* rules.has: email and/or phone. */
static void
rule_has(struct conf_errors *e, const config_setting_t *g, void *base,
    struct conf *c)
{
	struct conf_rule *r = base;
	char **v;
	size_t n, i;

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
}

/* A message rule's template and channels. */
static void
rule_check_message(struct conf_errors *e, const config_setting_t *g,
    struct conf_rule *r)
{
	static const char *const chans[] = { "preferred", "email", "sms", NULL };
	size_t i;

	if (r->template == NULL)
		r->template = xstrdup(r->name);
	else if (!name_ok(r->template))
		conf_error(e, g, "rule %s: bad template name \"%s\"", r->name,
		    r->template);
	if (r->nchannels == 0) {
		free(r->channels);
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
}

/* A key date rule names the label of its key dates; no other rule
 * does. */
static void
rule_check_label(struct conf_errors *e, const config_setting_t *g,
    struct conf_rule *r)
{
	char *why = NULL;

	if (r->event != EV_KEYDATE) {
		if (r->label != NULL)
			conf_error(e, config_setting_get_member(g, "label"),
			    "rule %s: label is only for event \"keydate\"",
			    r->name);
		return;
	}
	if (r->label == NULL)
		conf_error(e, g, "rule %s: a keydate rule needs the label of "
		    "its key dates (label = \"store_opening\";)", r->name);
	else if (keydate_label_check(r->label, &why) != 0) {
		conf_error(e, config_setting_get_member(g, "label"),
		    "rule %s: %s", r->name, why);
		free(why);
	}
}

/* What the action needs, the holiday of a holiday rule and the label of
 * a key date rule. */
static void
rule_check(struct conf_errors *e, const config_setting_t *g, void *base,
    struct conf *c)
{
	struct conf_rule *r = base;

	if (r->event == EV_AFTER_VISIT && r->action != ACT_MESSAGE)
		conf_error(e, g, "rule %s: an after_visit rule sends the "
		    "survey: action \"message\"", r->name);
	if (r->holdout > 0 && r->action != ACT_MESSAGE)
		conf_error(e, g, "rule %s: holdout is for action \"message\"",
		    r->name);
	if (r->action != ACT_TASK)
		rule_check_message(e, g, r);
	else if (r->task_kind == NULL || !in_list(r->task_kind, task_kinds))
		conf_error(e, g, "rule %s: task must be one of call, visit, gift, "
		    "invite, refresh, meeting, email, winback", r->name);
	if (r->event == EV_HOLIDAY && (r->holiday == NULL ||
	    conf_holiday_find(c, r->holiday) == NULL))
		conf_error(e, g, "rule %s: holiday \"%s\" is not defined in "
		    "holidays", r->name, r->holiday ? r->holiday : "");
	rule_check_label(e, g, r);
}

static const struct conf_entry rule_entries[] = {
	{ .name = "name", .type = CONF_STRING, .parse = rule_name,
	  .doc = "Required and unique: lower-case letters, digits, _ and -." },
	{ .name = "event", .type = CONF_ENUM, .choices = event_choices,
	  .parse = rule_event, .doc = "Required: what the rule reacts to." },
	{ .name = "action", .type = CONF_ENUM, .choices = action_choices,
	  .parse = rule_action,
	  .doc = "Required: message, task, or rep_message (a task with a text)." },
	{ .name = "template", .type = CONF_STRING, .offset = R(template),
	  .def_doc = "the rule's name", .doc = "Messages: the template." },
	{ .name = "channels", .type = CONF_STRINGS, .offset = R(channels),
	  .count = R(nchannels), .def_doc = "preferred, email, sms",
	  .doc = "Messages: channels to try in order: preferred, email, sms." },
	{ .name = "task", .type = CONF_STRING, .offset = R(task_kind),
	  .doc = "Tasks: call, visit, gift, invite, refresh, meeting, email "
	  "or winback." },
	{ .name = "holiday", .type = CONF_STRING, .offset = R(holiday),
	  .doc = "Holiday rules: the name of a holiday in holidays." },
	{ .name = "label", .type = CONF_STRING, .offset = R(label),
	  .doc = "Key date rules: the label of the key dates (import dates)." },
	{ .name = "lead_days", .type = CONF_INT, .offset = R(lead_days),
	  .min = 0, .max = 366, .def = 0,
	  .doc = "The item is due this many days before the event." },
	{ .name = "tiers", .type = CONF_STRINGS, .parse = rule_tiers,
	  .def_doc = "all", .doc = "Only customers of these tiers: A, B, C." },
	{ .name = "reps", .type = CONF_STRINGS, .offset = R(reps),
	  .count = R(nreps), .def_doc = "all",
	  .doc = "Only customers of these reps (rep keys)." },
	{ .name = "has", .type = CONF_STRINGS, .parse = rule_has,
	  .doc = "Only customers with an email address and/or a phone." },
	{ .name = "attrs", .type = CONF_STRINGS, .offset = R(attrs),
	  .count = R(nattrs),
	  .doc = "Only customers who have these custom attributes." },
	{ .name = "priority", .type = CONF_INT, .offset = R(priority),
	  .min = 0, .max = 1000000, .def_doc = "the position in the list",
	  .doc = "For the frequency cap: lower is planned first and wins." },
	{ .name = "max_delay_days", .type = CONF_INT,
	  .offset = R(max_delay_days), .min = 0, .max = 366,
	  .def_doc = "1 for birthday, anniversary, holiday and keydate, "
	  "else 7",
	  .doc = "Messages: sent at most this many days late, else expired." },
	{ .name = "holdout", .type = CONF_NUMBER, .offset = R(holdout),
	  .min = 0, .max = 0.9, .def_num = 0,
	  .doc = "Messages: share of customers due held out as a control group." },
	{ .name = NULL }
};

const struct conf_table conf_rule_table = {
	.usage = "( { ... }, ... )", .entries = rule_entries,
	.check = rule_check
};

/* Frees a list of n strings. */
static void
free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Frees what a rule holds. */
static void
rule_free(struct conf_rule *r)
{
	free(r->name);
	free(r->template);
	free(r->task_kind);
	free(r->holiday);
	free(r->label);
	free_strings(r->channels, r->nchannels);
	free_strings(r->reps, r->nreps);
	free_strings(r->attrs, r->nattrs);
}

/* Each rule of the list, as conf_rule_table describes it. */
static void
parse_rules(struct conf_errors *e, const config_setting_t *list,
    struct conf *c)
{
	config_setting_t *g;
	struct conf_rule *r;
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
		r = &c->rules[c->nrules];
		r->priority = i;
		r->max_delay_days = -1;
		r->line = config_setting_source_line(g);
		conf_table_parse(e, g, &conf_rule_table, r, c);
		/* A greeting late by more than a day is worse than none; a
		 * win-back can wait a week. */
		if (r->max_delay_days < 0)
			r->max_delay_days = r->event == EV_BIRTHDAY ||
			    r->event == EV_ANNIVERSARY ||
			    r->event == EV_HOLIDAY ||
			    r->event == EV_KEYDATE ? 1 : 7;
		c->nrules++;
	}
}

/* The rules list; base is the struct conf.  A list given replaces the
 * built-in one as a whole. */
void
conf_rules_parse(struct conf_errors *e, const config_setting_t *root,
    void *base, struct conf *c)
{
	const config_setting_t *list;

	if ((list = config_setting_get_member(root, "rules")) == NULL)
		return;
	conf_rules_clear(c);
	parse_rules(e, list, c);
}

/* Frees the rules list; base is the struct conf. */
void
conf_rules_clear(void *base)
{
	struct conf *c = base;
	size_t i;

	for (i = 0; i < c->nrules; i++)
		rule_free(&c->rules[i]);
	free(c->rules);
	c->rules = NULL;
	c->nrules = 0;
}

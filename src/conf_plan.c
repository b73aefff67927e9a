/* conf_plan.c - the planner's part of outreachd.conf: planner, tiers,
 * sleeping, stale, holidays and rules. */
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"

static const char *const event_names[EV_COUNT] = {
	"birthday", "anniversary", "revisit", "sleeping", "lost", "stale",
	"holiday",
};

const char *
conf_event_name(enum conf_event ev)
{
	return event_names[ev];
}

/* Values that hold even without any configuration text. */
void
conf_plan_defaults(struct conf *c)
{
	struct conf_plan *p = &c->plan;

	p->grace_days = 3;
	p->feb29 = DATE_FEB29_FEB28;
	p->cap_messages = 2;
	p->cap_days = 7;
	p->cadence[0] = 30, p->cadence[1] = 90, p->cadence[2] = 180;
	p->tier_window_days = 365;
	p->tier_a_share = 0.20;
	p->tier_b_share = 0.60;
	p->sleeping_after_days = 180;
	p->sleeping_factor = 3.0;
	p->sleeping_min_purchases = 4;
	p->lost_after_days = 365;
	p->winback_max = 2;
	p->winback_interval_days = 30;
	p->stale_after_days = 30;
}

static void
free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
rule_free(struct conf_rule *r)
{
	free(r->name);
	free(r->template);
	free(r->task_kind);
	free(r->holiday);
	free_strings(r->channels, r->nchannels);
	free_strings(r->reps, r->nreps);
	free_strings(r->attrs, r->nattrs);
}

void
conf_plan_free_rules(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nrules; i++)
		rule_free(&c->rules[i]);
	free(c->rules);
	c->rules = NULL;
	c->nrules = 0;
}

void
conf_plan_free_holidays(struct conf *c)
{
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

void
conf_plan_free(struct conf *c)
{
	conf_plan_free_rules(c);
	conf_plan_free_holidays(c);
}

void
conf_get_int(struct conf_errors *e, const config_setting_t *group,
    const char *name, int min, int max, int *dst)
{
	config_setting_t *s = config_setting_get_member(group, name);
	long long v;

	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		conf_error(e, s, "%s must be a whole number", name);
		return;
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		conf_error(e, s, "%s must be between %d and %d", name, min, max);
		return;
	}
	*dst = (int)v;
}

void
conf_get_share(struct conf_errors *e, const config_setting_t *group,
    const char *name, double *dst)
{
	config_setting_t *s = config_setting_get_member(group, name);
	double v;

	if (s == NULL)
		return;
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else if (config_setting_type(s) == CONFIG_TYPE_INT)
		v = config_setting_get_int(s);
	else {
		conf_error(e, s, "%s must be a number", name);
		return;
	}
	if (!(v >= 0.0 && v <= 1.0)) {
		conf_error(e, s, "%s must be between 0 and 1", name);
		return;
	}
	*dst = v;
}

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
		*out = xcalloc(1, sizeof(char *));
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

static void
parse_planner(struct conf_errors *e, const config_setting_t *g,
    struct conf_plan *p)
{
	static const char *const known[] = { "grace_days", "feb29",
		"frequency_cap", NULL };
	static const char *const capk[] = { "messages", "days", NULL };
	const config_setting_t *cap;
	char *feb = NULL;

	conf_check_unknown(e, g, known);
	conf_get_int(e, g, "grace_days", 0, 366, &p->grace_days);
	conf_get_string(e, g, "feb29", &feb);
	if (feb != NULL) {
		if (strcmp(feb, "feb28") == 0)
			p->feb29 = DATE_FEB29_FEB28;
		else if (strcmp(feb, "mar1") == 0)
			p->feb29 = DATE_FEB29_MAR1;
		else if (strcmp(feb, "leap-only") == 0)
			p->feb29 = DATE_FEB29_LEAP_ONLY;
		else
			conf_error(e, config_setting_get_member(g, "feb29"),
			    "feb29 must be \"feb28\", \"mar1\" or \"leap-only\"");
		free(feb);
	}
	if ((cap = conf_get_group(e, g, "frequency_cap", capk,
	    "{ messages = N; days = M; }")) != NULL) {
		conf_get_int(e, cap, "messages", 1, 1000, &p->cap_messages);
		conf_get_int(e, cap, "days", 1, 366, &p->cap_days);
	}
}

static void
parse_tiers(struct conf_errors *e, const config_setting_t *g,
    struct conf_plan *p)
{
	static const char *const known[] = { "window_days", "method", "a_share",
		"b_share", "cadence", NULL };
	static const char *const cad[] = { "A", "B", "C", NULL };
	const config_setting_t *cs;
	char *method = NULL;

	conf_check_unknown(e, g, known);
	conf_get_int(e, g, "window_days", 1, 3660, &p->tier_window_days);
	conf_get_share(e, g, "a_share", &p->tier_a_share);
	conf_get_share(e, g, "b_share", &p->tier_b_share);
	if (p->tier_a_share + p->tier_b_share > 1.0 + 1e-9)
		conf_error(e, g, "a_share + b_share must not exceed 1");
	conf_get_string(e, g, "method", &method);
	if (method != NULL) {
		if (strcmp(method, "customers") == 0)
			p->tier_by_revenue = 0;
		else if (strcmp(method, "revenue") == 0)
			p->tier_by_revenue = 1;
		else
			conf_error(e, config_setting_get_member(g, "method"),
			    "method must be \"customers\" or \"revenue\"");
		free(method);
	}
	if ((cs = conf_get_group(e, g, "cadence", cad,
	    "{ A = 30; B = 90; C = 180; }")) != NULL) {
		conf_get_int(e, cs, "A", 1, 3660, &p->cadence[0]);
		conf_get_int(e, cs, "B", 1, 3660, &p->cadence[1]);
		conf_get_int(e, cs, "C", 1, 3660, &p->cadence[2]);
	}
}

static void
parse_sleeping(struct conf_errors *e, const config_setting_t *g,
    struct conf_plan *p)
{
	static const char *const known[] = { "after_days", "median_factor",
		"min_purchases", "lost_after_days", "winback_messages",
		"winback_interval_days", NULL };
	config_setting_t *f;

	conf_check_unknown(e, g, known);
	conf_get_int(e, g, "after_days", 1, 3660, &p->sleeping_after_days);
	conf_get_int(e, g, "min_purchases", 2, 1000,
	    &p->sleeping_min_purchases);
	conf_get_int(e, g, "lost_after_days", 1, 7320, &p->lost_after_days);
	conf_get_int(e, g, "winback_messages", 0, 10, &p->winback_max);
	conf_get_int(e, g, "winback_interval_days", 1, 366,
	    &p->winback_interval_days);
	if ((f = config_setting_get_member(g, "median_factor")) != NULL) {
		if (config_setting_type(f) == CONFIG_TYPE_FLOAT ||
		    config_setting_type(f) == CONFIG_TYPE_INT)
			p->sleeping_factor = config_setting_type(f) ==
			    CONFIG_TYPE_FLOAT ? config_setting_get_float(f) :
			    config_setting_get_int(f);
		if (!(p->sleeping_factor >= 1.0 && p->sleeping_factor <= 100))
			conf_error(e, f, "median_factor must be a number "
			    "between 1 and 100");
	}
	if (p->lost_after_days <= p->sleeping_after_days)
		conf_error(e, g, "lost_after_days must be greater than "
		    "after_days");
}

static void
parse_group(struct conf_errors *e, const config_setting_t *root,
    const char *name, struct conf_plan *p,
    void (*fn)(struct conf_errors *, const config_setting_t *,
    struct conf_plan *))
{
	const config_setting_t *g = conf_get_group(e, root, name, NULL,
	    "{ ... }");

	if (g != NULL)
		fn(e, g, p);
}

static void
parse_stale(struct conf_errors *e, const config_setting_t *g,
    struct conf_plan *p)
{
	static const char *const known[] = { "after_days", NULL };

	conf_check_unknown(e, g, known);
	conf_get_int(e, g, "after_days", 1, 3660, &p->stale_after_days);
}

void
conf_plan_parse(struct conf_errors *e, const config_setting_t *root,
    struct conf *c)
{
	parse_group(e, root, "planner", &c->plan, parse_planner);
	parse_group(e, root, "tiers", &c->plan, parse_tiers);
	parse_group(e, root, "sleeping", &c->plan, parse_sleeping);
	parse_group(e, root, "stale", &c->plan, parse_stale);
	conf_lists_parse(e, root, c);
}

/* cli_customer.c - outreachctl customer, rep and contact commands
 * (customer forget is in cli_forget.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "date.h"
#include "date_zone.h"
#include "json.h"
#include "keydate.h"
#include "store_outcome.h"
#include "util.h"

static int	customer_list(struct cli *, const struct cli_cmd *, int,
		    char **);
static int	customer_show(struct cli *, const struct cli_cmd *, int,
		    char **);
static int	customer_add(struct cli *, const struct cli_cmd *, int,
		    char **);
static int	customer_set(struct cli *, const struct cli_cmd *, int,
		    char **);
static int	rep_add(struct cli *, const struct cli_cmd *, int, char **);
static int	contact_log(struct cli *, const struct cli_cmd *, int, char **);

static const struct option customer_list_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "tier", required_argument, NULL, 't' },
	{ "rep", required_argument, NULL, 'r' },
	{ "limit", required_argument, NULL, 'n' },
	{ "stale", no_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct option json_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_customer_list_entry = {
	.name = "customer list",
	.usage = "[--tier T] [--rep R] [--limit N] [--stale] [--json]",
	.help = "list customers (--stale: records flagged for refresh)",
	.opts = customer_list_opts,
	.flags = CLI_READ,
	.run = customer_list,
};

const struct cli_cmd cli_customer_show_entry = {
	.name = "customer show",
	.usage = "ID [--json]",
	.help = "show one customer and the outcomes of its tasks",
	.opts = json_opts,
	.flags = CLI_READ,
	.run = customer_show,
};

const struct cli_cmd cli_customer_add_entry = {
	.name = "customer add",
	.usage = "ID name=NAME [FIELD=VALUE|attr.NAME=VALUE ...]",
	.help = "add a customer",
	.flags = CLI_WAKE,
	.run = customer_add,
};

const struct cli_cmd cli_customer_set_entry = {
	.name = "customer set",
	.usage = "ID FIELD=VALUE|attr.NAME=VALUE ...",
	.help = "change fields of a customer (an empty VALUE clears)",
	.flags = CLI_WAKE,
	.run = customer_set,
};

static const struct option rep_add_opts[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "email", required_argument, NULL, 'e' },
	{ "phone", required_argument, NULL, 'p' },
	{ "timezone", required_argument, NULL, 't' },
	{ "locale", required_argument, NULL, 'l' },
	{ "digest", no_argument, NULL, 'd' },
	{ "no-digest", no_argument, NULL, 'D' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_rep_add_entry = {
	.name = "rep add",
	.usage = "KEY --name NAME [--email ADDRESS] [--phone NUMBER] "
	    "[--timezone TZ] [--locale LOCALE] [--digest|--no-digest]",
	.help = "add or update a sales rep",
	.opts = rep_add_opts,
	.run = rep_add,
};

static const struct option contact_log_opts[] = {
	{ "kind", required_argument, NULL, 'k' },
	{ "date", required_argument, NULL, 'd' },
	{ "note", required_argument, NULL, 'n' },
	{ "rep", required_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_contact_log_entry = {
	.name = "contact log",
	.usage = "CUSTOMER --kind call|visit|email|sms|gift|meeting|message "
	    "[--date YYYY-MM-DD] [--note TEXT] [--rep KEY]",
	.help = "record a rep's contact (resets the revisit clock)",
	.opts = contact_log_opts,
	.flags = CLI_WAKE,
	.run = contact_log,
};

/* What a listing's options asked for. */
struct list_opts {
	int json;
	const char *tier;
	const char *rep;
	long limit;
	int stale;
};

/* Parses the listing options of the command's table (--json, --tier,
 * --rep, --limit, --help); returns -1 to continue or an exit code. */
static int
parse_list_opts(const struct cli_cmd *self, int argc, char **argv,
    struct list_opts *lo)
{
	int ch;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		switch (ch) {
		case 'j':
			lo->json = 1;
			break;
		case 't':
			lo->tier = optarg;
			break;
		case 'r':
			lo->rep = optarg;
			break;
		case 'n':
			lo->limit = strtol(optarg, NULL, 10);
			break;
		case 's':
			lo->stale = 1;
			break;
		case 'h':
			return cli_usage(self, 0);
		default:
			return cli_usage(self, EX_USAGE);
		}
	}
	return -1;
}

static void
json_day(struct json *j, const char *key, int32_t day)
{
	char d[11];

	json_key(j, key);
	if (day == DAY_NONE) {
		json_null(j);
		return;
	}
	date_format(day, d);
	json_string(j, d);
}

static void
json_time(struct json *j, const char *key, int64_t t)
{
	char s[32];
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_kv_string(j, key, s);
}

/* A customer as a JSON object; with keep_open its closing brace is the
 * caller's (to add more members). */
static void
customer_json(struct json *j, const struct customer *c, int keep_open)
{
	size_t i;
	int f;

	json_begin_object(j);
	for (f = 0; f < CUST_NFIELDS; f++) {
		if (f == CUST_TIER)
			json_kv_string(j, "tier", customer_tier(c) ?
			    customer_tier(c) : "C");
		else
			json_kv_string(j, customer_field_name(f), c->field[f]);
	}
	json_kv_string(j, "tier_manual", c->field[CUST_TIER]);
	json_kv_string(j, "tier_computed", c->tier_computed);
	json_day(j, "last_contact", c->last_contact);
	json_day(j, "first_purchase", c->first_purchase);
	json_day(j, "last_purchase", c->last_purchase);
	json_day(j, "stale_since", c->stale_since);
	json_kv_string(j, "stale_note", c->stale_note);
	json_time(j, "created_at", c->created_at);
	json_time(j, "updated_at", c->updated_at);
	json_key(j, "attrs");
	json_begin_object(j);
	for (i = 0; i < c->nattrs; i++)
		json_kv_string(j, c->attrs[i].name, c->attrs[i].value);
	json_end_object(j);
	if (!keep_open)
		json_end_object(j);
}

static const char *
dash(const char *s)
{
	return s ? s : "-";
}

static int
print_customer_row(void *arg, const struct customer *c)
{
	struct json *j = arg;

	if (j != NULL) {
		customer_json(j, c, 0);
		return 0;
	}
	printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c->field[CUST_EXTERNAL_ID],
	    c->field[CUST_NAME], customer_tier(c) ? customer_tier(c) : "C",
	    dash(c->field[CUST_REP]), dash(c->field[CUST_BIRTHDAY]),
	    dash(c->field[CUST_PHONE]), dash(c->field[CUST_EMAIL]));
	return 0;
}

/* customer list: one line (or object) per customer. */
static int
customer_list(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv)
{
	struct list_opts lo = { 0 };
	struct store_customer_filter f = { 0 };
	struct json j;
	char *cause = NULL;
	int rc;

	if ((rc = parse_list_opts(self, argc, argv, &lo)) >= 0)
		return rc;
	f.tier = lo.tier, f.rep = lo.rep, f.limit = lo.limit;
	f.stale = lo.stale;
	if (lo.json) {
		json_init(&j, stdout, 0);
		json_begin_array(&j);
	} else
		printf("external_id\tname\ttier\trep\tbirthday\tphone\temail\n");
	rc = store_customer_each(cli_store(cli), &f, print_customer_row,
	    lo.json ? &j : NULL, &cause);
	if (rc < 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	if (lo.json)
		json_end_array(&j);
	return 0;
}

/* Loads one customer or reports it missing (EX_DATAERR). */
static int
load_customer(struct cli *cli, const char *id, struct customer *c)
{
	char *cause = NULL;
	int rc;

	customer_init(c);
	rc = store_customer_get(cli_store(cli), id, c, &cause);
	if (rc < 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	if (rc == 0)
		return cli_fail(EX_DATAERR, "no customer \"%s\"", id);
	return 0;
}

/* One outcome of the customer's tasks: a line, or a JSON object. */
static int
print_event(void *arg, const struct store_task_event *e)
{
	struct json *j = arg;
	char d[11], when[11] = "-";

	date_format(e->day, d);
	if (e->date != DAY_NONE)
		date_format(e->date, when);
	if (j == NULL) {
		printf("outcome        %s task %lld (%s): %s%s%s%s%s, by %s "
		    "(%s)%s%s\n", d, (long long)e->item_id, dash(e->task_kind),
		    e->outcome, e->kind ? " " : "", e->kind ? e->kind : "",
		    e->date != DAY_NONE ? " " : "", e->date != DAY_NONE ?
		    when : "", dash(e->rep), e->source, e->note ? ": " : "",
		    e->note ? e->note : "");
		return 0;
	}
	json_begin_object(j);
	json_kv_int(j, "task", e->item_id);
	json_kv_string(j, "day", d);
	json_kv_string(j, "outcome", e->outcome);
	json_kv_string(j, "kind", e->kind);
	json_day(j, "date", e->date);
	json_kv_string(j, "note", e->note);
	json_kv_string(j, "rep", e->rep);
	json_kv_string(j, "source", e->source);
	json_time(j, "at", e->at);
	json_end_object(j);
	return 0;
}

/* The outcomes of the customer's tasks, oldest first. */
static int
show_history(struct cli *cli, const struct customer *c, struct json *j)
{
	char *cause = NULL;
	int rc;

	if (j != NULL) {
		json_key(j, "outcomes");
		json_begin_array(j);
	}
	rc = store_task_events_each(cli_store(cli), c->id, print_event, j,
	    &cause);
	if (j != NULL)
		json_end_array(j);
	if (rc != 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	return 0;
}

/* The customer's key dates: a line each ("keydate  store_opening
 * 2019-05-01 yearly (新店开业)"), or a "keydates" array. */
static void
show_keydates(const struct conf *cf, const struct customer *c,
    struct json *j)
{
	const struct keydate *k;
	const char *title;
	size_t i;

	if (j != NULL) {
		json_key(j, "keydates");
		json_begin_array(j);
	}
	for (i = 0; i < c->nkeydates; i++) {
		k = &c->keydates[i];
		title = conf_keydate_title(cf, k->label);
		if (j == NULL) {
			printf("%-14s %s %s %s%s%s%s\n", "keydate", k->label,
			    k->date, k->yearly ? "yearly" : "once",
			    title != k->label ? " (" : "",
			    title != k->label ? title : "",
			    title != k->label ? ")" : "");
			continue;
		}
		json_begin_object(j);
		json_kv_string(j, "label", k->label);
		json_kv_string(j, "title", title);
		json_kv_string(j, "date", k->date);
		json_key(j, "yearly");
		json_bool(j, k->yearly);
		json_end_object(j);
	}
	if (j != NULL)
		json_end_array(j);
}

/* The fields as text lines. */
static void
show_text(const struct customer *c)
{
	char d[11];
	size_t i;
	int f;

	for (f = 0; f < CUST_NFIELDS; f++)
		printf("%-14s %s\n", customer_field_name(f), f == CUST_TIER ?
		    dash(customer_tier(c)) : dash(c->field[f]));
	printf("%-14s %s\n", "last_contact", c->last_contact == DAY_NONE ?
	    "-" : (date_format(c->last_contact, d), d));
	printf("%-14s %s\n", "last_purchase", c->last_purchase == DAY_NONE ?
	    "-" : (date_format(c->last_purchase, d), d));
	if (c->stale_since != DAY_NONE) {
		date_format(c->stale_since, d);
		printf("%-14s since %s: %s\n", "stale", d, dash(c->stale_note));
	}
	for (i = 0; i < c->nattrs; i++)
		printf("attr.%-9s %s\n", c->attrs[i].name, c->attrs[i].value);
}

/* customer show: every field of one customer, then its task outcomes. */
static int
customer_show(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv)
{
	struct list_opts lo = { 0 };
	struct customer c;
	struct json j;
	int rc;

	if ((rc = parse_list_opts(self, argc, argv, &lo)) >= 0)
		return rc;
	if (optind != argc - 1)
		return cli_usage(self, EX_USAGE);
	if ((rc = load_customer(cli, argv[optind], &c)) != 0)
		return rc;
	if (lo.json) {
		json_init(&j, stdout, 1);
		customer_json(&j, &c, 1);
		show_keydates(cli->conf, &c, &j);
		rc = show_history(cli, &c, &j);
		json_end_object(&j);
	} else {
		show_text(&c);
		show_keydates(cli->conf, &c, NULL);
		rc = show_history(cli, &c, NULL);
	}
	customer_clear(&c);
	return rc;
}

/* Applies FIELD=VALUE arguments (attr.NAME=VALUE for attributes) to c and
 * returns the mask of fields set, or minus the exit code after reporting an
 * error. */
static long
apply_assignments(struct cli *cli, struct customer *c, int argc, char **argv)
{
	long present = 0;
	char *name, *eq, *v, *cause = NULL;
	int i, f;

	for (i = 0; i < argc; i++) {
		if ((eq = strchr(argv[i], '=')) == NULL) {
			cli_fail(EX_USAGE, "\"%s\": expected FIELD=VALUE", argv[i]);
			return -EX_USAGE;
		}
		name = xstrndup(argv[i], (size_t)(eq - argv[i]));
		if (strncmp(name, "attr.", 5) == 0 &&
		    customer_attr_name_valid(name + 5)) {
			customer_attr_set(c, name + 5, eq + 1);
		} else if ((f = customer_field_lookup(name)) <= 0) {
			cli_fail(EX_USAGE, "\"%s\": unknown field", name);
			free(name);
			return -EX_USAGE;
		} else if (customer_normalize(f, eq + 1, &cli->rules, &v,
		    &cause) != 0) {
			cli_fail(EX_DATAERR, "%s: %s", name, cause);
			free(cause);
			free(name);
			return -EX_DATAERR;
		} else {
			free(c->field[f]);
			c->field[f] = v;
			present |= 1L << f;
		}
		free(name);
	}
	return present;
}

/* customer add and customer set share everything but the existence test. */
static int
customer_write(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv, int adding)
{
	struct customer c;
	struct customer_keys keys;
	struct store_rep r = { 0 };
	struct store *st;
	char *cause = NULL, *id = NULL;
	int64_t cid;
	long present;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0)
		return cli_usage(self, argc < 2 ? EX_USAGE : 0);
	st = cli_store(cli);
	customer_init(&c);
	rc = store_customer_get(st, argv[1], &c, &cause);
	if (rc < 0 || (rc == 1) == adding) {
		customer_clear(&c);
		if (rc < 0)
			return cli_fail(EX_SOFTWARE, "%s", cause);
		return cli_fail(EX_DATAERR, "customer \"%s\" %s", argv[1],
		    adding ? "already exists (use customer set)" :
		    "does not exist (use customer add)");
	}
	if (adding && customer_normalize(CUST_EXTERNAL_ID, argv[1], &cli->rules,
	    &id, &cause) != 0) {
		rc = cli_fail(EX_DATAERR, "external_id: %s", cause);
		goto out;
	}
	if (adding)
		c.field[CUST_EXTERNAL_ID] = id;
	if ((present = apply_assignments(cli, &c, argc - 2, argv + 2)) < 0) {
		rc = (int)-present;
		goto out;
	}
	if (c.field[CUST_NAME] == NULL) {
		rc = cli_fail(EX_USAGE, "name=... is required");
		goto out;
	}
	if (c.field[CUST_REP] && store_rep_get(st, c.field[CUST_REP], &r,
	    NULL) != 1) {
		rc = cli_fail(EX_DATAERR, "unknown rep \"%s\"", c.field[CUST_REP]);
		goto out;
	}
	customer_keys(&c, &keys);
	if (adding)
		present = (1L << CUST_NFIELDS) - 1;
	if (store_customer_upsert(st, &c, &keys, (unsigned)present, time(NULL),
	    &cid, &cause) != 0)
		rc = cli_fail(EX_SOFTWARE, "%s", cause);
	else
		rc = 0;
out:
	store_rep_clear(&r);
	free(cause);
	customer_clear(&c);
	return rc;
}

/* customer add: a new customer. */
static int
customer_add(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv)
{
	return customer_write(cli, self, argc, argv, 1);
}

/* customer set: fields of an existing customer. */
static int
customer_set(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv)
{
	return customer_write(cli, self, argc, argv, 0);
}

/* A setting given anew (NULL: keep the old one), "" clearing it. */
static char *
rep_setting(const char *given, const char *old)
{
	const char *v = given != NULL ? given : old;

	return str_empty(v) ? NULL : xstrdup(v);
}

/* Keeps a rep's time zone, locale and digest choice unless given anew. */
static void
rep_keep(struct cli *cli, struct store_rep *r, const char *tz,
    const char *locale, int digest)
{
	struct store_rep old = { 0 };

	if (store_rep_get(cli_store(cli), r->key, &old, NULL) != 1)
		old.digest = 0;
	r->timezone = rep_setting(tz, old.timezone);
	r->locale = rep_setting(locale, old.locale);
	r->digest = digest >= 0 ? digest : old.digest;
	store_rep_clear(&old);
}

/* rep add: a new rep, or new details of one. */
static int
rep_add(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	struct store_rep r = { 0 };
	char *cause = NULL, *email = NULL, *phone = NULL, *locale = NULL;
	const char *tz = NULL;
	int ch, rc = 0, digest = -1;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		switch (ch) {
		case 'n':
			r.name = optarg;
			break;
		case 'e':
			free(email);
			if (customer_normalize(CUST_EMAIL, optarg, &cli->rules,
			    &email, &cause) != 0)
				rc = cli_fail(EX_DATAERR, "--email: %s", cause);
			break;
		case 'p':
			free(phone);
			if (customer_normalize(CUST_PHONE, optarg, &cli->rules,
			    &phone, &cause) != 0)
				rc = cli_fail(EX_DATAERR, "--phone: %s", cause);
			break;
		case 't':
			tz = optarg;
			if (*tz != '\0' && !date_tz_valid(tz))
				rc = cli_fail(EX_DATAERR, "--timezone: unknown "
				    "time zone \"%s\"", tz);
			break;
		case 'l':
			free(locale);
			locale = NULL;
			if (*optarg == '\0')
				locale = xstrdup("");
			else if (customer_normalize(CUST_LOCALE, optarg,
			    &cli->rules, &locale, &cause) != 0)
				rc = cli_fail(EX_DATAERR, "--locale: %s",
				    cause);
			break;
		case 'd':
		case 'D':
			digest = ch == 'd';
			break;
		case 'h':
			return cli_usage(self, 0);
		default:
			return cli_usage(self, EX_USAGE);
		}
		free(cause);
		cause = NULL;
	}
	if (rc == 0 && (optind != argc - 1 || r.name == NULL))
		rc = cli_usage(self, EX_USAGE);
	if (rc == 0 && customer_normalize(CUST_REP, argv[optind], &cli->rules,
	    &r.key, &cause) != 0)
		rc = cli_fail(EX_DATAERR, "%s", cause);
	r.email = email, r.phone = phone;
	if (rc == 0)
		rep_keep(cli, &r, tz, locale, digest);
	if (rc == 0 && store_rep_upsert(cli_store(cli), &r, &cause) != 0)
		rc = cli_fail(EX_SOFTWARE, "%s", cause);
	free(r.key);
	free(r.timezone);
	free(r.locale);
	free(locale);
	free(email);
	free(phone);
	free(cause);
	return rc;
}

/* contact log: a rep's own touch, which resets the revisit clock. */
static int
contact_log(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv)
{
	const char *kind = NULL, *note = NULL, *rep = NULL;
	struct store_rep r = { 0 };
	struct store *st;
	char *cause = NULL;
	int32_t day = DAY_NONE;
	int64_t cid;
	int ch, rc;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		switch (ch) {
		case 'k':
			kind = optarg;
			break;
		case 'd':
			if (cli_parse_day(optarg, &day) != 0)
				return EX_USAGE;
			break;
		case 'n':
			note = optarg;
			break;
		case 'r':
			rep = optarg;
			break;
		case 'h':
			return cli_usage(self, 0);
		default:
			return cli_usage(self, EX_USAGE);
		}
	}
	if (optind != argc - 1 || kind == NULL)
		return cli_usage(self, EX_USAGE);
	if (strstr("|call|visit|email|sms|gift|meeting|message|", kind) ==
	    NULL || strchr(kind, '|') != NULL || *kind == '\0')
		return cli_fail(EX_USAGE, "\"%s\": kind must be call, visit, "
		    "email, sms, gift, meeting or message", kind);
	st = cli_store(cli);
	if ((rc = store_customer_id(st, argv[optind], &cid, &cause)) != 1) {
		rc = rc < 0 ? cli_fail(EX_SOFTWARE, "%s", cause) :
		    cli_fail(EX_DATAERR, "no customer \"%s\"", argv[optind]);
		free(cause);
		return rc;
	}
	if (rep != NULL && store_rep_get(st, rep, &r, NULL) != 1)
		return cli_fail(EX_DATAERR, "unknown rep \"%s\"", rep);
	if (day == DAY_NONE)
		day = cli_today(cli);
	rc = 0;
	if (store_contact_add(st, cid, r.id, day, kind, note, &cause) != 0)
		rc = cli_fail(EX_SOFTWARE, "%s", cause);
	store_rep_clear(&r);
	free(cause);
	return rc;
}

/* cli_task.c - outreachctl task list and task done: the reps' tasks, as
 * their feeds show them, from the command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "date.h"
#include "feeds.h"
#include "json.h"
#include "store_task.h"
#include "util.h"

static int	task_list(struct cli *, const struct cli_cmd *, int, char **);
static int	task_done(struct cli *, const struct cli_cmd *, int, char **);

static const struct option task_list_opts[] = {
	{ "rep", required_argument, NULL, 'r' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_task_list_entry = {
	.name = "task list",
	.usage = "[--rep R] [--json]",
	.help = "list open tasks and those closed within "
	    "http.done_visible_days",
	.opts = task_list_opts,
	.flags = CLI_READ,
	.run = task_list,
};

static const struct option task_done_opts[] = {
	{ "note", required_argument, NULL, 'n' },
	{ "date", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_task_done_entry = {
	.name = "task done",
	.usage = "ID [--note TEXT] [--date YYYY-MM-DD]",
	.help = "close a task and log the contact (restarts the revisit clock)",
	.opts = task_done_opts,
	.flags = CLI_WAKE,
	.run = task_done,
};

/* A unix time as "YYYY-MM-DDTHH:MM:SSZ", or null for 0. */
static void
json_utc(struct json *j, const char *key, int64_t t)
{
	char s[32];
	time_t tt = (time_t)t;
	struct tm tm;

	json_key(j, key);
	if (t == 0 || gmtime_r(&tt, &tm) == NULL) {
		json_null(j);
		return;
	}
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_string(j, s);
}

/* One task as a JSON object. */
static void
task_json(struct json *j, const struct store_task *t)
{
	char d[11], tier[2] = { t->tier, '\0' };

	date_format(t->day, d);
	json_begin_object(j);
	json_kv_int(j, "id", t->id);
	json_kv_string(j, "date", d);
	json_kv_string(j, "status", t->status);
	json_kv_string(j, "kind", t->kind);
	json_kv_string(j, "rule", t->rule);
	json_kv_string(j, "event", t->event);
	json_kv_string(j, "customer", t->external_id);
	json_kv_string(j, "name", t->customer);
	json_kv_string(j, "tier", tier);
	json_kv_string(j, "rep", t->rep);
	json_kv_string(j, "phone", t->phone);
	json_kv_string(j, "email", t->email);
	json_key(j, "last_contact");
	if (t->last_contact == DAY_NONE) {
		json_null(j);
	} else {
		date_format(t->last_contact, d);
		json_string(j, d);
	}
	json_kv_string(j, "reason", t->reason);
	json_kv_string(j, "note", t->note);
	json_kv_int(j, "sequence", t->sequence);
	json_utc(j, "created_at", t->created_at);
	json_utc(j, "done_at", t->done_at);
	json_end_object(j);
}

/* Prints one task: a JSON object, or a tab-separated line. */
static int
task_print(void *arg, const struct store_task *t)
{
	struct json *j = arg;
	char d[11];

	if (j != NULL) {
		task_json(j, t);
		return 0;
	}
	date_format(t->day, d);
	printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", (long long)t->id, d,
	    t->status, t->kind ? t->kind : "-", t->external_id,
	    t->customer ? t->customer : "-", t->rep ? t->rep : "-",
	    t->reason ? t->reason : "");
	return 0;
}

/* task list: open tasks and those closed lately, as the feeds show them. */
static int
task_list(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	const char *rep = NULL;
	struct json j;
	char *cause = NULL;
	int64_t since;
	int ch, json = 0;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch == 'r')
			rep = optarg;
		else if (ch == 'j')
			json = 1;
		else
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
	}
	if (optind != argc)
		return cli_usage(self, EX_USAGE);
	since = ((int64_t)feeds_day(time(NULL)) -
	    cli->conf->http.done_visible_days) * 86400;
	if (json) {
		json_init(&j, stdout, 0);
		json_begin_array(&j);
	}
	if (store_task_each(cli_store(cli), rep, since, task_print,
	    json ? &j : NULL, &cause) != 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	if (json) {
		json_end_array(&j);
		putchar('\n');
	}
	return 0;
}

/* Parses a task id: a positive decimal number. */
static int
parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v <= 0) {
		cli_fail(EX_USAGE, "\"%s\": not a task id", s);
		return -1;
	}
	*id = v;
	return 0;
}

/* Why a task could not be closed: missing, or not open any more. */
static int
task_not_open(struct store *st, int64_t id)
{
	struct store_task t;
	char *cause = NULL;
	int rc;

	if ((rc = store_task_get(st, id, &t, &cause)) < 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	if (rc == 0)
		return cli_fail(EX_DATAERR, "no task %lld", (long long)id);
	rc = cli_fail(EX_DATAERR, "task %lld is %s already", (long long)id,
	    t.status);
	store_task_clear(&t);
	return rc;
}

/* task done: closes a task and logs the rep's contact, which restarts
 * the customer's revisit clock. */
static int
task_done(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	const char *note = NULL;
	char *cause = NULL, d[11];
	int32_t day = DAY_NONE;
	int64_t id;
	int ch, rc;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch == 'n')
			note = optarg;
		else if (ch == 'd') {
			if (cli_parse_day(optarg, &day) != 0)
				return EX_USAGE;
		} else
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
	}
	if (optind != argc - 1)
		return cli_usage(self, EX_USAGE);
	if (parse_id(argv[optind], &id) != 0)
		return EX_USAGE;
	if (day == DAY_NONE)
		day = cli_today(cli);
	rc = store_task_done(cli_store(cli), id, note, day, time(NULL), &cause);
	if (rc < 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	if (rc == 0)
		return task_not_open(cli_store(cli), id);
	date_format(day, d);
	printf("task %lld done; contact logged on %s\n", (long long)id, d);
	return 0;
}

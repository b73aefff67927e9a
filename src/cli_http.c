/* cli_http.c - outreachctl task, feed and rep token: the reps' side of
 * the HTTP service, from the command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "date.h"
#include "feeds.h"
#include "json.h"
#include "store_task.h"
#include "token.h"
#include "util.h"

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
task_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rep", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rep = NULL;
	struct json j;
	char *cause = NULL;
	int64_t since;
	int ch, json = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'r')
			rep = optarg;
		else if (ch == 'j')
			json = 1;
		else
			return cli_usage(&cli_task_cmds[0], ch == 'h' ? 0 :
			    EX_USAGE);
	}
	if (optind != argc)
		return cli_usage(&cli_task_cmds[0], EX_USAGE);
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
task_done(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "note", required_argument, NULL, 'n' },
		{ "date", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *note = NULL;
	char *cause = NULL, d[11];
	int32_t day = DAY_NONE;
	int64_t id;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'n')
			note = optarg;
		else if (ch == 'd') {
			if (cli_parse_day(optarg, &day) != 0)
				return EX_USAGE;
		} else
			return cli_usage(&cli_task_cmds[1], ch == 'h' ? 0 :
			    EX_USAGE);
	}
	if (optind != argc - 1)
		return cli_usage(&cli_task_cmds[1], EX_USAGE);
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

const struct cli_cmd cli_task_cmds[] = {
	{ "list", "[--rep R] [--json]", "list open tasks and those closed "
	  "within http.done_visible_days", task_list },
	{ "done", "ID [--note T] [--date YYYY-MM-DD]", "close a task and log "
	  "the contact (restarts the revisit clock)", task_done },
	{ NULL, NULL, NULL, NULL },
};

/* Finds a rep or explains why not: 0, or an exit code. */
static int
rep_find(struct cli *cli, const char *key, struct store_rep *r)
{
	char *cause = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = store_rep_get(cli_store(cli), key, r, &cause)) < 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	return rc == 0 ? cli_fail(EX_DATAERR, "no rep \"%s\"", key) : 0;
}

/* outreachctl feed REP [--birthdays]: the calendar on stdout. */
int
cli_cmd_feed(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "birthdays", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_cmd cmd = { "feed", "REP [--birthdays]",
		"write a rep's follow-up (or birthday) calendar to stdout", NULL };
	enum feeds_kind kind = FEEDS_FOLLOWUPS;
	struct feeds_doc doc;
	struct store_rep r;
	char *cause = NULL;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'b')
			kind = FEEDS_BIRTHDAYS;
		else
			return cli_usage(&cmd, ch == 'h' ? 0 : EX_USAGE);
	}
	if (optind != argc - 1)
		return cli_usage(&cmd, EX_USAGE);
	if ((rc = rep_find(cli, argv[optind], &r)) != 0)
		return rc;
	rc = feeds_render(cli_store(cli), cli->conf, &r, kind, time(NULL), &doc,
	    &cause);
	store_rep_clear(&r);
	if (rc != 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	rc = fwrite(doc.data, 1, doc.len, stdout) == doc.len &&
	    fflush(stdout) == 0 ? 0 : cli_fail(EX_IOERR, "stdout: %m");
	feeds_doc_free(&doc);
	return rc;
}

/* Saves a new token's hash for the rep: 0 or an exit code. */
static int
token_save(struct cli *cli, const char *rep, const char *token)
{
	char *hash = token_hash(token), *cause = NULL;
	int rc;

	rc = store_rep_token_set(cli_store(cli), rep, hash, &cause);
	free(hash);
	if (rc < 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	return rc == 0 ? cli_fail(EX_DATAERR, "no rep \"%s\"", rep) : 0;
}

/* outreachctl rep token REP: a new feed token, URLs once. */
int
cli_cmd_rep_token(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd cmd = { "token", "REP", "give the rep a new feed "
		"token (the old URLs stop working) and print the URLs", NULL };
	struct store_rep r;
	char *token, *url;
	int rc, k;

	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		return cli_usage(&cmd, 0);
	if (argc != 2 || argv[1][0] == '-')
		return cli_usage(&cmd, EX_USAGE);
	if ((rc = rep_find(cli, argv[1], &r)) != 0)
		return rc;
	if ((token = token_new()) == NULL) {
		store_rep_clear(&r);
		return cli_fail(EX_OSERR, "cannot read random bytes");
	}
	if ((rc = token_save(cli, r.key, token)) == 0) {
		for (k = 0; k < FEEDS_NKINDS; k++) {
			url = feeds_url(cli->conf, token, (enum feeds_kind)k);
			printf("%s\n", url);
			free(url);
		}
		fprintf(stderr, "outreachctl: feed URLs of rep %s: the token is "
		    "shown only now; the previous URLs no longer work\n", r.key);
	}
	memset(token, 0, strlen(token));
	free(token);
	store_rep_clear(&r);
	return rc;
}

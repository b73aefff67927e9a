/* cli_task.c - outreachctl task list, done, outcome and cancel: the reps'
 * tasks, as their feeds show them, and what came of working them (the
 * rules are outcome.c's). */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "date.h"
#include "escalate.h"
#include "feeds.h"
#include "json.h"
#include "outcome.h"
#include "reason.h"
#include "store_task.h"
#include "util.h"

static int	task_list(struct cli *, const struct cli_cmd *, int, char **);
static int	task_show(struct cli *, const struct cli_cmd *, int, char **);
static int	task_done(struct cli *, const struct cli_cmd *, int, char **);
static int	task_outcome(struct cli *, const struct cli_cmd *, int,
		    char **);
static int	task_cancel(struct cli *, const struct cli_cmd *, int, char **);

static const struct option task_list_opts[] = {
	{ "rep", required_argument, NULL, 'r' },
	{ "escalated", no_argument, NULL, 'e' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_task_list_entry = {
	.name = "task list",
	.usage = "[--rep R] [--escalated] [--json]",
	.help = "list open tasks and those closed within "
	    "http.done_visible_days, or only the escalated ones",
	.opts = task_list_opts,
	.flags = CLI_READ,
	.run = task_list,
};

static const struct option task_show_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_task_show_entry = {
	.name = "task show",
	.usage = "ID [--json]",
	.help = "one task in full, with the text of a message for the rep to "
	    "send",
	.opts = task_show_opts,
	.flags = CLI_READ,
	.run = task_show,
};

static const struct option task_done_opts[] = {
	{ "note", required_argument, NULL, 'n' },
	{ "date", required_argument, NULL, 'd' },
	{ "kind", required_argument, NULL, 'k' },
	{ "rep", required_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_task_done_entry = {
	.name = "task done",
	.usage = "ID [--kind K] [--note TEXT] [--date YYYY-MM-DD] [--rep KEY]",
	.help = "the outcome \"reached\": close the task and the follow-ups "
	    "it satisfies, log the contact",
	.opts = task_done_opts,
	.flags = CLI_WAKE,
	.run = task_done,
};

const struct cli_cmd cli_task_outcome_entry = {
	.name = "task outcome",
	.usage = "ID reached|not-reached|snooze|next|wrong-number|cancel "
	    "[--kind K] [--date YYYY-MM-DD] [--note TEXT] [--rep KEY]",
	.help = "record what came of working a task",
	.opts = task_done_opts,
	.flags = CLI_WAKE,
	.run = task_outcome,
};

static const struct option task_cancel_opts[] = {
	{ "reason", required_argument, NULL, 'n' },
	{ "rep", required_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_task_cancel_entry = {
	.name = "task cancel",
	.usage = "ID --reason TEXT [--rep KEY]",
	.help = "cancel a task with a reason (no contact is logged)",
	.opts = task_cancel_opts,
	.flags = CLI_WAKE,
	.run = task_cancel,
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

/* How a listing prints. */
struct task_print_ctx {
	struct json *j;	/* NULL: tab-separated lines */
	int32_t today;
	int64_t now;
	const struct conf *cf;
	int escalated;	/* only escalated tasks, with why */
};

/* The escalation of a task now, in its rep's time zone. */
static unsigned
task_escalation(const struct task_print_ctx *ctx, const struct store_task *t,
    int *overdue)
{
	int32_t today;

	if (overdue != NULL)
		*overdue = 0;
	if (escalate_today(ctx->now, t->rep_tz, ctx->cf->timezone, &today,
	    NULL) != 0)
		return 0;
	return escalate_task(t, today, ctx->cf->plan.task_escalate_days,
	    overdue);
}

/* The reasons of an escalation as a JSON array. */
static void
json_escalation(struct json *j, unsigned mask)
{
	json_key(j, "escalation");
	json_begin_array(j);
	if (mask & ESCALATE_OVERDUE)
		json_string(j, "overdue");
	if (mask & ESCALATE_ATTEMPTS)
		json_string(j, "attempts");
	json_end_array(j);
}

/* One task as a JSON object. */
static void
task_json(struct json *j, const struct store_task *t, int32_t today,
    unsigned esc)
{
	char d[11], tier[2] = { t->tier, '\0' }, *why;
	int open = strcmp(t->status, "open") == 0;

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
	json_kv_string(j, "rep_name", t->rep_name);
	json_kv_string(j, "phone", t->phone);
	json_kv_string(j, "email", t->email);
	json_key(j, "last_contact");
	if (t->last_contact == DAY_NONE) {
		json_null(j);
	} else {
		date_format(t->last_contact, d);
		json_string(j, d);
	}
	why = reason_text(t->reason, I18N_EN);
	json_kv_string(j, "reason", why);
	free(why);
	json_kv_string(j, "note", t->note);
	json_kv_int(j, "sequence", t->sequence);
	json_kv_int(j, "overdue_days", open && today > t->day ?
	    today - t->day : 0);
	json_kv_int(j, "attempts", t->attempts);
	json_key(j, "escalated");
	json_bool(j, t->escalated);
	json_escalation(j, esc);
	json_utc(j, "created_at", t->created_at);
	json_utc(j, "done_at", t->done_at);
	json_end_object(j);
}

/* Prints one task: a JSON object, or a tab-separated line. */
static int
task_print(void *arg, const struct store_task *t)
{
	struct task_print_ctx *ctx = arg;
	char d[11], *reason;
	unsigned esc;
	int overdue;

	esc = task_escalation(ctx, t, &overdue);
	if (ctx->escalated && esc == 0)
		return 0;
	if (ctx->j != NULL) {
		task_json(ctx->j, t, ctx->today, esc);
		return 0;
	}
	date_format(t->day, d);
	if (ctx->escalated) {
		reason = escalate_why(esc, overdue, t->tier,
		    ctx->cf->plan.task_escalate_days, t->attempts);
		printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
		    (long long)t->id, d, t->kind ? t->kind : "-",
		    t->external_id, t->customer ? t->customer : "-",
		    t->rep ? t->rep : "-", t->rep_name ? t->rep_name : "-",
		    reason);
		free(reason);
		return 0;
	}
	reason = feeds_task_reason(t, ctx->today, I18N_EN);
	printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", (long long)t->id, d,
	    t->status, t->kind ? t->kind : "-", t->external_id,
	    t->customer ? t->customer : "-", t->rep ? t->rep : "-", reason);
	free(reason);
	return 0;
}

/* task list: open tasks and those closed lately, as the feeds show them. */
static int
task_list(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	struct task_print_ctx ctx = { NULL, 0, 0, NULL, 0 };
	const char *rep = NULL;
	struct json j;
	char *cause = NULL;
	int64_t since;
	int ch, json = 0;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch == 'r')
			rep = optarg;
		else if (ch == 'e')
			ctx.escalated = 1;
		else if (ch == 'j')
			json = 1;
		else
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
	}
	if (optind != argc)
		return cli_usage(self, EX_USAGE);
	ctx.now = time(NULL);
	ctx.cf = cli->conf;
	since = ((int64_t)feeds_day(ctx.now) -
	    cli->conf->http.done_visible_days) * 86400;
	if (ctx.escalated)	/* only open tasks can be */
		since = INT64_MAX;
	ctx.today = cli_today(cli);
	if (json) {
		json_init(&j, stdout, 0);
		json_begin_array(&j);
		ctx.j = &j;
	}
	if (store_task_each(cli_store(cli), rep, since, task_print, &ctx,
	    &cause) != 0) {
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

/* The task's JSON with the message fields task show adds. */
static void
task_show_json(const struct task_print_ctx *ctx, const struct store_task *t)
{
	struct json j;

	json_init(&j, stdout, 0);
	json_begin_object(&j);
	json_key(&j, "task");
	task_json(&j, t, ctx->today, task_escalation(ctx, t, NULL));
	json_kv_string(&j, "channel", t->channel);
	json_kv_string(&j, "subject", t->message_subject);
	json_kv_string(&j, "message", t->message);
	json_kv_string(&j, "message_error", t->message_error);
	json_end_object(&j);
	putchar('\n');
}

/* The task as lines "field: value", then the message's text. */
static void
task_show_text(const struct task_print_ctx *ctx, const struct store_task *t)
{
	char d[11], *reason = feeds_task_reason(t, ctx->today, I18N_EN);

	date_format(t->day, d);
	printf("task %lld: %s, %s, due %s\n", (long long)t->id,
	    t->kind ? t->kind : "-", t->status, d);
	printf("customer: %s %s (tier %c)\n", t->external_id,
	    t->customer ? t->customer : "-", t->tier);
	printf("phone: %s\nemail: %s\n", t->phone ? t->phone : "-",
	    t->email ? t->email : "-");
	printf("rep: %s %s\n", t->rep ? t->rep : "-",
	    t->rep_name ? t->rep_name : "");
	printf("reason: %s\n", reason);
	free(reason);
	if (t->note != NULL)
		printf("note: %s\n", t->note);
	if (t->kind == NULL || strcmp(t->kind, "message") != 0)
		return;
	printf("channel: %s\n", t->channel ? t->channel : "-");
	if (t->message == NULL) {
		printf("message: none (%s)\n", t->message_error ?
		    t->message_error : "not rendered yet: run send or wait "
		    "for the daemon");
		return;
	}
	if (t->message_subject != NULL)
		printf("subject: %s\n", t->message_subject);
	printf("\n%s%s", t->message, *t->message != '\0' &&
	    t->message[strlen(t->message) - 1] == '\n' ? "" : "\n");
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

/* task show: one task in full. */
static int
task_show(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	struct task_print_ctx ctx = { NULL, 0, 0, cli->conf, 0 };
	struct store_task t;
	char *cause = NULL;
	int64_t id;
	int ch, json = 0, rc;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch == 'j')
			json = 1;
		else
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
	}
	if (optind != argc - 1)
		return cli_usage(self, EX_USAGE);
	if (parse_id(argv[optind], &id) != 0)
		return EX_USAGE;
	if ((rc = store_task_get(cli_store(cli), id, &t, &cause)) < 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	if (rc == 0)
		return cli_fail(EX_DATAERR, "no task %lld", (long long)id);
	ctx.now = time(NULL);
	ctx.today = cli_today(cli);
	if (json)
		task_show_json(&ctx, &t);
	else
		task_show_text(&ctx, &t);
	store_task_clear(&t);
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

/* Parses the options task done, outcome and cancel share into r. */
static int
parse_outcome_opts(const struct cli_cmd *self, int argc, char **argv,
    struct outcome_req *r)
{
	int ch;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		switch (ch) {
		case 'n':
			r->note = optarg;
			break;
		case 'k':
			r->kind = optarg;
			break;
		case 'r':
			r->rep = optarg;
			break;
		case 'd':
			if (cli_parse_day(optarg, &r->date) != 0)
				return EX_USAGE;
			break;
		case 'h':
			return cli_usage(self, 0);
		default:
			return cli_usage(self, EX_USAGE);
		}
	}
	return -1;
}

/* Says what a recorded outcome did. */
static void
say_recorded(const struct outcome_req *r, const struct outcome_info *in)
{
	char d[11];
	long long id = (long long)in->task_id;

	date_format(in->day, d);
	switch (r->outcome) {
	case OUTCOME_REACHED:
		printf("task %lld done; contact logged on %s", id, d);
		if (in->closed > 1)
			printf(" (%d tasks closed)", in->closed);
		break;
	case OUTCOME_NEXT:
		printf("task %lld done; contact logged on %s; ", id, d);
		date_format(r->date, d);
		printf("next follow-up on %s", d);
		break;
	case OUTCOME_NOT_REACHED:
		printf("task %lld: not reached (attempt %d), moved to %s%s", id,
		    in->attempts, d, in->escalated ? "; escalated" : "");
		break;
	case OUTCOME_SNOOZE:
		printf("task %lld snoozed to %s", id, d);
		break;
	case OUTCOME_WRONG_NUMBER:
		printf("task %lld: the customer's record is flagged for "
		    "refresh", id);
		break;
	default:
		printf("task %lld cancelled", id);
		break;
	}
	putchar('\n');
}

/* Records r and reports: the shared end of task done, outcome and
 * cancel. */
static int
run_outcome(struct cli *cli, struct outcome_req *r)
{
	struct outcome_info in;
	char *cause = NULL;
	int rc = 0;

	r->source = "cli";
	r->now = time(NULL);
	r->today = cli_today(cli);
	r->retry_days = cli->conf->plan.task_retry_days;
	r->escalate_attempts = cli->conf->plan.task_escalate_attempts;
	switch (outcome_record(cli_store(cli), r, &in, &cause)) {
	case OUTCOME_RECORDED:
		say_recorded(r, &in);
		break;
	case OUTCOME_ALREADY:
		printf("task %lld: %s already recorded\n",
		    (long long)in.task_id, outcome_name(r->outcome));
		cli->dry_run = 1;
		break;
	case OUTCOME_NOT_FOUND:
	case OUTCOME_NOT_OPEN:
		rc = task_not_open(cli_store(cli), r->task_id);
		break;
	case OUTCOME_INVALID:
		rc = cli_fail(EX_USAGE, "%s", cause);
		break;
	default:
		rc = cli_fail(EX_SOFTWARE, "%s", cause);
		break;
	}
	free(cause);
	return rc;
}

/* task done: the outcome "reached". */
static int
task_done(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	struct outcome_req r = { .outcome = OUTCOME_REACHED, .date = DAY_NONE };
	int rc;

	if ((rc = parse_outcome_opts(self, argc, argv, &r)) >= 0)
		return rc;
	if (optind != argc - 1)
		return cli_usage(self, EX_USAGE);
	if (parse_id(argv[optind], &r.task_id) != 0)
		return EX_USAGE;
	return run_outcome(cli, &r);
}

/* task outcome: any outcome of outcome.h. */
static int
task_outcome(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv)
{
	struct outcome_req r = { .date = DAY_NONE };
	int rc;

	if ((rc = parse_outcome_opts(self, argc, argv, &r)) >= 0)
		return rc;
	if (optind != argc - 2)
		return cli_usage(self, EX_USAGE);
	if (parse_id(argv[optind], &r.task_id) != 0)
		return EX_USAGE;
	if (outcome_parse(argv[optind + 1], &r.outcome) != 0)
		return cli_fail(EX_USAGE, "\"%s\": outcome must be reached, "
		    "not-reached, snooze, next, wrong-number or cancel",
		    argv[optind + 1]);
	return run_outcome(cli, &r);
}

/* task cancel: closes a task with a reason, logging no contact. */
static int
task_cancel(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv)
{
	struct outcome_req r = { .outcome = OUTCOME_CANCEL, .date = DAY_NONE };
	int rc;

	if ((rc = parse_outcome_opts(self, argc, argv, &r)) >= 0)
		return rc;
	if (optind != argc - 1 || r.note == NULL)
		return cli_usage(self, EX_USAGE);
	if (parse_id(argv[optind], &r.task_id) != 0)
		return EX_USAGE;
	return run_outcome(cli, &r);
}

/* cli_outbox.c - outreachctl outbox, retry, send and scan. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cycle.h"
#include "date.h"
#include "deliver.h"
#include "json.h"
#include "render.h"
#include "store_outbox.h"
#include "util.h"

static int	cmd_outbox(struct cli *, const struct cli_cmd *, int, char **);
static int	cmd_retry(struct cli *, const struct cli_cmd *, int, char **);
static int	cmd_send(struct cli *, const struct cli_cmd *, int, char **);
static int	cmd_scan(struct cli *, const struct cli_cmd *, int, char **);

static const struct option outbox_opts[] = {
	{ "state", required_argument, NULL, 's' },
	{ "limit", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_outbox_entry = {
	.name = "outbox",
	.usage = "[--state STATE] [--limit N] [--json]",
	.help = "list queued and sent messages",
	.opts = outbox_opts,
	.flags = CLI_READ,
	.run = cmd_outbox,
};

static const struct option retry_opts[] = {
	{ "failed", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_retry_entry = {
	.name = "retry",
	.usage = "ID | --failed",
	.help = "send a failed message, or every failed one, again",
	.opts = retry_opts,
	.flags = CLI_WAKE,
	.run = cmd_retry,
};

static const struct option send_opts[] = {
	{ "dry-run", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_send_entry = {
	.name = "send",
	.usage = "[--dry-run]",
	.help = "one queue and delivery pass, as the daemon does each cycle",
	.opts = send_opts,
	.run = cmd_send,
};

const struct cli_cmd cli_scan_entry = {
	.name = "scan",
	.usage = "",
	.help = "recompute tiers when due and store the plan through tomorrow",
	.run = cmd_scan,
};

static void
time_str(int64_t t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(out, n, "-");
	else
		strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
print_msg(void *arg, const struct outbox_msg *m)
{
	struct json *j = arg;
	char nb[32], sent[32], upd[32], day[11];

	time_str(m->not_before, nb, sizeof(nb));
	time_str(m->updated_at, upd, sizeof(upd));
	time_str(m->sent_at, sent, sizeof(sent));
	date_format(m->day, day);
	if (j == NULL) {
		printf("%lld\t%s\t%s\t%s\t%d\t%s\t%s\n", (long long)m->id,
		    outbox_state_name(m->state), channel_name(m->channel),
		    m->recipient, m->attempts, nb, m->cancel_reason ?
		    m->cancel_reason : m->last_error ? m->last_error :
		    m->dedup_key);
		return 0;
	}
	json_begin_object(j);
	json_kv_int(j, "id", m->id);
	json_kv_string(j, "key", m->dedup_key);
	json_kv_string(j, "state", outbox_state_name(m->state));
	json_kv_string(j, "channel", channel_name(m->channel));
	json_kv_string(j, "recipient", m->recipient);
	json_kv_string(j, "day", day);
	json_kv_string(j, "subject", m->subject);
	json_kv_int(j, "attempts", m->attempts);
	json_kv_string(j, "not_before", nb);
	json_kv_string(j, "sent_at", m->sent_at ? sent : NULL);
	json_kv_string(j, "updated_at", upd);
	json_kv_string(j, "last_error", m->last_error);
	json_kv_string(j, "provider_id", m->provider_id);
	json_kv_string(j, "cancel_reason", m->cancel_reason);
	time_str(m->expires_at, nb, sizeof(nb));
	json_kv_string(j, "expires_at", m->expires_at ? nb : NULL);
	json_end_object(j);
	return 0;
}

int
cli_print_holds(struct cli *cli, int always)
{
	char *cause = NULL, since[32];
	int64_t t;
	int c, rc, n = 0;

	for (c = 0; c < CHANNEL_COUNT; c++) {
		if ((rc = store_outbox_held(cli_store(cli), (enum channel)c, &t,
		    &cause)) < 0) {
			cli_fail(EX_SOFTWARE, "%s", cause);
			free(cause);
			return EX_SOFTWARE;
		}
		if (rc == 0)
			continue;
		time_str(t, since, sizeof(since));
		printf("%s%s held since %s", n++ ? ", " : "sending: ",
		    channel_name((enum channel)c), since);
	}
	if (n > 0)
		printf(" (outreachctl outbox release)\n");
	else if (always)
		printf("sending: not held\n");
	return 0;
}

/* outbox: the messages, oldest first. */
static int
cmd_outbox(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	const char *state = NULL;
	enum outbox_state st;
	struct json j;
	char *cause = NULL;
	long limit = 0;
	int ch, json = 0;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch == 's')
			state = optarg;
		else if (ch == 'n')
			limit = strtol(optarg, NULL, 10);
		else if (ch == 'j')
			json = 1;
		else
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
	}
	if (optind != argc)
		return cli_usage(self, EX_USAGE);
	if (state != NULL && outbox_state_parse(state, &st) != 0)
		return cli_fail(EX_USAGE, "unknown state \"%s\"", state);
	if (json) {
		json_init(&j, stdout, 0);
		json_begin_array(&j);
	} else if ((ch = cli_print_holds(cli, 0)) != 0)
		return ch;
	if (store_outbox_each(cli_store(cli), state ? &st : NULL, limit,
	    print_msg,
	    json ? &j : NULL, &cause) != 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	if (json)
		json_end_array(&j);
	return 0;
}

/* retry: a failed message, or all of them, due again at once. */
static int
cmd_retry(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	char *cause = NULL, *end;
	long long id = 0;
	int ch, n, failed = 0;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch != 'f')
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
		failed = 1;
	}
	if (optind != argc - !failed)
		return cli_usage(self, EX_USAGE);
	if (!failed) {
		id = strtoll(argv[optind], &end, 10);
		if (*end != '\0' || id <= 0)
			return cli_usage(self, EX_USAGE);
	}
	n = store_outbox_retry(cli_store(cli), id, time(NULL), &cause);
	if (n < 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	if (n == 0 && id > 0)
		return cli_fail(EX_DATAERR, "message %lld is not failed", id);
	printf("%d message%s will be sent again\n", n, n == 1 ? "" : "s");
	return 0;
}

static void
print_stats(const struct send_stats *s)
{
	printf("%lu queued, %lu sent, %lu to retry, %lu failed, %lu suppressed, "
	    "%lu turned into tasks, %lu deferred", s->queued, s->sent,
	    s->retried, s->failed, s->suppressed, s->unrenderable, s->deferred);
	if (s->expired)
		printf(", %lu expired", s->expired);
	if (s->held)
		printf(", %lu held", s->held);
	if (s->rerendered)
		printf(", %lu rendered again", s->rerendered);
	if (s->would_queue || s->dry_run)
		printf(", %lu would be queued and %lu sent (dry run)",
		    s->would_queue, s->dry_run);
	putchar('\n');
}

/* One queue + delivery pass, as the daemon does each tick.  A dry run
 * queues nothing and sends nothing: it lists what is due. */
static int
cmd_send(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	struct send_stats s = { 0 };
	struct deliver *d = NULL;
	struct tmpl_set *ts = NULL;
	char *cause = NULL;
	int ch, dry = 0, rc = 0, lock = -1;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch != 'n')
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
		dry = 1;
	}
	if (optind != argc)
		return cli_usage(self, EX_USAGE);
	dry = dry || cli->conf->delivery.dry_run;
	/* A real pass must not race a running daemon over the same rows. */
	if (!dry && (cycle_lock(cli_store_path(cli), &lock, &cause) != 0 ||
	    cycle_leader_lock(cli_store(cli), &cause) != 0)) {
		rc = cli_fail(EX_TEMPFAIL, "%s", cause);
		free(cause);
		return rc;
	}
	if ((ts = render_load_templates(cli->conf, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		if (lock >= 0)
			close(lock);
		return EX_CONFIG;
	}
	/* A dry run writes nothing: what would be queued is composed and
	 * listed, what is queued goes through the pass's triage unsent.
	 * Delivery that cannot be set up (a secret, a gateway setting) is
	 * the configuration's fault, as it is to the daemon. */
	if (deliver_open(cli->conf, cli_store(cli), NULL, &d, &cause) != 0) {
		rc = cli_fail(EX_CONFIG, "%s", cause);
		free(cause);
	} else if ((dry && deliver_queue_preview(d, ts, time(NULL), &s,
	    &cause) != 0) ||
	    cycle_send(d, dry ? NULL : ts, time(NULL), dry, NULL, &s,
	    &cause) != 0) {
		rc = cli_fail(EX_TEMPFAIL, "%s", cause);
		free(cause);
	} else
		print_stats(&s);
	deliver_close(d);
	tmpl_set_free(ts);
	if (lock >= 0)
		close(lock);
	return rc;
}

/* A planning scan without delivery: what the daemon does at each scan. */
static int
cmd_scan(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	char *cause = NULL;
	int lock = -1, rc = 0;

	if (argc != 1)
		return cli_usage(self, strcmp(argv[1], "--help") ? EX_USAGE : 0);
	if (cycle_lock(cli_store_path(cli), &lock, &cause) != 0 ||
	    cycle_leader_lock(cli_store(cli), &cause) != 0 ||
	    cycle_scan(cli->conf, cli_store(cli), time(NULL), &cause) != 0) {
		rc = cli_fail(EX_TEMPFAIL, "%s", cause);
		free(cause);
	}
	if (lock >= 0)
		close(lock);
	return rc;
}

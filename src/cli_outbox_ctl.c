/* cli_outbox_ctl.c - outreachctl outbox cancel, hold and release: the
 * admin's control over what goes out. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "store_outbox.h"
#include "util.h"

static int	cmd_cancel(struct cli *, const struct cli_cmd *, int, char **);
static int	cmd_hold(struct cli *, const struct cli_cmd *, int, char **);

static const struct option cancel_opts[] = {
	{ "rule", required_argument, NULL, 'r' },
	{ "day", required_argument, NULL, 'd' },
	{ "customer", required_argument, NULL, 'c' },
	{ "reason", required_argument, NULL, 'R' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_outbox_cancel_entry = {
	.name = "outbox cancel",
	.usage = "ID ... | [--rule R] [--day YYYY-MM-DD] [--customer C] "
	    "--reason TEXT",
	.help = "cancel queued messages (sent ones are history)",
	.opts = cancel_opts,
	.flags = CLI_WAKE,
	.run = cmd_cancel,
};

static const struct option hold_opts[] = {
	{ "channel", required_argument, NULL, 'C' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_outbox_hold_entry = {
	.name = "outbox hold",
	.usage = "[--channel email|sms]",
	.help = "stop sending (all, or one channel) until released",
	.opts = hold_opts,
	.flags = CLI_WAKE,
	.run = cmd_hold,
};

const struct cli_cmd cli_outbox_release_entry = {
	.name = "outbox release",
	.usage = "[--channel email|sms]",
	.help = "send again what hold stopped",
	.opts = hold_opts,
	.flags = CLI_WAKE,
	.run = cmd_hold,
};

/* Cancels each message named by id: how many, or -1 (*cause). */
static int
cancel_ids(struct store *st, int argc, char **argv, const char *reason,
    int64_t now, char **cause)
{
	struct outbox_select f = { 0 };
	int i, n, total = 0;
	char *end;

	if (store_begin(st, cause) != 0)
		return -1;
	for (i = 0; i < argc; i++) {
		f.id = strtoll(argv[i], &end, 10);
		if (*end != '\0' || f.id <= 0) {
			store_rollback(st);
			return set_error(cause, "\"%s\": not a message id",
			    argv[i]);
		}
		if ((n = store_outbox_cancel(st, &f, reason, now, cause)) < 0) {
			store_rollback(st);
			return -1;
		}
		if (n == 0)
			fprintf(stderr, "outreachctl: message %s is not queued "
			    "(sent, failed, cancelled, or no such message): "
			    "left as it is\n", argv[i]);
		total += n;
	}
	if (store_commit(st, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	return total;
}

/* outbox cancel: by id, or by rule, day and customer together. */
static int
cmd_cancel(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv)
{
	struct outbox_select f = { 0 };
	const char *reason = NULL;
	char *cause = NULL;
	int ch, n;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch == 'r')
			f.rule = optarg;
		else if (ch == 'c')
			f.customer = optarg;
		else if (ch == 'R')
			reason = optarg;
		else if (ch == 'd') {
			if (cli_parse_day(optarg, &f.day) != 0)
				return EX_USAGE;
			f.has_day = 1;
		} else
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
	}
	if (reason == NULL || str_empty(reason))
		return cli_fail(EX_USAGE, "outbox cancel needs --reason TEXT "
		    "(kept with each message)");
	/* Ids or filters, not both: a filter with ids would read as "and". */
	if ((optind < argc) == (f.rule || f.customer || f.has_day))
		return cli_usage(self, EX_USAGE);
	if (optind < argc)
		n = cancel_ids(cli_store(cli), argc - optind, argv + optind,
		    reason, time(NULL), &cause);
	else
		n = store_outbox_cancel(cli_store(cli), &f, reason, time(NULL),
		    &cause);
	if (n < 0) {
		n = cli_fail(cause && strstr(cause, "not a message id") ?
		    EX_USAGE : EX_SOFTWARE, "%s", cause);
		free(cause);
		return n;
	}
	printf("%d message%s cancelled\n", n, n == 1 ? "" : "s");
	return 0;
}

/* outbox hold and release: one channel, or both. */
static int
cmd_hold(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	int on = strcmp(self->name, "outbox hold") == 0;
	int ch, c, any = 1;
	enum channel only = CHANNEL_EMAIL;
	char *cause = NULL;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch == 'C' && channel_parse(optarg, &only) == 0)
			any = 0;
		else if (ch == 'C')
			return cli_fail(EX_USAGE, "--channel: \"%s\" is not "
			    "email or sms", optarg);
		else
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
	}
	if (optind != argc)
		return cli_usage(self, EX_USAGE);
	for (c = 0; c < CHANNEL_COUNT; c++) {
		if ((!any && (enum channel)c != only) ||
		    store_outbox_hold(cli_store(cli), (enum channel)c, on,
		    time(NULL), &cause) >= 0)
			continue;
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	return cli_print_holds(cli, 1);
}

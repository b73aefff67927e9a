/* cli_forget.c - outreachctl customer forget: customers erased from the
 * store, its free space and log, and the maildirs (privacy requests). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "forget.h"
#include "util.h"

static int	customer_forget(struct cli *, const struct cli_cmd *, int,
		    char **);

static const struct option forget_opts[] = {
	{ "wait", required_argument, NULL, 'w' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_customer_forget_entry = {
	.name = "customer forget",
	.usage = "ID ... [--wait SECONDS]",
	.help = "erase customers and their whole history (privacy requests)",
	.opts = forget_opts,
	.run = customer_forget,
};

/* Removes the maildir transport's copies of customer id's messages. */
static int
forget_files(struct cli *cli, int64_t id, size_t *n, char **cause)
{
	if (forget_maildir(cli->conf->email.maildir, id, n, cause) != 0)
		return -1;
	return forget_maildir(cli->conf->sms.maildir, id, n, cause);
}

/* Deletes one customer's rows and maildir copies; the store's files are
 * finished for every customer at once.  0 done, -1 no such customer, or
 * an exit code after reporting. */
static int
forget_one(struct cli *cli, const char *ext, size_t *files)
{
	struct store *st = cli_store(cli);
	char *cause = NULL;
	int64_t id;
	int rc;

	if ((rc = store_customer_id(st, ext, &id, &cause)) == 0)
		return -1;
	if (rc < 0)
		goto fail;
	/* The files first: when one cannot be removed the customer stays,
	 * and forget can be run again. */
	if (forget_files(cli, id, files, &cause) != 0) {
		rc = cli_fail(EX_IOERR, "customer %s: %s; nothing erased", ext,
		    cause);
		free(cause);
		return rc;
	}
	if (store_customer_forget(st, ext, &cause) < 0)
		goto fail;
	/* A message the daemon was writing meanwhile. */
	if (forget_files(cli, id, files, &cause) != 0) {
		rc = cli_fail(EX_IOERR, "customer %s is deleted from the "
		    "store, but %s", ext, cause);
		free(cause);
		return rc;
	}
	return 0;
fail:
	rc = cli_fail(EX_SOFTWARE, "%s", cause);
	free(cause);
	return rc;
}

/* The erase is not finished: says which customers are deleted, what is
 * left and how to finish.  state[i] is forget_one()'s answer for argv[i]. */
static int
forget_busy(int first, int argc, char **argv, const int *state,
    const char *left)
{
	struct buf ids, again;
	int i, rc;

	buf_init(&ids);
	buf_init(&again);
	for (i = first; i < argc; i++) {
		if (state[i] == 0)
			buf_printf(&ids, " %s", argv[i]);
		if (state[i] <= 0)
			buf_printf(&again, " %s", argv[i]);
	}
	if (ids.len > 0)
		rc = cli_fail(EX_TEMPFAIL, "deleted%s from the store's tables, "
		    "but %s; run \"outreachctl customer forget%s\" again when "
		    "it has stopped", ids.data, left, again.data);
	else
		rc = cli_fail(EX_TEMPFAIL, "%s; run \"outreachctl customer "
		    "forget%s\" again when it has stopped", left, again.data);
	buf_free(&ids);
	buf_free(&again);
	return rc;
}

/* customer forget: customers and their histories erased from the store,
 * from its free space and write-ahead log (store_erase_finish) and from
 * the maildirs.  It says "erased" only when no copy is left; when another
 * process keeps the write-ahead log it exits EX_TEMPFAIL, and running it
 * again finishes the erase. */
static int
customer_forget(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv)
{
	struct store *st;
	char *cause = NULL, *end;
	long wait = 10;
	size_t *files;
	int ch, i, rc = 0, *state, earlier, pending;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		switch (ch) {
		case 'w':
			wait = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || wait < 0 ||
			    wait > 3600)
				return cli_fail(EX_USAGE, "--wait %s: not "
				    "0..3600 seconds", optarg);
			break;
		case 'h':
			return cli_usage(self, 0);
		default:
			return cli_usage(self, EX_USAGE);
		}
	}
	if (optind == argc)
		return cli_usage(self, EX_USAGE);
	st = cli_store(cli);
	if ((earlier = store_erase_pending(st, &cause)) < 0) {
		rc = cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return rc;
	}
	state = xcalloc((size_t)argc, sizeof *state);
	files = xcalloc((size_t)argc, sizeof *files);
	for (i = optind; i < argc; i++) {
		state[i] = rc != 0 ? rc : forget_one(cli, argv[i], &files[i]);
		if (state[i] > 0)
			rc = state[i];
	}
	if ((pending = store_erase_finish(st, (int)wait * 1000, &cause)) < 0)
		rc = cli_fail(EX_SOFTWARE, "%s", cause);
	else if (pending)
		rc = forget_busy(optind, argc, argv, state, cause);
	for (i = optind; i < argc && pending == 0; i++) {
		if (state[i] == 0 && files[i] > 0)
			printf("erased customer %s and its history, and %zu "
			    "message%s from the maildirs\n", argv[i], files[i],
			    files[i] == 1 ? "" : "s");
		else if (state[i] == 0)
			printf("erased customer %s and its history\n", argv[i]);
		else if (state[i] < 0 && earlier)
			printf("customer %s is not in the store; what an "
			    "earlier forget left is erased now\n", argv[i]);
		else if (state[i] < 0 && rc == 0)
			rc = cli_fail(EX_DATAERR, "no customer \"%s\"",
			    argv[i]);
	}
	free(cause);
	free(state);
	free(files);
	return rc;
}

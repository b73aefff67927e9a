/* cli_rep.c - outreachctl rep list and rep reassign: the reps with their
 * load, and handing a leaving rep's customers to another. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "json.h"
#include "store_rep.h"
#include "team.h"
#include "util.h"

static int	rep_list(struct cli *, const struct cli_cmd *, int, char **);
static int	rep_reassign(struct cli *, const struct cli_cmd *, int,
		    char **);

static const struct option rep_list_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_rep_list_entry = {
	.name = "rep list",
	.usage = "[--json]",
	.help = "list sales reps with their open and overdue tasks",
	.opts = rep_list_opts,
	.flags = CLI_READ,
	.run = rep_list,
};

static const struct option help_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_rep_reassign_entry = {
	.name = "rep reassign",
	.usage = "OLD NEW",
	.help = "move OLD's customers and open tasks to NEW and revoke OLD's "
	    "feed token",
	.opts = help_opts,
	.flags = CLI_WAKE,
	.run = rep_reassign,
};

/* How rep list prints. */
struct rep_list_ctx {
	struct json *j;	/* NULL: tab-separated lines */
	const struct conf *cf;
};

static const char *
dash(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

/* One rep: a JSON object or a line. */
static int
print_rep(void *arg, const struct store_rep_load *l)
{
	struct rep_list_ctx *ctx = arg;
	const struct store_rep *r = l->rep;
	struct json *j = ctx->j;

	if (j == NULL) {
		printf("%s\t%s\t%s\t%s\t%ld\t%ld\t%s\n", r->key, r->name,
		    dash(r->email), dash(r->phone), l->open_tasks,
		    l->overdue_tasks, dash(r->locale));
		return 0;
	}
	json_begin_object(j);
	json_kv_string(j, "key", r->key);
	json_kv_string(j, "name", r->name);
	json_kv_string(j, "email", r->email);
	json_kv_string(j, "phone", r->phone);
	json_kv_string(j, "timezone", r->timezone);
	json_kv_string(j, "locale", r->locale);
	json_key(j, "digest");
	json_bool(j, r->digest);
	json_key(j, "manager");
	json_bool(j, team_is_manager(ctx->cf, r->key));
	json_kv_int(j, "customers", l->customers);
	json_kv_int(j, "open_tasks", l->open_tasks);
	json_kv_int(j, "overdue_tasks", l->overdue_tasks);
	json_end_object(j);
	return 0;
}

/* rep list: one line (or object) per rep, with its load. */
static int
rep_list(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	struct rep_list_ctx ctx = { NULL, cli->conf };
	struct json j;
	char *cause = NULL;
	int ch;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch == 'j')
			ctx.j = &j;
		else
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
	}
	if (optind != argc)
		return cli_usage(self, EX_USAGE);
	if (ctx.j != NULL) {
		json_init(&j, stdout, 0);
		json_begin_array(&j);
	}
	if (store_rep_loads(cli_store(cli), cli_today(cli), print_rep, &ctx,
	    &cause) != 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	if (ctx.j != NULL) {
		json_end_array(&j);
		putchar('\n');
	}
	return 0;
}

/* rep reassign: a leaving rep's customers and open tasks go to another. */
static int
rep_reassign(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv)
{
	struct store_reassign ra;
	const char *from, *to;
	char *cause = NULL;
	int ch, rc;

	while ((ch = cli_getopt(self, argc, argv)) != -1)
		return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
	if (optind != argc - 2)
		return cli_usage(self, EX_USAGE);
	from = argv[optind], to = argv[optind + 1];
	if (strcmp(from, to) == 0)
		return cli_fail(EX_USAGE, "OLD and NEW are the same rep");
	rc = store_rep_reassign(cli_store(cli), from, to, time(NULL), &ra,
	    &cause);
	if (rc < 0) {
		rc = cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return rc;
	}
	if (rc == 0)
		return cli_fail(EX_DATAERR, "unknown rep \"%s\" or \"%s\"",
		    from, to);
	printf("%ld customers and %ld open tasks moved from %s to %s",
	    ra.customers, ra.open_tasks, from, to);
	if (ra.token_revoked)
		printf("; %s's feed token revoked", from);
	putchar('\n');
	if (ra.customers == 0 && !ra.token_revoked)
		cli->dry_run = 1;
	return 0;
}

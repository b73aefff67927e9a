/* outreachctl.c - the admin command line: global options, then a command
 * from the table below. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "date.h"
#include "log.h"
#include "util.h"

static int cmd_customer(struct cli *cli, int argc, char **argv);
static int cmd_rep(struct cli *cli, int argc, char **argv);
static int cmd_contact(struct cli *cli, int argc, char **argv);
static int cmd_task(struct cli *cli, int argc, char **argv);

static const struct cli_cmd commands[] = {
	{ "init", "", "create the store (or migrate it) and exit",
	  cli_cmd_init },
	{ "import", "customers|purchases|contacts FILE [--dry-run]",
	  "import a CSV file (- for stdin), all or nothing", cli_cmd_import },
	{ "customer", "list|show|add|set|forget ...",
	  "list, show, add, change or erase customers", cmd_customer },
	{ "rep", "add|list ...", "manage sales reps", cmd_rep },
	{ "contact", "log CUSTOMER --kind K [--date D] [--note T]",
	  "record a rep's contact with a customer", cmd_contact },
	{ "task", "list|done ...", "list and close the reps' tasks", cmd_task },
	{ "feed", "REP [--birthdays]",
	  "write a rep's follow-up (or birthday) calendar to stdout",
	  cli_cmd_feed },
	{ "stats", "[--json]", "counts by tier, rep, birthday and opt-out",
	  cli_cmd_stats },
	{ "plan", "[--date YYYY-MM-DD] [--days N] [--json]",
	  "preview the planned messages and tasks (writes nothing)",
	  cli_cmd_plan },
	{ "tiers", "recompute [--date YYYY-MM-DD]",
	  "recompute A/B/C tiers from purchases", cli_cmd_tiers },
	{ "render", "RULE CUSTOMER [--channel email|sms] [--date YYYY-MM-DD]",
	  "print exactly what a rule would send to a customer", cli_cmd_render },
	{ "scan", "", "plan as the daemon does: tiers when due, items stored",
	  cli_cmd_scan },
	{ "send", "[--dry-run]", "one delivery pass, as the daemon does",
	  cli_cmd_send },
	{ "outbox", "[--state S] [--limit N] [--json]",
	  "list queued and sent messages", cli_cmd_outbox },
	{ "retry", "ID | --failed", "send failed messages again",
	  cli_cmd_retry },
	{ "check-config", "", "validate the configuration and the templates",
	  cli_cmd_check_config },
	{ NULL, NULL, NULL, NULL },
};

int
cli_fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("outreachctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/* The command group being run ("customer", "rep"...), for usage lines. */
static const char *cli_group;

int
cli_usage(const struct cli_cmd *cmd, int code)
{
	FILE *fp = code == 0 ? stdout : stderr;

	fprintf(fp, "usage: outreachctl %s%s%s %s\n  %s\n", cli_group ?
	    cli_group : "", cli_group ? " " : "", cmd->name, cmd->args,
	    cmd->help);
	return code;
}

/* Loads -c, or the default file when it exists, or built-in defaults. */
static int
cli_load_conf(struct cli *cli)
{
	const char *path = cli->conf_path;
	char *cause = NULL;

	if (path == NULL && access(conf_default_path(), F_OK) == 0)
		path = conf_default_path();
	if (path == NULL) {
		cli->conf = conf_defaults();
	} else if ((cli->conf = conf_load(path, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return EX_CONFIG;
	}
	cli->rules.default_cc = cli->conf->country_code;
	return 0;
}

struct store *
cli_store(struct cli *cli)
{
	char *cause = NULL;
	const char *path = cli->db_path ? cli->db_path : cli->conf->store;

	if (cli->st != NULL)
		return cli->st;
	if (store_open(path, &cli->st, &cause) != 0) {
		cli_fail(EX_CANTCREAT, "%s", cause);
		free(cause);
		exit(EX_CANTCREAT);
	}
	return cli->st;
}

int32_t
cli_today(struct cli *cli)
{
	int32_t day;
	char *cause = NULL;

	if (date_today(time(NULL), cli->conf->timezone, &day, &cause) != 0) {
		cli_fail(EX_CONFIG, "%s", cause);
		exit(EX_CONFIG);
	}
	return day;
}

int
cli_parse_day(const char *s, int32_t *day)
{
	struct date d;
	char *cause = NULL;

	if (date_parse(s, &d, &cause) != 0) {
		cli_fail(EX_USAGE, "%s", cause);
		free(cause);
		return -1;
	}
	*day = date_to_days(d.year, d.month, d.day);
	return 0;
}

static void
print_commands(FILE *fp, const struct cli_cmd *cmds, const char *group)
{
	for (; cmds->name != NULL; cmds++)
		fprintf(fp, "  %s%s%s %s\n      %s\n", group ? group : "",
		    group ? " " : "", cmds->name, cmds->args, cmds->help);
}

/* Dispatches argv[0] among cmds (a subcommand table). */
static int
cli_dispatch(struct cli *cli, const struct cli_cmd *cmds, const char *group,
    int argc, char **argv)
{
	const struct cli_cmd *c;

	if (argc < 1 || strcmp(argv[0], "--help") == 0 ||
	    strcmp(argv[0], "-h") == 0) {
		FILE *fp = argc < 1 ? stderr : stdout;
		fprintf(fp, "usage: outreachctl [-c CONFIG] [--db PATH] [-v] %s%s"
		    "COMMAND ...\ncommands:\n", group ? group : "",
		    group ? " " : "");
		print_commands(fp, cmds, group);
		return argc < 1 ? EX_USAGE : 0;
	}
	for (c = cmds; c->name != NULL; c++) {
		if (strcmp(c->name, argv[0]) == 0) {
			cli_group = group;
			return c->run(cli, argc, argv);
		}
	}
	return cli_fail(EX_USAGE, "unknown command \"%s%s%s\" (try --help)",
	    group ? group : "", group ? " " : "", argv[0]);
}

static int
cmd_customer(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, cli_customer_cmds, "customer", argc - 1,
	    argv + 1);
}

static int
cmd_rep(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, cli_rep_cmds, "rep", argc - 1, argv + 1);
}

static int
cmd_contact(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, cli_contact_cmds, "contact", argc - 1,
	    argv + 1);
}

static int
cmd_task(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, cli_task_cmds, "task", argc - 1, argv + 1);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	int ch, rc, verbose = 0;

	while ((ch = getopt_long(argc, argv, "+c:d:hvV", opts, NULL)) != -1) {
		switch (ch) {
		case 'v':
			verbose++;
			break;
		case 'c':
			cli.conf_path = optarg;
			break;
		case 'd':
			cli.db_path = optarg;
			break;
		case 'V':
			printf("outreachctl (%s) %s\n", PACKAGE_NAME,
			    PACKAGE_VERSION);
			return 0;
		case 'h':
			return cli_dispatch(&cli, commands, NULL, 1,
			    (char *[]){ "--help", NULL });
		default:
			return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	/* Warnings by default; -v shows what a scan or a send did, -vv more. */
	log_init("outreachctl", verbose > 1 ? LOG_LVL_DEBUG : verbose ?
	    LOG_LVL_INFO : LOG_LVL_WARNING, 0);
	if ((rc = cli_load_conf(&cli)) != 0)
		return rc;
	optind = 0; /* commands run getopt_long again on their own argv */
	rc = cli_dispatch(&cli, commands, NULL, argc, argv);
	store_close(cli.st);
	conf_free(cli.conf);
	return rc;
}

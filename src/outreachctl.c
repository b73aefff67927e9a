/* outreachctl.c - the admin command line: global options, then a command
 * from the table below, whose entries are defined next to their handlers
 * in cli_*.c. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cycle.h"
#include "config.h"
#include "date.h"
#include "date_zone.h"
#include "db.h"
#include "log.h"
#include "store_lease.h"
#include "util.h"

/* The commands, in the order --help and the manual list them. */
const struct cli_cmd *const cli_cmds[] = {
	&cli_init_entry,
	&cli_import_entry,
	&cli_customer_list_entry,
	&cli_customer_show_entry,
	&cli_customer_add_entry,
	&cli_customer_set_entry,
	&cli_customer_forget_entry,
	&cli_rep_add_entry,
	&cli_rep_list_entry,
	&cli_rep_token_entry,
	&cli_rep_reassign_entry,
	&cli_contact_log_entry,
	&cli_task_list_entry,
	&cli_task_show_entry,
	&cli_task_done_entry,
	&cli_task_outcome_entry,
	&cli_task_cancel_entry,
	&cli_feed_entry,
	&cli_stats_entry,
	&cli_report_entry,
	&cli_tiers_recompute_entry,
	&cli_plan_entry,
	&cli_render_entry,
	&cli_scan_entry,
	&cli_send_entry,
	&cli_outbox_entry,
	&cli_outbox_cancel_entry,
	&cli_outbox_hold_entry,
	&cli_outbox_release_entry,
	&cli_retry_entry,
	&cli_check_config_entry,
	&cli_backup_entry,
	&cli_help_entry,
	NULL,
};

/* Reports an error of the command line. */
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
	store_set_password_file(cli->conf->store_password_file);
	return 0;
}

/* The path of the store: --db, else the configured one. */
const char *
cli_store_path(struct cli *cli)
{
	return cli->db_path ? cli->db_path : cli->conf->store;
}

/* The store, opened on first use (a command that only reads never
 * creates one: a mistyped --db is an error, not a new empty store). */
struct store *
cli_store(struct cli *cli)
{
	char *cause = NULL;
	const char *path = cli_store_path(cli);
	int rc;

	if (cli->st != NULL)
		return cli->st;
	rc = cli->read_only ? store_open_existing(path, &cli->st, &cause) :
	    store_open(path, &cli->st, &cause);
	if (rc != 0) {
		cli_fail(EX_CANTCREAT, "%s", cause);
		free(cause);
		exit(EX_CANTCREAT);
	}
	return cli->st;
}

/* Today in the configured time zone. */
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

/* A date given on the command line. */
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

/* getopt_long with the command's own option table. */
int
cli_getopt(const struct cli_cmd *self, int argc, char **argv)
{
	return getopt_long(argc, argv, "", self->opts, NULL);
}

/* Prints one command's usage line and help. */
int
cli_usage(const struct cli_cmd *self, int code)
{
	FILE *fp = code == 0 ? stdout : stderr;

	fprintf(fp, "usage: outreachctl %s%s%s\n  %s\n", self->name,
	    *self->usage != '\0' ? " " : "", self->usage, self->help);
	return code;
}

/* The rest of name after the word group and a space; NULL when name is
 * not a command of group. */
static const char *
in_group(const char *name, const char *group)
{
	size_t len = strlen(group);

	if (strncmp(name, group, len) != 0 || name[len] != ' ')
		return NULL;
	return name + len + 1;
}

/* Lists the commands that are not hidden, all or group's. */
int
cli_list(const char *group, int code)
{
	const struct cli_cmd *const *cp, *c;
	FILE *fp = code == 0 ? stdout : stderr;

	fprintf(fp, "usage: outreachctl [-c CONFIG] [--db PATH] [-v] %s%s"
	    "COMMAND ...\ncommands:\n", group ? group : "", group ? " " : "");
	for (cp = cli_cmds; (c = *cp) != NULL; cp++) {
		if ((c->flags & CLI_HIDDEN) ||
		    (group != NULL && in_group(c->name, group) == NULL))
			continue;
		fprintf(fp, "  %s%s%s\n      %s\n", c->name,
		    *c->usage != '\0' ? " " : "", c->usage, c->help);
	}
	return code;
}

/* The command named word, or group and word when group is not NULL. */
static const struct cli_cmd *
cli_find(const char *group, const char *word)
{
	const struct cli_cmd *const *cp;
	const char *name;

	for (cp = cli_cmds; *cp != NULL; cp++) {
		name = (*cp)->name;
		if (group == NULL ? strchr(name, ' ') != NULL :
		    (name = in_group(name, group)) == NULL)
			continue;
		if (strcmp(name, word) == 0)
			return *cp;
	}
	return NULL;
}

/* Whether group is the first word of some command's name. */
static int
cli_is_group(const char *group)
{
	const struct cli_cmd *const *cp;

	for (cp = cli_cmds; *cp != NULL; cp++) {
		if (in_group((*cp)->name, group) != NULL)
			return 1;
	}
	return 0;
}

/* Whether s asks for help. */
static int
is_help(const char *s)
{
	return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0;
}


/* Wakes a running daemon so it acts on the change now: a failure to do
 * so costs only time (it comes at the next scan), so it only warns. */
static void
cli_wake(struct cli *cli)
{
	char *cause = NULL;

	/* PostgreSQL: the daemons, on whatever machine, listen. */
	if (cli->st != NULL && db_is_conninfo(cli_store_path(cli))) {
		if (store_wake_send(cli->st, &cause) != 0) {
			log_warn("%s; the daemon acts on it at its next scan",
			    cause);
			free(cause);
		}
		return;
	}
	if (cycle_wake(cli_store_path(cli), &cause) < 0) {
		log_warn("%s; the daemon acts on it at its next scan", cause);
		free(cause);
	}
}
/* Runs the command argv names, with argv[0] its last word; a group
 * without a command, or with --help, lists the group's commands. */
static int
cli_dispatch(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd *c;
	int rc;

	if (argc < 1 || is_help(argv[0]))
		return cli_list(NULL, argc < 1 ? EX_USAGE : 0);
	/* "outbox" is a command and a group: "outbox cancel" is the
	 * group's. */
	if (argc >= 2 && (c = cli_find(argv[0], argv[1])) != NULL) {
		argc--;
		argv++;
	} else if ((c = cli_find(NULL, argv[0])) == NULL) {
		if (!cli_is_group(argv[0]))
			return cli_fail(EX_USAGE, "unknown command \"%s\" (try "
			    "--help)", argv[0]);
		if (argc < 2 || is_help(argv[1]))
			return cli_list(argv[0], argc < 2 ? EX_USAGE : 0);
		if ((c = cli_find(argv[0], argv[1])) == NULL)
			return cli_fail(EX_USAGE, "unknown command \"%s %s\" "
			    "(try --help)", argv[0], argv[1]);
		argc--;
		argv++;
	}
	optind = 0; /* the command runs getopt_long again on its argv */
	cli->read_only = (c->flags & CLI_READ) != 0;
	if ((rc = c->run(cli, c, argc, argv)) == 0 && (c->flags & CLI_WAKE) &&
	    !cli->dry_run)
		cli_wake(cli);
	return rc;
}

/* Parses the global options, loads the configuration and runs the
 * command. */
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
			return cli_list(NULL, 0);
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
	rc = cli_dispatch(&cli, argc, argv);
	store_close(cli.st);
	conf_free(cli.conf);
	return rc;
}

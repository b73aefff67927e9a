/* cli.h - what outreachctl's commands share: the entry each command has in
 * the command table, the parsed global options, the configuration and the
 * store, which is opened on first use. */
#ifndef OUTREACHD_CLI_H
#define OUTREACHD_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <sysexits.h>

#include "conf.h"
#include "customer.h"
#include "store.h"

struct cli {
	const char *conf_path; /* -c, NULL = default */
	const char *db_path;   /* --db overrides conf->store */
	struct conf *conf;
	struct store *st;
	struct customer_rules rules;
	int dry_run;	       /* the command changed nothing: no wake-up */
	int read_only;	       /* the command has CLI_READ */
};

/* One command: everything --help, the usage errors and the manual's
 * command list say about it, its options and its handler.  Each is
 * defined next to its handler; cli_cmds lists them in order. */
struct cli_cmd {
	const char		*name;	/* "init", or "GROUP COMMAND" */
	const char		*usage;	/* the arguments after the name */
	const char		*help;	/* what it does, in one line */
	const struct option	*opts;	/* for getopt_long, with --help as 'h';
					   NULL when it takes no options */
	int			 flags;
#define CLI_HIDDEN 0x1	/* not listed, not in the manual */
#define CLI_WAKE 0x2	/* changes what is due: wake a running daemon */
#define CLI_READ 0x4	/* only reads the store: never creates one */
	int			(*run)(struct cli *, const struct cli_cmd *self,
				    int argc, char **argv);
};

/* Every command, NULL-terminated, in the order of the listings. */
extern const struct cli_cmd *const cli_cmds[];

extern const struct cli_cmd cli_init_entry;
extern const struct cli_cmd cli_import_entry;
extern const struct cli_cmd cli_customer_list_entry;
extern const struct cli_cmd cli_customer_show_entry;
extern const struct cli_cmd cli_customer_add_entry;
extern const struct cli_cmd cli_customer_set_entry;
extern const struct cli_cmd cli_customer_forget_entry;
extern const struct cli_cmd cli_rep_add_entry;
extern const struct cli_cmd cli_rep_list_entry;
extern const struct cli_cmd cli_rep_token_entry;
extern const struct cli_cmd cli_rep_reassign_entry;
extern const struct cli_cmd cli_contact_log_entry;
extern const struct cli_cmd cli_task_list_entry;
extern const struct cli_cmd cli_task_show_entry;
extern const struct cli_cmd cli_task_done_entry;
extern const struct cli_cmd cli_task_outcome_entry;
extern const struct cli_cmd cli_task_cancel_entry;
extern const struct cli_cmd cli_feed_entry;
extern const struct cli_cmd cli_stats_entry;
extern const struct cli_cmd cli_report_entry;
extern const struct cli_cmd cli_tiers_recompute_entry;
extern const struct cli_cmd cli_plan_entry;
extern const struct cli_cmd cli_render_entry;
extern const struct cli_cmd cli_scan_entry;
extern const struct cli_cmd cli_send_entry;
extern const struct cli_cmd cli_outbox_entry;
extern const struct cli_cmd cli_outbox_cancel_entry;
extern const struct cli_cmd cli_outbox_hold_entry;
extern const struct cli_cmd cli_outbox_release_entry;
extern const struct cli_cmd cli_retry_entry;
extern const struct cli_cmd cli_check_config_entry;
extern const struct cli_cmd cli_backup_entry;
extern const struct cli_cmd cli_help_entry;

/* Opens the store named by --db or the configuration; exits on failure
 * with EX_CANTCREAT.  Returns the open store. */
struct store *cli_store(struct cli *cli);
/* The path of the store the command works on (--db or the config). */
const char *cli_store_path(struct cli *cli);
/* Prints "outreachctl: msg" to stderr and returns code. */
int cli_fail(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* getopt_long over argv with the command's options: the next option, '?'
 * for an unknown one, -1 at the end. */
int cli_getopt(const struct cli_cmd *self, int argc, char **argv);
/* Prints the command's usage line and help, to stdout when code is 0
 * (--help), else to stderr.  Returns code. */
int cli_usage(const struct cli_cmd *self, int code);
/* Lists every command, or those of group ("customer"...), like
 * cli_usage.  Returns code. */
int cli_list(const char *group, int code);
/* "today" in the configured default time zone, as a day number. */
int32_t cli_today(struct cli *cli);
/* Parses YYYY-MM-DD into a day number or fails with EX_USAGE. */
int cli_parse_day(const char *s, int32_t *day);
/* Prints which channels are held (outbox hold) and since when, or with
 * always that none is: 0, or an exit code. */
int cli_print_holds(struct cli *cli, int always);

#endif

/* cli.h - what outreachctl's commands share: the parsed global options, the
 * configuration and the store, opened on first use. */
#ifndef OUTREACHD_CLI_H
#define OUTREACHD_CLI_H

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
};

struct cli_cmd {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(struct cli *cli, int argc, char **argv);
};

/* Opens the store named by --db or the configuration; exits on failure
 * with EX_CANTCREAT / EX_CONFIG.  Returns the open store. */
struct store *cli_store(struct cli *cli);
/* Prints "outreachctl: msg" to stderr and returns code. */
int cli_fail(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Standard handling of --help and unknown options inside a command:
 * parses argv with getopt_long; returns the option, -1 at the end. */
int cli_usage(const struct cli_cmd *cmd, int code);
/* "today" in the configured default time zone, as a day number. */
int32_t cli_today(struct cli *cli);
/* Parses YYYY-MM-DD into a day number or fails with EX_USAGE. */
int cli_parse_day(const char *s, int32_t *day);

extern const struct cli_cmd cli_customer_cmds[];
extern const struct cli_cmd cli_rep_cmds[];
extern const struct cli_cmd cli_contact_cmds[];
extern const struct cli_cmd cli_task_cmds[];
int cli_cmd_feed(struct cli *cli, int argc, char **argv);
int cli_cmd_rep_token(struct cli *cli, int argc, char **argv);
int cli_cmd_import(struct cli *cli, int argc, char **argv);
int cli_cmd_init(struct cli *cli, int argc, char **argv);
int cli_cmd_stats(struct cli *cli, int argc, char **argv);
int cli_cmd_check_config(struct cli *cli, int argc, char **argv);
int cli_cmd_plan(struct cli *cli, int argc, char **argv);
int cli_cmd_tiers(struct cli *cli, int argc, char **argv);
int cli_cmd_render(struct cli *cli, int argc, char **argv);
int cli_cmd_outbox(struct cli *cli, int argc, char **argv);
int cli_cmd_retry(struct cli *cli, int argc, char **argv);
int cli_cmd_send(struct cli *cli, int argc, char **argv);
int cli_cmd_scan(struct cli *cli, int argc, char **argv);

#endif

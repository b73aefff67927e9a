/* cli_admin.c - outreachctl init, import, stats, check-config and backup. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "conf_live.h"
#include "date_text.h"
#include "date_zone.h"
#include "import.h"
#include "import_dates.h"
#include "json.h"
#include "render.h"
#include "store.h"
#include "store_backup.h"
#include "util.h"

static int	cmd_init(struct cli *, const struct cli_cmd *, int, char **);
static int	cmd_import(struct cli *, const struct cli_cmd *, int, char **);
static int	cmd_stats(struct cli *, const struct cli_cmd *, int, char **);
static int	cmd_check_config(struct cli *, const struct cli_cmd *, int,
		    char **);
static int	cmd_backup(struct cli *, const struct cli_cmd *, int, char **);

const struct cli_cmd cli_init_entry = {
	.name = "init",
	.usage = "",
	.help = "create the store, or bring it up to the current schema",
	.run = cmd_init,
};

static const struct option import_opts[] = {
	{ "dry-run", no_argument, NULL, 'n' },
	{ "no-progress", no_argument, NULL, 'P' },
	{ "encoding", required_argument, NULL, 'e' },
	{ "date-order", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_import_entry = {
	.name = "import",
	.usage = "customers|purchases|contacts|dates FILE [--dry-run] "
	    "[--no-progress] [--encoding NAME] [--date-order dmy|mdy]",
	.help = "import a CSV file (- for stdin): all rows or none",
	.opts = import_opts,
	.flags = CLI_WAKE,
	.run = cmd_import,
};

static const struct option stats_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_stats_entry = {
	.name = "stats",
	.usage = "[--json]",
	.help = "counts by tier, rep, birthday and opt-out",
	.opts = stats_opts,
	.flags = CLI_READ,
	.run = cmd_stats,
};

static const struct option check_config_opts[] = {
	{ "strict", no_argument, NULL, 's' },
	{ "settings", no_argument, NULL, 'S' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_check_config_entry = {
	.name = "check-config",
	.usage = "[--strict | --settings]",
	.help = "validate the configuration and the templates (--strict: "
	    "fail on any warning, as before going live), or list every "
	    "setting",
	.opts = check_config_opts,
	.run = cmd_check_config,
};

static const struct option backup_opts[] = {
	{ "force", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Read-only: a mistyped --db must not leave an empty store behind. */
const struct cli_cmd cli_backup_entry = {
	.name = "backup",
	.usage = "FILE [--force]",
	.help = "copy the store to FILE, consistently, while the daemon runs",
	.opts = backup_opts,
	.flags = CLI_READ,
	.run = cmd_backup,
};

/* init: creates or migrates the store and says so. */
static int
cmd_init(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	if (argc > 1)
		return cli_usage(self, strcmp(argv[1], "--help") ? EX_USAGE : 0);
	cli_store(cli);
	printf("store %s ready (schema version %d)\n",
	    cli->db_path ? cli->db_path : cli->conf->store,
	    store_schema_version(cli->st));
	return 0;
}

static void
print_import_error(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s\n", msg);
}

/* import dates: customers' key dates; says what changed. */
static int
import_dates_file(struct cli *cli, FILE *fp, const struct import_opts *o)
{
	struct import_dates_result res;
	char *cause = NULL;

	if (import_dates_csv(cli_store(cli), fp, o, &res, &cause) != 0) {
		cli_fail(EX_DATAERR, "%s", cause);
		free(cause);
		return EX_DATAERR;
	}
	printf("%s %lu dates from %s: %lu added, %lu updated, %lu unchanged, "
	    "%lu removed%s\n", o->dry_run ? "validated" : "imported",
	    res.rows - res.blank, o->name, res.added, res.updated,
	    res.unchanged, res.removed, res.added + res.updated + res.removed ?
	    "" : " (nothing changed)");
	return 0;
}

/* What the rows did, after the summary line's start: importing a file
 * again says that nothing changed. */
static void
print_import_counts(const struct import_result *r, int dry_run)
{
	if (r->rows > 0 && r->added + r->updated == 0)
		printf("nothing %s, the store had every row already",
		    dry_run ? "would change" : "changed");
	else
		printf("%lu new, %lu updated, %lu already there%s", r->added,
		    r->updated, r->same, dry_run ? " (nothing written)" : "");
	if (r->blank > 0)
		printf("; %lu empty row%s skipped", r->blank,
		    r->blank == 1 ? "" : "s");
	putchar('\n');
}

/* The import's options: 0 to go on, else 1 and the exit status in *ex
 * (--help, a usage error). */
static int
import_options(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv, struct import_opts *o, struct customer_rules *rules,
    int *dates, int *ex)
{
	int ch;

	o->progress = 1;
	*rules = cli->rules;
	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch == 'n')
			o->dry_run = cli->dry_run = 1;
		else if (ch == 'P')
			o->progress = 0;
		else if (ch == 'e')
			o->encoding = optarg;
		else if (ch == 'd' && date_order_parse(optarg,
		    &rules->date_order) != 0) {
			*ex = cli_fail(EX_USAGE, "--date-order: \"%s\": give "
			    "dmy (3/5/1980 is 3 May) or mdy (5 March)", optarg);
			return 1;
		} else if (ch != 'd') {
			*ex = cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
			return 1;
		}
	}
	if (optind != argc - 2 || (!(*dates = strcmp(argv[optind], "dates") ==
	    0) && import_kind_parse(argv[optind], &o->kind) != 0)) {
		*ex = cli_usage(self, EX_USAGE);
		return 1;
	}
	o->rules = rules;
	o->columns = &cli->conf->import;
	o->on_error = o->on_note = print_import_error;
	return 0;
}

/* import: one CSV file, all rows or none. */
static int
cmd_import(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	struct import_opts o = { 0 };
	struct customer_rules rules;
	struct import_result res;
	struct stat sb;
	char *cause = NULL;
	FILE *fp;
	int rc, dates = 0;
	double t0, t1;

	if (import_options(cli, self, argc, argv, &o, &rules, &dates, &rc) != 0)
		return rc;
	o.name = argv[optind + 1];
	if (date_today(time(NULL), cli->conf->timezone, &o.today, &cause) != 0)
		return cli_fail(EX_CONFIG, "%s", cause);
	if (strcmp(o.name, "-") == 0) {
		fp = stdin;
		o.name = "<stdin>";
	} else if ((fp = fopen(o.name, "r")) == NULL)
		return cli_fail(EX_NOINPUT, "%s: %m", o.name);
	if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode))
		o.size = (long long)sb.st_size;
	o.progress = o.progress && isatty(STDERR_FILENO);
	o.now = time(NULL);
	if (dates) {
		rc = import_dates_file(cli, fp, &o);
		if (fp != stdin)
			fclose(fp);
		return rc;
	}
	t0 = clock_seconds();
	rc = import_csv(cli_store(cli), fp, &o, &res, &cause);
	t1 = clock_seconds();
	if (fp != stdin)
		fclose(fp);
	if (rc != 0) {
		cli_fail(res.errors ? EX_DATAERR : EX_DATAERR, "%s", cause);
		free(cause);
		return EX_DATAERR;
	}
	printf("%s %lu %s from %s in %.2fs (%.0f rows/s): ",
	    o.dry_run ? "validated" : "imported", res.rows, argv[optind],
	    o.name, t1 - t0, t1 > t0 ? (double)res.rows / (t1 - t0) : 0.0);
	print_import_counts(&res, o.dry_run);
	return 0;
}

static void
stats_groups(struct json *j, const char *key, const struct store_count *c,
    size_t n)
{
	size_t i;

	if (j != NULL) {
		json_key(j, key);
		json_begin_object(j);
		for (i = 0; i < n; i++)
			json_kv_int(j, *c[i].key ? c[i].key : "(none)",
			    c[i].count);
		json_end_object(j);
		return;
	}
	printf("%s:\n", key);
	for (i = 0; i < n; i++)
		printf("  %-12s %ld\n", *c[i].key ? c[i].key : "(none)",
		    c[i].count);
}

/* stats: counts of customers, purchases and contacts. */
static int
cmd_stats(struct cli *cli, const struct cli_cmd *self, int argc, char **argv)
{
	struct store_stats s;
	struct json j, *jp = NULL;
	char *cause = NULL;
	int ch, json = 0;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch != 'j')
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
		json = 1;
	}
	if (optind != argc)
		return cli_usage(self, EX_USAGE);
	if (store_stats(cli_store(cli), &s, &cause) != 0) {
		cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return EX_SOFTWARE;
	}
	if (json) {
		jp = &j;
		json_init(jp, stdout, 1);
		json_begin_object(jp);
		json_kv_int(jp, "customers", s.customers);
		json_kv_int(jp, "with_birthday", s.with_birthday);
		json_kv_int(jp, "without_birthday", s.without_birthday);
		json_key(jp, "opted_out");
		json_begin_object(jp);
		json_kv_int(jp, "email", s.opted_out_email);
		json_kv_int(jp, "sms", s.opted_out_sms);
		json_kv_int(jp, "all", s.opted_out_all);
		json_end_object(jp);
		json_kv_int(jp, "purchases", s.purchases);
		json_kv_int(jp, "contacts", s.contacts);
	} else {
		printf("customers:        %ld\n", s.customers);
		printf("with birthday:    %ld\n", s.with_birthday);
		printf("without birthday: %ld\n", s.without_birthday);
		printf("opted out:        email %ld, sms %ld, all %ld\n",
		    s.opted_out_email, s.opted_out_sms, s.opted_out_all);
		printf("purchases:        %ld\ncontacts:         %ld\n",
		    s.purchases, s.contacts);
	}
	stats_groups(jp, "by_tier", s.by_tier, s.nby_tier);
	stats_groups(jp, "by_rep", s.by_rep, s.nby_rep);
	if (jp != NULL)
		json_end_object(jp);
	store_stats_clear(&s);
	return 0;
}

/* Prints the warnings: the loader's (likely wrong), then going live's
 * (cannot work in production).  Returns how many there were. */
static size_t
print_warnings(const struct conf *cf, int strict)
{
	char **live = conf_live_check(cf, strict || conf_live_systemd());
	size_t i, n = 0;
	const char *p;

	if (cf->warnings != NULL) {
		fprintf(stderr, "%s\n", cf->warnings);
		for (n = 1, p = cf->warnings; (p = strchr(p, '\n')) != NULL; p++)
			n++;
	}
	for (i = 0; live != NULL && live[i] != NULL; i++)
		fprintf(stderr, "%s\n", live[i]);
	conf_live_free(live);
	return n + i;
}

/* Loading the configuration already validated it (main exits EX_CONFIG
 * otherwise); the templates are checked here, against the rules, and the
 * settings against production.  --strict takes the configuration to be
 * the service's, and fails on any warning.  With --settings, lists every
 * setting the file may hold instead. */
static int
cmd_check_config(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv)
{
	const char *path = cli->conf->path ? cli->conf->path :
	    "(built-in defaults)";
	struct tmpl_set *ts;
	char *cause = NULL;
	int ch, strict = 0, settings = 0;
	size_t n;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch == 's')
			strict = 1;
		else if (ch == 'S')
			settings = 1;
		else
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
	}
	if (optind != argc || (strict && settings))
		return cli_usage(self, EX_USAGE);
	if (settings) {
		conf_print_settings(stdout);
		return 0;
	}
	if ((ts = render_load_templates(cli->conf, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return EX_CONFIG;
	}
	n = print_warnings(cli->conf, strict);
	if (strict && n > 0) {
		fprintf(stderr, "%s: not ready to go live: %zu warning%s\n",
		    path, n, n == 1 ? "" : "s");
		tmpl_set_free(ts);
		return EX_CONFIG;
	}
	printf("%s: ok (%zu rules, %zu holidays, %zu templates in %s)\n",
	    path, cli->conf->nrules, cli->conf->nholidays, tmpl_set_count(ts),
	    cli->conf->templates);
	tmpl_set_free(ts);
	return 0;
}

/* backup: the store as it was at one instant, in FILE. */
static int
cmd_backup(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv)
{
	char *cause = NULL;
	long long bytes = 0;
	int ch, flags = 0, rc;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		if (ch != 'f')
			return cli_usage(self, ch == 'h' ? 0 : EX_USAGE);
		flags |= STORE_BACKUP_REPLACE;
	}
	if (optind != argc - 1 || *argv[optind] == '\0')
		return cli_usage(self, EX_USAGE);
	rc = store_backup(cli_store(cli), argv[optind], flags, &bytes, &cause);
	if (rc == 1)
		return cli_fail(EX_CANTCREAT, "%s: exists; not replaced "
		    "without --force", argv[optind]);
	if (rc != 0) {
		cli_fail(EX_IOERR, "backup failed: %s", cause);
		free(cause);
		return EX_IOERR;
	}
	printf("%s: backup of %s written (%lld bytes)\n", argv[optind],
	    cli_store_path(cli), bytes);
	return 0;
}

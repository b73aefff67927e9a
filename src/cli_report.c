/* cli_report.c - outreachctl report: the manager's report (report.h) as a
 * table or as JSON, and as a self-contained HTML page written to a file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "report.h"
#include "report_print.h"

static int	cmd_report(struct cli *, const struct cli_cmd *, int, char **);

static const struct option report_opts_long[] = {
	{ "date", required_argument, NULL, 'd' },
	{ "from", required_argument, NULL, 'f' },
	{ "to", required_argument, NULL, 't' },
	{ "rep", required_argument, NULL, 'r' },
	{ "json", no_argument, NULL, 'j' },
	{ "html", required_argument, NULL, 'H' },
	{ "locale", required_argument, NULL, 'l' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cli_report_entry = {
	.name = "report",
	.usage = "[--date YYYY-MM-DD] [--from YYYY-MM] [--to YYYY-MM] "
	    "[--rep KEY] [--json] [--html FILE [--locale LOCALE]]",
	.help = "retention, value, cadence and what the messages achieved",
	.opts = report_opts_long,
	.flags = CLI_READ,
	.run = cmd_report,
};

/* What the command line asked for. */
struct report_args {
	const char *date, *from, *to, *rep, *html, *locale;
	int json;
};

/* 0, or the exit code of a usage error (or of --help). */
static int
report_args(const struct cli_cmd *self, int argc, char **argv,
    struct report_args *a)
{
	int ch;

	while ((ch = cli_getopt(self, argc, argv)) != -1) {
		switch (ch) {
		case 'd':
			a->date = optarg;
			break;
		case 'f':
			a->from = optarg;
			break;
		case 't':
			a->to = optarg;
			break;
		case 'r':
			a->rep = optarg;
			break;
		case 'j':
			a->json = 1;
			break;
		case 'H':
			a->html = optarg;
			break;
		case 'l':
			a->locale = optarg;
			break;
		default:
			return ch == 'h' ? cli_usage(self, 0) - 1 :
			    cli_usage(self, EX_USAGE);
		}
	}
	return optind != argc ? cli_usage(self, EX_USAGE) : 0;
}

/* The rep asked for must exist: 0, or an exit code. */
static int
report_rep_known(struct cli *cli, const char *key)
{
	struct store_rep rep = { 0 };
	char *cause = NULL;
	int rc;

	if (key == NULL)
		return 0;
	if ((rc = store_rep_get(cli_store(cli), key, &rep, &cause)) < 0) {
		rc = cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return rc;
	}
	store_rep_clear(&rep);
	return rc == 1 ? 0 : cli_fail(EX_DATAERR, "no rep \"%s\"", key);
}

/* The page into path: 0, or an exit code. */
static int
report_write_html(const struct report *r, enum i18n_lang lang,
    const char *path)
{
	char *html = report_html(r, lang);
	FILE *fp = fopen(path, "w");
	int failed = fp == NULL || fputs(html, fp) == EOF, err = errno;

	if (fp != NULL && fclose(fp) != 0 && !failed) {
		failed = 1;
		err = errno;
	}
	free(html);
	errno = err;
	return failed ? cli_fail(EX_CANTCREAT, "%s: %m", path) : 0;
}

static int
cmd_report(struct cli *cli, const struct cli_cmd *self, int argc,
    char **argv)
{
	struct report_args a = { 0 };
	struct report_opts o;
	struct report *r;
	char *cause = NULL;
	int32_t day;
	int rc;

	/* --help: -1, printed; exit 0. */
	if ((rc = report_args(self, argc, argv, &a)) != 0)
		return rc < 0 ? 0 : rc;
	if (a.date != NULL) {
		if (cli_parse_day(a.date, &day) != 0)
			return EX_USAGE;
	} else
		day = cli_today(cli);
	if (report_period(day, a.from, a.to, &o, &cause) != 0) {
		rc = cli_fail(EX_USAGE, "%s", cause);
		free(cause);
		return rc;
	}
	o.rep = a.rep;
	if ((rc = report_rep_known(cli, a.rep)) != 0)
		return rc;
	if ((r = report_build(cli_store(cli), cli->conf, &o, &cause)) == NULL) {
		rc = cli_fail(EX_SOFTWARE, "%s", cause);
		free(cause);
		return rc;
	}
	/* With --html alone the page is the output; the table is not. */
	if (a.html != NULL)
		rc = report_write_html(r,
		    i18n_lang_of(a.locale, cli->conf->locale), a.html);
	if (a.json)
		report_print_json(r, stdout);
	else if (a.html == NULL)
		report_print_text(r, stdout);
	report_free(r);
	return rc;
}

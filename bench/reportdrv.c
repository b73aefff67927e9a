/* reportdrv.c - the manager's report against plain SQL queries of the same
 * lifecycle and compliance figures, in one process on one warm store
 * connection.
 *
 *	reportdrv [-r RUNS] [-m report|raw|both|hist] [-v] [-s SAMPLES -l LABEL]
 *	    CONF YYYY-MM-DD
 *
 * report: report_build() for the day and the default period (the 12 whole
 *	   months before the day's month), printed as JSON to /dev/null:
 *	   exactly what `outreachctl report --json` does after start-up.
 * raw:    the lower bound for the figures on the day: one SELECT over the
 *	   customers alone (in rowid order, NOT INDEXED: by customers_rep it
 *	   takes twice as long) that counts by rep, tier and lifecycle state
 *	   the customers on the day, and those within their tier's cadence,
 *	   from the store's derived first and last purchase and last contact
 *	   (valid only for a day after every purchase and contact, as the
 *	   bench's is), the state as CASE arithmetic, grouped by SQLite.
 * hist:   what plain SQL costs for the report's lifecycle history: the
 *	   same counts at every boundary (each month's end, the day before
 *	   the period, a year before the day, the day), the purchases
 *	   aggregated per customer by GROUP BY and joined to the customers.
 *	   Every run is recorded (it takes half a minute at a million).
 *
 * With -m both, report and raw alternate run by run, so both see the same
 * cache and load; the first run of each is a warm-up and not recorded.
 * -v prints the SQL.  Prints one line per run and the peak RSS; with -s
 * appends "LABEL-report ms X", "LABEL-raw ms X", "LABEL-hist ms X". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include <sqlite3.h>

#include "conf.h"
#include "date.h"
#include "report.h"
#include "report_print.h"
#include "store.h"
#include "store_schema.h" /* struct store: st->db (its first member) */
#include "util.h"

static int verbose;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The counts on the day from the customers' derived columns. */
static char *
raw_now_sql(const struct conf *cf, int32_t day)
{
	const struct conf_plan *cp = &cf->plan;

	return xasprintf("SELECT c.rep_id, c.tier_eff, CASE WHEN"
	    " c.last_purchase IS NULL OR c.first_purchase > %d THEN 0"
	    " WHEN %d - c.last_purchase >= %d THEN 4"
	    " WHEN %d - c.last_purchase >= CASE WHEN c.sleep_days > 0 AND"
	    " c.sleep_days < %d THEN c.sleep_days ELSE %d END THEN 3"
	    " WHEN %d - c.first_purchase < %d THEN 1 ELSE 2 END,"
	    " count(*), sum(c.last_contact IS NOT NULL AND %d - c.last_contact"
	    " <= CASE c.tier_eff WHEN 'A' THEN %d WHEN 'B' THEN %d ELSE %d"
	    " END) FROM customers c NOT INDEXED GROUP BY 1, 2, 3;", day, day,
	    cp->lost_after_days, day, cp->sleeping_after_days,
	    cp->sleeping_after_days, day, cp->lifecycle_new_days, day,
	    cp->cadence[0], cp->cadence[1], cp->cadence[2]);
}

/* The five states at boundary b (day x), as sums over the joined row; t
 * is the customer's sleeping threshold. */
static void
raw_states(struct buf *b, int i, int32_t x, const struct conf_plan *cp)
{
	char t[128];

	snprintf(t, sizeof(t), "CASE WHEN c.sleep_days > 0 AND c.sleep_days"
	    " < %d THEN c.sleep_days ELSE %d END", cp->sleeping_after_days,
	    cp->sleeping_after_days);
	buf_printf(b, ", sum(p.l%d IS NULL)", i);
	buf_printf(b, ", sum(%d - p.l%d >= %d)", x, i, cp->lost_after_days);
	buf_printf(b, ", sum(%d - p.l%d < %d AND %d - p.l%d >= %s)", x, i,
	    cp->lost_after_days, x, i, t);
	buf_printf(b, ", sum(%d - p.l%d < %s AND %d - p.f < %d)", x, i, t, x,
	    cp->lifecycle_new_days);
	buf_printf(b, ", sum(%d - p.l%d < %s AND %d - p.f >= %d)", x, i, t, x,
	    cp->lifecycle_new_days);
}

/* The history query for the report's boundaries. */
static char *
hist_sql(const struct report *r, const struct conf *cf, int32_t day)
{
	const struct conf_plan *cp = &cf->plan;
	struct buf b;
	int i, nb = report_nboundaries(r);

	buf_init(&b);
	buf_printf(&b, "SELECT c.rep_id, c.tier_eff, count(*), sum(k.lc IS NOT"
	    " NULL AND %d - k.lc <= CASE c.tier_eff WHEN 'A' THEN %d WHEN 'B'"
	    " THEN %d ELSE %d END)", day, cp->cadence[0], cp->cadence[1],
	    cp->cadence[2]);
	for (i = 0; i < nb; i++)
		raw_states(&b, i, report_boundary(r, i), cp);
	buf_printf(&b, " FROM customers c LEFT JOIN (SELECT customer_id,"
	    " min(day) AS f");
	for (i = 0; i < nb; i++)
		buf_printf(&b, ", max(CASE WHEN day <= %d THEN day END) AS l%d",
		    report_boundary(r, i), i);
	buf_printf(&b, " FROM purchases WHERE day <= %d GROUP BY customer_id)"
	    " p ON p.customer_id = c.id LEFT JOIN (SELECT customer_id,"
	    " max(day) AS lc FROM contacts WHERE day <= %d GROUP BY"
	    " customer_id) k ON k.customer_id = c.id GROUP BY c.rep_id,"
	    " c.tier_eff;", day, day);
	return buf_detach(&b);
}

/* Runs the raw query to the end, reading every column; its rows. */
static long
raw_run(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	volatile long sink = 0;
	long rows = 0;
	int i, n;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
		exit(70);
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		n = sqlite3_column_count(s);
		for (i = 0; i < n; i++)
			sink += sqlite3_column_int64(s, i);
		rows++;
	}
	sqlite3_finalize(s);
	return rows;
}

/* One report, printed to out; its time in ms. */
static double
report_run(struct store *st, const struct conf *cf,
    const struct report_opts *o, FILE *out)
{
	struct report *r;
	char *cause = NULL;
	double t0 = now_ms();

	if ((r = report_build(st, cf, o, &cause)) == NULL) {
		fprintf(stderr, "reportdrv: %s\n", cause);
		exit(70);
	}
	report_print_json(r, out);
	fflush(out);
	report_free(r);
	return now_ms() - t0;
}

int
main(int argc, char **argv)
{
	const char *mode = "both", *samples = NULL, *label = "report";
	struct report_opts o;
	struct report *r;
	struct conf *cf;
	struct store *st;
	struct date d;
	struct rusage ru;
	char *cause = NULL, *sql;
	int32_t day;
	int runs = 6, ch, i, do_p, do_r, hist;
	double t0, tp, tr;
	long rows = 0;
	FILE *sf = NULL, *out;

	while ((ch = getopt(argc, argv, "r:m:vs:l:")) != -1) {
		switch (ch) {
		case 'r': runs = atoi(optarg) + 1; break;
		case 'm': mode = optarg; break;
		case 'v': verbose = 1; break;
		case 's': samples = optarg; break;
		case 'l': label = optarg; break;
		default: goto usage;
		}
	}
	if (argc - optind != 2) {
usage:
		fprintf(stderr, "usage: reportdrv [-r RUNS] [-m report|raw|both|"
		    "hist] [-v] [-s SAMPLES -l LABEL] CONF YYYY-MM-DD\n");
		return 64;
	}
	hist = strcmp(mode, "hist") == 0;
	do_p = strcmp(mode, "raw") != 0 && !hist;
	do_r = strcmp(mode, "report") != 0;
	if ((cf = conf_load(argv[optind], &cause)) == NULL ||
	    date_parse(argv[optind + 1], &d, &cause) != 0 ||
	    store_open(cf->store, &st, &cause) != 0) {
		fprintf(stderr, "reportdrv: %s\n", cause);
		return 78;
	}
	day = date_to_days(d.year, d.month, d.day);
	if (report_period(day, NULL, NULL, &o, &cause) != 0 ||
	    (out = fopen("/dev/null", "w")) == NULL) {
		fprintf(stderr, "reportdrv: %s\n", cause ? cause : "/dev/null");
		return 70;
	}
	o.rep = NULL;
	if (hist) {
		/* A first report gives the boundaries (and warms the cache). */
		if ((r = report_build(st, cf, &o, &cause)) == NULL) {
			fprintf(stderr, "reportdrv: %s\n", cause);
			return 70;
		}
		sql = hist_sql(r, cf, day);
		report_free(r);
	} else
		sql = raw_now_sql(cf, day);
	if (verbose)
		fprintf(stderr, "%s\n", sql);
	if (samples != NULL && (sf = fopen(samples, "a")) == NULL) {
		perror(samples);
		return 73;
	}
	for (i = 0; i < runs; i++) {
		tp = tr = 0;
		if (do_r && i % 2 == 1) {
			t0 = now_ms();
			rows = raw_run(st->db, sql);
			tr = now_ms() - t0;
		}
		if (do_p)
			tp = report_run(st, cf, &o, out);
		if (do_r && i % 2 == 0) {
			t0 = now_ms();
			rows = raw_run(st->db, sql);
			tr = now_ms() - t0;
		}
		printf("run %d%s: report %.3f ms  %s %.3f ms (%ld rows)\n", i,
		    i == 0 && !hist ? " (warm-up)" : "", tp, hist ? "hist" :
		    "raw", tr, rows);
		if (sf != NULL && (i > 0 || hist)) {
			if (do_p)
				fprintf(sf, "%s-report ms %.3f\n", label, tp);
			if (do_r)
				fprintf(sf, "%s-%s ms %.3f\n", label, hist ?
				    "hist" : "raw", tr);
		}
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS %ld KB\n", ru.ru_maxrss);
	if (sf != NULL)
		fclose(sf);
	fclose(out);
	free(sql);
	store_close(st);
	conf_free(cf);
	return 0;
}

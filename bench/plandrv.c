/* plandrv.c - the planner's own time against the bare indexed queries it
 * issues, in one process on one warm store connection.
 *
 *	plandrv [-r RUNS] [-m planner|raw|both] [-v] [-s SAMPLES -l LABEL]
 *	    CONF YYYY-MM-DD
 *
 * planner: planner_run(store, conf, day, 1 day, no commit) into a plan list,
 *	    exactly what `outreachctl plan --date D` computes (without the
 *	    printing), then plan_list_free().
 * raw:     the lower bound: for the same rules, in the same order, the very
 *	    queries of src/store_plan.c (store_plan_query(), on the store's
 *	    engine: SQLite or PostgreSQL through db.h) with the same keys
 *	    (Gregorian and lunar month-day keys, revisit per tier and the
 *	    reps' next dates, sleeping steps, lost, stale and flagged, key
 *	    dates, visits, holidays), every row read into a candidate,
 *	    nothing else (no filters, channel choice, dedup or cap lookups,
 *	    strings).  "Bare" means the candidate queries as store_plan_sql()
 *	    gives them, the same since they were first measured: the
 *	    planner's own revisit queries also bring each candidate's last
 *	    contact kind (a correlated subquery, one index probe per
 *	    candidate), which is one of the planner's lookups and so not
 *	    part of the bound.
 *
 * With -m both the two alternate, run by run, so both see the same cache and
 * load.  Prints one line per run; with -s appends "LABEL-planner ms X" /
 * "LABEL-raw ms X" samples.  -v prints the raw queries one by one with
 * their rows and time (for the report and EXPLAIN).  The first run of each
 * is a warm-up and not recorded. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include "conf.h"
#include "date.h"
#include "lunar.h"
#include "planner.h"
#include "store.h"
#include "store_keydate.h"
#include "store_plan.h"

/* The planner's own statements (store_plan.h), in its order. */
static const char *const qname[PQ_COUNT] = { "birthday_md",
	"birthday_lunar", "anniversary_md", "revisit", "last_purchase",
	"sleep_personal", "updated", "all", "revisit_next", "stale_flagged",
	"visited" };
static const char *const kname[KQ_COUNT] = { "keydate_md", "keydate_lunar",
	"keydate_day" };

static int verbose;
static long raw_rows;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Counts a candidate; the store has read every column already. */
static int
raw_row(void *arg, const struct plan_cand *c)
{
	volatile long *sink = arg;

	*sink += c->id + (c->name != NULL ? c->name[0] : 0);
	raw_rows++;
	return 0;
}

/* Runs one candidate query to the end. */
static void
raw_query(struct store *st, enum store_plan_query q, const int64_t *args,
    size_t nargs)
{
	double t0 = verbose ? now_ms() : 0;
	long before = raw_rows;
	volatile long sink = 0;
	char *cause = NULL;
	int i;

	if (store_plan_query(st, q, args, nargs, raw_row, (void *)&sink,
	    &cause) != 0) {
		fprintf(stderr, "plandrv: %s\n", cause);
		exit(70);
	}
	if (verbose) {
		char a[96] = "";
		size_t o = 0;

		for (i = 0; i < (int)nargs && o < sizeof(a) - 24; i++)
			o += (size_t)snprintf(a + o, sizeof(a) - o, " %lld",
			    (long long)args[i]);
		fprintf(stderr, "  %-15s %-24s rows %7ld  %8.3f ms\n", qname[q],
		    a, raw_rows - before, now_ms() - t0);
	}
}

/* A key date rule's queries, as planner_events.c's plan_keydate(). */
static void
raw_keydate(struct store *st, const struct conf *cf, const char *label,
    int32_t ev)
{
	int64_t k[4];
	size_t n;
	int q;
	double t0;
	long before;
	volatile long sink = 0;
	char *cause = NULL;

	for (q = 0; q < KQ_COUNT; q++) {
		if (q == KQ_MD)
			n = planner_md_keys(ev, cf->plan.feb29, k);
		else if (q == KQ_LUNAR)
			n = planner_lunar_keys(ev, k);
		else {
			k[0] = ev;
			n = 1;
		}
		t0 = now_ms();
		before = raw_rows;
		if (store_keydate_due(st, (enum store_keydate_query)q, label, k,
		    n, raw_row, (void *)&sink, &cause) != 0) {
			fprintf(stderr, "plandrv: %s\n", cause);
			exit(70);
		}
		if (verbose)
			fprintf(stderr, "  %-15s %-24s rows %7ld  %8.3f ms\n",
			    kname[q], label, raw_rows - before, now_ms() - t0);
	}
}

static int
has_winback_messages(const struct conf *cf)
{
	size_t i;

	for (i = 0; i < cf->nrules; i++)
		if (cf->rules[i].event == EV_SLEEPING &&
		    cf->rules[i].action == ACT_MESSAGE)
			return 1;
	return 0;
}

static void
raw_sleep_step(struct store *db, const struct conf_plan *cp, int32_t ev, int k)
{
	int32_t off = k * cp->winback_interval_days;
	int64_t a[2];

	if (cp->sleeping_after_days + off < cp->lost_after_days) {
		a[0] = ev - cp->sleeping_after_days - off;
		a[1] = cp->sleeping_after_days;
		raw_query(db, PQ_LAST_PURCHASE, a, 2);
	}
	a[0] = ev - off;
	a[1] = cp->sleeping_after_days;
	raw_query(db, PQ_SLEEP_PERSONAL, a, 2);
}

static int
rule_cmp(const void *a, const void *b)
{
	const struct conf_rule *x = *(const struct conf_rule *const *)a;
	const struct conf_rule *y = *(const struct conf_rule *const *)b;

	return (x->priority > y->priority) - (x->priority < y->priority);
}

static void
raw_day(struct store *db, const struct conf *cf, int32_t day)
{
	const struct conf_plan *cp = &cf->plan;
	const struct conf_rule **order = calloc(cf->nrules + 1, sizeof(*order));
	const struct conf_holiday *h;
	int64_t k[4];
	size_t i, j, n;
	int t;

	for (i = 0; i < cf->nrules; i++)
		order[i] = &cf->rules[i];
	qsort(order, cf->nrules, sizeof(*order), rule_cmp);
	for (i = 0; i < cf->nrules; i++) {
		const struct conf_rule *r = order[i];
		int32_t ev = day + r->lead_days;

		if (verbose)
			fprintf(stderr, " rule %s (event day %+d)\n", r->name,
			    r->lead_days);
		switch (r->event) {
		case EV_BIRTHDAY:
			n = planner_md_keys(ev, cp->feb29, k);
			raw_query(db, PQ_BIRTHDAY_MD, k, n);
			if ((n = planner_lunar_keys(ev, k)) > 0)
				raw_query(db, PQ_BIRTHDAY_LUNAR, k, n);
			break;
		case EV_ANNIVERSARY:
			n = planner_md_keys(ev, cp->feb29, k);
			raw_query(db, PQ_ANNIVERSARY_MD, k, n);
			break;
		case EV_REVISIT:
			for (t = 'A'; t <= 'C'; t++) {
				if (r->tiers != 0 && !(r->tiers & TIER_BIT(t)))
					continue;
				k[0] = t;
				k[1] = ev - cp->cadence[t - 'A'];
				raw_query(db, PQ_REVISIT, k, 2);
			}
			k[0] = ev;
			raw_query(db, PQ_REVISIT_NEXT, k, 1);
			break;
		case EV_SLEEPING:
			if (r->action == ACT_TASK)
				raw_sleep_step(db, cp, ev, has_winback_messages(cf) ?
				    cp->winback_max : 0);
			else
				for (t = 0; t < cp->winback_max; t++)
					raw_sleep_step(db, cp, ev, t);
			break;
		case EV_LOST:
			k[0] = ev - cp->lost_after_days;
			k[1] = 0;
			raw_query(db, PQ_LAST_PURCHASE, k, 2);
			break;
		case EV_STALE:
			k[0] = (int64_t)(ev - cp->stale_after_days) * 86400;
			k[1] = k[0] + 86399;
			raw_query(db, PQ_UPDATED, k, 2);
			k[0] = ev;
			raw_query(db, PQ_STALE_FLAGGED, k, 1);
			break;
		case EV_KEYDATE:
			raw_keydate(db, cf, r->label, ev);
			break;
		case EV_AFTER_VISIT:
			k[0] = day - r->lead_days;
			raw_query(db, PQ_VISITED, k, 1);
			break;
		case EV_HOLIDAY:
			h = conf_holiday_find(cf, r->holiday);
			for (j = 0; h != NULL && j < h->ndays; j++)
				if (h->days[j] == ev)
					break;
			if (h != NULL && j < h->ndays)
				raw_query(db, PQ_ALL, NULL, 0);
			break;
		default:
			break;
		}
	}
	free(order);
}

int
main(int argc, char **argv)
{
	const char *mode = "both", *samples = NULL, *label = "plan";
	struct conf *cf;
	struct store *st;
	struct date d;
	struct plan_list l;
	struct plan_stats ps;
	struct rusage ru;
	char *cause = NULL;
	int32_t day;
	int runs = 6, ch, i, do_p, do_r;
	double t0, tp, tr;
	FILE *sf = NULL;

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
		fprintf(stderr, "usage: plandrv [-r RUNS] [-m planner|raw|both] "
		    "[-v] [-s SAMPLES -l LABEL] CONF YYYY-MM-DD\n");
		return 64;
	}
	do_p = strcmp(mode, "raw") != 0;
	do_r = strcmp(mode, "planner") != 0;
	if ((cf = conf_load(argv[optind], &cause)) == NULL ||
	    date_parse(argv[optind + 1], &d, &cause) != 0 ||
	    store_open(cf->store, &st, &cause) != 0) {
		fprintf(stderr, "plandrv: %s\n", cause);
		return 78;
	}
	day = date_to_days(d.year, d.month, d.day);
	if (samples != NULL && (sf = fopen(samples, "a")) == NULL) {
		perror(samples);
		return 73;
	}
	for (i = 0; i < runs; i++) {
		tp = tr = 0;
		/* Alternate which goes first. */
		if (do_r && i % 2 == 1) {
			raw_rows = 0;
			t0 = now_ms();
			raw_day(st, cf, day);
			tr = now_ms() - t0;
		}
		if (do_p) {
			memset(&l, 0, sizeof(l));
			t0 = now_ms();
			if (planner_run(st, cf, day, 1, 0, (int64_t)time(NULL), &l,
			    &ps, &cause) != 0) {
				fprintf(stderr, "plandrv: %s\n", cause);
				return 70;
			}
			plan_list_free(&l);
			tp = now_ms() - t0;
		}
		if (do_r && i % 2 == 0) {
			raw_rows = 0;
			if (verbose)
				fprintf(stderr, "raw queries for %s:\n",
				    argv[optind + 1]);
			t0 = now_ms();
			raw_day(st, cf, day);
			tr = now_ms() - t0;
			verbose = 0;
		}
		printf("run %d%s: planner %.3f ms (%lu items)  raw %.3f ms (%ld "
		    "rows)\n", i, i == 0 ? " (warm-up)" : "", tp,
		    do_p ? ps.items : 0, tr, raw_rows);
		if (sf != NULL && i > 0) {
			if (do_p)
				fprintf(sf, "%s-planner ms %.3f\n%s-planner items "
				    "%lu\n", label, tp, label, ps.items);
			if (do_r)
				fprintf(sf, "%s-raw ms %.3f\n%s-raw rows %ld\n",
				    label, tr, label, raw_rows);
		}
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS %ld KB\n", ru.ru_maxrss);
	if (sf != NULL)
		fclose(sf);
	store_close(st);
	conf_free(cf);
	return 0;
}

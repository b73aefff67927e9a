/* bench_feed.c - feed_render_tasks() against a bare libical loop that
 * builds the same VEVENTs (same properties, same alarm) in one VCALENDAR and
 * serialises it with icalcomponent_as_ical_string_r().  Prints the median of
 * 5 runs of each and their ratio.
 *
 * Each timed run happens in a child process of its own, on a fresh heap
 * after a 100-task warm-up (libical's UTC zone, the allocator): the two
 * codes leave the heap in very different states (libical frees a whole
 * 70 MB tree at once), and in one process whichever runs second pays for
 * the other's free lists, which swung the ratio between 0.4 and 1.9.  The
 * rounds alternate which goes first, so load from other processes hits both
 * alike.
 *
 *	bench_feed [N [MAX_RATIO]]	N tasks (10000); with MAX_RATIO, exit
 *					1 when the ratio is above it
 *
 * Build it optimised and without sanitizers, e.g.
 *	gcc -std=c11 -D_GNU_SOURCE -O2 -Isrc tests/bench_feed.c src/feed.c
 *	    src/feed_fold.c src/date.c src/lunar.c src/util.c src/log.c
 *	    src/utf8.c
 *	    $(pkg-config --cflags --libs libical) -o bench_feed */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <libical/ical.h>

#include "date.h"
#include "feed.h"
#include "util.h"

#define RUNS 5
#define ALARM 30

static const char *const names[] = { "张伟", "李娜", "王芳", "刘洋", "陈静" };
static const char *const kinds[] = { "call", "visit", "gift", "invite",
    "refresh", "winback" };

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Fills n tasks; the strings live in *own (2 per task) until freed. */
static struct feed_task *
make_tasks(int n, char ***own)
{
	struct feed_task *t = xcalloc((size_t)n, sizeof *t);
	int i;

	*own = xcalloc((size_t)n * 2, sizeof **own);
	for (i = 0; i < n; i++) {
		(*own)[2 * i] = xasprintf("task-%d@outreachd", i + 1);
		(*own)[2 * i + 1] = xasprintf("%s %s (tier %c)", kinds[i % 6],
		    names[i % 5], "ABC"[i % 3]);
		t[i].uid = (*own)[2 * i];
		t[i].due = date_to_days(2025, 3, 1) + i % 90;
		t[i].summary = (*own)[2 * i + 1];
		t[i].kind = kinds[i % 6];
		t[i].tier = "ABC"[i % 3];
		t[i].customer = names[i % 5];
		t[i].phone = "+86 138 0013 8000";
		t[i].last_contact = "2024-12-01";
		t[i].reason = "no purchase for 90 days";
		t[i].notes = "客户喜欢乌龙茶，请在周末前联系";
		t[i].created = 1735689600 + i;
		t[i].modified = 1738368000 + i;
		t[i].sequence = i % 4;
	}
	return t;
}

static struct icaltimetype
utc(int64_t secs)
{
	return icaltime_from_timet_with_zone((time_t)secs, 0,
	    icaltimezone_get_utc_timezone());
}

static struct icaltimetype
date(int32_t day)
{
	struct icaltimetype t = icaltime_null_date();
	struct date d;

	date_from_days(day, &d);
	t.year = d.year;
	t.month = d.month;
	t.day = d.day;
	return t;
}

/* The baseline: what a feed costs in libical alone.  Returns the size. */
static size_t
bare(const struct feed_task *t, int n)
{
	icalcomponent *cal, *ev, *a;
	char desc[512], *s;
	size_t len;
	int i;

	cal = icalcomponent_new_vcalendar();
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_prodid(
	    "-//outreachd//outreachd 0.1//EN"));
	for (i = 0; i < n; i++) {
		ev = icalcomponent_new_vevent();
		icalcomponent_add_property(ev, icalproperty_new_uid(t[i].uid));
		icalcomponent_add_property(ev, icalproperty_new_dtstamp(
		    utc(t[i].modified)));
		icalcomponent_add_property(ev, icalproperty_new_created(
		    utc(t[i].created)));
		icalcomponent_add_property(ev, icalproperty_new_lastmodified(
		    utc(t[i].modified)));
		icalcomponent_add_property(ev, icalproperty_new_sequence(
		    t[i].sequence));
		icalcomponent_add_property(ev, icalproperty_new_dtstart(
		    date(t[i].due)));
		icalcomponent_add_property(ev, icalproperty_new_dtend(
		    date(t[i].due + 1)));
		icalcomponent_add_property(ev, icalproperty_new_summary(
		    t[i].summary));
		snprintf(desc, sizeof desc, "Customer: %s\nPhone: %s\n"
		    "Last contact: %s\nReason: %s\nNotes: %s", t[i].customer,
		    t[i].phone, t[i].last_contact, t[i].reason, t[i].notes);
		icalcomponent_add_property(ev, icalproperty_new_description(
		    desc));
		icalcomponent_add_property(ev, icalproperty_new_categories(
		    t[i].kind));
		icalcomponent_add_property(ev, icalproperty_new_priority(
		    1 + 4 * (t[i].tier - 'A')));
		icalcomponent_add_property(ev, icalproperty_new_status(
		    ICAL_STATUS_CONFIRMED));
		icalcomponent_add_property(ev, icalproperty_new_transp(
		    ICAL_TRANSP_TRANSPARENT));
		icalcomponent_add_property(ev, icalproperty_new_class(
		    ICAL_CLASS_PRIVATE));
		a = icalcomponent_new_valarm();
		icalcomponent_add_property(a, icalproperty_new_action(
		    ICAL_ACTION_DISPLAY));
		icalcomponent_add_property(a, icalproperty_new_trigger(
		    icaltriggertype_from_int(-ALARM * 60)));
		icalcomponent_add_property(a, icalproperty_new_description(
		    t[i].summary));
		icalcomponent_add_component(ev, a);
		icalcomponent_add_component(cal, ev);
	}
	s = icalcomponent_as_ical_string_r(cal);
	len = strlen(s);
	icalmemory_free_buffer(s);
	icalcomponent_free(cal);
	return len;
}

static size_t
ours(const struct feed_task *t, int n)
{
	struct feed_opts o = { "bench", "0.1", 0, ALARM, 60, NULL, 0, I18N_EN };
	char *out, *cause;
	size_t len;

	if (feed_render_tasks(t, (size_t)n, &o, &out, &len, &cause) != 0) {
		fprintf(stderr, "bench_feed: %s\n", cause);
		exit(1);
	}
	free(out);
	return len;
}

/* Times one render of n tasks by f in a fresh child process.  Returns
 * milliseconds, and the size in *len. */
static double
isolated(size_t (*f)(const struct feed_task *, int),
    const struct feed_task *t, int n, size_t *len)
{
	double r[2] = { -1, 0 }, t0;
	pid_t pid;
	int fd[2];

	if (pipe(fd) != 0 || (pid = fork()) == -1) {
		perror("bench_feed");
		exit(1);
	}
	if (pid == 0) {
		close(fd[0]);
		f(t, n < 100 ? n : 100);
		t0 = now_ms();
		r[1] = (double)f(t, n);
		r[0] = now_ms() - t0;
		if (write(fd[1], r, sizeof r) != sizeof r)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], r, sizeof r) != sizeof r || r[0] < 0) {
		fprintf(stderr, "bench_feed: child failed\n");
		exit(1);
	}
	close(fd[0]);
	waitpid(pid, NULL, 0);
	*len = (size_t)r[1];
	return r[0];
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000, i;
	double max = argc > 2 ? atof(argv[2]) : 0, tb[RUNS], to[RUNS];
	double ratio;
	struct feed_task *t;
	char **own;
	size_t lb = 0, lo = 0;

	if (n <= 0) {
		fprintf(stderr, "usage: bench_feed [N [MAX_RATIO]]\n");
		return 2;
	}
	t = make_tasks(n, &own);
	for (i = 0; i < RUNS; i++) {
		if (i % 2 == 0) {
			tb[i] = isolated(bare, t, n, &lb);
			to[i] = isolated(ours, t, n, &lo);
		} else {
			to[i] = isolated(ours, t, n, &lo);
			tb[i] = isolated(bare, t, n, &lb);
		}
	}
	qsort(tb, RUNS, sizeof *tb, cmp_double);
	qsort(to, RUNS, sizeof *to, cmp_double);
	ratio = to[RUNS / 2] / tb[RUNS / 2];
	printf("tasks: %d\n", n);
	printf("bare libical: median %.1f ms (min %.1f, max %.1f), %zu bytes\n",
	    tb[RUNS / 2], tb[0], tb[RUNS - 1], lb);
	printf("feed_render_tasks: median %.1f ms (min %.1f, max %.1f), "
	    "%zu bytes\n", to[RUNS / 2], to[0], to[RUNS - 1], lo);
	printf("ratio: %.2f\n", ratio);
	for (i = 0; i < 2 * n; i++)
		free(own[i]);
	free(own);
	free(t);
	return max > 0 && ratio > max ? 1 : 0;
}

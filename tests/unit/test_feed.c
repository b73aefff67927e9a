/* test_feed.c - unit tests for src/feed.c.  Feeds are checked on the wire
 * (CRLF, 75-octet lines, UTF-8 per physical line) and read back with
 * libical's parser; recurring birthdays are expanded with libical's
 * recurrence iterator, as a client would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libical/ical.h>

#include "date.h"
#include "feed.h"
#include "lunar.h"
#include "utf8.h"
#include "util.h"

#define ZW	"\xe5\xbc\xa0\xe4\xbc\x9f"	/* 张伟 */
#define GRIN	"\xf0\x9f\x98\x80"		/* U+1F600, 4 octets */
#define FFFD	"\xef\xbf\xbd"
#define CHECK	"\xe2\x9c\x93 "			/* "✓ " */

static struct feed_opts
opts(void)
{
	struct feed_opts o = { "outreachd \xe2\x80\x93 " ZW " follow-ups",
	    "1.0", 0, 0, 30, NULL, 1740787200, I18N_EN };

	return o;
}

static struct feed_task
task(const char *uid, int32_t due, const char *summary)
{
	struct feed_task t;

	memset(&t, 0, sizeof t);
	t.uid = uid;
	t.due = due;
	t.summary = summary;
	t.kind = "visit";
	t.tier = 'A';
	t.customer = ZW;
	t.phone = "+86 138 0013 8000";
	t.created = 1735689600;
	t.modified = 1738368000;
	return t;
}

/* Asserts that the BEGIN and END lines of unfolded u nest and that there
 * is one VCALENDAR. */
static void
nesting(const char *u)
{
	const char *stack[8], *p, *e;
	size_t len[8], n = 0, tops = 0;

	for (p = u; *p != '\0'; p = e + 2) {
		e = strstr(p, "\r\n");
		assert_non_null(e);
		if (strncmp(p, "BEGIN:", 6) == 0) {
			assert_true(n < 8);
			tops += n == 0;
			stack[n] = p + 6;
			len[n++] = (size_t)(e - p - 6);
		} else if (strncmp(p, "END:", 4) == 0) {
			assert_true(n > 0);
			n--;
			assert_int_equal(len[n], (size_t)(e - p - 4));
			assert_memory_equal(stack[n], p + 4, len[n]);
		} else
			assert_true(n > 0);
	}
	assert_int_equal(n, 0);
	assert_int_equal(tops, 1);
}

/* Asserts what every feed must be on the wire and returns it unfolded. */
static char *
wire(const char *s, size_t len)
{
	struct buf u;
	size_t i, start = 0;

	assert_int_equal(strlen(s), len);
	assert_true(len > 30);
	assert_memory_equal(s, "BEGIN:VCALENDAR\r\n", 17);
	assert_string_equal(s + len - 15, "END:VCALENDAR\r\n");
	buf_init(&u);
	for (i = 0; i < len; i++) {
		if (s[i] == '\r')
			assert_int_equal(s[i + 1], '\n');
		if (s[i] != '\n')
			continue;
		assert_true(i > 0 && s[i - 1] == '\r');
		/* One physical line: short and whole characters. */
		assert_true(i - 1 - start <= 75);
		assert_true(utf8_valid(s + start, i - 1 - start, NULL));
		if (start > 0 && s[start] != ' ')
			buf_add(&u, "\r\n", 2);
		if (start > 0 && s[start] == ' ')
			start++;
		buf_add(&u, s + start, i - 1 - start);
		start = i + 1;
	}
	buf_add(&u, "\r\n", 2);
	assert_true(utf8_valid(u.data, u.len, NULL));
	nesting(u.data);
	return buf_detach(&u);
}

/* 1 if the unfolded feed u has line as a whole content line. */
static int
has(const char *u, const char *line)
{
	char *want = xasprintf("\r\n%s\r\n", line);
	int r = strstr(u, want) != NULL;

	free(want);
	return r;
}

static size_t
count(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* Renders tasks, checks the wire, returns the unfolded feed; *raw gets the
 * feed itself if not NULL. */
static char *
tasks(const struct feed_task *t, size_t n, const struct feed_opts *o,
    char **raw)
{
	char *out = NULL, *cause = NULL, *u;
	size_t len = 0;

	assert_int_equal(feed_render_tasks(t, n, o, &out, &len, &cause), 0);
	assert_null(cause);
	u = wire(out, len);
	if (raw != NULL)
		*raw = out;
	else
		free(out);
	return u;
}

static char *
birthdays(const struct feed_birthday *b, size_t n, enum date_feb29 policy,
    int from, int years, char **raw)
{
	struct feed_opts o = opts();
	char *out = NULL, *cause = NULL, *u;
	size_t len = 0;

	assert_int_equal(feed_render_birthdays(b, n, policy, from, years, &o,
	    &out, &len, &cause), 0);
	assert_null(cause);
	u = wire(out, len);
	if (raw != NULL)
		*raw = out;
	else
		free(out);
	return u;
}

/* The first VEVENT of a feed, parsed by libical; *cal to free. */
static icalcomponent *
first_event(const char *raw, icalcomponent **cal)
{
	*cal = icalparser_parse_string(raw);
	assert_non_null(*cal);
	return icalcomponent_get_first_component(*cal, ICAL_VEVENT_COMPONENT);
}

static void
test_calendar_properties(void **state)
{
	struct feed_opts o = opts();
	struct feed_task t[2];
	char *u;

	(void)state;
	t[0] = task("task-1@outreachd", date_to_days(2024, 12, 31), "Call");
	t[1] = task("task-2@outreachd", date_to_days(2025, 2, 28), "Visit");
	t[1].tier = 'C';
	t[1].kind = "winback";
	o.tzid = "Asia/Shanghai";
	u = tasks(t, 2, &o, NULL);
	assert_true(has(u, "VERSION:2.0"));
	assert_true(has(u, "PRODID:-//outreachd//outreachd 1.0//EN"));
	assert_true(has(u, "CALSCALE:GREGORIAN"));
	assert_true(has(u, "METHOD:PUBLISH"));
	assert_true(has(u, "X-WR-CALNAME:outreachd \xe2\x80\x93 " ZW
	    " follow-ups"));
	assert_true(has(u, "X-WR-TIMEZONE:Asia/Shanghai"));
	assert_true(has(u, "REFRESH-INTERVAL;VALUE=DURATION:PT30M"));
	assert_true(has(u, "X-PUBLISHED-TTL:PT30M"));
	/* All-day events only: no VTIMEZONE is needed. */
	assert_int_equal(count(u, "BEGIN:VTIMEZONE"), 0);
	assert_true(has(u, "DTSTART;VALUE=DATE:20241231"));
	assert_true(has(u, "DTEND;VALUE=DATE:20250101"));
	assert_true(has(u, "DTSTART;VALUE=DATE:20250228"));
	assert_true(has(u, "DTEND;VALUE=DATE:20250301"));
	assert_true(has(u, "UID:task-1@outreachd"));
	assert_true(has(u, "DTSTAMP:20250201T000000Z"));
	assert_true(has(u, "CREATED:20250101T000000Z"));
	assert_true(has(u, "LAST-MODIFIED:20250201T000000Z"));
	assert_true(has(u, "PRIORITY:1"));
	assert_true(has(u, "PRIORITY:9"));
	assert_true(has(u, "CATEGORIES:visit"));
	assert_true(has(u, "CATEGORIES:winback"));
	assert_int_equal(count(u, "\r\nSTATUS:CONFIRMED\r\n"), 2);
	assert_int_equal(count(u, "\r\nTRANSP:TRANSPARENT\r\n"), 2);
	assert_int_equal(count(u, "\r\nSEQUENCE:0\r\n"), 2);
	assert_int_equal(count(u, "BEGIN:VTODO"), 0);
	assert_int_equal(count(u, "BEGIN:VALARM"), 0);
	free(u);

	/* Without times the stamp is o->now; no refresh, no name. */
	o = opts();
	o.refresh_minutes = 0;
	o.calname = NULL;
	t[0].created = t[0].modified = 0;
	t[0].tier = 0;
	u = tasks(t, 1, &o, NULL);
	assert_true(has(u, "DTSTAMP:20250301T000000Z"));
	assert_int_equal(count(u, "CREATED"), 0);
	assert_int_equal(count(u, "PRIORITY"), 0);
	assert_int_equal(count(u, "REFRESH-INTERVAL"), 0);
	assert_int_equal(count(u, "X-PUBLISHED-TTL"), 0);
	assert_int_equal(count(u, "X-WR-"), 0);
	free(u);
}

static void
test_escaping(void **state)
{
	struct feed_opts o = opts();
	struct feed_task t = task("task-1@outreachd", 20000,
	    "a,b;c\\d\ne\r\nf\rg\x01h\x7fi\tj\xffk");
	icalcomponent *cal, *ev;
	char *u, *raw;

	(void)state;
	t.notes = "one, two; three\\four\nfive";
	o.calname = "Reps, north; \\ team";
	u = tasks(&t, 1, &o, &raw);
	assert_true(has(u, "SUMMARY:a\\,b\\;c\\\\d\\ne\\nf\\ngh" "i\tj" FFFD
	    "k"));
	assert_non_null(strstr(u, "Notes: one\\, two\\; three\\\\four\\nfive"
	    "\r\n"));
	ev = first_event(raw, &cal);
	assert_string_equal(icalcomponent_get_summary(ev),
	    "a,b;c\\d\ne\nf\ngh" "i\tj" FFFD "k");
	assert_string_equal(icalcomponent_get_description(ev),
	    "Customer: " ZW "\nPhone: +86 138 0013 8000\n"
	    "Notes: one, two; three\\four\nfive");
	/* X- values: libical escapes only backslash and newline. */
	assert_true(has(u, "X-WR-CALNAME:Reps, north; \\\\ team"));
	icalcomponent_free(cal);
	free(raw);
	free(u);
}

/* Long Chinese text, with 4-octet characters and a shifting ASCII prefix so
 * that every fold position is hit: no physical line over 75 octets, none
 * ending inside a character (wire() checks both), and the text reads back
 * unchanged. */
static void
test_fold_chinese(void **state)
{
	struct feed_opts o = opts();
	struct feed_task t;
	struct buf notes, want;
	icalcomponent *cal, *ev;
	char *u, *raw, *summary;
	int shift, i;

	(void)state;
	for (shift = 0; shift < 12; shift++) {
		buf_init(&notes);
		buf_add(&notes, "xxxxxxxxxxxx", (size_t)shift);
		for (i = 0; i < 40; i++)
			buf_puts(&notes, i % 5 == 4 ? ZW GRIN "\xc3\xa9, " :
			    ZW "客户喜欢乌龙茶");
		buf_puts(&notes, "end"); /* libical's parser drops trailing
					    white space */
		summary = xasprintf("%.*sVisit %s", shift, "yyyyyyyyyyyy",
		    notes.data + shift);
		t = task("task-1@outreachd", 20000, summary);
		t.notes = notes.data;
		u = tasks(&t, 1, &o, &raw);
		assert_true(count(raw, "\r\n ") > 20);
		ev = first_event(raw, &cal);
		assert_string_equal(icalcomponent_get_summary(ev), summary);
		buf_init(&want);
		buf_printf(&want, "Customer: %s\nPhone: +86 138 0013 8000\n"
		    "Notes: %s", ZW, notes.data);
		assert_string_equal(icalcomponent_get_description(ev),
		    want.data);
		icalcomponent_free(cal);
		buf_free(&want);
		buf_free(&notes);
		free(summary);
		free(raw);
		free(u);
	}
}

/* libical 3.0.16 folds a property's own CRLF when the last chunk is 73
 * octets, leaving "\r\r\n \n": descriptions of every length around the
 * fold points, in ASCII and in 3-octet characters after 0..2 ASCII
 * octets, must all come out as strict CRLF lines (wire() checks each
 * octet) and read back unchanged. */
static void
test_fold_boundary(void **state)
{
	struct feed_opts o = opts();
	struct feed_task t;
	icalcomponent *cal, *ev;
	struct buf notes;
	char *u, *raw, *want;
	int n, cjk, shift;

	(void)state;
	for (cjk = 0; cjk < 2; cjk++)
	for (shift = 0; shift < (cjk ? 3 : 1); shift++)
	for (n = 1; n < (cjk ? 80 : 240); n++) {
		buf_init(&notes);
		buf_add(&notes, "ab", (size_t)shift);
		while (notes.len < (size_t)(shift + n * (cjk ? 3 : 1)))
			buf_puts(&notes, cjk ? "\xe8\x8c\xb6" : "x"); /* 茶 */
		t = task("task-1@outreachd", 20000, notes.data);
		t.notes = notes.data;
		u = tasks(&t, 1, &o, &raw);
		ev = first_event(raw, &cal);
		assert_string_equal(icalcomponent_get_summary(ev), notes.data);
		want = xasprintf("Customer: %s\nPhone: +86 138 0013 8000\n"
		    "Notes: %s", ZW, notes.data);
		assert_string_equal(icalcomponent_get_description(ev), want);
		icalcomponent_free(cal);
		free(want);
		free(raw);
		free(u);
		buf_free(&notes);
	}
}

static void
test_done_and_cancelled(void **state)
{
	struct feed_opts o = opts();
	struct feed_task t[3];
	char *u;

	(void)state;
	o.with_vtodo = 1;
	o.alarm_minutes = 15;
	t[0] = task("task-1@outreachd", 20000, "Call " ZW);
	t[0].status = FEED_DONE;
	t[0].completed = 1740000000;
	t[1] = task("task-2@outreachd", 20000, "Gift");
	t[1].status = FEED_CANCELLED;
	t[2] = task("task-3@outreachd", 20000, "Open");
	u = tasks(t, 3, &o, NULL);
	/* The done event stays confirmed and visible, marked in the title. */
	assert_true(has(u, "SUMMARY:" CHECK "Call " ZW));
	assert_true(has(u, "SUMMARY:Call " ZW));	/* the VTODO */
	assert_true(has(u, "STATUS:COMPLETED"));
	assert_true(has(u, "PERCENT-COMPLETE:100"));
	assert_true(has(u, "COMPLETED:20250219T212000Z"));
	assert_int_equal(count(u, "\r\nSTATUS:CANCELLED\r\n"), 2);
	assert_int_equal(count(u, "\r\nSTATUS:CONFIRMED\r\n"), 2);
	assert_int_equal(count(u, "\r\nSTATUS:NEEDS-ACTION\r\n"), 1);
	/* VTODOs get their own UIDs; only the open task has alarms. */
	assert_true(has(u, "UID:task-1-todo@outreachd"));
	assert_true(has(u, "UID:task-3-todo@outreachd"));
	assert_int_equal(count(u, "BEGIN:VEVENT"), 3);
	assert_int_equal(count(u, "BEGIN:VTODO"), 3);
	assert_int_equal(count(u, "BEGIN:VALARM"), 2);
	assert_true(has(u, "DUE;VALUE=DATE:20241004"));
	free(u);
}

static void
test_sequence(void **state)
{
	struct feed_opts o = opts();
	struct feed_task t = task("task-1@outreachd", 20000, "Call");
	char *u1, *u2, *raw1, *raw2, *e1, *e2;

	(void)state;
	t.sequence = 3;
	u1 = tasks(&t, 1, &o, &raw1);
	assert_true(has(u1, "SEQUENCE:3"));
	t.sequence = 4;
	t.modified = 1738368060;
	u2 = tasks(&t, 1, &o, &raw2);
	assert_true(has(u2, "SEQUENCE:4"));
	assert_true(has(u2, "LAST-MODIFIED:20250201T000100Z"));
	assert_true(has(u2, "DTSTAMP:20250201T000100Z"));
	e1 = feed_etag(raw1, strlen(raw1));
	e2 = feed_etag(raw2, strlen(raw2));
	assert_string_not_equal(e1, e2);
	free(e1);
	free(e2);
	free(raw1);
	free(raw2);
	free(u1);
	free(u2);
}

static void
test_alarms(void **state)
{
	struct feed_opts o = opts();
	struct feed_task t = task("task-1@outreachd", 20000, "Call, now");
	char *u;

	(void)state;
	o.alarm_minutes = 15;
	o.with_vtodo = 1;
	u = tasks(&t, 1, &o, NULL);
	assert_int_equal(count(u, "\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n"
	    "TRIGGER:-PT15M\r\nDESCRIPTION:Call\\, now\r\nEND:VALARM\r\n"),
	    1);
	/* The all-day VTODO has only DUE: relative to it. */
	assert_true(has(u, "TRIGGER;RELATED=END:-PT15M"));
	free(u);
	o.alarm_minutes = 90;
	u = tasks(&t, 1, &o, NULL);
	assert_true(has(u, "TRIGGER:-PT1H30M"));
	free(u);
}

static void
test_timed(void **state)
{
	struct feed_opts o = opts();
	struct feed_task t = task("task-1@outreachd", date_to_days(2025, 3,
	    31), "Visit");
	icalcomponent *cal, *ev;
	icalproperty *p;
	char *u, *raw, *cause = NULL, *out = NULL;
	size_t len;

	(void)state;
	t.timed = 1;
	t.start_minute = 23 * 60 + 30;
	assert_int_equal(feed_render_tasks(&t, 1, &o, &out, &len, &cause),
	    -1);
	assert_string_equal(cause, "timed tasks need a time zone");
	free(cause);
	o.tzid = "Europe/Berlin";
	o.with_vtodo = 1;
	u = tasks(&t, 1, &o, &raw);
	assert_int_equal(count(u, "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"),
	    1);
	assert_true(has(u, "DTSTART;TZID=Europe/Berlin:20250331T233000"));
	assert_true(has(u, "DTEND;TZID=Europe/Berlin:20250401T003000"));
	assert_true(has(u, "DUE;TZID=Europe/Berlin:20250401T003000"));
	ev = first_event(raw, &cal);
	p = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
	assert_string_equal(icalproperty_get_parameter_as_string(p, "TZID"),
	    "Europe/Berlin");
	icalcomponent_free(cal);
	free(raw);
	free(u);
	o.tzid = "UTC";
	u = tasks(&t, 1, &o, NULL);
	assert_true(has(u, "TZID:UTC"));
	free(u);
}

/* Day numbers of the VEVENTs of a birthday feed falling in years
 * [y0, y1]: recurring ones expanded with libical's iterator. */
static size_t
occurrences(const char *raw, int y0, int y1, int32_t *days, size_t max)
{
	icalcomponent *cal, *ev;
	icalproperty *p;
	icalrecur_iterator *it;
	struct icaltimetype s;
	size_t n = 0;

	for (ev = first_event(raw, &cal); ev != NULL;
	    ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		s = icalcomponent_get_dtstart(ev);
		assert_true(s.is_date);
		p = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
		it = p != NULL ? icalrecur_iterator_new(
		    icalproperty_get_rrule(p), s) : NULL;
		for (; !icaltime_is_null_time(s) && s.year <= y1;
		    s = it != NULL ? icalrecur_iterator_next(it) :
		    icaltime_null_time()) {
			if (s.year < y0)
				continue;
			assert_true(n < max);
			days[n++] = date_to_days(s.year, s.month, s.day);
		}
		if (it != NULL)
			icalrecur_iterator_free(it);
	}
	icalcomponent_free(cal);
	return n;
}

static int
day_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* 29 February in every policy, across 2100 (not a leap year): the days a
 * client shows must be those of date_yearly(). */
static void
test_birthday_feb29(void **state)
{
	static const char *const born[] = { "1992-02-29", "--02-29" };
	static const enum date_feb29 policies[] = { DATE_FEB29_FEB28,
	    DATE_FEB29_MAR1, DATE_FEB29_LEAP_ONLY };
	struct feed_birthday b = { "bday-1@outreachd", ZW, NULL, NULL, 'A',
	    0, NULL, 0 };
	int32_t got[64], want[64], d;
	size_t i, j, n, m;
	char *u, *raw;
	int y;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(policies); i++) {
		for (j = 0; j < ARRAY_SIZE(born); j++) {
			b.birthday = born[j];
			u = birthdays(&b, 1, policies[i], 2095, 11, &raw);
			n = occurrences(raw, 2095, 2105, got, 64);
			for (m = 0, y = 2095; y <= 2105; y++) {
				if (date_yearly(2, 29, y, policies[i], &d) == 0)
					want[m++] = d;
			}
			qsort(got, n, sizeof *got, day_cmp);
			assert_int_equal(n, m);
			assert_memory_equal(got, want, n * sizeof *got);
			free(raw);
			free(u);
		}
	}
	/* The rules themselves. */
	b.birthday = "--02-29";
	u = birthdays(&b, 1, DATE_FEB29_FEB28, 2025, 1, NULL);
	assert_true(has(u, "RRULE:FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=2"));
	assert_true(has(u, "DTSTART;VALUE=DATE:19700228"));
	free(u);
	u = birthdays(&b, 1, DATE_FEB29_LEAP_ONLY, 2025, 1, NULL);
	assert_true(has(u, "RRULE:FREQ=YEARLY;BYMONTHDAY=29;BYMONTH=2"));
	assert_true(has(u, "DTSTART;VALUE=DATE:19720229"));
	free(u);
	u = birthdays(&b, 1, DATE_FEB29_MAR1, 2027, 2, NULL);
	assert_int_equal(count(u, "RRULE"), 0);
	assert_true(has(u, "UID:bday-1-20270301@outreachd"));
	assert_true(has(u, "UID:bday-1-20280229@outreachd"));
	free(u);
}

static void
test_birthday_plain(void **state)
{
	struct feed_birthday b[2] = {
		{ "bday-1@outreachd", ZW, "1990-05-17", "+86 138 0013 8000",
		    'B', 1738368000, NULL, 0 },
		{ "bday-2", "Zoë", "--12-31", NULL, 0, 0, NULL, 0 },
	};
	int32_t got[32];
	size_t n, i;
	char *u, *raw;

	(void)state;
	u = birthdays(b, 2, DATE_FEB29_FEB28, 2025, 3, &raw);
	assert_true(has(u, "UID:bday-1@outreachd"));
	assert_true(has(u, "DTSTART;VALUE=DATE:19900517"));
	assert_true(has(u, "DTEND;VALUE=DATE:19900518"));
	assert_true(has(u, "DTSTART;VALUE=DATE:19701231"));
	assert_int_equal(count(u, "\r\nRRULE:FREQ=YEARLY\r\n"), 2);
	assert_true(has(u, "SUMMARY:Birthday: " ZW " (tier B)"));
	assert_true(has(u, "SUMMARY:Birthday: Zoë"));
	assert_true(has(u, "DESCRIPTION:Customer: " ZW "\\nPhone: +86 138 "
	    "0013 8000\\nBirthday: 1990-05-17"));
	assert_true(has(u, "LAST-MODIFIED:20250201T000000Z"));
	assert_true(has(u, "DTSTAMP:20250301T000000Z"));
	assert_int_equal(count(u, "\r\nCATEGORIES:birthday\r\n"), 2);
	n = occurrences(raw, 2098, 2101, got, 32);
	qsort(got, n, sizeof *got, day_cmp);
	assert_int_equal(n, 8);
	for (i = 0; i < 4; i++) {
		assert_int_equal(got[2 * i], date_to_days(2098 + (int)i, 5,
		    17));
		assert_int_equal(got[2 * i + 1], date_to_days(2098 + (int)i,
		    12, 31));
	}
	free(raw);
	free(u);
}

/* Key dates: under their title, CATEGORIES keydate; yearly like a
 * birthday, once as one dated event (a lunar one on its Gregorian day),
 * which needs a year. */
static void
test_keydates(void **state)
{
	struct feed_birthday b[3] = {
		{ "kd-1@outreachd", "Globex", "2016-02-29", NULL, 'A', 0,
		    "Company founding", 0 },
		{ "kd-2@outreachd", "Globex", "2027-06-20", NULL, 'A', 0,
		    "Graduation", 1 },
		{ "kd-3@outreachd", "Globex", "L:2027-05-15", NULL, 'A', 0,
		    "Lunar once", 1 },
	};
	struct feed_opts o = opts();
	char *u, *raw, *out = NULL, *cause = NULL;
	size_t len;

	(void)state;
	u = birthdays(b, 3, DATE_FEB29_FEB28, 2026, 3, &raw);
	assert_true(has(u, "SUMMARY:Company founding: Globex (tier A)"));
	assert_true(has(u, "DESCRIPTION:Customer: Globex\\nCompany founding: "
	    "2016-02-29"));
	assert_true(has(u, "RRULE:FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=2"));
	assert_true(has(u, "UID:kd-2-20270620@outreachd"));
	assert_true(has(u, "SUMMARY:Graduation: Globex (tier A)"));
	assert_true(has(u, "UID:kd-3-20270619@outreachd"));
	assert_int_equal(count(u, "\r\nCATEGORIES:keydate\r\n"), 3);
	assert_int_equal(count(u, "\r\nBEGIN:VEVENT\r\n"), 3);
	free(raw);
	free(u);
	b[1].birthday = "--06-20";
	assert_int_equal(feed_render_birthdays(&b[1], 1, DATE_FEB29_FEB28, 2026,
	    3, &o, &out, &len, &cause), -1);
	assert_string_equal(cause, "birthday kd-2@outreachd: a date that "
	    "happens once needs a year before 9999");
	free(cause);
}

/* Lunar birthdays: one dated event per occurrence, on the days of
 * lunar_yearly_in_gregorian(), with UIDs stable between renders. */
static void
test_birthday_lunar(void **state)
{
	static const char *const lunar[] = { "L:08-15", "L:11-15",
	    "L:1985-12-20", "L:04R-15", "L:01-01", "L:12-30" };
	struct feed_birthday b = { "bday-9@outreachd", ZW, NULL, NULL, 'A',
	    0, NULL, 0 };
	struct lunar_date ld;
	struct lunar_gdate g[2];
	int32_t got[64], want[64];
	size_t i, n, m;
	char *u, *u2, *raw;
	int y, k, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(lunar); i++) {
		b.birthday = lunar[i];
		assert_int_equal(lunar_parse(lunar[i], &ld, NULL), 0);
		/* 2095..2104: the tables end with 2099. */
		u = birthdays(&b, 1, DATE_FEB29_FEB28, 2095, 10, &raw);
		n = occurrences(raw, 1, 9999, got, 64);
		for (m = 0, y = 2095; y <= 2099; y++) {
			k = lunar_yearly_in_gregorian(&ld, y, g, NULL);
			assert_true(k >= 0);
			for (j = 0; j < k; j++)
				want[m++] = date_to_days(g[j].year,
				    g[j].month, g[j].day);
		}
		qsort(got, n, sizeof *got, day_cmp);
		assert_int_equal(n, m);
		assert_memory_equal(got, want, n * sizeof *got);
		assert_int_equal(count(u, "RRULE"), 0);
		u2 = birthdays(&b, 1, DATE_FEB29_FEB28, 2095, 10, NULL);
		assert_string_equal(u, u2);
		free(u2);
		free(raw);
		free(u);
	}
	/* Lunar 11-15: not at all in 2025, twice in 2026. */
	b.birthday = "L:11-15";
	u = birthdays(&b, 1, DATE_FEB29_FEB28, 2025, 2, NULL);
	assert_int_equal(count(u, "BEGIN:VEVENT"), 2);
	assert_true(has(u, "UID:bday-9-20260103@outreachd"));
	assert_true(has(u, "UID:bday-9-20261223@outreachd"));
	assert_true(has(u, "SUMMARY:Birthday: " ZW
	    " (tier A\\, 农历冬月十五)"));
	free(u);
	b.birthday = "L:04R-15";
	b.tier = 0;
	u = birthdays(&b, 1, DATE_FEB29_FEB28, 2025, 1, NULL);
	assert_true(has(u, "SUMMARY:Birthday: " ZW " (农历闰四月十五)"));
	free(u);
}

/* How lunar dates are named in summaries. */
static void
test_lunar_names(void **state)
{
	static const char *const cases[][2] = {
		{ "L:01-01", "正月初一" }, { "L:01-10", "正月初十" },
		{ "L:02-11", "二月十一" }, { "L:03-20", "三月二十" },
		{ "L:10-21", "十月廿一" }, { "L:11-29", "冬月廿九" },
		{ "L:12-30", "腊月三十" }, { "L:06R-05", "闰六月初五" },
	};
	struct feed_birthday b = { "bday-1@outreachd", ZW, NULL, NULL, 0, 0,
	    NULL, 0 };
	char *u, *want;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		b.birthday = cases[i][0];
		u = birthdays(&b, 1, DATE_FEB29_FEB28, 2020, 10, NULL);
		want = xasprintf("SUMMARY:Birthday: %s (农历%s)", ZW,
		    cases[i][1]);
		assert_true(has(u, want));
		free(want);
		free(u);
	}
}

/* A feed in Chinese: the DESCRIPTION's labels and birthday titles. */
static void
test_chinese(void **state)
{
	struct feed_opts o = opts();
	struct feed_task t = task("task-1@outreachd", date_to_days(2025, 3, 1),
	    "拜访 " ZW "（A类）");
	struct feed_birthday b = { "bday-9@outreachd", ZW, "L:11-15", NULL,
	    'A', 0, NULL, 0 };
	char *u, *out = NULL, *cause = NULL;
	size_t len = 0;

	(void)state;
	o.lang = I18N_ZH;
	t.reason = "生日还有14天（2025-03-15）";
	t.url = "https://crm.example/t/X";
	u = tasks(&t, 1, &o, NULL);
	assert_true(has(u, "SUMMARY:拜访 " ZW "（A类）"));
	assert_true(has(u, "DESCRIPTION:客户：" ZW "\\n电话：+86 138 0013 8000"
	    "\\n原因：生日还有14天（2025-03-15）"
	    "\\n打开：https://crm.example/t/X"));
	free(u);
	assert_int_equal(feed_render_birthdays(&b, 1, DATE_FEB29_FEB28, 2025,
	    2, &o, &out, &len, &cause), 0);
	u = wire(out, len);
	assert_true(has(u, "SUMMARY:生日：" ZW "（A类，农历冬月十五）"));
	assert_true(has(u, "DESCRIPTION:客户：" ZW "\\n生日：L:11-15"));
	free(out);
	free(u);
	b.tier = 0;
	b.birthday = "1990-05-17";
	out = NULL;
	assert_int_equal(feed_render_birthdays(&b, 1, DATE_FEB29_FEB28, 2025,
	    1, &o, &out, &len, &cause), 0);
	u = wire(out, len);
	assert_true(has(u, "SUMMARY:生日：" ZW));
	free(out);
	free(u);
}

/* Asserts that rendering fails with the message want (any if NULL), and
 * leaves the output alone. */
static void
fails(const struct feed_task *t, const struct feed_birthday *b, int policy,
    int years, const struct feed_opts *o, const char *want)
{
	char *out = NULL, *cause = NULL;
	size_t len = 0;

	if (t != NULL)
		assert_int_equal(feed_render_tasks(t, 1, o, &out, &len,
		    &cause), -1);
	else
		assert_int_equal(feed_render_birthdays(b, 1, policy, 2025,
		    years, o, &out, &len, &cause), -1);
	assert_non_null(cause);
	if (want != NULL)
		assert_string_equal(cause, want);
	assert_null(out);
	assert_int_equal(len, 0);
	free(cause);
}

static void
test_errors(void **state)
{
	struct feed_opts o = opts();
	struct feed_task t = task("task-1@outreachd", 20000, "Call");
	struct feed_birthday b = { "bday-7@outreachd", ZW, "1990-13-01", NULL,
	    'A', 0, NULL, 0 };

	(void)state;
	t.status = 7;
	fails(&t, NULL, 0, 0, &o, "task task-1@outreachd: bad status 7");
	t.status = FEED_OPEN;
	t.uid = NULL;
	fails(&t, NULL, 0, 0, &o, "task (no uid): uid and summary required");
	t.uid = "task-1@outreachd";
	t.due = date_to_days(9999, 12, 31);
	fails(&t, NULL, 0, 0, &o, NULL);
	t.due = 20000;
	t.sequence = -1;
	fails(&t, NULL, 0, 0, &o, "task task-1@outreachd: negative sequence");
	t.sequence = 0;
	o.alarm_minutes = -5;
	fails(&t, NULL, 0, 0, &o, "alarm minutes -5: not 0..40320");
	o = opts();
	o.tzid = "Mars/Olympus_Mons";
	fails(&t, NULL, 0, 0, &o, "time zone \"Mars/Olympus_Mons\": unknown");
	o = opts();
	fails(NULL, &b, DATE_FEB29_FEB28, 1, &o, "birthday bday-7@outreachd: "
	    "\"1990-13-01\": month must be 01..12");
	b.birthday = "L:13-01";
	fails(NULL, &b, DATE_FEB29_FEB28, 1, &o, NULL);
	b.birthday = "1990-01-01";
	fails(NULL, &b, 9, 1, &o, "bad 29 February policy 9");
	fails(NULL, &b, DATE_FEB29_FEB28, 101, &o, NULL);
}

static void
test_empty_and_stable(void **state)
{
	struct feed_opts o = opts();
	struct feed_task t = task("task-1@outreachd", 20000, "Call");
	char *u1, *u2, *raw1, *raw2, *e1, *e2;

	(void)state;
	u1 = tasks(NULL, 0, &o, NULL);
	assert_int_equal(count(u1, "BEGIN:"), 1);
	free(u1);
	u1 = tasks(&t, 1, &o, &raw1);
	u2 = tasks(&t, 1, &o, &raw2);
	assert_string_equal(raw1, raw2);
	e1 = feed_etag(raw1, strlen(raw1));
	e2 = feed_etag(raw2, strlen(raw2));
	assert_string_equal(e1, e2);
	free(e1);
	free(e2);
	free(raw1);
	free(raw2);
	free(u1);
	free(u2);
}

/* The ETag is XXH64 (values from libxxhash 0.8.1) and the length. */
static void
test_etag(void **state)
{
	static const char s99[] = "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef!!!";
	static const struct {
		const char *data;
		size_t len;
		const char *tag;
	} v[] = {
		{ "", 0, "\"ef46db3751d8e999-0\"" },
		{ "abc", 3, "\"44bc2cf5ad770999-3\"" },
		{ "abcd1234", 8, "\"934cc60ca632ac4d-8\"" },
		{ s99, 99, "\"0d690be6bc84db03-63\"" },
		{ "BEGIN:VCALENDAR\r\n" ZW, 23, "\"f70b866959a25763-17\"" },
	};
	char *e, *e2, buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		e = feed_etag(v[i].data, v[i].len);
		assert_string_equal(e, v[i].tag);
		free(e);
	}
	/* Any one changed bit changes it. */
	memcpy(buf, s99, sizeof buf);
	e = feed_etag(buf, sizeof buf);
	for (i = 0; i < 8 * sizeof buf; i++) {
		buf[i / 8] ^= (char)(1 << i % 8);
		e2 = feed_etag(buf, sizeof buf);
		assert_string_not_equal(e, e2);
		free(e2);
		buf[i / 8] ^= (char)(1 << i % 8);
	}
	free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calendar_properties),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_fold_chinese),
		cmocka_unit_test(test_fold_boundary),
		cmocka_unit_test(test_done_and_cancelled),
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_alarms),
		cmocka_unit_test(test_timed),
		cmocka_unit_test(test_birthday_feb29),
		cmocka_unit_test(test_birthday_plain),
		cmocka_unit_test(test_birthday_lunar),
		cmocka_unit_test(test_keydates),
		cmocka_unit_test(test_lunar_names),
		cmocka_unit_test(test_chinese),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_empty_and_stable),
		cmocka_unit_test(test_etag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* feed.c - iCalendar feeds of follow-up tasks and customer birthdays.
 *
 * Components are built with libical and serialised one by one into a
 * struct buf: the calendar never exists as one libical tree, so memory stays
 * flat and there is no second pass over a big tree.  The calendar's own
 * properties are serialised from an empty VCALENDAR whose END line is cut
 * off and written again after the last component.
 *
 * What libical 3.0 does and does not do for us (checked by the unit tests):
 * it escapes backslash, comma, semicolon and newline in TEXT values; it
 * passes other control characters and invalid UTF-8 through unchanged, so
 * every text goes through feed_text() first.  In X- properties it escapes
 * only backslash and newline, which parsers read back correctly.  Its
 * folding can split a property's own CRLF, so feed_fold() folds again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "date_zone.h"
#include "feed.h"
#include "i18n.h"
#include "lunar.h"
#include "utf8.h"
#include "util.h"

#define FEED_DAY_MIN	(-719162)	/* 0001-01-01 */
#define FEED_DAY_MAX	2932896		/* 9999-12-31 */
#define FEED_TIME_MAX	INT64_C(253402300799) /* 9999-12-31T23:59:59Z */
#define FEED_YEARS_MAX	100
#define FEED_BASE_YEAR	1970		/* first year of "--MM-DD" series */

/* One render: the output, scratch space and shared options. */
struct feed_ctx {
	const struct feed_opts *o;
	struct buf out;
	struct buf text;	/* one cleaned TEXT value at a time */
	struct buf uid;		/* one derived UID at a time */
	struct buf fold;	/* one component unfolded at a time */
	icaltimezone *utc;
};

static const char feed_done_mark[] = "\xe2\x9c\x93 "; /* "✓ " */
static const char feed_fffd[] = "\xef\xbf\xbd";	    /* U+FFFD */
static const char feed_end[] = "END:VCALENDAR\r\n";

/* Appends s to b made safe for a TEXT value: libical escapes what RFC 5545
 * asks but lets control characters and broken UTF-8 through, and clients
 * reject whole feeds over either. */
static void
feed_text_add(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, n = strlen(s), k;
	uint32_t cp;

	while (i < n) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			i++;
			continue;
		}
		if (p[i] >= 0x80 && (k = utf8_decode(p + i, n - i, &cp)) != 0) {
			i += k;
			continue;
		}
		buf_add(b, s + run, i - run);
		if (p[i] == '\r') {
			buf_addc(b, '\n');
			if (p[i + 1] == '\n')
				i++;
		} else if (p[i] == '\n' || p[i] == '\t')
			buf_addc(b, (char)p[i]);
		else if (p[i] >= 0x80)
			buf_add(b, feed_fffd, sizeof feed_fffd - 1);
		run = ++i;
	}
	buf_add(b, s + run, n - run);
}

/* Cleans s into the context's scratch buffer and returns it. */
static const char *
feed_text(struct feed_ctx *x, const char *s)
{
	buf_reset(&x->text);
	feed_text_add(&x->text, s);
	return x->text.data;
}

/* Derives a UID by inserting "-suffix" before the last '@' (or at the end),
 * so derived components stay in the caller's UID domain.  The result is
 * raw: it is cleaned when added. */
static const char *
feed_uid(struct feed_ctx *x, const char *uid, const char *suffix)
{
	const char *at = strrchr(uid, '@');
	size_t local = at != NULL ? (size_t)(at - uid) : strlen(uid);

	buf_reset(&x->uid);
	buf_add(&x->uid, uid, local);
	buf_addc(&x->uid, '-');
	buf_puts(&x->uid, suffix);
	if (at != NULL)
		buf_puts(&x->uid, at);
	return x->uid.data;
}

/* A DATE value for a day number. */
static struct icaltimetype
feed_date(int32_t day)
{
	struct icaltimetype t = icaltime_null_date();
	struct date d;

	date_from_days(day, &d);
	t.year = d.year;
	t.month = d.month;
	t.day = d.day;
	return t;
}

/* A local DATE-TIME minutes after midnight of day (may run into later
 * days); the caller adds the TZID parameter. */
static struct icaltimetype
feed_local(int32_t day, int minutes)
{
	struct icaltimetype t = feed_date(day + minutes / 1440);

	t.is_date = 0;
	t.hour = minutes % 1440 / 60;
	t.minute = minutes % 60;
	t.second = 0;
	return t;
}

/* A UTC DATE-TIME for unix seconds, built directly: libical's time_t
 * conversions go through the C library and its 32-bit limits. */
static struct icaltimetype
feed_utc(struct feed_ctx *x, int64_t secs)
{
	struct icaltimetype t = feed_date((int32_t)(secs / 86400));
	int s = (int)(secs % 86400);

	t.is_date = 0;
	t.hour = s / 3600;
	t.minute = s / 60 % 60;
	t.second = s % 60;
	t.zone = x->utc;
	return t;
}

/* Adds a TEXT property made by make() from the cleaned s. */
static void
feed_add_text(struct feed_ctx *x, icalcomponent *c,
    icalproperty *(*make)(const char *), const char *s)
{
	icalcomponent_add_property(c, make(feed_text(x, s)));
}

/* Adds "Label: value\n" to b, in the feed's language, unless value is
 * empty. */
static void
feed_line(struct feed_ctx *x, enum i18n_msg label, const char *value)
{
	struct buf *b = &x->text;

	if (str_empty(value))
		return;
	i18n_label(b, x->o->lang, label);
	feed_text_add(b, value);
	buf_addc(b, '\n');
}

/* Finishes a DESCRIPTION built with feed_line() and adds it. */
static void
feed_add_description(icalcomponent *c, struct buf *b)
{
	if (b->len == 0)
		return;
	b->data[--b->len] = '\0'; /* the last line's newline */
	icalcomponent_add_property(c, icalproperty_new_description(b->data));
}

/* Adds a display alarm `minutes` before the start, or before DUE for a
 * to-do without DTSTART. */
static void
feed_add_alarm(struct feed_ctx *x, icalcomponent *c, const char *summary,
    int related_end)
{
	icalcomponent *a;
	icalproperty *p;

	if (x->o->alarm_minutes <= 0)
		return;
	a = icalcomponent_new_valarm();
	icalcomponent_add_property(a, icalproperty_new_action(
	    ICAL_ACTION_DISPLAY));
	p = icalproperty_new_trigger(icaltriggertype_from_int(
	    -x->o->alarm_minutes * 60));
	if (related_end)
		icalproperty_add_parameter(p, icalparameter_new_related(
		    ICAL_RELATED_END));
	icalcomponent_add_property(a, p);
	feed_add_text(x, a, icalproperty_new_description, summary);
	icalcomponent_add_component(c, a);
}

/* PRIORITY from the tier: RFC 5545 has 1 highest, 9 lowest, 0 undefined. */
static void
feed_add_priority(icalcomponent *c, char tier)
{
	if (tier >= 'A' && tier <= 'C')
		icalcomponent_add_property(c, icalproperty_new_priority(
		    1 + 4 * (tier - 'A')));
}

/* Serialises c into the output, folded by feed_fold(), and frees it. */
static void
feed_emit(struct feed_ctx *x, icalcomponent *c)
{
	char *s = icalcomponent_as_ical_string_r(c);

	feed_fold(&x->out, &x->fold, s);
	icalmemory_free_buffer(s);
	icalcomponent_free(c);
}

/* Adds an X- property; libical prints its value as given, escaping only
 * backslash and newline. */
static void
feed_add_x(struct feed_ctx *x, icalcomponent *c, const char *name,
    const char *value)
{
	icalproperty *p = icalproperty_new_x(feed_text(x, value));

	icalproperty_set_x_name(p, name);
	icalcomponent_add_property(c, p);
}

/* Starts a render: checks the options and writes the calendar's header,
 * with a VTIMEZONE for o->tzid when timed items refer to it. */
static int
feed_begin(struct feed_ctx *x, const struct feed_opts *o, int timed,
    char **cause)
{
	icalcomponent *cal, *tz;
	icaltimezone *zone;
	struct icaldurationtype d;
	char *s;

	memset(x, 0, sizeof *x);
	if (o->alarm_minutes < 0 || o->alarm_minutes > 40320)
		return set_error(cause, "alarm minutes %d: not 0..40320",
		    o->alarm_minutes);
	if (o->refresh_minutes < 0 || o->refresh_minutes > 40320)
		return set_error(cause, "refresh minutes %d: not 0..40320",
		    o->refresh_minutes);
	if (o->now < 0 || o->now > FEED_TIME_MAX)
		return set_error(cause, "now %lld: out of range",
		    (long long)o->now);
	if (o->tzid != NULL && !date_tz_valid(o->tzid))
		return set_error(cause, "time zone \"%s\": unknown",
		    feed_text(x, o->tzid));
	if (timed && o->tzid == NULL)
		return set_error(cause, "timed tasks need a time zone");
	tz = NULL;
	if (timed) {
		/* libical's "UTC" is a zone without a VTIMEZONE. */
		zone = icaltimezone_get_builtin_timezone(strcmp(o->tzid,
		    "UTC") == 0 ? "Etc/UTC" : o->tzid);
		if (zone != NULL)
			tz = icaltimezone_get_component(zone);
		if (tz == NULL)
			return set_error(cause, "time zone \"%s\": libical "
			    "cannot describe it", o->tzid);
	}
	x->o = o;
	x->utc = icaltimezone_get_utc_timezone();

	cal = icalcomponent_new_vcalendar();
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	buf_puts(&x->uid, "-//outreachd//outreachd");
	if (!str_empty(o->prodid_version)) {
		buf_addc(&x->uid, ' ');
		feed_text_add(&x->uid, o->prodid_version);
	}
	buf_puts(&x->uid, "//EN");
	icalcomponent_add_property(cal, icalproperty_new_prodid(x->uid.data));
	icalcomponent_add_property(cal, icalproperty_new_calscale(
	    "GREGORIAN"));
	icalcomponent_add_property(cal, icalproperty_new_method(
	    ICAL_METHOD_PUBLISH));
	if (!str_empty(o->calname))
		feed_add_x(x, cal, "X-WR-CALNAME", o->calname);
	if (o->tzid != NULL)
		feed_add_x(x, cal, "X-WR-TIMEZONE", o->tzid);
	if (o->refresh_minutes > 0) {
		d = icaldurationtype_from_int(o->refresh_minutes * 60);
		icalcomponent_add_property(cal,
		    icalproperty_new_refreshinterval(d));
		s = icaldurationtype_as_ical_string_r(d);
		feed_add_x(x, cal, "X-PUBLISHED-TTL", s);
		icalmemory_free_buffer(s);
	}
	feed_emit(x, cal);
	x->out.len -= sizeof feed_end - 1;
	x->out.data[x->out.len] = '\0';

	if (tz != NULL) {
		/* libical names its zones "/freeassociation.sourceforge.net/
		 * Area/City"; clients match the TZID of DTSTART against it
		 * and some look the name up, so use the plain IANA name. */
		tz = icalcomponent_new_clone(tz);
		icalproperty_set_tzid(icalcomponent_get_first_property(tz,
		    ICAL_TZID_PROPERTY), o->tzid);
		feed_emit(x, tz);
	}
	return 0;
}

/* Frees a render's buffers; returns -1 for the callers' error paths. */
static int
feed_abort(struct feed_ctx *x)
{
	buf_free(&x->out);
	buf_free(&x->text);
	buf_free(&x->uid);
	buf_free(&x->fold);
	return -1;
}

/* Finishes a render successfully: hands the calendar to the caller. */
static int
feed_finish(struct feed_ctx *x, char **out, size_t *len)
{
	buf_puts(&x->out, feed_end);
	*len = x->out.len;
	*out = buf_detach(&x->out);
	feed_abort(x);
	return 0;
}

/* Checks what the task renderer cannot repair. */
static int
feed_task_check(const struct feed_task *t, char **cause)
{
	const char *uid = str_empty(t->uid) ? "(no uid)" : t->uid;

	if (str_empty(t->uid) || t->summary == NULL)
		return set_error(cause, "task %s: uid and summary required",
		    uid);
	if (t->due < FEED_DAY_MIN || t->due >= FEED_DAY_MAX)
		return set_error(cause, "task %s: due day %ld out of range",
		    uid, (long)t->due);
	if (t->status != FEED_OPEN && t->status != FEED_DONE &&
	    t->status != FEED_CANCELLED)
		return set_error(cause, "task %s: bad status %d", uid,
		    (int)t->status);
	if (t->sequence < 0)
		return set_error(cause, "task %s: negative sequence", uid);
	if (t->created < 0 || t->created > FEED_TIME_MAX ||
	    t->modified < 0 || t->modified > FEED_TIME_MAX ||
	    t->completed < 0 || t->completed > FEED_TIME_MAX)
		return set_error(cause, "task %s: time out of range", uid);
	if (t->timed && (t->start_minute < 0 || t->start_minute > 1439 ||
	    t->duration_minutes < 0 || t->duration_minutes > 1440))
		return set_error(cause, "task %s: bad start or duration", uid);
	return 0;
}

/* The properties a task's VEVENT and VTODO share, in this order: UID,
 * DTSTAMP, CREATED, LAST-MODIFIED, SEQUENCE. */
static void
feed_task_head(struct feed_ctx *x, icalcomponent *c,
    const struct feed_task *t, const char *uid)
{
	int64_t stamp;

	stamp = t->modified ? t->modified : t->created ? t->created :
	    x->o->now;
	feed_add_text(x, c, icalproperty_new_uid, uid);
	icalcomponent_add_property(c, icalproperty_new_dtstamp(feed_utc(x,
	    stamp)));
	if (t->created != 0)
		icalcomponent_add_property(c, icalproperty_new_created(
		    feed_utc(x, t->created)));
	if (t->modified != 0)
		icalcomponent_add_property(c, icalproperty_new_lastmodified(
		    feed_utc(x, t->modified)));
	icalcomponent_add_property(c, icalproperty_new_sequence(t->sequence));
}

/* The properties after the dates: DESCRIPTION, CATEGORIES, PRIORITY. */
static void
feed_task_body(struct feed_ctx *x, icalcomponent *c,
    const struct feed_task *t)
{
	buf_reset(&x->text);
	feed_line(x, MSG_FEED_CUSTOMER, t->customer);
	feed_line(x, MSG_FEED_PHONE, t->phone);
	feed_line(x, MSG_FEED_EMAIL, t->email);
	feed_line(x, MSG_FEED_LAST_CONTACT, t->last_contact);
	feed_line(x, MSG_FEED_REASON, t->reason);
	feed_line(x, MSG_FEED_NOTES, t->notes);
	feed_line(x, MSG_FEED_OPEN, t->url);
	feed_add_description(c, &x->text);
	if (!str_empty(t->url))
		icalcomponent_add_property(c, icalproperty_new_url(t->url));
	if (!str_empty(t->kind))
		feed_add_text(x, c, icalproperty_new_categories, t->kind);
	feed_add_priority(c, t->tier);
}

/* A task's dates: DTSTART and end() at its times if timed, else the
 * DATE of its day and end() at the next day; without DTSTART (to-dos) an
 * all-day task has only end() on its day, since a DTSTART would have to be
 * earlier than DUE and move the task a day. */
static void
feed_task_dates(struct feed_ctx *x, icalcomponent *c,
    const struct feed_task *t, icalproperty *(*end)(struct icaltimetype),
    int with_start)
{
	int len = t->duration_minutes ? t->duration_minutes : 60, i;
	icalproperty *p[2];

	if (t->timed) {
		p[0] = icalproperty_new_dtstart(feed_local(t->due,
		    t->start_minute));
		p[1] = end(feed_local(t->due, t->start_minute + len));
		for (i = 0; i < 2; i++) {
			icalproperty_add_parameter(p[i],
			    icalparameter_new_tzid(x->o->tzid));
			icalcomponent_add_property(c, p[i]);
		}
		return;
	}
	if (with_start)
		icalcomponent_add_property(c, icalproperty_new_dtstart(
		    feed_date(t->due)));
	icalcomponent_add_property(c, end(feed_date(t->due + with_start)));
}

/* A task as an event on its day (or at its time). */
static void
feed_task_event(struct feed_ctx *x, const struct feed_task *t)
{
	icalcomponent *c = icalcomponent_new_vevent();

	feed_task_head(x, c, t, t->uid);
	feed_task_dates(x, c, t, icalproperty_new_dtend, 1);
	buf_reset(&x->text);
	if (t->status == FEED_DONE)
		buf_puts(&x->text, feed_done_mark);
	feed_text_add(&x->text, t->summary);
	icalcomponent_add_property(c, icalproperty_new_summary(x->text.data));
	feed_task_body(x, c, t);
	icalcomponent_add_property(c, icalproperty_new_status(
	    t->status == FEED_CANCELLED ? ICAL_STATUS_CANCELLED :
	    ICAL_STATUS_CONFIRMED));
	icalcomponent_add_property(c, icalproperty_new_transp(
	    ICAL_TRANSP_TRANSPARENT));
	icalcomponent_add_property(c, icalproperty_new_class(
	    ICAL_CLASS_PRIVATE));
	if (t->status == FEED_OPEN)
		feed_add_alarm(x, c, t->summary, 0);
	feed_emit(x, c);
}

/* A task as a to-do: STATUS, PERCENT-COMPLETE and COMPLETED say it is
 * done, for task lists. */
static void
feed_task_todo(struct feed_ctx *x, const struct feed_task *t)
{
	icalcomponent *c = icalcomponent_new_vtodo();

	feed_task_head(x, c, t, feed_uid(x, t->uid, "todo"));
	feed_task_dates(x, c, t, icalproperty_new_due, 0);
	feed_add_text(x, c, icalproperty_new_summary, t->summary);
	feed_task_body(x, c, t);
	icalcomponent_add_property(c, icalproperty_new_status(
	    t->status == FEED_OPEN ? ICAL_STATUS_NEEDSACTION :
	    t->status == FEED_DONE ? ICAL_STATUS_COMPLETED :
	    ICAL_STATUS_CANCELLED));
	if (t->status == FEED_DONE)
		icalcomponent_add_property(c,
		    icalproperty_new_percentcomplete(100));
	if (t->status == FEED_DONE && t->completed != 0)
		icalcomponent_add_property(c, icalproperty_new_completed(
		    feed_utc(x, t->completed)));
	icalcomponent_add_property(c, icalproperty_new_class(
	    ICAL_CLASS_PRIVATE));
	if (t->status == FEED_OPEN)
		feed_add_alarm(x, c, t->summary, !t->timed);
	feed_emit(x, c);
}

/* Checks every task first: the header depends on whether any is timed. */
int
feed_render_tasks(const struct feed_task *tasks, size_t n,
    const struct feed_opts *o, char **out, size_t *len, char **cause)
{
	struct feed_ctx x;
	size_t i;
	int timed = 0;

	for (i = 0; i < n; i++) {
		if (feed_task_check(&tasks[i], cause) != 0)
			return -1;
		timed |= tasks[i].timed != 0;
	}
	if (feed_begin(&x, o, timed, cause) != 0)
		return feed_abort(&x);
	for (i = 0; i < n; i++) {
		feed_task_event(&x, &tasks[i]);
		if (o->with_vtodo)
			feed_task_todo(&x, &tasks[i]);
	}
	return feed_finish(&x, out, len);
}

/* Writes a lunar month and day the way a Chinese calendar prints them,
 * e.g. 农历闰四月十五, 农历腊月初一. */
static void
feed_lunar_name(struct buf *b, const struct lunar_date *ld)
{
	static const char *const digit[] = { "十", "一", "二", "三", "四",
	    "五", "六", "七", "八", "九" };
	static const char *const month[] = { "", "正", "二", "三", "四",
	    "五", "六", "七", "八", "九", "十", "冬", "腊" };
	static const char *const tens[] = { "初", "十", "廿" };

	buf_puts(b, ld->leap ? "农历闰" : "农历");
	buf_puts(b, month[ld->month]);
	buf_puts(b, "月");
	/* 初一..初十, 十一..十九, 二十, 廿一..廿九, 三十 */
	buf_puts(b, ld->day == 20 ? "二" : ld->day == 30 ? "三" :
	    tens[(ld->day - 1) / 10]);
	buf_puts(b, digit[ld->day % 10]);
}

/* "Birthday: ", or a key date's title and the same colon. */
static void
feed_bday_label(struct feed_ctx *x, struct buf *t,
    const struct feed_birthday *b)
{
	if (b->title == NULL) {
		i18n_label(t, x->o->lang, MSG_FEED_BIRTHDAY);
		return;
	}
	feed_text_add(t, b->title);
	buf_puts(t, x->o->lang == I18N_ZH ? "：" : ": ");
}

/* A birthday's title, into x->text: "Birthday: 张伟 (tier A, 农历八月十五)",
 * "生日：张伟（A类，农历八月十五）". */
static void
feed_bday_summary(struct feed_ctx *x, const struct feed_birthday *b,
    const struct lunar_date *ld)
{
	struct buf *t = &x->text;
	int zh = x->o->lang == I18N_ZH, n = 0;

	buf_reset(t);
	feed_bday_label(x, t, b);
	feed_text_add(t, b->customer);
	if (b->tier >= 'A' && b->tier <= 'C') {
		buf_puts(t, zh ? "（" : " (");
		buf_printf(t, zh ? "%c类" : "tier %c", b->tier);
		n++;
	}
	if (ld != NULL) {
		buf_puts(t, n == 0 ? (zh ? "（" : " (") : zh ? "，" : ", ");
		feed_lunar_name(t, ld);
		n++;
	}
	if (n > 0)
		buf_puts(t, zh ? "）" : ")");
}

/* One birthday event: yearly from day with rule, or on day only when rule
 * is NULL (then the UID gets the date).  ld is the lunar birthday, if it is
 * one, for the summary. */
static void
feed_bday_event(struct feed_ctx *x, const struct feed_birthday *b,
    const struct lunar_date *ld, int32_t day, const char *rule)
{
	icalcomponent *c = icalcomponent_new_vevent();
	char ymd[11], tag[9];
	int64_t stamp = b->modified ? b->modified : x->o->now;
	char *summary;

	if (rule == NULL) {
		date_format(day, ymd);
		memcpy(tag, ymd, 4);
		memcpy(tag + 4, ymd + 5, 2);
		memcpy(tag + 6, ymd + 8, 3);
		feed_add_text(x, c, icalproperty_new_uid, feed_uid(x, b->uid,
		    tag));
	} else
		feed_add_text(x, c, icalproperty_new_uid, b->uid);
	icalcomponent_add_property(c, icalproperty_new_dtstamp(feed_utc(x,
	    stamp)));
	if (b->modified != 0)
		icalcomponent_add_property(c, icalproperty_new_lastmodified(
		    feed_utc(x, b->modified)));
	icalcomponent_add_property(c, icalproperty_new_sequence(0));
	icalcomponent_add_property(c, icalproperty_new_dtstart(
	    feed_date(day)));
	icalcomponent_add_property(c, icalproperty_new_dtend(
	    feed_date(day + 1)));
	if (rule != NULL)
		icalcomponent_add_property(c, icalproperty_new_rrule(
		    icalrecurrencetype_from_string(rule)));

	feed_bday_summary(x, b, ld);
	summary = xstrdup(x->text.data);
	icalcomponent_add_property(c, icalproperty_new_summary(summary));

	buf_reset(&x->text);
	feed_line(x, MSG_FEED_CUSTOMER, b->customer);
	feed_line(x, MSG_FEED_PHONE, b->phone);
	if (b->title == NULL)
		feed_line(x, MSG_FEED_BIRTHDAY, b->birthday);
	else {
		feed_bday_label(x, &x->text, b);
		feed_text_add(&x->text, b->birthday);
		buf_addc(&x->text, '\n');
	}
	feed_add_description(c, &x->text);
	icalcomponent_add_property(c, icalproperty_new_categories(
	    b->title != NULL ? "keydate" : "birthday"));
	feed_add_priority(c, b->tier);
	icalcomponent_add_property(c, icalproperty_new_status(
	    ICAL_STATUS_CONFIRMED));
	icalcomponent_add_property(c, icalproperty_new_transp(
	    ICAL_TRANSP_TRANSPARENT));
	icalcomponent_add_property(c, icalproperty_new_class(
	    ICAL_CLASS_PRIVATE));
	feed_add_alarm(x, c, summary, 0);
	free(summary);
	feed_emit(x, c);
}

/* A key date that happens once: one dated event, for a lunar date the
 * Gregorian day of its lunar year. */
static int
feed_once(struct feed_ctx *x, const struct feed_birthday *b, char **cause)
{
	struct lunar_date ld;
	struct date d;
	char *why = NULL;
	int gy, gm, gd;

	if (strncmp(b->birthday, "L:", 2) == 0) {
		if (lunar_parse(b->birthday, &ld, &why) != 0)
			goto bad;
		d.year = d.month = d.day = 0;
		if (ld.year != 0) {
			if (lunar_to_gregorian(ld.year, ld.month, ld.day,
			    ld.leap, &gy, &gm, &gd, &why) != 0)
				goto bad;
			d.year = gy, d.month = gm, d.day = gd;
		}
	} else if (date_parse_birthday(b->birthday, &d, &why) != 0)
		goto bad;
	if (d.year == 0 || d.year == 9999)
		return set_error(cause, "birthday %s: a date that happens once "
		    "needs a year before 9999", b->uid);
	feed_bday_event(x, b, strncmp(b->birthday, "L:", 2) == 0 ? &ld : NULL,
	    date_to_days(d.year, d.month, d.day), NULL);
	return 0;
bad:
	set_error(cause, "birthday %s: %s", b->uid, why);
	free(why);
	return -1;
}

/* Renders one birthday: a yearly series, or dated events for the years.
 * Errors name the UID, not the customer. */
static int
feed_bday(struct feed_ctx *x, const struct feed_birthday *b,
    enum date_feb29 policy, int from, int years, char **cause)
{
	struct lunar_gdate g[2];
	struct lunar_date ld;
	struct date d;
	char *why = NULL;
	int y, i, k, year;
	int32_t day;

	if (str_empty(b->uid) || str_empty(b->customer) ||
	    str_empty(b->birthday))
		return set_error(cause, "birthday %s: uid, customer and "
		    "birthday required", str_empty(b->uid) ? "(no uid)" :
		    b->uid);
	if (b->modified < 0 || b->modified > FEED_TIME_MAX)
		return set_error(cause, "birthday %s: time out of range",
		    b->uid);
	if (b->once)
		return feed_once(x, b, cause);
	if (strncmp(b->birthday, "L:", 2) == 0) {
		if (lunar_parse(b->birthday, &ld, &why) != 0)
			goto bad;
		for (y = from; y < from + years; y++) {
			if (y <= LUNAR_YEAR_MIN || y > LUNAR_YEAR_MAX)
				continue;
			if ((k = lunar_yearly_in_gregorian(&ld, y, g,
			    &why)) < 0)
				goto bad;
			for (i = 0; i < k; i++)
				feed_bday_event(x, b, &ld, date_to_days(
				    g[i].year, g[i].month, g[i].day), NULL);
		}
		return 0;
	}
	if (date_parse_birthday(b->birthday, &d, &why) != 0)
		goto bad;
	if (d.year == 9999)	/* DTEND would be in year 10000 */
		return set_error(cause, "birthday %s: year out of range",
		    b->uid);
	year = d.year != 0 ? d.year : FEED_BASE_YEAR;
	if (d.month != 2 || d.day != 29) {
		feed_bday_event(x, b, NULL, date_to_days(year, d.month, d.day),
		    "FREQ=YEARLY");
		return 0;
	}
	switch (policy) {
	case DATE_FEB29_FEB28:
		day = date_to_days(year, 3, 0); /* last of February */
		feed_bday_event(x, b, NULL, day,
		    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1");
		break;
	case DATE_FEB29_LEAP_ONLY:
		while (!date_is_leap(year))
			year++;
		feed_bday_event(x, b, NULL, date_to_days(year, 2, 29),
		    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29");
		break;
	case DATE_FEB29_MAR1:
		for (y = from; y < from + years; y++) {
			if (date_yearly(2, 29, y, policy, &day) == 0)
				feed_bday_event(x, b, NULL, day, NULL);
		}
		break;
	}
	return 0;

bad:
	set_error(cause, "birthday %s: %s", b->uid, why);
	free(why);
	return -1;
}

/* Renders birthdays in the order given; see feed.h for the rules. */
int
feed_render_birthdays(const struct feed_birthday *b, size_t n,
    enum date_feb29 policy, int from_year, int years_ahead,
    const struct feed_opts *o, char **out, size_t *len, char **cause)
{
	struct feed_ctx x;
	size_t i;

	if (policy != DATE_FEB29_FEB28 && policy != DATE_FEB29_MAR1 &&
	    policy != DATE_FEB29_LEAP_ONLY)
		return set_error(cause, "bad 29 February policy %d",
		    (int)policy);
	if (from_year < 1 || from_year > 9999 || years_ahead < 0 ||
	    years_ahead > FEED_YEARS_MAX || from_year + years_ahead > 10000)
		return set_error(cause, "years %d + %d: out of range",
		    from_year, years_ahead);
	if (feed_begin(&x, o, 0, cause) != 0)
		return feed_abort(&x);
	for (i = 0; i < n; i++) {
		if (feed_bday(&x, &b[i], policy, from_year, years_ahead,
		    cause) != 0)
			return feed_abort(&x);
	}
	return feed_finish(&x, out, len);
}

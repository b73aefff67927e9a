/* feed.h - the iCalendar (RFC 5545) feeds reps subscribe to: a follow-up
 * feed of their tasks and a birthday calendar of their customers.
 *
 * Pure functions of the data given: no store, no clock, no I/O.  The same
 * input always renders the same bytes, so feed_etag() of the result is a
 * stable validator; for that, pass times that change only when the data
 * does (feed_opts.now should be the newest modification time of the data,
 * not the wall clock).
 *
 * Output: CRLF line ends and no other CR or LF, valid UTF-8, lines folded
 * at 75 octets without splitting a character.  Text is escaped by
 * libical; before that, CR and CRLF become LF, other control characters
 * except TAB are dropped and invalid UTF-8 bytes become U+FFFD, so bad
 * data never breaks a feed.
 *
 * Every event is an all-day DATE event (DTEND the next day) unless a task is
 * timed; events are TRANSP:TRANSPARENT (they do not block free/busy) and
 * CLASS:PRIVATE (they carry customers' phone numbers).
 *
 * Done tasks stay visible: calendar apps hide or strike out
 * STATUS:CANCELLED events, so a done task's VEVENT keeps STATUS:CONFIRMED
 * and its SUMMARY gets the prefix "✓ "; its VTODO (with_vtodo) says
 * STATUS:COMPLETED, PERCENT-COMPLETE:100 and COMPLETED.  A cancelled task
 * is STATUS:CANCELLED in both.  Done and cancelled tasks get no alarm.
 *
 * Strings in the structures are borrowed (UTF-8, NULL or "" = omitted unless
 * stated otherwise).  The render functions set *out to a malloc'd,
 * NUL-terminated string the caller frees, and *len to its length.  On error
 * they return -1 with *cause set (malloc'd) and leave *out alone.
 *
 * libical keeps process-wide state (its time zone cache): call these from
 * one thread only. */
#ifndef OUTREACHD_FEED_H
#define OUTREACHD_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "i18n.h"

enum feed_status {
	FEED_OPEN,
	FEED_DONE,
	FEED_CANCELLED,
};

struct feed_task {
	const char *uid;	/* required, stable, unique in the feed,
				   e.g. "task-123@outreachd" */
	int32_t due;		/* day number, 0001-01-01..9999-12-30 */
	const char *summary;	/* required, e.g. "Visit 张伟 (tier A)" */
	const char *kind;	/* call, visit, gift...: CATEGORIES */
	char tier;		/* 'A'..'C': PRIORITY 1, 5, 9; else none */
	const char *customer;	/* DESCRIPTION lines, in this order */
	const char *phone;
	const char *email;
	const char *last_contact; /* "YYYY-MM-DD" */
	const char *reason;
	const char *notes;
	const char *url;	/* the task's page: URL, and DESCRIPTION's
				   last line (calendars that ignore URL) */
	enum feed_status status;
	int64_t created;	/* unix seconds: CREATED, 0 = omitted */
	int64_t modified;	/* LAST-MODIFIED and DTSTAMP, 0 = omitted
				   (DTSTAMP is then created, else o->now) */
	int sequence;		/* SEQUENCE >= 0; raise it on every change */
	int64_t completed;	/* unix seconds done, 0 = unknown: COMPLETED */
	int timed;		/* 0: all-day on due; 1: at start_minute local
				   time in feed_opts.tzid (required then) */
	int start_minute;	/* 0..1439 */
	int duration_minutes;	/* 1..1440, 0 = 60 */
};

struct feed_opts {
	const char *calname;	/* X-WR-CALNAME */
	const char *prodid_version; /* PRODID:-//outreachd//outreachd V//EN */
	int with_vtodo;		/* each task also as a VTODO, with "-todo"
				   added to its UID before the '@' */
	int alarm_minutes;	/* 0..40320: VALARM that long before the start
				   (all-day: before local midnight), 0 = none */
	int refresh_minutes;	/* 0..40320: REFRESH-INTERVAL and
				   X-PUBLISHED-TTL (PT30M, PT1H...), 0 = none */
	const char *tzid;	/* IANA zone: X-WR-TIMEZONE, and a VTIMEZONE
				   when a timed task refers to it */
	int64_t now;		/* DTSTAMP where the data has no time */
	enum i18n_lang lang;	/* of DESCRIPTION's labels ("Phone: ",
				   "电话：") and birthday titles; 0: en */
};

/* Renders the follow-up feed of n tasks (a VEVENT each, and a VTODO each
 * with o->with_vtodo). */
int feed_render_tasks(const struct feed_task *tasks, size_t n,
    const struct feed_opts *o, char **out, size_t *len, char **cause);

struct feed_birthday {
	const char *uid;	/* required, stable, e.g. "bday-42@outreachd" */
	const char *customer;	/* required */
	const char *birthday;	/* "YYYY-MM-DD", "--MM-DD" or lunar "L:..." */
	const char *phone;
	char tier;
	int64_t modified;	/* DTSTAMP and LAST-MODIFIED, 0 = o->now */
	const char *title;	/* a customer's key date (keydate.h), with
				   this title instead of "Birthday";
				   CATEGORIES keydate */
	int once;		/* a key date that happens once: one event on
				   its date (which has a year) */
};

/* Renders the birthday calendar: one all-day event per customer (and per
 * key date, which recurs as a birthday does unless it happens once).
 *  - A Gregorian birthday recurs: RRULE:FREQ=YEARLY from the birth date (or
 *    from 1970 when the year is unknown).
 *  - 29 February, by policy:
 *	FEB28: RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1 (last day of
 *	       February: the 29th in leap years, the 28th otherwise);
 *	LEAP_ONLY: RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29, which RFC 5545
 *	       skips in years without that day (2100 too, unlike INTERVAL=4);
 *	MAR1: one dated event per year, as for lunar birthdays below, because
 *	       the exact rule (BYYEARDAY=60) is not understood by every client.
 *  - A lunar birthday cannot be an RRULE: one dated event per occurrence in
 *    Gregorian years from_year .. from_year + years_ahead - 1 (years the
 *    lunar tables do not cover are skipped).
 * Dated events get the UID of the birthday with "-YYYYMMDD" inserted
 * before the '@' (or appended), stable from one render to the next.
 * from_year is 1..9999 and years_ahead 0..100.  An unparsable birthday is
 * an error naming its UID. */
int feed_render_birthdays(const struct feed_birthday *b, size_t n,
    enum date_feb29 policy, int from_year, int years_ahead,
    const struct feed_opts *o, char **out, size_t *len, char **cause);

struct buf;
/* Appends s, iCalendar text as libical serialises it, to out as strict
 * RFC 5545 lines: libical's folds undone, every line ended by CRLF (no
 * bare CR or LF), folded at 75 octets between UTF-8 characters, no blank
 * line.  scratch is working space (feed_fold.c). */
void feed_fold(struct buf *out, struct buf *scratch, const char *s);

/* A strong HTTP entity tag for the bytes: "\"<xxh64 hex>-<length hex>\"",
 * quotes included.  Returns a malloc'd string; never NULL. */
char *feed_etag(const char *data, size_t len);

#endif

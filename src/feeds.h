/* feeds.h - a rep's calendar feeds from the store: the follow-up feed of
 * the rep's tasks and the birthday calendar of the rep's customers,
 * rendered by feed.h.  Used by the HTTP service and by outreachctl feed,
 * so both give the same bytes for the same data.
 *
 * Follow-ups: open tasks, and done or cancelled ones for
 * conf->http.done_visible_days days (counted in whole UTC days, so the
 * feed changes at most once a day by itself).  A task's UID is
 * "task-<id>@<host of http.base_url>", SEQUENCE the task's sequence.
 * Birthdays: every customer of the rep with a birthday, UID
 * "bday-<customer id>@<host>", lunar ones expanded from last year on, and
 * their key dates under their titles, UID "kd-<key date id>@<host>".
 *
 * libical is not thread-safe (feed.h): call feeds_render() from one
 * thread at a time. */
#ifndef OUTREACHD_FEEDS_H
#define OUTREACHD_FEEDS_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "i18n.h"
#include "store.h"

enum feeds_kind { FEEDS_FOLLOWUPS, FEEDS_BIRTHDAYS, FEEDS_NKINDS };

/* Changes whenever the rendered feed would (data, rep name or locale, or
 * day); two stamps compare equal with memcmp (the struct is zeroed
 * first). */
struct feeds_stamp {
	int64_t v[13];
};

/* A rendered feed.  Owned: feeds_doc_free(). */
struct feeds_doc {
	char *data;
	size_t len;
	char *etag;	  /* strong, quoted (feed_etag) */
	int64_t modified; /* newest change of the data: Last-Modified */
	size_t events;	  /* tasks or birthdays in it */
};

/* "followups" or "birthdays": the file name without ".ics".  These two
 * are in feeds_kind.c: no store, no libical. */
const char *feeds_kind_name(enum feeds_kind k);
/* Parses "followups.ics" / "birthdays.ics": 0, or -1 if neither. */
int feeds_kind_parse(const char *file, enum feeds_kind *k);
/* The day number "today" means for feeds: now in whole UTC days. */
int32_t feeds_day(int64_t now);
/* A task's reasons as reps see them, in language l: for an open task
 * past its day or tried already, its age and attempts first ("overdue 12
 * days, 2 attempts, escalated; ...").  feeds_task_lines() gives them a
 * line each (each ending in '\n'), feeds_task_reason() on one line.
 * malloc'd. */
struct store_task;
char *feeds_task_lines(const struct store_task *t, int32_t today,
    enum i18n_lang l);
char *feeds_task_reason(const struct store_task *t, int32_t today,
    enum i18n_lang l);
/* Reads the change stamp of a rep's feed: two small index queries. */
int feeds_stamp(struct store *st, const struct store_rep *rep,
    enum feeds_kind kind, int64_t now, struct feeds_stamp *s, char **cause);
/* Renders a rep's feed.  Returns 0, or -1 with *cause set. */
int feeds_render(struct store *st, const struct conf *cf,
    const struct store_rep *rep, enum feeds_kind kind, int64_t now,
    struct feeds_doc *doc, char **cause);
void feeds_doc_free(struct feeds_doc *doc);
/* The public URL of a feed: base_url/feeds/TOKEN/KIND.ics.  malloc'd. */
char *feeds_url(const struct conf *cf, const char *token,
    enum feeds_kind kind);
/* The host part of base_url for UIDs ("outreachd" when there is none).
 * malloc'd. */
char *feeds_uid_host(const char *base_url);

#endif

/* page.h - the reps' small HTML pages: a phone-sized skeleton with no
 * script and no external resource, every text escaped, and the pages
 * themselves (page_task.c: a task and its outcome form; page_day.c: the
 * rep's day; page_survey.c: a customer's satisfaction survey).  Rendering
 * only: the HTTP handlers (httpd_pages.c, httpd_survey.c) read the store
 * and pass plain values in. */
#ifndef OUTREACHD_PAGE_H
#define OUTREACHD_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "customer.h"
#include "i18n.h"
#include "store.h"
#include "store_page.h"
#include "store_task.h"
#include "util.h"

/* The response headers every page has (CSP as the unsubscribe page's):
 * NULL-terminated name, value pairs. */
extern const char *const page_headers[];
extern const char page_type[];

/* Starts a page: doctype, head with its style, <body>, the <h1>. */
void page_begin(struct buf *b, enum i18n_lang l, const char *title);
/* Ends it. */
void page_end(struct buf *b);
/* Adds s escaped for HTML text and attribute values (NULL: nothing). */
void page_esc(struct buf *b, const char *s);
/* A notice paragraph (class "ok" or "err"). */
void page_notice(struct buf *b, const char *cls, const char *text);
/* A whole page of one notice, with a link back to href (may be NULL).
 * malloc'd. */
char *page_message(enum i18n_lang l, const char *title, const char *cls,
    const char *text, const char *href);

/* Everything the task page shows. */
struct page_task {
	enum i18n_lang lang;
	const struct store_task *task;
	const struct customer *cust;	/* NULL when it is gone */
	const struct store_contact *contact; /* NULL: none logged */
	const char *form;		/* the form token */
	const char *notice;		/* NULL, or what a POST did */
	const char *notice_cls;		/* "ok" or "err" */
	int32_t today;
	const char *owner;		/* the task's rep when a manager
					   opens it, else NULL */
};
/* The task page.  malloc'd. */
char *page_task_render(const struct page_task *p);

/* A task on the rep's day. */
struct page_day_item {
	const struct store_task *task;
	const char *href;		/* its page */
};
/* A rep's escalated tasks on a manager's day. */
struct page_team_rep {
	const char *name;		/* NULL: customers without a rep */
	long overdue;			/* open tasks past due */
	int32_t today;			/* in the rep's zone */
	const struct page_day_item *items; /* in order */
	size_t n;
};
/* The escalations section of a manager's day. */
struct page_team {
	const struct page_team_rep *reps;
	size_t n;
};
/* The rep's day: items already in order, then for a manager (team not
 * NULL) the escalations under each rep's name.  malloc'd. */
char *page_day_render(enum i18n_lang l, const char *rep_name,
    const struct page_day_item *items, size_t n, int32_t today,
    const struct page_team *team);

/* The satisfaction survey (survey.h), or its thanks once answered. */
struct page_survey {
	enum i18n_lang lang;		/* the customer's */
	const char *name;		/* the customer's, or salutation */
	int32_t visit_day;
	int score;			/* the answer, 0 when none yet */
	int just;			/* recorded by this request */
};
/* The survey's page.  malloc'd. */
char *page_survey_render(const struct page_survey *p);

/* The value of a field of an application/x-www-form-urlencoded body,
 * decoded (NUL bytes and all): malloc'd, NULL when absent.  *len gets its
 * length. */
char *page_form_get(const char *body, size_t n, const char *name,
    size_t *len);

#endif

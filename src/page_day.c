/* page_day.c - the rep's day: today's and overdue tasks, each a link to
 * its page; for a manager, then, the team's escalations. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "page.h"

/* "Due: 2027-03-05", for a task not due yet. */
static void
day_due(struct buf *b, enum i18n_lang l, int32_t day)
{
	char d[11];

	date_format(day, d);
	page_esc(b, i18n(l, MSG_DUE));
	buf_printf(b, "%s%s", l == I18N_ZH ? "\xef\xbc\x9a" : ": ", d);
}

/* One task: title, how late, a link. */
static void
day_item(struct buf *b, enum i18n_lang l, const struct page_day_item *it,
    int32_t today)
{
	const struct store_task *t = it->task;
	char *title = i18n_task_title(l, t->kind, t->customer ? t->customer :
	    t->external_id, t->tier);
	int late = (int)(today - t->day);

	buf_printf(b, "<li class=\"%c\"><a href=\"", t->tier);
	page_esc(b, it->href);
	buf_puts(b, "\">");
	page_esc(b, title);
	buf_puts(b, "</a><br>");
	if (late > 0)
		buf_printf(b, "%s %d%s", i18n(l, MSG_OVERDUE), late,
		    l == I18N_ZH ? "天" : late == 1 ? " day" : " days");
	else if (late == 0)
		page_esc(b, i18n(l, MSG_TODAY));
	else	/* escalated by attempts, moved to a retry day */
		day_due(b, l, t->day);
	if (t->attempts > 0)
		buf_printf(b, " \xc2\xb7 %d %s", t->attempts,
		    i18n(l, MSG_ATTEMPTS));
	if (!str_empty(t->phone)) {
		buf_puts(b, " \xc2\xb7 <a href=\"tel:");
		page_esc(b, t->phone);
		buf_puts(b, "\">");
		page_esc(b, t->phone);
		buf_puts(b, "</a>");
	}
	buf_puts(b, "</li>\n");
	free(title);
}

/* One rep's escalations: the name, the overdue count, the tasks. */
static void
team_rep(struct buf *b, enum i18n_lang l, const struct page_team_rep *g)
{
	size_t i;

	buf_puts(b, "<h3>");
	page_esc(b, g->name ? g->name : i18n(l, MSG_NO_REP));
	buf_puts(b, "</h3>\n<p class=\"overdue\">");
	page_esc(b, i18n(l, MSG_OVERDUE_TASKS));
	buf_printf(b, "%s%ld</p>\n", l == I18N_ZH ? "\xef\xbc\x9a" : ": ",
	    g->overdue);
	if (g->n == 0)
		return;
	buf_puts(b, "<ol>\n");
	for (i = 0; i < g->n; i++)
		day_item(b, l, &g->items[i], g->today);
	buf_puts(b, "</ol>\n");
}

/* A manager's section: every rep with escalated or overdue tasks. */
static void
team_section(struct buf *b, enum i18n_lang l, const struct page_team *team)
{
	size_t i;

	buf_puts(b, "<section id=\"escalations\">\n<h2>");
	page_esc(b, i18n(l, MSG_ESCALATIONS));
	buf_puts(b, "</h2>\n");
	if (team->n == 0)
		page_notice(b, "ok", i18n(l, MSG_NO_ESCALATIONS));
	for (i = 0; i < team->n; i++)
		team_rep(b, l, &team->reps[i]);
	buf_puts(b, "</section>\n");
}

/* The page. */
char *
page_day_render(enum i18n_lang l, const char *rep_name,
    const struct page_day_item *items, size_t n, int32_t today,
    const struct page_team *team)
{
	struct buf b;
	char d[11], *title;
	size_t i;

	date_format(today, d);
	title = xasprintf("%s \xc2\xb7 %s", i18n(l, MSG_DAY), d);
	buf_init(&b);
	page_begin(&b, l, title);
	free(title);
	if (!str_empty(rep_name)) {
		buf_puts(&b, "<p>");
		page_esc(&b, rep_name);
		buf_puts(&b, "</p>\n");
	}
	if (n == 0)
		page_notice(&b, "ok", i18n(l, MSG_NOTHING));
	buf_puts(&b, "<ol id=\"tasks\">\n");
	for (i = 0; i < n; i++)
		day_item(&b, l, &items[i], today);
	buf_puts(&b, "</ol>\n");
	if (team != NULL)
		team_section(&b, l, team);
	page_end(&b);
	return buf_detach(&b);
}

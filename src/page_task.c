/* page_task.c - a task's page: the customer card, the reasons and the
 * outcome form.  The form works without JavaScript: one submit button per
 * outcome (name "outcome"), and the fields they share. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "feeds.h"
#include "outcome.h"
#include "page.h"

/* A <dt>/<dd> pair unless value is empty. */
static void
card_row(struct buf *b, enum i18n_lang l, enum i18n_msg label,
    const char *value)
{
	if (str_empty(value))
		return;
	buf_puts(b, "<dt>");
	page_esc(b, i18n(l, label));
	buf_puts(b, "</dt><dd>");
	page_esc(b, value);
	buf_puts(b, "</dd>\n");
}

/* A row whose value is a link: tel: or mailto:. */
static void
card_link(struct buf *b, enum i18n_lang l, enum i18n_msg label,
    const char *scheme, const char *value)
{
	if (str_empty(value))
		return;
	buf_puts(b, "<dt>");
	page_esc(b, i18n(l, label));
	buf_printf(b, "</dt><dd><a href=\"%s", scheme);
	page_esc(b, value);
	buf_puts(b, "\">");
	page_esc(b, value);
	buf_puts(b, "</a></dd>\n");
}

/* The last contact: day, kind, note. */
static void
card_contact(struct buf *b, const struct page_task *p)
{
	const struct store_contact *c = p->contact;
	char d[11], *s;

	if (c == NULL || c->day == DAY_NONE) {
		card_row(b, p->lang, MSG_LAST_CONTACT, i18n(p->lang, MSG_NONE));
		return;
	}
	date_format(c->day, d);
	s = xasprintf("%s %s%s%s", d, i18n_kind(p->lang, c->kind),
	    str_empty(c->note) ? "" : ": ", str_empty(c->note) ? "" : c->note);
	card_row(b, p->lang, MSG_LAST_CONTACT, s);
	free(s);
}

/* Who the customer is. */
static void
card(struct buf *b, const struct page_task *p)
{
	const struct customer *c = p->cust;
	const struct store_task *t = p->task;
	const char *tier;
	char d[11], tb[2] = { t->tier, '\0' };
	size_t i;

	buf_puts(b, "<section id=\"card\">\n<h2>");
	page_esc(b, c && c->field[CUST_NAME] ? c->field[CUST_NAME] :
	    t->customer);
	if (c != NULL && !str_empty(c->field[CUST_SALUTATION])) {
		buf_puts(b, " \xc2\xb7 ");
		page_esc(b, c->field[CUST_SALUTATION]);
	}
	buf_puts(b, "</h2>\n<dl>\n");
	tier = c ? customer_tier(c) : NULL;
	card_row(b, p->lang, MSG_TIER, tier ? tier : tb);
	card_row(b, p->lang, MSG_REP, p->owner);
	card_link(b, p->lang, MSG_PHONE, "tel:", c ? c->field[CUST_PHONE] :
	    t->phone);
	card_link(b, p->lang, MSG_EMAIL, "mailto:", c ? c->field[CUST_EMAIL] :
	    t->email);
	card_contact(b, p);
	if (c != NULL && c->last_purchase != DAY_NONE) {
		date_format(c->last_purchase, d);
		card_row(b, p->lang, MSG_LAST_PURCHASE, d);
	}
	card_row(b, p->lang, MSG_NOTES, c ? c->field[CUST_NOTES] : t->notes);
	for (i = 0; c != NULL && i < c->nattrs; i++) {
		buf_puts(b, "<dt>");
		page_esc(b, c->attrs[i].name);
		buf_puts(b, "</dt><dd>");
		page_esc(b, c->attrs[i].value);
		buf_puts(b, "</dd>\n");
	}
	buf_puts(b, "</dl>\n</section>\n");
}

/* The reasons as a checklist, one item per line, in the rep's language. */
static void
reasons(struct buf *b, const struct page_task *p)
{
	const struct store_task *t = p->task;
	char *all = feeds_task_lines(t, p->today, p->lang), *s, *next, d[11];

	buf_puts(b, "<section id=\"reasons\">\n<h2>");
	page_esc(b, i18n(p->lang, MSG_REASONS));
	buf_puts(b, "</h2>\n<ul>\n");
	for (s = all; *s != '\0'; s = next) {
		next = s + strcspn(s, "\n");
		if (*next != '\0')
			*next++ = '\0';
		buf_puts(b, "<li>");
		page_esc(b, s);
		buf_puts(b, "</li>\n");
	}
	free(all);
	buf_puts(b, "</ul>\n<p>");
	date_format(t->day, d);
	page_esc(b, i18n(p->lang, MSG_DUE));
	buf_printf(b, ": %s \xc2\xb7 ", d);
	page_esc(b, i18n(p->lang, MSG_STATUS));
	buf_puts(b, ": <span id=\"status\">");
	page_esc(b, i18n(p->lang, strcmp(t->status, "open") == 0 ? MSG_OPEN :
	    strcmp(t->status, "done") == 0 ? MSG_DONE : MSG_CANCELLED));
	buf_puts(b, "</span></p>\n</section>\n");
}

/* One submit button for an outcome. */
static void
button(struct buf *b, enum i18n_lang l, enum outcome o, enum i18n_msg label,
    int main)
{
	buf_printf(b, "<button type=\"submit\" name=\"outcome\" value=\"%s\""
	    " id=\"o-%s\"%s>", outcome_name(o), outcome_name(o),
	    main ? " class=\"go\"" : "");
	page_esc(b, i18n(l, label));
	buf_puts(b, "</button>\n");
}

/* A labelled field's opening: the label and its for=. */
static void
label(struct buf *b, enum i18n_lang l, enum i18n_msg m, const char *id)
{
	buf_printf(b, "<label for=\"%s\">", id);
	page_esc(b, i18n(l, m));
	buf_puts(b, "</label>\n");
}

/* The outcome form: POST to the page itself. */
static void
form(struct buf *b, const struct page_task *p)
{
	static const char *const kinds[] = { "call", "visit", "meeting",
		"gift", "message" };
	enum i18n_lang l = p->lang;
	const char *dflt = p->task->kind;
	size_t i;

	buf_puts(b, "<form method=\"post\" id=\"outcome\">\n"
	    "<input type=\"hidden\" name=\"form\" value=\"");
	page_esc(b, p->form);
	buf_puts(b, "\">\n");
	label(b, l, MSG_NOTE, "note");
	buf_printf(b, "<textarea id=\"note\" name=\"note\" maxlength=\"%d\">"
	    "</textarea>\n", OUTCOME_NOTE_MAX);
	label(b, l, MSG_KIND, "kind");
	buf_puts(b, "<select id=\"kind\" name=\"kind\">\n");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		buf_printf(b, "<option value=\"%s\"%s>", kinds[i],
		    dflt && strcmp(dflt, kinds[i]) == 0 ? " selected" : "");
		page_esc(b, i18n_kind(l, kinds[i]));
		buf_puts(b, "</option>\n");
	}
	buf_puts(b, "</select>\n");
	button(b, l, OUTCOME_REACHED, MSG_REACHED, 1);
	button(b, l, OUTCOME_NOT_REACHED, MSG_NOT_REACHED, 0);
	button(b, l, OUTCOME_WRONG_NUMBER, MSG_WRONG_NUMBER, 0);
	label(b, l, MSG_DATE, "date");
	buf_puts(b, "<input type=\"date\" id=\"date\" name=\"date\">\n");
	button(b, l, OUTCOME_SNOOZE, MSG_SNOOZE, 0);
	button(b, l, OUTCOME_NEXT, MSG_NEXT, 0);
	label(b, l, MSG_REASON, "reason");
	buf_puts(b, "<input type=\"text\" id=\"reason\" name=\"reason\" "
	    "maxlength=\"200\">\n");
	button(b, l, OUTCOME_CANCEL, MSG_CANCEL, 0);
	buf_puts(b, "</form>\n");
}

/* The whole page. */
char *
page_task_render(const struct page_task *p)
{
	const struct store_task *t = p->task;
	struct buf b;
	char *title;

	title = i18n_task_title(p->lang, t->kind, t->customer ? t->customer :
	    t->external_id, t->tier);
	buf_init(&b);
	page_begin(&b, p->lang, title);
	free(title);
	if (p->notice != NULL)
		page_notice(&b, p->notice_cls ? p->notice_cls : "ok", p->notice);
	card(&b, p);
	reasons(&b, p);
	if (strcmp(t->status, "open") == 0)
		form(&b, p);
	page_end(&b);
	return buf_detach(&b);
}

/* page_survey.c - the satisfaction survey's page (page.h): one question,
 * five buttons, an optional comment; or the thanks once answered.  In the
 * customer's language (Chinese or English), no script. */
#include <stdio.h>
#include <stdlib.h>

#include "date.h"
#include "page.h"

/* The thanks, with the score recorded now or before. */
static void
survey_thanks(struct buf *b, int zh, const struct page_survey *p)
{
	char line[128];

	if (p->just)
		snprintf(line, sizeof(line), zh ? "谢谢！您的评分是%d分（满分5分）。"
		    : "Thank you: your answer is %d of 5.", p->score);
	else
		snprintf(line, sizeof(line), zh ? "谢谢！您已经打过分了：%d分（满分"
		    "5分）。" : "Thank you: you answered %d of 5 already.",
		    p->score);
	page_notice(b, "ok", line);
}

/* The question, the comment box and the five buttons. */
static void
survey_form(struct buf *b, int zh, const struct page_survey *p)
{
	char d[11], *q;
	int i;

	date_format(p->visit_day, d);
	q = xasprintf(zh ? "%s，您对我们%s的拜访满意吗？" : "%s, how satisfied "
	    "were you with our visit on %s?", p->name ? p->name : "", d);
	buf_puts(b, "<form method=\"post\">\n<p id=\"question\">");
	page_esc(b, q);
	free(q);
	buf_puts(b, "</p>\n<label for=\"comment\">");
	page_esc(b, zh ? "想对我们说的话（可不填）" : "Anything you would like "
	    "to tell us (optional)");
	buf_puts(b, "</label>\n<textarea id=\"comment\" name=\"comment\" "
	    "maxlength=\"2000\"></textarea>\n<p class=\"scale\">");
	page_esc(b, zh ? "1 = 很不满意 \xc2\xb7 5 = 非常满意" :
	    "1 = not at all \xc2\xb7 5 = very");
	buf_puts(b, "</p>\n");
	for (i = 1; i <= 5; i++)
		buf_printf(b, "<button class=\"go\" type=\"submit\" "
		    "name=\"score\" value=\"%d\" id=\"s%d\">%d</button>\n", i,
		    i, i);
	buf_puts(b, "</form>\n");
}

char *
page_survey_render(const struct page_survey *p)
{
	int zh = p->lang == I18N_ZH;
	struct buf b;

	buf_init(&b);
	page_begin(&b, p->lang, zh ? "您对我们的拜访满意吗？" :
	    "How was our visit?");
	if (p->score > 0)
		survey_thanks(&b, zh, p);
	else
		survey_form(&b, zh, p);
	page_end(&b);
	return buf_detach(&b);
}

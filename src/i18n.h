/* i18n.h - the words of the reps' pages, feeds and task titles, in English
 * and Simplified Chinese.  A locale starting with "zh" is Chinese, anything
 * else English. */
#ifndef OUTREACHD_I18N_H
#define OUTREACHD_I18N_H

struct buf;

enum i18n_lang { I18N_EN, I18N_ZH };

enum i18n_msg {
	MSG_TASK, MSG_DAY, MSG_TIER, MSG_PHONE, MSG_EMAIL, MSG_LAST_CONTACT,
	MSG_LAST_PURCHASE, MSG_NOTES, MSG_DETAILS, MSG_REASONS, MSG_DUE,
	MSG_STATUS, MSG_OPEN, MSG_DONE, MSG_CANCELLED, MSG_NONE, MSG_NOTE,
	MSG_KIND, MSG_DATE, MSG_REASON, MSG_REACHED, MSG_NOT_REACHED,
	MSG_SNOOZE, MSG_NEXT, MSG_WRONG_NUMBER, MSG_CANCEL, MSG_RECORDED,
	MSG_ALREADY, MSG_NOT_OPEN, MSG_INVALID, MSG_REFUSED, MSG_OVERDUE,
	MSG_TODAY, MSG_NOTHING, MSG_BACK, MSG_ATTEMPTS,
	MSG_ESCALATIONS, MSG_OVERDUE_TASKS, MSG_NO_REP, MSG_NO_ESCALATIONS,
	MSG_REP,
	/* The labels of a feed event's DESCRIPTION lines. */
	MSG_FEED_CUSTOMER, MSG_FEED_PHONE, MSG_FEED_EMAIL,
	MSG_FEED_LAST_CONTACT, MSG_FEED_REASON, MSG_FEED_NOTES, MSG_FEED_OPEN,
	MSG_FEED_BIRTHDAY,
	/* The feeds' names: "李娜 – follow-ups". */
	MSG_FEED_FOLLOWUPS, MSG_FEED_BIRTHDAYS, MSG_COUNT
};

/* The language of a locale (NULL: English). */
enum i18n_lang i18n_lang(const char *locale);
/* A rep's language: their locale, else the company's (fallback). */
enum i18n_lang i18n_lang_of(const char *locale, const char *fallback);
/* "en" or "zh-CN", for <html lang>. */
const char *i18n_tag(enum i18n_lang l);
/* A message; never NULL. */
const char *i18n(enum i18n_lang l, enum i18n_msg m);
/* A contact kind's word (call, visit, ...); the kind itself if unknown. */
const char *i18n_kind(enum i18n_lang l, const char *kind);
/* A task kind as the item of a checklist: the kind itself in English
 * ("gift"), "送礼" in Chinese. */
const char *i18n_task_noun(enum i18n_lang l, const char *kind);
/* "label: " in English, "标签：" in Chinese, added to b. */
void i18n_label(struct buf *b, enum i18n_lang l, enum i18n_msg m);
/* A task's title: "Visit 李娜 (tier A)", "拜访 李娜（A类）".  malloc'd. */
char *i18n_task_title(enum i18n_lang l, const char *kind, const char *who,
    char tier);

#endif

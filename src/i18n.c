/* i18n.c - the reps' words in English and Simplified Chinese. */
#include <string.h>

#include "i18n.h"
#include "util.h"

static const char *const i18n_msgs[MSG_COUNT][2] = {
	[MSG_TASK] = { "Follow-up", "跟进任务" },
	[MSG_DAY] = { "My day", "我的今天" },
	[MSG_TIER] = { "Tier", "等级" },
	[MSG_PHONE] = { "Phone", "电话" },
	[MSG_EMAIL] = { "E-mail", "邮箱" },
	[MSG_LAST_CONTACT] = { "Last contact", "上次联系" },
	[MSG_LAST_PURCHASE] = { "Last purchase", "上次购买" },
	[MSG_NOTES] = { "Notes", "备注" },
	[MSG_DETAILS] = { "Details", "其他信息" },
	[MSG_REASONS] = { "Why", "原因" },
	[MSG_DUE] = { "Due", "日期" },
	[MSG_STATUS] = { "Status", "状态" },
	[MSG_OPEN] = { "open", "待办" },
	[MSG_DONE] = { "done", "已完成" },
	[MSG_CANCELLED] = { "cancelled", "已取消" },
	[MSG_NONE] = { "none", "无" },
	[MSG_NOTE] = { "Note", "备注" },
	[MSG_KIND] = { "How", "方式" },
	[MSG_DATE] = { "Date (snooze, next)", "日期（推迟、下次）" },
	[MSG_REASON] = { "Reason (cancel)", "原因（取消）" },
	[MSG_REACHED] = { "Reached", "已联系上" },
	[MSG_NOT_REACHED] = { "Not reached", "未联系上" },
	[MSG_SNOOZE] = { "Snooze to the date", "推迟到该日期" },
	[MSG_NEXT] = { "Done, next follow-up on the date",
		"完成，下次跟进于该日期" },
	[MSG_WRONG_NUMBER] = { "Wrong number", "号码错误" },
	[MSG_CANCEL] = { "Cancel", "取消任务" },
	[MSG_RECORDED] = { "Recorded.", "已记录。" },
	[MSG_ALREADY] = { "Already recorded.", "已经记录过了。" },
	[MSG_NOT_OPEN] = { "This follow-up is closed already.",
		"该任务已关闭。" },
	[MSG_INVALID] = { "Not recorded", "未记录" },
	[MSG_REFUSED] = { "This form is out of date: open the link again.",
		"表单已失效，请重新打开链接。" },
	[MSG_OVERDUE] = { "overdue", "逾期" },
	[MSG_TODAY] = { "today", "今天" },
	[MSG_NOTHING] = { "Nothing due today.", "今天没有待办任务。" },
	[MSG_BACK] = { "Open the follow-up again", "重新打开任务" },
	[MSG_ATTEMPTS] = { "attempts", "次尝试" },
	[MSG_ESCALATIONS] = { "Escalations", "升级" },
	[MSG_OVERDUE_TASKS] = { "Overdue tasks", "逾期任务" },
	[MSG_NO_REP] = { "Unassigned", "未分配" },
	[MSG_NO_ESCALATIONS] = { "Nothing escalated.", "没有升级的任务。" },
	[MSG_REP] = { "Rep", "负责人" },
	[MSG_FEED_CUSTOMER] = { "Customer", "客户" },
	[MSG_FEED_PHONE] = { "Phone", "电话" },
	[MSG_FEED_EMAIL] = { "Email", "邮箱" },
	[MSG_FEED_LAST_CONTACT] = { "Last contact", "上次联系" },
	[MSG_FEED_REASON] = { "Reason", "原因" },
	[MSG_FEED_NOTES] = { "Notes", "备注" },
	[MSG_FEED_OPEN] = { "Open", "打开" },
	[MSG_FEED_BIRTHDAY] = { "Birthday", "生日" },
	[MSG_FEED_FOLLOWUPS] = { "follow-ups", "跟进任务" },
	[MSG_FEED_BIRTHDAYS] = { "birthdays", "客户生日" },
};

static const char *const i18n_kinds[][3] = {
	{ "call", "call", "电话" },
	{ "visit", "visit", "拜访" },
	{ "meeting", "meeting", "会面" },
	{ "gift", "gift", "送礼" },
	{ "message", "message", "消息" },
	{ "email", "e-mail", "邮件" },
	{ "sms", "text", "短信" },
};

/* Task titles: the verb for each task kind. */
static const char *const i18n_verbs[][3] = {
	{ "call", "Call", "致电" }, { "visit", "Visit", "拜访" },
	{ "gift", "Gift for", "送礼给" }, { "invite", "Invite", "邀请" },
	{ "meeting", "Meet", "会见" }, { "email", "E-mail", "发邮件给" },
	{ "refresh", "Update the details of", "更新资料" },
	{ "winback", "Win back", "挽回" },
	{ "message", "Send a greeting to", "发送问候给" },
};

/* Task kinds as checklist items: "生日还有14天 — 邀约". */
static const char *const i18n_nouns[][2] = {
	{ "call", "致电" }, { "visit", "拜访" }, { "gift", "送礼" },
	{ "invite", "邀约" }, { "meeting", "会面" }, { "email", "发邮件" },
	{ "refresh", "更新资料" }, { "winback", "挽回" },
	{ "message", "发消息" },
};

/* Chinese for zh, zh_CN, zh-Hans...; English otherwise. */
enum i18n_lang
i18n_lang(const char *locale)
{
	if (locale != NULL && strncmp(locale, "zh", 2) == 0)
		return I18N_ZH;
	return I18N_EN;
}

/* The rep's own locale first: a rep may not speak the company's. */
enum i18n_lang
i18n_lang_of(const char *locale, const char *fallback)
{
	return i18n_lang(locale != NULL && *locale != '\0' ? locale :
	    fallback);
}

/* The language tag of <html lang>. */
const char *
i18n_tag(enum i18n_lang l)
{
	return l == I18N_ZH ? "zh-CN" : "en";
}

/* A message of the catalogue. */
const char *
i18n(enum i18n_lang l, enum i18n_msg m)
{
	if ((unsigned)m >= MSG_COUNT)
		return "";
	return i18n_msgs[m][l == I18N_ZH];
}

/* A contact kind in the language. */
const char *
i18n_kind(enum i18n_lang l, const char *kind)
{
	size_t i;

	for (i = 0; kind != NULL && i < ARRAY_SIZE(i18n_kinds); i++) {
		if (strcmp(kind, i18n_kinds[i][0]) == 0)
			return i18n_kinds[i][1 + (l == I18N_ZH)];
	}
	return kind ? kind : "";
}

/* The English checklist keeps the kind as the planner's rules name it. */
const char *
i18n_task_noun(enum i18n_lang l, const char *kind)
{
	size_t i;

	for (i = 0; l == I18N_ZH && i < ARRAY_SIZE(i18n_nouns); i++) {
		if (strcmp(kind, i18n_nouns[i][0]) == 0)
			return i18n_nouns[i][1];
	}
	return kind;
}

/* A label and its colon: Chinese text takes the full-width one. */
void
i18n_label(struct buf *b, enum i18n_lang l, enum i18n_msg m)
{
	buf_puts(b, i18n(l, m));
	buf_puts(b, l == I18N_ZH ? "：" : ": ");
}

/* What to do, with whom, and the tier. */
char *
i18n_task_title(enum i18n_lang l, const char *kind, const char *who,
    char tier)
{
	size_t i;

	if (kind == NULL)
		kind = "task";
	for (i = 0; i < ARRAY_SIZE(i18n_verbs); i++) {
		if (strcmp(kind, i18n_verbs[i][0]) != 0)
			continue;
		if (l == I18N_ZH)
			return xasprintf("%s %s（%c类）", i18n_verbs[i][2], who,
			    tier);
		return xasprintf("%s %s (tier %c)", i18n_verbs[i][1], who, tier);
	}
	if (l == I18N_ZH)
		return xasprintf("%s：%s（%c类）", kind, who, tier);
	return xasprintf("%s: %s (tier %c)", kind, who, tier);
}

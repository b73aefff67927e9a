/* reason.c - a reason's stored record and its sentences in English and
 * Chinese. */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "date.h"
#include "reason.h"

static const char *const reason_names[REASON_NKINDS] = {
	[REASON_BIRTHDAY] = "birthday",
	[REASON_ANNIVERSARY] = "anniversary",
	[REASON_HOLIDAY] = "holiday",
	[REASON_REVISIT] = "revisit",
	[REASON_REVISIT_NEXT] = "revisit_next",
	[REASON_SLEEPING] = "sleeping",
	[REASON_LOST] = "lost",
	[REASON_REFRESH] = "refresh",
	[REASON_STALE] = "stale",
	[REASON_UNSENT] = "unsent",
	[REASON_KEYDATE] = "keydate",
	[REASON_VISITED] = "visited",
	[REASON_UNHAPPY] = "unhappy",
};

enum reason_type { RT_INT, RT_DAY, RT_STR, RT_CHAR };

/* The stored fields: "key=value", in this order, those not at their
 * default only. */
static const struct reason_field {
	const char *key;
	enum reason_type type;
	size_t off;
} reason_fields[] = {
	{ "in", RT_INT, offsetof(struct reason, in) },
	{ "on", RT_DAY, offsetof(struct reason, on) },
	{ "years", RT_INT, offsetof(struct reason, years) },
	{ "lunar", RT_INT, offsetof(struct reason, lunar) },
	{ "ago", RT_INT, offsetof(struct reason, ago) },
	{ "since", RT_DAY, offsetof(struct reason, since) },
	{ "via", RT_STR, offsetof(struct reason, via) },
	{ "tier", RT_CHAR, offsetof(struct reason, tier) },
	{ "cadence", RT_INT, offsetof(struct reason, cadence) },
	{ "step", RT_INT, offsetof(struct reason, step) },
	{ "of", RT_INT, offsetof(struct reason, steps) },
	{ "unanswered", RT_INT, offsetof(struct reason, unanswered) },
	{ "text", RT_STR, offsetof(struct reason, text) },
	{ "task", RT_STR, offsetof(struct reason, task) },
	{ "score", RT_INT, offsetof(struct reason, score) },
};

void
reason_init(struct reason *r, enum reason_kind kind)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->on = r->since = DAY_NONE;
	r->ago = -1;
}

/* Where a field lives in r. */
static void *
field_at(const struct reason *r, const struct reason_field *f)
{
	return (char *)r + f->off;
}

/* Adds s with the bytes that delimit a record ("{} ;=%") and control
 * characters as %XX. */
static void
put_escaped(struct buf *b, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p <= ' ' || *p == 0x7f || strchr("{};=%", *p) != NULL)
			buf_printf(b, "%%%02X", *p);
		else
			buf_addc(b, (char)*p);
	}
}

static void
put_key(struct buf *b, const char *key)
{
	buf_addc(b, ' ');
	buf_puts(b, key);
	buf_addc(b, '=');
}

/* Adds " key=value" unless the field has its default value. */
static void
put_field(struct buf *b, const struct reason *r, const struct reason *def,
    const struct reason_field *f)
{
	const void *v = field_at(r, f), *d = field_at(def, f);
	char day[11], c[2] = { 0 };

	/* No printf: the planner encodes a reason per item. */
	switch (f->type) {
	case RT_INT:
		if (*(const int *)v == *(const int *)d)
			break;
		put_key(b, f->key);
		buf_add_int(b, *(const int *)v);
		break;
	case RT_DAY:
		if (*(const int32_t *)v == *(const int32_t *)d)
			break;
		date_format(*(const int32_t *)v, day);
		put_key(b, f->key);
		buf_add(b, day, 10);
		break;
	case RT_STR:
		if (*(const char *const *)v == NULL)
			break;
		put_key(b, f->key);
		put_escaped(b, *(const char *const *)v);
		break;
	case RT_CHAR:
		if ((c[0] = *(const char *)v) == '\0')
			break;
		put_key(b, f->key);
		put_escaped(b, c);
		break;
	}
}

char *
reason_encode(const struct reason *r)
{
	struct reason def;
	struct buf b;
	size_t i;

	reason_init(&def, r->kind);
	buf_init(&b);
	buf_addc(&b, '{');
	buf_puts(&b, reason_names[r->kind]);
	for (i = 0; i < ARRAY_SIZE(reason_fields); i++)
		put_field(&b, r, &def, &reason_fields[i]);
	buf_addc(&b, '}');
	return buf_detach(&b);
}

char *
reason_with_task(const char *stored, const char *task)
{
	size_t n = strlen(stored);
	struct buf b;

	/* A record takes the kind as a field; text of an older version gets
	 * it the way that version wrote it. */
	if (n < 2 || stored[0] != '{' || stored[n - 1] != '}' ||
	    strstr(stored, "; ") != NULL)
		return xasprintf("%s \xe2\x80\x94 %s", stored, task);
	buf_init(&b);
	buf_add(&b, stored, n - 1);
	buf_puts(&b, " task=");
	put_escaped(&b, task);
	buf_addc(&b, '}');
	return buf_detach(&b);
}

/* Undoes put_escaped() in place; -1 on a malformed %XX. */
static int
unescape(char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *hi, *lo;
	char *w = s;

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			*w++ = *s;
			continue;
		}
		if (s[1] == '\0' || (hi = strchr(hex, s[1])) == NULL ||
		    s[2] == '\0' || (lo = strchr(hex, s[2])) == NULL)
			return -1;
		*w++ = (char)((hi - hex) << 4 | (lo - hex));
		s += 2;
	}
	*w = '\0';
	return 0;
}

/* Reads "key=value" into r: 0, or -1 for an unknown key or a bad value. */
static int
get_field(struct reason *r, char *kv)
{
	const struct reason_field *f = NULL;
	char *v = strchr(kv, '='), *end;
	struct date d;
	size_t i;
	long n;

	if (v == NULL)
		return -1;
	*v++ = '\0';
	for (i = 0; f == NULL && i < ARRAY_SIZE(reason_fields); i++) {
		if (strcmp(kv, reason_fields[i].key) == 0)
			f = &reason_fields[i];
	}
	if (f == NULL || unescape(v) != 0)
		return -1;
	switch (f->type) {
	case RT_INT:
		n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || n < INT_MIN || n > INT_MAX)
			return -1;
		*(int *)field_at(r, f) = (int)n;
		return 0;
	case RT_DAY:
		if (date_parse(v, &d, NULL) != 0)
			return -1;
		*(int32_t *)field_at(r, f) = date_to_days(d.year, d.month,
		    d.day);
		return 0;
	case RT_STR:
		*(const char **)field_at(r, f) = v;
		return 0;
	case RT_CHAR:
		if (v[0] == '\0' || v[1] != '\0')
			return -1;
		*(char *)field_at(r, f) = v[0];
		return 0;
	}
	return -1;
}

/* Reads the record s ("{kind key=value ...}"), in place: its strings point
 * into s.  0, or -1 when s is not one. */
static int
reason_decode(char *s, struct reason *r)
{
	size_t n = strlen(s), k;
	char *name, *kv;

	if (n < 3 || s[0] != '{' || s[n - 1] != '}')
		return -1;
	s[n - 1] = '\0';
	name = ++s;
	s += strcspn(s, " ");
	if (*s != '\0')
		*s++ = '\0';
	for (k = 0; k < REASON_NKINDS; k++) {
		if (strcmp(name, reason_names[k]) == 0)
			break;
	}
	if (k == REASON_NKINDS)
		return -1;
	reason_init(r, (enum reason_kind)k);
	while (*s != '\0') {
		kv = s;
		s += strcspn(s, " ");
		if (*s != '\0')
			*s++ = '\0';
		if (get_field(r, kv) != 0)
			return -1;
	}
	return 0;
}

/* "today", "in 14 days, on 2026-12-07"; "就在今天",
 * "还有14天（2026-12-07）". */
static void
say_when(struct buf *b, const struct reason *r, enum i18n_lang l)
{
	char d[11];

	date_format(r->on, d);
	if (l == I18N_ZH) {
		if (r->in == 0)
			buf_puts(b, "就在今天");
		else if (r->in == 1)
			buf_puts(b, "就在明天");
		else
			buf_printf(b, "还有%d天（%s）", r->in, d);
	} else if (r->in == 0)
		buf_puts(b, "today");
	else if (r->in == 1)
		buf_puts(b, "tomorrow");
	else
		buf_printf(b, "in %d days, on %s", r->in, d);
}

/* A yearly event: birthday, anniversary, holiday, key date. */
static void
say_event(struct buf *b, const struct reason *r, enum i18n_lang l)
{
	int zh = l == I18N_ZH;

	if (r->kind == REASON_HOLIDAY || r->kind == REASON_KEYDATE) {
		buf_puts(b, r->text ? r->text : "");
		if (!zh)
			buf_addc(b, ' ');
	} else if (r->kind == REASON_ANNIVERSARY)
		buf_puts(b, zh ? "周年纪念" : "anniversary ");
	else if (r->lunar)
		buf_puts(b, zh ? "农历生日" : "lunar birthday ");
	else
		buf_puts(b, zh ? "生日" : "birthday ");
	say_when(b, r, l);
	if (r->years <= 0 || r->kind == REASON_HOLIDAY)
		return;
	if (r->kind == REASON_BIRTHDAY)
		buf_printf(b, zh ? "，满%d岁" : " (turns %d)", r->years);
	else if (zh)
		buf_printf(b, "，%d周年", r->years);
	else
		buf_printf(b, " (%d year%s)", r->years,
		    r->years == 1 ? "" : "s");
}

/* What a revisit counts from: the last contact, or since when the
 * customer is one. */
static void
say_basis(struct buf *b, const struct reason *r, enum i18n_lang l)
{
	char d[11];

	date_format(r->since, d);
	if (l == I18N_ZH) {
		if (r->ago < 0)
			buf_printf(b, "尚无联系，%s 起为客户", d);
		else
			buf_printf(b, "上次联系%d天前（%s %s）", r->ago, d,
			    r->via ? i18n_kind(l, r->via) : "联系");
	} else if (r->ago < 0)
		buf_printf(b, "no contact yet, customer since %s", d);
	else
		buf_printf(b, "last contact %d days ago (%s on %s)", r->ago,
		    r->via ? r->via : "contact", d);
}

/* The revisits: the cadence, or the day the rep set. */
static void
say_revisit(struct buf *b, const struct reason *r, enum i18n_lang l)
{
	char d[11];

	if (r->kind == REASON_REVISIT_NEXT) {
		date_format(r->on, d);
		buf_printf(b, l == I18N_ZH ? "约定于%s跟进\n" :
		    "follow-up the rep set for %s\n", d);
	}
	say_basis(b, r, l);
	if (r->kind == REASON_REVISIT)
		buf_printf(b, l == I18N_ZH ? "，%c类客户每%d天回访" :
		    ", tier %c cadence %d days", r->tier, r->cadence);
}

/* Sleeping and lost customers: days without a purchase. */
static void
say_purchase(struct buf *b, const struct reason *r, enum i18n_lang l)
{
	int zh = l == I18N_ZH;
	char d[11];

	date_format(r->since, d);
	buf_printf(b, zh ? "%d天未购买（上次购买 %s）" :
	    "no purchase for %d days (last %s)", r->ago, d);
	if (r->kind == REASON_LOST)
		buf_puts(b, zh ? "，已流失" : ": lost");
	else if (r->steps > 0)
		buf_printf(b, zh ? "，挽回第%d次（共%d次）" :
		    ", win-back %d of %d", r->step, r->steps);
	else if (r->unanswered)
		buf_puts(b, zh ? "，挽回消息未获回应" :
		    ", win-back messages unanswered");
}

/* The record: stale, refresh, a greeting not sent. */
static void
say_record(struct buf *b, const struct reason *r, enum i18n_lang l)
{
	int zh = l == I18N_ZH;
	char d[11];

	date_format(r->kind == REASON_REFRESH ? r->on : r->since, d);
	if (r->kind == REASON_REFRESH)
		buf_printf(b, zh ? "资料于%s标记待更新（号码错误或已搬迁）" :
		    "record flagged for refresh on %s (wrong number or "
		    "moved)", d);
	else if (r->kind == REASON_STALE)
		buf_printf(b, zh ? "资料已%d天未更新（自%s起）" :
		    "record not updated for %d days (since %s)", r->ago, d);
	else
		buf_printf(b, zh ? "问候未发出（%s），请亲自联系" :
		    "greeting not sent (%s): please get in touch personally",
		    r->text ? r->text : "");
}

/* A survey: the one sent after a visit, or a poor answer to it. */
static void
say_survey(struct buf *b, const struct reason *r, enum i18n_lang l)
{
	int zh = l == I18N_ZH;
	char d[11];

	date_format(r->on, d);
	if (r->kind == REASON_VISITED) {
		buf_printf(b, zh ? "%s拜访后的满意度调查" :
		    "satisfaction survey after the visit of %s", d);
		return;
	}
	buf_printf(b, zh ? "对%s的拜访打了%d分（满分5分），请挽回" :
	    "rated the visit of %s %d of 5: please put it right", d,
	    r->score);
	if (r->text != NULL)
		buf_printf(b, zh ? "：“%s”" : ": \"%s\"", r->text);
}

/* One record's lines, without the last newline. */
static void
say(struct buf *b, const struct reason *r, enum i18n_lang l)
{
	switch (r->kind) {
	case REASON_BIRTHDAY:
	case REASON_ANNIVERSARY:
	case REASON_HOLIDAY:
	case REASON_KEYDATE:
		say_event(b, r, l);
		break;
	case REASON_REVISIT:
	case REASON_REVISIT_NEXT:
		say_revisit(b, r, l);
		break;
	case REASON_SLEEPING:
	case REASON_LOST:
		say_purchase(b, r, l);
		break;
	case REASON_VISITED:
	case REASON_UNHAPPY:
		say_survey(b, r, l);
		break;
	default:
		say_record(b, r, l);
		break;
	}
	if (r->task != NULL)
		buf_printf(b, " \xe2\x80\x94 %s", i18n_task_noun(l, r->task));
}

void
reason_lines(struct buf *b, const char *stored, enum i18n_lang l)
{
	struct reason r;
	const char *s, *end;
	char *item;

	for (s = stored; s != NULL && *s != '\0'; s = *end ? end + 2 : end) {
		if ((end = strstr(s, "; ")) == NULL)
			end = s + strlen(s);
		item = xstrndup(s, (size_t)(end - s));
		if (reason_decode(item, &r) == 0)
			say(b, &r, l);
		else
			buf_add(b, s, (size_t)(end - s));
		buf_addc(b, '\n');
		free(item);
	}
}

char *
reason_join(const char *lines, enum i18n_lang l)
{
	const char *s, *nl;
	struct buf b;

	buf_init(&b);
	for (s = lines; s != NULL && *s != '\0'; s = *nl ? nl + 1 : nl) {
		nl = s + strcspn(s, "\n");
		if (s != lines)
			buf_puts(&b, l == I18N_ZH ? "；" : "; ");
		buf_add(&b, s, (size_t)(nl - s));
	}
	return buf_detach(&b);
}

char *
reason_text(const char *stored, enum i18n_lang l)
{
	struct buf b;
	char *s;

	buf_init(&b);
	reason_lines(&b, stored, l);
	s = reason_join(b.data, l);
	buf_free(&b);
	return s;
}

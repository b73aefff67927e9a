/* feed_dump.c - writes sample feeds to stdout for tests/feed_check.py,
 * khal and by-hand looks:
 *
 *	feed_dump tasks N [vtodo] [timed]	N tasks from 2025-03-01 on
 *	feed_dump birthdays POLICY FROM YEARS	feb28, mar1 or leap
 *
 * The data is fixed (names, commas, newlines, long Chinese notes), so the
 * output only changes when the renderer does. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "feed.h"
#include "util.h"

static const char *const names[] = { "张伟", "李娜", "王芳, Jr.", "Zoë; O'Neil",
    "刘洋" };
static const char *const kinds[] = { "call", "visit", "gift", "invite",
    "refresh", "winback" };

/* Writes n sample tasks as a feed. */
static int
dump_tasks(int n, int vtodo, int timed, char **out, size_t *len, char **cause)
{
	struct feed_opts o = { "outreachd \xe2\x80\x93 李娜 follow-ups", "0.1",
	    vtodo, 30, 60, timed ? "Asia/Shanghai" : NULL, 1740787200,
	    I18N_EN };
	struct feed_task *t = xcalloc((size_t)n, sizeof *t);
	char **own = xcalloc((size_t)n * 2, sizeof *own);
	int i, r;

	for (i = 0; i < n; i++) {
		own[2 * i] = xasprintf("task-%d@outreachd", i + 1);
		own[2 * i + 1] = xasprintf("%s %s (tier %c)", kinds[i % 6],
		    names[i % 5], "ABC"[i % 3]);
		t[i].uid = own[2 * i];
		t[i].due = date_to_days(2025, 3, 1) + i % 90;
		t[i].summary = own[2 * i + 1];
		t[i].kind = kinds[i % 6];
		t[i].tier = "ABC"[i % 3];
		t[i].customer = names[i % 5];
		t[i].phone = "+86 138 0013 8000";
		t[i].email = i % 2 ? "zw@example.com" : NULL;
		t[i].last_contact = "2024-12-01";
		t[i].reason = "no purchase for 90 days; likes tea, \"oolong\"";
		t[i].notes = i % 7 ? "call after 18:00\nask about the new "
		    "store" : "客户喜欢乌龙茶，上次购买在杭州西湖店，"
		    "请在周末前联系并确认春季新品的到店时间与赠品安排。";
		t[i].status = i % 10 == 3 ? FEED_DONE : i % 10 == 7 ?
		    FEED_CANCELLED : FEED_OPEN;
		t[i].created = 1735689600 + i;
		t[i].modified = 1738368000 + i;
		t[i].sequence = i % 4;
		t[i].completed = t[i].status == FEED_DONE ? 1740000000 : 0;
		t[i].timed = timed && i % 2;
		t[i].start_minute = 14 * 60 + 30;
		t[i].duration_minutes = 45;
	}
	r = feed_render_tasks(t, (size_t)n, &o, out, len, cause);
	for (i = 0; i < 2 * n; i++)
		free(own[i]);
	free(own);
	free(t);
	return r;
}

/* Writes the sample birthdays as a feed. */
static int
dump_birthdays(enum date_feb29 policy, int from, int years, char **out,
    size_t *len, char **cause)
{
	static const struct feed_birthday b[] = {
		{ "bday-1@outreachd", "张伟", "1990-05-17", "+86 138 0013 8000",
		    'A', 0, NULL, 0 },
		{ "bday-2@outreachd", "李娜", "--12-31", NULL, 'B', 0, NULL, 0 },
		{ "bday-3@outreachd", "王芳", "1992-02-29", NULL, 'A', 0, NULL, 0 },
		{ "bday-4@outreachd", "刘洋", "--02-29", NULL, 'C', 0, NULL, 0 },
		{ "bday-5@outreachd", "陈静", "L:08-15", NULL, 'A', 0, NULL, 0 },
		{ "bday-6@outreachd", "杨磊", "L:1985-12-20", NULL, 'B', 0, NULL,
		    0 },
		{ "bday-7@outreachd", "赵敏", "L:04R-15", NULL, 'C', 0, NULL, 0 },
		{ "kd-8@outreachd", "华丰贸易", "2008-06-18", NULL, 'A', 0,
		    "公司成立日", 0 },
		{ "kd-9@outreachd", "王芳", "L:2027-06-01", NULL, 'A', 0,
		    "孩子升学", 1 },
	};
	struct feed_opts o = { "outreachd \xe2\x80\x93 李娜 birthdays", "0.1",
	    0, 0, 720, "Asia/Shanghai", 1740787200, I18N_EN };

	return feed_render_birthdays(b, ARRAY_SIZE(b), policy, from, years,
	    &o, out, len, cause);
}

int
main(int argc, char **argv)
{
	enum date_feb29 policy = DATE_FEB29_FEB28;
	char *out = NULL, *cause = NULL;
	size_t len = 0;
	int i, r, vtodo = 0, timed = 0;

	if (argc >= 3 && strcmp(argv[1], "tasks") == 0) {
		for (i = 3; i < argc; i++) {
			vtodo |= strcmp(argv[i], "vtodo") == 0;
			timed |= strcmp(argv[i], "timed") == 0;
		}
		r = dump_tasks(atoi(argv[2]), vtodo, timed, &out, &len,
		    &cause);
	} else if (argc == 5 && strcmp(argv[1], "birthdays") == 0) {
		if (strcmp(argv[2], "mar1") == 0)
			policy = DATE_FEB29_MAR1;
		else if (strcmp(argv[2], "leap") == 0)
			policy = DATE_FEB29_LEAP_ONLY;
		r = dump_birthdays(policy, atoi(argv[3]), atoi(argv[4]), &out,
		    &len, &cause);
	} else {
		fprintf(stderr, "usage: feed_dump tasks N [vtodo] [timed]\n"
		    "       feed_dump birthdays feb28|mar1|leap FROM YEARS\n");
		return 2;
	}
	if (r != 0) {
		fprintf(stderr, "feed_dump: %s\n", cause);
		free(cause);
		return 1;
	}
	fwrite(out, 1, len, stdout);
	free(out);
	return 0;
}

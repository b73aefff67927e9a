/* test_feeds.c - a rep's feeds from the store: UIDs and URLs, the change
 * stamp the HTTP cache relies on, rendering, and the opt-out and
 * data_version helpers of store_task.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "feeds.h"
#include "optout.h"
#include "store.h"
#include "store_plan.h"
#include "store_task.h"
#include "tstore.h"
#include "util.h"

#define T0 INT64_C(1803772800) /* 2027-02-28 00:00:00 UTC */

/* A fresh store in /tmp with one rep, "smith". */
static struct store *
fresh(char **path)
{
	struct store_rep r = { .key = (char *)"smith",
		.name = (char *)"Anna Smith" };
	struct store *st = NULL;
	char *cause = NULL;

	*path = tstore_path();
	assert_int_equal(store_open(*path, &st, &cause), 0);
	assert_int_equal(store_rep_upsert(st, &r, &cause), 0);
	return st;
}

/* Closes the store and removes its files. */
static void
cleanup(struct store *st, char *path)
{
	store_close(st);
	tstore_remove(path);
}

/* Adds a customer of smith's with a phone and a birthday. */
static int64_t
add_customer(struct store *st, const char *ext, const char *phone,
    int64_t now)
{
	struct customer c;
	struct customer_keys k;
	char *cause = NULL;
	int64_t id;

	customer_init(&c);
	c.field[CUST_EXTERNAL_ID] = xstrdup(ext);
	c.field[CUST_NAME] = xstrdup("张伟, \"Jr.\"");
	c.field[CUST_PHONE] = xstrdup(phone);
	c.field[CUST_BIRTHDAY] = xstrdup("1980-02-29");
	c.field[CUST_REP] = xstrdup("smith");
	customer_keys(&c, &k);
	assert_int_equal(store_customer_upsert(st, &c, &k,
	    (1u << CUST_NFIELDS) - 1, now, &id, &cause), 0);
	customer_clear(&c);
	return id;
}

/* What find_task looks for, and finds. */
struct find {
	const char *key;
	int64_t id;
};

/* Remembers the id of the task with the wanted dedup key. */
static int
find_task(void *arg, const struct store_task *t)
{
	struct find *f = arg;

	if (strcmp(t->dedup_key, f->key) == 0)
		f->id = t->id;
	return 0;
}

/* Plans a call task for a customer; returns its id. */
static int64_t
add_task(struct store *st, int64_t customer, const char *key)
{
	struct plan_row r = { key, "revisit_b", "revisit", customer,
		(int32_t)(T0 / 86400), (int32_t)(T0 / 86400), "task", NULL, "call",
		"last contact 90 days ago" };
	struct find f = { key, 0 };
	char *cause = NULL;

	assert_int_equal(store_plan_insert(st, &r, T0, &cause), 1);
	assert_int_equal(store_task_each(st, NULL, 0, find_task, &f, &cause),
	    0);
	assert_true(f.id > 0);
	return f.id;
}

/* The rep smith, read again (a static: cleared on the next call). */
static struct store_rep *
smith(struct store *st)
{
	static struct store_rep r;
	char *cause = NULL;

	store_rep_clear(&r);
	assert_int_equal(store_rep_get(st, "smith", &r, &cause), 1);
	return &r;
}

/* UIDs use the host of base_url, or "outreachd". */
static void
test_uid_host(void **state)
{
	static const char *const cases[][2] = {
		{ "https://crm.acme.example/", "crm.acme.example" },
		{ "http://127.0.0.1:8088", "127.0.0.1" },
		{ "http://user:pw@host.example:8080/x?y#z", "host.example" },
		{ "http://[::1]:8088/", "[::1]" },
		{ "http://", "outreachd" },
		{ "no url", "outreachd" },
	};
	size_t i;
	char *h;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		h = feeds_uid_host(cases[i][0]);
		assert_string_equal(h, cases[i][1]);
		free(h);
	}
	h = feeds_uid_host(NULL);
	assert_string_equal(h, "outreachd");
	free(h);
}

/* Feed file names, URLs and the UTC day. */
static void
test_names_and_urls(void **state)
{
	struct conf *cf = conf_defaults();
	enum feeds_kind k;
	char *u;

	(void)state;
	assert_int_equal(feeds_kind_parse("followups.ics", &k), 0);
	assert_int_equal(k, FEEDS_FOLLOWUPS);
	assert_int_equal(feeds_kind_parse("birthdays.ics", &k), 0);
	assert_int_equal(k, FEEDS_BIRTHDAYS);
	assert_int_equal(feeds_kind_parse("birthdays", &k), -1);
	assert_int_equal(feeds_kind_parse("followups.ics/", &k), -1);
	assert_int_equal(feeds_kind_parse("", &k), -1);
	free(cf->http.base_url);
	cf->http.base_url = xstrdup("https://crm.example//");
	u = feeds_url(cf, "TOK", FEEDS_BIRTHDAYS);
	assert_string_equal(u, "https://crm.example/feeds/TOK/birthdays.ics");
	free(u);
	assert_int_equal(feeds_day(T0), (int32_t)(T0 / 86400));
	assert_int_equal(feeds_day(T0 + 86399), (int32_t)(T0 / 86400));
	conf_free(cf);
}

/* The stamp moves with every change a feed shows, and only then. */
static void
test_stamp(void **state)
{
	struct feeds_stamp a, b;
	struct store *st;
	char *path, *cause = NULL;
	int64_t c1, t1;

	(void)state;
	st = fresh(&path);
	c1 = add_customer(st, "C1", "+8613800138000", T0 - 86400);
	t1 = add_task(st, c1, "k1");
	assert_int_equal(feeds_stamp(st, smith(st), FEEDS_FOLLOWUPS, T0, &a,
	    &cause), 0);
	assert_int_equal(feeds_stamp(st, smith(st), FEEDS_FOLLOWUPS, T0 + 60,
	    &b, &cause), 0);
	assert_memory_equal(&a, &b, sizeof(a));	/* same day, same data */
	assert_int_equal(feeds_stamp(st, smith(st), FEEDS_FOLLOWUPS, T0 + 86400,
	    &b, &cause), 0);
	assert_memory_not_equal(&a, &b, sizeof(a)); /* the next day */
	/* Done with a clock that went back: still a different stamp. */
	assert_int_equal(store_task_done(st, t1, "ok", (int32_t)(T0 / 86400),
	    T0 - 999999, &cause), 1);
	assert_int_equal(feeds_stamp(st, smith(st), FEEDS_FOLLOWUPS, T0, &b,
	    &cause), 0);
	assert_memory_not_equal(&a, &b, sizeof(a));
	/* A customer change shows in both feeds. */
	assert_int_equal(feeds_stamp(st, smith(st), FEEDS_BIRTHDAYS, T0, &a,
	    &cause), 0);
	assert_int_equal(optout_record(st, c1, CHANNEL_SMS, T0, &cause),
	    1);
	assert_int_equal(feeds_stamp(st, smith(st), FEEDS_BIRTHDAYS, T0, &b,
	    &cause), 0);
	assert_memory_not_equal(&a, &b, sizeof(a));
	store_rep_clear(smith(st));
	cleanup(st, path);
}

/* Tasks and birthdays render; done tasks leave in time. */
static void
test_render(void **state)
{
	struct conf *cf = conf_defaults();
	struct feeds_doc d;
	struct store *st;
	char *path, *cause = NULL, *uid;
	int64_t c1, t1;

	(void)state;
	st = fresh(&path);
	c1 = add_customer(st, "C1", "+8613800138000", T0 - 86400);
	t1 = add_task(st, c1, "k1");
	add_task(st, c1, "k2");
	assert_int_equal(feeds_render(st, cf, smith(st), FEEDS_FOLLOWUPS, T0,
	    &d, &cause), 0);
	assert_int_equal(d.events, 2);
	assert_int_equal(d.modified, T0);
	assert_non_null(strstr(d.data, "SUMMARY:Call 张伟\\, \"Jr.\" (tier C)"));
	uid = xasprintf("UID:task-%lld@127.0.0.1\r\n", (long long)t1);
	assert_non_null(strstr(d.data, uid));
	assert_non_null(strstr(d.data, "X-WR-CALNAME:Anna Smith \xe2\x80\x93 "
	    "follow-ups"));
	assert_int_equal(d.etag[0], '"');
	feeds_doc_free(&d);
	/* Done: stays for done_visible_days, then leaves. */
	assert_int_equal(store_task_done(st, t1, NULL, (int32_t)(T0 / 86400),
	    T0 + 3600, &cause), 1);
	assert_int_equal(feeds_render(st, cf, smith(st), FEEDS_FOLLOWUPS,
	    T0 + 86400 * cf->http.done_visible_days, &d, &cause), 0);
	assert_int_equal(d.events, 2);
	assert_non_null(strstr(d.data, "SUMMARY:\xe2\x9c\x93 Call"));
	feeds_doc_free(&d);
	assert_int_equal(feeds_render(st, cf, smith(st), FEEDS_FOLLOWUPS,
	    T0 + 86400 * (cf->http.done_visible_days + 1), &d, &cause), 0);
	assert_int_equal(d.events, 1);
	assert_null(strstr(d.data, uid));
	feeds_doc_free(&d);
	assert_int_equal(feeds_render(st, cf, smith(st), FEEDS_BIRTHDAYS, T0,
	    &d, &cause), 0);
	assert_int_equal(d.events, 1);
	assert_non_null(strstr(d.data, "UID:bday-"));
	feeds_doc_free(&d);
	free(uid);
	store_rep_clear(smith(st));
	cleanup(st, path);
	conf_free(cf);
}

/* Opt-outs add to the canonical set, by id or by phone. */
static void
test_optouts(void **state)
{
	struct store *st;
	char *path, *cause = NULL, *v = NULL;
	int64_t c1, c2;
	int n;

	(void)state;
	st = fresh(&path);
	c1 = add_customer(st, "C1", "+8613800138000", T0);
	c2 = add_customer(st, "C2", "+8613800138000", T0);
	add_customer(st, "C3", "+8613900139000", T0);
	assert_int_equal(optout_record(st, c1, CHANNEL_SMS, T0, &cause),
	    1);
	assert_int_equal(optout_record(st, c1, CHANNEL_EMAIL, T0, &cause),
	    1);
	assert_int_equal(store_customer_optout(st, c1, &v, &cause), 1);
	assert_string_equal(v, "email;sms"); /* canonical order */
	free(v);
	assert_int_equal(optout_record(st, c1, CHANNEL_SMS, T0, &cause),
	    1);
	assert_int_equal(optout_record(st, 9999, CHANNEL_SMS, T0,
	    &cause), 0);
	assert_int_equal(optout_record_phone(st, "+8613800138000",
	    CHANNEL_SMS, T0, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_customer_optout(st, c2, &v, &cause), 1);
	assert_string_equal(v, "sms");
	free(v);
	assert_int_equal(optout_record_phone(st, "+10000000000", CHANNEL_SMS,
	    T0, &n, &cause), 0);
	assert_int_equal(n, 0);
	cleanup(st, path);
}

/* data_version moves when another connection commits. */
static void
test_data_version(void **state)
{
	struct store *st, *other;
	char *path, *cause = NULL;
	int64_t v;
	long n = -1;

	(void)state;
	st = fresh(&path);
	assert_int_equal(store_open(path, &other, &cause), 0);
	v = store_data_version(st);
	assert_true(v >= 0);
	assert_int_equal(store_data_version(st), v);
	add_customer(other, "C9", "+8613800138000", T0);
	assert_true(store_data_version(st) != v);
	assert_int_equal(store_task_count(st, "open", &n, &cause), 0);
	assert_int_equal(n, 0);
	store_close(other);
	cleanup(st, path);
}

/* Runs the group. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uid_host),
		cmocka_unit_test(test_names_and_urls),
		cmocka_unit_test(test_stamp),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_optouts),
		cmocka_unit_test(test_data_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

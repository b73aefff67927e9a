/* test_import_feed.c - the import's helper thread (import_feed.c): rows in
 * file order across batches, rows skipped and counted, what the helper
 * found kept with its row, a reader's error after the rows before it, and
 * an importer that stops while the helper waits for bytes that never
 * come. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "import_feed.h"
#include "util.h"

/* The read function: skips rows whose first field is empty, keeps a
 * note for those whose first field is "bad". */
static int
read_row(void *arg, const struct csv_record *rec, struct import_row *row)
{
	(*(unsigned long *)arg)++;
	if (rec->nfields == 0 || *rec->fields[0] == '\0')
		return 0;
	if (strcmp(rec->fields[0], "bad") == 0)
		import_row_report(row, 1, "bad at %lu", rec->row);
	row->checked = 1;
	return 1;
}

static long
file_source(void *arg, char *buf, size_t len, char **cause)
{
	size_t n = fread(buf, 1, len, arg);

	(void)cause;
	return (long)n;
}

/* The source as the importer wraps it: the helper's cancellation point. */
static long
source(void *arg, char *buf, size_t len, char **cause)
{
	return import_feed_source_read(file_source, arg, buf, len, cause);
}

/* Many batches of rows, one of them over a batch's bytes: each comes
 * once, in order, with its own fields; blank ones are counted. */
static void
test_feed_order(void **state)
{
	struct buf in;
	struct csv_reader *r;
	struct import_feed *feed;
	struct import_row *row;
	unsigned long i, n = 0, seen = 0, blank = 0, read = 0;
	char *big, *err = NULL, *cause = NULL, want[32];
	size_t bigsz = IMPORT_FEED_BYTES / 2 + 100; /* twice: over a batch */
	FILE *fp;

	(void)state;
	buf_init(&in);
	big = xmalloc(bigsz + 1);
	memset(big, 'x', bigsz);
	big[bigsz] = '\0';
	for (i = 1; i <= 5000; i++) {
		if (i % 7 == 0)
			buf_printf(&in, ",\n");	/* skipped by read_row */
		else if (i == 2500)
			buf_printf(&in, "big,%s,%s\n", big, big);
		else
			buf_printf(&in, "%s,%lu\n", i % 1000 == 0 ? "bad" :
			    "r", i);
	}
	fp = fmemopen(in.data, in.len, "r");
	assert_non_null(fp);
	r = csv_reader_new_source(source, fp);
	assert_int_equal(import_feed_start(r, read_row, &read, &feed,
	    &cause), 0);
	while ((row = import_feed_next(feed)) != NULL) {
		n++;
		do
			seen++;
		while (seen % 7 == 0);
		assert_int_equal(row->rec.row, seen);
		assert_int_equal(row->checked, 1);
		if (seen == 2500) {
			assert_int_equal(row->rec.nfields, 3);
			assert_string_equal(row->rec.fields[0], "big");
			assert_int_equal(row->rec.lens[2], bigsz);
			assert_memory_equal(row->rec.fields[2], big, bigsz + 1);
			continue;
		}
		assert_int_equal(row->rec.nfields, 2);
		snprintf(want, sizeof(want), "%lu", seen);
		assert_string_equal(row->rec.fields[1], want);
		assert_int_equal(row->nnotes, seen % 1000 == 0);
		if (row->nnotes > 0) {
			snprintf(want, sizeof(want), "bad at %lu", seen);
			assert_string_equal(row->notes[0].what, want);
			assert_int_equal(row->notes[0].col, 1);
		}
	}
	assert_null(import_feed_next(feed));	/* and stays ended */
	assert_int_equal(import_feed_end(feed, &err, &blank), 0);
	assert_null(err);
	assert_int_equal(n, 5000 - 5000 / 7);
	assert_int_equal(blank, 5000 / 7);
	assert_int_equal(read, 5000);
	csv_reader_free(r);
	fclose(fp);
	free(big);
	buf_free(&in);
}

/* A malformed record ends the rows: those before it come, then the
 * error, and the reader says where. */
static void
test_feed_error(void **state)
{
	static const char in[] = "a,1\nb,2\nc,\"3\nd,4\n";
	struct csv_reader *r;
	struct import_feed *feed;
	unsigned long n = 0, blank, read = 0, row;
	size_t col;
	char *err = NULL, *cause = NULL;
	FILE *fp;

	(void)state;
	fp = fmemopen((void *)in, sizeof(in) - 1, "r");
	r = csv_reader_new_source(source, fp);
	assert_int_equal(import_feed_start(r, read_row, &read, &feed,
	    &cause), 0);
	while (import_feed_next(feed) != NULL)
		n++;
	assert_int_equal(n, 2);
	assert_int_equal(import_feed_end(feed, &err, &blank), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "quote"));
	csv_reader_where(r, &row, &col);
	assert_int_equal(row, 3);
	free(err);
	csv_reader_free(r);
	fclose(fp);
}

static void
on_alarm(int sig)
{
	(void)sig;
	fail_msg("import_feed_end() waited for a reader blocked in read(2)");
}

/* A file that has come in part: its first bytes, then read(2) on a pipe
 * nobody writes to. */
struct trickle {
	struct buf head;
	size_t off;
	int fd;
};

static long
trickle_read(void *arg, char *buf, size_t len, char **cause)
{
	struct trickle *t = arg;
	size_t n = t->head.len - t->off;

	(void)cause;
	if (n == 0)
		return (long)read(t->fd, buf, len);
	n = n < len ? n : len;
	memcpy(buf, t->head.data + t->off, n);
	t->off += n;
	return (long)n;
}

static long
trickle_source(void *arg, char *buf, size_t len, char **cause)
{
	return import_feed_source_read(trickle_read, arg, buf, len, cause);
}

/* The importer stops after one row while the helper waits in read(2)
 * for the rest of the second batch: the feed ends at once. */
static void
test_feed_stop_blocked(void **state)
{
	struct trickle t = { .off = 0 };
	struct csv_reader *r;
	struct import_feed *feed;
	struct import_row *row;
	unsigned long blank, read = 0;
	char *err = NULL, *cause = NULL;
	int fds[2], i;

	(void)state;
	buf_init(&t.head);
	for (i = 0; i < IMPORT_FEED_ROWS + 10; i++)	/* a batch and a bit */
		buf_printf(&t.head, "r,%d\n", i);
	assert_int_equal(pipe(fds), 0);
	t.fd = fds[0];
	r = csv_reader_new_source(trickle_source, &t);
	assert_int_equal(import_feed_start(r, read_row, &read, &feed,
	    &cause), 0);
	signal(SIGALRM, on_alarm);
	alarm(10);
	row = import_feed_next(feed);
	assert_non_null(row);
	assert_string_equal(row->rec.fields[1], "0");
	usleep(100 * 1000);	/* the helper reaches read(2) */
	assert_int_equal(import_feed_end(feed, &err, &blank), 0);
	alarm(0);
	assert_int_equal(read, IMPORT_FEED_ROWS + 10);	/* it was there */
	assert_null(err);
	csv_reader_free(r);
	close(fds[0]);
	close(fds[1]);
	buf_free(&t.head);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feed_order),
		cmocka_unit_test(test_feed_error),
		cmocka_unit_test(test_feed_stop_blocked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* import_feed.c - the rows of an import, read on a helper thread (see
 * import_feed.h).  Batches go round two lists: empty ones wait for the
 * helper, filled ones for the importer, which hands each back once its
 * rows are written.  The helper frees what a batch's rows held when it
 * takes the batch again, so the strings of a row are allocated and freed
 * on the same thread. */
#include "import_feed.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct feed_batch {
	struct import_row *rows; /* nrows handed on, cap allocated */
	size_t nrows, cap;
	char *text;		 /* the rows' fields, back to back */
	size_t used, size;
	char **fields;		 /* the rows' field pointers and lengths */
	size_t *lens;
	size_t *offs;		 /* where each field is in text, until sealed */
	size_t nfields, fcap;
	int last;		 /* no batch follows */
	struct feed_batch *next;
};

struct import_feed {
	struct csv_reader *r;
	import_feed_read_fn fn;
	void *arg;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t filled, emptied;
	struct feed_batch batches[IMPORT_FEED_BATCHES];
	struct feed_batch *empty;	 /* for the helper */
	struct feed_batch *full, **full_tail; /* for the importer, in order */
	atomic_int stop;		 /* the importer wants no more */
	/* The importer's. */
	struct feed_batch *cur;
	size_t pos;
	int ended;			 /* the last row was taken */
	/* The helper's, read after it is joined. */
	int rc;
	char *err;
	unsigned long blank;
};

void
import_row_report(struct import_row *row, size_t col, const char *fmt, ...)
{
	va_list ap;

	row->notes = xreallocarray(row->notes, row->nnotes + 1,
	    sizeof(*row->notes));
	row->notes[row->nnotes].col = col;
	va_start(ap, fmt);
	row->notes[row->nnotes++].what = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Frees what row holds and makes it new. */
static void
row_clear(struct import_row *row)
{
	size_t i;

	for (i = 0; i < row->nnotes; i++)
		free(row->notes[i].what);
	free(row->notes);
	free(row->note);
	customer_clear(&row->c);
	memset(row, 0, sizeof(*row));
	customer_init(&row->c);
}

static void
batch_clear(struct feed_batch *b)
{
	size_t i;

	for (i = 0; i < b->nrows; i++)
		row_clear(&b->rows[i]);
	b->nrows = b->used = b->nfields = 0;
	b->last = 0;
	/* One huge record (up to CSV_DEFAULT_MAX_RECORD) is not kept. */
	if (b->size > 4 * IMPORT_FEED_BYTES) {
		free(b->text);
		b->text = NULL;
		b->size = 0;
	}
}

static void
batch_free(struct feed_batch *b)
{
	size_t i;

	batch_clear(b);
	for (i = 0; i < b->cap; i++)
		row_clear(&b->rows[i]);	/* customer_init() holds nothing */
	free(b->rows);
	free(b->text);
	free(b->fields);
	free(b->lens);
	free(b->offs);
}

/* The next row of b, new. */
static struct import_row *
batch_row(struct feed_batch *b)
{
	size_t i;

	if (b->nrows == b->cap) {
		b->rows = xreallocarray(b->rows, b->cap + 64, sizeof(*b->rows));
		for (i = b->cap; i < b->cap + 64; i++) {
			memset(&b->rows[i], 0, sizeof(b->rows[i]));
			customer_init(&b->rows[i].c);
		}
		b->cap += 64;
	}
	return &b->rows[b->nrows];
}

/* Copies the fields of rec into b for row. */
static void
batch_copy(struct feed_batch *b, struct import_row *row,
    const struct csv_record *rec)
{
	size_t i, need = 0;

	for (i = 0; i < rec->nfields; i++)
		need += rec->lens[i] + 1;
	if (b->used + need > b->size) {
		b->size = b->used + need > 2 * b->size ? b->used + need :
		    2 * b->size;
		b->text = xreallocarray(b->text, b->size, 1);
	}
	if (b->nfields + rec->nfields > b->fcap) {
		b->fcap = b->nfields + rec->nfields > 2 * b->fcap ?
		    b->nfields + rec->nfields : 2 * b->fcap;
		b->fields = xreallocarray(b->fields, b->fcap, sizeof(char *));
		b->lens = xreallocarray(b->lens, b->fcap, sizeof(size_t));
		b->offs = xreallocarray(b->offs, b->fcap, sizeof(size_t));
	}
	for (i = 0; i < rec->nfields; i++) {
		memcpy(b->text + b->used, rec->fields[i], rec->lens[i] + 1);
		b->offs[b->nfields] = b->used;
		b->lens[b->nfields++] = rec->lens[i];
		b->used += rec->lens[i] + 1;
	}
	row->rec = *rec;
	row->rec.fields = NULL;	/* set when the batch is sealed */
	row->rec.lens = NULL;
}

/* Points the rows at their fields, now that text moves no more. */
static void
batch_seal(struct feed_batch *b)
{
	size_t i, k = 0;

	for (i = 0; i < b->nfields; i++)
		b->fields[i] = b->text + b->offs[i];
	for (i = 0; i < b->nrows; i++) {
		b->rows[i].rec.fields = b->fields + k;
		b->rows[i].rec.lens = b->lens + k;
		k += b->rows[i].rec.nfields;
	}
}

/* Fills b with rows; 0 when the file (or the feed) ended in it. */
static int
feed_fill(struct import_feed *f, struct feed_batch *b)
{
	const struct csv_record *rec;
	struct import_row *row;

	while (b->nrows < IMPORT_FEED_ROWS && b->used < IMPORT_FEED_BYTES) {
		if (atomic_load_explicit(&f->stop, memory_order_relaxed))
			return 0;
		if ((f->rc = csv_read(f->r, &rec, &f->err)) != 1)
			return 0;
		row = batch_row(b);
		if (!f->fn(f->arg, rec, row)) {
			f->blank++;
			row_clear(row);
			continue;
		}
		batch_copy(b, row, rec);
		b->nrows++;
	}
	return 1;
}

static void *
feed_main(void *arg)
{
	struct import_feed *f = arg;
	struct feed_batch *b;
	int more = 1;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	while (more) {
		pthread_mutex_lock(&f->lock);
		while (f->empty == NULL && !atomic_load(&f->stop))
			pthread_cond_wait(&f->emptied, &f->lock);
		if (atomic_load(&f->stop)) {
			pthread_mutex_unlock(&f->lock);
			break;
		}
		b = f->empty;
		f->empty = b->next;
		pthread_mutex_unlock(&f->lock);

		batch_clear(b);
		more = feed_fill(f, b);
		batch_seal(b);
		b->last = !more;
		b->next = NULL;
		pthread_mutex_lock(&f->lock);
		*f->full_tail = b;
		f->full_tail = &b->next;
		pthread_cond_signal(&f->filled);
		pthread_mutex_unlock(&f->lock);
	}
	return NULL;
}

long
import_feed_source_read(long (*fn)(void *, char *, size_t, char **),
    void *arg, char *buf, size_t len, char **cause)
{
	int old;
	long n;

	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
	n = fn(arg, buf, len, cause);
	pthread_setcancelstate(old, NULL);
	return n;
}

int
import_feed_start(struct csv_reader *r, import_feed_read_fn fn, void *arg,
    struct import_feed **out, char **cause)
{
	struct import_feed *f = xcalloc(1, sizeof(*f));
	size_t i;
	int rc;

	f->r = r;
	f->fn = fn;
	f->arg = arg;
	f->full_tail = &f->full;
	for (i = 0; i < IMPORT_FEED_BATCHES; i++) {
		f->batches[i].next = f->empty;
		f->empty = &f->batches[i];
	}
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->filled, NULL);
	pthread_cond_init(&f->emptied, NULL);
	if ((rc = thread_start(&f->thread, feed_main, f)) != 0) {
		pthread_cond_destroy(&f->filled);
		pthread_cond_destroy(&f->emptied);
		pthread_mutex_destroy(&f->lock);
		free(f);
		return set_error(cause, "starting the import's reader: %s",
		    strerror(rc));
	}
	*out = f;
	return 0;
}

struct import_row *
import_feed_next(struct import_feed *f)
{
	for (;;) {
		if (f->ended)
			return NULL;
		if (f->cur != NULL && f->pos < f->cur->nrows)
			return &f->cur->rows[f->pos++];
		if (f->cur != NULL && f->cur->last) {
			f->ended = 1;
			return NULL;
		}
		pthread_mutex_lock(&f->lock);
		if (f->cur != NULL) {
			f->cur->next = f->empty;
			f->empty = f->cur;
			pthread_cond_signal(&f->emptied);
		}
		while (f->full == NULL)
			pthread_cond_wait(&f->filled, &f->lock);
		f->cur = f->full;
		if ((f->full = f->cur->next) == NULL)
			f->full_tail = &f->full;
		pthread_mutex_unlock(&f->lock);
		f->pos = 0;
	}
}

int
import_feed_end(struct import_feed *f, char **err, unsigned long *blank)
{
	size_t i;
	int rc;

	if (f == NULL)
		return 0;
	pthread_mutex_lock(&f->lock);
	atomic_store(&f->stop, 1);
	pthread_cond_broadcast(&f->emptied);
	pthread_mutex_unlock(&f->lock);
	/* Rows left: the helper may wait for bytes that never come. */
	if (!f->ended)
		pthread_cancel(f->thread);
	pthread_join(f->thread, NULL);
	rc = f->rc < 0 ? -1 : 0;	/* stopped, it may be 1 */
	if (rc < 0)
		*err = f->err;
	else
		free(f->err);
	*blank = f->blank;
	for (i = 0; i < IMPORT_FEED_BATCHES; i++)
		batch_free(&f->batches[i]);
	pthread_cond_destroy(&f->filled);
	pthread_cond_destroy(&f->emptied);
	pthread_mutex_destroy(&f->lock);
	free(f);
	return rc;
}

/* store_schema.h - private to the store_*.c files: the migrations and the
 * helpers they share.  Nothing outside the store includes this. */
#ifndef OUTREACHD_STORE_SCHEMA_H
#define OUTREACHD_STORE_SCHEMA_H

#include <sqlite3.h>
#include <stdint.h>

/* The busy timeout of every connection, in milliseconds. */
#define STORE_BUSY_MS 5000

/* Attributes of a new customer written by one statement. */
#define STORE_ATTR_BATCH 8

/* Statements that run once per row are prepared once per connection. */
enum store_stmt {
	STMT_ATTR_SET,
	STMT_ATTR_DEL,
	STMT_ATTR_TOUCH,
	STMT_PURCHASE_ADD,
	STMT_CONTACT_ADD,
	STMT_PURCHASE_BY_ORDER,
	STMT_PURCHASE_SAME,
	STMT_PURCHASE_SET,
	STMT_PURCHASE_ORDER_ADD,
	STMT_CONTACT_SAME,
	STMT_CUSTOMER_INSERT,
	STMT_CUSTOMER_ID,
	STMT_HAS_ATTR,
	STMT_PLAN_INSERT,
	STMT_PLAN_ID,
	STMT_PLAN_MESSAGES,
	STMT_REVISIT_DONE,
	STMT_OPEN_TASK,
	STMT_MERGE_HOST,
	STMT_MERGE_INTO,
	STMT_MERGE_REASON,
	STMT_CONTACT_KIND,
	STMT_OUTBOX_UPDATE,
	STMT_OUTBOX_CUSTOMER_COUNT,
	STMT_CUSTOMER_OPTOUT,
	STMT_TIER_SET,
	STMT_TIER_HISTORY,
	STMT_SLEEP_DAYS_SET,
	STMT_REP_TOKENS,
	STMT_DATA_VERSION,
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_MAX
};

struct store {
	sqlite3 *db;
	char *path;
	int in_txn;
	sqlite3_stmt *cache[STMT_MAX];
	sqlite3_stmt *upsert;	/* customer update for upsert_mask */
	unsigned upsert_mask;
	sqlite3_stmt *attr_add[STORE_ATTR_BATCH]; /* inserts of 1, 2... */
};

/* Returns the cached statement `id`, preparing sql the first time; the
 * statement is reset and its bindings cleared. */
sqlite3_stmt *store_cached(struct store *st, enum store_stmt id,
    const char *sql, char **cause);

/* Marks an erase pending at stage "vacuum" or "checkpoint" (the state row
 * store_erase_finish() reads). */
int store_erase_mark(struct store *st, const char *stage, char **cause);

/* migrations[i] takes the schema from version i to i + 1. */
extern const char *const store_migrations[];
extern const int store_nmigrations;

/* Prepares sql or sets *cause naming the store path. */
sqlite3_stmt *store_prepare(struct store *st, const char *sql, char **cause);
/* Sets *cause from the connection's last error, with context; returns -1. */
int store_fail(struct store *st, const char *what, char **cause);
/* Binds text, or NULL when s is NULL. */
int store_bind_text(sqlite3_stmt *s, int i, const char *v);
/* A malloc'd copy of a text column, or NULL for SQL NULL. */
char *store_column_text(sqlite3_stmt *s, int i);
/* Day number column: DAY_NONE for NULL. */
int32_t store_column_day(sqlite3_stmt *s, int i);

#endif

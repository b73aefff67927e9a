/* store_schema.h - private to the store_*.c files: the migrations and the
 * helpers they share.  Nothing outside the store includes this. */
#ifndef OUTREACHD_STORE_SCHEMA_H
#define OUTREACHD_STORE_SCHEMA_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "customer.h"
#include "db.h"

/* The busy timeout of every connection, in milliseconds. */
#define STORE_BUSY_MS 5000

struct store;
/* Waits up to ms for another connection's lock, in short sleeps. */
void store_busy_timeout(struct store *st, int ms);
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
	STMT_TASK_GET,
	STMT_CUSTOMER_GET,
	STMT_CUSTOMER_ATTRS,
	STMT_STATE_GET,
	STMT_REP_BY_ID,
	STMT_CONTACT_LAST,
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_KEYDATE_GET,
	STMT_KEYDATE_INSERT,
	STMT_KEYDATE_UPDATE,
	STMT_KEYDATE_DELETE,
	STMT_KEYDATE_TOUCH,
	STMT_LIFECYCLE_PUT,
	STMT_HOLDOUT_ADD,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	STMT_REP_GET,
	STMT_EVENT_ADD,
	STMT_EVENT_LAST,
	STMT_TASK_CLOSE,
	STMT_FOLLOWUPS_CLOSE,
	STMT_TASK_MOVE,
	STMT_REVISIT_NEXT,
	STMT_STALE_FLAG,
	STMT_VERIFY,
	STMT_IS_STALE,
	STMT_KEYDATES_READ,
	STMT_READ_BEGIN,
	STMT_LEASE_TAKE,
	STMT_LEASE_DROP,
	STMT_OUTBOX_HAS,
	STMT_OUTBOX_INSERT,
	STMT_OUTBOX_DUE,
	STMT_OUTBOX_REPORT,
	STMT_OUTBOX_RERENDER,
	STMT_OUTBOX_GIVE_UP,
	STMT_ITEM_QUEUED,
	STMT_REP_MESSAGE_SET,
	STMT_SMS_STATUS_NEXT,
	STMT_SMS_REPORT_SENT,
	STMT_SMS_REPORT,
	STMT_SMS_RESEND,
	STMT_SMS_BY_PROVIDER_ID,
	STMT_SMS_SENDING,
	STMT_OUTBOX_CLAIM,
	STMT_OUTBOX_LEASE_RENEW,
	STMT_OUTBOX_LEASE_DROP,
	STMT_ATTR_ADD,
	STMT_OUTBOX_UPDATES,
	STMT_OUTBOX_GATES,
	STMT_REP_ID,
	STMT_MAX
};

struct plan_batch;
struct plan_writes;

struct store {
	/* The connection, through db.h; on SQLite also the handle itself,
	 * for the statements not yet written for db.h (NULL on
	 * PostgreSQL). */
	struct db *conn;
	sqlite3 *db;
	unsigned leader_gen;	/* store_leader_lock()'s connection; 0 none */
	char *path;
	int in_txn;
	int busy_ms;		/* store_busy_timeout() */
	sqlite3_stmt *cache[STMT_MAX];
	struct db_stmt *upsert;	/* customer update for upsert_mask */
	unsigned upsert_mask;
	struct plan_batch *batch; /* the planner's lookups, while it runs a
				   * query (store_plan_batch.h) */
	int plan_lookahead;	/* store_plan_lookahead() */
	char **deferred;	/* store_bulk_defer(): CREATE INDEX texts */
	size_t ndeferred;
	int bulk_unchecked;	/* store_bulk_unchecked(): foreign keys off */
	struct strmap *bulk_reps; /* store_bulk(): rep key -> id, -1: none */
	struct plan_writes *writes; /* held by the planner (PostgreSQL) */
};

/* For statements on db.h: a column's text, malloc'd (NULL for NULL); a
 * day number column (DAY_NONE for NULL); a statement that returns no
 * rows run once (0, or -1 with *cause); and the SQL of the backend in
 * use, where the dialects differ (SQLite's two-argument max() is
 * PostgreSQL's greatest(), and so on). */
char *store_col_text(struct db_stmt *s, int i);
int32_t store_col_day(struct db_stmt *s, int i);
int store_run(struct db_stmt *s, char **cause);
/* Runs s, a statement that returns no rows, and is done with it
 * (db_finalize(): a cached statement is only reset): the rows it
 * changed, or -1 with *cause. */
int store_write(struct store *st, struct db_stmt *s, char **cause);
const char *store_dialect(const struct store *st, const char *sqlite,
    const char *pg);
/* The cached statement `id` on the db.h connection, prepared the first
 * time; reset, its bindings cleared.  An id is used either here or with
 * store_cached(), never both. */
struct db_stmt *store_stmt(struct store *st, enum store_stmt id,
    const char *sql, char **cause);
/* Returns the cached statement `id`, preparing sql the first time; the
 * statement is reset and its bindings cleared. */
sqlite3_stmt *store_cached(struct store *st, enum store_stmt id,
    const char *sql, char **cause);

/* Marks an erase pending at stage "vacuum" or "checkpoint" (the state row
 * store_erase_finish() reads). */
int store_erase_mark(struct store *st, const char *stage, char **cause);

/* migrations[i] takes the schema from version i to i + 1. */
/* The customers column of each enum cust_field (the rep: rep_id). */
extern const char *const store_customer_columns[CUST_NFIELDS];

extern const char *const store_migrations[];
extern const int store_nmigrations;
/* The schema on PostgreSQL (store_schema_pg.c): the one SQLite reaches
 * after STORE_PG_BASE_VERSION migrations, in one script (DDL only). */
#define STORE_PG_BASE_VERSION 21
extern const char store_schema_pg[];
/* store_pg_migrations[i] takes a PostgreSQL store from version
 * STORE_PG_BASE_VERSION + i to the next, as SQLite's migration of the
 * same number does. */
extern const char *const store_pg_migrations[];
/* The advisory lock the schema is made and migrated under: any number,
 * the same in every instance. */
#define STORE_PG_SCHEMA_LOCK 7310451
/* A store on PostgreSQL (store_pg.c): target is libpq conninfo; an
 * empty database is refused unless create is set.  Nothing is made or
 * migrated before store_pg_migrate(). */
int store_pg_open(const char *target, int create, struct store **out,
    char **cause);
/* Makes the schema when missing and migrates it to version, under the
 * schema's advisory lock (store_migrate() on PostgreSQL). */
int store_pg_migrate(struct store *st, int version, char **cause);
/* The schema's version, 0 for an empty database, -1 on error. */
int store_pg_schema_version(struct store *st, char **cause);

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

/* What the planner reads of a customer c and its rep r (the first
 * STORE_CAND_NCOLS columns of a query), and the reader of those columns
 * (store_plan.c); the strings stay the statement's. */
#define STORE_CAND_COLUMNS \
	"c.id, c.external_id, c.name, r.key, c.email, c.phone," \
	" c.channel, c.opt_out, c.birthday, c.anniversary, c.tier_eff," \
	" c.last_contact, c.last_purchase, c.first_purchase, c.revisit_from," \
	" c.updated_at / 86400, c.sleep_days, c.created_at / 86400," \
	" c.revisit_next, c.stale_since"
#define STORE_CAND_NCOLS 20
struct plan_cand;
void store_cand_read(struct db_stmt *s, struct plan_cand *c);

#endif

/* deliver_run.h - one delivery pass, shared by the files that make it
 * and by nothing else: deliver_pass.c (the pipeline), deliver_rows.c
 * (the turn's transaction, its writes and the customers' checks) and
 * deliver_lease.c (pages of due rows, their claims and leases). */
#ifndef OUTREACHD_DELIVER_RUN_H
#define OUTREACHD_DELIVER_RUN_H

#include <stdint.h>
#include <time.h>

#include "deliver_priv.h"

#define DELIVER_PAGE	256	/* due rows read at a time */
#define DELIVER_CLAIM_PER_CONN 32 /* rows claimed per connection, leased */
#define DELIVER_READY	64	/* messages prepared ahead of the connections */
#define DELIVER_TXN_MAX	256	/* row writes per transaction at most */
/* Seconds a page's opt-outs and caps are trusted (deliver_rows.c). */
#define DELIVER_GATE_AGE 2.0

struct deliver_run {
	struct deliver *d;
	int64_t now;
	int dry_run;
	const atomic_int *stop;
	struct send_stats *s;
	char *error;			/* the first error */
	int in_txn;
	int txn_writes;
	/* the turn's row writes, made at its commit (deliver_rows.c) */
	struct outbox_write *writes;
	size_t nwrites, writes_cap;
	/* the page of due rows being triaged */
	struct deliver_job **page;
	size_t npage, pos;
	int64_t after_nb, after_id;	/* where the next page starts */
	int nread;			/* rows read: delivery.batch bounds it */
	int claim;			/* rows read at a time, <= DELIVER_PAGE */
	int exhausted;
	/* the customers of page[gate_from..npage), read at gate_at
	 * (clock_seconds, 0: not read), and the page's messages let
	 * through since, which the caps count too */
	struct outbox_gate gates[DELIVER_PAGE];
	size_t gate_from;
	double gate_at;
	struct { int64_t id, customer_id; int32_t day; } passed[DELIVER_PAGE];
	size_t npassed;
	/* prepared, waiting for a connection, in due order */
	struct deliver_job *ready[DELIVER_READY];
	size_t nready;
	double deadline;		/* shutdown grace (clock_seconds) */
	struct deliver_job **back;	/* taken back from transfer threads */
	size_t back_cap;
	time_t holds_at;		/* when the holds were last read */
	double renew_at;		/* the next renewal of the leases */
};

/* deliver_rows.c */
void drun_fail(struct deliver_run *r, char *err);
int drun_write(struct deliver_run *r);
int drun_flush(struct deliver_run *r);
int drun_commit(struct deliver_run *r);
int drun_update(struct deliver_run *r, const struct outbox_msg *m,
    enum outbox_state state, int64_t not_before, const char *error,
    const char *provider_id, int64_t sent_at, int64_t now);
int drun_mark(struct deliver_run *r, struct deliver_job **jobs, size_t n);
const char *drun_suppressed(struct deliver_run *r, size_t at);
void drun_passed(struct deliver_run *r, const struct outbox_msg *m);
void drun_unpass(struct deliver_run *r, const struct outbox_msg *m);
void drun_gates_clear(struct deliver_run *r);

/* deliver_lease.c */
struct deliver_job *drun_next_due(struct deliver_run *r);
void drun_release(struct deliver_run *r, struct deliver_job *job);
void drun_renew(struct deliver_run *r);
int drun_claim_size(const struct deliver *d);
int deliver_rescue(struct deliver *d, int64_t now, char **cause);

#endif

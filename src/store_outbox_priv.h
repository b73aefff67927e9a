/* store_outbox_priv.h - what store_outbox.c and store_outbox_ctl.c share:
 * the columns of an outbox row, in outbox_msg's order, the walk over a
 * statement selecting them, and the run of a write. */
#ifndef OUTREACHD_STORE_OUTBOX_PRIV_H
#define OUTREACHD_STORE_OUTBOX_PRIV_H

#include "store_outbox.h"
#include "store_schema.h"

#define OUTBOX_COLS \
	"id, dedup_key, item_id, customer_id, channel, recipient," \
	" recipient_name, from_name, reply_to, subject, body, html, day," \
	" timezone, state, attempts, not_before, last_error, provider_id," \
	" created_at, updated_at, sent_at, rep_id, version, cancel_reason," \
	" expires_at, render_key, rendered_at, sms_request, status_at," \
	" status_checks, fence"
/* The same, of "outbox o" in a join. */
#define OUTBOX_COLS_O \
	"o.id, o.dedup_key, o.item_id, o.customer_id, o.channel," \
	" o.recipient, o.recipient_name, o.from_name, o.reply_to, o.subject," \
	" o.body, o.html, o.day, o.timezone, o.state, o.attempts," \
	" o.not_before, o.last_error, o.provider_id, o.created_at," \
	" o.updated_at, o.sent_at, o.rep_id, o.version, o.cancel_reason," \
	" o.expires_at, o.render_key, o.rendered_at, o.sms_request," \
	" o.status_at, o.status_checks, o.fence"

/* Steps s to the end, calling cb per row (read as outbox_msg); finalizes
 * s.  A callback's non-zero return stops the walk and is returned. */
int store_outbox_walk(struct db_stmt *s, outbox_cb cb, void *arg,
    char **cause);

#endif

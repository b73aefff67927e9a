/* compose.h - one home for building a message from a planned item: the
 * rule, the dedup key, what the template sees, the sender, Reply-To and
 * recipient, the unsubscribe link, the whole RFC 5322 text of an e-mail
 * and the send window.  The outbox (deliver_queue.c, deliver_smtp.c) and
 * `outreachctl render` compose through it, so a preview is the message
 * that is sent, by construction. */
#ifndef OUTREACHD_COMPOSE_H
#define OUTREACHD_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "channel.h"
#include "conf.h"
#include "customer.h"
#include "sms_text.h"
#include "store.h"
#include "store_outbox.h"
#include "tmpl_set.h"
#include "token.h"

/* What every message is composed with; all borrowed. */
struct compose_ctx {
	const struct conf *cf;
	const struct tmpl_set *ts;
	const unsigned char *secret;	/* unsubscribe links (optout_secret) */
	const char *render_key;		/* this cf and ts (deliver_open), or
					   NULL: a preview */
};

/* The planned item a message is for.  Borrowed strings. */
struct compose_item {
	const char *key;	/* the planned item's dedup key */
	int64_t item_id;	/* 0: nothing planned yet (a preview) */
	const char *rule;
	enum channel channel;
	int32_t day;		/* the day the message is for */
	int32_t occurrence;	/* the event's day */
};

/* A composed message: its outbox row (strings owned) and what made it. */
struct compose_msg {
	struct outbox_msg m;
	const struct tmpl_msg *tmpl;	/* the template file (borrowed) */
	struct sms_text_info sms;	/* SMS only */
};

/* The message rule called name, or NULL. */
const struct conf_rule *compose_rule(const struct conf *cf,
    const char *name);
/* Renders it->rule for customer c (rep may be NULL) into *out.  -1 with
 * why (malloc'd) when no message can come of it: the rule is gone, a
 * value the template needs is missing, the SMS is too long, or the
 * customer has no address on the channel any more. */
int compose_message(const struct compose_ctx *x, const struct compose_item *it,
    const struct customer *c, const struct store_rep *rep, int64_t now,
    struct compose_msg *out, char **why);
void compose_msg_free(struct compose_msg *cm);
/* The whole RFC 5322 text of an e-mail row, dated `date`; *out malloc'd.
 * The Message-ID comes from the dedup key, so a copy resent after a crash
 * is recognisable as the same message. */
int compose_email(const struct conf *cf,
    const unsigned char secret[TOKEN_SECRET_LEN], const struct outbox_msg *m,
    int64_t date, char **out, size_t *len, char **cause);
/* The start of a day's sending window in zone tz: the end of quiet hours,
 * or midnight when there are none. */
int64_t compose_window_start(const struct conf *cf, int32_t day,
    const char *tz);
/* 0 when a message for `day` may go at `now`; otherwise when it may: not
 * before its day in the customer's zone tz, and never in quiet hours. */
int64_t compose_defer(const struct conf *cf, int64_t now, int32_t day,
    const char *tz);

#endif

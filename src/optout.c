/* optout.c - unsubscribe links, STOP replies, suppression and recording
 * an opt-out. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "customer.h"
#include "optout.h"
#include "sms_gw.h"
#include "store_plan.h"
#include "utf8.h"
#include "util.h"

int
optout_secret(struct store *st, unsigned char secret[TOKEN_SECRET_LEN],
    char **cause)
{
	char *hex = NULL;
	int rc;

	if ((rc = store_state_get(st, "unsubscribe_secret", &hex, cause)) < 0)
		return -1;
	if (rc == 1 && token_unhex(hex, secret, TOKEN_SECRET_LEN) == 0) {
		free(hex);
		return 0;
	}
	free(hex);
	if (token_random(secret, TOKEN_SECRET_LEN) != 0)
		return set_error(cause, "cannot read random bytes: %m");
	hex = token_hex(secret, TOKEN_SECRET_LEN);
	rc = store_state_set(st, "unsubscribe_secret", hex, cause);
	free(hex);
	return rc;
}

/* The token's channel letter: 'e' or 's'. */
static char
channel_letter(enum channel ch)
{
	return ch == CHANNEL_EMAIL ? 'e' : 's';
}

char *
optout_url(const struct conf *cf, const unsigned char secret[TOKEN_SECRET_LEN],
    int64_t item_id, int64_t customer_id, enum channel ch)
{
	char *tok = token_unsub_make(secret, item_id, customer_id,
	    channel_letter(ch));
	char *url = xasprintf("%s/u/%s", cf->http.base_url, tok);

	free(tok);
	return url;
}

int
optout_token_check(const unsigned char secret[TOKEN_SECRET_LEN],
    const char *token, struct optout_token *t)
{
	char letter;

	if (token_unsub_check(secret, token, &t->item_id, &t->customer_id,
	    &letter) != 0)
		return -1;
	t->channel = letter == 'e' ? CHANNEL_EMAIL : CHANNEL_SMS;
	return 0;
}

/* UTF-16BE (Kannel's UCS-2 text) to UTF-8; broken surrogates become
 * U+FFFD, NULs are dropped. */
static char *
utf16be_decode(const unsigned char *s, size_t n)
{
	struct buf b;
	uint32_t u, lo;
	size_t i;

	buf_init(&b);
	for (i = 0; i + 1 < n; i += 2) {
		u = (uint32_t)s[i] << 8 | s[i + 1];
		if (u >= 0xd800 && u < 0xdc00 && i + 3 < n &&
		    (lo = (uint32_t)s[i + 2] << 8 | s[i + 3]) >= 0xdc00 &&
		    lo < 0xe000) {
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		} else if (u >= 0xd800 && u < 0xe000)
			u = 0xfffd;
		if (u != 0)
			utf8_append(&b, u);
	}
	return buf_detach(&b);
}

char *
optout_sms_text(const char *text, size_t n, const char *coding,
    const char *charset)
{
	struct buf b;
	size_t i;
	int latin1;

	if (text == NULL)
		return xstrdup("");
	if ((charset != NULL && (strcasecmp(charset, "UTF-16BE") == 0 ||
	    strcasecmp(charset, "UCS-2") == 0 || strcasecmp(charset,
	    "UTF-16") == 0)) || (charset == NULL && coding != NULL &&
	    strcmp(coding, "2") == 0))
		return utf16be_decode((const unsigned char *)text, n);
	latin1 = charset != NULL && (strcasecmp(charset, "ISO-8859-1") == 0 ||
	    strcasecmp(charset, "WINDOWS-1252") == 0);
	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (latin1)
			utf8_append(&b, (unsigned char)text[i]);
		else if (text[i] != '\0')
			buf_addc(&b, text[i]);
	}
	return buf_detach(&b);
}

int
optout_sms_is_stop(const struct conf *cf, const char *text)
{
	const struct conf_http *ch = &cf->http;
	const char **kw = NULL;
	size_t i;
	int stop;

	if (ch->nstop_keywords > 0) {
		kw = xcalloc(ch->nstop_keywords + 1, sizeof(*kw));
		for (i = 0; i < ch->nstop_keywords; i++)
			kw[i] = ch->stop_keywords[i];
	}
	stop = sms_gw_is_unsubscribe(text, kw);
	free(kw);
	return stop;
}

const char *
optout_suppresses(const char *opt_out, enum channel ch)
{
	unsigned bits = customer_optout_bits(opt_out);

	if ((bits & CUST_OPTOUT_ALL) || (bits & (ch == CHANNEL_EMAIL ?
	    CUST_OPTOUT_EMAIL : CUST_OPTOUT_SMS)))
		return "opted out";
	return NULL;
}

/* Inside a transaction: adds ch to one customer's opt-out, written only
 * when the canonical value changes. */
static int
record_one(struct store *st, int64_t id, enum channel ch, int64_t now,
    char **cause)
{
	char *old = NULL, *joined, *val = NULL;
	int rc;

	if ((rc = store_customer_optout(st, id, &old, cause)) <= 0)
		return rc;
	joined = xasprintf("%s;%s", old ? old : "", channel_name(ch));
	rc = customer_normalize(CUST_OPT_OUT, joined, NULL, &val, cause);
	free(joined);
	if (rc == 0 && (old == NULL || val == NULL || strcmp(old, val) != 0))
		rc = store_customer_optout_set(st, id, val, now, cause);
	free(old);
	free(val);
	return rc < 0 ? -1 : 1;
}

int
optout_record(struct store *st, int64_t customer_id, enum channel ch,
    int64_t now, char **cause)
{
	int rc;

	if (store_begin(st, cause) != 0)
		return -1;
	if ((rc = record_one(st, customer_id, ch, now, cause)) < 0 ||
	    store_commit(st, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	return rc;
}

int
optout_record_phone(struct store *st, const char *e164, enum channel ch,
    int64_t now, int *n, char **cause)
{
	int64_t *ids = NULL;
	size_t nids = 0, i;
	int rc = -1;

	*n = 0;
	if (store_begin(st, cause) != 0)
		return -1;
	if (store_customer_ids_by_phone(st, e164, &ids, &nids, cause) != 0)
		goto out;
	for (i = 0; i < nids; i++) {
		if (record_one(st, ids[i], ch, now, cause) < 0)
			goto out;
	}
	if (store_commit(st, cause) != 0)
		goto out;
	*n = (int)nids;
	rc = 0;
out:
	if (rc != 0)
		store_rollback(st);
	free(ids);
	return rc;
}

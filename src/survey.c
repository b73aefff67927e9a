/* survey.c - survey links and answers (survey.h). */
#include "survey.h"

#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "reason.h"
#include "store_survey.h"
#include "util.h"

#define PAYLOAD 16	/* item id, customer id: big-endian */
#define MAC 16		/* of HMAC-SHA256("survey\n" payload) */

static void
put64(unsigned char *b, int64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v = (int64_t)((uint64_t)v >> 8))
		b[i] = (unsigned char)(v & 0xff);
}

static int64_t
get64(const unsigned char *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return (int64_t)v;
}

/* The MAC of a payload, under a prefix no unsubscribe token has. */
static void
survey_mac(const unsigned char secret[TOKEN_SECRET_LEN],
    const unsigned char *payload, unsigned char out[MAC])
{
	unsigned char data[7 + PAYLOAD], mac[TOKEN_MAC_LEN];

	memcpy(data, "survey\n", 7);
	memcpy(data + 7, payload, PAYLOAD);
	token_hmac(secret, data, sizeof(data), mac);
	memcpy(out, mac, MAC);
}

char *
survey_url(const struct conf *cf, const unsigned char secret[TOKEN_SECRET_LEN],
    int64_t item_id, int64_t customer_id)
{
	unsigned char b[PAYLOAD + MAC];
	char *tok, *url;

	put64(b, item_id);
	put64(b + 8, customer_id);
	survey_mac(secret, b, b + PAYLOAD);
	tok = token_b64url_encode(b, sizeof(b));
	url = xasprintf("%s/s/%s", cf->http.base_url, tok);
	free(tok);
	return url;
}

int
survey_token_check(const unsigned char secret[TOKEN_SECRET_LEN],
    const char *token, int64_t *item_id, int64_t *customer_id)
{
	unsigned char b[PAYLOAD + MAC], mac[MAC];

	if (strlen(token) > 64 || token_b64url_decode(token, b, sizeof(b)) != 0)
		return -1;
	survey_mac(secret, b, mac);
	if (!token_mem_equal(mac, b + PAYLOAD, MAC))
		return -1;
	*item_id = get64(b);
	*customer_id = get64(b + 8);
	return 0;
}

/* The recovery task for a poor answer, once per survey. */
static int
open_recovery(struct store *st, const struct store_survey *sv, int score,
    const char *comment, int32_t today, int64_t now, char **cause)
{
	struct reason r;
	char *reason, *key, d[11];
	int rc;

	reason_init(&r, REASON_UNHAPPY);
	r.on = sv->visit_day;
	r.score = score;
	r.text = comment;
	reason = reason_encode(&r);
	date_format(sv->visit_day, d);
	key = xasprintf("%s:recovery:%lld:%s", sv->rule,
	    (long long)sv->customer_id, d);
	rc = store_survey_recovery(st, key, sv->rule, sv->customer_id, today,
	    reason, now, cause);
	free(key);
	free(reason);
	return rc;
}

int
survey_answer(struct store *st, int64_t item_id, int64_t customer_id,
    int score, const char *comment, int32_t today, int64_t now,
    const char *source, struct survey_result *res, char **cause)
{
	struct store_survey sv;
	int rc = -1, n;

	memset(res, 0, sizeof(*res));
	if (score < 1 || score > 5)
		return set_error(cause, "a score is 1 to 5");
	if (store_begin(st, cause) != 0)
		return -1;
	if ((n = store_survey_get(st, item_id, customer_id, &sv, cause)) <= 0) {
		if (n == 0)
			set_error(cause, "no such survey");
		goto out;
	}
	if ((n = store_survey_answer(st, item_id, customer_id, score, comment,
	    today, now, source, cause)) < 0)
		goto out;
	res->recorded = n;
	if (n == 1 && score <= 2 && (res->recovery = open_recovery(st, &sv,
	    score, comment, today, now, cause)) < 0)
		goto out;
	rc = store_commit(st, cause);
out:
	store_rollback(st);
	store_survey_clear(&sv);
	return rc;
}

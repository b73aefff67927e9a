/* replink.c - signed links to a rep's task pages. */
#include <stdlib.h>
#include <string.h>

#include "replink.h"
#include "store_plan.h"
#include "util.h"

#define REPLINK_IDS 16		/* rep id (8) + task id (8) */
#define REPLINK_MAC 16		/* 128 bits */
#define REPLINK_HASH_MAX 128	/* characters of a token hash we MAC */

/* Reads or makes the key in the state table. */
int
replink_secret(struct store *st, unsigned char key[TOKEN_SECRET_LEN],
    int create, char **cause)
{
	char *hex = NULL;
	int rc;

	if ((rc = store_state_get(st, "replink_secret", &hex, cause)) < 0)
		return -1;
	if (rc == 1 && token_unhex(hex, key, TOKEN_SECRET_LEN) == 0) {
		free(hex);
		return 1;
	}
	free(hex);
	if (!create)
		return 0;
	if (token_random(key, TOKEN_SECRET_LEN) != 0)
		return set_error(cause, "cannot read random bytes: %m");
	hex = token_hex(key, TOKEN_SECRET_LEN);
	rc = store_state_set(st, "replink_secret", hex, cause);
	free(hex);
	return rc < 0 ? -1 : 1;
}

/* Big-endian 64 bits. */
static void
put64(unsigned char *p, int64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)(v & 0xff);
}

/* Reads what put64() wrote. */
static int64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

/* The MAC of label, the ids and the token hash. */
static void
replink_mac(const unsigned char key[TOKEN_SECRET_LEN], char label,
    const unsigned char ids[REPLINK_IDS], const char *token_hash,
    unsigned char mac[TOKEN_MAC_LEN])
{
	unsigned char in[1 + REPLINK_IDS + REPLINK_HASH_MAX];
	size_t n = strnlen(token_hash, REPLINK_HASH_MAX);

	in[0] = (unsigned char)label;
	memcpy(in + 1, ids, REPLINK_IDS);
	memcpy(in + 1 + REPLINK_IDS, token_hash, n);
	token_hmac(key, in, 1 + REPLINK_IDS + n, mac);
}

/* Makes a task's link. */
char *
replink_make(const unsigned char key[TOKEN_SECRET_LEN], int64_t rep_id,
    int64_t task_id, const char *token_hash)
{
	unsigned char b[REPLINK_IDS + REPLINK_MAC], mac[TOKEN_MAC_LEN];

	put64(b, rep_id);
	put64(b + 8, task_id);
	replink_mac(key, 't', b, token_hash, mac);
	memcpy(b + REPLINK_IDS, mac, REPLINK_MAC);
	return token_b64url_encode(b, sizeof(b));
}

/* Decodes a link's bytes: 0, or -1 when it is not one. */
static int
replink_decode(const char *link, unsigned char b[REPLINK_IDS + REPLINK_MAC])
{
	if (link == NULL || strnlen(link, REPLINK_LEN + 1) != REPLINK_LEN)
		return -1;
	return token_b64url_decode(link, b, REPLINK_IDS + REPLINK_MAC);
}

/* The ids of a well-formed link. */
int
replink_parse(const char *link, int64_t *rep_id, int64_t *task_id)
{
	unsigned char b[REPLINK_IDS + REPLINK_MAC];

	if (replink_decode(link, b) != 0)
		return -1;
	*rep_id = get64(b);
	*task_id = get64(b + 8);
	return *rep_id > 0 && *task_id > 0 ? 0 : -1;
}

/* Checks a link's MAC against the rep's token hash. */
int
replink_verify(const unsigned char key[TOKEN_SECRET_LEN], const char *link,
    const char *token_hash)
{
	unsigned char b[REPLINK_IDS + REPLINK_MAC], mac[TOKEN_MAC_LEN];

	if (token_hash == NULL || replink_decode(link, b) != 0)
		return -1;
	replink_mac(key, 't', b, token_hash, mac);
	return token_mem_equal(mac, b + REPLINK_IDS, REPLINK_MAC) ? 0 : -1;
}

/* The form token of a link's page. */
char *
replink_form(const unsigned char key[TOKEN_SECRET_LEN], const char *link,
    const char *token_hash)
{
	unsigned char b[REPLINK_IDS + REPLINK_MAC], mac[TOKEN_MAC_LEN];

	if (replink_decode(link, b) != 0)
		memset(b, 0, sizeof(b));
	replink_mac(key, 'f', b, token_hash ? token_hash : "", mac);
	return token_b64url_encode(mac, REPLINK_MAC);
}

/* Compares a form token in constant time. */
int
replink_form_check(const unsigned char key[TOKEN_SECRET_LEN],
    const char *link, const char *token_hash, const char *form)
{
	char *want;
	int ok;

	if (form == NULL || strlen(form) != REPLINK_FORM_LEN ||
	    replink_verify(key, link, token_hash) != 0)
		return -1;
	want = replink_form(key, link, token_hash);
	ok = token_mem_equal(want, form, REPLINK_FORM_LEN);
	free(want);
	return ok ? 0 : -1;
}

/* A task page's public URL. */
char *
replink_url(const char *base_url, const char *link)
{
	size_t n = strlen(base_url);

	while (n > 0 && base_url[n - 1] == '/')
		n--;
	return xasprintf("%.*s/t/%s", (int)n, base_url, link);
}

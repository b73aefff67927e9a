/* token.c - signed and random URL tokens (OpenSSL's libcrypto does the
 * cryptography: hand-written HMAC would be a liability). */
#include "token.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util.h"

#define UNSUB_PAYLOAD 17 /* item (8) + customer (8) + channel (1) */
#define UNSUB_MAC 16	 /* 128 bits of HMAC-SHA256 */

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int
token_random(unsigned char *buf, size_t n)
{
	ssize_t r;
	size_t got = 0;

	while (got < n) {
		r = getrandom(buf + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* base64url without padding. */
char *
token_b64url_encode(const unsigned char *b, size_t n)
{
	struct buf out;
	uint32_t v;
	size_t i;

	buf_init(&out);
	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
		buf_addc(&out, b64url[v >> 18]);
		buf_addc(&out, b64url[(v >> 12) & 63]);
		buf_addc(&out, b64url[(v >> 6) & 63]);
		buf_addc(&out, b64url[v & 63]);
	}
	if (n - i == 1) {
		v = (uint32_t)b[i] << 16;
		buf_addc(&out, b64url[v >> 18]);
		buf_addc(&out, b64url[(v >> 12) & 63]);
	} else if (n - i == 2) {
		v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8;
		buf_addc(&out, b64url[v >> 18]);
		buf_addc(&out, b64url[(v >> 12) & 63]);
		buf_addc(&out, b64url[(v >> 6) & 63]);
	}
	return buf_detach(&out);
}

/* Decodes exactly n bytes; -1 on any other length or character. */
int
token_b64url_decode(const char *s, unsigned char *b, size_t n)
{
	size_t len = strlen(s), i, bits = 0, k = 0;
	uint32_t acc = 0;
	const char *p;

	if (len != (n * 4 + 2) / 3)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '\0' || (p = strchr(b64url, s[i])) == NULL)
			return -1;
		acc = acc << 6 | (uint32_t)(p - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (k < n)
				b[k++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return k == n && acc == 0 ? 0 : -1;
}

char *
token_new(void)
{
	unsigned char b[18]; /* 144 bits */

	if (token_random(b, sizeof(b)) != 0)
		return NULL;
	return token_b64url_encode(b, sizeof(b));
}

char *
token_hex(const unsigned char *b, size_t n)
{
	char *s = xmalloc(n * 2 + 1);
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(s + i * 2, 3, "%02x", b[i]);
	s[n * 2] = '\0';
	return s;
}

int
token_unhex(const char *hex, unsigned char *b, size_t n)
{
	size_t i;
	unsigned v;

	if (strlen(hex) != n * 2)
		return -1;
	for (i = 0; i < n; i++) {
		if (sscanf(hex + i * 2, "%2x", &v) != 1)
			return -1;
		b[i] = (unsigned char)v;
	}
	return 0;
}

char *
token_hash(const char *token)
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)token, strlen(token), md);
	return token_hex(md, sizeof(md));
}

int
token_hash_equal(const char *a, const char *b)
{
	size_t n = strlen(a);

	return strlen(b) == n && CRYPTO_memcmp(a, b, n) == 0;
}

static void
put64(unsigned char *p, int64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)(v & 0xff);
}

static int64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

/* HMAC-SHA256 keyed with one of the secrets last used by this thread.
 * OpenSSL 3's one-shot HMAC() looks both algorithms up on every call, a
 * sixth of the cost of building a message and more than that of a task
 * page; a keyed context is restarted instead.  A thread uses two keys
 * in turn at most (a rep's page checks its link, then signs its form),
 * so it keeps two.  They live as long as the thread: a thread-specific
 * key frees them when the thread ends (the HTTP server's threads come
 * and go). */
#define HMAC_KEYED 2
static _Thread_local struct hmac_keyed {
	unsigned char key[TOKEN_SECRET_LEN];
	EVP_MAC_CTX *ctx;
} hmac_keyed[HMAC_KEYED];
static _Thread_local unsigned hmac_next;
static pthread_key_t hmac_key;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

/* The thread ends: its contexts go (the value is the array). */
static void
hmac_keyed_free(void *arg)
{
	struct hmac_keyed *k = arg;
	int i;

	for (i = 0; i < HMAC_KEYED; i++) {
		EVP_MAC_CTX_free(k[i].ctx);
		k[i].ctx = NULL;
	}
}

static void
hmac_key_create(void)
{
	(void)pthread_key_create(&hmac_key, hmac_keyed_free);
}

/* A new context keyed with secret, NULL on failure. */
static EVP_MAC_CTX *
hmac_ctx_new(const unsigned char *secret)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *c;
	EVP_MAC *m;

	if ((m = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return NULL;
	c = EVP_MAC_CTX_new(m);
	EVP_MAC_free(m);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (c != NULL && !EVP_MAC_init(c, secret, TOKEN_SECRET_LEN, params)) {
		EVP_MAC_CTX_free(c);
		c = NULL;
	}
	return c;
}

static EVP_MAC_CTX *
hmac_keyed_ctx(const unsigned char *secret)
{
	struct hmac_keyed *k;
	int i;

	for (i = 0; i < HMAC_KEYED; i++)
		if (hmac_keyed[i].ctx != NULL &&
		    memcmp(hmac_keyed[i].key, secret, TOKEN_SECRET_LEN) == 0)
			return hmac_keyed[i].ctx;
	pthread_once(&hmac_once, hmac_key_create);
	(void)pthread_setspecific(hmac_key, hmac_keyed);
	k = &hmac_keyed[hmac_next++ % HMAC_KEYED];
	EVP_MAC_CTX_free(k->ctx);
	if ((k->ctx = hmac_ctx_new(secret)) != NULL)
		memcpy(k->key, secret, TOKEN_SECRET_LEN);
	return k->ctx;
}

/* HMAC-SHA256 of n bytes into full (EVP_MAX_MD_SIZE bytes). */
static void
hmac_sha256(const unsigned char *secret, const void *data, size_t n,
    unsigned char *full)
{
	unsigned int len = 0;
	size_t got = 0;
	EVP_MAC_CTX *c = hmac_keyed_ctx(secret);

	/* Initialising with no key restarts from the keyed state: cheaper
	 * than a copy of the context, which allocates. */
	if (c != NULL && EVP_MAC_init(c, NULL, 0, NULL) &&
	    EVP_MAC_update(c, data, n) &&
	    EVP_MAC_final(c, full, &got, EVP_MAX_MD_SIZE) &&
	    got == TOKEN_MAC_LEN)
		return;
	HMAC(EVP_sha256(), secret, TOKEN_SECRET_LEN, data, n, full,
	    &len);	/* the same MAC, the slow way */
}

static void
unsub_mac(const unsigned char *secret, const unsigned char *payload,
    unsigned char *mac)
{
	unsigned char full[EVP_MAX_MD_SIZE];

	hmac_sha256(secret, payload, UNSUB_PAYLOAD, full);
	memcpy(mac, full, UNSUB_MAC);
}

char *
token_unsub_make(const unsigned char secret[TOKEN_SECRET_LEN],
    int64_t item_id, int64_t customer_id, char channel)
{
	unsigned char b[UNSUB_PAYLOAD + UNSUB_MAC];

	put64(b, item_id);
	put64(b + 8, customer_id);
	b[16] = (unsigned char)channel;
	unsub_mac(secret, b, b + UNSUB_PAYLOAD);
	return token_b64url_encode(b, sizeof(b));
}

int
token_unsub_check(const unsigned char secret[TOKEN_SECRET_LEN],
    const char *token, int64_t *item_id, int64_t *customer_id, char *channel)
{
	unsigned char b[UNSUB_PAYLOAD + UNSUB_MAC], mac[UNSUB_MAC];

	if (strlen(token) > 64 || token_b64url_decode(token, b, sizeof(b)) != 0)
		return -1;
	unsub_mac(secret, b, mac);
	if (CRYPTO_memcmp(mac, b + UNSUB_PAYLOAD, UNSUB_MAC) != 0)
		return -1;
	if (b[16] != 'e' && b[16] != 's')
		return -1;
	*item_id = get64(b);
	*customer_id = get64(b + 8);
	*channel = (char)b[16];
	return 0;
}

/* HMAC-SHA256 of n bytes with a TOKEN_SECRET_LEN key. */
void
token_hmac(const unsigned char secret[TOKEN_SECRET_LEN], const void *data,
    size_t n, unsigned char mac[TOKEN_MAC_LEN])
{
	unsigned char full[EVP_MAX_MD_SIZE];

	hmac_sha256(secret, data, n, full);
	memcpy(mac, full, TOKEN_MAC_LEN);
}

/* Constant-time comparison of n bytes. */
int
token_mem_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

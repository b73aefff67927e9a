/* token.h - secrets in URLs: signed one-click unsubscribe tokens and the
 * random feed tokens reps subscribe with (stored only as a hash).
 * Comparisons are constant-time. */
#ifndef OUTREACHD_TOKEN_H
#define OUTREACHD_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define TOKEN_SECRET_LEN 32

/* Fills buf with n bytes from the kernel's random source; -1 on failure. */
int token_random(unsigned char *buf, size_t n);
/* A new random token of 128+ bits, base64url; malloc'd, NULL on failure. */
char *token_new(void);
/* SHA-256 of a token as 64 hex digits, for storage; malloc'd. */
char *token_hash(const char *token);
/* 1 when two token hashes are the same (constant time for a length). */
int token_hash_equal(const char *a, const char *b);

/* An unsubscribe token for one planned message: the item, the customer and
 * the channel ('e' or 's'), signed with HMAC-SHA256.  malloc'd. */
char *token_unsub_make(const unsigned char secret[TOKEN_SECRET_LEN],
    int64_t item_id, int64_t customer_id, char channel);
/* 0 and the fields when the token is authentic, -1 otherwise. */
int token_unsub_check(const unsigned char secret[TOKEN_SECRET_LEN],
    const char *token, int64_t *item_id, int64_t *customer_id,
    char *channel);

/* base64url (RFC 4648, no padding): malloc'd; decoding takes exactly n
 * bytes' worth of characters, else -1. */
char *token_b64url_encode(const unsigned char *b, size_t n);
int token_b64url_decode(const char *s, unsigned char *b, size_t n);
/* HMAC-SHA256 with a secret; constant-time comparison of n bytes. */
#define TOKEN_MAC_LEN 32
void token_hmac(const unsigned char secret[TOKEN_SECRET_LEN],
    const void *data, size_t n, unsigned char mac[TOKEN_MAC_LEN]);
int token_mem_equal(const void *a, const void *b, size_t n);

/* Hex encoding helpers for storing secrets. */
char *token_hex(const unsigned char *b, size_t n);
int token_unhex(const char *hex, unsigned char *b, size_t n);

#endif

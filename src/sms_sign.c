/* sms_sign.c - Aliyun RPC and V3, Tencent TC3 request signatures. */
#include "sms_sign.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

void
sms_sign_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == '~')
			buf_addc(b, (char)*p);
		else {
			buf_addc(b, '%');
			buf_addc(b, hex[*p >> 4]);
			buf_addc(b, hex[*p & 15]);
		}
	}
}

/* qsort() order of parameters: name, then value, in bytes. */
static int
kv_cmp(const void *a, const void *b)
{
	const struct sms_kv *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : strcmp(x->value, y->value);
}

char *
sms_sign_query(struct sms_kv *kv, size_t n)
{
	struct buf b;
	size_t i;

	if (n > 1)
		qsort(kv, n, sizeof *kv, kv_cmp);
	buf_init(&b);
	buf_puts(&b, "");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(&b, '&');
		sms_sign_encode(&b, kv[i].key);
		buf_addc(&b, '=');
		sms_sign_encode(&b, kv[i].value);
	}
	return buf_detach(&b);
}

/* Lower-case hex of n bytes into out (2n digits and a NUL). */
static void
hex_encode(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void
sms_sign_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32)
		abort();	/* the library cannot hash: nothing can be sent */
	hex_encode(md, 32, out);
}

/* HMAC of msg with md; out must hold EVP_MAX_MD_SIZE bytes. */
static unsigned int
hmac(const EVP_MD *md, const void *key, size_t keylen, const char *msg,
    unsigned char *out)
{
	unsigned int n = 0;

	if (HMAC(md, key, (int)keylen, (const unsigned char *)msg,
	    strlen(msg), out, &n) == NULL)
		abort();
	return n;
}

char *
sms_sign_aliyun_rpc(const char *method, struct sms_kv *kv, size_t n,
    const char *secret)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	char *query, *key, *out;
	struct buf b;
	unsigned int len;

	query = sms_sign_query(kv, n);
	buf_init(&b);
	buf_printf(&b, "%s&", method);
	sms_sign_encode(&b, "/");
	buf_addc(&b, '&');
	sms_sign_encode(&b, query);
	key = xasprintf("%s&", secret);
	len = hmac(EVP_sha1(), key, strlen(key), b.data, mac);
	explicit_bzero(key, strlen(key));
	free(key);
	free(query);
	buf_free(&b);
	out = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, mac, (int)len);
	return out;
}

char *
sms_sign_canonical_request(const char *method, const char *path,
    const char *query, struct sms_kv *headers, size_t nheaders,
    const char *body, size_t body_len, char **signed_headers)
{
	struct buf b, names;
	char hash[65];
	size_t i;

	if (nheaders > 1)
		qsort(headers, nheaders, sizeof *headers, kv_cmp);
	buf_init(&b);
	buf_init(&names);
	buf_printf(&b, "%s\n%s\n%s\n", method, path, query);
	for (i = 0; i < nheaders; i++) {
		buf_printf(&b, "%s:%s\n", headers[i].key, headers[i].value);
		buf_printf(&names, "%s%s", i > 0 ? ";" : "", headers[i].key);
	}
	sms_sign_sha256_hex(body != NULL ? body : "", body_len, hash);
	buf_printf(&b, "\n%s\n%s", names.data != NULL ? names.data : "", hash);
	if (signed_headers != NULL)
		*signed_headers = buf_detach(&names);
	buf_free(&names);
	return buf_detach(&b);
}

char *
sms_sign_acs3(const char *canonical_request, const char *secret)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	char hash[65], *sts, *out = xmalloc(65);

	sms_sign_sha256_hex(canonical_request, strlen(canonical_request), hash);
	sts = xasprintf("ACS3-HMAC-SHA256\n%s", hash);
	hmac(EVP_sha256(), secret, strlen(secret), sts, mac);
	hex_encode(mac, 32, out);
	free(sts);
	return out;
}

void
sms_sign_utc_date(int64_t timestamp, char out[11])
{
	time_t t = (time_t)timestamp;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 11, "%Y-%m-%d", &tm) != 10)
		memcpy(out, "1970-01-01", 11);
}

char *
sms_sign_tc3(const char *canonical_request, int64_t timestamp,
    const char *service, const char *secret)
{
	unsigned char k1[EVP_MAX_MD_SIZE], k2[EVP_MAX_MD_SIZE];
	char date[11], hash[65], *sts, *key, *out = xmalloc(65);

	sms_sign_utc_date(timestamp, date);
	sms_sign_sha256_hex(canonical_request, strlen(canonical_request), hash);
	sts = xasprintf("TC3-HMAC-SHA256\n%lld\n%s/%s/tc3_request\n%s",
	    (long long)timestamp, date, service, hash);
	key = xasprintf("TC3%s", secret);
	hmac(EVP_sha256(), key, strlen(key), date, k1);
	hmac(EVP_sha256(), k1, 32, service, k2);
	hmac(EVP_sha256(), k2, 32, "tc3_request", k1);
	hmac(EVP_sha256(), k1, 32, sts, k2);
	hex_encode(k2, 32, out);
	explicit_bzero(key, strlen(key));
	explicit_bzero(k1, sizeof k1);
	free(key);
	free(sts);
	return out;
}

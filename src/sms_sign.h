/* sms_sign.h - the request signatures of the cloud SMS providers, each
 * written against the provider's published algorithm, without I/O.
 *
 * Aliyun RPC, SignatureVersion 1.0 (HMAC-SHA1): the parameters, Signature
 * left out, sorted by name (byte order), each name and value encoded as
 * sms_sign_encode() does, joined as "k=v&k=v"; the string to sign is
 * METHOD "&" encode("/") "&" encode(that query); the signature is the
 * base64 of HMAC-SHA1 keyed with the AccessKey secret followed by "&".
 *
 * Aliyun V3 (ACS3-HMAC-SHA256): the canonical request is METHOD "\n" path
 * "\n" canonical query "\n" canonical headers "\n" signed headers "\n"
 * hex SHA-256 of the body; canonical headers are "name:value\n" for each
 * signed header, names lower case and sorted, values trimmed; signed
 * headers the names joined by ";".  The signature is the hex of
 * HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" hex SHA-256(canonical
 * request)).
 *
 * Tencent Cloud API 3.0 (TC3-HMAC-SHA256): the canonical request is built
 * like Aliyun's V3 one; the string to sign is "TC3-HMAC-SHA256\n"
 * timestamp "\n" date "/" service "/tc3_request\n" hex SHA-256(canonical
 * request), date the UTC day of the timestamp (YYYY-MM-DD); the key is
 * HMAC-SHA256 chained over "TC3" secret, date, service and "tc3_request";
 * the signature is the hex of HMAC-SHA256(key, string to sign).
 *
 * The secrets pass through here and nowhere else is any of them kept. */
#ifndef OUTREACHD_SMS_SIGN_H
#define OUTREACHD_SMS_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* A request parameter or header.  Borrowed strings. */
struct sms_kv {
	const char *key;
	const char *value;
};

/* Percent-encodes s as both providers want it (RFC 3986): A-Z a-z 0-9
 * '-' '_' '.' '~' as they are, every other byte %XX in upper case, so a
 * space is %20 and '*' is %2A. */
void sms_sign_encode(struct buf *b, const char *s);
/* "k=v&k=v": kv sorted by key (then value) in byte order, encoded.
 * kv is sorted in place.  malloc'd. */
char *sms_sign_query(struct sms_kv *kv, size_t n);
/* The hex SHA-256 of data (64 digits and a NUL into out). */
void sms_sign_sha256_hex(const void *data, size_t len, char out[65]);
/* The Aliyun RPC signature (base64) over the parameters kv, Signature not
 * among them; kv is sorted in place.  malloc'd. */
char *sms_sign_aliyun_rpc(const char *method, struct sms_kv *kv, size_t n,
    const char *secret);
/* A canonical request as Aliyun V3 and Tencent TC3 define it: headers
 * with lower-case names (sorted in place), body hashed.  *signed_headers
 * (may be NULL) gets "name;name" (malloc'd).  malloc'd. */
char *sms_sign_canonical_request(const char *method, const char *path,
    const char *query, struct sms_kv *headers, size_t nheaders,
    const char *body, size_t body_len, char **signed_headers);
/* The Aliyun V3 signature (hex) of a canonical request.  malloc'd. */
char *sms_sign_acs3(const char *canonical_request, const char *secret);
/* The Tencent TC3 signature (hex) of a canonical request made at
 * timestamp (unix seconds) for service ("sms").  malloc'd. */
char *sms_sign_tc3(const char *canonical_request, int64_t timestamp,
    const char *service, const char *secret);
/* "YYYY-MM-DD" of the UTC day of timestamp, for TC3's credential scope. */
void sms_sign_utc_date(int64_t timestamp, char out[11]);

#endif

/* sms_sign_dump.c - builds and signs provider requests described on
 * stdin, for tests/sms_sign_oracle.py to check against an independent
 * implementation (Python's hmac and hashlib).
 *
 * Each input line is tab-separated: PROVIDER (aliyun, tencent), SIG
 * (acs3, sha1), KEY_ID, SECRET, SIGN_NAME, TO, TEMPLATE_ID, NOW, NONCE,
 * ID, then NAME=VALUE per parameter.  Each output line is the request as
 * JSON: {"url":..., "body":..., "headers":[...]}, or {"error":...}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "sms_provider.h"
#include "util.h"

#define MAXF 32

/* Prints req as one JSON line. */
static void
print_request(const struct sms_gw_request *req)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_puts(&b, "{\"url\":");
	json_read_quote(&b, req->url);
	buf_puts(&b, ",\"body\":");
	json_read_quote(&b, req->body != NULL ? req->body : "");
	buf_puts(&b, ",\"headers\":[");
	for (i = 0; i < req->nheaders; i++) {
		if (i > 0)
			buf_addc(&b, ',');
		json_read_quote(&b, req->headers[i]);
	}
	buf_puts(&b, "]}");
	puts(b.data);
	buf_free(&b);
}

/* Signs the request one line describes. */
static void
dump_line(char *line)
{
	char *f[MAXF], *p = line, *eq, *cause = NULL;
	struct sms_kv kv[MAXF];
	struct sms_provider prov = { 0 };
	struct sms_provider_msg m = { 0 };
	struct sms_gw_request req;
	size_t n = 0, i;

	line[strcspn(line, "\n")] = '\0';
	while (n < MAXF && p != NULL)
		f[n++] = strsep(&p, "\t");
	if (n < 10) {
		puts("{\"error\":\"short line\"}");
		return;
	}
	prov.kind = strcmp(f[0], "aliyun") == 0 ? SMS_PROVIDER_ALIYUN :
	    SMS_PROVIDER_TENCENT;
	prov.sig = strcmp(f[1], "sha1") == 0 ? SMS_SIG_HMAC_SHA1 :
	    SMS_SIG_ACS3;
	prov.url = "http://127.0.0.1:8/";
	prov.key_id = f[2], prov.secret = f[3], prov.sign_name = f[4];
	prov.sdk_app_id = "1400000000";
	m.to = f[5], m.template_id = f[6];
	m.id = strtoll(f[9], NULL, 10);
	for (i = 10; i < n; i++) {
		if ((eq = strchr(f[i], '=')) == NULL)
			continue;
		*eq = '\0';
		kv[m.nparams++] = (struct sms_kv){ f[i], eq + 1 };
	}
	m.params = kv;
	if (sms_provider_send(&prov, &m, strtoll(f[7], NULL, 10), f[8], &req,
	    &cause) != 0) {
		printf("{\"error\":\"%s\"}\n", cause);
		free(cause);
		return;
	}
	print_request(&req);
	sms_gw_request_free(&req);
}

int
main(void)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, stdin) > 0)
		dump_line(line);
	free(line);
	return 0;
}

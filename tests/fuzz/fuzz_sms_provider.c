/* fuzz_sms_provider.c - libFuzzer target: what the SMS providers send
 * back, and what anybody with the callback secret can post, read by
 * json_read.c and sms_provider.c: SendSms answers, status query answers
 * and status pushes of both providers, and the request kept with a
 * message (tmpl_provider_req_parse) on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sms_provider.h"
#include "tmpl_provider.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sms_provider p = { .kind = SMS_PROVIDER_ALIYUN };
	struct sms_provider_report *r;
	struct sms_provider_result res;
	struct tmpl_provider_req req;
	char *s = xmalloc(size + 1), *cause = NULL;
	size_t n;
	int k;

	memcpy(s, data, size);
	s[size] = '\0';
	for (k = 0; k < 2; k++) {
		p.kind = k == 0 ? SMS_PROVIDER_ALIYUN : SMS_PROVIDER_TENCENT;
		sms_provider_parse_send(&p, 200 + (long)(size % 400), 1, s, size,
		    &res);
		sms_provider_result_free(&res);
		if (sms_provider_parse_query(&p, 200, s, size, &r, &n,
		    &cause) == 0)
			sms_provider_reports_free(r, n);
		free(cause);
		cause = NULL;
		if (sms_provider_parse_push(p.kind, s, size, &r, &n,
		    &cause) == 0)
			sms_provider_reports_free(r, n);
		free(cause);
		cause = NULL;
	}
	if (tmpl_provider_req_parse(s, &req, NULL) == 0)
		tmpl_provider_req_free(&req);
	free(s);
	return 0;
}

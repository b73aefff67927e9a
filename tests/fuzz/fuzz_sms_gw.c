/* fuzz_sms_gw.c - libFuzzer target: the gateway callback parsers (delivery
 * reports, unsubscribe keywords) and the answer classifier on arbitrary
 * input, split into fields at NUL bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sms_gw.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int ok[] = { 200, 202, 0 };
	struct sms_gw gw = { .kind = SMS_GW_HTTP, .url = "http://127.0.0.1/x",
		.method = SMS_GW_POST_JSON, .body = "{\"to\":\"{to}\"}",
		.success_status = ok, .success_match = "ok",
		.id_regex = "\"id\":\"([^\"]+)\"" };
	char *buf = xmalloc(size + 4), *f[4], *cause = NULL;
	struct sms_gw_dlr dlr;
	struct sms_gw_result res;
	size_t i, k = 0;

	memcpy(buf, data, size);
	memset(buf + size, 0, 4);
	f[0] = buf;
	for (i = 0; i < size && k < 3; i++) {
		if (buf[i] == '\0')
			f[++k] = buf + i + 1;
	}
	while (k < 3)
		f[++k] = buf + size;
	if (sms_gw_parse_dlr(f[0], f[1], f[2], &dlr, &cause) == 0)
		sms_gw_dlr_free(&dlr);
	free(cause);
	sms_gw_is_unsubscribe(f[0], NULL);
	memset(&res, 0, sizeof(res));
	sms_gw_parse(&gw, size % 600, f[1], f[2], strlen(f[2]), 0, &res);
	sms_gw_result_free(&res);
	gw.kind = SMS_GW_KANNEL;
	memset(&res, 0, sizeof(res));
	sms_gw_parse(&gw, (long)(size * 7 % 600), NULL, f[0], strlen(f[0]), 0,
	    &res);
	sms_gw_result_free(&res);
	free(buf);
	return 0;
}

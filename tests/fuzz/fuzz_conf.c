/* fuzz_conf.c - libFuzzer target: configuration loading and validation on
 * arbitrary text (written to a temporary file, as conf_load reads files). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct conf *c;
	char *cause = NULL;
	FILE *fp;

	if (size > 65536)
		return 0;
	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/fuzz_conf.%d", (int)getpid());
	if ((fp = fopen(path, "w")) == NULL)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	c = conf_load(path, &cause);
	conf_free(c);
	free(cause);
	return 0;
}

/* fuzz_csv.c - libFuzzer target: the CSV reader on arbitrary bytes, with
 * small limits so the limit paths are reached, then each field through the
 * customer field validation the importer applies. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "csv.h"
#include "customer.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct customer_rules rules = { .default_cc = "86" };
	FILE *fp = fmemopen((void *)data, size, "r");
	struct csv_reader *r;
	const struct csv_record *rec;
	char *cause = NULL, *out = NULL;
	size_t i;
	int rc;

	if (fp == NULL)
		return 0;
	r = csv_reader_new(fp);
	csv_reader_set_limits(r, 4096, 64, 65536);
	while ((rc = csv_read(r, &rec, &cause)) == 1) {
		for (i = 0; i < rec->nfields; i++) {
			if (customer_normalize((enum cust_field)(i % CUST_NFIELDS),
			    rec->fields[i], &rules, &out, &cause) == 0)
				free(out);
			else
				free(cause);
			out = cause = NULL;
		}
	}
	free(cause);
	csv_reader_free(r);
	fclose(fp);
	return 0;
}

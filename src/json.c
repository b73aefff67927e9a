/* json.c - a small streaming JSON writer. */
#include "json.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

void
json_init(struct json *j, FILE *fp, int pretty)
{
	j->fp = fp;
	j->depth = 0;
	j->first[0] = 1;
	j->pretty = pretty;
}

static void
json_indent(struct json *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->fp);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->fp);
}

/* Called before every value or key: writes the separating comma. */
static void
json_sep(struct json *j)
{
	if (j->depth > 0 && j->first[j->depth] == -1) {
		j->first[j->depth] = 0; /* value right after its key */
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->fp);
	j->first[j->depth] = 0;
	if (j->depth > 0)
		json_indent(j);
}

static void
json_open(struct json *j, char c)
{
	json_sep(j);
	fputc(c, j->fp);
	if (j->depth < 31)
		j->depth++;
	j->first[j->depth] = 1;
}

static void
json_close(struct json *j, char c)
{
	int empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty)
		json_indent(j);
	fputc(c, j->fp);
	if (j->depth == 0)
		fputc('\n', j->fp);
}

void
json_begin_object(struct json *j)
{
	json_open(j, '{');
}

void
json_end_object(struct json *j)
{
	json_close(j, '}');
}

void
json_begin_array(struct json *j)
{
	json_open(j, '[');
}

void
json_end_array(struct json *j)
{
	json_close(j, ']');
}

/* Writes s as a JSON string (with quotes) into fp. */
static void
json_write_escaped(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '"':
			fputs("\\\"", fp);
			break;
		case '\\':
			fputs("\\\\", fp);
			break;
		case '\n':
			fputs("\\n", fp);
			break;
		case '\r':
			fputs("\\r", fp);
			break;
		case '\t':
			fputs("\\t", fp);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(fp, "\\u%04x", c);
			else
				fputc(c, fp);
		}
	}
	fputc('"', fp);
}

void
json_key(struct json *j, const char *key)
{
	json_sep(j);
	json_write_escaped(j->fp, key);
	fputs(j->pretty ? ": " : ":", j->fp);
	j->first[j->depth] = -1;
}

void
json_string(struct json *j, const char *s)
{
	json_sep(j);
	if (s == NULL)
		fputs("null", j->fp);
	else
		json_write_escaped(j->fp, s);
}

/* A number value; json_kv_int() is the way in from outside. */
static void
json_int(struct json *j, int64_t v)
{
	json_sep(j);
	fprintf(j->fp, "%" PRId64, v);
}

void
json_null(struct json *j)
{
	json_sep(j);
	fputs("null", j->fp);
}

void
json_bool(struct json *j, int v)
{
	json_sep(j);
	fputs(v ? "true" : "false", j->fp);
}

void
json_kv_string(struct json *j, const char *key, const char *v)
{
	json_key(j, key);
	json_string(j, v);
}

void
json_kv_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void
json_double(struct json *j, double v)
{
	char b[32];
	int prec;

	json_sep(j);
	if (!isfinite(v)) {
		fputs("null", j->fp);
		return;
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(b, sizeof(b), "%.*g", prec, v);
		if (strtod(b, NULL) == v)
			break;
	}
	if (prec == 17)
		snprintf(b, sizeof(b), "%.17g", v);
	fputs(b, j->fp);
}

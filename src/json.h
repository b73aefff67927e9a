/* json.h - a small streaming JSON writer for --json output.  It tracks
 * commas itself so callers just emit keys and values in order. */
#ifndef OUTREACHD_JSON_H
#define OUTREACHD_JSON_H

#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *fp;
	int depth;
	int first[32]; /* per nesting level: nothing written yet */
	int pretty;
};

void json_init(struct json *j, FILE *fp, int pretty);
void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s); /* NULL writes null */
void json_null(struct json *j);
void json_bool(struct json *j, int v);
/* A number, the shortest text that reads back as v (null for NaN and
 * infinities, which JSON cannot hold). */
void json_double(struct json *j, double v);
/* Shorthands: key then value. */
void json_kv_string(struct json *j, const char *key, const char *v);
void json_kv_int(struct json *j, const char *key, int64_t v);

#endif

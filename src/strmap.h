/* strmap.h - a string-keyed hash map to int64 (open addressing, FNV-1a).
 * Keys are copied and owned by the map. */
#ifndef OUTREACHD_STRMAP_H
#define OUTREACHD_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap;

struct strmap *strmap_new(void);
void strmap_free(struct strmap *m);
/* Sets key to v.  Returns 1 if the key was already there (value replaced). */
int strmap_put(struct strmap *m, const char *key, int64_t v);
/* 1 and *v when found, 0 otherwise.  v may be NULL. */
int strmap_get(const struct strmap *m, const char *key, int64_t *v);

#endif

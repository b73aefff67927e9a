/* strmap.c - a string-keyed hash map to int64. */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct strmap_slot {
	char *key;
	uint64_t hash;
	int64_t value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap; /* power of two */
	size_t count;
};

static uint64_t
strmap_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct strmap *
strmap_new(void)
{
	struct strmap *m = xcalloc(1, sizeof(*m));

	m->cap = 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	return m;
}

void
strmap_free(struct strmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	free(m);
}

static struct strmap_slot *
strmap_find(const struct strmap *m, const char *key, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);

	while (m->slots[i].key != NULL) {
		if (m->slots[i].hash == h && strcmp(m->slots[i].key, key) == 0)
			break;
		i = (i + 1) & (m->cap - 1);
	}
	return &m->slots[i];
}

/* Doubles the table when it is 3/4 full to keep probe chains short. */
static void
strmap_grow(struct strmap *m)
{
	struct strmap old = *m;
	struct strmap_slot *s;
	size_t i;

	m->cap *= 2;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (i = 0; i < old.cap; i++) {
		if (old.slots[i].key == NULL)
			continue;
		s = strmap_find(m, old.slots[i].key, old.slots[i].hash);
		*s = old.slots[i];
	}
	free(old.slots);
}

int
strmap_put(struct strmap *m, const char *key, int64_t v)
{
	uint64_t h = strmap_hash(key);
	struct strmap_slot *s = strmap_find(m, key, h);

	if (s->key != NULL) {
		s->value = v;
		return 1;
	}
	s->key = xstrdup(key);
	s->hash = h;
	s->value = v;
	if (++m->count * 4 > m->cap * 3)
		strmap_grow(m);
	return 0;
}

int
strmap_get(const struct strmap *m, const char *key, int64_t *v)
{
	struct strmap_slot *s = strmap_find(m, key, strmap_hash(key));

	if (s->key == NULL)
		return 0;
	if (v != NULL)
		*v = s->value;
	return 1;
}

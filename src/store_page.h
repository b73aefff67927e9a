/* store_page.h - what the reps' pages and signed links read from the
 * store: a rep with the hash of their feed token, and a customer's last
 * contact.  Feed tokens themselves are in store_task.h. */
#ifndef OUTREACHD_STORE_PAGE_H
#define OUTREACHD_STORE_PAGE_H

#include <stdint.h>

#include "store.h"

/* The rep with this id and the hash (hex) of their feed token, NULL when
 * the token was revoked: 1 found (free *hash and the rep), 0 not, -1. */
int store_rep_by_id(struct store *st, int64_t id, struct store_rep *r,
    char **hash, char **cause);
/* The hash of a rep's feed token: 1 (*hash malloc'd), 0 when the rep has
 * none (or no such rep), -1 on error. */
int store_rep_token_hash(struct store *st, const char *key, char **hash,
    char **cause);

/* A customer's last logged contact.  Strings malloc'd. */
struct store_contact {
	int32_t day;
	char *kind;
	char *note;
};
/* 1 found, 0 none, -1 error. */
int store_contact_last(struct store *st, int64_t customer_id,
    struct store_contact *c, char **cause);
void store_contact_clear(struct store_contact *c);

#endif

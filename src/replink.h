/* replink.h - the signed links a rep's feed carries for each task,
 * base_url/t/LINK, and the form token of the page they open.
 *
 * LINK is base64url(rep id, task id, MAC): 8 + 8 bytes and the first 16
 * bytes (128 bits) of HMAC-SHA256 over both and the SHA-256 of the rep's
 * current feed token.  So a link names one task of one rep, cannot be
 * guessed or altered, and stops working when the rep's token is revoked
 * or replaced.  The key is the store's "replink_secret" (state table),
 * made by `outreachctl rep token`.  The page's form carries a second MAC
 * over the same input (a different label), which a cross-site form cannot
 * know.  Every comparison is constant-time. */
#ifndef OUTREACHD_REPLINK_H
#define OUTREACHD_REPLINK_H

#include <stdint.h>

#include "store.h"
#include "token.h"

#define REPLINK_LEN 43		/* characters of a link */
#define REPLINK_FORM_LEN 22	/* characters of a form token */

/* Reads the link key: 1, 0 when there is none yet (made when `create`),
 * -1 on a store error. */
int replink_secret(struct store *st, unsigned char key[TOKEN_SECRET_LEN],
    int create, char **cause);
/* The link of a task for the rep whose token hash (hex) is token_hash.
 * malloc'd. */
char *replink_make(const unsigned char key[TOKEN_SECRET_LEN], int64_t rep_id,
    int64_t task_id, const char *token_hash);
/* The ids a well-formed link names (not yet verified): 0, or -1. */
int replink_parse(const char *link, int64_t *rep_id, int64_t *task_id);
/* 0 when link is authentic for the rep's current token hash, else -1. */
int replink_verify(const unsigned char key[TOKEN_SECRET_LEN],
    const char *link, const char *token_hash);
/* The form token of a (verified) link's page.  malloc'd. */
char *replink_form(const unsigned char key[TOKEN_SECRET_LEN],
    const char *link, const char *token_hash);
/* 0 when form (may be NULL) is the page's form token, else -1. */
int replink_form_check(const unsigned char key[TOKEN_SECRET_LEN],
    const char *link, const char *token_hash, const char *form);
/* base_url/t/LINK.  malloc'd. */
char *replink_url(const char *base_url, const char *link);

#endif

/* forget.h - a forgotten customer's copies outside the store. */
#ifndef OUTREACHD_FORGET_H
#define OUTREACHD_FORGET_H

#include <stddef.h>
#include <stdint.h>

/* Removes from the maildir dir (its new/, cur/ and tmp/) every message the
 * maildir transport wrote for customer_id: those whose X-Outreachd-Key
 * header (RULE:CUSTOMER-ID:DATE:CHANNEL) names it.  Adds the number
 * removed to *n.  A missing maildir holds nothing.  0, or -1 with *cause
 * naming what could not be read or removed (other files may have gone). */
int forget_maildir(const char *dir, int64_t customer_id, size_t *n,
    char **cause);

#endif

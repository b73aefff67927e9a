/* httpd.h - the HTTP service (libmicrohttpd): reps' iCal feeds,
 * one-click unsubscribe, Kannel callbacks, /healthz and /metrics.
 * It runs in its own thread with its own store connection. */
#ifndef OUTREACHD_HTTPD_H
#define OUTREACHD_HTTPD_H

#include <stdint.h>

#include "conf.h"
#include "metrics.h"

struct httpd;

/* Listens on cf->http.listen; opens store_path itself.  The conf must stay
 * valid until httpd_set_conf() replaces it or httpd_stop(); metrics (may
 * be NULL) is counted into and read by /metrics, and must outlive it. */
int httpd_start(const struct conf *cf, const char *store_path,
    struct metrics *metrics, struct httpd **out, char **cause);
/* Stops accepting, finishes requests in progress, frees; NULL is fine. */
void httpd_stop(struct httpd *h);
/* Swaps the configuration after a reload; once it returns the old conf is
 * no longer used and may be freed. */
void httpd_set_conf(struct httpd *h, const struct conf *cf);
#endif

/* httpd.c - PLACEHOLDER until the HTTP service lands: starts nothing. */
#include "httpd.h"

int
httpd_start(const struct conf *cf, const char *store_path, struct httpd **out,
    char **cause)
{
	(void)cf;
	(void)store_path;
	(void)cause;
	*out = NULL;
	return 0;
}

void
httpd_stop(struct httpd *h)
{
	(void)h;
}

void
httpd_set_conf(struct httpd *h, const struct conf *cf)
{
	(void)h;
	(void)cf;
}

void
httpd_set_scan(struct httpd *h, int64_t last_scan, double seconds)
{
	(void)h;
	(void)last_scan;
	(void)seconds;
}

void
httpd_add_sends(struct httpd *h, const struct deliver_stats *s)
{
	(void)h;
	(void)s;
}

/* daemon.h - the outreachd service loop: scan (tiers, plan), queue and
 * deliver, sleeping until the next scan, retry or end of quiet hours;
 * SIGHUP reloads (keeping the old configuration on any error), SIGTERM
 * stops after in-flight sends. */
#ifndef OUTREACHD_DAEMON_H
#define OUTREACHD_DAEMON_H

#include <stdint.h>

struct daemon_opts {
	const char *conf_path; /* NULL: the default file, else built-ins */
	int once;	       /* one full cycle, then exit */
	int notify;	       /* talk to systemd (NOTIFY_SOCKET set) */
};

/* Runs until stopped; returns an exit code (sysexits.h). */
int daemon_run(const struct daemon_opts *o);

/* One scan: tiers when due, then planning from the last planned day (or
 * the grace window) through tomorrow.  Exposed for outreachctl. */
struct conf;
struct store;
/* Takes the state directory's lock (one daemon per store); *fd stays open
 * while it is held.  -1 with the holder's pid in *cause when taken. */
int daemon_lock_acquire(const struct conf *cf, int *fd, char **cause);
int daemon_scan(const struct conf *cf, struct store *st, int64_t now,
    char **cause);

#endif

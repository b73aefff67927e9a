/* daemon.h - the outreachd service loop: scan (tiers, plan), queue and
 * deliver, sleeping until the next scan, retry or end of quiet hours;
 * SIGHUP reloads (keeping the old configuration on any error), SIGUSR1
 * (outreachctl after a change) plans and sends at once, SIGTERM stops
 * after in-flight sends. */
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

#endif

/* conf_live.h - going live: settings that load and run, but with which
 * outreachd cannot work in production.  The e-mail of an SMTP transport
 * must carry an unsubscribe link customers can reach, with the one-click
 * header (RFC 8058) that only an https link gets; it must not greet the
 * server, or end its Message-IDs, as localhost; its Message-ID domain
 * should be its From domain's.  A service must not hand its messages to
 * the maildir transport, which writes them to a directory, nor need a
 * secret file it cannot read (missing, or its owner's alone while the
 * unit runs as a DynamicUser=).
 *
 * check-config and outreachd --check show the warnings (check-config
 * --strict fails on them), and the daemon logs them whenever it loads the
 * configuration. */
#ifndef OUTREACHD_CONF_LIVE_H
#define OUTREACHD_CONF_LIVE_H

#include "conf.h"

/* 1 when this process was started by systemd: $INVOCATION_ID (every
 * unit) or $NOTIFY_SOCKET (Type=notify) is set. */
int conf_live_systemd(void);

/* Why c would not work in production, one line each: "FILE:LINE: warning:
 * SETTING ..." at the setting's line, or "FILE: warning: SETTING ...
 * (the default)" for one the file leaves out.  service: c runs, or will
 * run, as the service that sends for real, so the maildir transport is a
 * problem too.  Returns a NULL-ended array, or NULL when all is well. */
char **conf_live_check(const struct conf *c, int service);
/* Frees what conf_live_check() returned; NULL is fine. */
void conf_live_free(char **warnings);

#endif

/* callback.h - the secret in the URLs Kannel calls back (delivery reports
 * and inbound SMS): the first line of http.callback_secret_file, which is
 * made with a random secret the first time either program needs it, so
 * that the daemon and `outreachctl send` agree without any setup and the
 * admin can read it for Kannel's sms-service URL. */
#ifndef OUTREACHD_CALLBACK_H
#define OUTREACHD_CALLBACK_H

#define CALLBACK_SECRET_MIN 16	/* characters */
#define CALLBACK_SECRET_MAX 256

struct conf;

/* Reads the secret from cf's http.callback_secret_file into *out
 * (malloc'd), creating the file (mode 0600, 32 random bytes in hex) when
 * it does not exist, unless it is a systemd credential (%d/NAME).  The
 * secret must be CALLBACK_SECRET_MIN..MAX characters that need no
 * escaping in a URL: letters, digits, '-', '_', '.' and '~'.  0, or -1
 * with *cause. */
int callback_secret_load(const struct conf *cf, char **out, char **cause);
/* 1 when given (NULL: none) is the secret.  The time taken does not depend
 * on where the two differ. */
int callback_secret_equal(const char *secret, const char *given);

#endif

/* callback.c - the secret of the Kannel callback URLs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "callback.h"
#include "conf.h"
#include "token.h"
#include "util.h"

/* Letters, digits and the unreserved marks of RFC 3986, nothing else. */
static int
callback_secret_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= CALLBACK_SECRET_MIN && n <= CALLBACK_SECRET_MAX &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_.~") == n;
}

/* Reads the secret in path; 1 when the file does not exist. */
static int
callback_secret_read(const char *path, char **out, char **cause)
{
	char *line;
	int rc;

	if ((rc = file_first_line("http.callback_secret_file", path, &line,
	    cause)) != 0)
		return rc;
	if (!callback_secret_ok(line)) {
		free(line);
		return set_error(cause, "http.callback_secret_file %s: the "
		    "secret must be %d to %d letters, digits, '-', '_', '.' or "
		    "'~'", path, CALLBACK_SECRET_MIN, CALLBACK_SECRET_MAX);
	}
	*out = line;
	return 0;
}

/* Writes a new random secret to a file of its own and links it to path,
 * so that nobody ever reads a half-written file; EEXIST (another process
 * was first) is success. */
static int
callback_secret_make(const char *path, char **cause)
{
	unsigned char rnd[32];
	char *hex, *tmp, *dir;
	int fd, rc = -1, ok;

	if (token_random(rnd, sizeof(rnd)) != 0)
		return set_error(cause, "cannot read random bytes: %m");
	hex = token_hex(rnd, sizeof(rnd));
	memset(rnd, 0, sizeof(rnd));
	/* The default place is the state directory, which nothing else may
	 * have made yet (the maildirs make theirs when first written): made
	 * 0700, as the store's is. */
	dir = xstrdup(path);
	if (strrchr(dir, '/') != NULL && strrchr(dir, '/') != dir) {
		*strrchr(dir, '/') = '\0';
		(void)dir_make_private("state directory", dir, NULL);
	}
	free(dir);
	tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    S_IRUSR | S_IWUSR);
	if (fd < 0) {
		set_error(cause, "http.callback_secret_file %s: %m", path);
		goto out;
	}
	ok = dprintf(fd, "%s\n", hex) > 0 && fsync(fd) == 0;
	if (close(fd) != 0 || !ok) {
		set_error(cause, "http.callback_secret_file %s: %m", tmp);
		unlink(tmp);
		goto out;
	}
	if (link(tmp, path) != 0 && errno != EEXIST)
		set_error(cause, "http.callback_secret_file %s: %m", path);
	else
		rc = 0;
	unlink(tmp);
out:
	memset(hex, 0, strlen(hex));
	free(hex);
	free(tmp);
	return rc;
}

/* The secret in path, made if missing. */
static int
callback_secret_file(const char *path, char **out, char **cause)
{
	int rc;

	if ((rc = callback_secret_read(path, out, cause)) != 1)
		return rc;
	if (callback_secret_make(path, cause) != 0)
		return -1;
	if ((rc = callback_secret_read(path, out, cause)) == 1)
		return set_error(cause, "http.callback_secret_file %s: "
		    "vanished", path);
	return rc;
}

int
callback_secret_load(const struct conf *cf, char **out, char **cause)
{
	const char *value = cf->http.callback_secret_file;
	const char *cred = conf_credential_name(value);
	char *path;
	int rc;

	*out = NULL;
	if (conf_secret_path(cf, "http.callback_secret_file", value, &path,
	    cause) != 0)
		return -1;
	/* A credential is systemd's to pass: made here, it would be lost
	 * with the credentials directory at the next start. */
	if (cred == NULL)
		rc = callback_secret_file(path, out, cause);
	else if ((rc = callback_secret_read(path, out, cause)) == 1)
		rc = set_error(cause, "http.callback_secret_file %s: no such "
		    "credential (LoadCredential=%s:FILE in the unit)", path,
		    cred);
	free(path);
	return rc;
}

int
callback_secret_equal(const char *secret, const char *given)
{
	char *a, *b;
	int eq;

	if (secret == NULL || given == NULL)
		return 0;
	/* Hashes have one length whatever was given. */
	a = token_hash(secret);
	b = token_hash(given);
	eq = token_hash_equal(a, b);
	free(a);
	free(b);
	return eq;
}

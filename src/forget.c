/* forget.c - a forgotten customer's copies outside the store: the messages
 * the maildir transport (deliver_maildir.c) keeps, e-mails as .eml files
 * and SMS as short text files, both with an X-Outreachd-Key header whose
 * second field is the customer's id.  Ids are never reused (schema 8), so
 * the id names one person only. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "forget.h"
#include "util.h"

#define KEY_HEADER "X-Outreachd-Key:"

/* 1 when the dedup key RULE:ID:DATE:CHANNEL names customer id. */
static int
key_names(const char *key, int64_t id)
{
	const char *p, *e;
	char want[24];
	int i;

	/* From the right: the rule name has no colon, the others neither. */
	e = key + strlen(key);
	for (i = 0; i < 2; i++) {
		while (e > key && e[-1] != ':')
			e--;
		if (e == key)
			return 0;
		e--;
	}
	for (p = e; p > key && p[-1] != ':'; p--)
		;
	if (p == key)
		return 0;
	snprintf(want, sizeof want, "%lld", (long long)id);
	return (size_t)(e - p) == strlen(want) && memcmp(p, want,
	    (size_t)(e - p)) == 0;
}

/* Reads the header of the message at path: 1 when its key names id, 0 when
 * not (or it has none), -1 when it cannot be read. */
static int
message_names(const char *path, int64_t id)
{
	FILE *fp;
	char *line = NULL, *v;
	size_t cap = 0;
	ssize_t n;
	int found = 0, err;

	if ((fp = fopen(path, "r")) == NULL)
		return errno == ENOENT ? 0 : -1;
	while (!found && (n = getline(&line, &cap, fp)) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		if (*line == '\0')
			break;	/* the end of the header */
		if (strncasecmp(line, KEY_HEADER, strlen(KEY_HEADER)) != 0)
			continue;
		v = line + strlen(KEY_HEADER);
		v += strspn(v, " \t");
		found = key_names(v, id);
	}
	err = ferror(fp) ? errno : 0;
	free(line);
	fclose(fp);
	errno = err;
	return err != 0 ? -1 : found;
}

/* One of the maildir's folders. */
static int
forget_folder(const char *dir, int64_t id, size_t *n, char **cause)
{
	DIR *d;
	struct dirent *de;
	char *path;
	int rc = 0, r;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return set_error(cause, "%s: %m", dir);
	}
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if ((r = message_names(path, id)) < 0)
			rc = set_error(cause, "%s: %m", path);
		else if (r == 1 && unlink(path) != 0 && errno != ENOENT)
			rc = set_error(cause, "cannot remove %s: %m", path);
		else if (r == 1)
			(*n)++;
		free(path);
	}
	if (rc == 0 && errno != 0)
		rc = set_error(cause, "%s: %m", dir);
	closedir(d);
	return rc;
}

int
forget_maildir(const char *dir, int64_t customer_id, size_t *n,
    char **cause)
{
	static const char *const subs[] = { "new", "cur", "tmp" };
	char *path;
	size_t i;
	int rc = 0;

	if (str_empty(dir))
		return 0;
	for (i = 0; rc == 0 && i < ARRAY_SIZE(subs); i++) {
		path = xasprintf("%s/%s", dir, subs[i]);
		rc = forget_folder(path, customer_id, n, cause);
		free(path);
	}
	return rc;
}

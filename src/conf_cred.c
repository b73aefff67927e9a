/* conf_cred.c - secrets passed as systemd credentials.  A secret's file
 * setting may read "%d/NAME", systemd's own specifier for the credentials
 * directory, so the configuration says what the unit says
 * (LoadCredential=NAME:/etc/outreachd/NAME).  The path is kept as written
 * and resolved where the secret is read: outreachctl's commands that send
 * nothing work from a shell that has no credentials, and only what needs
 * the secret fails, naming the setting and its line. */
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"

#define CRED_PREFIX "%d/"

const char *
conf_credential_name(const char *value)
{
	size_t n = strlen(CRED_PREFIX);

	return value != NULL && strncmp(value, CRED_PREFIX, n) == 0 ?
	    value + n : NULL;
}

/* systemd takes a credential name as a file name in the directory. */
static int
cred_name_ok(const char *name)
{
	return *name != '\0' && strchr(name, '/') == NULL &&
	    strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

void
conf_credential_check(struct conf_errors *e, const config_setting_t *g,
    const struct conf_entry *ent, const char *value)
{
	const char *gname = config_setting_name(g);
	const char *name = conf_credential_name(value);

	if (name == NULL || cred_name_ok(name))
		return;
	conf_error(e, config_setting_get_member(g, ent->name),
	    "%s%s%s = \"%s\": after %%d/ comes a credential's name, a file "
	    "name without '/'", gname ? gname : "", gname ? "." : "",
	    ent->name, value);
}

int
conf_secret_path(const struct conf *c, const char *setting,
    const char *value, char **out, char **cause)
{
	const char *dir, *name = conf_credential_name(value);

	*out = NULL;
	if (name == NULL) {
		*out = xstrdup(value);
		return 0;
	}
	dir = getenv("CREDENTIALS_DIRECTORY");
	if (dir == NULL || *dir == '\0')
		return set_error(cause, "%s:%d: %s = \"%s\": %%d is the "
		    "credentials directory systemd passes in "
		    "$CREDENTIALS_DIRECTORY, which is not set (start outreachd "
		    "from a unit with LoadCredential=%s:FILE, or set "
		    "CREDENTIALS_DIRECTORY to a directory holding %s)",
		    c->path ? c->path : "(built-in defaults)",
		    conf_setting_line(c, setting), setting, value, name, name);
	*out = xasprintf("%s/%s", dir, name);
	return 0;
}

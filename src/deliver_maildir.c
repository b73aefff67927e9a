/* deliver_maildir.c - the embedded transport: each message becomes a file
 * in a maildir (tmp/ then rename into new/, so readers never see half a
 * message).  The default when no server is configured. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compose.h"
#include "deliver_priv.h"

/* mkdir -p for DIR and its tmp/ new/ cur/. */
static int
maildir_make(const char *dir, char **cause)
{
	static const char *const subs[] = { "", "/tmp", "/new", "/cur" };
	char *p, *path;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(subs); i++) {
		path = xasprintf("%s%s", dir, subs[i]);
		for (p = path + 1; *p != '\0'; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			mkdir(path, 0750);
			*p = '/';
		}
		if (mkdir(path, 0750) != 0 && errno != EEXIST) {
			set_error(cause, "%s: %m", path);
			free(path);
			return -1;
		}
		free(path);
	}
	return 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* An SMS as a small text file: recipient, key, then the text. */
static char *
sms_file(const struct outbox_msg *m, size_t *len)
{
	char *s = xasprintf("To: %s\nX-Outreachd-Key: %s\n\n%s\n", m->recipient,
	    m->dedup_key, m->body);

	*len = strlen(s);
	return s;
}

static void
maildir_prepare(struct deliver *d, struct deliver_job *job)
{
	char *err = NULL;

	if (job->ch->id != CHANNEL_EMAIL) {
		job->payload = sms_file(&job->m, &job->len);
		return;
	}
	if (compose_email(d->cf, d->secret, &job->m, time(NULL),
	    &job->payload, &job->len, &err) != 0) {
		deliver_job_verdict(job, DV_FAILED, "%s", err);
		free(err);
	}
}

/* Writes the file under tmp/, syncs it, and renames it into new/. */
static void
maildir_send(struct deliver *d, struct deliver_job *job)
{
	const char *dir = job->ch->cc->maildir;
	char *tmp, *dst, *err = NULL;
	int fd, ok;

	if (maildir_make(dir, &err) != 0) {
		deliver_job_verdict(job, DV_RETRY, "%s", err);
		free(err);
		return;
	}
	tmp = xasprintf("%s/tmp/%lld.M%lldP%d.%s", dir, (long long)time(NULL),
	    (long long)job->m.id, (int)getpid(), d->hostname);
	dst = xasprintf("%s/new/%lld.M%lldP%d.%s", dir, (long long)time(NULL),
	    (long long)job->m.id, (int)getpid(), d->hostname);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	ok = fd >= 0 && write_all(fd, job->payload, job->len) == 0 &&
	    fsync(fd) == 0;
	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	if (ok && rename(tmp, dst) != 0)
		ok = 0;
	if (!ok) {
		deliver_job_verdict(job, DV_RETRY, "%s: %m", tmp);
		unlink(tmp);
	} else
		deliver_job_verdict(job, DV_SENT, NULL);
	free(tmp);
	free(dst);
}

const struct deliver_backend deliver_maildir_backend = {
	"maildir", 0, maildir_prepare, maildir_send, NULL, NULL,
};

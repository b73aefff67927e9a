/* daemon.c - the outreachd service loop. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "conf.h"
#include "conf_live.h"
#include "cycle.h"
#include "daemon.h"
#include "deliver.h"
#include "httpd.h"
#include "log.h"
#include "replink.h"
#include "render.h"
#include "sender.h"
#include "store.h"
#include "store_lease.h"
#include "store_outbox.h"
#include "tmpl_set.h"
#include "util.h"

/* got_stop is also the delivery passes' stop flag (--once), read by them:
 * a lock-free atomic, which a signal handler may set. */
static atomic_int got_stop;
static volatile sig_atomic_t got_reload, got_wake;
static sigset_t daemon_sigs; /* the signals the loop handles */

/* Everything a running daemon holds; replaced as a whole on reload. */
/* How often a follower asks for the leader's lock, and a daemon whose
 * database is out of reach tries again. */
#define DAEMON_FOLLOWER_MS 1000

struct daemon {
	const struct daemon_opts *o;
	struct conf *cf;
	struct tmpl_set *ts;
	struct store *st;
	struct deliver *dl;
	struct httpd *http;
	struct metrics *metrics;
	/* One thread per channel sends (not with --once), so the loop
	 * only plans and queues and never waits behind a slow peer. */
	struct sender *senders[CHANNEL_COUNT];
	unsigned conf_gen;	/* bumped at each reload */
	struct daemon_retired {	/* a replaced configuration, freed once */
		struct conf *cf;	/* every sender uses gen or later */
		unsigned gen;
	} *retired;
	size_t nretired;
	int lock_fd;
	/* A PostgreSQL store whose leader's lock another instance holds:
	 * this one sends what is queued and serves the HTTP pages, and
	 * takes the lock, and the planning, over when the leader is
	 * gone. */
	int follower;
	int db_down;		/* the last cycle found the database gone */
	double next_scan;	/* on the monotonic clock; 0 = now */
	int64_t clock_offset;	/* wall clock less monotonic, last seen */
	int64_t last_scan;
	double last_scan_secs;
	uint64_t watchdog_usec;
	char *reload_failed;	/* the last reload's failure for the status
				   line, until one succeeds; NULL when none */
};

static void daemon_status(struct daemon *d);
static int daemon_activate(struct daemon *d, char **cause);

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_reload = 1;
	else if (sig == SIGUSR1)
		got_wake = 1;
	else
		got_stop = 1;
}

static void
notify(struct daemon *d, const char *fmt, ...) PRINTFLIKE(2, 3);

static void
notify(struct daemon *d, const char *fmt, ...)
{
#ifdef HAVE_SYSTEMD
	va_list ap;
	char *s;

	if (!d->o->notify)
		return;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	sd_notify(0, s);
	free(s);
#else
	(void)d;
	(void)fmt;
#endif
}

static const char *
conf_path(const struct daemon_opts *o)
{
	if (o->conf_path != NULL)
		return o->conf_path;
	return access(conf_default_path(), F_OK) == 0 ? conf_default_path() :
	    NULL;
}

/* What in cf cannot work in production, a warning a line, each with its
 * priority: at start and at every reload, until it is fixed. */
static void
daemon_warn_live(const struct conf *cf)
{
	char **live = conf_live_check(cf, conf_live_systemd());
	size_t i;

	for (i = 0; live != NULL && live[i] != NULL; i++)
		log_warn("%s", live[i]);
	conf_live_free(live);
}

/* Loads configuration and templates into fresh objects; nothing of the
 * running daemon is touched, so a failure leaves it as it was. */
static int
daemon_load(const struct daemon_opts *o, struct conf **cf,
    struct tmpl_set **ts, char **cause)
{
	const char *path = conf_path(o);

	*cf = path ? conf_load(path, cause) : conf_defaults();
	if (*cf == NULL)
		return -1;
	if ((*ts = render_load_templates(*cf, cause)) == NULL) {
		conf_free(*cf);
		*cf = NULL;
		return -1;
	}
	if ((*cf)->warnings != NULL)	/* e.g. a gateway without success_match */
		log_warn("%s", (*cf)->warnings);
	/* For the connections opened from now on: a reload takes a
	 * rotated password without a restart. */
	store_set_password_file((*cf)->store_password_file);
	daemon_warn_live(*cf);
	return 0;
}

/* Hands cf over to the senders; old is freed once they all use cf (a
 * pass in flight finishes with the configuration it began with). */
static void
daemon_retire(struct daemon *d, struct conf *old, const struct conf *cf)
{
	int c;

	if (d->senders[0] == NULL) {
		conf_free(old);
		return;
	}
	d->conf_gen++;
	for (c = 0; c < CHANNEL_COUNT; c++)
		sender_set_conf(d->senders[c], cf, d->conf_gen);
	d->retired = xreallocarray(d->retired, d->nretired + 1,
	    sizeof(*d->retired));
	d->retired[d->nretired].cf = old;
	d->retired[d->nretired++].gen = d->conf_gen;
}

/* Frees the replaced configurations no sender uses any more (all of
 * them when the senders are gone). */
static void
daemon_sweep(struct daemon *d)
{
	unsigned seen = UINT_MAX;
	size_t i, k = 0;
	int c;

	for (c = 0; c < CHANNEL_COUNT && d->senders[c] != NULL; c++)
		if (sender_conf_gen(d->senders[c]) < seen)
			seen = sender_conf_gen(d->senders[c]);
	for (i = 0; i < d->nretired; i++) {
		if (d->retired[i].gen <= seen)
			conf_free(d->retired[i].cf);
		else
			d->retired[k++] = d->retired[i];
	}
	d->nretired = k;
}

/* "reload failed at HH:MM: FIRST ERROR; running the previous
 * configuration": one line (STATUS= ends at a newline), the rest of the
 * errors are in the log. */
static char *
reload_summary(const char *cause)
{
	size_t len = strcspn(cause, "\n"), more = 0;
	const char *p;
	char when[8] = "?";
	time_t t = time(NULL);
	struct tm tm;

	for (p = cause + len; *p != '\0'; p++)
		if (*p == '\n' && p[1] != '\0' && p[1] != '\n')
			more++;
	if (localtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%H:%M", &tm);
	if (more == 0)
		return xasprintf("reload failed at %s: %.*s; running the "
		    "previous configuration", when, (int)len, cause);
	return xasprintf("reload failed at %s: %.*s (and %zu more in the "
	    "log); running the previous configuration", when, (int)len, cause,
	    more);
}

/* A reload that failed leaves the running configuration in place.  The
 * failure stays in every status line until a reload succeeds: systemctl
 * status shows only the last STATUS=, which the next scan replaces. */
static void
daemon_reload_failed(struct daemon *d, char *cause)
{
	log_err("reload failed, keeping the running configuration:\n%s",
	    cause);
	free(d->reload_failed);
	d->reload_failed = reload_summary(cause);
	free(cause);
	notify(d, "READY=1");
	daemon_status(d);
}

static void
daemon_reload(struct daemon *d)
{
	struct conf *cf;
	struct tmpl_set *ts;
	struct deliver *dl;
	char *cause = NULL;

	notify(d, "RELOADING=1\nSTATUS=reloading configuration");
	if (daemon_load(d->o, &cf, &ts, &cause) != 0) {
		daemon_reload_failed(d, cause);
		return;
	}
	if (strcmp(cf->store, d->cf->store) != 0)
		log_warn("store path changes need a restart; still using %s",
		    d->cf->store);
	if (deliver_open(cf, d->st, NULL, &dl, &cause) != 0) {
		conf_free(cf);
		tmpl_set_free(ts);
		daemon_reload_failed(d, cause);
		return;
	}
	deliver_close(d->dl);
	tmpl_set_free(d->ts);
	if (d->http != NULL)
		httpd_set_conf(d->http, cf);
	daemon_retire(d, d->cf, cf);
	d->cf = cf, d->ts = ts, d->dl = dl;
	d->next_scan = 0; /* rules may have changed: plan again now */
	free(d->reload_failed);
	d->reload_failed = NULL;
	log_notice("configuration reloaded from %s", cf->path ? cf->path :
	    "built-in defaults");
	notify(d, "READY=1");
}

/* Scans are timed on the monotonic clock, so a wall clock set back by
 * hours does not stop planning for hours; a step of the wall clock
 * (either way, more than a minute) means "today" may have changed under
 * the plan, so it plans again at once. */
static void
daemon_clock_check(struct daemon *d, int64_t wall, double mono)
{
	int64_t offset = wall - (int64_t)mono, step;

	step = offset - d->clock_offset;
	if (d->clock_offset != 0 && (step > 60 || step < -60)) {
		log_notice("the clock stepped by %+lld s: planning again",
		    (long long)step);
		d->next_scan = 0;
	}
	d->clock_offset = offset;
}

/* Leader or follower (PostgreSQL): the leader's lock is taken when
 * free, checked when held; a connection made anew has lost it, and if
 * another instance took it meanwhile this one follows.  0 leader, 1
 * follower, -1 the database is out of reach (waited for). */
static int
daemon_lead(struct daemon *d)
{
	char *cause = NULL;
	int rc;

	if ((rc = store_leader_lock(d->st, &cause)) < 0) {
		if (!d->db_down)
			log_warn("%s; trying again every second", cause);
		free(cause);
		d->db_down = 1;
		return -1;
	}
	if (d->db_down)
		log_notice("the database answers again");
	d->db_down = 0;
	if (rc == 1 && d->follower) {
		log_notice("taking the lead: the leader's lock is ours; "
		    "planning and queueing from here");
		d->next_scan = 0;
	} else if (rc == 0 && !d->follower)
		log_warn("another outreachd took the lead meanwhile: sending "
		    "only, it plans");
	d->follower = rc == 0;
	return d->follower;
}

/* Wakes the senders of this instance, and on PostgreSQL those of the
 * others (NOTIFY) when messages were queued. */
static void
daemon_kick(struct daemon *d, const struct send_stats *s)
{
	char *cause = NULL;
	int c;

	for (c = 0; c < CHANNEL_COUNT; c++)
		if (d->senders[c] != NULL)
			sender_kick(d->senders[c]);
	if (s->queued > 0 && store_wake_send(d->st, &cause) != 0) {
		log_warn("waking the other instances: %s", cause);
		free(cause);
	}
}

/* Scan when due, then queue and deliver.  Errors are logged and retried
 * at the next wake-up: a customer's message never stops the daemon. */
static int
daemon_cycle(struct daemon *d)
{
	struct send_stats s = { 0 };
	int64_t now = time(NULL);
	char *cause = NULL;
	double t0 = clock_seconds();
	int rc;

	daemon_clock_check(d, now, t0);
	if ((rc = daemon_lead(d)) != 0)
		return rc < 0 ? -1 : 0;
	if (t0 >= d->next_scan) {
		if (cycle_scan(d->cf, d->st, now, &cause) != 0) {
			log_err("scan failed: %s", cause);
			free(cause);
			cause = NULL;
			rc = -1;
		}
		d->last_scan = now;
		d->last_scan_secs = clock_seconds() - t0;
		d->next_scan = clock_seconds() + d->cf->daemon.scan_interval;
		metrics_set_scan(d->metrics, d->last_scan, d->last_scan_secs);
	}
	if (d->senders[0] != NULL) {
		if (deliver_queue(d->dl, d->ts, now, &s, &cause) != 0) {
			log_err("queueing failed: %s", cause);
			free(cause);
			rc = -1;
		}
		daemon_kick(d, &s);
	} else if (cycle_send(d->dl, d->ts, now, d->cf->delivery.dry_run,
	    &got_stop, &s, &cause) != 0) {
		log_err("delivery failed: %s", cause);
		free(cause);
		rc = -1;
	}
	if (s.queued + s.sent + s.failed + s.suppressed + s.unrenderable > 0)
		log_info("cycle: %lu queued, %lu sent, %lu to retry, %lu failed, "
		    "%lu suppressed, %lu turned into tasks, %lu deferred",
		    s.queued, s.sent, s.retried, s.failed, s.suppressed,
		    s.unrenderable, s.deferred);
	metrics_add_sends(d->metrics, &s);
	return rc;
}

/* How long to sleep: until the next scan, the next due message, or half
 * the watchdog interval, whichever comes first. */
static int
daemon_timeout_ms(struct daemon *d)
{
	int64_t now = time(NULL), due;
	int64_t ms = (int64_t)((d->next_scan - clock_seconds()) * 1000);

	if (d->follower || d->db_down)
		return DAEMON_FOLLOWER_MS;
	/* The senders wait for their own messages. */
	due = d->senders[0] != NULL ? 0 : store_outbox_next_due(d->st, NULL,
	    NULL);
	if (due > 0 && !d->cf->delivery.dry_run && (due - now) * 1000 < ms)
		ms = (due - now) * 1000;
	if (d->watchdog_usec > 0 && ms > (int64_t)(d->watchdog_usec / 2000))
		ms = (int64_t)(d->watchdog_usec / 2000);
	if (ms < 100)
		ms = 100; /* rate-limited messages: come back soon, not at once */
	return ms > 3600000 ? 3600000 : (int)ms;
}

/* The status line systemctl status shows: a failed reload first, then
 * the last scan and the outbox. */
static void
daemon_status(struct daemon *d)
{
	long c[OUTBOX_NSTATES], pending = 0, failed = 0;
	char when[32] = "never", held[32] = "";
	struct tm tm;
	time_t t = (time_t)d->last_scan;
	int ch;

	if (store_outbox_counts(d->st, c, NULL) == 0) {
		pending = c[OUTBOX_PENDING] + c[OUTBOX_RETRY];
		failed = c[OUTBOX_FAILED];
	}
	for (ch = 0; ch < CHANNEL_COUNT; ch++) {
		if (store_outbox_held(d->st, (enum channel)ch, NULL, NULL) == 1)
			snprintf(held + strlen(held), sizeof(held) -
			    strlen(held), "%s%s", *held ? "," : "; HELD: ",
			    channel_name((enum channel)ch));
	}
	if (d->last_scan > 0 && localtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	notify(d, "STATUS=%s%s%slast scan %s (%.2fs); %ld queued, %ld failed%s",
	    d->reload_failed != NULL ? d->reload_failed : "",
	    d->reload_failed != NULL ? "; " : "", d->follower ? "following "
	    "(another instance plans); " : "", when, d->last_scan_secs,
	    pending, failed, held);
}

/* Sleeps with signals blocked except inside ppoll, so a signal between the
 * flag checks and the sleep is never lost. */
static void
daemon_sleep(struct daemon *d, const sigset_t *waitmask)
{
	struct pollfd pfd;
	struct timespec ts;
	int ms;

	if (got_stop || got_reload || got_wake)
		return;
	ms = daemon_timeout_ms(d);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	/* PostgreSQL: a NOTIFY from a command or another instance wakes
	 * us as SIGUSR1 does on SQLite. */
	pfd.fd = store_wake_fd(d->st);
	pfd.events = POLLIN;
	if (store_wake_pending(d->st)) {
		got_wake = 1;
		return;
	}
	if (ppoll(&pfd, pfd.fd >= 0 ? 1 : 0, &ts, waitmask) > 0 &&
	    store_wake_pending(d->st))
		got_wake = 1;
}

static void
daemon_signals(sigset_t *oldmask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&daemon_sigs);
	sigaddset(&daemon_sigs, SIGTERM);
	sigaddset(&daemon_sigs, SIGINT);
	sigaddset(&daemon_sigs, SIGHUP);
	sigaddset(&daemon_sigs, SIGUSR1);
	sigprocmask(SIG_BLOCK, &daemon_sigs, oldmask);
}

/* What a crash left being sent goes back to the queue (SQLite: all of
 * it, the lock file being ours; PostgreSQL: what no live instance holds a
 * lease on), delivery opens and its threads start.  0, or an exit code
 * with *cause. */
static int
daemon_activate(struct daemon *d, char **cause)
{
	int n = 0, c;

	if (store_outbox_recover(d->st, time(NULL), store_outbox_leased(d->st),
	    &n, cause) != 0)
		return EX_SOFTWARE;
	if (n > 0)
		log_warn("%d messages were being sent when the daemon stopped "
		    "(this one, or another on this store): they will be sent "
		    "again (a duplicate is possible)", n);
	if (deliver_open(d->cf, d->st, NULL, &d->dl, cause) != 0)
		return EX_CONFIG;
	if (d->o->once)
		return 0;
	for (c = 0; c < CHANNEL_COUNT; c++) {
		if (sender_start(d->cf, (enum channel)c, d->metrics,
		    &d->senders[c], cause) != 0)
			return EX_OSERR;
	}
	return 0;
}

static int
daemon_start(struct daemon *d, char **cause)
{
	unsigned char key[TOKEN_SECRET_LEN];
	int rc;

	if (cycle_lock(d->cf->store, &d->lock_fd, cause) != 0)
		return EX_TEMPFAIL;
	if (store_open(d->cf->store, &d->st, cause) != 0)
		return EX_CANTCREAT;
	if ((rc = store_leader_lock(d->st, cause)) < 0 ||
	    store_wake_listen(d->st, cause) != 0)
		return EX_TEMPFAIL;
	if (rc == 0 && d->o->once) {
		set_error(cause, "another outreachd plans and queues from this "
		    "store (the leader's lock in the database is held)");
		return EX_TEMPFAIL;
	}
	/* Feeds and digests sign task links with the store's link key; a
	 * store whose reps got their tokens before links existed has none
	 * until here, and its feeds would carry no links. */
	if (replink_secret(d->st, key, 1, cause) < 0)
		return EX_SOFTWARE;
	d->follower = rc == 0;
	if ((rc = daemon_activate(d, cause)) != 0)
		return rc;
	if (d->follower)
		log_notice("following: another outreachd leads (plans and "
		    "queues); sending what is queued, serving the pages and "
		    "waiting for its lock");
	if (d->o->once)
		return 0;
	if (httpd_start(d->cf, d->cf->store, d->metrics, &d->http, cause) != 0)
		return EX_UNAVAILABLE;
	return 0;
}

static void
daemon_stop(struct daemon *d)
{
	int c;

	/* Both stop together: each gets the whole shutdown grace. */
	for (c = 0; c < CHANNEL_COUNT; c++)
		sender_stop(d->senders[c]);
	for (c = 0; c < CHANNEL_COUNT; c++) {
		sender_free(d->senders[c]);
		d->senders[c] = NULL;
	}
	daemon_sweep(d);
	free(d->retired);
	httpd_stop(d->http);
	deliver_close(d->dl);
	store_close(d->st);
	tmpl_set_free(d->ts);
	conf_free(d->cf);
	free(d->reload_failed);
	metrics_free(d->metrics);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
}

int
daemon_run(const struct daemon_opts *o)
{
	struct daemon d = { .o = o, .lock_fd = -1 };
	sigset_t waitmask;
	char *cause = NULL;
	int rc;

	if (daemon_load(o, &d.cf, &d.ts, &cause) != 0) {
		log_err("%s", cause);
		free(cause);
		return EX_CONFIG;
	}
	daemon_signals(&waitmask);
	d.metrics = metrics_new();
	if ((rc = daemon_start(&d, &cause)) != 0) {
		log_err("%s", cause);
		free(cause);
		daemon_stop(&d);
		return rc;
	}
#ifdef HAVE_SYSTEMD
	if (o->notify && sd_watchdog_enabled(0, &d.watchdog_usec) <= 0)
		d.watchdog_usec = 0;
#endif
	log_notice("started: store %s, %zu rules, scan every %ds", d.cf->store,
	    d.cf->nrules, d.cf->daemon.scan_interval);
	notify(&d, "READY=1");
	rc = 0;
	while (!got_stop) {
		if (got_reload) {
			got_reload = 0;
			daemon_reload(&d);
		}
		if (got_wake) {
			/* outreachctl changed the store: plan and send now. */
			got_wake = 0;
			d.next_scan = 0;
			daemon_kick(&d, &(struct send_stats){ 0 });
			log_debug("woken: planning and sending now");
		}
		/* Signals arrive during the cycle, so a SIGTERM stops a
		 * delivery pass from taking new messages. */
		sigprocmask(SIG_SETMASK, &waitmask, NULL);
		if (daemon_cycle(&d) != 0 && o->once)
			rc = EX_TEMPFAIL;
		sigprocmask(SIG_BLOCK, &daemon_sigs, NULL);
		notify(&d, "WATCHDOG=1");
		daemon_status(&d);
		daemon_sweep(&d);
		if (o->once)
			break;
		daemon_sleep(&d, &waitmask);
	}
	notify(&d, "STOPPING=1");
	log_notice("stopping");
	daemon_stop(&d);
	return rc;
}

/* outreachd.c - the daemon's main: options, logging, then the loop. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "conf.h"
#include "conf_live.h"
#include "daemon.h"
#include "log.h"
#include "render.h"
#include "util.h"

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: outreachd [-c CONFIG] [--foreground] [--once] "
	    "[--check] [--log-level LEVEL]\n"
	    "  -c, --config FILE   configuration (default %s)\n"
	    "  -f, --foreground    stay in the foreground (systemd runs it so)\n"
	    "  --once              one full cycle (scan, queue, deliver), exit\n"
	    "  --check             validate configuration and templates, exit\n"
	    "  --log-level LEVEL   err, warning, notice, info or debug\n"
	    "  -V, --version\n", conf_default_path());
}

/* --check: the same loading and warnings the daemon and a reload do. */
static int
check(const char *path)
{
	struct conf *cf;
	struct tmpl_set *ts;
	char *cause = NULL, **live;
	size_t i;

	if (path == NULL && access(conf_default_path(), F_OK) == 0)
		path = conf_default_path();
	cf = path ? conf_load(path, &cause) : conf_defaults();
	if (cf == NULL || (ts = render_load_templates(cf, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		conf_free(cf);
		return EX_CONFIG;
	}
	if (cf->warnings != NULL)
		fprintf(stderr, "%s\n", cf->warnings);
	live = conf_live_check(cf, conf_live_systemd());
	for (i = 0; live != NULL && live[i] != NULL; i++)
		fprintf(stderr, "%s\n", live[i]);
	conf_live_free(live);
	printf("%s: ok (%zu rules, %zu templates)\n", path ? path :
	    "(built-in defaults)", cf->nrules, tmpl_set_count(ts));
	tmpl_set_free(ts);
	conf_free(cf);
	return 0;
}

/* The classic detach, for running without a service manager. */
static int
detach(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		return -1;
	return freopen("/dev/null", "r", stdin) != NULL ? 0 : -1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "once", no_argument, NULL, 'o' },
		{ "check", no_argument, NULL, 'k' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon_opts o = { 0 };
	enum log_level level = LOG_LVL_INFO;
	int ch, foreground = 0, checking = 0;
	const char *notify = getenv("NOTIFY_SOCKET");

	while ((ch = getopt_long(argc, argv, "c:fhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.conf_path = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'o':
			o.once = 1;
			break;
		case 'k':
			checking = 1;
			break;
		case 'l':
			if (log_parse_level(optarg, &level) != 0) {
				fprintf(stderr, "outreachd: unknown log level "
				    "\"%s\"\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'V':
			printf("outreachd %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if (checking)
		return check(o.conf_path);
	o.notify = notify != NULL && *notify != '\0';
	/* Under systemd, or whenever stderr is not a terminal, lines carry
	 * "<N>" priorities that journald turns into levels; a person at a
	 * terminal gets plain "outreachd: level: ..." lines. */
	log_init("outreachd", level, o.notify || !isatty(STDERR_FILENO));
	if (!foreground && !o.once && !o.notify && detach() != 0) {
		log_err("cannot detach: %m");
		return EX_OSERR;
	}
	return daemon_run(&o);
}

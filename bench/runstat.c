/* runstat.c - runs one command once and appends its wall time, CPU time
 * and peak RSS to a samples file, for bench/stats.py to summarise.
 *
 *	runstat LABEL SAMPLES CMD [ARG...]
 *
 * Appends "LABEL wall_ms W", "LABEL cpu_ms C" and "LABEL rss_kb R" lines
 * (R = ru_maxrss of the child from wait4(), so it is the command's own peak,
 * not the shell's).  The child's stdout goes to $RUNSTAT_OUT (default
 * /dev/null); stderr is inherited.  The exit status is the child's; a
 * failed run records nothing. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	const char *out = getenv("RUNSTAT_OUT");
	struct rusage ru;
	double t0, t1;
	pid_t pid;
	int st, fd;
	FILE *fp;

	if (argc < 4) {
		fprintf(stderr, "usage: runstat LABEL SAMPLES CMD [ARG...]\n");
		return 64;
	}
	t0 = now_ms();
	if ((pid = fork()) < 0) {
		perror("fork");
		return 71;
	}
	if (pid == 0) {
		fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC,
		    0644);
		if (fd >= 0) {
			dup2(fd, 1);
			close(fd);
		}
		execvp(argv[3], argv + 3);
		perror(argv[3]);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0) {
		perror("wait4");
		return 71;
	}
	t1 = now_ms();
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "runstat: %s: %s exited with %d\n", argv[1],
		    argv[3], WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	if ((fp = fopen(argv[2], "a")) == NULL) {
		perror(argv[2]);
		return 73;
	}
	fprintf(fp, "%s wall_ms %.3f\n%s cpu_ms %.3f\n%s rss_kb %ld\n", argv[1],
	    t1 - t0, argv[1], ru.ru_utime.tv_sec * 1e3 +
	    ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 +
	    ru.ru_stime.tv_usec / 1e3, argv[1], ru.ru_maxrss);
	fclose(fp);
	return 0;
}

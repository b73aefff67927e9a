/* smtp_sink.c - a minimal single-threaded SMTP server on 127.0.0.1 that
 * accepts and discards every message, counting them.  It costs a few
 * microseconds per message, so a client's own sending ceiling shows (an
 * aiosmtpd server saturates near 2,000 messages/s).
 *
 *	smtp_sink [-p PORT] [-P PORTFILE] [-s STATSFILE] [-d DUMPFILE]
 *
 * Answers 220 on connect, 250 to EHLO/HELO/MAIL/RCPT/RSET/NOOP, 354 to
 * DATA then 250 after the terminating ".", 221 to QUIT (and closes), 502 to
 * anything else.  Any number of connections, poll(2), no threads.
 *
 *   -p PORT       port (default 0: the kernel picks one)
 *   -P PORTFILE   write the bound port there once listening (via rename)
 *   -s STATSFILE  on SIGUSR1 append "messages N conns C first_ms F last_ms L
 *                 rate R" (F, L: CLOCK_MONOTONIC of the first and last
 *                 accepted message since the previous SIGUSR1; R = (N-1) /
 *                 (L-F) per second) and reset the counters; also on SIGTERM
 *                 / SIGINT, before exiting
 *   -d DUMPFILE   write the first message received (as sent, dot-stuffed)
 *                 there, once
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#define MAXCONN 1024
#define LINEMAX 4096

struct conn {
	int fd;
	int data;	   /* in DATA: 0 mid-line, 1 line start, 2 ".", 3 ".\r" */
	int in_data;
	size_t len;	   /* of the command line being read */
	char line[LINEMAX];
	FILE *dump;
};

static volatile sig_atomic_t want_stats, want_exit;
static long messages, conns;
static double first_ms, last_ms;
static const char *stats_path, *dump_path;
static int dumped;

static void
on_usr1(int sig)
{
	(void)sig;
	want_stats = 1;
}

static void
on_term(int sig)
{
	(void)sig;
	want_exit = 1;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
stats(void)
{
	FILE *fp;
	double span = last_ms - first_ms;

	if (stats_path == NULL || (fp = fopen(stats_path, "a")) == NULL)
		return;
	fprintf(fp, "messages %ld conns %ld first_ms %.3f last_ms %.3f rate "
	    "%.1f\n", messages, conns, first_ms, last_ms, messages > 1 &&
	    span > 0 ? (messages - 1) / span * 1e3 : 0.0);
	fclose(fp);
	messages = conns = 0;
	first_ms = last_ms = 0;
}

static void
say(struct conn *c, const char *s)
{
	size_t len = strlen(s), off = 0;
	ssize_t n;

	while (off < len) {
		n = write(c->fd, s + off, len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { c->fd, POLLOUT, 0 };
			poll(&p, 1, 1000);
			continue;
		}
		return;
	}
}

/* Returns -1 when the connection should close. */
static int
command(struct conn *c)
{
	char *l = c->line;

	if (strncasecmp(l, "EHLO", 4) == 0)
		say(c, "250-sink\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n");
	else if (strncasecmp(l, "HELO", 4) == 0 ||
	    strncasecmp(l, "MAIL", 4) == 0 || strncasecmp(l, "RCPT", 4) == 0 ||
	    strncasecmp(l, "RSET", 4) == 0 || strncasecmp(l, "NOOP", 4) == 0)
		say(c, "250 OK\r\n");
	else if (strncasecmp(l, "DATA", 4) == 0) {
		say(c, "354 go ahead\r\n");
		c->in_data = 1;
		c->data = 1;
		if (dump_path != NULL && !dumped)
			c->dump = fopen(dump_path, "w");
	} else if (strncasecmp(l, "QUIT", 4) == 0) {
		say(c, "221 bye\r\n");
		return -1;
	} else
		say(c, "502 not implemented\r\n");
	return 0;
}

/* Consumes n bytes; -1 = close. */
static int
feed(struct conn *c, const char *buf, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		char ch = buf[i];

		if (c->in_data) {
			if (ch == '\n') {
				if (c->data == 3) {
					if (c->dump != NULL) {
						fwrite(buf + start, 1, i + 1 - start,
						    c->dump);
						fclose(c->dump);
						c->dump = NULL;
						dumped = 1;
					}
					c->in_data = 0;
					c->len = 0;
					last_ms = now_ms();
					if (messages++ == 0)
						first_ms = last_ms;
					say(c, "250 accepted\r\n");
					start = i + 1;
					continue;
				}
				c->data = 1;
			} else if (ch == '.' && c->data == 1)
				c->data = 2;
			else if (ch == '\r' && c->data == 2)
				c->data = 3;
			else
				c->data = 0;
			continue;
		}
		if (ch == '\n') {
			c->line[c->len] = '\0';
			c->len = 0;
			if (command(c) < 0)
				return -1;
			start = i + 1; /* DATA: the message starts after it */
			continue;
		}
		if (c->len < LINEMAX - 1)
			c->line[c->len++] = ch;
	}
	if (c->in_data && c->dump != NULL && start < n)
		fwrite(buf + start, 1, n - start, c->dump);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct conn cs[MAXCONN];
	struct pollfd pfd[MAXCONN + 1];
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	const char *portfile = NULL;
	char buf[65536], tmp[4096];
	int port = 0, lfd, ch, one = 1, i, n, fd;
	ssize_t r;
	FILE *fp;

	while ((ch = getopt(argc, argv, "p:P:s:d:")) != -1) {
		switch (ch) {
		case 'p': port = atoi(optarg); break;
		case 'P': portfile = optarg; break;
		case 's': stats_path = optarg; break;
		case 'd': dump_path = optarg; break;
		default:
			fprintf(stderr, "usage: smtp_sink [-p PORT] [-P PORTFILE] "
			    "[-s STATSFILE] [-d DUMPFILE]\n");
			return 64;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, on_usr1);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0) {
		perror("socket");
		return 71;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 256) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) {
		perror("bind/listen");
		return 71;
	}
	fcntl(lfd, F_SETFL, O_NONBLOCK);
	if (portfile != NULL) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
		if ((fp = fopen(tmp, "w")) == NULL) {
			perror(tmp);
			return 73;
		}
		fprintf(fp, "%d\n", ntohs(sa.sin_port));
		fclose(fp);
		rename(tmp, portfile);
	} else
		printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (i = 0; i < MAXCONN; i++)
		cs[i].fd = -1;
	while (!want_exit) {
		int np = 0, map[MAXCONN + 1];

		if (want_stats) {
			want_stats = 0;
			stats();
		}
		pfd[np].fd = lfd;
		pfd[np].events = POLLIN;
		map[np++] = -1;
		for (i = 0; i < MAXCONN; i++) {
			if (cs[i].fd < 0)
				continue;
			pfd[np].fd = cs[i].fd;
			pfd[np].events = POLLIN;
			map[np++] = i;
		}
		n = poll(pfd, (nfds_t)np, 500);
		if (n < 0 && errno != EINTR) {
			perror("poll");
			return 71;
		}
		if (n <= 0)
			continue;
		for (i = 1; i < np; i++) {
			struct conn *c = &cs[map[i]];

			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(c->fd, buf, sizeof(buf));
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r <= 0 || feed(c, buf, (size_t)r) < 0) {
				if (c->dump != NULL)
					fclose(c->dump);
				close(c->fd);
				memset(c, 0, sizeof(*c));
				c->fd = -1;
			}
		}
		if (pfd[0].revents & POLLIN) {
			while ((fd = accept(lfd, NULL, NULL)) >= 0) {
				for (i = 0; i < MAXCONN && cs[i].fd >= 0; i++)
					;
				if (i == MAXCONN) {
					close(fd);
					continue;
				}
				fcntl(fd, F_SETFL, O_NONBLOCK);
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				    sizeof(one));
				memset(&cs[i], 0, sizeof(cs[i]));
				cs[i].fd = fd;
				conns++;
				say(&cs[i], "220 sink ESMTP\r\n");
			}
		}
	}
	stats();
	return 0;
}

/* curl_loop.c - the minimal libcurl SMTP sender: one easy handle, options
 * set once, curl_easy_perform() in a loop, so every message after the
 * first reuses the connection.  It is the ceiling a libcurl-based sender
 * can reach on a server; outreachd's delivery is compared with it.
 *
 *	curl_loop [-m] URL FROM MSGFILE N [CONNECTIONS]
 *
 * Sends N messages (the bytes of MSGFILE, already CRLF, not dot-stuffed:
 * libcurl stuffs) from FROM to rcpt<i>@example.test (a new recipient each
 * time, as the daemon does).  With CONNECTIONS > 1, that many processes
 * each send their share on a connection of their own; with -m, one
 * process and one thread keep CONNECTIONS transfers in flight on a libcurl
 * multi handle instead, which is how outreachd sends.  Prints
 * "messages N seconds S rate R" (wall time from before the first to after
 * the last message of all processes). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <curl/multi.h>

#include <curl/curl.h>

struct src {
	const char *data;
	size_t len, off;
};

static size_t
rd(char *buf, size_t size, size_t n, void *arg)
{
	struct src *s = arg;
	size_t want = size * n, left = s->len - s->off;

	if (want > left)
		want = left;
	memcpy(buf, s->data + s->off, want);
	s->off += want;
	return want;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
send_many(const char *url, const char *from, const char *msg, size_t len,
    long first, long n)
{
	CURL *e = curl_easy_init();
	struct curl_slist *rcpt;
	struct src s = { msg, len, 0 };
	char to[128], fromb[256];
	CURLcode rc;
	long i;

	if (e == NULL)
		return 1;
	snprintf(fromb, sizeof(fromb), "<%s>", from);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, fromb);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, rd);
	curl_easy_setopt(e, CURLOPT_READDATA, &s);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	for (i = first; i < first + n; i++) {
		snprintf(to, sizeof(to), "<rcpt%ld@example.test>", i);
		rcpt = curl_slist_append(NULL, to);
		curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt);
		s.off = 0;
		rc = curl_easy_perform(e);
		curl_slist_free_all(rcpt);
		if (rc != CURLE_OK) {
			fprintf(stderr, "curl_loop: message %ld: %s\n", i,
			    curl_easy_strerror(rc));
			curl_easy_cleanup(e);
			return 1;
		}
	}
	curl_easy_cleanup(e);
	return 0;
}

/* One transfer slot of the multi loop. */
struct slot {
	CURL *e;
	struct curl_slist *rcpt;
	struct src s;
};

static void
slot_start(CURLM *m, struct slot *sl, const char *url, const char *from,
    long i)
{
	char to[128];

	snprintf(to, sizeof(to), "<rcpt%ld@example.test>", i);
	curl_slist_free_all(sl->rcpt);
	sl->rcpt = curl_slist_append(NULL, to);
	curl_easy_setopt(sl->e, CURLOPT_URL, url);
	curl_easy_setopt(sl->e, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(sl->e, CURLOPT_MAIL_RCPT, sl->rcpt);
	curl_easy_setopt(sl->e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(sl->e, CURLOPT_READFUNCTION, rd);
	curl_easy_setopt(sl->e, CURLOPT_READDATA, &sl->s);
	curl_easy_setopt(sl->e, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)sl->s.len);
	curl_easy_setopt(sl->e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(sl->e, CURLOPT_PRIVATE, sl);
	sl->s.off = 0;
	curl_multi_add_handle(m, sl->e);
}

/* n messages over one multi handle, conns transfers at a time. */
static int
send_multi(const char *url, const char *from, const char *msg, size_t len,
    long n, long conns)
{
	CURLM *m = curl_multi_init();
	struct slot *slots = calloc((size_t)conns, sizeof(*slots));
	char fromb[256];
	long next = 0, done = 0, k;
	int running, left, bad = 0;
	CURLMsg *cm;
	struct slot *sl;

	if (m == NULL || slots == NULL)
		return 1;
	snprintf(fromb, sizeof(fromb), "<%s>", from);
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, conns);
	for (k = 0; k < conns && next < n; k++) {
		slots[k].e = curl_easy_init();
		slots[k].s.data = msg;
		slots[k].s.len = len;
		slot_start(m, &slots[k], url, fromb, next++);
	}
	while (done < n && !bad) {
		curl_multi_perform(m, &running);
		while ((cm = curl_multi_info_read(m, &left)) != NULL) {
			if (cm->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(cm->easy_handle, CURLINFO_PRIVATE,
			    (char **)&sl);
			if (cm->data.result != CURLE_OK) {
				fprintf(stderr, "curl_loop: %s\n",
				    curl_easy_strerror(cm->data.result));
				bad = 1;
			}
			curl_multi_remove_handle(m, sl->e);
			done++;
			if (next < n)
				slot_start(m, sl, url, fromb, next++);
		}
		if (done < n)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	for (k = 0; k < conns; k++) {
		if (slots[k].e != NULL)
			curl_easy_cleanup(slots[k].e);
		curl_slist_free_all(slots[k].rcpt);
	}
	free(slots);
	curl_multi_cleanup(m);
	return bad;
}

int
main(int argc, char **argv)
{
	FILE *fp;
	char *msg;
	long n, conns = 1, k, share, first = 0;
	size_t len;
	double t0, t1;
	int st, bad = 0, multi = 0;

	if (argc > 1 && strcmp(argv[1], "-m") == 0) {
		multi = 1;
		argc--;
		argv++;
	}
	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: curl_loop [-m] URL FROM MSGFILE N "
		    "[CONNECTIONS]\n");
		return 64;
	}
	n = atol(argv[4]);
	if (argc == 6)
		conns = atol(argv[5]);
	if (n < 1 || conns < 1 || conns > n)
		return 64;
	if ((fp = fopen(argv[3], "rb")) == NULL) {
		perror(argv[3]);
		return 66;
	}
	fseek(fp, 0, SEEK_END);
	len = (size_t)ftell(fp);
	rewind(fp);
	msg = malloc(len + 1);
	if (msg == NULL || fread(msg, 1, len, fp) != len)
		return 66;
	fclose(fp);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	t0 = now_s();
	if (multi)
		bad = send_multi(argv[1], argv[2], msg, len, n, conns);
	else if (conns == 1)
		bad = send_many(argv[1], argv[2], msg, len, 0, n);
	else {
		for (k = 0; k < conns; k++) {
			share = n / conns + (k < n % conns);
			if (fork() == 0)
				_exit(send_many(argv[1], argv[2], msg, len, first,
				    share));
			first += share;
		}
		for (k = 0; k < conns; k++) {
			if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
				bad = 1;
		}
	}
	t1 = now_s();
	printf("messages %ld seconds %.4f rate %.1f\n", n, t1 - t0,
	    n / (t1 - t0));
	curl_global_cleanup();
	free(msg);
	return bad;
}

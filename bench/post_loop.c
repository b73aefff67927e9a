/* post_loop.c - records outcomes on the reps' task pages as fast as 50
 * phones could: every link of a list once, CONNECTIONS requests in flight
 * on one libcurl multi handle (connections reused), the latency of each.
 *
 *	post_loop [-c CONNECTIONS] [-e NEEDLE] [-s SAMPLES -l LABEL]
 *	    LINKS FIELDS
 *
 * LINKS has one task page URL per line (base_url/t/LINK), each a
 * different open task.  First, untimed, each page is fetched (GET) for
 * its form token (the hidden field "form"), as a rep's phone does.  Then
 * each link gets one POST of "form=TOKEN&FIELDS" (e.g.
 * "outcome=reached&kind=visit"), CONNECTIONS at a time; a request's
 * latency runs from handing it to libcurl until its whole answer is in,
 * so it includes any wait for the server (end to end, as a client sees
 * it).  An answer counts as recorded when it is a 200 whose body has
 * NEEDLE (default: the English notice 'id="notice">Recorded.').
 *
 * Prints "posts N recorded R other O seconds S rps X p50_ms A p90_ms B
 * p99_ms C max_ms D"; with -s, appends "LABEL METRIC VALUE" lines for
 * p50_ms, p90_ms, p99_ms, rps, recorded and other. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

/* One transfer in flight. */
struct slot {
	CURL *e;
	size_t idx;		/* the link */
	double t0;		/* ms */
	char *body;		/* the answer */
	size_t len, cap;
	char *post;		/* the request's fields */
};

static char **links, **tokens;
static size_t nlinks;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *
xalloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL) {
		perror("post_loop");
		exit(70);
	}
	return p;
}

/* Keeps the answer's body. */
static size_t
wr(char *buf, size_t size, size_t n, void *arg)
{
	struct slot *s = arg;
	size_t len = size * n;

	if (s->len + len + 1 > s->cap) {
		s->cap = (s->len + len + 1) * 2;
		s->body = xalloc(s->body, s->cap);
	}
	memcpy(s->body + s->len, buf, len);
	s->len += len;
	s->body[s->len] = '\0';
	return len;
}

/* Reads the links, one a line. */
static void
read_links(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL) {
		perror(path);
		exit(66);
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		links = xalloc(links, (nlinks + 1) * sizeof(*links));
		links[nlinks++] = strdup(line);
	}
	free(line);
	fclose(f);
	tokens = calloc(nlinks, sizeof(*tokens));
}

/* The value of the page's hidden field "form", malloc'd, or NULL. */
static char *
form_token(const char *html)
{
	const char *p = html ? strstr(html, "name=\"form\" value=\"") : NULL;
	size_t n;

	if (p == NULL)
		return NULL;
	p += strlen("name=\"form\" value=\"");
	n = strcspn(p, "\"");
	return strndup(p, n);
}

/* Starts the request for link i on a slot: a GET, or the POST. */
static void
start(CURLM *m, struct slot *s, size_t i, const char *fields)
{
	s->idx = i;
	s->len = 0;
	if (s->body)
		s->body[0] = '\0';
	curl_easy_setopt(s->e, CURLOPT_URL, links[i]);
	if (fields != NULL) {
		free(s->post);
		if (asprintf(&s->post, "form=%s&%s", tokens[i], fields) < 0)
			exit(70);
		curl_easy_setopt(s->e, CURLOPT_POSTFIELDS, s->post);
	} else
		curl_easy_setopt(s->e, CURLOPT_HTTPGET, 1L);
	s->t0 = now_ms();
	curl_multi_add_handle(m, s->e);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Runs every link once, conns at a time: GETs (fields NULL) keep each
 * page's form token, POSTs their latencies in lat[] and the verdicts. */
static double
run(CURLM *m, struct slot *sl, int conns, const char *fields,
    const char *needle, double *lat, size_t *recorded, size_t *other)
{
	size_t next = 0, done = 0;
	double t0 = now_ms();
	CURLMsg *msg;
	struct slot *s;
	long code;
	int running, left, i;

	for (i = 0; i < conns && next < nlinks; i++)
		start(m, &sl[i], next++, fields);
	while (done < nlinks) {
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&s);
			code = 0;
			curl_easy_getinfo(s->e, CURLINFO_RESPONSE_CODE, &code);
			curl_multi_remove_handle(m, s->e);
			if (fields == NULL) {
				if (msg->data.result != CURLE_OK || code != 200 ||
				    (tokens[s->idx] = form_token(s->body)) == NULL) {
					fprintf(stderr, "post_loop: %s: no form"
					    " (HTTP %ld, %s)\n", links[s->idx], code,
					    curl_easy_strerror(msg->data.result));
					exit(1);
				}
			} else {
				lat[done] = now_ms() - s->t0;
				if (msg->data.result == CURLE_OK && code == 200 &&
				    s->body && strstr(s->body, needle))
					(*recorded)++;
				else
					(*other)++;
			}
			done++;
			if (next < nlinks)
				start(m, s, next++, fields);
		}
		if (done < nlinks)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	return now_ms() - t0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: post_loop [-c CONNECTIONS] [-e NEEDLE] "
	    "[-s SAMPLES -l LABEL] LINKS FIELDS\n");
	exit(64);
}

int
main(int argc, char **argv)
{
	const char *needle = "id=\"notice\">Recorded.", *spath = NULL;
	const char *label = "post";
	size_t recorded = 0, other = 0, i;
	struct slot *sl;
	double ms, *lat, q[4];
	int conns = 50, c;
	CURLM *m;
	FILE *sf;

	while ((c = getopt(argc, argv, "c:e:s:l:")) != -1) {
		switch (c) {
		case 'c': conns = atoi(optarg); break;
		case 'e': needle = optarg; break;
		case 's': spath = optarg; break;
		case 'l': label = optarg; break;
		default: usage();
		}
	}
	if (argc - optind != 2 || conns < 1)
		usage();
	read_links(argv[optind]);
	if (nlinks == 0) {
		fprintf(stderr, "post_loop: no links\n");
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)conns);
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)conns);
	sl = calloc((size_t)conns, sizeof(*sl));
	for (c = 0; c < conns; c++) {
		sl[c].e = curl_easy_init();
		curl_easy_setopt(sl[c].e, CURLOPT_PRIVATE, (char *)&sl[c]);
		curl_easy_setopt(sl[c].e, CURLOPT_WRITEFUNCTION, wr);
		curl_easy_setopt(sl[c].e, CURLOPT_WRITEDATA, &sl[c]);
		curl_easy_setopt(sl[c].e, CURLOPT_NOSIGNAL, 1L);
	}
	lat = calloc(nlinks, sizeof(*lat));
	run(m, sl, conns, NULL, needle, lat, &recorded, &other);
	ms = run(m, sl, conns, argv[optind + 1], needle, lat, &recorded,
	    &other);
	qsort(lat, nlinks, sizeof(*lat), cmp_double);
	q[0] = lat[(nlinks - 1) / 2];
	q[1] = lat[(size_t)((nlinks - 1) * 0.90)];
	q[2] = lat[(size_t)((nlinks - 1) * 0.99)];
	q[3] = lat[nlinks - 1];
	printf("posts %zu recorded %zu other %zu seconds %.3f rps %.1f "
	    "p50_ms %.3f p90_ms %.3f p99_ms %.3f max_ms %.3f\n", nlinks,
	    recorded, other, ms / 1e3, nlinks / (ms / 1e3), q[0], q[1], q[2],
	    q[3]);
	if (spath != NULL && (sf = fopen(spath, "a")) != NULL) {
		fprintf(sf, "%s p50_ms %.3f\n%s p90_ms %.3f\n%s p99_ms %.3f\n"
		    "%s rps %.1f\n%s recorded %zu\n%s other %zu\n", label, q[0],
		    label, q[1], label, q[2], label, nlinks / (ms / 1e3), label,
		    recorded, label, other);
		fclose(sf);
	}
	for (c = 0; c < conns; c++) {
		curl_easy_cleanup(sl[c].e);
		free(sl[c].body);
		free(sl[c].post);
	}
	curl_multi_cleanup(m);
	for (i = 0; i < nlinks; i++) {
		free(links[i]);
		free(tokens[i]);
	}
	free(links);
	free(tokens);
	free(lat);
	free(sl);
	curl_global_cleanup();
	return other == 0 ? 0 : 2;
}

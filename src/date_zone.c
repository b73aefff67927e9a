/* date_zone.c - IANA time zones: local dates and times of an instant.
 *
 * Time zones are read straight from TZif files (RFC 8536) rather than
 * through TZ/tzset(), so no process-wide state is touched and a bad name
 * is an error instead of a silent fallback to UTC. */
#include "date_zone.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "date_priv.h"
#include "util.h"

#define DATE_TZDIR "/usr/share/zoneinfo"
#define DATE_TZNAME_MAX 255
#define DATE_TZIF_MAX ((size_t)1 << 20)
/* About +-950,000 years: keeps day numbers inside int32_t. */
#define DATE_TIME_MAX ((int64_t)30000000000000)

/* A day in a POSIX TZ rule: Jn (1..365, no leap day), n (0..365) or
 * Mm.w.d, with the local time of the change. */
struct date_rday {
	char kind; /* 'J', 'D' or 'M' */
	int n, m, w, d;
	int32_t time;
};

/* The POSIX TZ string in a TZif footer, for instants after the table. */
struct date_rule {
	int32_t std_off; /* seconds east of UTC */
	int32_t dst_off;
	int has_dst;
	struct date_rday start;
	struct date_rday end;
};

struct date_zone {
	char *name;
	size_t ntrans;
	int64_t *trans;	      /* UTC instants, ascending */
	unsigned char *types; /* time type after each transition */
	size_t ntypes;
	int32_t *offs; /* seconds east of UTC, per time type */
	int has_rule;
	struct date_rule rule;
};

/* The zone cache is shared by the daemon's threads (the main one, which
 * plans and delivers, and the HTTP server's): date_lock guards it and every use of a zone
 * from it, as a full cache evicts (frees) one. */
static pthread_mutex_t date_lock = PTHREAD_MUTEX_INITIALIZER;
static struct date_zone *date_cache[DATE_TZ_CACHE_MAX];
static size_t date_ncache;
static size_t date_cache_next; /* slot to evict when full */

/* Reads up to maxd digits into *v; returns the end or NULL. */
static const char *
date_rule_num(const char *p, int maxd, int *v)
{
	int n = 0;

	*v = 0;
	while (n < maxd && isdigit((unsigned char)p[n]))
		*v = *v * 10 + (p[n++] - '0');
	return n == 0 ? NULL : p + n;
}

/* Skips a zone abbreviation: three or more letters, or "<...>". */
static const char *
date_rule_name(const char *p)
{
	const char *start = p;

	if (*p == '<') {
		while (*p != '\0' && *p != '>')
			p++;
		return *p == '>' ? p + 1 : NULL;
	}
	while (isalpha((unsigned char)*p))
		p++;
	return p - start >= 3 ? p : NULL;
}

/* Parses [+-]h[h[h]][:mm[:ss]] into seconds, up to maxh hours. */
static const char *
date_rule_hms(const char *p, int maxh, int32_t *secs)
{
	int sign = 1, h, m = 0, s = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if ((p = date_rule_num(p, 3, &h)) == NULL || h > maxh)
		return NULL;
	if (*p == ':' && ((p = date_rule_num(p + 1, 2, &m)) == NULL || m > 59))
		return NULL;
	if (*p == ':' && ((p = date_rule_num(p + 1, 2, &s)) == NULL || s > 59))
		return NULL;
	*secs = sign * (h * 3600 + m * 60 + s);
	return p;
}

/* Parses one change date of a rule, with its optional "/time". */
static const char *
date_rule_day(const char *p, struct date_rday *rd)
{
	rd->kind = *p == 'J' || *p == 'M' ? *p++ : 'D';
	if (rd->kind == 'M') {
		if ((p = date_rule_num(p, 2, &rd->m)) == NULL || *p != '.' ||
		    (p = date_rule_num(p + 1, 1, &rd->w)) == NULL ||
		    *p != '.' || (p = date_rule_num(p + 1, 1, &rd->d)) == NULL)
			return NULL;
		if (rd->m < 1 || rd->m > 12 || rd->w < 1 || rd->w > 5 ||
		    rd->d > 6)
			return NULL;
	} else if ((p = date_rule_num(p, 3, &rd->n)) == NULL ||
	    rd->n > 365 || (rd->kind == 'J' && rd->n < 1))
		return NULL;
	rd->time = 7200;
	if (*p == '/')
		p = date_rule_hms(p + 1, 167, &rd->time);
	return p;
}

/* Parses a POSIX TZ string such as "EST5EDT,M3.2.0,M11.1.0". */
static int
date_rule_parse(const char *s, struct date_rule *r)
{
	const char *p;
	int32_t off;

	memset(r, 0, sizeof *r);
	if ((p = date_rule_name(s)) == NULL ||
	    (p = date_rule_hms(p, 24, &off)) == NULL)
		return -1;
	r->std_off = r->dst_off = -off;
	if (*p == '\0')
		return 0;
	if ((p = date_rule_name(p)) == NULL)
		return -1;
	r->dst_off = r->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if ((p = date_rule_hms(p, 24, &off)) == NULL)
			return -1;
		r->dst_off = -off;
	}
	/* Daylight time without a rule would need the obsolete posixrules. */
	if (*p != ',' || (p = date_rule_day(p + 1, &r->start)) == NULL ||
	    *p != ',' || (p = date_rule_day(p + 1, &r->end)) == NULL ||
	    *p != '\0')
		return -1;
	r->has_dst = 1;
	return 0;
}

/* The day number of a rule's change date in year. */
static int32_t
date_rule_date(const struct date_rday *rd, int year)
{
	int32_t jan1 = date_to_days(year, 1, 1), first, d;

	if (rd->kind == 'J')
		return jan1 + rd->n - 1 + (date_is_leap(year) && rd->n >= 60);
	if (rd->kind == 'D')
		return jan1 + rd->n;
	first = date_to_days(year, rd->m, 1);
	d = first + (rd->d - date_weekday(first) + 7) % 7 + (rd->w - 1) * 7;
	while (d >= first + date_days_in_month(year, rd->m))
		d -= 7;
	return d;
}

/* The UTC offset a rule gives at instant t. */
static int32_t
date_rule_offset(const struct date_rule *r, int64_t t)
{
	struct date d;
	int64_t s, e;

	if (!r->has_dst)
		return r->std_off;
	date_from_days((int32_t)date_floordiv(t + r->std_off, 86400), &d);
	s = (int64_t)date_rule_date(&r->start, d.year) * 86400 +
	    r->start.time - r->std_off;
	e = (int64_t)date_rule_date(&r->end, d.year) * 86400 + r->end.time -
	    r->dst_off;
	/* Southern zones and Dublin's winter "daylight" time have e < s. */
	if (s < e)
		return t >= s && t < e ? r->dst_off : r->std_off;
	return t >= e && t < s ? r->std_off : r->dst_off;
}

/* The UTC offset of a zone at instant t. */
static int32_t
date_zone_offset(const struct date_zone *z, int64_t t)
{
	size_t lo = 0, hi = z->ntrans, mid;

	if (z->has_rule && (z->ntrans == 0 || t >= z->trans[z->ntrans - 1]))
		return date_rule_offset(&z->rule, t);
	if (z->ntrans == 0 || t < z->trans[0])
		return z->offs[0];
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->offs[z->types[lo]];
}

/* Reads a big-endian signed integer of n (4 or 8) bytes. */
static int64_t
date_be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return n == 4 ? (int32_t)(uint32_t)v : (int64_t)v;
}

/* Parses the counts of a TZif header and the size of its data block. */
static int
date_tzif_header(const unsigned char *p, size_t left, int tsize,
    uint32_t cnt[6], size_t *size)
{
	uint64_t n;
	int i;

	if (left < 44 || memcmp(p, "TZif", 4) != 0)
		return -1;
	for (i = 0; i < 6; i++)
		cnt[i] = (uint32_t)date_be(p + 20 + 4 * i, 4);
	/* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
	n = (uint64_t)cnt[3] * (uint64_t)(tsize + 1) + (uint64_t)cnt[4] * 6 +
	    cnt[5] + (uint64_t)cnt[2] * (uint64_t)(tsize + 4) + cnt[1] +
	    cnt[0];
	if (n > left - 44 || cnt[4] > 256 ||
	    (cnt[0] != 0 && cnt[0] != cnt[4]) ||
	    (cnt[1] != 0 && cnt[1] != cnt[4]))
		return -1;
	*size = (size_t)n;
	return 0;
}

/* Fills a zone from the transition table of a TZif data block. */
static int
date_tzif_data(struct date_zone *z, const unsigned char *p, int tsize,
    const uint32_t cnt[6])
{
	const unsigned char *ti = p + (size_t)cnt[3] * (size_t)tsize;
	const unsigned char *tt = ti + cnt[3];
	size_t i;

	if (cnt[4] == 0)
		return -1;
	z->ntrans = cnt[3];
	z->ntypes = cnt[4];
	z->trans = xcalloc(z->ntrans, sizeof *z->trans);
	z->types = xcalloc(z->ntrans, 1);
	z->offs = xcalloc(z->ntypes, sizeof *z->offs);
	for (i = 0; i < z->ntrans; i++) {
		z->trans[i] = date_be(p + i * (size_t)tsize, tsize);
		z->types[i] = ti[i];
		if (ti[i] >= z->ntypes ||
		    (i > 0 && z->trans[i] <= z->trans[i - 1]))
			return -1;
	}
	for (i = 0; i < z->ntypes; i++) {
		z->offs[i] = (int32_t)date_be(tt + 6 * i, 4);
		if (z->offs[i] <= -89999 || z->offs[i] >= 93600)
			return -1;
	}
	return 0;
}

/* Parses a TZif file; *why says what is wrong with it. */
static int
date_tzif_parse(struct date_zone *z, const unsigned char *p, size_t len,
    const char **why)
{
	uint32_t cnt[6];
	size_t size, end;
	const char *fs, *nl;
	char *footer;
	int tsize = 4, ret;

	*why = "not a valid TZif file";
	if (date_tzif_header(p, len, 4, cnt, &size) != 0)
		return -1;
	if (p[4] >= '2') {
		/* Skip the 32-bit data for the complete 64-bit version. */
		p += 44 + size;
		len -= 44 + size;
		tsize = 8;
		if (date_tzif_header(p, len, 8, cnt, &size) != 0)
			return -1;
	}
	if (cnt[2] != 0) {
		*why = "leap-second zones are not supported";
		return -1;
	}
	if (date_tzif_data(z, p + 44, tsize, cnt) != 0)
		return -1;
	end = 44 + size;
	if (tsize == 4 || end >= len || p[end] != '\n')
		return 0;
	fs = (const char *)p + end + 1;
	if ((nl = memchr(fs, '\n', len - end - 1)) == NULL || nl == fs)
		return 0;
	footer = xstrndup(fs, (size_t)(nl - fs));
	ret = date_rule_parse(footer, &z->rule);
	free(footer);
	if (ret != 0) {
		*why = "unsupported TZ rule in TZif footer";
		return -1;
	}
	z->has_rule = 1;
	return 0;
}

/* Frees a zone.  NULL is ok. */
static void
date_zone_free(struct date_zone *z)
{
	if (z == NULL)
		return;
	free(z->name);
	free(z->trans);
	free(z->types);
	free(z->offs);
	free(z);
}

/* Accepts only names that stay inside the tz database directory. */
static int
date_tz_name_ok(const char *name)
{
	const char *p = name, *c;
	size_t len = strlen(name), n;

	if (len == 0 || len > DATE_TZNAME_MAX ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789/_-+.") != len)
		return 0;
	for (;;) {
		c = strchr(p, '/');
		n = c == NULL ? strlen(p) : (size_t)(c - p);
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (c == NULL)
			return 1;
		p = c + 1;
	}
}

/* Reads a whole (small) file; returns NULL with errno set on failure. */
static unsigned char *
date_read_file(const char *path, size_t *len)
{
	struct stat sb;
	unsigned char *data = NULL;
	ssize_t n;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (!S_ISREG(sb.st_mode) || (uintmax_t)sb.st_size > DATE_TZIF_MAX) {
		errno = S_ISDIR(sb.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	*len = (size_t)sb.st_size;
	data = xmalloc(*len);
	do
		n = pread(fd, data, *len, 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)*len) {
		errno = n == -1 ? errno : EIO;
		goto fail;
	}
	close(fd);
	return data;
fail:
	saved = errno;
	free(data);
	close(fd);
	errno = saved;
	return NULL;
}

/* Loads a zone from the tz database. */
static struct date_zone *
date_zone_load(const char *name, char **cause)
{
	const char *dir = getenv("TZDIR"), *why;
	struct date_zone *z;
	unsigned char *data;
	char *path;
	size_t len;

	if (*name == '\0') {
		set_error(cause, "empty time zone name");
		return NULL;
	}
	if (!date_tz_name_ok(name)) {
		date_fail(name, cause, "invalid time zone name");
		return NULL;
	}
	if (dir == NULL || *dir == '\0')
		dir = DATE_TZDIR;
	path = xasprintf("%s/%s", dir, name);
	z = xcalloc(1, sizeof *z);
	z->name = xstrdup(name);
	if ((data = date_read_file(path, &len)) == NULL) {
		if (errno == ENOENT && (strcmp(name, "UTC") == 0 ||
		    strcmp(name, "Etc/UTC") == 0)) {
			/* Works without a tz database (minimal containers). */
			z->ntypes = 1;
			z->offs = xcalloc(1, sizeof *z->offs);
			free(path);
			return z;
		}
		if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR)
			date_fail(name, cause, "unknown time zone");
		else {
			date_fail(name, cause, "cannot read time zone: %s: %s",
			    path, strerror(errno));
		}
		goto fail;
	}
	if (date_tzif_parse(z, data, len, &why) != 0) {
		date_fail(name, cause, "bad time zone: %s: %s", path, why);
		goto fail;
	}
	free(data);
	free(path);
	return z;
fail:
	free(data);
	free(path);
	date_zone_free(z);
	return NULL;
}

/* Returns the cached zone for name, loading it if needed.  The caller
 * holds date_lock while it uses the zone. */
static const struct date_zone *
date_zone_get(const char *name, char **cause)
{
	struct date_zone *z;
	size_t i;

	if (name == NULL)
		name = "";
	for (i = 0; i < date_ncache; i++) {
		if (strcmp(date_cache[i]->name, name) == 0)
			return date_cache[i];
	}
	if ((z = date_zone_load(name, cause)) == NULL)
		return NULL;
	if (date_ncache < DATE_TZ_CACHE_MAX)
		date_cache[date_ncache++] = z;
	else {
		date_zone_free(date_cache[date_cache_next]);
		date_cache[date_cache_next] = z;
		date_cache_next = (date_cache_next + 1) % DATE_TZ_CACHE_MAX;
	}
	return z;
}

/* Drops cached zones so an updated tz database is reread. */
void
date_tz_flush(void)
{
	size_t i;

	pthread_mutex_lock(&date_lock);
	for (i = 0; i < date_ncache; i++)
		date_zone_free(date_cache[i]);
	date_ncache = date_cache_next = 0;
	pthread_mutex_unlock(&date_lock);
}

/* Checks a zone name from configuration or customer data. */
int
date_tz_valid(const char *tz)
{
	int ok;

	pthread_mutex_lock(&date_lock);
	ok = date_zone_get(tz, NULL) != NULL;
	pthread_mutex_unlock(&date_lock);
	return ok;
}

/* Local time in tz at now, as seconds since 1970-01-01 00:00 local. */
static int
date_local(time_t now, const char *tz, int64_t *local, char **cause)
{
	const struct date_zone *z;
	int64_t t = (int64_t)now;

	if (t > DATE_TIME_MAX || t < -DATE_TIME_MAX)
		return set_error(cause, "time %lld out of range", (long long)t);
	pthread_mutex_lock(&date_lock);
	if ((z = date_zone_get(tz, cause)) != NULL)
		*local = t + date_zone_offset(z, t);
	pthread_mutex_unlock(&date_lock);
	return z != NULL ? 0 : -1;
}

/* The local date in a zone, for date-based triggers. */
int
date_today(time_t now, const char *tz, int32_t *days, char **cause)
{
	int64_t local = 0;

	if (date_local(now, tz, &local, cause) != 0)
		return -1;
	*days = (int32_t)date_floordiv(local, 86400);
	return 0;
}

/* The local time of day in a zone, for quiet hours. */
int
date_local_seconds(time_t now, const char *tz, int *secs, char **cause)
{
	int64_t local = 0;

	if (date_local(now, tz, &local, cause) != 0)
		return -1;
	*secs = (int)(local - date_floordiv(local, 86400) * 86400);
	return 0;
}

/* The instant of a local wall-clock time, for scheduling. */
int
date_local_to_utc(int32_t days, int secs, const char *tz, time_t *out,
    char **cause)
{
	const struct date_zone *z;
	int64_t l = (int64_t)days * 86400 + secs, t, best = 0;
	int32_t cand[4];
	int i, found = 0;

	if (l > DATE_TIME_MAX || l < -DATE_TIME_MAX)
		return set_error(cause, "day %ld out of range", (long)days);
	pthread_mutex_lock(&date_lock);
	if ((z = date_zone_get(tz, cause)) == NULL) {
		pthread_mutex_unlock(&date_lock);
		return -1;
	}
	/* Offsets before and after any change near l (offsets < 26h). */
	cand[0] = date_zone_offset(z, l - 2 * 86400);
	cand[1] = date_zone_offset(z, l + 2 * 86400);
	cand[2] = date_zone_offset(z, l - cand[0]);
	cand[3] = date_zone_offset(z, l - cand[1]);
	for (i = 0; i < 4; i++) {
		t = l - cand[i];
		if (date_zone_offset(z, t) == cand[i] && (!found || t < best)) {
			best = t;
			found = 1;
		}
	}
	pthread_mutex_unlock(&date_lock);
	/* In a gap, the offset from before the change moves l forward. */
	*out = (time_t)(found ? best : l - cand[0]);
	return 0;
}

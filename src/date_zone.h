/* date_zone.h - IANA time zones: the local date and time of an instant.
 *
 * Time zones are read from the system tz database (TZif files under $TZDIR,
 * default /usr/share/zoneinfo), including the POSIX TZ rule at the end of
 * the file for instants after its last transition.  Only names made of
 * letters, digits and "/_-+." without empty, "." or ".." components are
 * looked up, so paths cannot escape the database.  "UTC" and "Etc/UTC" work
 * even without a tz database.  Parsed zones are cached (at most
 * DATE_TZ_CACHE_MAX) behind a mutex: any thread may call them. */
#ifndef OUTREACHD_DATE_ZONE_H
#define OUTREACHD_DATE_ZONE_H

#include <stdint.h>
#include <time.h>

#define DATE_TZ_CACHE_MAX 64

/* 1 if tz names a usable zone in the tz database, else 0. */
int date_tz_valid(const char *tz);

/* The civil date in zone tz at instant now.  Returns 0, or -1 with *cause
 * set (malloc'd) for an unknown or unreadable zone; same for the two
 * functions below. */
int date_today(time_t now, const char *tz, int32_t *days, char **cause);

/* Seconds since local midnight (0..86399) in tz at instant now, e.g. for
 * quiet hours. */
int date_local_seconds(time_t now, const char *tz, int *secs, char **cause);

/* The instant at which local time in tz is secs seconds after midnight of
 * day days ("wait until 09:00 local").  secs may be outside 0..86399 and
 * counts on from that midnight.  A local time skipped by a forward clock
 * change is moved forward by the size of the gap (02:30 becomes 03:30); a
 * local time that happens twice gives the earlier instant. */
int date_local_to_utc(int32_t days, int secs, const char *tz, time_t *out,
    char **cause);

/* Empties the zone cache, e.g. after the tz database was updated. */
void date_tz_flush(void);

#endif

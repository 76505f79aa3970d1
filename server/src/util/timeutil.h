/* Time on the wire is ISO 8601 in UTC ("2026-12-01T08:30:00Z"); in the store it is unix seconds.
 * Calendar dates (due dates) are "YYYY-MM-DD". Local time (Europe/Amsterdam) is the client's
 * business, except where the server itself must think in local days (cadences, digests). */
#ifndef KT_TIMEUTIL_H
#define KT_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "Now" for everything the server decides by the calendar or the clock: the real clock, unless
 * kt_clock_set() moved it (tests: --test-now). Always take the time from here, never time(). */
int64_t kt_now(void);    /* unix seconds */
int64_t kt_now_ms(void); /* unix milliseconds */
int64_t kt_mono_ns(void);

/* For tests only: from now on kt_now() reads t and advances with the real clock. Call before
 * other threads start. */
void kt_clock_set(int64_t t);
bool kt_clock_is_set(void);

/* Parses "YYYY-MM-DDTHH:MM[:SS][.fff](Z|+HH:MM|-HH:MM)"; a zone is required. 0 or KT_EINVAL. */
int kt_time_parse(const char *s, int64_t *out);
/* Writes "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
void kt_time_format(int64_t t, char *buf, size_t n);

/* "YYYY-MM-DD" with a real calendar day; 0 or KT_EINVAL. */
bool kt_date_valid(const char *s);
/* Today's date in Europe/Amsterdam as "YYYY-MM-DD". */
void kt_date_today_local(char *buf, size_t n);

/* Makes Europe/Amsterdam the process' local time zone (idempotent; the local conversions below
 * call it themselves). */
void kt_time_init(void);

/* Local (Europe/Amsterdam) wall-clock time to unix seconds. */
int64_t kt_local_to_utc(int year, int mon, int day, int hour, int min);
/* "dinsdag 3 december 2026 om 09:30" (local time); with_time false: "dinsdag 3 december 2026". */
void kt_time_dutch(int64_t t, bool with_time, char *buf, size_t n);

/* The local (Europe/Amsterdam) calendar day of t, as days since 1970-01-01. */
int64_t kt_local_day(int64_t t);
/* The ISO week (Monday to Sunday, local time) of t, as a week number counted from the week of
 * 1970-01-01: two instants are in the same calendar week exactly when these are equal. */
int64_t kt_local_week(int64_t t);

/* unix seconds to local broken-down fields. */
void kt_utc_to_local(int64_t t, int *year, int *mon, int *day, int *hour, int *min, int *wday);

#endif

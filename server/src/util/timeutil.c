#include "util/timeutil.h"

#include "util/err.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Milliseconds added to the real clock; 0 unless a test fixed "now" (kt_clock_set). Written once
 * at start, before other threads exist, read everywhere. */
static _Atomic int64_t clock_offset_ms;

static int64_t real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t kt_now(void)
{
    int64_t ms = kt_now_ms();
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

int64_t kt_now_ms(void)
{
    return real_ms() + atomic_load_explicit(&clock_offset_ms, memory_order_relaxed);
}

void kt_clock_set(int64_t t)
{
    atomic_store(&clock_offset_ms, t * 1000 - real_ms());
}

bool kt_clock_is_set(void)
{
    return atomic_load(&clock_offset_ms) != 0;
}

int64_t kt_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return KT_EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

static int parse_date(const char *s, int *y, int *m, int *d)
{
    if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
        return KT_EINVAL;
    if (digits(s, 4, y) || digits(s + 5, 2, m) || digits(s + 8, 2, d))
        return KT_EINVAL;
    if (*y < 1970 || *y > 9999 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
        return KT_EINVAL;
    return 0;
}

bool kt_date_valid(const char *s)
{
    int y, m, d;
    return s && strlen(s) == 10 && parse_date(s, &y, &m, &d) == 0;
}

int kt_time_parse(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec = 0;
    if (!s || parse_date(s, &y, &mo, &d) || s[10] != 'T')
        return KT_EINVAL;
    const char *p = s + 11;
    if (digits(p, 2, &h) || p[2] != ':' || digits(p + 3, 2, &mi))
        return KT_EINVAL;
    p += 5;
    if (*p == ':') {
        if (digits(p + 1, 2, &sec))
            return KT_EINVAL;
        p += 3;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p))
                return KT_EINVAL;
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    if (h > 23 || mi > 59 || sec > 59)
        return KT_EINVAL;
    int offset = 0;
    if (*p == 'Z' && p[1] == 0) {
        offset = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (digits(p + 1, 2, &oh) || digits(p + 4, 2, &om) || oh > 14 || om > 59)
            return KT_EINVAL;
        offset = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
    } else {
        return KT_EINVAL;
    }
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    *out = (int64_t)timegm(&tm) - offset;
    return 0;
}

void kt_time_format(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Local time is Europe/Amsterdam, for the whole process: set once, then localtime_r and mktime
 * are cheap and thread-safe. Everything that means UTC uses gmtime_r / timegm, which ignore TZ.
 * tzdata does the rules. */
static pthread_once_t tz_once = PTHREAD_ONCE_INIT;

static void set_amsterdam(void)
{
    setenv("TZ", "Europe/Amsterdam", 1);
    tzset();
}

void kt_time_init(void)
{
    pthread_once(&tz_once, set_amsterdam);
}

int64_t kt_local_to_utc(int year, int mon, int day, int hour, int min)
{
    kt_time_init();
    struct tm tm = {.tm_year = year - 1900,
                    .tm_mon = mon - 1,
                    .tm_mday = day,
                    .tm_hour = hour,
                    .tm_min = min,
                    .tm_isdst = -1};
    return (int64_t)mktime(&tm);
}

void kt_utc_to_local(int64_t t, int *year, int *mon, int *day, int *hour, int *min, int *wday)
{
    kt_time_init();
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    if (year)
        *year = tm.tm_year + 1900;
    if (mon)
        *mon = tm.tm_mon + 1;
    if (day)
        *day = tm.tm_mday;
    if (hour)
        *hour = tm.tm_hour;
    if (min)
        *min = tm.tm_min;
    if (wday)
        *wday = tm.tm_wday;
}

void kt_time_dutch(int64_t t, bool with_time, char *buf, size_t n)
{
    static const char *const days[] = {"zondag",    "maandag", "dinsdag", "woensdag",
                                       "donderdag", "vrijdag", "zaterdag"};
    static const char *const months[] = {"januari",   "februari", "maart",    "april",
                                         "mei",       "juni",     "juli",     "augustus",
                                         "september", "oktober",  "november", "december"};
    int y, m, d, h, mi, wd;
    kt_utc_to_local(t, &y, &m, &d, &h, &mi, &wd);
    if (with_time)
        snprintf(buf, n, "%s %d %s %d om %02d:%02d", days[wd], d, months[m - 1], y, h, mi);
    else
        snprintf(buf, n, "%s %d %s %d", days[wd], d, months[m - 1], y);
}

void kt_date_today_local(char *buf, size_t n)
{
    int y, m, d;
    kt_utc_to_local(kt_now(), &y, &m, &d, NULL, NULL, NULL);
    snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

int64_t kt_local_day(int64_t t)
{
    int y, m, d;
    kt_utc_to_local(t, &y, &m, &d, NULL, NULL, NULL);
    return days_from_civil(y, m, d);
}

int64_t kt_local_week(int64_t t)
{
    /* 1970-01-01 was a Thursday: day 0 is in the week that starts on day -3. */
    int64_t day = kt_local_day(t) + 3;
    return day >= 0 ? day / 7 : -((-day + 6) / 7);
}

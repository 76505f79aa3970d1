/* Time on the wire (ISO 8601 with a zone), calendar dates, and local Europe/Amsterdam time
 * across both DST changes of 2026 (29 March and 25 October). */
#include "test_clock.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* 2026-12-01T09:30:00Z */
#define T_DEC1_0930Z INT64_C(1796117400)

static int64_t parsed(const char *s)
{
    int64_t t = -1;
    assert_int_equal(kt_time_parse(s, &t), 0);
    return t;
}

static void utc_times_parse_with_and_without_seconds(void **state)
{
    (void)state;
    assert_int_equal(parsed("2026-12-01T09:30:00Z"), T_DEC1_0930Z);
    assert_int_equal(parsed("2026-12-01T09:30Z"), T_DEC1_0930Z);
    assert_int_equal(parsed("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parsed("2026-12-01T09:30:07Z"), T_DEC1_0930Z + 7);
}

static void fractions_are_accepted_and_truncated(void **state)
{
    (void)state;
    assert_int_equal(parsed("2026-12-01T09:30:00.999Z"), T_DEC1_0930Z);
    assert_int_equal(parsed("2026-12-01T09:30:00.1+01:00"), T_DEC1_0930Z - 3600);
}

static void offsets_move_the_instant(void **state)
{
    (void)state;
    assert_int_equal(parsed("2026-12-01T10:30:00+01:00"), T_DEC1_0930Z);
    assert_int_equal(parsed("2026-12-01T05:00:00-04:30"), T_DEC1_0930Z);
    assert_int_equal(parsed("2026-12-01T23:30:00+14:00"), T_DEC1_0930Z);
    assert_int_equal(parsed("2026-12-01T09:30:00-00:00"), T_DEC1_0930Z);
    /* the date rolls over with the offset */
    assert_int_equal(parsed("2026-11-30T23:30:00-10:00"), T_DEC1_0930Z);
}

static void malformed_times_are_rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "2026-12-01",                   /* a date is not a time */
        "2026-12-01T09:30:00",          /* a zone is required */
        "2026-12-01T09:30",             /* idem */
        "2026-12-01 09:30:00Z",         /* space instead of T */
        "2026-12-01t09:30:00Z",         /* lower-case t */
        "2026-12-01T09:30:00z",         /* lower-case z */
        "2026-12-01T09:30:00Z ",        /* trailing space */
        "2026-12-01T09:30:00Zjunk",     /* trailing garbage */
        "2026-12-01T9:30:00Z",          /* one-digit hour */
        "2026-12-01T09:3Z",             /* one-digit minute */
        "2026-12-01T09:30:0Z",          /* one-digit second */
        "2026-12-01T24:00:00Z",         /* hour 24 */
        "2026-12-01T09:60:00Z",         /* minute 60 */
        "2026-12-01T09:30:61Z",         /* second 61 */
        "2026-12-01T09:30:00.Z",        /* a dot without digits */
        "2026-12-01T09:30:00+0100",     /* offset without colon */
        "2026-12-01T09:30:00+01",       /* short offset */
        "2026-12-01T09:30:00+01:00:00", /* long offset */
        "2026-12-01T09:30:00+15:00",    /* beyond +14 */
        "2026-12-01T09:30:00+01:60",    /* offset minutes 60 */
        "2026-13-01T09:30:00Z",         /* month 13 */
        "2026-00-01T09:30:00Z",         /* month 0 */
        "2026-12-32T09:30:00Z",         /* day 32 */
        "2026-12-00T09:30:00Z",         /* day 0 */
        "2026-02-29T09:30:00Z",         /* 2026 is no leap year */
        "2026-04-31T09:30:00Z",         /* April has 30 days */
        "1969-12-31T23:59:59Z",         /* before the epoch */
        "26-12-01T09:30:00Z",           /* two-digit year */
        "2026/12/01T09:30:00Z",         /* wrong separators */
        "+2026-12-01T09:30:00Z",
        "2026-12-01T09:30:00+01:00\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 12345;
        if (kt_time_parse(bad[i], &t) != KT_EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
    }
    int64_t t;
    assert_int_equal(kt_time_parse(NULL, &t), KT_EINVAL);
}

static void format_is_canonical_utc_and_round_trips(void **state)
{
    (void)state;
    char buf[32];
    kt_time_format(T_DEC1_0930Z, buf, sizeof buf);
    assert_string_equal(buf, "2026-12-01T09:30:00Z");
    kt_time_format(0, buf, sizeof buf);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    assert_int_equal(strlen(buf), 20); /* fits the documented 21 bytes */
    /* every instant from 1970 to 9999 survives format -> parse (deterministic spread) */
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t t = (int64_t)(x % UINT64_C(253402300800)); /* < 10000-01-01 */
        kt_time_format(t, buf, sizeof buf);
        int64_t back = -1;
        if (kt_time_parse(buf, &back) != 0 || back != t)
            fail_msg("%lld -> %s -> %lld", (long long)t, buf, (long long)back);
    }
    /* an offset form formats back as Z */
    kt_time_format(parsed("2026-07-01T11:30:00+02:00"), buf, sizeof buf);
    assert_string_equal(buf, "2026-07-01T09:30:00Z");
}

static void format_respects_a_short_buffer(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'x', sizeof buf);
    kt_time_format(T_DEC1_0930Z, buf, sizeof buf);
    assert_int_equal(buf[7], 0);
    assert_string_equal(buf, "2026-12");
}

static void dates_follow_the_calendar(void **state)
{
    (void)state;
    assert_true(kt_date_valid("2026-12-01"));
    assert_true(kt_date_valid("2024-02-29")); /* leap year */
    assert_true(kt_date_valid("2000-02-29")); /* divisible by 400 */
    assert_true(kt_date_valid("2400-02-29"));
    assert_false(kt_date_valid("2100-02-29")); /* divisible by 100, not by 400 */
    assert_false(kt_date_valid("2026-02-29"));
    assert_true(kt_date_valid("2026-01-31"));
    assert_false(kt_date_valid("2026-06-31"));
    assert_false(kt_date_valid("2026-12-1"));
    assert_false(kt_date_valid("2026-12-01T00:00:00Z")); /* a time is not a date */
    assert_false(kt_date_valid("2026-12-01 "));
    assert_false(kt_date_valid("2026-1a-01"));
    assert_false(kt_date_valid(""));
    assert_false(kt_date_valid(NULL));
}

static void local_times_map_to_utc_in_winter_and_summer(void **state)
{
    (void)state;
    assert_int_equal(kt_local_to_utc(2026, 12, 1, 10, 30), T_DEC1_0930Z);      /* CET, +1 */
    assert_int_equal(kt_local_to_utc(2026, 7, 1, 9, 30), INT64_C(1782891000)); /* CEST, +2 */
    assert_int_equal(parsed("2026-07-01T07:30:00Z"), INT64_C(1782891000));
}

static void local_to_utc_across_the_spring_change(void **state)
{
    (void)state;
    /* 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00Z) */
    int64_t before = kt_local_to_utc(2026, 3, 29, 1, 59),
            after = kt_local_to_utc(2026, 3, 29, 3, 0);
    assert_int_equal(before, parsed("2026-03-29T00:59:00Z"));
    assert_int_equal(after, parsed("2026-03-29T01:00:00Z"));
    assert_int_equal(after - before, 60); /* the hour in between does not exist */
    /* the day of the change is 23 hours long: 09:30 to 09:30 */
    assert_int_equal(kt_local_to_utc(2026, 3, 29, 9, 30) - kt_local_to_utc(2026, 3, 28, 9, 30),
                     23 * 3600);
}

static void local_to_utc_across_the_autumn_change(void **state)
{
    (void)state;
    /* 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00Z) */
    assert_int_equal(kt_local_to_utc(2026, 10, 25, 1, 59), parsed("2026-10-24T23:59:00Z"));
    assert_int_equal(kt_local_to_utc(2026, 10, 25, 3, 0), parsed("2026-10-25T02:00:00Z"));
    assert_int_equal(kt_local_to_utc(2026, 10, 25, 9, 30) - kt_local_to_utc(2026, 10, 24, 9, 30),
                     25 * 3600);
    /* 02:30 happens twice; whichever is chosen must be a 02:30 local */
    int y, mo, d, h, mi;
    kt_utc_to_local(kt_local_to_utc(2026, 10, 25, 2, 30), &y, &mo, &d, &h, &mi, NULL);
    assert_int_equal((int64_t)y * 100000000 + mo * 1000000 + d * 10000 + h * 100 + mi,
                     INT64_C(202610250230));
}

static void local_to_utc_normalises_overflowing_fields(void **state)
{
    (void)state;
    /* cadences add days to the day of month and rely on this */
    assert_int_equal(kt_local_to_utc(2026, 11, 31, 10, 30), T_DEC1_0930Z);
    assert_int_equal(kt_local_to_utc(2026, 12, 1 + 42, 10, 30) - T_DEC1_0930Z, 42 * 86400);
}

static void utc_to_local_across_both_changes(void **state)
{
    (void)state;
    struct {
        const char *utc;
        int y, mo, d, h, mi, wday;
    } cases[] = {
        {"2026-03-29T00:59:59Z", 2026, 3, 29, 1, 59, 0},  /* last second of CET */
        {"2026-03-29T01:00:00Z", 2026, 3, 29, 3, 0, 0},   /* first of CEST */
        {"2026-10-25T00:59:59Z", 2026, 10, 25, 2, 59, 0}, /* last of CEST */
        {"2026-10-25T01:00:00Z", 2026, 10, 25, 2, 0, 0},  /* first of CET: 02:00 again */
        {"2026-12-31T23:30:00Z", 2027, 1, 1, 0, 30, 5},   /* a new year, locally */
        {"2024-02-29T12:00:00Z", 2024, 2, 29, 13, 0, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int y = 0, mo = 0, d = 0, h = 0, mi = 0, wd = -1;
        kt_utc_to_local(parsed(cases[i].utc), &y, &mo, &d, &h, &mi, &wd);
        if (y != cases[i].y || mo != cases[i].mo || d != cases[i].d || h != cases[i].h ||
            mi != cases[i].mi || wd != cases[i].wday)
            fail_msg("%s -> %04d-%02d-%02d %02d:%02d wday %d", cases[i].utc, y, mo, d, h, mi, wd);
    }
    /* NULL outputs are allowed */
    int h = -1;
    kt_utc_to_local(T_DEC1_0930Z, NULL, NULL, NULL, &h, NULL, NULL);
    assert_int_equal(h, 10);
}

static void local_and_utc_round_trip_for_every_hour_of_2026(void **state)
{
    (void)state;
    int64_t start = parsed("2026-01-01T00:00:00Z");
    for (int64_t t = start; t < start + 365 * 86400; t += 3600 + 60) {
        int y, mo, d, h, mi;
        kt_utc_to_local(t, &y, &mo, &d, &h, &mi, NULL);
        int64_t back = kt_local_to_utc(y, mo, d, h, mi);
        /* in the repeated autumn hour either occurrence is a correct answer */
        if (back != t - t % 60 && !(back == t - t % 60 - 3600 || back == t - t % 60 + 3600))
            fail_msg("%lld -> %04d-%02d-%02d %02d:%02d -> %lld", (long long)t, y, mo, d, h, mi,
                     (long long)back);
        if (back != t - t % 60) {
            /* only there */
            assert_int_equal(y * 10000 + mo * 100 + d, 20261025);
            assert_int_equal(h, 2);
        }
    }
}

static void dutch_formatting_uses_local_time_and_dutch_names(void **state)
{
    (void)state;
    char buf[80];
    kt_time_dutch(T_DEC1_0930Z, true, buf, sizeof buf);
    assert_string_equal(buf, "dinsdag 1 december 2026 om 10:30");
    kt_time_dutch(T_DEC1_0930Z, false, buf, sizeof buf);
    assert_string_equal(buf, "dinsdag 1 december 2026");
    kt_time_dutch(parsed("2026-07-01T07:05:00Z"), true, buf, sizeof buf);
    assert_string_equal(buf, "woensdag 1 juli 2026 om 09:05");
    kt_time_dutch(parsed("2026-03-29T01:00:00Z"), true, buf, sizeof buf);
    assert_string_equal(buf, "zondag 29 maart 2026 om 03:00");
    kt_time_dutch(parsed("2026-12-31T23:30:00Z"), false, buf, sizeof buf);
    assert_string_equal(buf, "vrijdag 1 januari 2027");
    static const char *const months[] = {"januari",   "februari", "maart",    "april",
                                         "mei",       "juni",     "juli",     "augustus",
                                         "september", "oktober",  "november", "december"};
    for (int m = 1; m <= 12; m++) {
        kt_time_dutch(kt_local_to_utc(2026, m, 15, 12, 0), true, buf, sizeof buf);
        char want[40];
        snprintf(want, sizeof want, " 15 %s 2026 om 12:00", months[m - 1]);
        if (!strstr(buf, want))
            fail_msg("month %d: \"%s\"", m, buf);
    }
}

static void today_follows_the_local_calendar_at_midnight(void **state)
{
    (void)state;
    char today[16];
    /* 23:59:30 in Amsterdam on 31 December 2026 (UTC+1): still the old year */
    kt_clock_set(kt_local_to_utc(2026, 12, 31, 23, 59) + 30);
    kt_date_today_local(today, sizeof today);
    assert_string_equal(today, "2026-12-31");
    /* 00:00:30 local, 23:00:30 UTC the day before: already the new year */
    kt_clock_set(kt_local_to_utc(2027, 1, 1, 0, 0) + 30);
    kt_date_today_local(today, sizeof today);
    assert_string_equal(today, "2027-01-01");
    /* a summer night: 00:30 local is 22:30 UTC the day before */
    kt_clock_set(kt_local_to_utc(2027, 7, 1, 0, 30));
    kt_date_today_local(today, sizeof today);
    assert_string_equal(today, "2027-07-01");
    kt_clock_set(KT_TEST_NOW);
}

static void the_test_clock_starts_where_it_is_set_and_runs_on(void **state)
{
    (void)state;
    kt_clock_set(2000000000);
    int64_t a = kt_now(), ms = kt_now_ms();
    assert_true(a >= 2000000000 && a <= 2000000001);
    assert_true(ms >= 2000000000000 && ms < 2000000002000);
    kt_clock_set(KT_TEST_NOW);
    assert_true(kt_now() >= KT_TEST_NOW && kt_now() <= KT_TEST_NOW + 5);
    assert_true(kt_clock_is_set());
}

static void days_are_local_calendar_days(void **state)
{
    (void)state;
    assert_int_equal(kt_local_day(kt_local_to_utc(1970, 1, 1, 12, 0)), 0);
    assert_int_equal(kt_local_day(kt_local_to_utc(2027, 1, 1, 0, 0)) -
                         kt_local_day(kt_local_to_utc(2026, 12, 31, 23, 59)),
                     1);
    /* the spring change day has 23 hours, the autumn one 25: each is still one day */
    int64_t spring = kt_local_to_utc(2027, 3, 28, 0, 0),
            autumn = kt_local_to_utc(2027, 10, 31, 0, 0);
    assert_int_equal(kt_local_day(spring + 23 * 3600 - 1), kt_local_day(spring));
    assert_int_equal(kt_local_day(spring + 23 * 3600), kt_local_day(spring) + 1);
    assert_int_equal(kt_local_day(autumn + 25 * 3600 - 1), kt_local_day(autumn));
    assert_int_equal(kt_local_day(autumn + 25 * 3600), kt_local_day(autumn) + 1);
}

/* Two local wall-clock times are in the same ISO week exactly when their weeks are equal. */
static bool same_week(int y1, int m1, int d1, int h1, int y2, int m2, int d2, int h2)
{
    return kt_local_week(kt_local_to_utc(y1, m1, d1, h1, 0)) ==
           kt_local_week(kt_local_to_utc(y2, m2, d2, h2, 0));
}

static void weeks_run_from_monday_to_sunday_in_amsterdam(void **state)
{
    (void)state;
    /* Monday 30 November 2026 00:00 to Sunday 6 December 23:59 is one week */
    assert_true(same_week(2026, 11, 30, 0, 2026, 12, 6, 23));
    assert_false(same_week(2026, 11, 29, 23, 2026, 11, 30, 0));
    assert_false(same_week(2026, 12, 6, 23, 2026, 12, 7, 0));
    /* Sunday 23:30 local is Sunday 22:30 UTC; Monday 00:30 local is Sunday 23:30 UTC */
    int64_t sun = kt_local_to_utc(2026, 12, 6, 23, 30), mon = kt_local_to_utc(2026, 12, 7, 0, 30);
    assert_int_equal(kt_local_week(mon) - kt_local_week(sun), 1);
    /* across the year: 28 December 2026 (Monday) to 3 January 2027 (Sunday) is ISO week 53 */
    assert_true(same_week(2026, 12, 28, 9, 2027, 1, 3, 20));
    assert_false(same_week(2027, 1, 3, 20, 2027, 1, 4, 9));
    /* the weeks with a clock change: Monday 22 to Sunday 28 March 2027 (03:00 after the change),
       Monday 25 to Sunday 31 October 2027 */
    assert_true(same_week(2027, 3, 22, 0, 2027, 3, 28, 23));
    assert_false(same_week(2027, 3, 28, 23, 2027, 3, 29, 0));
    assert_true(same_week(2027, 10, 25, 0, 2027, 10, 31, 23));
    assert_false(same_week(2027, 10, 31, 23, 2027, 11, 1, 0));
    /* consecutive Mondays are consecutive weeks, for every week of 2026-2028 */
    int64_t first = kt_local_week(kt_local_to_utc(2026, 1, 5, 9, 0));
    for (int k = 0; k < 156; k++)
        assert_int_equal(kt_local_week(kt_local_to_utc(2026, 1, 5 + 7 * k, 9, 0)), first + k);
}

static void clocks_agree_and_monotonic_time_does_not_go_back(void **state)
{
    (void)state;
    int64_t s = kt_now(), ms = kt_now_ms(), s2 = kt_now();
    assert_true(ms / 1000 >= s && ms / 1000 <= s2);
    int64_t a = kt_mono_ns(), b = kt_mono_ns();
    assert_true(b >= a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utc_times_parse_with_and_without_seconds),
        cmocka_unit_test(fractions_are_accepted_and_truncated),
        cmocka_unit_test(offsets_move_the_instant),
        cmocka_unit_test(malformed_times_are_rejected),
        cmocka_unit_test(format_is_canonical_utc_and_round_trips),
        cmocka_unit_test(format_respects_a_short_buffer),
        cmocka_unit_test(dates_follow_the_calendar),
        cmocka_unit_test(local_times_map_to_utc_in_winter_and_summer),
        cmocka_unit_test(local_to_utc_across_the_spring_change),
        cmocka_unit_test(local_to_utc_across_the_autumn_change),
        cmocka_unit_test(local_to_utc_normalises_overflowing_fields),
        cmocka_unit_test(utc_to_local_across_both_changes),
        cmocka_unit_test(local_and_utc_round_trip_for_every_hour_of_2026),
        cmocka_unit_test(dutch_formatting_uses_local_time_and_dutch_names),
        cmocka_unit_test(today_follows_the_local_calendar_at_midnight),
        cmocka_unit_test(the_test_clock_starts_where_it_is_set_and_runs_on),
        cmocka_unit_test(days_are_local_calendar_days),
        cmocka_unit_test(weeks_run_from_monday_to_sunday_in_amsterdam),
        cmocka_unit_test(clocks_agree_and_monotonic_time_does_not_go_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

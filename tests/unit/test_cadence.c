/* Cadences: which periods are valid, and that a series keeps its local wall-clock time across
 * DST and clamps to the month's end. */
#include "test_clock.h"
#include "domain/cadence.h"
#include "util/timeutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

/* The local (Europe/Amsterdam) time of t as "YYYY-MM-DD HH:MM". */
static const char *local(int64_t t)
{
    static char buf[4][32];
    static int next;
    char *b = buf[next++ % 4];
    int y, mo, d, h, mi;
    kt_utc_to_local(t, &y, &mo, &d, &h, &mi, NULL);
    snprintf(b, sizeof buf[0], "%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi);
    return b;
}

static void weeks_and_months_from_1_to_52_are_valid(void **state)
{
    (void)state;
    static const char *const good[] = {"P1W", "P6W", "P52W", "P1M", "P3M", "P12M", "P52M"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!kt_cadence_valid(good[i]))
            fail_msg("rejected %s", good[i]);
    static const char *const bad[] = {"",     "P",    "PW",    "P0W",  "P53W",
                                      "P0M",  "P1D",  "P1Y",   "P1",   "p1W",
                                      "P1w",  "1W",   "P-1W",  "P+1W", "P 1W",
                                      "P1W ", "P1WM", "P1.5W", "P6WX", "P99999999999999999999W"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (kt_cadence_valid(bad[i]))
            fail_msg("accepted \"%s\"", bad[i]);
    assert_false(kt_cadence_valid(NULL));
}

static void step_zero_is_the_start_itself(void **state)
{
    (void)state;
    int64_t t = kt_local_to_utc(2026, 3, 10, 9, 30);
    assert_int_equal(kt_cadence_step(t, "P6W", 0), t);
    assert_int_equal(kt_cadence_step(t, "P1M", 0), t);
}

static void six_weekly_meetings_stay_at_0930_across_both_dst_changes(void **state)
{
    (void)state;
    int64_t t = kt_local_to_utc(2026, 2, 17, 9, 30);                              /* CET */
    assert_string_equal(local(kt_cadence_step(t, "P6W", 1)), "2026-03-31 09:30"); /* CEST */
    assert_string_equal(local(kt_cadence_step(t, "P6W", 2)), "2026-05-12 09:30");
    assert_string_equal(local(kt_cadence_step(t, "P6W", 5)), "2026-09-15 09:30");
    assert_string_equal(local(kt_cadence_step(t, "P6W", 6)), "2026-10-27 09:30"); /* CET again */
    /* the instants differ by six weeks less (or more) the hour DST took */
    assert_int_equal(kt_cadence_step(t, "P6W", 1) - t, 42 * 86400 - 3600);
    assert_int_equal(kt_cadence_step(t, "P6W", 6) - kt_cadence_step(t, "P6W", 5),
                     42 * 86400 + 3600);
    /* every weekly step of a whole year lands on a Tuesday at 09:30 */
    for (int k = 0; k <= 52; k++) {
        int64_t s = kt_cadence_step(t, "P1W", k);
        int h, mi, wd;
        kt_utc_to_local(s, NULL, NULL, NULL, &h, &mi, &wd);
        if (h != 9 || mi != 30 || wd != 2)
            fail_msg("week %d: %s (wday %d)", k, local(s), wd);
    }
}

static void a_week_step_over_the_change_weekend_keeps_the_time(void **state)
{
    (void)state;
    /* Saturday before each change to Saturday after */
    assert_string_equal(local(kt_cadence_step(kt_local_to_utc(2026, 3, 28, 9, 30), "P1W", 1)),
                        "2026-04-04 09:30");
    assert_string_equal(local(kt_cadence_step(kt_local_to_utc(2026, 10, 24, 9, 30), "P1W", 1)),
                        "2026-10-31 09:30");
}

static void monthly_meetings_stay_at_0930_across_dst(void **state)
{
    (void)state;
    int64_t t = kt_local_to_utc(2026, 1, 15, 9, 30);
    for (int k = 0; k < 24; k++) {
        char want[32];
        int mo = (k % 12) + 1, y = 2026 + k / 12;
        snprintf(want, sizeof want, "%04d-%02d-15 09:30", y, mo);
        assert_string_equal(local(kt_cadence_step(t, "P1M", k)), want);
    }
    assert_string_equal(local(kt_cadence_step(t, "P3M", 3)), "2026-10-15 09:30");
}

static void month_steps_clamp_to_the_last_day(void **state)
{
    (void)state;
    int64_t jan31 = kt_local_to_utc(2026, 1, 31, 9, 30);
    assert_string_equal(local(kt_cadence_step(jan31, "P1M", 1)), "2026-02-28 09:30");
    /* clamping does not stick: the next step is from the 31st again */
    assert_string_equal(local(kt_cadence_step(jan31, "P1M", 2)), "2026-03-31 09:30");
    assert_string_equal(local(kt_cadence_step(jan31, "P1M", 3)), "2026-04-30 09:30");
    assert_string_equal(local(kt_cadence_step(jan31, "P1M", 13)), "2027-02-28 09:30");
    /* a leap year has 29 February, and 2100 is none */
    assert_string_equal(local(kt_cadence_step(kt_local_to_utc(2028, 1, 31, 9, 30), "P1M", 1)),
                        "2028-02-29 09:30");
    assert_string_equal(local(kt_cadence_step(kt_local_to_utc(2099, 12, 31, 9, 30), "P2M", 1)),
                        "2100-02-28 09:30");
    assert_string_equal(local(kt_cadence_step(kt_local_to_utc(2099, 12, 31, 9, 30), "P2M", 25)),
                        "2104-02-29 09:30");
    /* over a year's end */
    assert_string_equal(local(kt_cadence_step(kt_local_to_utc(2026, 11, 30, 14, 0), "P3M", 1)),
                        "2027-02-28 14:00");
    assert_string_equal(local(kt_cadence_step(kt_local_to_utc(2026, 8, 31, 9, 30), "P1M", 1)),
                        "2026-09-30 09:30");
}

static void nominal_lengths(void **state)
{
    (void)state;
    assert_int_equal(kt_cadence_seconds("P6W"), 42 * 86400);
    assert_int_equal(kt_cadence_seconds("P1W"), 7 * 86400);
    assert_int_equal(kt_cadence_seconds("P1M"), 30 * 86400);
    assert_int_equal(kt_cadence_seconds("P52M"), INT64_C(52) * 30 * 86400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(weeks_and_months_from_1_to_52_are_valid),
        cmocka_unit_test(step_zero_is_the_start_itself),
        cmocka_unit_test(six_weekly_meetings_stay_at_0930_across_both_dst_changes),
        cmocka_unit_test(a_week_step_over_the_change_weekend_keeps_the_time),
        cmocka_unit_test(monthly_meetings_stay_at_0930_across_dst),
        cmocka_unit_test(month_steps_clamp_to_the_last_day),
        cmocka_unit_test(nominal_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

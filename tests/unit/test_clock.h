/* Every unit test runs at one fixed instant, whatever the date and hour it is run at: a
 * Wednesday morning in Amsterdam (2026-12-02 10:00 local), from which the clock runs on in real
 * time. Tests about other instants call kt_clock_set() themselves. */
#ifndef KT_TEST_CLOCK_H
#define KT_TEST_CLOCK_H

#include "util/timeutil.h"

#define KT_TEST_NOW 1796202000 /* 2026-12-02T09:00:00Z */

__attribute__((constructor)) static void kt_test_clock_fix(void)
{
    kt_time_init();
    kt_clock_set(KT_TEST_NOW);
}

#endif

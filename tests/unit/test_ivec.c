/* The small id set the write path uses to note what it touched. */
#include "test_clock.h"
#include "util/ivec.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void add_keeps_a_set_and_push_keeps_duplicates(void **state)
{
    (void)state;
    kt_ivec a = {0};
    assert_false(kt_ivec_has(&a, 1));
    for (int round = 0; round < 3; round++)
        for (int64_t x = 1; x <= 100; x++)
            assert_int_equal(kt_ivec_add(&a, x * 3), 0);
    assert_int_equal(a.n, 100);
    assert_true(kt_ivec_has(&a, 300));
    assert_false(kt_ivec_has(&a, 301));
    assert_int_equal(kt_ivec_push(&a, 3), 0);
    assert_int_equal(a.n, 101);
    kt_ivec_free(&a);
    assert_int_equal(a.n, 0);
    assert_null(a.v);
    assert_false(kt_ivec_has(&a, 3));
}

static void sort_orders_negative_and_large_values(void **state)
{
    (void)state;
    kt_ivec a = {0};
    int64_t in[] = {5, -1, INT64_MAX, 0, INT64_MIN, 5, 42};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        assert_int_equal(kt_ivec_push(&a, in[i]), 0);
    kt_ivec_sort(&a);
    int64_t want[] = {INT64_MIN, -1, 0, 5, 5, 42, INT64_MAX};
    assert_int_equal(a.n, 7);
    for (size_t i = 0; i < a.n; i++)
        assert_int_equal(a.v[i], want[i]);
    kt_ivec_free(&a);
    kt_ivec_sort(&a); /* empty: nothing to do */
    assert_int_equal(a.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_keeps_a_set_and_push_keeps_duplicates),
        cmocka_unit_test(sort_orders_negative_and_large_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

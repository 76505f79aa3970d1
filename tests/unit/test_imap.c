/* The int64 -> pointer hash map: lookups after growth, replacement, and backward-shift deletion
 * checked against a plain array model under long random runs. */
#include "test_clock.h"
#include "util/imap.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Deterministic: the same run every time (xorshift64*). */
static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static void *val_for(int64_t key, int gen)
{
    /* any non-NULL pointer will do (odd: never NULL); the map never dereferences values */
    return (void *)(uintptr_t)((((uint64_t)key * 0x100000001b3ull) ^ ((uint64_t)gen << 1)) | 1);
}

static void an_empty_map_finds_nothing_and_deletes_nothing(void **state)
{
    (void)state;
    kt_imap m = {0};
    assert_null(kt_imap_get(&m, 1));
    assert_null(kt_imap_del(&m, 1));
    assert_int_equal(m.len, 0);
    kt_imap_free(&m);
    kt_imap_free(&m); /* freeing twice is harmless */
}

static void put_replaces_without_counting_twice(void **state)
{
    (void)state;
    kt_imap m = {0};
    int a, b;
    assert_int_equal(kt_imap_put(&m, 42, &a), 0);
    assert_int_equal(kt_imap_put(&m, 42, &b), 0);
    assert_int_equal(m.len, 1);
    assert_ptr_equal(kt_imap_get(&m, 42), &b);
    assert_ptr_equal(kt_imap_del(&m, 42), &b);
    assert_int_equal(m.len, 0);
    assert_null(kt_imap_get(&m, 42));
    kt_imap_free(&m);
}

static void negative_and_extreme_keys_work(void **state)
{
    (void)state;
    kt_imap m = {0};
    int64_t keys[] = {-1, INT64_MIN, INT64_MAX, 1, -42, (int64_t)1 << 40};
    size_t n = sizeof keys / sizeof keys[0];
    for (size_t i = 0; i < n; i++)
        assert_int_equal(kt_imap_put(&m, keys[i], val_for(keys[i], 0)), 0);
    for (size_t i = 0; i < n; i++)
        assert_ptr_equal(kt_imap_get(&m, keys[i]), val_for(keys[i], 0));
    assert_ptr_equal(kt_imap_del(&m, INT64_MIN), val_for(INT64_MIN, 0));
    assert_null(kt_imap_get(&m, INT64_MIN));
    assert_ptr_equal(kt_imap_get(&m, INT64_MAX), val_for(INT64_MAX, 0));
    kt_imap_free(&m);
}

static void many_keys_survive_growth(void **state)
{
    (void)state;
    kt_imap m = {0};
    for (int64_t k = 1; k <= 100000; k++)
        assert_int_equal(kt_imap_put(&m, k * 7919, val_for(k, 0)), 0);
    assert_int_equal(m.len, 100000);
    assert_true(m.cap >= m.len);
    assert_int_equal(m.cap & (m.cap - 1), 0); /* a power of two */
    for (int64_t k = 1; k <= 100000; k++)
        assert_ptr_equal(kt_imap_get(&m, k * 7919), val_for(k, 0));
    assert_null(kt_imap_get(&m, 7919 * 100001));
    assert_null(kt_imap_get(&m, 5));
    kt_imap_free(&m);
}

/* A map reserved for n entries takes n puts without moving its table, keeps what it held
 * when reserved, and a reservation below its size changes nothing. */
static void reserve_takes_the_puts_without_growing(void **state)
{
    (void)state;
    kt_imap m = {0};
    for (int64_t k = 1; k <= 100; k++)
        assert_int_equal(kt_imap_put(&m, k * 31, val_for(k, 0)), 0);
    assert_int_equal(kt_imap_reserve(&m, 50000), 0);
    kt_imap_slot *slots = m.slots;
    size_t cap = m.cap;
    assert_true(cap * 3 >= 50000 * 4);
    assert_int_equal(cap & (cap - 1), 0);
    for (int64_t k = 101; k <= 50000; k++)
        assert_int_equal(kt_imap_put(&m, k * 31, val_for(k, 0)), 0);
    assert_ptr_equal(m.slots, slots); /* grown once, at the reservation */
    assert_int_equal(m.cap, cap);
    assert_int_equal(kt_imap_reserve(&m, 10), 0); /* below its size: nothing */
    assert_ptr_equal(m.slots, slots);
    for (int64_t k = 1; k <= 50000; k++)
        assert_ptr_equal(kt_imap_get(&m, k * 31), val_for(k, 0));
    assert_int_equal(m.len, 50000);
    kt_imap_free(&m);
    assert_int_equal(kt_imap_reserve(&m, 0), 0); /* an empty map: the smallest table */
    assert_int_equal(kt_imap_put(&m, 7, val_for(7, 0)), 0);
    assert_ptr_equal(kt_imap_get(&m, 7), val_for(7, 0));
    kt_imap_free(&m);
}

/* Checks every model key against the map, and the map's slots against the model. */
static void check_against_model(const kt_imap *m, void *const *model, int64_t base_min, size_t span,
                                int64_t mult)
{
    size_t present = 0;
    for (size_t i = 0; i < span; i++) {
        int64_t base = base_min + (int64_t)i;
        if (base == 0)
            continue;
        void *got = kt_imap_get(m, base * mult);
        if (model[i]) {
            present++;
            assert_ptr_equal(got, model[i]);
        } else {
            assert_null(got);
        }
    }
    assert_int_equal(m->len, present);
    size_t seen = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key) {
            seen++;
            assert_int_equal(m->slots[i].key % mult, 0);
            int64_t base = m->slots[i].key / mult;
            assert_ptr_equal(m->slots[i].val, model[base - base_min]);
        }
    assert_int_equal(seen, present);
}

static void random_run(int64_t mult, uint64_t seed, int ops, size_t span)
{
    rng_state = seed;
    const int64_t base_min = -(int64_t)(span / 2);
    void **model = calloc(span, sizeof *model);
    assert_non_null(model);
    kt_imap m = {0};
    for (int op = 0; op < ops; op++) {
        int64_t base = base_min + (int64_t)(rng() % span);
        if (base == 0)
            continue;
        size_t i = (size_t)(base - base_min);
        unsigned what = (unsigned)(rng() % 10);
        if (what < 5) { /* put (sometimes a replacement) */
            void *v = val_for(base, op);
            assert_int_equal(kt_imap_put(&m, base * mult, v), 0);
            model[i] = v;
        } else if (what < 9) { /* delete: the shifting of later entries must keep them findable */
            assert_ptr_equal(kt_imap_del(&m, base * mult), model[i]);
            model[i] = NULL;
        } else {
            assert_ptr_equal(kt_imap_get(&m, base * mult), model[i]);
        }
        if (op % 997 == 0)
            check_against_model(&m, model, base_min, span, mult);
    }
    check_against_model(&m, model, base_min, span, mult);
    /* drain in random order; every remaining key stays findable until its turn */
    for (size_t left = m.len; left; left = m.len) {
        size_t i = (size_t)(rng() % span);
        if (!model[i])
            continue;
        assert_ptr_equal(kt_imap_del(&m, (base_min + (int64_t)i) * mult), model[i]);
        model[i] = NULL;
        if (m.len % 101 == 0)
            check_against_model(&m, model, base_min, span, mult);
    }
    check_against_model(&m, model, base_min, span, mult);
    kt_imap_free(&m);
    free(model);
}

static void random_puts_and_deletes_match_a_reference_model(void **state)
{
    (void)state;
    /* small key ranges keep the table dense and its clusters long (deletions shift a lot) */
    random_run(1, 0x9e3779b97f4a7c15ull, 200000, 64);
    random_run(1, 0x0123456789abcdefull, 200000, 1001);
    random_run(1, 0xdeadbeefcafef00dull, 300000, 20001);
    /* keys that differ only in high bits, and keys that are multiples of a large power of two */
    random_run((int64_t)1 << 32, 0x5555aaaa5555aaaaull, 200000, 1001);
    random_run((int64_t)1 << 20, 0x1111222233334444ull, 200000, 4001);
}

static void deleting_every_key_of_a_full_cluster_in_every_position_works(void **state)
{
    (void)state;
    /* 12 keys in 16 slots (the most before growing): clusters are guaranteed. Delete one key at
     * each position in turn and check the other eleven stay findable. */
    for (int victim = 1; victim <= 12; victim++) {
        kt_imap m = {0};
        for (int64_t k = 1; k <= 12; k++)
            assert_int_equal(kt_imap_put(&m, k, val_for(k, 0)), 0);
        assert_int_equal(m.cap, 16);
        assert_ptr_equal(kt_imap_del(&m, victim), val_for(victim, 0));
        for (int64_t k = 1; k <= 12; k++) {
            if (k == victim)
                assert_null(kt_imap_get(&m, k));
            else
                assert_ptr_equal(kt_imap_get(&m, k), val_for(k, 0));
        }
        assert_null(kt_imap_del(&m, victim));
        assert_int_equal(m.len, 11);
        kt_imap_free(&m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_empty_map_finds_nothing_and_deletes_nothing),
        cmocka_unit_test(put_replaces_without_counting_twice),
        cmocka_unit_test(negative_and_extreme_keys_work),
        cmocka_unit_test(many_keys_survive_growth),
        cmocka_unit_test(reserve_takes_the_puts_without_growing),
        cmocka_unit_test(random_puts_and_deletes_match_a_reference_model),
        cmocka_unit_test(deleting_every_key_of_a_full_cluster_in_every_position_works),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

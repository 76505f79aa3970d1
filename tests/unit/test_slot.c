/* The confidential batch's slot (util/slot.h, issue 11 timing), on a clock the test drives: a
 * batch holds the loop for a whole number of slots whatever its work took, stops taking work
 * when the slot is used up, and what it left waits for the next batch, first and in order. */
#include "test_clock.h"
#include "util/err.h"
#include "util/slot.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define MS 1000000LL

typedef struct fake {
    int64_t now;
    int waits;
    int64_t cost[64]; /* ns an id's work takes (by id) */
    int64_t ran[64];
    size_t n_ran;
    int64_t fail; /* the id whose work fails (0: none) */
} fake;

static int64_t fake_now(void *arg)
{
    return ((fake *)arg)->now;
}

static void fake_wait(void *arg, int64_t t)
{
    fake *f = arg;
    assert_true(t >= f->now); /* never asked to wait for the past */
    f->now = t;
    f->waits++;
}

static int work(int64_t id, void *arg)
{
    fake *f = arg;
    f->ran[f->n_ran++] = id;
    f->now += f->cost[id];
    return id == f->fail ? KT_ESTORE : 0;
}

static void ids_are(const kt_ivec *v, const int64_t *want, size_t n)
{
    assert_int_equal(v->n, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(v->v[i], want[i]);
}

/* A batch (items + commit) that takes 7 ms of a 40 ms slot: the loop is back at 40 ms. */
static void a_short_batch_is_held_to_the_slot(void **state)
{
    (void)state;
    fake f = {.now = 5000 * MS, .cost = {[1] = 2 * MS, [2] = 2 * MS, [3] = 2 * MS}};
    kt_slot_clock clock = {fake_now, fake_wait, &f};
    kt_slot_queue q = {0};
    for (int64_t id = 1; id <= 3; id++)
        assert_int_equal(kt_slot_queue_add(&q, id), 0);
    kt_slot s;
    kt_slot_open(&s, &clock, 40 * MS);
    size_t ran = 0;
    assert_int_equal(kt_slot_queue_run(&q, &s, 100, work, &f, &ran), 0);
    assert_int_equal(ran, 3);
    f.now += 1 * MS; /* the commit */
    assert_false(kt_slot_spent(&s));
    assert_int_equal(kt_slot_close(&s), 1);
    assert_int_equal(f.waits, 1);
    assert_int_equal(f.now, 5040 * MS);
    assert_int_equal(kt_slot_queue_settle(&q, true), 0);
    assert_false(kt_slot_queue_pending(&q));

    /* a batch with nothing to do is held just as long */
    kt_slot_open(&s, &clock, 40 * MS);
    assert_int_equal(kt_slot_queue_run(&q, &s, 100, work, &f, &ran), 0);
    assert_int_equal(ran, 0);
    assert_int_equal(kt_slot_close(&s), 1);
    assert_int_equal(f.now, 5080 * MS);

    /* work that ends right on the slot's end holds one slot, and waits no longer */
    kt_slot_open(&s, &clock, 40 * MS);
    f.now += 40 * MS;
    assert_true(kt_slot_spent(&s));
    assert_int_equal(kt_slot_close(&s), 1);
    assert_int_equal(f.now, 5120 * MS);
    kt_slot_queue_free(&q);
}

/* Items of 4 ms in a 10 ms slot: the third starts at 8 ms and ends at 12; no fourth starts; the
 * loop is back at 20 ms (two whole slots), and the rest waits, in order. An item that alone
 * runs 25 ms (it is taken though the slot is spent: the work must move on) ends at 30. */
static void an_overrunning_batch_ends_on_a_multiple_of_the_slot(void **state)
{
    (void)state;
    fake f = {.now = 0};
    for (int id = 1; id <= 10; id++)
        f.cost[id] = 4 * MS;
    kt_slot_clock clock = {fake_now, fake_wait, &f};
    kt_slot_queue q = {0};
    for (int64_t id = 1; id <= 10; id++)
        assert_int_equal(kt_slot_queue_add(&q, id), 0);
    kt_slot s;
    kt_slot_open(&s, &clock, 10 * MS);
    size_t ran = 0;
    assert_int_equal(kt_slot_queue_run(&q, &s, 100, work, &f, &ran), 0);
    assert_int_equal(ran, 3);
    assert_int_equal(f.now, 12 * MS);
    assert_int_equal(kt_slot_close(&s), 2);
    assert_int_equal(f.now, 20 * MS);
    ids_are(&q.waiting, (int64_t[]){4, 5, 6, 7, 8, 9, 10}, 7);

    kt_slot_queue_settle(&q, true);
    f.cost[4] = 25 * MS;
    kt_slot_open(&s, &clock, 10 * MS);
    f.now += 11 * MS; /* e.g. the index rebuilt first: the slot is spent before any item */
    assert_int_equal(kt_slot_queue_run(&q, &s, 100, work, &f, &ran), 0);
    assert_int_equal(ran, 1); /* item 4 all the same */
    assert_int_equal(kt_slot_close(&s), 4);
    assert_int_equal(f.now, 60 * MS);
    kt_slot_queue_free(&q);
}

/* What a slot had no room for runs first in the next batch, in the order it came; an item that
 * changed again meanwhile runs once, where it waited; one done that changed again runs again,
 * after. A batch whose transaction did not commit gives its items back, ahead of the rest. */
static void work_left_over_runs_next_period_in_order(void **state)
{
    (void)state;
    fake f = {.now = 0};
    for (int id = 1; id <= 20; id++)
        f.cost[id] = 3 * MS;
    kt_slot_clock clock = {fake_now, fake_wait, &f};
    kt_slot_queue q = {0};
    int64_t first[] = {9, 3, 7, 3, 12, 5, 9, 14};
    for (size_t i = 0; i < sizeof first / sizeof first[0]; i++)
        assert_int_equal(kt_slot_queue_add(&q, first[i]), 0);
    kt_slot s;
    kt_slot_open(&s, &clock, 7 * MS); /* room for three */
    size_t ran = 0;
    assert_int_equal(kt_slot_queue_run(&q, &s, 100, work, &f, &ran), 0);
    ids_are(&q.taken, (int64_t[]){9, 3, 7}, 3);
    ids_are(&q.waiting, (int64_t[]){12, 5, 14}, 3);
    assert_int_equal(kt_slot_close(&s), 2);
    kt_slot_queue_settle(&q, true);

    /* the period's changes: 3 again (done), 5 again (waiting), 2 new */
    kt_slot_queue_add(&q, 3);
    kt_slot_queue_add(&q, 5);
    kt_slot_queue_add(&q, 2);
    f.n_ran = 0;
    kt_slot_open(&s, &clock, 7 * MS);
    assert_int_equal(kt_slot_queue_run(&q, &s, 100, work, &f, &ran), 0);
    ids_are(&q.taken, (int64_t[]){12, 5, 14}, 3);
    ids_are(&q.waiting, (int64_t[]){3, 2}, 2);
    kt_slot_close(&s);
    /* not committed: 12, 5, 14 wait again, first */
    kt_slot_queue_add(&q, 8);
    assert_int_equal(kt_slot_queue_settle(&q, false), 0);
    ids_are(&q.waiting, (int64_t[]){12, 5, 14, 3, 2, 8}, 6);

    /* no slot (the node goes): all of it, up to max, in order; and a failure stops the run */
    f.n_ran = 0;
    f.fail = 3;
    assert_int_equal(kt_slot_queue_run(&q, NULL, 100, work, &f, &ran), KT_ESTORE);
    ids_are(&q.taken, (int64_t[]){12, 5, 14, 3}, 4);
    ids_are(&q.waiting, (int64_t[]){2, 8}, 2);
    kt_slot_queue_settle(&q, false);
    ids_are(&q.waiting, (int64_t[]){12, 5, 14, 3, 2, 8}, 6);
    f.fail = 0;
    assert_int_equal(kt_slot_queue_run(&q, NULL, 4, work, &f, &ran), 0);
    assert_int_equal(ran, 4);
    ids_are(&q.waiting, (int64_t[]){2, 8}, 2);
    kt_slot_queue_settle(&q, true);
    assert_true(kt_slot_queue_pending(&q));
    kt_slot_queue_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_short_batch_is_held_to_the_slot),
        cmocka_unit_test(an_overrunning_batch_ends_on_a_multiple_of_the_slot),
        cmocka_unit_test(work_left_over_runs_next_period_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

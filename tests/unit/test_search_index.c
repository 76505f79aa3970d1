/* The search index off the write path (issue 13): a write only queues; the indexer brings the
 * index up to date later; and what a search returns is decided by the rows as they are when it
 * runs, so a row deleted or made confidential is not found by those who may not see it even
 * while the index still holds its words. */
#include "domain/search.h"
#include "store/chat.h"
#include "store/fixture.h"
#include "store/indexer.h"
#include "store/items.h"
#include "store/search.h"
#include "store/store.h"
#include "test_clock.h"
#include "util/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <time.h>

static char path[64];

typedef struct world {
    kt_store *st;
    int64_t body, meeting, police, gemeente, agent, clerk;
} world;

static void drop_files(void)
{
    char f[80];
    unlink(path);
    snprintf(f, sizeof f, "%s-wal", path);
    unlink(f);
    snprintf(f, sizeof f, "%s-shm", path);
    unlink(f);
}

/* Two organisations, a member of each in one body, a meeting. */
static int setup(void **state)
{
    snprintf(path, sizeof path, "/tmp/kt-unit-search-%d.db", (int)getpid());
    drop_files();
    world *w = calloc(1, sizeof *w);
    kt_store_options o = {.path = path};
    if (!w || kt_store_open(&o, &w->st))
        return -1;
    int64_t scope;
    kt_store *st = w->st;
    int rc = kt_store_begin(st) || kt_store_fixture_scope(st, "Testdam", &scope) ||
             kt_store_fixture_org(st, "Politie", scope, &w->police) ||
             kt_store_fixture_org(st, "Gemeente", scope, &w->gemeente) ||
             kt_store_fixture_person(st, w->police, "Agent", "a@x.example", &w->agent) ||
             kt_store_fixture_person(st, w->gemeente, "Klerk", "k@x.example", &w->clerk) ||
             kt_store_fixture_body(st, "Regiegroep", scope, &w->body) ||
             kt_store_fixture_member(st, w->body, w->agent, "lid") ||
             kt_store_fixture_member(st, w->body, w->clerk, "lid") ||
             kt_store_fixture_meeting(st, w->body, 1800000000, &w->meeting) || kt_store_commit(st);
    *state = w;
    return rc ? -1 : 0;
}

static int teardown(void **state)
{
    world *w = *state;
    kt_store_close(w->st);
    free(w);
    drop_files();
    return 0;
}

static int64_t item(world *w, const char *title, bool confidential)
{
    int64_t id;
    assert_int_equal(kt_store_begin(w->st), 0);
    assert_int_equal(kt_store_fixture_item(w->st, w->body, w->meeting, title, "", confidential,
                                           confidential ? w->police : 0, 1800000000, &id),
                     0);
    assert_int_equal(kt_store_commit(w->st), 0);
    return id;
}

static void drain(kt_store *st)
{
    int done;
    int64_t left = 1;
    while (left) {
        assert_int_equal(kt_store_search_index(st, 64, &done, &left), 0);
        if (!done)
            break;
    }
}

/* What person finds for q, as the search op returns it: total hits. */
static json_int_t found(world *w, int64_t person, int64_t org, const char *q)
{
    kt_principal me = {.person = person, .org = org};
    json_t *r = NULL;
    assert_int_equal(kt_search_run(w->st, &me, q, 0, 20, 0, &r), 0);
    json_int_t n = json_integer_value(json_object_get(r, "total"));
    json_decref(r);
    return n;
}

static int64_t pending(kt_store *st)
{
    int64_t n = -1;
    assert_int_equal(kt_store_search_pending(st, &n), 0);
    return n;
}

static void a_write_queues_and_the_indexer_makes_it_findable(void **state)
{
    world *w = *state;
    drain(w->st);
    item(w, "Aanpak drugslab Wielwijk", false);
    item(w, "Woningsluitingen", false);
    assert_int_equal(pending(w->st), 2);
    /* not yet in the index: the write did not tokenise anything */
    assert_int_equal(found(w, w->clerk, w->gemeente, "drugslabs"), 0);
    int done;
    int64_t left;
    assert_int_equal(kt_store_search_index(w->st, 1, &done, &left), 0);
    assert_int_equal(done, 1);
    assert_int_equal(left, 1);
    assert_int_equal(found(w, w->clerk, w->gemeente, "drugslabs"), 1);
    drain(w->st);
    assert_int_equal(pending(w->st), 0);
    assert_int_equal(found(w, w->clerk, w->gemeente, "woningsluiting"), 1);
    /* an empty queue takes no write lock and does nothing */
    assert_int_equal(kt_store_search_index(w->st, 64, &done, &left), 0);
    assert_int_equal(done, 0);
}

/* A new message is queued once by its insert (no trigger since migration 34: an insert with one
 * made SQLite journal every page it touched), and the indexer makes it findable; its edit and
 * delete are still queued by their triggers. */
static void a_new_message_is_queued_once_and_found(void **state)
{
    world *w = *state;
    drain(w->st);
    json_t *m = NULL;
    assert_int_equal(kt_store_begin(w->st), 0);
    assert_int_equal(kt_store_message_insert(w->st, w->body, 0, w->agent,
                                             "Overlast bij de haven besproken", 1800000000, &m),
                     0);
    assert_int_equal(kt_store_commit(w->st), 0);
    int64_t id = json_integer_value(json_object_get(m, "id"));
    json_decref(m);
    assert_int_equal(pending(w->st), 1);
    assert_int_equal(found(w, w->clerk, w->gemeente, "haven"), 0);
    drain(w->st);
    assert_int_equal(found(w, w->clerk, w->gemeente, "haven"), 1);
    assert_int_equal(kt_store_begin(w->st), 0);
    assert_int_equal(
        kt_store_message_change(w->st, id, "Overlast bij het station", w->agent, 1800000060), 0);
    assert_int_equal(kt_store_commit(w->st), 0);
    assert_int_equal(pending(w->st), 1);
    drain(w->st);
    assert_int_equal(found(w, w->clerk, w->gemeente, "haven"), 0);
    assert_int_equal(found(w, w->clerk, w->gemeente, "station"), 1);
}

/* Moving an item (another place, another meeting, the backlog) queues nothing: the index holds
 * its words and body only, and where it is now is read from its row when a search runs. A move
 * made per agenda change would otherwise index the item's text again each time. */
static void moving_an_item_queues_no_indexing(void **state)
{
    world *w = *state;
    int64_t id = item(w, "Aanpak drugslab Wielwijk", false), other;
    drain(w->st);
    assert_int_equal(kt_store_begin(w->st), 0);
    assert_int_equal(kt_store_fixture_meeting(w->st, w->body, 1800600000, &other), 0);
    assert_int_equal(kt_store_item_set_position(w->st, id, 3, other), 0);
    assert_int_equal(kt_store_item_set_position(w->st, id, 1, 0), 0);
    assert_int_equal(kt_store_item_set_position(w->st, id, 2, w->meeting), 0);
    assert_int_equal(kt_store_commit(w->st), 0);
    assert_int_equal(pending(w->st), 0);
    assert_int_equal(found(w, w->clerk, w->gemeente, "drugslabs"), 1);
}

/* The indexer holds the write lock from its batch's start to its commit: a batch also ends once
 * it has used its time (issue 12), after at least one change, and what it did not reach stays
 * queued for the next. A budget of 1 us is spent by the first change, whatever the machine. */
static void a_batch_ends_when_its_time_is_used_and_leaves_the_rest_queued(void **state)
{
    world *w = *state;
    drain(w->st);
    item(w, "Ondermijning recreatieparken", false);
    item(w, "Carbidschieten oudejaarsnacht", false);
    item(w, "Witwassen autobranche", false);
    assert_int_equal(pending(w->st), 3);
    int done;
    int64_t left;
    assert_int_equal(kt_store_search_index_for(w->st, 64, 1, &done, &left), 0);
    assert_int_equal(done, 1);
    assert_int_equal(left, 2);
    assert_int_equal(found(w, w->clerk, w->gemeente, "recreatieparken"), 1);
    assert_int_equal(found(w, w->clerk, w->gemeente, "carbidschieten"), 0);
    assert_int_equal(kt_store_search_index_for(w->st, 64, 1, &done, &left), 0);
    assert_int_equal(done, 1);
    assert_int_equal(left, 1);
    /* no bound: the rest in one batch */
    assert_int_equal(kt_store_search_index_for(w->st, 64, 0, &done, &left), 0);
    assert_int_equal(done, 1);
    assert_int_equal(left, 0);
    assert_int_equal(found(w, w->clerk, w->gemeente, "carbidschieten"), 1);
    assert_int_equal(found(w, w->clerk, w->gemeente, "autobranche"), 1);
}

/* A batch also ends once it has indexed 32 KiB of text, however much time it has left: FTS5
 * writes what a transaction indexed at its commit, which the time budget does not see, and a
 * batch of large texts held the write lock for seconds there under load. */
static void a_batch_ends_when_its_text_is_large_and_leaves_the_rest_queued(void **state)
{
    world *w = *state;
    drain(w->st);
    static char title[12 * 1024 + 1];
    for (size_t i = 0; i + 12 <= sizeof title - 1; i += 12)
        memcpy(title + i, "vakantiepark", 12);
    for (int i = 0; i < 4; i++)
        item(w, title, false);
    assert_int_equal(pending(w->st), 4);
    int done;
    int64_t left;
    assert_int_equal(kt_store_search_index_for(w->st, 64, 600 * 1000000LL, &done, &left), 0);
    assert_int_equal(done, 3); /* 36 KiB: the fourth waits for the next batch */
    assert_int_equal(left, 1);
    assert_int_equal(kt_store_search_index_for(w->st, 64, 600 * 1000000LL, &done, &left), 0);
    assert_int_equal(done, 1);
    assert_int_equal(left, 0);
}

static void deleted_or_made_confidential_is_gone_before_the_indexer_runs(void **state)
{
    world *w = *state;
    int64_t gone = item(w, "Hennepkwekerij Dordtse Kil", false);
    int64_t hidden = item(w, "Vastgoedportefeuille Oud-Krispijn", false);
    drain(w->st);
    assert_int_equal(found(w, w->clerk, w->gemeente, "hennepkwekerij"), 1);
    assert_int_equal(found(w, w->clerk, w->gemeente, "vastgoedportefeuille"), 1);
    /* deleted: its words are still in the index (the change waits in the queue), and yet
     * nobody finds it */
    char sql[200];
    snprintf(sql, sizeof sql, "DELETE FROM items WHERE id = %lld", (long long)gone);
    assert_int_equal(kt_store_exec(w->st, sql), 0);
    assert_true(pending(w->st) > 0);
    assert_int_equal(found(w, w->clerk, w->gemeente, "hennepkwekerij"), 0);
    assert_int_equal(found(w, w->agent, w->police, "hennepkwekerij"), 0);
    /* made confidential for the police: nothing for the index to do at all, and the clerk no
     * longer finds it from that moment; the agent does */
    snprintf(sql, sizeof sql,
             "UPDATE items SET confidential = 1 WHERE id = %lld; INSERT INTO item_orgs(item_id, "
             "org_id) VALUES (%lld, %lld)",
             (long long)hidden, (long long)hidden, (long long)w->police);
    assert_int_equal(kt_store_exec(w->st, sql), 0);
    assert_int_equal(found(w, w->clerk, w->gemeente, "vastgoedportefeuille"), 0);
    assert_int_equal(found(w, w->agent, w->police, "vastgoedportefeuille"), 1);
    drain(w->st);
    assert_int_equal(found(w, w->agent, w->police, "hennepkwekerij"), 0);
    assert_int_equal(found(w, w->clerk, w->gemeente, "vastgoedportefeuille"), 0);
}

static void the_indexer_thread_catches_up_after_a_kick(void **state)
{
    world *w = *state;
    kt_store_options o = {.path = path};
    kt_indexer *ix;
    assert_int_equal(kt_indexer_start(&o, &ix), 0);
    assert_int_equal(kt_indexer_wait(ix, 10000), 0);
    item(w, "Ondermijning bedrijventerrein", false);
    kt_indexer_kick(ix);
    assert_int_equal(kt_indexer_wait(ix, 10000), 0);
    assert_int_equal(pending(w->st), 0);
    assert_int_equal(found(w, w->clerk, w->gemeente, "bedrijventerreinen"), 1);
    kt_indexer_stats s;
    kt_indexer_get_stats(ix, &s);
    assert_true(s.indexed >= 1);
    assert_int_equal(s.errors, 0);
    kt_indexer_stop(ix);
}

/* Another process (here: a connection of SQLite's own, outside this process's write lock, as a
 * node sharing the file would be) holds the database's lock until told to let go, or for 3 s. */
typedef struct holder {
    sqlite3 *db;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool let_go;
} holder;

static void *hold(void *arg)
{
    holder *h = arg;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until); /* the condition variable's clock (hold_start) */
    until.tv_sec += 3;
    pthread_mutex_lock(&h->lock);
    int w = 0;
    while (!h->let_go && w == 0)
        w = pthread_cond_timedwait(&h->cond, &h->lock, &until);
    pthread_mutex_unlock(&h->lock);
    sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
    return NULL;
}

static void hold_start(holder *h)
{
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cond, &ca);
    pthread_condattr_destroy(&ca);
    assert_int_equal(sqlite3_open(path, &h->db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(pthread_create(&h->thread, NULL, hold, h), 0);
}

static void hold_end(holder *h)
{
    pthread_mutex_lock(&h->lock);
    h->let_go = true;
    pthread_cond_signal(&h->cond);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->thread, NULL);
    sqlite3_close(h->db);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->cond);
}

/* The indexer does not wait for another process's writer: it would wait holding this process's
 * write lock, and the loop thread's writes would queue behind it (test_multinode met store_busy
 * so). Its batch gives way at once (KT_EBUSY, nothing done, the queue kept) even with a busy
 * timeout of a minute; without that it would have waited until the other let go (3 s) and
 * indexed. Once the other lets go, the batch goes. */
static void a_batch_gives_way_at_once_to_another_process_holding_the_lock(void **state)
{
    world *w = *state;
    drain(w->st);
    item(w, "Ondermijning vakantiepark", false);
    kt_store_options o = {.path = path, .busy_timeout_ms = 60000};
    kt_store *bg;
    assert_int_equal(kt_store_open(&o, &bg), 0);
    kt_store_set_background(bg);
    holder h;
    hold_start(&h);
    int done = -1;
    int64_t left = -1;
    assert_int_equal(kt_store_search_index_for(bg, 64, 0, &done, &left), KT_EBUSY);
    assert_int_equal(done, 0);
    hold_end(&h);
    assert_int_equal(pending(w->st), 1);
    assert_int_equal(kt_store_search_index_for(bg, 64, 0, &done, &left), 0);
    assert_int_equal(done, 1);
    assert_int_equal(left, 0);
    assert_int_equal(found(w, w->clerk, w->gemeente, "vakantieparken"), 1);
    kt_store_close(bg);
}

/* The indexer's thread counts such a round as busy, not as an error, and indexes once the other
 * process lets go. */
static void the_indexer_thread_tries_again_after_another_process_let_go(void **state)
{
    world *w = *state;
    kt_store_options o = {.path = path, .busy_timeout_ms = 60000};
    kt_indexer *ix;
    assert_int_equal(kt_indexer_start(&o, &ix), 0);
    assert_int_equal(kt_indexer_wait(ix, 10000), 0);
    item(w, "Ondermijning bedrijventerrein", false);
    holder h;
    hold_start(&h);
    kt_indexer_kick(ix);
    assert_int_equal(kt_indexer_wait(ix, 300), KT_EBUSY); /* not indexed while held */
    kt_indexer_stats s;
    kt_indexer_get_stats(ix, &s);
    assert_true(s.busy >= 1);
    assert_int_equal(s.errors, 0);
    hold_end(&h);
    assert_int_equal(kt_indexer_wait(ix, 10000), 0);
    assert_int_equal(found(w, w->clerk, w->gemeente, "bedrijventerreinen"), 1);
    kt_indexer_stop(ix);
}

/* How many segments the index has now (FTS5: one row per segment and leaf in search_idx). */
static int64_t segments(void)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT count(DISTINCT segid) FROM search_idx", -1, &s, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

/* FTS5 merges no more by itself at a commit (a cascade of its merges could rewrite megabytes
 * with the write lock held): each batch merges a bounded share, which keeps the index to a few
 * segments however many batches wrote one each. Without it, 60 batches left 60 segments. */
static void batches_merge_the_index_a_step_at_a_time(void **state)
{
    world *w = *state;
    drain(w->st);
    for (int i = 0; i < 60; i++) {
        char title[64];
        snprintf(title, sizeof title, "Ondermijning vakantiepark %d", i);
        item(w, title, false);
        int done;
        int64_t left;
        assert_int_equal(kt_store_search_index(w->st, 64, &done, &left), 0);
        assert_int_equal(done, 1);
    }
    int64_t n = segments();
    assert_true(n >= 1);
    assert_true(n <= 12);
    assert_int_equal(found(w, w->clerk, w->gemeente, "vakantieparken"), 60);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            a_batch_ends_when_its_time_is_used_and_leaves_the_rest_queued, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_batch_ends_when_its_text_is_large_and_leaves_the_rest_queued, setup, teardown),
        cmocka_unit_test_setup_teardown(moving_an_item_queues_no_indexing, setup, teardown),
        cmocka_unit_test_setup_teardown(a_new_message_is_queued_once_and_found, setup, teardown),
        cmocka_unit_test_setup_teardown(a_write_queues_and_the_indexer_makes_it_findable, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            deleted_or_made_confidential_is_gone_before_the_indexer_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(the_indexer_thread_catches_up_after_a_kick, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            a_batch_gives_way_at_once_to_another_process_holding_the_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(the_indexer_thread_tries_again_after_another_process_let_go,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(batches_merge_the_index_a_step_at_a_time, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

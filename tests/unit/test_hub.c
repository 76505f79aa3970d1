/* Live delivery: the hub hands each subscribed connection every event it may see, in seq order,
 * once, filling gaps from the store; replay is paced by the out-queue; a connection whose queue
 * overflows is marked for closing (4008) and costs nobody else; frames are shared, not copied.
 * Connections here have no lws handle (wsi NULL), so waking them is a no-op. */
#include "app.h"
#include "auth/acl.h"
#include "auth/session.h"
#include "bus/bus.h"
#include "live/conn.h"
#include "live/event.h"
#include "live/frame.h"
#include "live/hub.h"
#include "protocol/ctx.h"
#include "protocol/dispatch.h"
#include "protocol/errors.h"
#include "store/store.h"
#include "test_clock.h"
#include "util/err.h"
#include "util/log.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define N_CONNS 8
#define BODY    10
#define OTHER   11

/* persons */
#define ANNA  1 /* lid, gemeente (org 1) */
#define BERT  2 /* lid, politie (org 2) */
#define CEES  3 /* gast limited to item 100, gemeente */
#define DIRK  4 /* no member of BODY; lid of OTHER */
#define EVA   5 /* waarnemer, politie */
#define ADMIN 6

typedef struct fx {
    kt_app app;
    char path[64];
    kt_conn conns[N_CONNS];
    bool open[N_CONNS];
} fx;

/* ---- plumbing ---- */

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->path, sizeof f->path, "/tmp/kt-unit-hub-%d.db", (int)getpid());
    unlink(f->path);
    kt_store_options o = {.path = f->path};
    if (kt_store_open(&o, &f->app.store))
        return -1;
    f->app.cfg.public_url = "http://ketentafel.test";
    f->app.hub = kt_hub_new(&f->app);
    f->app.bus = kt_bus_local_new(kt_hub_deliver, kt_hub_resync, f->app.hub);
    if (!f->app.hub || !f->app.bus)
        return -1;
    if (kt_store_exec(
            f->app.store,
            "INSERT INTO scopes(id, name, kind) VALUES (1, 'Dordrecht', 'gemeente');"
            "INSERT INTO organisations(id, name, kind, created_at, updated_at) VALUES "
            "(1, 'Gemeente Dordrecht', 'gemeente', 0, 0), (2, 'Politie ZHZ', 'politie', 0, 0);"
            "INSERT INTO persons(id, org_id, name, email, is_admin, created_at, updated_at) VALUES"
            " (1, 1, 'Anna', 'anna@example.nl', 0, 0, 0), (2, 2, 'Bert', 'bert@example.nl', 0, 0, "
            "0),"
            " (3, 1, 'Cees', 'cees@example.nl', 0, 0, 0), (4, 1, 'Dirk', 'dirk@example.nl', 0, 0, "
            "0),"
            " (5, 2, 'Eva', 'eva@example.nl', 0, 0, 0), (6, 1, 'Beheer', 'b@example.nl', 1, 0, 0);"
            "INSERT INTO bodies(id, name, kind, scope_id, level, created_at, updated_at) VALUES "
            "(10, 'Regiegroep', 'regiegroep', 1, 'strategisch', 0, 0),"
            "(11, 'Werkgroep', 'werkgroep', 1, 'tactisch', 0, 0);"
            "INSERT INTO memberships(body_id, person_id, role, items, created_at) VALUES "
            "(10, 1, 'lid', NULL, 0), (10, 2, 'lid', NULL, 0), (10, 3, 'gast', '[100]', 0),"
            "(10, 5, 'waarnemer', NULL, 0), (11, 4, 'lid', NULL, 0), (11, 1, 'lid', NULL, 0);"
            /* item 100: confidential, for the municipality only; item 200: open */
            "INSERT INTO items(id, body_id, position, title, kind, confidential, created_at, "
            "updated_at) VALUES (100, 10, 1, 'Geheim punt', 'bespreking', 1, 0, 0),"
            " (200, 10, 2, 'Caf\xc3\xa9', 'bespreking', 0, 0, 0);"
            "INSERT INTO item_orgs(item_id, org_id) VALUES (100, 1);"))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    for (int i = 0; i < N_CONNS; i++)
        if (f->open[i]) {
            kt_hub_conn_closed(f->app.hub, &f->conns[i]);
            kt_conn_release(&f->conns[i]);
        }
    uint64_t conns, topics, subs;
    kt_hub_stats(f->app.hub, &conns, &topics, &subs);
    assert_int_equal(conns, 0);
    assert_int_equal(topics, 0); /* topics die with their last subscription */
    assert_int_equal(subs, 0);
    kt_bus_free(f->app.bus);
    kt_hub_free(f->app.hub);
    kt_store_close(f->app.store);
    free(f->app.pending);
    char p[80];
    unlink(f->path);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
    free(f);
    return 0;
}

static kt_conn *conn_open(fx *f, int i, int64_t person, int cap, size_t max_bytes)
{
    kt_conn *c = &f->conns[i];
    memset(c, 0, sizeof *c);
    assert_int_equal(kt_conn_init(c, cap, max_bytes), 0);
    assert_int_equal(kt_principal_load(f->app.store, person, &c->me), 0);
    assert_int_equal(kt_hub_conn_open(f->app.hub, c), 0);
    f->open[i] = true;
    return c;
}

static kt_conn *conn(fx *f, int i, int64_t person)
{
    return conn_open(f, i, person, 1024, 4 << 20);
}

static void conn_close(fx *f, kt_conn *c)
{
    int i = (int)(c - f->conns);
    kt_hub_conn_closed(f->app.hub, c);
    kt_conn_release(c);
    f->open[i] = false;
}

/* Subscribes c to body from since (< 0: now) with its current view of body; returns head. */
static int64_t subscribe(fx *f, kt_conn *c, int64_t body, int64_t since)
{
    kt_viewer v;
    int64_t *items = NULL, head = -1;
    assert_int_equal(kt_viewer_load(f->app.store, body, &c->me, &v, &items), 0);
    assert_int_equal(kt_hub_subscribe(f->app.hub, c, body, since, &v, items, &head), 0);
    return head;
}

/* Commits an event to body's stream (not delivered); returns its seq. */
static int64_t append(fx *f, int64_t body, const char *type, const char *vis, const char *payload)
{
    int64_t seq = 0;
    assert_int_equal(kt_store_begin(f->app.store), 0);
    assert_int_equal(kt_store_event_append(f->app.store, body, type, vis, payload, ANNA, &seq), 0);
    assert_int_equal(kt_store_commit(f->app.store), 0);
    return seq;
}

/* Hands the stored event (body, seq) to the hub as the bus would. */
static void deliver(fx *f, int64_t body, int64_t seq)
{
    kt_stored_event se;
    assert_int_equal(kt_store_events_after(f->app.store, body, seq - 1, &se, 1), 1);
    assert_int_equal(se.seq, seq);
    kt_event *ev = kt_event_from_stored(&se);
    kt_store_event_clear(&se);
    assert_non_null(ev);
    kt_bus_publish(f->app.bus, ev);
    kt_event_unref(ev);
}

static int64_t publish(fx *f, int64_t body, const char *type, const char *vis, const char *payload)
{
    int64_t seq = append(f, body, type, vis, payload);
    deliver(f, body, seq);
    return seq;
}

/* A message in body's channel, stored and published. */
static int64_t chat(fx *f, int64_t body)
{
    char sql[160], payload[64];
    static int next = 1000;
    int id = next++;
    snprintf(sql, sizeof sql,
             "INSERT INTO messages(id, body_id, person_id, text, created_at) VALUES "
             "(%d, %lld, 1, 'hoi', 0)",
             id, (long long)body);
    assert_int_equal(kt_store_exec(f->app.store, sql), 0);
    snprintf(payload, sizeof payload, "{\"message\":{\"id\":%d}}", id);
    return publish(f, body, "chat.posted", NULL, payload);
}

/* The event type of each queued frame of c, and whether its data names a title; pops them. */
static int drain_types(kt_conn *c, char types[][24], bool *titled, int max)
{
    int n = 0;
    for (kt_frame *fr; (fr = kt_conn_peek(c)); kt_conn_pop(c)) {
        json_t *j = json_loadb((const char *)kt_frame_payload(fr), fr->len, 0, NULL);
        assert_true(n < max);
        snprintf(types[n], 24, "%s", json_string_value(json_object_get(j, "event")));
        titled[n] =
            json_object_get(json_object_get(json_object_get(j, "data"), "item"), "title") != NULL;
        json_decref(j);
        n++;
    }
    return n;
}

static json_t *frame_json(kt_frame *fr)
{
    json_t *j = json_loadb((const char *)kt_frame_payload(fr), fr->len, 0, NULL);
    assert_non_null(j);
    return j;
}

/* Pops every queued frame of c; writes their (body, seq) pairs; returns how many. */
static int drain(kt_conn *c, int64_t *bodies, int64_t *seqs, int max)
{
    int n = 0;
    for (kt_frame *fr; (fr = kt_conn_peek(c)); kt_conn_pop(c)) {
        json_t *j = frame_json(fr);
        assert_true(n < max);
        if (bodies)
            bodies[n] = json_integer_value(json_object_get(j, "body"));
        seqs[n++] = json_integer_value(json_object_get(j, "seq"));
        json_decref(j);
    }
    assert_int_equal(c->q_len, 0);
    assert_int_equal(c->q_bytes, 0);
    return n;
}

static void assert_seqs(const int64_t *got, int n, const int64_t *want, int m)
{
    char g[512] = "", w[512] = "";
    for (int i = 0; i < n; i++)
        snprintf(g + strlen(g), sizeof g - strlen(g), "%lld ", (long long)got[i]);
    for (int i = 0; i < m; i++)
        snprintf(w + strlen(w), sizeof w - strlen(w), "%lld ", (long long)want[i]);
    if (n != m || memcmp(got, want, (size_t)n * sizeof *got) != 0)
        fail_msg("seqs: got [%s] want [%s]", g, w);
}

/* ---- delivery ---- */

static void events_reach_subscribed_connections_in_seq_order(void **state)
{
    fx *f = *state;
    kt_conn *anna = conn(f, 0, ANNA), *bert = conn(f, 1, BERT), *dirk = conn(f, 2, DIRK);
    assert_int_equal(subscribe(f, anna, BODY, -1), 0);
    assert_int_equal(subscribe(f, bert, BODY, -1), 0);
    assert_int_equal(subscribe(f, dirk, OTHER, -1), 0);
    for (int i = 0; i < 5; i++)
        chat(f, BODY);
    int64_t seqs[16], bodies[16], want[] = {1, 2, 3, 4, 5};
    int n = drain(anna, bodies, seqs, 16);
    assert_seqs(seqs, n, want, 5);
    for (int i = 0; i < n; i++)
        assert_int_equal(bodies[i], BODY);
    n = drain(bert, NULL, seqs, 16);
    assert_seqs(seqs, n, want, 5);
    assert_int_equal(dirk->q_len, 0); /* subscribed elsewhere */
    assert_int_equal(f->app.counters.events_delivered, 10);
}

static void a_push_frame_carries_event_body_seq_and_data(void **state)
{
    fx *f = *state;
    kt_conn *anna = conn(f, 0, ANNA);
    subscribe(f, anna, BODY, -1);
    publish(f, BODY, "agenda.added", NULL, "{\"item\":{\"id\":200}}"); /* read from the store */
    kt_frame *fr = kt_conn_peek(anna);
    assert_non_null(fr);
    json_t *j = frame_json(fr);
    assert_string_equal(json_string_value(json_object_get(j, "event")), "agenda.added");
    assert_int_equal(json_integer_value(json_object_get(j, "body")), BODY);
    assert_int_equal(json_integer_value(json_object_get(j, "seq")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(j, "data"), "item"), "title")),
                        "Caf\xc3\xa9");
    assert_int_equal(json_object_size(j), 5); /* event, body, seq, actor, data */
    assert_non_null(json_object_get(j, "actor"));
    json_decref(j);
    /* the payload is NUL-terminated right after len, and the headroom precedes it */
    assert_int_equal(kt_frame_payload(fr)[fr->len], 0);
    assert_ptr_equal(kt_frame_payload(fr), fr->data + KT_FRAME_PRE);
}

static void duplicates_are_dropped(void **state)
{
    fx *f = *state;
    kt_conn *anna = conn(f, 0, ANNA);
    subscribe(f, anna, BODY, -1);
    int64_t s1 = chat(f, BODY);
    deliver(f, BODY, s1); /* again, e.g. via a second bus path */
    int64_t s2 = chat(f, BODY);
    deliver(f, BODY, s1); /* late and old */
    deliver(f, BODY, s2);
    int64_t seqs[8], want[] = {1, 2};
    int n = drain(anna, NULL, seqs, 8);
    assert_seqs(seqs, n, want, 2);
}

static void a_gap_is_filled_from_the_store(void **state)
{
    fx *f = *state;
    kt_conn *anna = conn(f, 0, ANNA), *bert = conn(f, 1, BERT);
    subscribe(f, anna, BODY, -1);
    subscribe(f, bert, BODY, -1);
    for (int i = 0; i < 4; i++)
        append(f, BODY, "chat.posted", NULL, "{}"); /* lost on the bus */
    chat(f, BODY);                                  /* seq 5 arrives */
    int64_t seqs[16], want[] = {1, 2, 3, 4, 5};
    int n = drain(anna, NULL, seqs, 16);
    assert_seqs(seqs, n, want, 5);
    n = drain(bert, NULL, seqs, 16);
    assert_seqs(seqs, n, want, 5);
    /* the lost ones arriving late are duplicates now */
    deliver(f, BODY, 3);
    assert_int_equal(anna->q_len, 0);
    /* a gap longer than one store batch */
    for (int i = 0; i < 150; i++)
        append(f, BODY, "chat.posted", NULL, "{}");
    int64_t last = chat(f, BODY);
    assert_int_equal(last, 156);
    int64_t many[200];
    n = drain(anna, NULL, many, 200);
    assert_int_equal(n, 151);
    for (int i = 0; i < n; i++)
        assert_int_equal(many[i], 6 + i);
}

static void resync_catches_up_from_the_store(void **state)
{
    fx *f = *state;
    kt_conn *anna = conn(f, 0, ANNA);
    subscribe(f, anna, BODY, -1);
    chat(f, BODY);
    append(f, BODY, "chat.posted", NULL, "{}");
    append(f, BODY, "chat.posted", NULL, "{}");
    f->app.bus->resync(f->app.bus->arg); /* the bus reconnected */
    int64_t seqs[8], want[] = {1, 2, 3};
    int n = drain(anna, NULL, seqs, 8);
    assert_seqs(seqs, n, want, 3);
    deliver(f, BODY, 3); /* the bus' copy, if it comes after all */
    assert_int_equal(anna->q_len, 0);
}

/* Filling a stream can end its last subscription and so delete its topic while resync walks the
 * topics; every other stream must still be caught up (a regression test for hub.c walking the
 * map it deletes from). */
static void resync_reaches_every_topic_even_when_some_end_on_the_way(void **state)
{
    fx *f = *state;
    /* Many streams; on half of them the only subscriber's own removal was lost on the bus, on
     * the other half a chat message was. After the reconnect every stream must catch up. */
    kt_conn *gone = conn(f, 0, BERT), *stays = conn(f, 1, ANNA);
    kt_viewer v_gone = {.person = BERT, .org = 2, .role = KT_ROLE_LID, .n_items = -1};
    kt_viewer v_stays = {.person = ANNA, .org = 1, .role = KT_ROLE_LID, .n_items = -1};
    kt_vis subject = {.subject = BERT};
    char *vis = kt_vis_dump(&subject);
    int64_t head;
    enum { STREAMS = 24 };
    for (int64_t b = 101; b < 101 + STREAMS; b++) {
        bool removal = b % 2 == 1;
        assert_int_equal(kt_hub_subscribe(f->app.hub, removal ? gone : stays, b, -1,
                                          removal ? &v_gone : &v_stays, NULL, &head),
                         0);
        if (removal) /* Bert has no membership row there: the removal ends his subscription */
            append(f, b, "membership.removed", vis, "{\"person\":2}");
        else
            append(f, b, "chat.posted", NULL, "{}");
    }
    free(vis);
    f->app.bus->resync(f->app.bus->arg);
    int64_t bodies[STREAMS], seqs[STREAMS];
    int n = drain(stays, bodies, seqs, STREAMS);
    char missing[256] = "";
    for (int64_t b = 102; b < 101 + STREAMS; b += 2) {
        bool found = false;
        for (int i = 0; i < n; i++)
            found = found || bodies[i] == b;
        if (!found)
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %lld",
                     (long long)b);
    }
    if (*missing)
        fail_msg("streams not caught up:%s", missing);
    assert_int_equal(n, STREAMS / 2);
    assert_int_equal(gone->n_subs, 0);
}

static void visibility_is_decided_per_connection(void **state)
{
    fx *f = *state;
    kt_conn *anna = conn(f, 0, ANNA), *bert = conn(f, 1, BERT), *cees = conn(f, 2, CEES),
            *eva = conn(f, 3, EVA);
    subscribe(f, anna, BODY, -1);
    subscribe(f, bert, BODY, -1);
    subscribe(f, cees, BODY, -1);
    subscribe(f, eva, BODY, -1);
    kt_vis chairs = {.min_role = KT_ROLE_SECRETARIS};
    char *for_chairs = kt_vis_dump(&chairs);
    chat(f, BODY);                                                       /* 1: open */
    publish(f, BODY, "agenda.updated", NULL, "{\"item\":{\"id\":100}}"); /* 2: confidential */
    publish(f, BODY, "agenda.updated", NULL, "{\"item\":{\"id\":200}}"); /* 3: open item */
    publish(f, BODY, "meeting.noted", for_chairs, "{}");                 /* 4: chairs only */
    chat(f, BODY);                                                       /* 5: open */
    free(for_chairs);
    /* Every seq reaches everyone, in the form each may see: gap-free. */
    char t[16][24];
    bool titled[16];
    int n = drain_types(anna, t, titled, 16); /* gemeente lid: item 100 whole */
    assert_int_equal(n, 5);
    assert_string_equal(t[1], "agenda.updated");
    assert_true(titled[1]);
    assert_string_equal(t[3], "stream.skipped");
    n = drain_types(bert, t, titled, 16); /* politie lid: item 100 as a placeholder */
    assert_int_equal(n, 5);
    assert_string_equal(t[0], "chat.posted");
    assert_string_equal(t[1], "agenda.updated");
    assert_false(titled[1]);
    assert_true(titled[2]);
    assert_string_equal(t[3], "stream.skipped");
    n = drain_types(cees, t, titled, 16); /* gemeente guest for item 100: not item 200 */
    assert_int_equal(n, 5);
    assert_true(titled[1]);
    assert_string_equal(t[2], "stream.skipped");
    n = drain_types(eva, t, titled, 16); /* politie observer: a placeholder too */
    assert_int_equal(n, 5);
    assert_false(titled[1]);
    assert_string_equal(t[1], "agenda.updated");
}

static void replay_shows_the_past_as_it_may_be_seen_now(void **state)
{
    fx *f = *state;
    chat(f, BODY);
    append(f, BODY, "agenda.updated", NULL, "{\"item\":{\"id\":200}}"); /* open when written */
    chat(f, BODY);
    /* since then item 200 became confidential for the municipality */
    assert_int_equal(kt_store_exec(f->app.store,
                                   "UPDATE items SET confidential = 1 WHERE id = 200;"
                                   "INSERT INTO item_orgs(item_id, org_id) VALUES (200, 1);"),
                     0);
    kt_conn *anna = conn(f, 0, ANNA), *bert = conn(f, 1, BERT);
    assert_int_equal(subscribe(f, anna, BODY, 0), 3);
    assert_int_equal(subscribe(f, bert, BODY, 0), 3);
    kt_hub_pump(f->app.hub, anna);
    kt_hub_pump(f->app.hub, bert);
    char t[8][24];
    bool titled[8];
    assert_int_equal(drain_types(anna, t, titled, 8), 3);
    assert_true(titled[1]);
    assert_int_equal(drain_types(bert, t, titled, 8), 3);
    assert_string_equal(t[1], "agenda.updated");
    assert_false(titled[1]); /* the title it had when it was written is not told */
    /* and once the item is gone, its old events tell nothing at all */
    assert_int_equal(kt_store_exec(f->app.store, "DELETE FROM items WHERE id = 200"), 0);
    assert_int_equal(subscribe(f, anna, BODY, 0), 3);
    kt_hub_pump(f->app.hub, anna);
    assert_int_equal(drain_types(anna, t, titled, 8), 3);
    assert_string_equal(t[1], "stream.skipped");
}

/* ---- subscribe and replay ---- */

static void subscribe_reports_the_head_and_refuses_a_future_since(void **state)
{
    fx *f = *state;
    for (int i = 0; i < 3; i++)
        append(f, BODY, "chat.posted", NULL, "{}");
    kt_conn *anna = conn(f, 0, ANNA);
    kt_viewer v;
    int64_t *items, head = -1;
    assert_int_equal(kt_viewer_load(f->app.store, BODY, &anna->me, &v, &items), 0);
    assert_int_equal(kt_hub_subscribe(f->app.hub, anna, BODY, 4, &v, items, &head), KT_EINVAL);
    assert_int_equal(head, 3);
    /* since == head: live from here, nothing to replay */
    assert_int_equal(subscribe(f, anna, BODY, 3), 3);
    kt_hub_pump(f->app.hub, anna);
    assert_int_equal(anna->q_len, 0);
    chat(f, BODY);
    int64_t seqs[4];
    int n = drain(anna, NULL, seqs, 4);
    assert_seqs(seqs, n, (int64_t[]){4}, 1);
    /* an empty stream */
    kt_conn *dirk = conn(f, 1, DIRK);
    assert_int_equal(subscribe(f, dirk, OTHER, 0), 0);
}

static void replay_runs_in_batches_bounded_by_the_queue(void **state)
{
    fx *f = *state;
    for (int i = 0; i < 300; i++)
        append(f, BODY, "chat.posted", NULL, "{\"message\":{\"text\":\"oud\"}}");
    kt_conn *anna = conn_open(f, 0, ANNA, 16, 1 << 20);
    assert_int_equal(subscribe(f, anna, BODY, 0), 300);
    assert_int_equal(anna->q_len, 0); /* the replay waits for the queue, not the subscribe */
    int64_t all[400];
    int n = 0, rounds = 0;
    while (rounds++ < 100) {
        kt_hub_pump(f->app.hub, anna);
        assert_true(anna->q_len <= 16);
        assert_int_equal(anna->close_code, 0);
        if (anna->q_len == 0)
            break;
        if (rounds == 5) { /* live events meanwhile: neither lost nor doubled */
            chat(f, BODY);
            chat(f, BODY);
        }
        n += drain(anna, NULL, all + n, 400 - n);
    }
    assert_true(rounds > 300 / 16); /* it took many small batches */
    assert_int_equal(n, 302);
    for (int i = 0; i < n; i++)
        if (all[i] != i + 1)
            fail_msg("position %d has seq %lld", i, (long long)all[i]);
    /* and live from here */
    chat(f, BODY);
    int64_t seqs[4];
    assert_seqs(seqs, drain(anna, NULL, seqs, 4), (int64_t[]){303}, 1);
}

static void replay_waits_while_the_queue_is_more_than_half_full(void **state)
{
    fx *f = *state;
    for (int i = 0; i < 40; i++)
        append(f, BODY, "chat.posted", NULL, "{}");
    kt_conn *anna = conn_open(f, 0, ANNA, 16, 1 << 20);
    subscribe(f, anna, BODY, 0);
    kt_hub_pump(f->app.hub, anna);
    assert_int_equal(anna->q_len, 16); /* filled to the brim, never beyond */
    kt_hub_pump(f->app.hub, anna);
    assert_int_equal(anna->q_len, 16);
    assert_int_equal(anna->close_code, 0);
    for (int i = 0; i < 7; i++) /* 9 left: more than half */
        kt_conn_pop(anna);
    kt_hub_pump(f->app.hub, anna);
    assert_int_equal(anna->q_len, 9);
    kt_conn_pop(anna); /* 8 left: half */
    kt_hub_pump(f->app.hub, anna);
    assert_int_equal(anna->q_len, 16);
}

static void resubscribing_restarts_from_the_new_since(void **state)
{
    fx *f = *state;
    for (int i = 0; i < 5; i++)
        append(f, BODY, "chat.posted", NULL, "{}");
    kt_conn *anna = conn(f, 0, ANNA);
    subscribe(f, anna, BODY, 0);
    kt_hub_pump(f->app.hub, anna);
    int64_t seqs[16];
    assert_int_equal(drain(anna, NULL, seqs, 16), 5);
    subscribe(f, anna, BODY, 3);
    kt_hub_pump(f->app.hub, anna);
    int n = drain(anna, NULL, seqs, 16);
    assert_seqs(seqs, n, (int64_t[]){4, 5}, 2);
    uint64_t conns, topics, subs;
    kt_hub_stats(f->app.hub, &conns, &topics, &subs);
    assert_int_equal(subs, 1);
    assert_int_equal(anna->n_subs, 1);
}

static void a_connection_holds_at_most_256_subscriptions(void **state)
{
    fx *f = *state;
    kt_conn *anna = conn(f, 0, ANNA);
    kt_viewer v = {.person = ANNA, .org = 1, .role = KT_ROLE_LID, .n_items = -1};
    int64_t head;
    for (int64_t b = 1; b <= KT_MAX_SUBS_PER_CONN; b++)
        assert_int_equal(kt_hub_subscribe(f->app.hub, anna, 1000 + b, -1, &v, NULL, &head), 0);
    assert_int_equal(kt_hub_subscribe(f->app.hub, anna, 5000, -1, &v, NULL, &head), KT_EFULL);
    /* subscribing again to one it has is a restart, not a new one */
    assert_int_equal(kt_hub_subscribe(f->app.hub, anna, 1001, -1, &v, NULL, &head), 0);
    assert_int_equal(kt_hub_unsubscribe(f->app.hub, anna, 1001), 0);
    assert_int_equal(kt_hub_unsubscribe(f->app.hub, anna, 1001), KT_ENOTFOUND);
    assert_int_equal(kt_hub_subscribe(f->app.hub, anna, 5000, -1, &v, NULL, &head), 0);
}

static void unsubscribing_stops_delivery(void **state)
{
    fx *f = *state;
    kt_conn *anna = conn(f, 0, ANNA), *bert = conn(f, 1, BERT);
    subscribe(f, anna, BODY, -1);
    subscribe(f, bert, BODY, -1);
    chat(f, BODY);
    assert_int_equal(kt_hub_unsubscribe(f->app.hub, anna, BODY), 0);
    chat(f, BODY);
    assert_int_equal(anna->q_len, 1);
    assert_int_equal(bert->q_len, 2);
}

static void the_directory_stream_is_body_zero(void **state)
{
    fx *f = *state;
    kt_conn *dirk = conn(f, 0, DIRK);
    kt_viewer v = {.person = DIRK, .org = 1, .n_items = -1}; /* no member of anything there */
    int64_t head;
    assert_int_equal(kt_hub_subscribe(f->app.hub, dirk, 0, -1, &v, NULL, &head), 0);
    kt_vis dir = {.directory = true};
    char *vis = kt_vis_dump(&dir);
    publish(f, 0, "person.created", vis, "{\"person\":{\"id\":9}}");
    publish(f, 0, "person.created", vis, "{\"person\":{\"id\":10}}");
    free(vis);
    int64_t seqs[4], bodies[4];
    int n = drain(dirk, bodies, seqs, 4);
    assert_seqs(seqs, n, (int64_t[]){1, 2}, 2);
    assert_int_equal(bodies[0], 0);
}

/* ---- slow consumers ---- */

static void an_overflowing_queue_marks_the_connection_4008_and_nobody_else(void **state)
{
    fx *f = *state;
    kt_conn *slow = conn_open(f, 0, ANNA, 4, 1 << 20), *fast = conn(f, 1, BERT);
    subscribe(f, slow, BODY, -1);
    subscribe(f, fast, BODY, -1);
    for (int i = 0; i < 4; i++)
        chat(f, BODY);
    assert_int_equal(slow->q_len, 4);
    assert_int_equal(slow->close_code, 0);
    chat(f, BODY); /* the fifth does not fit */
    assert_int_equal(slow->close_code, KT_CLOSE_SLOW_CONSUMER);
    assert_int_equal(slow->close_code, 4008);
    assert_int_equal(slow->q_len, 4);
    /* from now on nothing more is queued, even when there is room again */
    kt_conn_pop(slow);
    chat(f, BODY);
    assert_int_equal(slow->q_len, 3);
    kt_frame *fr = kt_frame_from_text("{}", 2);
    assert_int_equal(kt_conn_send(slow, fr), KT_EFULL);
    kt_frame_unref(fr);
    assert_int_equal(slow->close_code, 4008); /* the first reason stays */
    /* the other connection got everything */
    int64_t seqs[16];
    int n = drain(fast, NULL, seqs, 16);
    assert_seqs(seqs, n, (int64_t[]){1, 2, 3, 4, 5, 6}, 6);
    assert_int_equal(fast->close_code, 0);
}

static void the_byte_budget_of_a_queue_counts_too(void **state)
{
    fx *f = *state;
    kt_conn *c = conn_open(f, 0, ANNA, 1024, 100);
    kt_frame *a = kt_frame_from_text("0123456789012345678901234567890123456789", 40);
    assert_int_equal(kt_conn_send(c, a), 0);
    assert_int_equal(kt_conn_send(c, a), 0);
    assert_int_equal(c->q_bytes, 80);
    assert_int_equal(kt_conn_send(c, a), KT_EFULL); /* 120 > 100 */
    assert_int_equal(c->close_code, KT_CLOSE_SLOW_CONSUMER);
    assert_int_equal(c->q_len, 2);
    kt_frame_unref(a);
}

/* ---- membership ---- */

static void removing_ones_own_membership_ends_the_subscription(void **state)
{
    fx *f = *state;
    kt_conn *bert = conn(f, 0, BERT), *anna = conn(f, 1, ANNA);
    subscribe(f, bert, BODY, -1);
    subscribe(f, anna, BODY, -1);
    chat(f, BODY);
    assert_int_equal(
        kt_store_exec(f->app.store, "DELETE FROM memberships WHERE body_id = 10 AND person_id = 2"),
        0);
    kt_vis subject = {.subject = BERT};
    char *vis = kt_vis_dump(&subject);
    publish(f, BODY, "membership.removed", vis, "{\"person\":2,\"body\":10}");
    free(vis);
    chat(f, BODY);
    int64_t seqs[8];
    int n = drain(bert, NULL, seqs, 8);
    assert_seqs(seqs, n, (int64_t[]){1, 2}, 2); /* learns of the removal, then nothing */
    assert_int_equal(bert->n_subs, 0);
    assert_int_equal(kt_hub_unsubscribe(f->app.hub, bert, BODY), KT_ENOTFOUND);
    n = drain(anna, NULL, seqs, 8);
    assert_seqs(seqs, n, (int64_t[]){1, 2, 3}, 3);
}

static void a_removal_found_while_filling_a_gap_ends_the_last_subscription(void **state)
{
    fx *f = *state;
    kt_conn *bert = conn(f, 0, BERT);
    subscribe(f, bert, BODY, -1);
    chat(f, BODY);
    assert_int_equal(
        kt_store_exec(f->app.store, "DELETE FROM memberships WHERE body_id = 10 AND person_id = 2"),
        0);
    kt_vis subject = {.subject = BERT};
    char *vis = kt_vis_dump(&subject);
    append(f, BODY, "membership.removed", vis, "{\"person\":2,\"body\":10}"); /* lost */
    free(vis);
    append(f, BODY, "chat.posted", NULL, "{}");
    chat(f, BODY); /* seq 4 arrives; 2 and 3 come from the store and 2 ends the topic */
    int64_t seqs[8];
    assert_seqs(seqs, drain(bert, NULL, seqs, 8), (int64_t[]){1, 2}, 2);
    uint64_t conns, topics, subs;
    kt_hub_stats(f->app.hub, &conns, &topics, &subs);
    assert_int_equal(topics, 0);
    assert_int_equal(subs, 0);
    chat(f, BODY);
    assert_int_equal(bert->q_len, 0);
}

static void a_removal_met_during_replay_ends_the_subscription(void **state)
{
    fx *f = *state;
    chat(f, BODY);
    kt_vis subject = {.subject = BERT};
    char *vis = kt_vis_dump(&subject);
    append(f, BODY, "membership.removed", vis, "{\"person\":2,\"body\":10}");
    free(vis);
    for (int i = 0; i < 5; i++)
        append(f, BODY, "chat.posted", NULL, "{}");
    kt_conn *bert = conn(f, 0, BERT), *anna = conn(f, 1, ANNA);
    subscribe(f, bert, BODY, 0); /* still a member when subscribing */
    subscribe(f, anna, BODY, 0);
    assert_int_equal(
        kt_store_exec(f->app.store, "DELETE FROM memberships WHERE body_id = 10 AND person_id = 2"),
        0);
    kt_hub_pump(f->app.hub, bert);
    kt_hub_pump(f->app.hub, anna);
    int64_t seqs[16];
    assert_seqs(seqs, drain(bert, NULL, seqs, 16), (int64_t[]){1, 2}, 2);
    assert_int_equal(bert->n_subs, 0);
    assert_int_equal(bert->catching_up, 0);
    assert_seqs(seqs, drain(anna, NULL, seqs, 16), (int64_t[]){1, 2, 3, 4, 5, 6, 7}, 7);
    kt_hub_pump(f->app.hub, bert);
    assert_int_equal(bert->q_len, 0);
}

static void being_added_reaches_the_person_without_a_subscription(void **state)
{
    fx *f = *state;
    kt_conn *dirk = conn(f, 0, DIRK), *dirk2 = conn(f, 1, DIRK), *anna = conn(f, 2, ANNA);
    subscribe(f, anna, BODY, -1);
    assert_int_equal(kt_store_exec(f->app.store, "INSERT INTO memberships(body_id, person_id, "
                                                 "role, created_at) VALUES (10, 4, 'lid', 0)"),
                     0);
    kt_vis subject = {.subject = DIRK};
    char *vis = kt_vis_dump(&subject);
    publish(f, BODY, "membership.added", vis, "{\"person\":4,\"membership\":{}}");
    free(vis);
    int64_t seqs[4], bodies[4];
    assert_seqs(seqs, drain(dirk, bodies, seqs, 4), (int64_t[]){1}, 1);
    assert_int_equal(bodies[0], BODY);
    assert_seqs(seqs, drain(dirk2, NULL, seqs, 4), (int64_t[]){1}, 1); /* every connection */
    assert_seqs(seqs, drain(anna, NULL, seqs, 4), (int64_t[]){1}, 1);
    chat(f, BODY); /* not subscribed: the rest of the stream is not theirs yet */
    assert_int_equal(dirk->q_len, 0);
}

static void a_role_change_of_the_subscriber_changes_what_they_see_from_then_on(void **state)
{
    fx *f = *state;
    kt_conn *cees = conn(f, 0, CEES);
    subscribe(f, cees, BODY, -1);
    const char *item200 = "{\"item\":{\"id\":200}}";
    publish(f, BODY, "agenda.updated", NULL, item200); /* 1: not the guest's */
    assert_int_equal(kt_store_exec(f->app.store, "UPDATE memberships SET role = 'lid', items = "
                                                 "NULL WHERE body_id = 10 AND person_id = 3"),
                     0);
    kt_vis subject = {.subject = CEES};
    char *vis = kt_vis_dump(&subject);
    publish(f, BODY, "membership.updated", vis, "{\"person\":3}"); /* 2 */
    publish(f, BODY, "agenda.updated", NULL, item200);             /* 3: now visible */
    free(vis);
    char t[8][24];
    bool titled[8];
    assert_int_equal(drain_types(cees, t, titled, 8), 3);
    assert_string_equal(t[0], "stream.skipped");
    assert_string_equal(t[1], "membership.updated");
    assert_true(titled[2]);
    assert_int_equal(cees->n_subs, 1);
}

/* ---- frames ---- */

static void frames_are_shared_between_connections_not_copied(void **state)
{
    fx *f = *state;
    kt_conn *a = conn(f, 0, ANNA), *b = conn(f, 1, BERT), *e = conn(f, 2, EVA);
    subscribe(f, a, BODY, -1);
    subscribe(f, b, BODY, -1);
    subscribe(f, e, BODY, -1);
    chat(f, BODY);
    kt_frame *fa = kt_conn_peek(a), *fb = kt_conn_peek(b), *fe = kt_conn_peek(e);
    assert_non_null(fa);
    assert_ptr_equal(fa, fb);
    assert_ptr_equal(fa, fe);
    assert_int_equal(fa->refs, 3); /* one per queue; the event is gone */
    kt_conn_pop(a);
    assert_int_equal(fb->refs, 2);
    kt_conn_pop(b);
    assert_int_equal(fe->refs, 1);
    kt_conn_pop(e);
}

static void an_event_builds_its_frame_once(void **state)
{
    (void)state;
    kt_event *ev = kt_event_new(BODY, 3, "chat.posted", NULL, "{\"x\":1}", ANNA, 1700000000);
    assert_non_null(ev);
    kt_frame *f1 = kt_event_frame(ev), *f2 = kt_event_frame(ev);
    assert_ptr_equal(f1, f2);
    assert_int_equal(f1->refs, 1);
    kt_frame_ref(f1); /* a queue keeps it */
    kt_event_unref(ev);
    assert_int_equal(f1->refs, 1);
    static const char want[] =
        "{\"event\":\"chat.posted\",\"body\":10,\"seq\":3,\"actor\":1,\"data\":{\"x\":1}}";
    assert_int_equal(f1->len, sizeof want - 1);
    assert_memory_equal(kt_frame_payload(f1), want, f1->len);
    kt_frame_unref(f1);
}

static void frames_hold_compact_json_after_the_headroom(void **state)
{
    (void)state;
    json_t *j = json_pack("{s:i, s:s}", "a", 1, "b", "caf\xc3\xa9");
    kt_frame *fr = kt_frame_from_json(j);
    json_decref(j);
    assert_non_null(fr);
    assert_int_equal(fr->refs, 1);
    assert_int_equal(fr->len, strlen("{\"a\":1,\"b\":\"caf\xc3\xa9\"}"));
    assert_memory_equal(kt_frame_payload(fr), "{\"a\":1,\"b\":\"caf\xc3\xa9\"}", fr->len);
    kt_frame_unref(fr);
    /* a big one grows its buffer several times */
    json_t *arr = json_array();
    for (int i = 0; i < 5000; i++)
        json_array_append_new(arr, json_integer(i));
    fr = kt_frame_from_json(arr);
    char *text = json_dumps(arr, JSON_COMPACT);
    assert_int_equal(fr->len, strlen(text));
    assert_memory_equal(kt_frame_payload(fr), text, fr->len);
    assert_int_equal(kt_frame_payload(fr)[fr->len], 0);
    free(text);
    json_decref(arr);
    kt_frame_unref(fr);
    fr = kt_frame_from_text("", 0);
    assert_int_equal(fr->len, 0);
    kt_frame_unref(fr);
    kt_frame_unref(NULL);
}

static void a_member_joins_a_frame_as_jansson_writes_it(void **state)
{
    (void)state;
    json_t *value = json_pack("{s:{s:I, s:s, s:[]}}", "message", "id", (json_int_t)5, "text",
                              "\"caf\xc3\xa9\"\n", "mentions");
    kt_frame *text = kt_frame_from_json(value);
    json_t *envelopes[] = {
        json_pack("{s:i, s:b}", "id", 7, "ok", 1),
        json_pack("{s:s, s:b}", "id", "a \"b\"", "ok", 1),
        json_pack("{s:n, s:b}", "id", "ok", 1),
        json_object(),
    };
    for (size_t i = 0; i < sizeof envelopes / sizeof envelopes[0]; i++) {
        kt_frame *f = kt_frame_with_member(envelopes[i], "result", text);
        json_object_set(envelopes[i], "result", value);
        char *want = json_dumps(envelopes[i], JSON_COMPACT);
        assert_non_null(f);
        assert_int_equal(f->refs, 1);
        assert_int_equal(f->len, strlen(want));
        assert_memory_equal(kt_frame_payload(f), want, f->len);
        assert_int_equal(kt_frame_payload(f)[f->len], 0);
        free(want);
        kt_frame_unref(f);
        json_decref(envelopes[i]);
    }
    json_t *array = json_array();
    assert_null(kt_frame_with_member(array, "result", text)); /* only an object has members */
    json_decref(array);
    kt_frame_unref(text);
    json_decref(value);
}

static void events_survive_the_trip_between_nodes(void **state)
{
    (void)state;
    kt_vis ref = {.item = 100, .subject = 7};
    char *vis = kt_vis_dump(&ref);
    kt_event *ev = kt_event_new(BODY, 42, "membership.removed", vis, "{\"person\":7,\"body\":10}",
                                ANNA, 1700000000);
    free(vis);
    assert_non_null(ev);
    assert_int_equal(ev->subject, 7);
    char *text = kt_event_encode(ev);
    assert_non_null(text);
    kt_event *back = kt_event_decode(text, strlen(text));
    free(text);
    assert_non_null(back);
    assert_int_equal(back->body, BODY);
    assert_int_equal(back->seq, 42);
    assert_int_equal(back->actor, ANNA);
    assert_int_equal(back->time, 1700000000);
    assert_int_equal(back->subject, 7);
    assert_string_equal(back->type, "membership.removed");
    assert_string_equal(back->payload, "{\"person\":7,\"body\":10}");
    assert_int_equal(back->vis.item, 100); /* references travel, never an audience */
    assert_int_equal(back->vis.subject, 7);
    assert_false(back->vis.confidential);
    kt_event_unref(back);
    kt_event_unref(ev);
    assert_null(kt_event_decode("[1]", 3));
    assert_null(kt_event_decode("{\"body\":1}", 10));
    assert_null(kt_event_decode("{not json", 9));
}

/* ---- connections ---- */

static void closing_a_person_reaches_each_of_their_connections(void **state)
{
    fx *f = *state;
    kt_conn *a1 = conn(f, 0, ANNA), *a2 = conn(f, 1, ANNA), *a3 = conn(f, 2, ANNA),
            *b = conn(f, 3, BERT);
    memset(a2->session_hash, 0xab, sizeof a2->session_hash);
    unsigned char h[32];
    memset(h, 0xab, sizeof h);
    kt_hub_close_person(f->app.hub, ANNA, h, KT_CLOSE_SESSION_ENDED, "uitgelogd");
    assert_int_equal(a2->close_code, 4401);
    assert_int_equal(a1->close_code, 0);
    assert_int_equal(a3->close_code, 0);
    /* the newest connection of the list goes; the others stay reachable */
    conn_close(f, a3);
    kt_hub_close_person(f->app.hub, ANNA, NULL, KT_CLOSE_SESSION_ENDED, "nieuw wachtwoord");
    assert_int_equal(a1->close_code, 4401);
    assert_string_equal(a1->close_reason, "nieuw wachtwoord");
    assert_string_equal(a2->close_reason, "uitgelogd"); /* the first reason stays */
    assert_int_equal(b->close_code, 0);
    uint64_t conns, topics, subs;
    kt_hub_stats(f->app.hub, &conns, &topics, &subs);
    assert_int_equal(conns, 3);
}

static void closing_a_middle_connection_keeps_the_list_whole(void **state)
{
    fx *f = *state;
    kt_conn *a1 = conn(f, 0, ANNA), *a2 = conn(f, 1, ANNA), *a3 = conn(f, 2, ANNA);
    conn_close(f, a2);
    kt_hub_close_person(f->app.hub, ANNA, NULL, KT_CLOSE_SHUTDOWN, "");
    assert_int_equal(a1->close_code, KT_CLOSE_SHUTDOWN);
    assert_int_equal(a3->close_code, KT_CLOSE_SHUTDOWN);
    conn_close(f, a1); /* the oldest: last in the list */
    conn_close(f, a3);
    kt_conn *again = conn(f, 3, ANNA);
    kt_hub_close_person(f->app.hub, ANNA, NULL, KT_CLOSE_SHUTDOWN, "");
    assert_int_equal(again->close_code, KT_CLOSE_SHUTDOWN);
}

static void expired_sessions_are_closed(void **state)
{
    fx *f = *state;
    kt_conn *a = conn(f, 0, ANNA), *b = conn(f, 1, BERT), *c = conn(f, 2, CEES);
    a->me.expires_at = 1000;
    b->me.expires_at = 2000;
    c->me.expires_at = 0; /* no expiry known */
    kt_hub_expire(f->app.hub, 1500);
    assert_int_equal(a->close_code, KT_CLOSE_SESSION_ENDED);
    assert_int_equal(b->close_code, 0);
    kt_hub_expire(f->app.hub, 2000);
    assert_int_equal(b->close_code, KT_CLOSE_SESSION_ENDED);
    assert_int_equal(c->close_code, 0);
}

static void a_closed_connection_is_forgotten(void **state)
{
    fx *f = *state;
    kt_conn *a = conn(f, 0, ANNA), *b = conn(f, 1, BERT);
    subscribe(f, a, BODY, -1);
    subscribe(f, a, OTHER, -1);
    subscribe(f, b, BODY, -1);
    conn_close(f, a);
    uint64_t conns, topics, subs;
    kt_hub_stats(f->app.hub, &conns, &topics, &subs);
    assert_int_equal(conns, 1);
    assert_int_equal(topics, 1);
    assert_int_equal(subs, 1);
    chat(f, BODY);
    chat(f, OTHER); /* nobody listens: no harm */
    assert_int_equal(b->q_len, 1);
}

/* ---- the subscribe op ---- */

static void subscribe_over_the_protocol(void **state)
{
    fx *f = *state;
    for (int i = 0; i < 3; i++)
        append(f, BODY, "chat.posted", NULL, "{}");
    kt_conn *anna = conn(f, 0, ANNA), *dirk = conn(f, 1, DIRK);
    const char *req = "{\"id\":1,\"op\":\"subscribe\",\"body\":10,\"since\":1}";
    int close_code;
    json_t *r = kt_dispatch_text(&f->app, &anna->me, anna, req, strlen(req), &close_code);
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_t *res = json_object_get(r, "result");
    assert_int_equal(json_integer_value(json_object_get(res, "since")), 1);
    assert_int_equal(json_integer_value(json_object_get(res, "head")), 3);
    json_decref(r);
    kt_hub_pump(f->app.hub, anna);
    int64_t seqs[8];
    assert_seqs(seqs, drain(anna, NULL, seqs, 8), (int64_t[]){2, 3}, 2);
    static const struct {
        const char *req, *code;
        bool with_conn;
    } bad[] = {
        {"{\"id\":1,\"op\":\"subscribe\",\"body\":10,\"since\":4}", "invalid_since", true},
        {"{\"id\":1,\"op\":\"subscribe\",\"body\":999}", "not_found", true},
        {"{\"id\":1,\"op\":\"subscribe\",\"body\":10}", "invalid_state", false},
        {"{\"id\":1,\"op\":\"unsubscribe\",\"body\":11}", "not_found", true},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = kt_dispatch_text(&f->app, &anna->me, bad[i].with_conn ? anna : NULL, bad[i].req,
                             strlen(bad[i].req), &close_code);
        const char *code = json_string_value(json_object_get(json_object_get(r, "error"), "code"));
        if (!code || strcmp(code, bad[i].code) != 0)
            fail_msg("%s: want %s, got %s", bad[i].req, bad[i].code, code ? code : "ok");
        json_decref(r);
    }
    req = "{\"id\":1,\"op\":\"subscribe\",\"body\":10}";
    r = kt_dispatch_text(&f->app, &dirk->me, dirk, req, strlen(req), &close_code);
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "error"), "code")),
                        "not_member");
    json_decref(r);
    assert_int_equal(dirk->n_subs, 0);
    kt_dispatch_publish(&f->app);
}

/* ---- a message sent as its write left it (live/render.h, kt_render_known) ---- */

/* Sends req as c's person over c; the reply (held by the group commit, or NULL) is dropped. */
static void over(fx *f, kt_conn *c, const char *req)
{
    int close_code;
    json_t *r = kt_dispatch_text(&f->app, &c->me, c, req, strlen(req), &close_code);
    if (r && !json_is_true(json_object_get(r, "ok")))
        fail_msg("%s: %s", req,
                 json_string_value(json_object_get(json_object_get(r, "error"), "code")));
    json_decref(r);
}

/* Pops c's frames until the one of event type (a reply to c's own request is skipped); its data. */
static json_t *next_event(kt_conn *c, const char *type)
{
    for (kt_frame *fr; (fr = kt_conn_peek(c)); kt_conn_pop(c)) {
        json_t *j = frame_json(fr);
        const char *t = json_string_value(json_object_get(j, "event"));
        if (t && strcmp(t, type) == 0) {
            kt_conn_pop(c);
            json_t *data = json_incref(json_object_get(j, "data"));
            json_decref(j);
            return data;
        }
        json_decref(j);
    }
    fail_msg("no %s queued", type);
    return NULL;
}

static void a_message_goes_out_as_it_is_when_its_group_commits(void **state)
{
    fx *f = *state;
    kt_conn *anna = conn(f, 0, ANNA), *bert = conn(f, 1, BERT);
    subscribe(f, bert, BODY, -1);
    kt_dispatch_group_commit(&f->app, true);
    /* Alone in its group: sent as the post left it, which is what the store reads. */
    over(f, anna, "{\"id\":1,\"op\":\"chat.post\",\"body\":10,\"text\":\"Alleen @Bert\"}");
    kt_dispatch_flush(&f->app);
    json_t *live = next_event(bert, "chat.posted");
    int64_t first = json_integer_value(json_object_get(json_object_get(live, "message"), "id"));
    assert_true(first > 0);
    assert_int_equal(json_array_size(json_object_get(json_object_get(live, "message"), "mentions")),
                     1);
    /* Posted, then edited in the same group: the post's event shows the message as it is after
     * the commit, as a replay would, not the text the post wrote. */
    over(f, anna, "{\"id\":2,\"op\":\"chat.post\",\"body\":10,\"text\":\"eerst\"}");
    char req[160];
    snprintf(req, sizeof req,
             "{\"id\":3,\"op\":\"chat.edit\",\"body\":10,\"message\":%lld,\"text\":\"later\"}",
             (long long)first + 1);
    over(f, anna, req);
    kt_dispatch_flush(&f->app);
    json_t *posted = next_event(bert, "chat.posted");
    json_t *m = json_object_get(posted, "message");
    assert_int_equal(json_integer_value(json_object_get(m, "id")), first + 1);
    assert_string_equal(json_string_value(json_object_get(m, "text")), "later");
    json_decref(next_event(bert, "chat.edited"));
    /* What went out live is what a replay of the same events reads from the store. */
    kt_conn *eva = conn(f, 2, EVA);
    subscribe(f, eva, BODY, 0);
    kt_hub_pump(f->app.hub, eva);
    json_t *replayed = next_event(eva, "chat.posted");
    assert_true(json_equal(replayed, live));
    json_decref(replayed);
    replayed = next_event(eva, "chat.posted");
    assert_true(json_equal(replayed, posted));
    json_decref(replayed);
    json_decref(live);
    json_decref(posted);
    kt_dispatch_group_commit(&f->app, false);
}

/* chat.post answers with the message its event carries: the message is serialised once for
 * both, and each is byte for byte what serialising it whole writes. */
static void a_post_and_its_reply_carry_one_text_of_the_message(void **state)
{
    fx *f = *state;
    kt_conn *anna = conn(f, 0, ANNA), *bert = conn(f, 1, BERT);
    subscribe(f, anna, BODY, -1);
    subscribe(f, bert, BODY, -1);
    kt_dispatch_group_commit(&f->app, true);
    over(f, anna, "{\"id\":\"p-1\",\"op\":\"chat.post\",\"body\":10,\"text\":\"Zie @Bert\"}");
    kt_dispatch_flush(&f->app);
    /* anna's queue: her reply first, then the event (a reply comes before what it published) */
    kt_frame *fr = kt_conn_peek(anna);
    assert_non_null(fr);
    json_t *reply = frame_json(fr);
    json_t *result = json_object_get(reply, "result");
    assert_true(json_is_true(json_object_get(reply, "ok")));
    assert_string_equal(json_string_value(json_object_get(reply, "id")), "p-1");
    char *whole = json_dumps(reply, JSON_COMPACT);
    assert_int_equal(fr->len, strlen(whole));
    assert_memory_equal(kt_frame_payload(fr), whole, fr->len);
    free(whole);
    kt_conn_pop(anna);
    for (int i = 0; i < 2; i++) { /* the publisher's copy and a reader's: one frame */
        fr = kt_conn_peek(i ? bert : anna);
        assert_non_null(fr);
        json_t *ev = frame_json(fr);
        assert_string_equal(json_string_value(json_object_get(ev, "event")), "chat.posted");
        assert_true(json_equal(json_object_get(ev, "data"), result));
        whole = json_dumps(ev, JSON_COMPACT);
        assert_int_equal(fr->len, strlen(whole));
        assert_memory_equal(kt_frame_payload(fr), whole, fr->len);
        free(whole);
        json_decref(ev);
    }
    assert_ptr_equal(kt_conn_peek(anna), kt_conn_peek(bert));
    json_decref(reply);
    kt_dispatch_group_commit(&f->app, false);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    kt_log_set_level(KT_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        T(events_reach_subscribed_connections_in_seq_order),
        T(a_push_frame_carries_event_body_seq_and_data),
        T(duplicates_are_dropped),
        T(a_gap_is_filled_from_the_store),
        T(resync_catches_up_from_the_store),
        T(resync_reaches_every_topic_even_when_some_end_on_the_way),
        T(visibility_is_decided_per_connection),
        T(replay_shows_the_past_as_it_may_be_seen_now),
        T(subscribe_reports_the_head_and_refuses_a_future_since),
        T(replay_runs_in_batches_bounded_by_the_queue),
        T(replay_waits_while_the_queue_is_more_than_half_full),
        T(resubscribing_restarts_from_the_new_since),
        T(a_connection_holds_at_most_256_subscriptions),
        T(unsubscribing_stops_delivery),
        T(the_directory_stream_is_body_zero),
        T(an_overflowing_queue_marks_the_connection_4008_and_nobody_else),
        T(the_byte_budget_of_a_queue_counts_too),
        T(removing_ones_own_membership_ends_the_subscription),
        T(a_removal_found_while_filling_a_gap_ends_the_last_subscription),
        T(a_removal_met_during_replay_ends_the_subscription),
        T(being_added_reaches_the_person_without_a_subscription),
        T(a_role_change_of_the_subscriber_changes_what_they_see_from_then_on),
        T(frames_are_shared_between_connections_not_copied),
        cmocka_unit_test(an_event_builds_its_frame_once),
        cmocka_unit_test(frames_hold_compact_json_after_the_headroom),
        cmocka_unit_test(a_member_joins_a_frame_as_jansson_writes_it),
        cmocka_unit_test(events_survive_the_trip_between_nodes),
        T(closing_a_person_reaches_each_of_their_connections),
        T(closing_a_middle_connection_keeps_the_list_whole),
        T(expired_sessions_are_closed),
        T(a_closed_connection_is_forgotten),
        T(subscribe_over_the_protocol),
        T(a_message_goes_out_as_it_is_when_its_group_commits),
        T(a_post_and_its_reply_carry_one_text_of_the_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#include "live/hub.h"

#include "auth/viewer.h"
#include "live/render.h"
#include "protocol/errors.h"
#include "store/retention.h"
#include "util/err.h"
#include "util/imap.h"
#include "util/ivec.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

#define REPLAY_BATCH 64

/* Topics are keyed by stream id; the imap cannot hold key 0, which is the directory stream. */
static int64_t topic_key(int64_t body)
{
    return body == 0 ? INT64_MIN : body;
}

typedef struct kt_topic {
    int64_t body;
    int64_t head; /* last seq delivered to live subscriptions */
    struct kt_sub *subs;
    int n_subs;
} kt_topic;

typedef struct kt_sub {
    kt_conn *conn;
    kt_topic *topic;
    int64_t last_seq; /* last seq this subscription has passed (delivered or not visible) */
    bool catching_up;
    kt_viewer viewer;
    int64_t *items;
    struct kt_sub *tprev, *tnext; /* in topic */
    struct kt_sub *cnext;         /* in conn */
} kt_sub;

struct kt_hub {
    kt_app *app;
    kt_imap topics;  /* body -> kt_topic */
    kt_imap persons; /* person -> first kt_conn */
    uint64_t n_conns, n_subs;
};

/* A subscription whose events cannot be read from the store (a damaged page, an I/O error) is
 * not left waiting for ever: its connection closes with this code (PROTOCOL.md, close codes),
 * the log says which stream and where, and /metrics counts it. */
static void close_unreadable(kt_hub *h, kt_conn *c, int64_t body, int64_t after, int rc)
{
    kt_error("replay stopped: store read failed", "person=%lld body=%lld after=%lld rc=%d",
             (long long)c->me.person, (long long)body, (long long)after, rc);
    h->app->counters.store_read_errors++;
    kt_conn_close(c, KT_CLOSE_STORE_ERROR, "opslag niet leesbaar; verbind later opnieuw");
}

kt_hub *kt_hub_new(kt_app *app)
{
    kt_hub *h = calloc(1, sizeof *h);
    if (h)
        h->app = app;
    return h;
}

void kt_hub_free(kt_hub *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->topics.cap; i++)
        if (h->topics.slots[i].key)
            free(h->topics.slots[i].val); /* subscriptions died with their connections */
    kt_imap_free(&h->topics);
    kt_imap_free(&h->persons);
    free(h);
}

/* ---- subscriptions ---- */

static void sub_start_catchup(kt_sub *s)
{
    if (s->catching_up)
        return;
    s->catching_up = true;
    s->conn->catching_up++;
    kt_conn_wake(s->conn);
}

static void sub_end_catchup(kt_sub *s)
{
    if (!s->catching_up)
        return;
    s->catching_up = false;
    s->conn->catching_up--;
}

static void sub_free(kt_hub *h, kt_sub *s)
{
    kt_topic *t = s->topic;
    sub_end_catchup(s);
    if (s->tprev)
        s->tprev->tnext = s->tnext;
    else
        t->subs = s->tnext;
    if (s->tnext)
        s->tnext->tprev = s->tprev;
    t->n_subs--;
    h->n_subs--;
    if (t->n_subs == 0) {
        kt_imap_del(&h->topics, topic_key(t->body));
        free(t);
    }
    free(s->items);
    free(s);
}

static void conn_unlink_sub(kt_conn *c, kt_sub *s)
{
    for (kt_sub **p = &c->subs; *p; p = &(*p)->cnext)
        if (*p == s) {
            *p = s->cnext;
            c->n_subs--;
            return;
        }
}

static kt_sub *conn_find_sub(kt_conn *c, int64_t body)
{
    for (kt_sub *s = c->subs; s; s = s->cnext)
        if (s->topic->body == body)
            return s;
    return NULL;
}

/* A membership event about the subscriber itself changes what they may see from here on. */
static bool refresh_viewer(kt_hub *h, kt_sub *s)
{
    free(s->items);
    s->items = NULL;
    int rc = kt_viewer_load(h->app->store, s->topic->body, &s->conn->me, &s->viewer, &s->items);
    if (rc) /* seeing more or less than the membership allows: neither is acceptable */
        close_unreadable(h, s->conn, s->topic->body, s->last_seq, rc);
    return rc == 0;
}

static bool is_own_membership(const kt_sub *s, const kt_event *ev)
{
    return ev->subject && ev->subject == s->conn->me.person;
}

/* Passes ev (the next in order for s) to s: updates the view, queues the frame if visible.
 * Returns false when the subscription ended (own membership removed). */
static bool sub_pass(kt_hub *h, kt_sub *s, kt_event *ev)
{
    bool own = is_own_membership(s, ev);
    if (own && !refresh_viewer(h, s))
        return false;
    /* Every seq goes out, in the form this subscriber may see now (live/render.h). */
    kt_frame *f = kt_render_frame(h->app->store, ev, &s->viewer);
    if (!f) {
        /* What the event is about could not be read: rather than skip it for good, end the
         * connection; the client resumes from its last seq. */
        kt_conn_close(s->conn, 1011, "wijziging niet leesbaar; verbind opnieuw");
        return false;
    }
    s->last_seq = ev->seq;
    if (kt_conn_send(s->conn, f) == 0)
        h->app->counters.events_delivered++;
    if (own && s->viewer.role == KT_ROLE_NONE) {
        conn_unlink_sub(s->conn, s);
        sub_free(h, s);
        return false;
    }
    return true;
}

static void sub_offer(kt_hub *h, kt_sub *s, kt_event *ev)
{
    if (s->catching_up || ev->seq <= s->last_seq)
        return;
    if (ev->seq > s->last_seq + 1) {
        sub_start_catchup(s);
        return;
    }
    sub_pass(h, s, ev);
}

/* ---- delivery ---- */

static void topic_deliver(kt_hub *h, kt_topic *t, kt_event *ev)
{
    t->head = ev->seq;
    kt_sub *next;
    for (kt_sub *s = t->subs; s; s = next) {
        next = s->tnext;
        sub_offer(h, s, ev);
    }
}

/* Reads the events between head and upto (exclusive) from the store and delivers them.
 * Returns the topic, or NULL when its last subscription ended on the way. */
static kt_topic *topic_fill(kt_hub *h, kt_topic *t, int64_t upto)
{
    kt_stored_event batch[REPLAY_BATCH];
    int64_t body = t->body;
    while (t && t->head + 1 < upto) {
        int n = kt_store_events_after(h->app->store, body, t->head, batch, REPLAY_BATCH);
        if (n <= 0) /* on error (logged) the caller lets each subscription catch up itself */
            return t;
        for (int i = 0; i < n; i++) {
            if (t && batch[i].seq < upto) {
                kt_event *ev = kt_event_from_stored(&batch[i]);
                if (ev) {
                    topic_deliver(h, t, ev);
                    kt_event_unref(ev);
                }
                h->app->counters.bus_gaps_filled++;
                t = kt_imap_get(&h->topics, topic_key(body));
            }
            kt_store_event_clear(&batch[i]);
        }
        if (n < REPLAY_BATCH)
            return t;
    }
    return t;
}

/* Connections of the subject person that are not subscribed to the body still learn about
 * their own membership (so "my bodies" stays current). */
static void deliver_to_subject(kt_hub *h, kt_event *ev)
{
    for (kt_conn *c = kt_imap_get(&h->persons, ev->subject); c; c = c->person_next) {
        if (conn_find_sub(c, ev->body))
            continue;
        kt_frame *f = kt_event_frame(ev);
        if (f)
            kt_conn_send(c, f);
    }
}

void kt_hub_deliver(void *hub, kt_event *ev)
{
    kt_hub *h = hub;
    if (ev->subject)
        deliver_to_subject(h, ev);
    kt_topic *t = kt_imap_get(&h->topics, topic_key(ev->body));
    if (!t || ev->seq <= t->head)
        return;
    if (ev->seq > t->head + 1)
        t = topic_fill(h, t, ev->seq);
    if (!t)
        return;
    if (ev->seq == t->head + 1)
        topic_deliver(h, t, ev);
    else if (ev->seq > t->head) /* the store could not fill the gap: let each catch up */
        for (kt_sub *s = t->subs; s; s = s->tnext)
            sub_start_catchup(s);
}

void kt_hub_resync(void *hub)
{
    kt_hub *h = hub;
    /* Filling can end subscriptions and so delete topics, which moves entries of the map:
     * walk a copy of the keys, not the map. */
    kt_ivec keys = {0};
    for (size_t i = 0; i < h->topics.cap; i++)
        if (h->topics.slots[i].key)
            kt_ivec_push(&keys, h->topics.slots[i].key);
    for (size_t i = 0; i < keys.n; i++) {
        kt_topic *t = kt_imap_get(&h->topics, keys.v[i]);
        if (!t)
            continue;
        int64_t head = 0;
        if (kt_store_stream_head(h->app->store, t->body, &head)) { /* logged; next tick */
            h->app->counters.store_read_errors++;
            continue;
        }
        if (head > t->head)
            topic_fill(h, t, head + 1);
    }
    kt_ivec_free(&keys);
}

/* ---- replay ---- */

/* The seqs between s's last and seq that the store no longer holds (a notification's events
 * superseded by a later one, store/notifications.h) go out as stream.skipped: every seq reaches
 * the subscriber. Stops when the queue is full (false; the next pump goes on from there) or the
 * connection ended. */
static bool sub_fill_hole(kt_sub *s, int64_t seq)
{
    while (s->last_seq + 1 < seq) {
        if (s->conn->close_code || s->conn->q_len >= s->conn->q_max)
            return false;
        kt_frame *f = kt_render_skipped(s->topic->body, s->last_seq + 1);
        if (!f) {
            kt_conn_close(s->conn, 1011, "geen geheugen");
            return false;
        }
        kt_conn_send(s->conn, f);
        kt_frame_unref(f);
        s->last_seq++;
    }
    return !s->conn->close_code && s->conn->q_len < s->conn->q_max;
}

/* Whether a replay should wait for the socket: half the queue's frames or bytes are taken. A
 * replay batch is up to REPLAY_BATCH events of any size (an item with its description, notes):
 * queued at once they could pass the queue's bytes and close the connection (4008), and the
 * client resuming from its last seq would meet the same batch again. */
static bool queue_half_full(const kt_conn *c)
{
    return c->q_len * 2 > c->q_max || c->q_bytes * 2 > c->q_max_bytes;
}

/* Whether a replay batch under way should stop: half the queue's bytes are taken. Its frames
 * may fill the queue to the brim (sub_fill_hole stops there), as small events did before. */
static bool queue_bytes_half_full(const kt_conn *c)
{
    return c->q_bytes * 2 > c->q_max_bytes;
}

/* Reads the next batch for a catching-up subscription; returns false if s ended. */
static bool sub_replay(kt_hub *h, kt_sub *s)
{
    kt_stored_event batch[REPLAY_BATCH];
    int room = s->conn->q_max - s->conn->q_len;
    int want = room < REPLAY_BATCH ? room : REPLAY_BATCH;
    if (want <= 0)
        return true;
    int n = kt_store_events_after(h->app->store, s->topic->body, s->last_seq, batch, want);
    if (n < 0) {
        /* Not the end of the stream: the rest of it cannot be read. Waiting would leave the
         * client believing it is live while it never gets another event. */
        close_unreadable(h, s->conn, s->topic->body, s->last_seq, n);
        return false;
    }
    bool alive = true, full = false;
    for (int i = 0; i < n; i++) {
        if (alive && !full && queue_bytes_half_full(s->conn))
            full = true; /* the rest of the batch is read again at the next pump */
        if (alive && !full && !sub_fill_hole(s, batch[i].seq))
            full = true;
        if (alive && !full) {
            kt_event *ev = kt_event_from_stored(&batch[i]);
            if (ev) {
                alive = sub_pass(h, s, ev);
                kt_event_unref(ev);
            }
        }
        kt_store_event_clear(&batch[i]);
    }
    if (alive && !full && n < want)
        sub_end_catchup(s); /* reached the end of the stream: live from here */
    return alive;
}

void kt_hub_pump(kt_hub *h, kt_conn *c)
{
    kt_sub *next;
    for (kt_sub *s = c->subs; s && !c->close_code; s = next) {
        next = s->cnext;
        if (!s->catching_up)
            continue;
        if (queue_half_full(c))
            return;
        sub_replay(h, s);
    }
}

int kt_hub_subscribe(kt_hub *h, kt_conn *c, int64_t body, int64_t since, const kt_viewer *viewer,
                     int64_t *items, int64_t *head)
{
    int rc = kt_store_stream_head(h->app->store, body, head);
    if (rc) {
        free(items);
        return rc; /* a head read as 0 would make every since look invalid, or replay nothing */
    }
    if (since > *head) {
        free(items);
        return KT_EINVAL;
    }
    /* Retention may have removed the start of the stream: a replay from before what is kept
     * would have a gap, so the client takes a snapshot instead. */
    int64_t floor = 0;
    if (since >= 0 && since < *head && kt_store_stream_floor(h->app->store, body, &floor) == 0 &&
        (floor ? floor : *head + 1) > since + 1) { /* no event left: all before the head went */
        free(items);
        return KT_ERANGE;
    }
    if (since < 0)
        since = *head;
    kt_sub *s = conn_find_sub(c, body);
    if (s) {
        free(s->items);
    } else {
        if (c->n_subs >= KT_MAX_SUBS_PER_CONN) {
            free(items);
            return KT_EFULL;
        }
        kt_topic *t = kt_imap_get(&h->topics, topic_key(body));
        if (!t) {
            t = calloc(1, sizeof *t);
            if (!t || kt_imap_put(&h->topics, topic_key(body), t)) {
                free(t);
                free(items);
                return KT_ENOMEM;
            }
            t->body = body;
            t->head = *head;
        }
        s = calloc(1, sizeof *s);
        if (!s) {
            if (!t->subs) {
                kt_imap_del(&h->topics, topic_key(body));
                free(t);
            }
            free(items);
            return KT_ENOMEM;
        }
        s->conn = c;
        s->topic = t;
        s->tnext = t->subs;
        if (t->subs)
            t->subs->tprev = s;
        t->subs = s;
        t->n_subs++;
        s->cnext = c->subs;
        c->subs = s;
        c->n_subs++;
        h->n_subs++;
    }
    s->viewer = *viewer;
    s->items = items;
    s->viewer.items = items;
    s->last_seq = since;
    sub_end_catchup(s);
    if (since < *head)
        sub_start_catchup(s);
    return 0;
}

int kt_hub_unsubscribe(kt_hub *h, kt_conn *c, int64_t body)
{
    kt_sub *s = conn_find_sub(c, body);
    if (!s)
        return KT_ENOTFOUND;
    conn_unlink_sub(c, s);
    sub_free(h, s);
    return 0;
}

/* ---- connections ---- */

int kt_hub_conn_open(kt_hub *h, kt_conn *c)
{
    kt_conn *first = kt_imap_get(&h->persons, c->me.person);
    c->person_prev = NULL;
    c->person_next = first;
    if (first)
        first->person_prev = c;
    if (kt_imap_put(&h->persons, c->me.person, c))
        return KT_ENOMEM;
    h->n_conns++;
    return 0;
}

void kt_hub_conn_closed(kt_hub *h, kt_conn *c)
{
    while (c->subs) {
        kt_sub *s = c->subs;
        c->subs = s->cnext;
        c->n_subs--;
        sub_free(h, s);
    }
    if (c->person_prev)
        c->person_prev->person_next = c->person_next;
    else if (c->person_next)
        kt_imap_put(&h->persons, c->me.person, c->person_next);
    else
        kt_imap_del(&h->persons, c->me.person);
    if (c->person_next)
        c->person_next->person_prev = c->person_prev;
    c->person_next = c->person_prev = NULL;
    h->n_conns--;
}

void kt_hub_close_person(kt_hub *h, int64_t person, const unsigned char *session_hash, int code,
                         const char *reason)
{
    for (kt_conn *c = kt_imap_get(&h->persons, person); c; c = c->person_next)
        if (!session_hash || memcmp(c->session_hash, session_hash, sizeof c->session_hash) == 0)
            kt_conn_close(c, code, reason);
}

void kt_hub_expire(kt_hub *h, int64_t now)
{
    for (size_t i = 0; i < h->persons.cap; i++) {
        if (!h->persons.slots[i].key)
            continue;
        for (kt_conn *c = h->persons.slots[i].val; c; c = c->person_next)
            if (c->me.expires_at && c->me.expires_at <= now)
                kt_conn_close(c, KT_CLOSE_SESSION_ENDED, "sessie verlopen");
    }
}

void kt_hub_each_conn(kt_hub *h, void (*fn)(kt_conn *c, void *arg), void *arg)
{
    for (size_t i = 0; i < h->persons.cap; i++)
        if (h->persons.slots[i].key)
            for (kt_conn *c = h->persons.slots[i].val; c; c = c->person_next)
                fn(c, arg);
}

int kt_hub_close_all(kt_hub *h, int code, const char *reason)
{
    int n = 0;
    for (size_t i = 0; i < h->persons.cap; i++)
        if (h->persons.slots[i].key)
            for (kt_conn *c = h->persons.slots[i].val; c; c = c->person_next, n++)
                kt_conn_close(c, code, reason);
    return n;
}

uint64_t kt_hub_open_connections(const kt_hub *h)
{
    return h->n_conns;
}

void kt_hub_stats(const kt_hub *h, uint64_t *conns, uint64_t *topics, uint64_t *subs)
{
    *conns = h->n_conns;
    *topics = h->topics.len;
    *subs = h->n_subs;
}

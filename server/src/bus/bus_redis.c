/* The Redis bus: every node publishes its committed events to a channel per body
 * (kt:b:<body>) and pattern-subscribes to all of them. Redis pub/sub is at-most-once, so this bus
 * is only a fast hint: the hub drops duplicates by seq, fills gaps from the store, and resyncs
 * every topic from the store after a reconnect and every few seconds.
 *
 * Two threads, two connections (PUBLISH and SUBSCRIBE cannot share one): the event loop never
 * touches a socket to Redis. publish() queues the encoded event for the publisher thread;
 * the subscriber thread decodes messages into kt_events and hands them to the loop through a
 * locked queue and the loop's wake function (kt_server_wake). The origin node delivers its own
 * events locally at once, so its clients stay live while Redis is down.
 *
 * Health. A Redis that is stopped (SIGSTOP, a stalled host) keeps its TCP connections open and
 * accepts new ones; nothing fails, nothing answers. So the publisher thread PINGs whenever it has
 * had nothing to publish for PING_EVERY_MS, every command waits REPLY_DEADLINE_MS at most, and
 * the bus is healthy only while Redis answered within HEALTHY_WITHIN_MS. */
#include "bus/bus.h"

#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <hiredis/hiredis.h>
#include <libwebsockets.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PUB_QUEUE_MAX     65536
#define BACKOFF_MIN_MS    100
#define BACKOFF_MAX_MS    5000
#define PING_EVERY_MS     1000
#define REPLY_DEADLINE_MS 2000
#define HEALTHY_WITHIN_MS (PING_EVERY_MS + REPLY_DEADLINE_MS + 500)

typedef struct msg {
    struct msg *next;
    int64_t body;
    char *text;   /* publish: encoded event */
    kt_event *ev; /* delivery: decoded event */
    bool resync;  /* delivery: a (re)connect happened */
} msg;

typedef struct queue {
    msg *head, *tail;
    size_t len;
} queue;

typedef struct redis_bus {
    kt_bus base;
    char host[256];
    int port;
    void (*wake)(void *arg); /* wakes the loop thread; thread-safe */
    void *wake_arg;
    pthread_t pub_thread, sub_thread;
    pthread_mutex_t lock;
    pthread_cond_t pub_cond;
    queue pub_q, in_q;
    int wake_pipe[2]; /* wakes the subscriber thread to stop */
    atomic_bool stopping, pub_up, sub_up;
    atomic_int_fast64_t answered_ns; /* kt_mono_ns() of Redis' last answer to the publisher */
    bool logged_silent;              /* publisher thread: "not answering" said once */
    atomic_uint_fast64_t reconnects, dropped;
    uint64_t *reconnect_counter; /* app counter, updated on the loop thread */
} redis_bus;

static void q_push(queue *q, msg *m)
{
    m->next = NULL;
    if (q->tail)
        q->tail->next = m;
    else
        q->head = m;
    q->tail = m;
    q->len++;
}

static msg *q_take_all(queue *q)
{
    msg *m = q->head;
    q->head = q->tail = NULL;
    q->len = 0;
    return m;
}

static void msg_free(msg *m)
{
    free(m->text);
    if (m->ev)
        kt_event_unref(m->ev);
    free(m);
}

static int parse_url(const char *url, char *host, size_t n, int *port)
{
    const char *p = strncmp(url, "redis://", 8) == 0 ? url + 8 : url;
    const char *at = strrchr(p, '@');
    if (at)
        p = at + 1; /* credentials are not supported; ignore them rather than misparse */
    const char *colon = strchr(p, ':'), *slash = strchr(p, '/');
    size_t hl = colon ? (size_t)(colon - p) : slash ? (size_t)(slash - p) : strlen(p);
    if (hl == 0 || hl >= n)
        return KT_EINVAL;
    memcpy(host, p, hl);
    host[hl] = 0;
    *port = colon ? atoi(colon + 1) : 6379;
    return *port > 0 && *port < 65536 ? 0 : KT_EINVAL;
}

static redisContext *connect_redis(redis_bus *b)
{
    struct timeval tv = {1, 0};
    redisContext *c = redisConnectWithTimeout(b->host, b->port, tv);
    if (!c || c->err) {
        if (c)
            redisFree(c);
        return NULL;
    }
    redisEnableKeepAlive(c);
    return c;
}

/* Sleeps ms unless stopping; returns false when stopping. */
static bool backoff_sleep(redis_bus *b, int ms)
{
    for (int slept = 0; slept < ms && !atomic_load(&b->stopping); slept += 20)
        usleep(20 * 1000);
    return !atomic_load(&b->stopping);
}

static void wake_loop(redis_bus *b)
{
    if (b->wake)
        b->wake(b->wake_arg);
}

/* ---- publisher thread ---- */

/* Redis answered: a command's reply arrived within the deadline. */
static void answered(redis_bus *b)
{
    atomic_store(&b->answered_ns, kt_mono_ns());
    if (b->logged_silent) {
        b->logged_silent = false;
        kt_info("redis answers again", "host=%s port=%d", b->host, b->port);
    }
}

/* A reply did not come within the deadline (or the connection broke). */
static void silent(redis_bus *b)
{
    if (!b->logged_silent) {
        b->logged_silent = true;
        kt_warn("redis does not answer; events are committed and caught up later",
                "host=%s port=%d deadline_ms=%d", b->host, b->port, REPLY_DEADLINE_MS);
    }
}

/* PING with the deadline: true when PONG came. */
static bool ping(redis_bus *b, redisContext *c)
{
    redisReply *r = redisCommand(c, "PING");
    bool ok = r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
    freeReplyObject(r);
    if (ok)
        answered(b);
    else
        silent(b);
    return ok;
}

/* Waits for something to publish, at most PING_EVERY_MS; false when nothing came. Called with
 * the lock held. */
static bool wait_for_work(redis_bus *b)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += (long)PING_EVERY_MS % 1000 * 1000000L;
    until.tv_sec += PING_EVERY_MS / 1000 + until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    while (!b->pub_q.head && !atomic_load(&b->stopping))
        if (pthread_cond_timedwait(&b->pub_cond, &b->lock, &until))
            return b->pub_q.head != NULL;
    return true;
}

static void *pub_main(void *arg)
{
    redis_bus *b = arg;
    redisContext *c = NULL;
    int backoff = BACKOFF_MIN_MS;
    bool logged_down = false;
    while (!atomic_load(&b->stopping)) {
        if (!c) {
            c = connect_redis(b);
            if (!c) {
                if (!logged_down)
                    kt_warn("redis unreachable; events are committed and caught up later",
                            "role=publish host=%s port=%d", b->host, b->port);
                logged_down = true;
                atomic_store(&b->pub_up, false);
                /* While down, drop what waits: other nodes catch up from the store. */
                pthread_mutex_lock(&b->lock);
                msg *drop = q_take_all(&b->pub_q);
                pthread_mutex_unlock(&b->lock);
                while (drop) {
                    msg *next = drop->next;
                    atomic_fetch_add(&b->dropped, 1);
                    msg_free(drop);
                    drop = next;
                }
                backoff_sleep(b, backoff);
                backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
                continue;
            }
            /* Connected is not answering: a stopped Redis accepts connections. */
            struct timeval deadline = {REPLY_DEADLINE_MS / 1000, REPLY_DEADLINE_MS % 1000 * 1000};
            redisSetTimeout(c, deadline);
            if (!ping(b, c)) {
                redisFree(c);
                c = NULL;
                atomic_store(&b->pub_up, false);
                backoff_sleep(b, backoff);
                continue;
            }
            if (logged_down)
                kt_info("redis reachable again", "role=publish");
            logged_down = false;
            backoff = BACKOFF_MIN_MS;
            atomic_store(&b->pub_up, true);
        }
        pthread_mutex_lock(&b->lock);
        bool work = wait_for_work(b);
        msg *batch = q_take_all(&b->pub_q);
        pthread_mutex_unlock(&b->lock);
        if (!work && !atomic_load(&b->stopping)) {
            if (!ping(b, c)) {
                redisFree(c);
                c = NULL;
                atomic_store(&b->pub_up, false);
                atomic_fetch_add(&b->reconnects, 1);
            }
            continue;
        }
        int n = 0;
        for (msg *m = batch; m; m = m->next, n++)
            redisAppendCommand(c, "PUBLISH kt:b:%lld %s", (long long)m->body, m->text);
        bool failed = false;
        for (int i = 0; i < n && !failed; i++) {
            void *reply = NULL;
            if (redisGetReply(c, &reply) != REDIS_OK)
                failed = true;
            freeReplyObject(reply);
        }
        if (failed)
            silent(b);
        else if (n)
            answered(b);
        while (batch) {
            msg *next = batch->next;
            msg_free(batch);
            batch = next;
        }
        if (failed) {
            redisFree(c);
            c = NULL;
            atomic_fetch_add(&b->reconnects, 1);
        }
    }
    if (c)
        redisFree(c);
    return NULL;
}

/* ---- subscriber thread ---- */

static void deliver_in(redis_bus *b, msg *m)
{
    pthread_mutex_lock(&b->lock);
    q_push(&b->in_q, m);
    pthread_mutex_unlock(&b->lock);
    wake_loop(b);
}

static void handle_reply(redis_bus *b, redisReply *r)
{
    /* pmessage, pattern, channel, payload */
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 4 ||
        strcmp(r->element[0]->str, "pmessage") != 0)
        return;
    redisReply *payload = r->element[3];
    kt_event *ev = kt_event_decode(payload->str, payload->len);
    if (!ev) {
        kt_warn("undecodable bus message dropped", NULL);
        return;
    }
    msg *m = calloc(1, sizeof *m);
    if (!m) {
        kt_event_unref(ev);
        return;
    }
    m->ev = ev;
    deliver_in(b, m);
}

static bool subscribe_session(redis_bus *b, redisContext *c)
{
    redisReply *r = redisCommand(c, "PSUBSCRIBE kt:b:*");
    if (!r)
        return false;
    freeReplyObject(r);
    atomic_store(&b->sub_up, true);
    msg *m = calloc(1, sizeof *m);
    if (m) {
        m->resync = true; /* whatever was published while we were away: read the store */
        deliver_in(b, m);
    }
    for (;;) {
        struct pollfd fds[2] = {{.fd = c->fd, .events = POLLIN},
                                {.fd = b->wake_pipe[0], .events = POLLIN}};
        if (poll(fds, 2, 1000) < 0)
            continue;
        if (atomic_load(&b->stopping))
            return true;
        if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL))
            return false;
        if (!(fds[0].revents & POLLIN))
            continue;
        if (redisBufferRead(c) != REDIS_OK)
            return false;
        void *reply;
        while (redisGetReplyFromReader(c, &reply) == REDIS_OK && reply) {
            handle_reply(b, reply);
            freeReplyObject(reply);
        }
        if (c->err)
            return false;
    }
}

static void *sub_main(void *arg)
{
    redis_bus *b = arg;
    int backoff = BACKOFF_MIN_MS;
    bool logged_down = false, ever = false;
    while (!atomic_load(&b->stopping)) {
        redisContext *c = connect_redis(b);
        if (c) {
            if (logged_down || ever)
                kt_info("redis subscription restored", "host=%s port=%d", b->host, b->port);
            if (ever)
                atomic_fetch_add(&b->reconnects, 1);
            ever = true;
            logged_down = false;
            backoff = BACKOFF_MIN_MS;
            bool stopped = subscribe_session(b, c);
            redisFree(c);
            atomic_store(&b->sub_up, false);
            if (stopped && atomic_load(&b->stopping))
                break;
        }
        if (!logged_down)
            kt_warn("redis subscription lost; serving local clients and catching up from the "
                    "store",
                    "host=%s port=%d", b->host, b->port);
        logged_down = true;
        if (!backoff_sleep(b, backoff))
            break;
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
    return NULL;
}

/* ---- the bus interface (loop thread) ---- */

static int redis_publish(kt_bus *bus, kt_event *ev)
{
    redis_bus *b = (redis_bus *)bus;
    bus->deliver(bus->arg, ev); /* local sessions at once */
    msg *m = calloc(1, sizeof *m);
    char *text = kt_event_encode(ev);
    if (!m || !text) {
        free(m);
        free(text);
        return KT_ENOMEM;
    }
    m->body = ev->body;
    m->text = text;
    pthread_mutex_lock(&b->lock);
    if (b->pub_q.len >= PUB_QUEUE_MAX) {
        pthread_mutex_unlock(&b->lock);
        atomic_fetch_add(&b->dropped, 1);
        msg_free(m);
        return KT_EFULL;
    }
    q_push(&b->pub_q, m);
    pthread_cond_signal(&b->pub_cond);
    pthread_mutex_unlock(&b->lock);
    return 0;
}

static void redis_poll(kt_bus *bus)
{
    redis_bus *b = (redis_bus *)bus;
    pthread_mutex_lock(&b->lock);
    msg *m = q_take_all(&b->in_q);
    pthread_mutex_unlock(&b->lock);
    if (b->reconnect_counter)
        *b->reconnect_counter = atomic_load(&b->reconnects);
    while (m) {
        msg *next = m->next;
        if (m->resync && bus->resync)
            bus->resync(bus->arg);
        else if (m->ev)
            bus->deliver(bus->arg, m->ev);
        msg_free(m);
        m = next;
    }
}

static bool redis_healthy(kt_bus *bus)
{
    redis_bus *b = (redis_bus *)bus;
    int64_t since = kt_mono_ns() - atomic_load(&b->answered_ns);
    return atomic_load(&b->pub_up) && atomic_load(&b->sub_up) &&
           since < HEALTHY_WITHIN_MS * 1000000LL;
}

static const char *redis_name(kt_bus *bus)
{
    (void)bus;
    return "redis";
}

static void redis_destroy(kt_bus *bus)
{
    redis_bus *b = (redis_bus *)bus;
    atomic_store(&b->stopping, true);
    pthread_mutex_lock(&b->lock);
    pthread_cond_signal(&b->pub_cond);
    pthread_mutex_unlock(&b->lock);
    if (write(b->wake_pipe[1], "x", 1) < 0) {
        /* the subscriber also notices within its poll timeout */
    }
    pthread_join(b->pub_thread, NULL);
    pthread_join(b->sub_thread, NULL);
    msg *lists[2] = {q_take_all(&b->pub_q), q_take_all(&b->in_q)};
    for (int i = 0; i < 2; i++)
        while (lists[i]) {
            msg *next = lists[i]->next;
            msg_free(lists[i]);
            lists[i] = next;
        }
    close(b->wake_pipe[0]);
    close(b->wake_pipe[1]);
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->pub_cond);
    free(b);
}

static const kt_bus_ops redis_ops = {
    .publish = redis_publish,
    .poll = redis_poll,
    .healthy = redis_healthy,
    .name = redis_name,
    .destroy = redis_destroy,
};

kt_bus *kt_bus_redis_new(const char *url, void (*wake)(void *arg), void *wake_arg,
                         uint64_t *reconnect_counter, kt_bus_deliver_fn deliver,
                         kt_bus_resync_fn resync, void *arg)
{
    redis_bus *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    if (parse_url(url, b->host, sizeof b->host, &b->port)) {
        kt_error("bad redis url", "url=\"%s\"", url);
        free(b);
        return NULL;
    }
    b->base.ops = &redis_ops;
    b->base.deliver = deliver;
    b->base.resync = resync;
    b->base.arg = arg;
    b->wake = wake;
    b->wake_arg = wake_arg;
    b->reconnect_counter = reconnect_counter;
    pthread_mutex_init(&b->lock, NULL);
    pthread_condattr_t ca; /* timed waits on the monotonic clock, not the wall clock */
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&b->pub_cond, &ca);
    pthread_condattr_destroy(&ca);
    if (pipe(b->wake_pipe)) {
        free(b);
        return NULL;
    }
    if (pthread_create(&b->pub_thread, NULL, pub_main, b)) {
        close(b->wake_pipe[0]);
        close(b->wake_pipe[1]);
        free(b);
        return NULL;
    }
    if (pthread_create(&b->sub_thread, NULL, sub_main, b)) {
        atomic_store(&b->stopping, true);
        pthread_cond_signal(&b->pub_cond);
        pthread_join(b->pub_thread, NULL);
        close(b->wake_pipe[0]);
        close(b->wake_pipe[1]);
        free(b);
        return NULL;
    }
    return &b->base;
}

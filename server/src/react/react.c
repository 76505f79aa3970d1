#include "react/react.h"

#include "detect/detect.h"
#include "feed/notify.h"
#include "protocol/ctx.h"
#include "protocol/dispatch.h"
#include "store/events.h"
#include "store/flags.h"
#include "store/reactions.h"
#include "util/err.h"
#include "util/ivec.h"
#include "util/log.h"
#include "util/slot.h"
#include "util/timeutil.h"

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#define SWEEP_US  (5 * LWS_US_PER_SEC)
#define SWEEP_MAX 200 /* jobs adopted per sweep */
#define BATCH_MAX 64  /* jobs per transaction */

struct kt_react {
    kt_app *app;
    kt_ivec queue; /* committed here, not run yet */
    bool scheduled;
    lws_sorted_usec_list_t soon, sweep, conf;
    uint64_t done, failed, dropped, adopted;
    uint64_t conf_batches, conf_slots; /* the confidential batches on the timer, slots held */
    const kt_slot_clock *clock;        /* the confidential batch's slot (tests inject theirs) */
};

static const kt_principal reactor = {.person = 0, .name = "ketentafel"};

/* ---- one job ---- */

/* The ids of a JSON array into v. */
static int ids_into(json_t *arr, kt_ivec *v)
{
    size_t i;
    json_t *x;
    int rc = 0;
    json_array_foreach(arr, i, x) if (!rc) rc = kt_ivec_add(v, json_integer_value(x));
    return rc;
}

/* The events the job points to, read back from the event log. */
static int load_events(kt_store *st, json_t *refs, kt_event ***out, int *n)
{
    *out = calloc(json_array_size(refs) + 1, sizeof **out);
    *n = 0;
    if (!*out)
        return KT_ENOMEM;
    size_t i;
    json_t *ref;
    json_array_foreach(refs, i, ref)
    {
        int64_t body = json_integer_value(json_array_get(ref, 0));
        int64_t seq = json_integer_value(json_array_get(ref, 1));
        kt_stored_event se;
        int got = kt_store_events_after(st, body, seq - 1, &se, 1);
        if (got < 0)
            return got;
        if (got == 0 || se.seq != seq) {
            if (got)
                kt_store_event_clear(&se);
            kt_error("reaction refers to a missing event", "body=%lld seq=%lld", (long long)body,
                     (long long)seq);
            continue;
        }
        kt_event *ev = kt_event_from_stored(&se);
        kt_store_event_clear(&se);
        if (!ev)
            return KT_ENOMEM;
        (*out)[(*n)++] = ev;
    }
    return 0;
}

/* Does job id inside the open transaction, its outcome in d (whose events are published after
 * the commit). 0 (done, or done already by someone else) or an error. */
static int job_body(kt_react *r, int64_t id, kt_ctx *d)
{
    kt_app *app = r->app;
    kt_ctx src;
    kt_ctx_init(&src, app, &reactor, NULL);
    kt_event **events = NULL;
    int n_events = 0;
    char *payload = NULL;
    int64_t attempts = 0;
    int rc = kt_store_reaction_take(d->st, id, &payload, &attempts);
    if (rc == KT_ENOTFOUND) { /* another node (or an earlier sweep) reacted already */
        rc = 0;
        goto done;
    }
    json_t *job = rc ? NULL : json_loads(payload, 0, NULL);
    if (!rc && !job)
        kt_error("reaction job unreadable, dropped", "job=%lld", (long long)id);
    if (job) {
        rc = ids_into(json_object_get(job, "m"), &src.touched_meetings);
        if (!rc)
            rc = ids_into(json_object_get(job, "i"), &src.touched_items);
        if (!rc)
            rc = ids_into(json_object_get(job, "b"), &src.touched_bodies);
        if (!rc)
            rc = load_events(d->st, json_object_get(job, "e"), &events, &n_events);
        json_decref(job);
    }
    if (!rc && app->detect && kt_detect_react(app->detect, d, &src))
        rc = KT_EINVAL;
    /* The change's own events, then what the detectors raised (a copy: notifying appends to
     * d->events). */
    int raised = d->n_events;
    kt_event **flags = raised ? calloc((size_t)raised, sizeof *flags) : NULL;
    if (raised && !flags && !rc)
        rc = KT_ENOMEM;
    for (int i = 0; flags && i < raised; i++)
        flags[i] = kt_event_ref(d->events[i]);
    if (!rc && kt_notify_react(d, events, n_events))
        rc = KT_EINVAL;
    if (!rc && kt_notify_react(d, flags, raised))
        rc = KT_EINVAL;
    for (int i = 0; flags && i < raised; i++)
        kt_event_unref(flags[i]);
    free(flags);
    if (rc)
        kt_warn("reaction failed", "job=%lld attempts=%lld rc=%d code=%s message=\"%s\"",
                (long long)id, (long long)attempts + 1, rc, kt_code_name(d->code), d->message);
done:
    for (int i = 0; i < n_events; i++)
        kt_event_unref(events[i]);
    free(events);
    free(payload);
    kt_ctx_clear(&src);
    return rc;
}

/* Runs job id in a transaction of its own. */
static int run_job(kt_react *r, int64_t id)
{
    kt_ctx d;
    kt_ctx_init(&d, r->app, &reactor, NULL);
    int rc = kt_store_begin(d.st);
    if (!rc)
        rc = job_body(r, id, &d);
    if (!rc)
        rc = kt_store_commit(d.st);
    else
        kt_store_rollback(d.st);
    if (!rc) {
        kt_ctx_defer_publish(&d);
        kt_dispatch_publish(r->app);
        r->done++;
    } else {
        r->failed++;
    }
    kt_ctx_clear(&d);
    return rc;
}

/* A failed job stays for the next sweep; one that keeps failing goes, loudly. */
static void job_failed(kt_react *r, int64_t id)
{
    kt_store *st = r->app->store;
    char *payload = NULL;
    int64_t attempts = 0, ignored;
    int rc = kt_store_begin(st);
    if (!rc)
        rc = kt_store_reaction_failed(st, id, &attempts);
    if (!rc && attempts >= KT_REACT_MAX_ATTEMPT &&
        (rc = kt_store_reaction_take(st, id, &payload, &ignored)) == 0) {
        kt_error("reaction dropped after repeated failures", "job=%lld attempts=%lld payload=%s",
                 (long long)id, (long long)attempts, payload);
        r->dropped++;
    }
    free(payload);
    if (!rc)
        rc = kt_store_commit(st);
    else
        kt_store_rollback(st);
    if (rc && rc != KT_ENOTFOUND)
        kt_warn("reaction failure not recorded", "job=%lld rc=%d", (long long)id, rc);
}

static void run(kt_react *r, int64_t id)
{
    if (!run_job(r, id))
        return;
    /* A store that cannot be reached or written (store.h: a fault spell, ended by a write that
     * commits) is no fault of the job's: it stays as it is for a later sweep, however long the
     * spell, rather than counting towards its dropping. */
    kt_store_faults f;
    kt_store_faults_get(&f);
    if (f.unavailable) {
        kt_warn("reaction put off: the store is unavailable", "job=%lld", (long long)id);
        return;
    }
    job_failed(r, id);
}

/* ---- the queue ---- */

/* Jobs ids[0..n) in one transaction (a group, store.h): one commit (one fsync) for many. A job
 * that fails is undone and retried alone - on SQLite, where the group's operations have no
 * savepoint each, one that had written rows (KT_EREDO) aborts the batch and every job runs
 * alone; if the commit fails, each job runs alone too. */
static void run_batch(kt_react *r, const int64_t *ids, size_t n)
{
    if (n == 1) {
        run(r, ids[0]);
        return;
    }
    kt_store *st = r->app->store;
    kt_store_group_settle(st); /* the writers' group goes first, with its replies */
    kt_ctx *d = calloc(n, sizeof *d);
    bool *ok = calloc(n, sizeof *ok);
    int rc = d && ok ? 0 : KT_ENOMEM;
    for (size_t i = 0; d && i < n; i++)
        kt_ctx_init(&d[i], r->app, &reactor, NULL);
    for (size_t i = 0; !rc && i < n; i++) {
        rc = kt_store_group_enter(st);
        if (rc)
            break;
        ok[i] = job_body(r, ids[i], &d[i]) == 0;
        rc = kt_store_group_leave(st, ok[i]);
    }
    if (!rc)
        rc = kt_store_group_commit(st);
    else
        kt_store_group_abort(st);
    for (size_t i = 0; d && i < n; i++) {
        if (!rc && ok[i]) {
            kt_ctx_defer_publish(&d[i]);
            r->done++;
        }
        kt_ctx_clear(&d[i]);
    }
    if (!rc)
        kt_dispatch_publish(r->app);
    free(d);
    for (size_t i = 0; i < n; i++)
        if (rc || !ok[i])
            run(r, ids[i]);
    free(ok);
}

void kt_react_drain(kt_react *r)
{
    while (r->queue.n) {
        kt_ivec q = r->queue;
        memset(&r->queue, 0, sizeof r->queue);
        for (size_t i = 0; i < q.n; i += BATCH_MAX)
            run_batch(r, q.v + i, q.n - i < BATCH_MAX ? q.n - i : BATCH_MAX);
        kt_ivec_free(&q);
    }
}

static void soon_cb(lws_sorted_usec_list_t *sul)
{
    kt_react *r = lws_container_of(sul, kt_react, soon);
    r->scheduled = false;
    kt_react_drain(r);
}

/* The detectors look at what a change touched; notifications come of some of its events only
 * (a chat message that mentions nobody causes none). Most writes of a busy node are such
 * messages: without a job they cost one transaction, not two. */
static bool wants(void *arg, const kt_ctx *c)
{
    (void)arg;
    return kt_detect_wants(c) || kt_notify_wants(c->st, c->events, c->n_events, c->result);
}

void kt_react_committed(void *arg, int64_t job)
{
    kt_react *r = arg;
    if (kt_ivec_push(&r->queue, job)) {
        kt_error("reaction queue full; the sweep will take the job", "job=%lld", (long long)job);
        return;
    }
    /* After this turn of the loop: the requester's reply and the publishing come first. */
    if (r->app->lws && !r->scheduled) {
        r->scheduled = true;
        lws_sul_schedule(r->app->lws, 0, &r->soon, soon_cb, 1);
    }
}

void kt_react_sweep(kt_react *r)
{
    kt_ivec stale = {0};
    if (kt_store_reactions_stale(r->app->store, kt_now() - KT_REACT_STALE_S, SWEEP_MAX, &stale) ==
        0)
        for (size_t i = 0; i < stale.n; i += BATCH_MAX) {
            size_t n = stale.n - i < BATCH_MAX ? stale.n - i : BATCH_MAX;
            r->adopted += n;
            run_batch(r, stale.v + i, n);
        }
    kt_ivec_free(&stale);
}

/* ---- the confidential side's findings ---- */

/* The open items changed since the last batch against the confidential items (detect.h), in a
 * transaction of its own, with the notifications of the flags it raised: on a timer, so that
 * nothing of it is part of any change's reaction. Whatever it finds, it writes and commits (its
 * run is recorded), so that a batch that found nothing syncs as one that raised flags does. No
 * new item once slot (NULL: none) is used up. */
static void confidential_batch(kt_react *r, kt_slot *slot)
{
    kt_app *app = r->app;
    kt_ctx d;
    kt_ctx_init(&d, app, &reactor, NULL);
    int rc = kt_store_begin(d.st);
    if (!rc && kt_detect_confidential_react(app->detect, &d, slot))
        rc = KT_EINVAL;
    int raised = d.n_events;
    kt_event **flags = raised ? calloc((size_t)raised, sizeof *flags) : NULL;
    if (raised && !flags && !rc)
        rc = KT_ENOMEM;
    for (int i = 0; flags && i < raised; i++)
        flags[i] = kt_event_ref(d.events[i]);
    if (!rc && kt_notify_react(&d, flags, raised))
        rc = KT_EINVAL;
    for (int i = 0; flags && i < raised; i++)
        kt_event_unref(flags[i]);
    free(flags);
    if (!rc)
        rc = kt_store_flags_batch_ran(d.st, kt_now());
    if (!rc)
        rc = kt_store_commit(d.st);
    else if (kt_store_in_txn(d.st))
        kt_store_rollback(d.st);
    kt_detect_confidential_settle(app->detect, rc == 0);
    if (!rc) {
        kt_ctx_defer_publish(&d);
        kt_dispatch_publish(app);
    } else {
        kt_warn("confidential batch failed; tried again with the next", "rc=%d code=%s", rc,
                kt_code_name(d.code));
    }
    kt_ctx_clear(&d);
}

void kt_react_confidential(kt_react *r)
{
    /* Every period, pending items or not: which items wait depends on changes of confidential
     * items too (their reactions queue them), so a batch that ran only when some waited would
     * tell who times it that a hidden item changed. */
    kt_slot slot;
    int ms = r->app->cfg.confidential_slot_ms;
    kt_slot_open(&slot, r->clock, (int64_t)(ms > 0 ? ms : KT_REACT_SLOT_MS) * 1000000);
    confidential_batch(r, &slot);
    int held = kt_slot_close(&slot);
    r->conf_batches++;
    r->conf_slots += (uint64_t)held;
    if (held > 1)
        kt_warn("confidential batch ran over its slot; the rest waits for the next",
                "slots=%d slot_ms=%d waiting=%d", held, ms,
                kt_detect_confidential_pending(r->app->detect));
}

void kt_react_confidential_now(kt_react *r)
{
    if (kt_detect_confidential_pending(r->app->detect))
        confidential_batch(r, NULL);
}

static int64_t conf_period_us(const kt_react *r)
{
    int s = r->app->cfg.confidential_check_secs;
    return (int64_t)(s > 0 ? s : KT_REACT_CONFIDENTIAL_S) * LWS_US_PER_SEC;
}

static void conf_cb(lws_sorted_usec_list_t *sul)
{
    kt_react *r = lws_container_of(sul, kt_react, conf);
    kt_react_confidential(r);
    lws_sul_schedule(r->app->lws, 0, &r->conf, conf_cb, conf_period_us(r));
}

static void sweep_cb(lws_sorted_usec_list_t *sul)
{
    kt_react *r = lws_container_of(sul, kt_react, sweep);
    kt_react_sweep(r);
    lws_sul_schedule(r->app->lws, 0, &r->sweep, sweep_cb, SWEEP_US);
}

kt_react *kt_react_new(kt_app *app)
{
    kt_react *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->app = app;
    r->clock = &kt_slot_mono;
    app->on_commit = kt_react_committed;
    app->wants_reaction = wants;
    app->on_commit_arg = r;
    if (app->lws) {
        lws_sul_schedule(app->lws, 0, &r->sweep, sweep_cb, 1);
        lws_sul_schedule(app->lws, 0, &r->conf, conf_cb, conf_period_us(r));
    }
    return r;
}

void kt_react_free(kt_react *r)
{
    if (!r)
        return;
    if (r->app->lws) {
        lws_sul_cancel(&r->soon);
        lws_sul_cancel(&r->sweep);
        lws_sul_cancel(&r->conf);
    }
    kt_react_drain(r);            /* what this node committed is done before it goes */
    kt_react_confidential_now(r); /* no slot: nobody is served any more */
    if (r->app->on_commit_arg == r) {
        r->app->on_commit = NULL;
        r->app->wants_reaction = NULL;
        r->app->on_commit_arg = NULL;
    }
    kt_ivec_free(&r->queue);
    free(r);
}

void kt_react_stats_get(kt_react *r, kt_react_stats *out)
{
    out->done = r->done;
    out->failed = r->failed;
    out->dropped = r->dropped;
    out->adopted = r->adopted;
    out->conf_batches = r->conf_batches;
    out->conf_slots = r->conf_slots;
    out->waiting = -1;
    int64_t n;
    if (kt_store_reactions_waiting(r->app->store, &n) == 0)
        out->waiting = n;
}

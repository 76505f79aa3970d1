#include "detect/detect.h"

#include "detect/conflicts.h"
#include "detect/flags.h"
#include "detect/profiles.h"
#include "detect/similar.h"
#include "domain/model.h"
#include "store/bodies.h"
#include "store/directory.h"
#include "store/flags.h"
#include "store/items.h"
#include "store/meetings.h"
#include "util/err.h"
#include "util/imap.h"
#include "util/log.h"
#include "util/slot.h"
#include "util/timeutil.h"
#include "util/worker.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define UPCOMING_DAYS        183
#define MAX_TOUCHED_MEETINGS 200

#define MAX_HITS     20
#define MEETING_PAGE 256 /* item ids read at once of a meeting's agenda */

struct kt_detect {
    kt_app *app;
    int64_t buffer_s;
    kt_similar *sim;
    kt_imap confidential; /* confidential item ids: never part of a body's profile */
    kt_profiles *prof;    /* built on first use, rebuilt when stale and old enough */
    int64_t prof_built_at;
    bool prof_closed; /* an item counted in prof became confidential: rebuild before use */
    /* Rebuilding aside: the deployment taught the index something (an abbreviation, a region),
     * so a new index is built on a thread of its own from a snapshot of the store while this
     * one keeps answering; what changes meanwhile is replayed onto the new one before the
     * swap. */
    bool stale;               /* taught since the last build began: build again */
    bool serving;             /* the loop answers requests: build aside (before: in place) */
    bool building;            /* a build is under way on the builder */
    kt_worker *builder;       /* started with the first aside build */
    kt_ivec replay;           /* items changed since the build's snapshot */
    kt_ivec replay_bodies;    /* bodies whose name, scope or mandate changed meanwhile */
    kt_ivec replay_decisions; /* chairs' decisions meanwhile: item a, item b, duplicate (0/1) */
    uint64_t builds;          /* aside builds swapped in */
    int64_t last_build_ms;
    atomic_bool closing; /* kt_detect_free has begun: a finished build is dropped */
    kt_slot_queue conf;  /* items changed since the last confidential batch (and its taken) */
    /* Confidential items that left the store (removed), until their own reaction: by then the
     * index no longer says they were confidential (the event that told this node came first). */
    kt_imap gone_confidential;
};

#define GONE_MAX 100000 /* a node that runs no reaction for them forgets them past this */

#define PROFILES_MAX_AGE 60 /* seconds a stale profile build may be used */

static bool is_confidential(int64_t item, void *arg)
{
    kt_detect *d = arg;
    return kt_imap_get(&d->confidential, item) != NULL;
}

kt_similar *kt_detect_similar(kt_detect *d)
{
    return d->sim;
}

static void start_build(kt_detect *d);

void kt_detect_invalidate(kt_detect *d)
{
    d->stale = true;
    if (d->serving)
        start_build(d);
}

/* Before the loop serves (the demo loading), nobody waits: a taught index is rebuilt in place
 * before its next use, as the changes that follow expect it. */
static void rebuild_in_place_if_stale(kt_detect *d)
{
    if (!d->serving && d->stale && kt_detect_rebuild(d))
        kt_warn("similarity index rebuild failed; using the old one", NULL);
}

void kt_detect_serving(kt_detect *d)
{
    if (!d)
        return;
    d->serving = true;
    start_build(d);
}

/* Days since 1970-01-01 of t's local (Europe/Amsterdam) date: the unit of the window. */
static int32_t local_day(int64_t t)
{
    return (int32_t)kt_local_day(t);
}

/* One index row (store/items.h), copied out of the store so that another thread may read the
 * next rows meanwhile. Texts are offsets into the batch's text buffer; NO_TEXT stands for NULL. */
#define NO_TEXT UINT32_MAX

typedef struct scan_row {
    int64_t item, body;
    int32_t day;
    bool confidential, cancelled;
    uint32_t scope, title, description;
} scan_row;

#define SCAN_BATCH 4096

typedef struct scan_batch {
    scan_row *rows; /* room for SCAN_BATCH rows, or one in refresh_item */
    size_t n;
    char *text;
    size_t tlen, tcap;
    bool full; /* filled by the reader, not yet indexed */
} scan_batch;

static int batch_text(scan_batch *b, const unsigned char *t, uint32_t *off)
{
    if (!t) {
        *off = NO_TEXT;
        return 0;
    }
    size_t n = strlen((const char *)t) + 1;
    if (b->tlen + n > b->tcap) {
        size_t cap = b->tcap ? b->tcap : 65536;
        while (b->tlen + n > cap)
            cap *= 2;
        if (cap > NO_TEXT)
            return KT_ENOMEM;
        char *text = realloc(b->text, cap);
        if (!text)
            return KT_ENOMEM;
        b->text = text;
        b->tcap = cap;
    }
    memcpy(b->text + b->tlen, t, n);
    *off = (uint32_t)b->tlen;
    b->tlen += n;
    return 0;
}

/* Appends a row to the batch. */
static int batch_add(scan_batch *b, const kt_index_row *x)
{
    scan_row *r = &b->rows[b->n];
    r->item = x->item;
    r->body = x->body;
    r->confidential = x->confidential;
    r->cancelled = x->cancelled;
    r->day = x->meeting_start ? local_day(x->meeting_start) : KT_SIM_NO_DATE;
    int rc = batch_text(b, (const unsigned char *)x->scope, &r->scope);
    if (!rc)
        rc = batch_text(b, (const unsigned char *)x->title, &r->title);
    if (!rc)
        rc = batch_text(b, (const unsigned char *)x->description, &r->description);
    if (!rc)
        b->n++;
    return rc;
}

static const char *row_text(const scan_batch *b, uint32_t off)
{
    return off == NO_TEXT ? NULL : b->text + off;
}

/* What a build fills: an index and the set of confidential items (the loop's own, or a new pair
 * built aside). */
typedef struct target {
    kt_similar *sim;
    kt_imap *confidential;
    bool *closed;  /* set when an item became confidential (NULL: a build, nothing to tell) */
    kt_imap *gone; /* confidential items that left the store are put here (NULL: not kept) */
} target;

/* Puts the row's item into the index (or leaves it out: items of cancelled meetings). */
static int index_row(const target *t, const scan_batch *b, const scan_row *r)
{
    kt_similar *sim = t->sim;
    uint32_t slot;
    bool counted = !kt_imap_get(t->confidential, r->item) && /* indexed while open */
                   kt_similar_item_slot(sim, r->item, &slot) == 0;
    if (r->confidential)
        kt_imap_put(t->confidential, r->item, (void *)1);
    else
        kt_imap_del(t->confidential, r->item);
    /* Profiles that counted the item while it was open may not be used once it is closed. */
    if (r->confidential && counted && t->closed)
        *t->closed = true;
    if (r->cancelled) {
        int rc = kt_similar_remove(sim, r->item);
        return rc == KT_ENOMEM ? rc : 0; /* KT_ENOTFOUND: it was not indexed */
    }
    /* a confidential item is kept apart: nothing about it moves other scores (similar.h) */
    return kt_similar_put_item(sim, r->item, r->body, row_text(b, r->scope), r->day,
                               row_text(b, r->title), row_text(b, r->description), r->confidential);
}

/* Brings one item of an index in line with the store. */
static int refresh_into(const target *t, kt_store *st, int64_t item)
{
    kt_index_cursor *cur;
    int rc = kt_store_index_open(st, item, &cur);
    if (rc)
        return rc;
    scan_row row;
    scan_batch b = {.rows = &row};
    kt_index_row x;
    int step = kt_store_index_next(cur, &x);
    if (step == KT_STORE_ROW) {
        rc = batch_add(&b, &x);
        if (!rc)
            rc = index_row(t, &b, &row);
    } else if (step == 0) {
        if (t->gone && kt_imap_get(t->confidential, item)) {
            if (t->gone->len >= GONE_MAX)
                kt_imap_free(t->gone);
            rc = kt_imap_put(t->gone, item, (void *)1);
        }
        kt_similar_remove(t->sim, item);
        kt_imap_del(t->confidential, item);
    } else {
        rc = step;
    }
    kt_store_index_close(cur);
    free(b.text);
    return rc;
}

/* Brings one item of the index in use in line with the store; while a new index is built aside,
 * the item is replayed onto that one too before it is swapped in. */
static int refresh_item(kt_detect *det, kt_store *st, int64_t item)
{
    if (det->building && kt_ivec_add(&det->replay, item))
        kt_warn("rebuild: cannot remember a changed item", "item=%lld", (long long)item);
    target t = {det->sim, &det->confidential, &det->prof_closed, &det->gone_confidential};
    return refresh_into(&t, st, item);
}

/* The full scan reads the store on a second thread while this one analyses the texts: reading
 * is about a quarter of the work. Two batches alternate between the reader (fills) and the
 * indexer (empties); the order of the rows is kept, so the index is the same as one built on one
 * thread (acronyms learnt from one item apply to the next). The store handle is used by no one
 * else meanwhile: at start the loop thread is the one waiting here; an aside build has a handle
 * of its own. */
typedef struct scan {
    kt_index_cursor *cur;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    scan_batch batch[2];
    scan_row rows[2][SCAN_BATCH];
    bool eof;  /* the reader has marked its last batch full */
    bool stop; /* the indexer gave up: the reader stops at the next batch */
    int rc;    /* the reader's error */
} scan;

static void *scan_reader(void *arg)
{
    scan *sc = arg;
    for (unsigned i = 0;; i ^= 1) {
        scan_batch *b = &sc->batch[i];
        pthread_mutex_lock(&sc->mu);
        while (b->full && !sc->stop)
            pthread_cond_wait(&sc->cv, &sc->mu);
        bool stop = sc->stop;
        pthread_mutex_unlock(&sc->mu);
        if (stop)
            return NULL;
        b->n = b->tlen = 0;
        int rc = 0, step = KT_STORE_ROW;
        kt_index_row x;
        while (!rc && b->n < SCAN_BATCH &&
               (step = kt_store_index_next(sc->cur, &x)) == KT_STORE_ROW)
            rc = batch_add(b, &x);
        if (!rc && step < 0)
            rc = step;
        bool last = rc || step != KT_STORE_ROW;
        pthread_mutex_lock(&sc->mu);
        b->full = true;
        sc->eof = last;
        sc->rc = rc;
        pthread_cond_broadcast(&sc->cv);
        pthread_mutex_unlock(&sc->mu);
        if (last)
            return NULL;
    }
}

/* Indexes every row of the cursor, reading on a second thread when one can be started. */
static int index_all(const target *t, kt_index_cursor *cur)
{
    scan *sc = calloc(1, sizeof *sc);
    if (!sc)
        return KT_ENOMEM;
    sc->cur = cur;
    sc->batch[0].rows = sc->rows[0];
    sc->batch[1].rows = sc->rows[1];
    pthread_mutex_init(&sc->mu, NULL);
    pthread_cond_init(&sc->cv, NULL);
    pthread_t reader;
    bool threaded = pthread_create(&reader, NULL, scan_reader, sc) == 0;
    int rc = 0;
    if (!threaded) {
        scan_batch *b = &sc->batch[0];
        int step = KT_STORE_ROW;
        kt_index_row x;
        while (!rc && (step = kt_store_index_next(cur, &x)) == KT_STORE_ROW) {
            b->n = b->tlen = 0;
            rc = batch_add(b, &x);
            if (!rc)
                rc = index_row(t, b, &b->rows[0]);
        }
        if (!rc && step < 0)
            rc = step;
    }
    for (unsigned i = 0; threaded; i ^= 1) {
        scan_batch *b = &sc->batch[i];
        pthread_mutex_lock(&sc->mu);
        while (!b->full && !sc->eof)
            pthread_cond_wait(&sc->cv, &sc->mu);
        bool have = b->full;
        pthread_mutex_unlock(&sc->mu);
        if (!have)
            break;
        for (size_t j = 0; !rc && j < b->n; j++)
            rc = index_row(t, b, &b->rows[j]);
        pthread_mutex_lock(&sc->mu);
        b->full = false;
        if (rc)
            sc->stop = true;
        pthread_cond_broadcast(&sc->cv);
        pthread_mutex_unlock(&sc->mu);
        if (rc)
            break;
    }
    if (threaded) {
        pthread_join(reader, NULL);
        if (!rc)
            rc = sc->rc;
    }
    pthread_cond_destroy(&sc->cv);
    pthread_mutex_destroy(&sc->mu);
    free(sc->batch[0].text);
    free(sc->batch[1].text);
    free(sc);
    return rc;
}

static void teach_abbreviation(void *sim, const char *abbr, const char *expansion)
{
    kt_similar_add_abbreviation(sim, abbr, expansion);
}

static void teach_region(void *sim, const char *region, const char *member)
{
    kt_similar_add_region(sim, region, member);
}

/* Teaches the index what the deployment knows: abbreviations and regions. */
static int teach(kt_similar *sim, kt_store *st)
{
    int rc = kt_store_abbreviations_each(st, teach_abbreviation, sim);
    return rc ? rc : kt_store_regions_each(st, teach_region, sim);
}

/* Learning from the chairs: a decision on a possible duplicate (afgestemd, bewust_dubbel: the
 * same subject; geen_overlap: not) teaches the index which words are weak evidence in this
 * deployment (kt_similar_learn). A pair with a confidential item teaches nothing: what is said
 * in a hidden item never moves the score of two visible ones. */
static void learn_pair(const target *t, int64_t a, int64_t b, bool duplicate)
{
    if (kt_imap_get(t->confidential, a) || kt_imap_get(t->confidential, b))
        return;
    kt_similar_learn(t->sim, a, b, duplicate); /* an item no longer indexed teaches nothing */
}

static void learn_decision(void *arg, int64_t a, int64_t b, const char *state)
{
    learn_pair(arg, a, b, strcmp(state, "geen_overlap") != 0);
}

/* Builds a complete index from the store (a snapshot when the caller holds a read
 * transaction): lexicon, vocabularies, what the deployment taught, every item, and what the
 * chairs' decisions taught. */
static int build_index(const kt_config *cfg, kt_store *st, target *t)
{
    kt_similar *sim = kt_similar_new();
    if (!sim)
        return KT_ENOMEM;
    if (kt_similar_load_lexicon(sim, KT_SIM_DEFAULT_LEXICON))
        kt_warn("no Dutch word list; compounds are not split", "path=%s", KT_SIM_DEFAULT_LEXICON);
    if (kt_similar_load_default_vocabulary(sim)) {
        kt_similar_free(sim);
        return KT_ENOMEM;
    }
    const char *vocab = cfg->vocabulary;
    size_t bad_line = 0;
    int vrc = vocab && *vocab ? kt_similar_load_vocabulary_file(sim, vocab, &bad_line) : 0;
    if (vrc == KT_ENOMEM) {
        kt_similar_free(sim);
        return vrc;
    }
    if (vrc) /* the built-in vocabulary stays; the deployment's own file is reported */
        kt_error("cannot load the vocabulary file", "path=%s line=%zu", vocab, bad_line);
    kt_index_cursor *cur = NULL;
    t->sim = sim;
    int rc = teach(sim, st);
    /* every item at once: the posting lists are filled at the end, each grown once, and the
     * arrays that hold an item are sized once, for as many as the store has (counted before
     * the read starts: one statement at a time on the connection) */
    int64_t count = 0;
    if (!rc)
        rc = kt_similar_bulk_begin(sim);
    if (!rc)
        rc = kt_store_item_count(st, &count);
    if (!rc)
        rc = kt_similar_reserve(sim, (size_t)count);
    if (!rc)
        rc = kt_store_index_open(st, 0, &cur);
    if (!rc)
        rc = index_all(t, cur);
    if (!rc)
        rc = kt_similar_bulk_end(sim);
    kt_store_index_close(cur);
    if (!rc)
        rc = kt_store_flag_decisions_each(st, learn_decision, t);
    if (rc) {
        kt_similar_free(sim);
        t->sim = NULL;
    }
    return rc;
}

int kt_detect_rebuild(kt_detect *d)
{
    int64_t t0 = kt_mono_ns();
    kt_imap conf = {0};
    target t = {NULL, &conf, NULL, NULL};
    int rc = build_index(&d->app->cfg, d->app->store, &t);
    if (rc) {
        kt_imap_free(&conf);
        return rc;
    }
    kt_profiles_free(d->prof); /* they borrow the old index */
    d->prof = NULL;
    kt_similar_free(d->sim);
    kt_imap_free(&d->confidential);
    d->sim = t.sim;
    d->confidential = conf;
    d->stale = false;
    kt_info("similarity index built", "items=%zu ms=%lld kib=%zu", kt_similar_count(d->sim),
            (long long)((kt_mono_ns() - t0) / 1000000), kt_similar_memory(d->sim) / 1024);
    return 0;
}

/* ---- the aside build ---- */

typedef struct build_job {
    kt_job job;
    kt_detect *d;
    kt_config cfg;
    const char *hold; /* tests only: wait for this file before finishing */
    kt_similar *sim;
    kt_imap confidential;
    kt_profiles *prof;
    int rc;
    int64_t ns;
} build_job;

static int declare_body(void *prof, int64_t id, const char *scope, const char *name,
                        const char *mandate);

static void ignore_abbreviation(void *arg, const char *abbr, const char *expansion)
{
    (void)arg, (void)abbr, (void)expansion;
}

static bool job_confidential(int64_t item, void *arg)
{
    build_job *j = arg;
    return kt_imap_get(&j->confidential, item) != NULL;
}

/* Builder thread: a store handle of its own, one read transaction (a consistent snapshot), the
 * index and the body profiles on it. The loop thread's store and index are not touched. */
static void build_run(kt_job *job)
{
    build_job *j = (build_job *)job;
    int64_t t0 = kt_mono_ns();
    kt_store_options so = {.path = j->cfg.db_path,
                           .sync_full = j->cfg.sync_full,
                           .busy_timeout_ms = 5000,
                           .timeout_ms = j->cfg.db_timeout_ms};
    kt_store *st = NULL;
    int rc = kt_store_open(&so, &st);
    if (!rc) {
        kt_store_set_name(st, "detect-build");
        rc = kt_store_begin_read(st);
    }
    /* The snapshot begins with the first read (SQLite, PostgreSQL alike): take it now. */
    if (!rc)
        rc = kt_store_abbreviations_each(st, ignore_abbreviation, NULL);
    /* Tests hold the build here, its snapshot taken (and say so in FILE.held), to show that
     * requests are answered meanwhile and that what is written meanwhile reaches the new index. */
    struct stat sb;
    if (!rc && j->hold && stat(j->hold, &sb) != 0) {
        char held[512];
        snprintf(held, sizeof held, "%s.held", j->hold);
        FILE *f = fopen(held, "w");
        if (f)
            fclose(f);
        struct timespec pause = {0, 10 * 1000000};
        while (stat(j->hold, &sb) != 0 && !atomic_load(&j->d->closing))
            nanosleep(&pause, NULL);
        remove(held);
    }
    t0 = kt_mono_ns();
    target t = {NULL, &j->confidential, NULL, NULL};
    if (!rc)
        rc = build_index(&j->cfg, st, &t);
    j->sim = t.sim;
    if (!rc && (j->prof = kt_profiles_new(j->sim)) == NULL)
        rc = KT_ENOMEM;
    if (!rc) {
        kt_profiles_set_exclude(j->prof, job_confidential, j);
        rc = kt_store_body_profiles(st, 0, declare_body, j->prof);
    }
    if (!rc)
        rc = kt_profiles_build(j->prof, local_day(kt_now()) - KT_PROF_PERIOD_DAYS);
    if (st && kt_store_in_txn(st))
        kt_store_rollback(st);
    kt_store_close(st);
    j->rc = rc;
    j->ns = kt_mono_ns() - t0;
}

/* Loop thread: the build is done. Replays what changed meanwhile onto the new index and swaps
 * it in; the old one is freed. */
static void build_done(kt_job *job)
{
    build_job *j = (build_job *)job;
    kt_detect *d = j->d;
    int rc = j->rc;
    if (atomic_load(&d->closing)) { /* the detectors are going away */
        kt_profiles_free(j->prof);
        kt_similar_free(j->sim);
        kt_imap_free(&j->confidential);
        free(j);
        return;
    }
    bool closed = false; /* an item the new profiles counted became confidential meanwhile */
    target t = {j->sim, &j->confidential, &closed, NULL};
    for (size_t i = 0; !rc && i < d->replay.n; i++)
        rc = refresh_into(&t, d->app->store, d->replay.v[i]);
    for (size_t i = 0; !rc && i + 3 <= d->replay_decisions.n; i += 3)
        learn_pair(&t, d->replay_decisions.v[i], d->replay_decisions.v[i + 1],
                   d->replay_decisions.v[i + 2] != 0);
    if (rc) {
        kt_error("similarity index: the aside build failed; the old index stays", "code=%d", rc);
        kt_profiles_free(j->prof);
        kt_similar_free(j->sim);
        kt_imap_free(&j->confidential);
        d->stale = true; /* tried again at the next change */
    } else {
        kt_profiles_free(d->prof);
        kt_similar_free(d->sim);
        kt_imap_free(&d->confidential);
        d->sim = j->sim;
        d->confidential = j->confidential;
        d->prof = j->prof;
        kt_profiles_set_exclude(d->prof, is_confidential, d);
        for (size_t i = 0; i < d->replay_bodies.n; i++)
            kt_store_body_profiles(d->app->store, d->replay_bodies.v[i], declare_body, d->prof);
        d->prof_built_at = kt_now();
        d->prof_closed = closed;
        d->builds++;
        d->last_build_ms = j->ns / 1000000;
        kt_info("similarity index built aside and swapped in", "items=%zu ms=%lld replayed=%zu",
                kt_similar_count(d->sim), (long long)d->last_build_ms, d->replay.n);
    }
    d->building = false;
    d->replay.n = d->replay_bodies.n = d->replay_decisions.n = 0;
    free(j);
    if (d->stale)
        start_build(d);
}

/* Starts an aside build when the deployment taught something and none is under way. What
 * changes from now on is remembered for the replay: the builder's snapshot begins later, so
 * nothing committed after it can be missed (committed before it: in both, harmless). */
static void start_build(kt_detect *d)
{
    if (!d->stale || d->building)
        return;
    if (!d->builder && !(d->app->wake && (d->builder = kt_worker_start(d->app->wake, d->app)))) {
        kt_error("similarity index: no builder thread; rebuilding in place", NULL);
        if (kt_detect_rebuild(d))
            kt_warn("similarity index rebuild failed; using the old one", NULL);
        return;
    }
    build_job *j = calloc(1, sizeof *j);
    if (!j) {
        kt_warn("similarity index: out of memory for a rebuild; trying at the next change", NULL);
        return;
    }
    j->job.run = build_run;
    j->job.done = build_done;
    j->d = d;
    j->cfg = d->app->cfg;
    j->hold = d->app->cfg.test_hold_rebuild;
    d->stale = false;
    d->building = true;
    d->replay.n = d->replay_bodies.n = d->replay_decisions.n = 0;
    kt_worker_submit(d->builder, &j->job);
}

void kt_detect_drain(kt_detect *d)
{
    if (d && d->builder)
        kt_worker_drain(d->builder);
}

bool kt_detect_building(const kt_detect *d, uint64_t *builds, int64_t *last_ms)
{
    if (builds)
        *builds = d->builds;
    if (last_ms)
        *last_ms = d->last_build_ms;
    return d->building;
}

kt_detect *kt_detect_new(kt_app *app)
{
    kt_detect *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->app = app;
    d->buffer_s = (int64_t)app->cfg.travel_buffer_min * 60;
    if (kt_detect_rebuild(d)) {
        free(d);
        return NULL;
    }
    return d;
}

void kt_detect_free(kt_detect *d)
{
    if (!d)
        return;
    if (d->builder) {
        atomic_store(&d->closing, true); /* a held test build lets go */
        kt_worker_stop(d->builder);      /* waits for a build under way; build_done frees it */
    }
    kt_ivec_free(&d->replay);
    kt_ivec_free(&d->replay_bodies);
    kt_ivec_free(&d->replay_decisions);
    kt_slot_queue_free(&d->conf);
    kt_imap_free(&d->gone_confidential);
    kt_profiles_free(d->prof);
    kt_imap_free(&d->confidential);
    kt_similar_free(d->sim);
    free(d);
}

/* A membership change alters who is expected at the body's coming meetings. */
static int upcoming_meetings(kt_store *st, int64_t body, kt_ivec *out)
{
    return kt_store_meetings_coming(st, body, kt_now(), kt_now() + UPCOMING_DAYS * 86400, 50, out);
}

static int64_t meeting_body(kt_store *st, int64_t meeting)
{
    int64_t b = 0;
    return kt_store_meeting_body(st, meeting, &b) ? 0 : b;
}

static int run_conflicts(kt_detect *det, kt_ctx *d, const kt_ctx *c)
{
    kt_ivec meetings = {0}, bodies = {0};
    int rc = 0;
    for (size_t i = 0; !rc && i < c->touched_meetings.n; i++)
        rc = kt_ivec_add(&meetings, c->touched_meetings.v[i]);
    for (size_t i = 0; !rc && i < c->touched_bodies.n; i++)
        rc = upcoming_meetings(d->st, c->touched_bodies.v[i], &meetings);
    /* Meetings that clashed with a body's projected meetings need a look when that body's
     * real meetings change. */
    for (size_t i = 0; !rc && i < meetings.n; i++)
        kt_ivec_add(&bodies, meeting_body(d->st, meetings.v[i]));
    for (size_t i = 0; !rc && i < bodies.n; i++)
        rc = kt_conflicts_projection_dependents(d, bodies.v[i], &meetings);
    for (size_t i = 0; !rc && i < meetings.n && i < MAX_TOUCHED_MEETINGS; i++)
        rc = kt_conflicts_check(d, meetings.v[i], det->buffer_s);
    kt_ivec_free(&meetings);
    kt_ivec_free(&bodies);
    return rc;
}

static int item_place(kt_store *st, int64_t item, int64_t *body, int64_t *meeting)
{
    return kt_store_item_place(st, item, body, meeting);
}

/* A standing item (vast agendapunt) is a body's routine, not a subject someone brings in: two
 * bodies' routines overlapping shows on the overlap map, not as a flag at every meeting. */
static bool recurring(kt_store *st, int64_t item)
{
    bool yes = false;
    return kt_store_item_recurring(st, item, &yes) == 0 && yes;
}

/* Raises a duplicate flag per hit (hits[0..n), strong ones only: a signal reaches the chairs)
 * of item; their keys go to keys[], keep[]. *kept: how many. 0 or an error. */
static int raise_hits(kt_ctx *d, int64_t item, kt_similar_hit *hits, int n, char (*keys)[64],
                      const char **keep, int *kept)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        if (hits[i].score >= KT_SIM_FLAG_THRESHOLD && !recurring(d->st, hits[i].item_id))
            hits[k++] = hits[i];
    n = k;
    for (int i = 0; i < n; i++) {
        kt_finding f = {.kind = "duplicate", .score = hits[i].score};
        int64_t a = item < hits[i].item_id ? item : hits[i].item_id;
        int64_t b = item < hits[i].item_id ? hits[i].item_id : item;
        snprintf(keys[i], sizeof keys[i], "duplicate:i%lld:i%lld", (long long)a, (long long)b);
        keep[i] = keys[i];
        snprintf(f.key, sizeof f.key, "%s", keys[i]);
        f.item_a = a;
        f.item_b = b;
        if (item_place(d->st, a, &f.body_a, &f.meeting_a) ||
            item_place(d->st, b, &f.body_b, &f.meeting_b))
            continue;
        f.evidence = json_pack("{s:s, s:s, s:f}", "shared", hits[i].shared, "subject",
                               hits[i].subject, "score", hits[i].score);
        /* The shared words make the finding what it is; a few more or less is the same one. */
        snprintf(f.fingerprint, sizeof f.fingerprint, "%s", hits[i].shared);
        for (char *p = f.fingerprint; *p; p++)
            if (*p == ',')
                while (p[1] == ' ')
                    memmove(p + 1, p + 2, strlen(p + 2) + 1);
        if (kt_flag_raise(d, &f, NULL))
            return KT_EINVAL;
    }
    *kept = n;
    return 0;
}

/* Re-checks one item for duplicates in other bodies: raises a flag per finding, lets the item's
 * other duplicate flags lapse. Any item, confidential or not, is compared here with the open
 * items only, and reads and touches only its flags whose other item is open: the confidential
 * items are met in the confidential batch (kt_detect_confidential_react), so that this reaction
 * does the same whatever a hidden item says - also when the one who changed the item is of its
 * own audience (a probe made confidential is no way into the others' confidential items). */
static int check_duplicates(kt_detect *det, kt_ctx *d, int64_t item)
{
    int rc = refresh_item(det, d->st, item);
    if (rc)
        return rc;
    bool confidential = kt_imap_get(&det->confidential, item) != NULL;
    kt_similar_hit hits[MAX_HITS];
    int n = recurring(d->st, item)
                ? 0
                : kt_similar_find(det->sim, item, KT_SIM_WINDOW_DAYS, hits, MAX_HITS);
    bool indexed = n >= 0;
    if (n < 0)
        n = 0; /* not indexed (removed, cancelled meeting): no duplicates */
    /* A confidential item that was removed: its flags with an open item go as a confidential
     * item's do (that item's side never saw them, and must not see them with an item that is
     * gone, kt_flag_visible); the batch lets the rest lapse. */
    if (kt_imap_del(&det->gone_confidential, item))
        confidential = true;
    if (kt_slot_queue_add(&det->conf, item))
        return KT_ENOMEM;
    char keys[MAX_HITS][64];
    const char *keep[MAX_HITS];
    rc = raise_hits(d, item, hits, n, keys, keep, &n);
    if (rc)
        return rc;
    return kt_flags_expire_item(d, item, confidential, keep, n, indexed, KT_FLAGS_OPEN_OTHER)
               ? KT_EINVAL
               : 0;
}

bool kt_detect_confidential_pending(const kt_detect *det)
{
    return det && kt_slot_queue_pending(&det->conf);
}

/* One item of the batch (changed since the last one, confidential or not) against the
 * confidential items: its flags with a confidential item are raised or lapse here only, and
 * take its side's mark of its confidentiality now (its change marked the others: store/flags.h
 * kt_store_flags_item_marks). */
static int check_confidential(kt_detect *det, kt_ctx *d, int64_t item)
{
    bool confidential = kt_imap_get(&det->confidential, item) != NULL;
    kt_similar_hit hits[MAX_HITS];
    int n = recurring(d->st, item)
                ? 0
                : kt_similar_find_confidential(det->sim, item, KT_SIM_WINDOW_DAYS, hits, MAX_HITS);
    bool indexed = n >= 0;
    if (n < 0)
        n = 0;
    int rc = indexed ? kt_store_flags_item_marks(d->st, item, confidential, true) : 0;
    if (rc)
        return rc;
    char keys[MAX_HITS][64];
    const char *keep[MAX_HITS];
    rc = raise_hits(d, item, hits, n, keys, keep, &n);
    if (rc)
        return rc;
    /* Gone from the index (removed, its meeting cancelled): whatever is left of its flags. */
    return kt_flags_expire_item(d, item, confidential, keep, n, indexed,
                                indexed ? KT_FLAGS_CONFIDENTIAL_OTHER : KT_FLAGS_ANY)
               ? KT_EINVAL
               : 0;
}

#define CONF_BATCH_MAX 5000 /* distinct items per batch; the rest wait for the next */

typedef struct conf_run {
    kt_detect *det;
    kt_ctx *d;
} conf_run;

static int conf_each(int64_t item, void *arg)
{
    conf_run *c = arg;
    return check_confidential(c->det, c->d, item);
}

int kt_detect_confidential_react(kt_detect *det, kt_ctx *d, kt_slot *slot)
{
    if (!kt_detect_confidential_pending(det))
        return 0;
    rebuild_in_place_if_stale(det);
    int64_t t0 = kt_mono_ns();
    conf_run c = {det, d};
    size_t n = 0;
    int rc = kt_slot_queue_run(&det->conf, slot, CONF_BATCH_MAX, conf_each, &c, &n);
    if (rc && d->code == KT_C_NONE)
        kt_fail_err(d, rc);
    kt_debug("confidential batch ran", "items=%zu left=%zu us=%lld events=%d rc=%d", n,
             det->conf.waiting.n, (long long)((kt_mono_ns() - t0) / 1000), d->n_events, rc);
    return rc ? -1 : 0;
}

void kt_detect_confidential_settle(kt_detect *det, bool committed)
{
    if (det && kt_slot_queue_settle(&det->conf, committed))
        kt_warn("confidential batch: items are not compared (out of memory)", "committed=%d",
                committed);
}

/* Items whose window position changed with their meeting: all of them (an agenda has no length
 * limit), read a page at a time, appended to out (an item may be there already). */
static int items_of_meeting(kt_store *st, int64_t meeting, kt_ivec *out)
{
    for (int64_t after = 0;;) {
        size_t from = out->n;
        int rc = kt_store_items_of_meeting(st, meeting, after, MEETING_PAGE, out);
        if (rc || out->n - from < MEETING_PAGE)
            return rc;
        after = out->v[out->n - 1];
    }
}

static int run_duplicates(kt_detect *det, kt_ctx *d, const kt_ctx *c)
{
    kt_ivec items = {0};
    kt_imap seen = {0}; /* each item once: a touched item is often in a touched meeting too */
    int rc = 0;
    for (size_t i = 0; !rc && i < c->touched_items.n; i++)
        rc = kt_ivec_push(&items, c->touched_items.v[i]);
    for (size_t i = 0; !rc && i < c->touched_meetings.n; i++)
        rc = items_of_meeting(d->st, c->touched_meetings.v[i], &items);
    for (size_t i = 0; !rc && i < items.n; i++) {
        if (kt_imap_get(&seen, items.v[i]))
            continue;
        rc = kt_imap_put(&seen, items.v[i], (void *)1);
        if (!rc)
            rc = check_duplicates(det, d, items.v[i]);
    }
    kt_imap_free(&seen);
    kt_ivec_free(&items);
    return rc;
}

bool kt_detect_wants(const kt_ctx *src)
{
    return src->touched_meetings.n || src->touched_bodies.n || src->touched_items.n;
}

int kt_detect_react(kt_detect *det, kt_ctx *d, const kt_ctx *src)
{
    if (!kt_detect_wants(src))
        return 0;
    rebuild_in_place_if_stale(det);
    int64_t t0 = kt_mono_ns();
    int rc = run_conflicts(det, d, src);
    if (!rc)
        rc = run_duplicates(det, d, src);
    if (rc && d->code == KT_C_NONE)
        kt_fail_err(d, rc);
    kt_debug("detectors ran", "us=%lld events=%d rc=%d", (long long)((kt_mono_ns() - t0) / 1000),
             d->n_events, rc);
    return rc ? -1 : 0;
}

/* Whether an event teaches the index something: an abbreviation, or a region and its members. */
static bool teaches(const kt_event *ev)
{
    if (strcmp(ev->type, "abbreviation.updated") == 0)
        return true;
    if (strcmp(ev->type, "scope.created") != 0)
        return false;
    json_t *data = json_loads(ev->payload, 0, NULL);
    json_t *inc = json_object_get(json_object_get(data, "scope"), "includes");
    bool yes = json_array_size(inc) > 0;
    json_decref(data);
    return yes;
}

/* A chair decided on a possible duplicate (flag.updated with a decided state: refreshes of a
 * decided flag announce nothing), on this node or another: the index learns from it, once (the
 * event of the flag's first side). A decision changed later counts again; a rebuild counts each
 * flag's last decision once. */
static void learn_from_flag(kt_detect *det, const kt_event *ev)
{
    json_t *data = json_loads(ev->payload, 0, NULL);
    int64_t id = json_integer_value(json_object_get(json_object_get(data, "flag"), "id"));
    json_decref(data);
    kt_flag_row r;
    if (!id || kt_store_flag_get(det->app->store, id, &r) != 0)
        return;
    bool dup = strcmp(r.state, "afgestemd") == 0 || strcmp(r.state, "bewust_dubbel") == 0;
    bool decided = dup || strcmp(r.state, "geen_overlap") == 0;
    if (decided && strcmp(r.kind, "duplicate") == 0 && ev->body == r.body[0] && r.item[0] &&
        r.item[1]) {
        target t = {det->sim, &det->confidential, NULL, NULL};
        learn_pair(&t, r.item[0], r.item[1], dup);
        if (det->building && (kt_ivec_add(&det->replay_decisions, r.item[0]) ||
                              kt_ivec_add(&det->replay_decisions, r.item[1]) ||
                              kt_ivec_add(&det->replay_decisions, dup)))
            kt_warn("rebuild: cannot remember a decision", "flag=%lld", (long long)id);
    }
    kt_store_flag_clear(&r);
}

void kt_detect_observe(kt_app *app, const kt_event *ev)
{
    kt_detect *det = app->detect;
    if (det && teaches(ev)) { /* committed, on this node or another: build anew, aside */
        kt_detect_invalidate(det);
        return;
    }
    if (det && (strcmp(ev->type, "body.created") == 0 || strcmp(ev->type, "body.updated") == 0)) {
        json_t *data = json_loads(ev->payload, 0, NULL);
        int64_t body = json_integer_value(json_object_get(json_object_get(data, "body"), "id"));
        json_decref(data);
        if (body)
            kt_detect_body_changed(det, body);
        return;
    }
    if (det && strcmp(ev->type, "flag.updated") == 0) {
        learn_from_flag(det, ev);
        return;
    }
    if (det && strcmp(ev->type, "meeting.updated") == 0) {
        /* A moved or cancelled meeting moves its items in (or out of) the window. */
        json_t *data = json_loads(ev->payload, 0, NULL);
        int64_t meeting =
            json_integer_value(json_object_get(json_object_get(data, "meeting"), "id"));
        json_decref(data);
        kt_ivec items = {0};
        if (meeting && items_of_meeting(app->store, meeting, &items) == 0)
            for (size_t i = 0; i < items.n; i++)
                refresh_item(det, app->store, items.v[i]);
        kt_ivec_free(&items);
        return;
    }
    if (!det || strncmp(ev->type, "agenda.", 7) != 0 || strcmp(ev->type, "agenda.reordered") == 0)
        return;
    /* Any node's agenda change: bring that item of this node's index up to date. */
    json_t *data = json_loads(ev->payload, 0, NULL);
    json_t *item = json_object_get(data, "item");
    int64_t id = json_is_object(item) ? json_integer_value(json_object_get(item, "id"))
                                      : json_integer_value(item);
    json_decref(data);
    if (id)
        refresh_item(det, app->store, id);
}

/* ---- body profiles: "waar hoort dit thuis?" and the overlap map ---- */

static int declare_body(void *prof, int64_t id, const char *scope, const char *name,
                        const char *mandate)
{
    return kt_profiles_set_body(prof, id, scope, name, mandate);
}

static int declare_bodies(kt_detect *d)
{
    return kt_store_body_profiles(d->app->store, 0, declare_body, d->prof);
}

/* Profiles that are fresh enough: built once, rebuilt when items changed and the last build is
 * over a minute old (a build reads every item: about a second for a million). */
static int ensure_profiles(kt_detect *d)
{
    rebuild_in_place_if_stale(d);
    /* A profile may lag behind the agendas, never behind what became confidential: its words
     * and scores are read as they may be seen now. */
    bool fresh = d->prof && !d->prof_closed &&
                 !(kt_profiles_stale(d->prof) && kt_now() - d->prof_built_at > PROFILES_MAX_AGE);
    if (fresh)
        return 0;
    if (!d->prof) {
        d->prof = kt_profiles_new(d->sim);
        if (!d->prof)
            return KT_ENOMEM;
        kt_profiles_set_exclude(d->prof, is_confidential, d);
        int rc = declare_bodies(d);
        if (rc)
            return rc;
    }
    int64_t t0 = kt_mono_ns();
    int rc = kt_profiles_build(d->prof, local_day(kt_now()) - KT_PROF_PERIOD_DAYS);
    if (rc)
        return rc;
    d->prof_built_at = kt_now();
    d->prof_closed = false;
    kt_info("body profiles built", "bodies=%zu ms=%lld", kt_profiles_count(d->prof),
            (long long)((kt_mono_ns() - t0) / 1000000));
    return 0;
}

int kt_detect_suggest(kt_detect *d, const char *text, const char *scope, kt_body_rank *out,
                      size_t max)
{
    int rc = ensure_profiles(d);
    return rc ? rc : kt_profiles_rank(d->prof, text, scope, out, max);
}

int kt_detect_pairs(kt_detect *d, double min_score, kt_body_pair **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    int rc = ensure_profiles(d);
    return rc ? rc : kt_profiles_pairs(d->prof, min_score, out, n);
}

void kt_detect_body_changed(kt_detect *d, int64_t body)
{
    if (d->building && kt_ivec_add(&d->replay_bodies, body))
        kt_warn("rebuild: cannot remember a changed body", "body=%lld", (long long)body);
    if (!d->prof)
        return; /* declared with the first build */
    kt_store_body_profiles(d->app->store, body, declare_body, d->prof);
}

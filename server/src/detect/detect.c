#include "detect/detect.h"

#include "detect/conflicts.h"
#include "detect/flags.h"
#include "detect/profiles.h"
#include "detect/similar.h"
#include "domain/model.h"
#include "feed/notify.h"
#include "store/bodies.h"
#include "store/directory.h"
#include "store/flags.h"
#include "store/items.h"
#include "store/meetings.h"
#include "util/err.h"
#include "util/imap.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define UPCOMING_DAYS        183
#define MAX_TOUCHED_MEETINGS 200

#define MAX_HITS              20
#define MAX_ITEMS_PER_MEETING 200

struct kt_detect {
    kt_app *app;
    int64_t buffer_s;
    kt_similar *sim;
    bool stale;           /* the deployment taught something: rebuild before the next use */
    kt_imap confidential; /* confidential item ids: never part of a body's profile */
    kt_profiles *prof;    /* built on first use, rebuilt when stale and old enough */
    int64_t prof_built_at;
};

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

void kt_detect_invalidate(kt_detect *d)
{
    d->stale = true;
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

/* Puts the row's item into the index (or leaves it out: items of cancelled meetings). */
static int index_row(kt_detect *d, kt_similar *sim, const scan_batch *b, const scan_row *r)
{
    if (r->confidential)
        kt_imap_put(&d->confidential, r->item, (void *)1);
    else
        kt_imap_del(&d->confidential, r->item);
    if (r->cancelled) {
        kt_similar_remove(sim, r->item);
        return 0;
    }
    int rc = kt_similar_put(sim, r->item, r->body, row_text(b, r->scope), r->day,
                            row_text(b, r->title), row_text(b, r->description));
    /* a confidential item's words tie no other items' words (similar.h) */
    if (!rc && r->confidential)
        rc = kt_similar_set_private(sim, r->item, true);
    return rc;
}

/* Brings one item of the index in line with the store. */
static int refresh_item(kt_detect *det, kt_store *st, int64_t item)
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
            rc = index_row(det, det->sim, &b, &row);
    } else if (step == 0) {
        kt_similar_remove(det->sim, item);
        kt_imap_del(&det->confidential, item);
    } else {
        rc = step;
    }
    kt_store_index_close(cur);
    free(b.text);
    return rc;
}

/* The full scan at start reads SQLite on a second thread while this one analyses the texts:
 * SQLite is about a quarter of the work. Two batches alternate between the reader (fills) and
 * the indexer (empties); the order of the rows is kept, so the index is the same as one built
 * on one thread (acronyms learnt from one item apply to the next). The store is not used by
 * anyone else meanwhile: the loop thread is the one waiting here. */
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
static int index_all(kt_detect *d, kt_similar *sim, kt_index_cursor *cur)
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
                rc = index_row(d, sim, b, &b->rows[0]);
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
            rc = index_row(d, sim, b, &b->rows[j]);
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

int kt_detect_rebuild(kt_detect *d)
{
    int64_t t0 = kt_mono_ns();
    kt_similar *sim = kt_similar_new();
    if (!sim)
        return KT_ENOMEM;
    if (kt_similar_load_lexicon(sim, KT_SIM_DEFAULT_LEXICON))
        kt_warn("no Dutch word list; compounds are not split", "path=%s", KT_SIM_DEFAULT_LEXICON);
    if (kt_similar_load_default_vocabulary(sim)) {
        kt_similar_free(sim);
        return KT_ENOMEM;
    }
    const char *vocab = d->app->cfg.vocabulary;
    size_t bad_line = 0;
    int vrc = vocab && *vocab ? kt_similar_load_vocabulary_file(sim, vocab, &bad_line) : 0;
    if (vrc == KT_ENOMEM) {
        kt_similar_free(sim);
        return vrc;
    }
    if (vrc) /* the built-in vocabulary stays; the deployment's own file is reported */
        kt_error("cannot load the vocabulary file", "path=%s line=%zu", vocab, bad_line);
    kt_store *st = d->app->store;
    kt_index_cursor *cur = NULL;
    int rc = teach(sim, st);
    if (!rc)
        rc = kt_store_index_open(st, 0, &cur);
    if (!rc)
        rc = index_all(d, sim, cur);
    kt_store_index_close(cur);
    if (rc) {
        kt_similar_free(sim);
        return rc;
    }
    kt_profiles_free(d->prof); /* they borrow the old index */
    d->prof = NULL;
    kt_similar_free(d->sim);
    d->sim = sim;
    d->stale = false;
    kt_info("similarity index built", "items=%zu ms=%lld kib=%zu", kt_similar_count(sim),
            (long long)((kt_mono_ns() - t0) / 1000000), kt_similar_memory(sim) / 1024);
    return 0;
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

static int run_conflicts(kt_detect *det, kt_ctx *d, kt_ctx *c)
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

/* Re-checks one item for duplicates in other bodies: raises a flag per finding, lets the item's
 * other duplicate flags lapse. */
static int check_duplicates(kt_detect *det, kt_ctx *d, int64_t item)
{
    int rc = refresh_item(det, d->st, item);
    if (rc)
        return rc;
    kt_similar_hit hits[MAX_HITS];
    int n = recurring(d->st, item)
                ? 0
                : kt_similar_find(det->sim, item, KT_SIM_WINDOW_DAYS, hits, MAX_HITS);
    if (n < 0)
        n = 0; /* not indexed (removed, cancelled meeting): no duplicates */
    int kept = 0;
    for (int i = 0; i < n; i++) /* strong findings only: a signal reaches the chairs */
        if (hits[i].score >= KT_SIM_FLAG_THRESHOLD && !recurring(d->st, hits[i].item_id))
            hits[kept++] = hits[i];
    n = kept;
    char keys[MAX_HITS][64];
    const char *keep[MAX_HITS];
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
    return kt_flags_expire(d, "duplicate", 0, item, keep, n) ? KT_EINVAL : 0;
}

/* Items whose window position changed with their meeting. */
static int items_of_meeting(kt_store *st, int64_t meeting, kt_ivec *out)
{
    kt_ivec found = {0};
    int rc = kt_store_items_of_meeting(st, meeting, 200, &found);
    for (size_t i = 0; !rc && i < found.n; i++)
        rc = kt_ivec_add(out, found.v[i]);
    kt_ivec_free(&found);
    return rc;
}

static int run_duplicates(kt_detect *det, kt_ctx *d, kt_ctx *c)
{
    kt_ivec items = {0};
    int rc = 0;
    for (size_t i = 0; !rc && i < c->touched_items.n; i++)
        rc = kt_ivec_add(&items, c->touched_items.v[i]);
    for (size_t i = 0; !rc && i < c->touched_meetings.n; i++)
        rc = items_of_meeting(d->st, c->touched_meetings.v[i], &items);
    for (size_t i = 0; !rc && i < items.n && i < MAX_ITEMS_PER_MEETING; i++)
        rc = check_duplicates(det, d, items.v[i]);
    kt_ivec_free(&items);
    return rc;
}

void kt_detect_after(kt_app *app, kt_ctx *c)
{
    kt_detect *det = app->detect;
    if (!c->touched_meetings.n && !c->touched_bodies.n && !c->touched_items.n)
        return;
    if (det->stale && kt_detect_rebuild(det))
        kt_warn("similarity index rebuild failed; using the old one", NULL);
    static const kt_principal system = {.person = 0, .admin = false, .name = "ketentafel"};
    kt_ctx d;
    kt_ctx_init(&d, app, &system, NULL);
    int64_t t0 = kt_mono_ns();
    int rc = kt_store_begin(d.st);
    if (!rc)
        rc = run_conflicts(det, &d, c);
    if (!rc)
        rc = run_duplicates(det, &d, c);
    if (!rc)
        rc = kt_store_commit(d.st);
    else
        kt_store_rollback(d.st);
    if (rc)
        kt_warn("detectors failed", "code=%s message=\"%s\"", kt_code_name(d.code), d.message);
    else
        kt_ctx_defer_publish(&d);
    if (!rc)
        kt_notify_events(app, d.events, d.n_events);
    kt_debug("detectors ran", "us=%lld events=%d", (long long)((kt_mono_ns() - t0) / 1000),
             d.n_events);
    kt_ctx_clear(&d);
}

void kt_detect_observe(kt_app *app, const kt_event *ev)
{
    kt_detect *det = app->detect;
    if (det && det->stale)
        return; /* the rebuild reads everything from the store */
    if (det && (strcmp(ev->type, "body.created") == 0 || strcmp(ev->type, "body.updated") == 0)) {
        json_t *data = json_loads(ev->payload, 0, NULL);
        int64_t body = json_integer_value(json_object_get(json_object_get(data, "body"), "id"));
        json_decref(data);
        if (body)
            kt_detect_body_changed(det, body);
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
    if (d->stale && kt_detect_rebuild(d))
        return KT_ENOMEM;
    bool fresh =
        d->prof && !(kt_profiles_stale(d->prof) && kt_now() - d->prof_built_at > PROFILES_MAX_AGE);
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
    if (!d->prof)
        return; /* declared with the first build */
    kt_store_body_profiles(d->app->store, body, declare_body, d->prof);
}

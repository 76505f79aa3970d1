#include "detect/detect.h"

#include "detect/conflicts.h"
#include "detect/flags.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define UPCOMING_DAYS        183
#define MAX_TOUCHED_MEETINGS 200

struct kt_detect {
    kt_app *app;
    int64_t buffer_s;
};

kt_detect *kt_detect_new(kt_app *app)
{
    kt_detect *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->app = app;
    d->buffer_s = (int64_t)app->cfg.travel_buffer_min * 60;
    return d;
}

void kt_detect_free(kt_detect *d)
{
    free(d);
}

/* A membership change alters who is expected at the body's coming meetings. */
static int upcoming_meetings(kt_store *st, int64_t body, kt_ivec *out)
{
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT id FROM meetings WHERE body_id = ?1 AND "
                                        "ends_at > ?2 AND starts_at < ?3 AND status <> "
                                        "'geannuleerd' ORDER BY starts_at LIMIT 50");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, body);
    sqlite3_bind_int64(s, 2, kt_now());
    sqlite3_bind_int64(s, 3, kt_now() + UPCOMING_DAYS * 86400);
    int rc = 0;
    while (!rc && sqlite3_step(s) == SQLITE_ROW)
        rc = kt_ivec_add(out, sqlite3_column_int64(s, 0));
    sqlite3_reset(s);
    return rc;
}

static int64_t meeting_body(kt_store *st, int64_t meeting)
{
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT body_id FROM meetings WHERE id = ?1");
    if (!s)
        return 0;
    sqlite3_bind_int64(s, 1, meeting);
    int64_t b = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return b;
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

void kt_detect_after(kt_app *app, kt_ctx *c)
{
    kt_detect *det = app->detect;
    if (!c->touched_meetings.n && !c->touched_bodies.n && !c->touched_items.n)
        return;
    static const kt_principal system = {.person = 0, .admin = false, .name = "ketentafel"};
    kt_ctx d;
    kt_ctx_init(&d, app, &system, NULL);
    int64_t t0 = kt_mono_ns();
    int rc = kt_store_begin(d.st);
    if (!rc)
        rc = run_conflicts(det, &d, c);
    if (!rc)
        rc = kt_store_commit(d.st);
    else
        kt_store_rollback(d.st);
    if (rc)
        kt_warn("detectors failed", "code=%s message=\"%s\"", kt_code_name(d.code), d.message);
    else
        kt_ctx_defer_publish(&d);
    kt_debug("detectors ran", "us=%lld events=%d", (long long)((kt_mono_ns() - t0) / 1000),
             d.n_events);
    kt_ctx_clear(&d);
}

void kt_detect_observe(kt_app *app, const kt_event *ev)
{
    (void)app;
    (void)ev;
}

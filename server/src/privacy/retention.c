#include "privacy/retention.h"

#include "store/audit.h"
#include "store/retention.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <assert.h>

static_assert(KT_RET__COUNT == KT_RETENTION_KINDS, "app.h and store/retention.h disagree");

#define BATCH    1000
#define PER_PASS 20000

/* 0: keep for good. */
static int64_t cutoff_of(const kt_app *app, kt_retention_kind kind, int64_t now)
{
    int days = app->cfg.retain_days[kind];
    return days > 0 ? now - (int64_t)days * 86400 : 0;
}

static json_t *time_or_null(int64_t t)
{
    char buf[32];
    if (!t)
        return json_null();
    kt_time_format(t, buf, sizeof buf);
    return json_string(buf);
}

/* Removes kind's expired rows in batches; *removed gets the total, *more whether some remain. */
static int expire_kind(kt_store *st, kt_retention_kind kind, int64_t cutoff, int64_t *removed,
                       bool *more)
{
    *removed = 0;
    for (;;) {
        int64_t n = 0;
        int rc = kt_store_begin(st);
        if (!rc)
            rc = kt_store_retention_expire(st, kind, cutoff, BATCH, &n);
        if (!rc)
            rc = kt_store_commit(st);
        else
            kt_store_rollback(st);
        if (rc)
            return rc;
        *removed += n;
        if (n < BATCH)
            return 0;
        if (*removed >= PER_PASS) {
            *more = true;
            return 0;
        }
    }
}

static int log_run(kt_store *st, int64_t now, json_t *kinds)
{
    kt_audit_entry e = {
        .at = now, .action = "retention.run", .detail = json_pack("{s:O}", "kinds", kinds)};
    int rc = kt_store_begin(st);
    if (!rc)
        rc = kt_store_audit_append(st, &e, NULL);
    if (!rc)
        rc = kt_store_commit(st);
    else
        kt_store_rollback(st);
    json_decref(e.detail);
    return rc;
}

int kt_retention_run(kt_app *app, int64_t now, bool *more, json_t **report)
{
    bool left = false;
    int64_t total = 0;
    int rc = 0;
    json_t *kinds = json_array();
    for (int k = 0; k < KT_RET__COUNT && !rc; k++) {
        int64_t cutoff = cutoff_of(app, (kt_retention_kind)k, now), removed = 0;
        if (!cutoff)
            continue;
        rc = expire_kind(app->store, (kt_retention_kind)k, cutoff, &removed, &left);
        json_array_append_new(kinds,
                              json_pack("{s:s, s:i, s:o, s:I}", "kind",
                                        kt_retention_kind_name((kt_retention_kind)k), "days",
                                        app->cfg.retain_days[k], "cutoff", time_or_null(cutoff),
                                        "removed", (json_int_t)removed));
        total += removed;
        if (removed)
            kt_info("retention: removed what expired", "kind=%s removed=%lld days=%d",
                    kt_retention_kind_name((kt_retention_kind)k), (long long)removed,
                    app->cfg.retain_days[k]);
    }
    if (rc)
        kt_error("retention: the store failed", "rc=%d", rc);
    if (total && log_run(app->store, now, kinds))
        kt_error("retention: could not write the audit log", NULL);
    if (more)
        *more = left;
    if (report)
        *report = json_pack("{s:o, s:O}", "at", time_or_null(now), "kinds", kinds);
    json_decref(kinds);
    return rc;
}

json_t *kt_retention_status(kt_app *app, int64_t now)
{
    json_t *kinds = json_array();
    for (int k = 0; k < KT_RET__COUNT; k++) {
        int64_t oldest = 0;
        if (kt_store_retention_oldest(app->store, (kt_retention_kind)k, &oldest)) {
            json_decref(kinds);
            return NULL;
        }
        json_array_append_new(kinds,
                              json_pack("{s:s, s:i, s:o, s:o}", "kind",
                                        kt_retention_kind_name((kt_retention_kind)k), "days",
                                        app->cfg.retain_days[k], "cutoff",
                                        time_or_null(cutoff_of(app, (kt_retention_kind)k, now)),
                                        "oldest", time_or_null(oldest)));
    }
    json_t *last = NULL;
    int rc = kt_store_audit_last(app->store, "retention.run", &last);
    if (rc && rc != KT_ENOTFOUND) {
        json_decref(kinds);
        return NULL;
    }
    return json_pack("{s:o, s:o}", "kinds", kinds, "last_run", last ? last : json_null());
}

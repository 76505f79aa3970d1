#include "store/retention.h"

#include "store/db.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <stdio.h>

const char *kt_retention_kind_name(kt_retention_kind kind)
{
    static const char *const names[KT_RET__COUNT] = {"chat",      "verslagen", "acties",
                                                     "meldingen", "events",    "auditlog"};
    return kind >= 0 && kind < KT_RET__COUNT ? names[kind] : "?";
}

/* Runs one bounded delete or update with ?1 = cutoff, ?2 = limit; adds what changed to *n. */
static int run(kt_store *st, const char *sql, int64_t cutoff, const char *cutoff_date,
               int64_t limit, int64_t *n)
{
    kt_db_stmt *s = kt_db_prepare(st, sql);
    if (!s)
        return KT_ESTORE;
    if (cutoff_date)
        kt_db_bind_text(s, 1, cutoff_date);
    else
        kt_db_bind_int(s, 1, cutoff);
    kt_db_bind_int(s, 2, limit);
    int64_t changed = 0;
    int rc = kt_db_run(s, &changed);
    *n += changed;
    return rc;
}

static int expire_minutes(kt_store *st, int64_t cutoff, int limit, int64_t *n)
{
    char day[16]; /* besluiten carry the local date they were taken */
    int y, mo, d, h, mi, wd;
    kt_utc_to_local(cutoff, &y, &mo, &d, &h, &mi, &wd);
    snprintf(day, sizeof day, "%04d-%02d-%02d", y, mo, d);
    int rc = run(st,
                 "DELETE FROM item_notes WHERE item_id IN (SELECT n.item_id FROM item_notes n "
                 "JOIN items i ON i.id = n.item_id JOIN meetings m ON m.id = i.meeting_id "
                 "WHERE m.starts_at < ?1 LIMIT ?2)",
                 cutoff, NULL, limit, n);
    if (!rc && *n < limit)
        rc = run(st,
                 "UPDATE meetings SET minutes = '', minutes_by = NULL WHERE id IN (SELECT id FROM "
                 "meetings WHERE starts_at < ?1 AND minutes <> '' LIMIT ?2)",
                 cutoff, NULL, limit - *n, n);
    /* the versions sent ter vaststelling are copies of the verslag; amendments are about it */
    if (!rc && *n < limit)
        rc = run(st,
                 "DELETE FROM minutes_versions WHERE id IN (SELECT v.id FROM minutes_versions v "
                 "JOIN meetings m ON m.id = v.meeting_id WHERE m.starts_at < ?1 LIMIT ?2)",
                 cutoff, NULL, limit - *n, n);
    if (!rc && *n < limit)
        rc = run(st,
                 "DELETE FROM minutes_amendments WHERE id IN (SELECT a.id FROM minutes_amendments "
                 "a JOIN meetings m ON m.id = a.meeting_id WHERE m.starts_at < ?1 LIMIT ?2)",
                 cutoff, NULL, limit - *n, n);
    if (!rc && *n < limit)
        rc = run(st,
                 "DELETE FROM actions WHERE id IN (SELECT id FROM actions WHERE kind = 'besluit' "
                 "AND decided_on < ?1 LIMIT ?2)",
                 0, day, limit - *n, n);
    return rc;
}

/* Per stream, everything written before cutoff; the streams table keeps each head. */
static int expire_events(kt_store *st, int64_t cutoff, int limit, int64_t *n)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT body_id FROM streams ORDER BY body_id");
    if (!s)
        return KT_ESTORE;
    kt_ivec streams = {0};
    int rc = kt_db_ids(s, &streams);
    for (size_t i = 0; !rc && i < streams.n && *n < limit; i++) {
        kt_db_stmt *d = kt_db_prepare(
            st, "DELETE FROM events WHERE body_id = ?1 AND seq IN (SELECT seq FROM events WHERE "
                "body_id = ?1 AND created_at < ?2 ORDER BY seq LIMIT ?3)");
        if (!d) {
            rc = KT_ESTORE;
            break;
        }
        kt_db_bind_int(d, 1, streams.v[i]);
        kt_db_bind_int(d, 2, cutoff);
        kt_db_bind_int(d, 3, limit - *n);
        int64_t changed = 0;
        rc = kt_db_run(d, &changed);
        *n += changed;
    }
    kt_ivec_free(&streams);
    return rc;
}

int kt_store_retention_expire(kt_store *st, kt_retention_kind kind, int64_t cutoff, int limit,
                              int64_t *n)
{
    *n = 0;
    switch (kind) {
    case KT_RET_CHAT:
        return run(st,
                   "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE created_at < "
                   "?1 ORDER BY created_at LIMIT ?2)",
                   cutoff, NULL, limit, n);
    case KT_RET_MINUTES:
        return expire_minutes(st, cutoff, limit, n);
    case KT_RET_ACTIONS:
        return run(st,
                   "DELETE FROM actions WHERE id IN (SELECT id FROM actions WHERE kind <> "
                   "'besluit' AND status IN ('afgerond', 'vervallen') AND updated_at < ?1 "
                   "LIMIT ?2)",
                   cutoff, NULL, limit, n);
    case KT_RET_NOTIFICATIONS:
        return run(st,
                   "DELETE FROM notifications WHERE id IN (SELECT id FROM notifications WHERE "
                   "created_at < ?1 ORDER BY created_at LIMIT ?2)",
                   cutoff, NULL, limit, n);
    case KT_RET_EVENTS:
        return expire_events(st, cutoff, limit, n);
    case KT_RET_AUDIT:
        return run(st,
                   "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < ?1 ORDER BY "
                   "at LIMIT ?2)",
                   cutoff, NULL, limit, n);
    default:
        return KT_EINVAL;
    }
}

int kt_store_retention_oldest(kt_store *st, kt_retention_kind kind, int64_t *t)
{
    static const char *const sql[KT_RET__COUNT] = {
        "SELECT coalesce(min(created_at), 0) FROM messages",
        "SELECT coalesce(min(starts_at), 0) FROM meetings WHERE minutes <> ''",
        "SELECT coalesce(min(updated_at), 0) FROM actions WHERE kind <> 'besluit' AND status IN "
        "('afgerond', 'vervallen')",
        "SELECT coalesce(min(created_at), 0) FROM notifications",
        "SELECT coalesce(min(created_at), 0) FROM events",
        "SELECT coalesce(min(at), 0) FROM audit",
    };
    *t = 0;
    if (kind < 0 || kind >= KT_RET__COUNT)
        return KT_EINVAL;
    kt_db_stmt *s = kt_db_prepare(st, sql[kind]);
    if (!s)
        return KT_ESTORE;
    return kt_db_one_int(s, t);
}

int kt_store_stream_floor(kt_store *st, int64_t body, int64_t *seq)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "SELECT coalesce(min(seq), 0) FROM events WHERE body_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    *seq = 0;
    return kt_db_one_int(s, seq);
}

#include "store/notifications.h"

#include "store/db.h"
#include "util/err.h"

#include <stdio.h>
#include <string.h>

/* Binds a new notification's columns ?1, ?2 and ?4..?16 (?3, the delivery, is the caller's). */
static void bind_note(kt_db_stmt *s, const kt_note_new *n, int64_t now)
{
    kt_db_bind_int(s, 1, n->person);
    kt_db_bind_text(s, 2, n->kind);
    kt_db_bind_ref(s, 4, n->body);
    kt_db_bind_ref(s, 5, n->meeting);
    kt_db_bind_ref(s, 6, n->item);
    kt_db_bind_ref(s, 7, n->action);
    kt_db_bind_ref(s, 8, n->flag);
    kt_db_bind_ref(s, 9, n->actor);
    kt_db_bind_text(s, 10, n->title);
    kt_db_bind_text(s, 11, n->text ? n->text : "");
    kt_db_bind_text(s, 12, n->link);
    kt_db_bind_text(s, 13, n->dedupe && *n->dedupe ? n->dedupe : NULL);
    kt_db_bind_int(s, 14, now);
    kt_db_bind_text(s, 15, n->burst && *n->burst ? n->burst : NULL);
    kt_db_bind_text(s, 16, n->burst && *n->burst ? n->burst_what : NULL);
}

/* A new notification's id for person p (of persons p): p's own part of the id space, above
 * every id in it and above the number of notifications ever made for p (issue 11: an id says
 * nothing of anyone else's notifications). "Every id in it", not only p's own: ids given before
 * migration 32 were one sequence for everyone, so in a deployment that had made more than 2^24
 * notifications by then, another person's older notification can hold a number in p's part
 * (an index range on the primary key, as cheap as p's own). */
#define NOTE_ID_BASE "(p.id * 16777216)"
#define NOTE_ID_MAX                                                                                \
    "(SELECT max(x.id) FROM notifications x WHERE x.id > " NOTE_ID_BASE                            \
    " AND x.id < " NOTE_ID_BASE " + 16777216)"
#define NOTE_ID                                                                                    \
    "(1 + CASE WHEN coalesce(" NOTE_ID_MAX ", 0) > " NOTE_ID_BASE                                  \
    " + p.notes_made THEN " NOTE_ID_MAX " ELSE " NOTE_ID_BASE " + p.notes_made END)"

/* PostgreSQL: two nodes notifying one person at once would both read her count before either
 * commits and take the same number (the second's insert then fails on the primary key, and its
 * whole reaction waits for a retry). Locking her row while it is read makes the second wait for
 * the first's commit and read the count that one raised (READ COMMITTED reads the locked row
 * again): every number once, no retry (tests/integration/test_notify_numbers.py). SQLite has
 * one writer at a time. */
#define NOTE_LOCK "FOR UPDATE OF p "

/* A person's part of the id space holds 2^24 - 1 notifications (at 1,000 a day, 45 years):
 * beyond it the id would be in the next person's part, so nothing more is stored for her
 * (SECURITY.md, "Notification numbers"). */
#define NOTE_IN_RANGE "AND " NOTE_ID " < " NOTE_ID_BASE " + 16777216 "

/* A once-only notification said before is not stored again. Any other conflict is an error
 * (the reaction is undone and run again); two nodes numbering one person's notifications at once
 * no longer meet one on PostgreSQL (NOTE_LOCK). */
#define NOTE_ONCE "ON CONFLICT (person_id, dedupe) WHERE dedupe IS NOT NULL DO NOTHING "

/* After a notification with id was stored for person: its number is taken. */
static int note_counted(kt_store *st, int64_t person, int64_t id)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE persons SET notes_made = ?2 - id * 16777216 WHERE "
                                      "id = ?1 AND notes_made < ?2 - id * 16777216");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_int(s, 2, id);
    return kt_db_run(s, NULL);
}

/* PostgreSQL: the counter is raised in the same statement as the insert (no round trip more). */
#define NOTE_COUNTED_CTE                                                                           \
    "u AS (UPDATE persons SET notes_made = n.id - persons.id * 16777216 FROM n "                   \
    "WHERE persons.id = n.person_id AND persons.notes_made < n.id - persons.id * 16777216) "

#define NOTE_INSERT                                                                                \
    "INSERT INTO notifications(id, person_id, kind, delivery, body_id, meeting_id, "               \
    "item_id, action_id, flag_id, actor_id, title, text, link, dedupe, created_at, burst, "        \
    "burst_what, changed_at) SELECT " NOTE_ID ", p.id, CAST(?2 AS TEXT), "                         \
    "CAST(?3 AS TEXT), CAST(?4 AS BIGINT), CAST(?5 AS BIGINT), CAST(?6 AS BIGINT), "               \
    "CAST(?7 AS BIGINT), CAST(?8 AS BIGINT), CAST(?9 AS BIGINT), CAST(?10 AS TEXT), "              \
    "CAST(?11 AS TEXT), CAST(?12 AS TEXT), CAST(?13 AS TEXT), CAST(?14 AS BIGINT), "               \
    "CAST(?15 AS TEXT), CAST(?16 AS TEXT), CAST(?14 AS BIGINT) FROM persons p WHERE "              \
    "p.id = CAST(?1 AS BIGINT) " NOTE_IN_RANGE

int kt_store_notification_insert(kt_store *st, const kt_note_new *n, int64_t now, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(st, kt_db_sql(st, NOTE_INSERT NOTE_ONCE "RETURNING id",
                                                "WITH n AS (" NOTE_INSERT NOTE_LOCK NOTE_ONCE
                                                "RETURNING id, person_id), " NOTE_COUNTED_CTE
                                                "SELECT id FROM n"));
    if (!s)
        return KT_ESTORE;
    bind_note(s, n, now);
    kt_db_bind_text(s, 3, n->delivery);
    *id = 0;
    int rc = kt_db_one_int(s, id);
    if (rc == KT_ENOTFOUND)
        return 0; /* no row: deduplicated, said before */
    if (rc || st->dialect == KT_DIALECT_PG)
        return rc;
    return note_counted(st, n->person, *id);
}

static const kt_db_col note_cols[] = {
    {"id", KT_COL_INT},          {"kind", KT_COL_TEXT},       {"title", KT_COL_TEXT},
    {"text", KT_COL_TEXT},       {"link", KT_COL_TEXT},       {"body", KT_COL_INT},
    {"meeting", KT_COL_INT},     {"item", KT_COL_INT},        {"action", KT_COL_INT},
    {"flag", KT_COL_INT},        {"actor", KT_COL_INT},       {"actor_name", KT_COL_TEXT},
    {"created_at", KT_COL_TIME}, {"read", KT_COL_PRESENT},    {"delivery", KT_COL_TEXT},
    {"body_name", KT_COL_TEXT},  {"changed_at", KT_COL_TIME}, {NULL, 0}};

int kt_store_notification_get(kt_store *st, int64_t id, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT n.id, n.kind, n.title, n.text, n.link, n.body_id, n.meeting_id, n.item_id, "
            "n.action_id, n.flag_id, n.actor_id, a.name, n.created_at, n.read_at, n.delivery, "
            "b.name, n.changed_at FROM notifications n LEFT JOIN persons a ON a.id = n.actor_id "
            "LEFT JOIN bodies b ON b.id = n.body_id WHERE n.id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_one_json(s, note_cols, out);
}

/* The insert of kt_store_notification_deliver: only for an active person, with their mode, not
 * when it is "off". */
#define DELIVER_INSERT                                                                             \
    "INSERT INTO notifications(id, person_id, kind, delivery, body_id, meeting_id, item_id, "      \
    "action_id, flag_id, actor_id, title, text, link, dedupe, created_at, burst, burst_what, "     \
    "changed_at) "                                                                                 \
    "SELECT " NOTE_ID                                                                              \
    ", p.id, CAST(?2 AS TEXT), CASE np.mode WHEN 'digest' THEN 'digest' ELSE 'direct' END, "       \
    "CAST(?4 AS BIGINT), CAST(?5 AS BIGINT), CAST(?6 AS BIGINT), CAST(?7 AS BIGINT), "             \
    "CAST(?8 AS BIGINT), CAST(?9 AS BIGINT), CAST(?10 AS TEXT), CAST(?11 AS TEXT), "               \
    "CAST(?12 AS TEXT), CAST(?13 AS TEXT), CAST(?14 AS BIGINT), CAST(?15 AS TEXT), "               \
    "CAST(?16 AS TEXT), CAST(?14 AS BIGINT) FROM persons p "                                       \
    "LEFT JOIN notification_prefs np ON np.person_id = p.id AND np.kind = CAST(?2 AS TEXT) "       \
    "WHERE p.id = CAST(?1 AS BIGINT) AND p.active = 1 AND coalesce(np.mode, '') <> "               \
    "'off' " NOTE_IN_RANGE

int kt_store_notification_deliver(kt_store *st, const kt_note_new *n, int64_t now, json_t **out)
{
    *out = NULL;
    /* PostgreSQL: the row as it is read back, joins included, in the same statement. */
    kt_db_stmt *s = kt_db_prepare(
        st, kt_db_sql(
                st, DELIVER_INSERT NOTE_ONCE "RETURNING id",
                "WITH n AS (" DELIVER_INSERT NOTE_LOCK NOTE_ONCE "RETURNING *), " NOTE_COUNTED_CTE
                "SELECT n.id, n.kind, n.title, n.text, n.link, n.body_id, n.meeting_id, "
                "n.item_id, n.action_id, n.flag_id, n.actor_id, a.name, n.created_at, "
                "n.read_at, n.delivery, b.name, n.changed_at FROM n LEFT JOIN persons a ON a.id = "
                "n.actor_id LEFT JOIN bodies b ON b.id = n.body_id"));
    if (!s)
        return KT_ESTORE;
    bind_note(s, n, now);
    if (st->dialect == KT_DIALECT_PG) {
        int rc = kt_db_one_json(s, note_cols, out);
        return rc == KT_ENOTFOUND ? 0 : rc;
    }
    int64_t id = 0;
    int rc = kt_db_one_int(s, &id);
    if (rc == KT_ENOTFOUND)
        return 0;
    if (!rc)
        rc = note_counted(st, n->person, id);
    return rc ? rc : kt_store_notification_get(st, id, out);
}

int kt_store_notification_burst(kt_store *st, const kt_note_new *n, int64_t since, int64_t *id,
                                char *what, size_t size)
{
    *id = 0;
    what[0] = 0;
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT id, burst_what FROM notifications WHERE person_id = ?1 AND burst = ?2 AND "
            "kind = ?3 AND body_id = ?4 AND actor_id = ?5 AND changed_at >= ?6 AND "
            "digested_at IS NULL ORDER BY id DESC LIMIT 1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, n->person);
    kt_db_bind_text(s, 2, n->burst);
    kt_db_bind_text(s, 3, n->kind);
    kt_db_bind_int(s, 4, n->body);
    kt_db_bind_int(s, 5, n->actor);
    kt_db_bind_int(s, 6, since);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        *id = kt_db_int(s, 0);
        const char *w = kt_db_text(s, 1);
        snprintf(what, size, "%s", w ? w : "");
    }
    kt_db_reset(s);
    return rc == KT_DB_ROW || rc == KT_DB_DONE ? 0 : rc;
}

int kt_store_notification_merge(kt_store *st, int64_t id, const kt_note_new *n, int64_t now,
                                json_t **out)
{
    *out = NULL;
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE notifications SET title = ?2, text = ?3, "
                                      "burst_what = ?4, changed_at = ?5, read_at = NULL "
                                      "WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_text(s, 2, n->title);
    kt_db_bind_text(s, 3, n->text ? n->text : "");
    kt_db_bind_text(s, 4, n->burst_what);
    kt_db_bind_int(s, 5, now);
    int rc = kt_db_run(s, NULL);
    return rc ? rc : kt_store_notification_get(st, id, out);
}

int kt_store_notification_supersede(kt_store *st, int64_t person, int64_t id, int64_t seq,
                                    int64_t *n)
{
    *n = 0;
    /* The payload is what the event is about, as live/render.c stores it ({"notification":
     * {"id": N}}, compact); the scan runs over this one person's stream by its primary key. */
    char about[64];
    snprintf(about, sizeof about, "{\"notification\":{\"id\":%lld}}", (long long)id);
    kt_db_stmt *s = kt_db_prepare(
        st, "DELETE FROM events WHERE body_id = ?1 AND seq < ?2 AND payload = ?3 AND type IN "
            "('notification.created', 'notification.updated') AND seq > (SELECT min(seq) FROM "
            "events WHERE body_id = ?1)");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, -person);
    kt_db_bind_int(s, 2, seq);
    kt_db_bind_text(s, 3, about);
    return kt_db_run(s, n);
}

int kt_store_notification_about(kt_store *st, int64_t id, int64_t person, kt_note_about *out)
{
    memset(out, 0, sizeof *out);
    kt_db_stmt *s = kt_db_prepare(st, "SELECT body_id, item_id, action_id, flag_id, kind FROM "
                                      "notifications WHERE id = ?1 AND person_id = ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_int(s, 2, person);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        out->body = kt_db_int(s, 0);
        out->item = kt_db_int(s, 1);
        out->action = kt_db_int(s, 2);
        out->flag = kt_db_int(s, 3);
        snprintf(out->kind, sizeof out->kind, "%s", kt_db_text(s, 4));
    }
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_store_notifications_ids(kt_store *st, int64_t person, int64_t before, bool unread,
                               int64_t limit, kt_ivec *out)
{
    kt_db_stmt *s =
        unread ? kt_db_prepare(st, "SELECT id FROM notifications WHERE person_id = ?1 AND id < ?2 "
                                   "AND read_at IS NULL ORDER BY id DESC LIMIT ?3")
               : kt_db_prepare(st, "SELECT id FROM notifications WHERE person_id = ?1 AND id < ?2 "
                                   "ORDER BY id DESC LIMIT ?3");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_int(s, 2, before);
    kt_db_bind_int(s, 3, limit);
    return kt_db_ids(s, out);
}

int kt_store_notification_read(kt_store *st, int64_t person, int64_t id, int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE notifications SET read_at = coalesce(read_at, ?3) "
                                      "WHERE id = ?1 AND person_id = ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_int(s, 2, person);
    kt_db_bind_int(s, 3, now);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    return rc ? rc : n ? 0 : KT_ENOTFOUND;
}

int kt_store_notifications_read_all(kt_store *st, int64_t person, int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE notifications SET read_at = ?2 WHERE person_id = "
                                      "?1 AND read_at IS NULL");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_int(s, 2, now);
    return kt_db_run(s, NULL);
}

/* ---- preferences ---- */

int kt_store_prefs_get(kt_store *st, int64_t person, json_t *obj)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "SELECT kind, mode FROM notification_prefs WHERE person_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        json_object_set_new(obj, kt_db_text(s, 0), json_string(kt_db_text(s, 1)));
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

int kt_store_pref_set(kt_store *st, int64_t person, const char *kind, const char *mode)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO notification_prefs(person_id, kind, mode) "
                                      "VALUES (?1, ?2, ?3) ON CONFLICT(person_id, kind) DO "
                                      "UPDATE SET mode = excluded.mode");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_text(s, 2, kind);
    kt_db_bind_text(s, 3, mode);
    return kt_db_run(s, NULL);
}

int kt_store_due_days(kt_store *st, int64_t person, int64_t *days)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT due_days FROM persons WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    return kt_db_one_int(s, days);
}

int kt_store_due_days_set(kt_store *st, int64_t person, int64_t days)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE persons SET due_days = ?2 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_int(s, 2, days);
    return kt_db_run(s, NULL);
}

/* ---- the daily digest ---- */

int kt_store_digest_pending(kt_store *st, int64_t cutoff, const char *day, int limit, kt_ivec *out)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT DISTINCT n.person_id FROM notifications n JOIN persons p ON p.id = "
            "n.person_id WHERE n.digested_at IS NULL AND n.delivery = 'digest' AND "
            "n.created_at < ?1 AND p.active = 1 AND NOT EXISTS (SELECT 1 FROM digests d "
            "WHERE d.person_id = n.person_id AND d.day = ?2) LIMIT ?3");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, cutoff);
    kt_db_bind_text(s, 2, day);
    kt_db_bind_int(s, 3, limit);
    return kt_db_ids(s, out);
}

int kt_store_digest_claim(kt_store *st, int64_t person, const char *day, const char *node,
                          bool *claimed)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO digests(person_id, day, claimed_by) VALUES "
                                      "(?1, ?2, ?3) ON CONFLICT DO NOTHING");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_text(s, 2, day);
    kt_db_bind_text(s, 3, node);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    *claimed = !rc && n > 0;
    return rc;
}

int kt_store_digest_release(kt_store *st, int64_t person, const char *day)
{
    kt_db_stmt *s = kt_db_prepare(st, "DELETE FROM digests WHERE person_id = ?1 AND day = ?2 AND "
                                      "sent_at IS NULL");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_text(s, 2, day);
    return kt_db_run(s, NULL);
}

int kt_store_digest_record(kt_store *st, int64_t person, const char *day, int64_t sent_at,
                           const char *error)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE digests SET sent_at = ?3, error = ?4 WHERE "
                                      "person_id = ?1 AND day = ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_text(s, 2, day);
    kt_db_bind_ref(s, 3, sent_at);
    kt_db_bind_text(s, 4, error);
    return kt_db_run(s, NULL);
}

int kt_store_digest_notes(kt_store *st, int64_t person, int64_t cutoff, int limit, kt_ivec *out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id FROM notifications WHERE person_id = ?1 AND "
                                      "delivery = 'digest' AND digested_at IS NULL AND "
                                      "created_at < ?2 ORDER BY id LIMIT ?3");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_int(s, 2, cutoff);
    kt_db_bind_int(s, 3, limit);
    return kt_db_ids(s, out);
}

int kt_store_unread_direct(kt_store *st, int64_t person, int64_t from, int64_t to, int limit,
                           kt_ivec *out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id FROM notifications WHERE person_id = ?1 AND "
                                      "delivery = 'direct' AND read_at IS NULL AND created_at < "
                                      "?2 AND created_at >= ?3 ORDER BY id DESC LIMIT ?4");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_int(s, 2, to);
    kt_db_bind_int(s, 3, from);
    kt_db_bind_int(s, 4, limit);
    return kt_db_ids(s, out);
}

int kt_store_notification_digested(kt_store *st, int64_t id, int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE notifications SET digested_at = ?2 WHERE id = ?1 "
                                      "AND digested_at IS NULL");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_int(s, 2, now);
    return kt_db_run(s, NULL);
}

int kt_store_notifications_read_everyone(kt_store *st, int64_t now)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "UPDATE notifications SET read_at = ?1 WHERE read_at IS NULL");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, now);
    return kt_db_run(s, NULL);
}

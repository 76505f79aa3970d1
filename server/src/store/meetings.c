#include "store/meetings.h"

#include "store/db.h"
#include "store/search.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kt_store_meeting_body(kt_store *st, int64_t meeting, int64_t *body)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT body_id FROM meetings WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    return kt_db_one_int(s, body);
}

int kt_store_meeting_state(kt_store *st, int64_t meeting, int64_t *body, char *status, size_t n)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT body_id, status FROM meetings WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        *body = kt_db_int(s, 0);
        snprintf(status, n, "%s", kt_db_text(s, 1));
    }
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

#define MEETING_SELECT                                                                             \
    "SELECT m.id, m.body_id, m.starts_at, m.ends_at, m.location, m.status, m.version, "            \
    "m.updated_at, b.name"
#define MEETING_FROM " FROM meetings m JOIN bodies b ON b.id = m.body_id "
#define MEETING_JSON_COLS                                                                          \
    {"id", KT_COL_INT}, {"body", KT_COL_INT}, {"start", KT_COL_TIME}, {"end", KT_COL_TIME},        \
        {"location", KT_COL_TEXT}, {"status", KT_COL_TEXT}, {"version", KT_COL_INT},               \
        {"updated_at", KT_COL_TIME},                                                               \
    {                                                                                              \
        "body_name", KT_COL_TEXT                                                                   \
    }

static const kt_db_col meeting_cols[] = {MEETING_JSON_COLS, {NULL, 0}};

int kt_store_meeting_get(kt_store *st, int64_t id, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(st, MEETING_SELECT MEETING_FROM "WHERE m.id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_one_json(s, meeting_cols, out);
}

int kt_store_meetings_list(kt_store *st, int64_t body, int64_t from, int64_t to, json_t *arr)
{
    kt_db_stmt *s = kt_db_prepare(st, MEETING_SELECT MEETING_FROM
                                  "WHERE m.body_id = ?1 AND m.ends_at > ?2 AND m.starts_at < ?3 "
                                  "ORDER BY m.starts_at, m.id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, from);
    kt_db_bind_int(s, 3, to);
    return kt_db_rows_json(s, meeting_cols, arr);
}

int kt_store_meetings_page(kt_store *st, int64_t body, int64_t from, int64_t to,
                           int64_t after_start, int64_t after_id, int limit, json_t *arr)
{
    kt_db_stmt *s = kt_db_prepare(st, MEETING_SELECT MEETING_FROM
                                  "WHERE m.body_id = ?1 AND m.ends_at > ?2 AND m.starts_at < ?3 "
                                  "AND (?5 = 0 OR m.starts_at > ?4 OR (m.starts_at = ?4 AND "
                                  "m.id > ?5)) ORDER BY m.starts_at, m.id LIMIT ?6");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, from);
    kt_db_bind_int(s, 3, to);
    kt_db_bind_int(s, 4, after_start);
    kt_db_bind_int(s, 5, after_id);
    kt_db_bind_int(s, 6, limit);
    return kt_db_rows_json(s, meeting_cols, arr);
}

int kt_store_meetings_upcoming(kt_store *st, int64_t person, int64_t from, int64_t to, int limit,
                               json_t *arr)
{
    static const kt_db_col cols[] = {MEETING_JSON_COLS, {"role", KT_COL_TEXT}, {NULL, 0}};
    kt_db_stmt *s =
        kt_db_prepare(st, MEETING_SELECT
                      ", ms.role" MEETING_FROM "JOIN memberships ms ON ms.body_id = m.body_id AND "
                      "ms.person_id = ?1 WHERE m.ends_at > ?2 AND m.starts_at < ?3 "
                      "ORDER BY m.starts_at, m.id LIMIT ?4");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_int(s, 2, from);
    kt_db_bind_int(s, 3, to);
    kt_db_bind_int(s, 4, limit);
    return kt_db_rows_json(s, cols, arr);
}

void kt_store_cal_meetings_free(kt_cal_meeting *m, size_t n)
{
    for (size_t i = 0; m && i < n; i++) {
        free(m[i].body_name);
        free(m[i].location);
    }
    free(m);
}

/* The meetings of a person's bodies (or one of them) in the window, from ?6 (now) on or before
 * it: each side read from now outwards through meetings_body (body, start), at most ?5 rows. */
#define CAL_SIDE(cmp, order)                                                                       \
    "SELECT * FROM (SELECT m.id, m.body_id, b.name AS body_name, m.starts_at, m.ends_at, "         \
    "m.location, m.status, m.version, m.created_at, m.updated_at FROM meetings m JOIN bodies b "   \
    "ON b.id = m.body_id WHERE m.body_id IN (SELECT body_id FROM memberships WHERE person_id = "   \
    "?1) AND (?2 = 0 OR m.body_id = ?2) AND m.starts_at >= ?3 AND m.starts_at < ?4 AND "           \
    "m.starts_at " cmp " ?6 ORDER BY " order " LIMIT ?5) "
#define CAL_LATER   CAL_SIDE(">=", "m.starts_at, m.id")
#define CAL_EARLIER CAL_SIDE("<", "m.starts_at DESC, m.id DESC")
/* The nearest max of the (at most 2 max) nearest on each side, then by start. */
#define CAL_NEAREST                                                                                \
    "SELECT * FROM (SELECT * FROM (" CAL_LATER "AS later UNION ALL " CAL_EARLIER "AS earlier) "    \
    "AS near ORDER BY abs(starts_at - ?6), starts_at, id LIMIT ?5) AS nearest "                    \
    "ORDER BY starts_at, id"

int kt_store_cal_meetings(kt_store *st, int64_t person, int64_t body, int64_t from, int64_t to,
                          int64_t now, size_t max, kt_cal_meeting **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    kt_db_stmt *s = kt_db_prepare(st, CAL_NEAREST);
    if (!s)
        return KT_ESTORE;
    kt_cal_meeting *m = calloc(max ? max : 1, sizeof *m);
    if (!m)
        return KT_ENOMEM;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_int(s, 2, body);
    kt_db_bind_int(s, 3, from);
    kt_db_bind_int(s, 4, to);
    kt_db_bind_int(s, 5, (int64_t)max);
    kt_db_bind_int(s, 6, now);
    size_t n = 0;
    int rc = 0;
    while (n < max && (rc = kt_db_step(s)) == KT_DB_ROW) {
        kt_cal_meeting *x = &m[n++];
        x->id = kt_db_int(s, 0);
        x->body = kt_db_int(s, 1);
        x->body_name = kt_db_dup(s, 2);
        x->start = kt_db_int(s, 3);
        x->end = kt_db_int(s, 4);
        x->location = kt_db_dup(s, 5);
        snprintf(x->status, sizeof x->status, "%s", kt_db_text(s, 6));
        x->version = kt_db_int(s, 7);
        x->created = kt_db_int(s, 8);
        x->updated = kt_db_int(s, 9);
        if (!x->body_name || !x->location) {
            rc = KT_ENOMEM;
            break;
        }
    }
    kt_db_reset(s);
    if (rc < 0) {
        kt_store_cal_meetings_free(m, n);
        return rc;
    }
    *out = m;
    *n_out = n;
    return 0;
}

int kt_store_meeting_insert(kt_store *st, int64_t body, int64_t start, int64_t end,
                            const char *location, const char *status, int64_t now, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "INSERT INTO meetings(body_id, starts_at, ends_at, location, status, created_at, "
            "updated_at) VALUES (?1, ?2, ?3, coalesce(?4, (SELECT location FROM bodies WHERE "
            "id = ?1)), ?5, ?6, ?6) RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, start);
    kt_db_bind_int(s, 3, end);
    kt_db_bind_text(s, 4, location);
    kt_db_bind_text(s, 5, status ? status : "concept");
    kt_db_bind_int(s, 6, now);
    return kt_db_one_int(s, id);
}

static int changed_one(kt_db_stmt *s, int none)
{
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    return rc ? rc : n ? 0 : none;
}

int kt_store_meeting_update(kt_store *st, int64_t id, int64_t start, int64_t end,
                            const char *location, const char *status, bool bump, int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "UPDATE meetings SET starts_at = ?2, ends_at = ?3, location = coalesce(?4, "
            "location), status = coalesce(?5, status), version = version + ?6, "
            "updated_at = ?7 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_int(s, 2, start);
    kt_db_bind_int(s, 3, end);
    kt_db_bind_text(s, 4, location);
    kt_db_bind_text(s, 5, status);
    kt_db_bind_int(s, 6, bump);
    kt_db_bind_int(s, 7, now);
    return changed_one(s, KT_ENOTFOUND);
}

int kt_store_meeting_status_set(kt_store *st, int64_t id, const char *status, int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE meetings SET status = ?2, version = version + 1, "
                                      "updated_at = ?3 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_text(s, 2, status);
    kt_db_bind_int(s, 3, now);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    return rc ? rc : n ? 0 : KT_ENOTFOUND;
}

int kt_store_meeting_cancel(kt_store *st, int64_t id, int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE meetings SET status = 'geannuleerd', version = "
                                      "version + 1, updated_at = ?2 WHERE id = ?1 AND status <> "
                                      "'geannuleerd'");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_int(s, 2, now);
    return changed_one(s, KT_ESTATE);
}

int kt_store_meeting_publish(kt_store *st, int64_t id, int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE meetings SET status = 'agenda_gepubliceerd', "
                                      "version = version + 1, updated_at = ?2 WHERE id = ?1 "
                                      "AND status = 'concept'");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_int(s, 2, now);
    return changed_one(s, KT_ESTATE);
}

int kt_store_minutes_save(kt_store *st, int64_t meeting, const char *text, int64_t by, int64_t rev,
                          int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "UPDATE meetings SET minutes = ?2, minutes_by = ?3, minutes_at = ?4, minutes_rev = "
            "minutes_rev + 1, updated_at = ?4 WHERE id = ?1 AND (?5 < 0 OR minutes_rev = ?5)");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    kt_db_bind_text(s, 2, text);
    kt_db_bind_int(s, 3, by);
    kt_db_bind_int(s, 4, now);
    kt_db_bind_int(s, 5, rev);
    int rc = changed_one(s, KT_ECONFLICT);
    return rc ? rc : kt_store_search_refresh(st, KT_SEARCH_MINUTES, meeting);
}

int kt_store_minutes_get(kt_store *st, int64_t meeting, json_t **out)
{
    static const kt_db_col cols[] = {{"minutes", KT_COL_TEXT},
                                     {"minutes_by", KT_COL_INT},
                                     {"minutes_at", KT_COL_TIME},
                                     {"minutes_rev", KT_COL_INT},
                                     {NULL, 0}};
    kt_db_stmt *s = kt_db_prepare(st, "SELECT minutes, minutes_by, minutes_at, minutes_rev "
                                      "FROM meetings WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    return kt_db_one_json(s, cols, out);
}

/* ---- attendance ---- */

#define ATT_SELECT                                                                                 \
    "SELECT a.id, a.person_id, coalesce(p.name, a.name), a.org_id, coalesce(o.name, a.org_name), " \
    "a.status, a.notice, a.leaves_early, a.substitute_id, coalesce(sp.name, a.substitute_name), "  \
    "so.name, a.substitute_kind, "                                                                 \
    "a.role, a.note FROM attendance a LEFT JOIN persons p ON p.id = a.person_id "                  \
    "LEFT JOIN organisations o ON o.id = a.org_id LEFT JOIN persons sp ON sp.id = "                \
    "a.substitute_id LEFT JOIN organisations so ON so.id = sp.org_id "

static const kt_db_col attendance_cols[] = {{"id", KT_COL_INT},
                                            {"person", KT_COL_INT},
                                            {"name", KT_COL_TEXT},
                                            {"org", KT_COL_INT},
                                            {"org_name", KT_COL_TEXT},
                                            {"status", KT_COL_TEXT},
                                            {"notice", KT_COL_TEXT},
                                            {"leaves_early", KT_COL_BOOL},
                                            {"substitute", KT_COL_INT},
                                            {"substitute_name", KT_COL_TEXT},
                                            {"substitute_org_name", KT_COL_TEXT},
                                            {"substitute_kind", KT_COL_TEXT},
                                            {"role", KT_COL_TEXT},
                                            {"note", KT_COL_TEXT},
                                            {NULL, 0}};

static void bind_attendance(kt_db_stmt *s, int64_t meeting, const kt_store_attendance *a,
                            int64_t by, int64_t now)
{
    kt_db_bind_int(s, 1, meeting);
    kt_db_bind_ref(s, 2, a->person);
    kt_db_bind_text(s, 3, a->person ? "" : a->name);
    kt_db_bind_ref(s, 4, a->org);
    kt_db_bind_text(s, 5, a->org_name ? a->org_name : "");
    kt_db_bind_text(s, 6, a->status);
    kt_db_bind_text(s, 7, a->notice);
    kt_db_bind_int(s, 8, a->leaves_early);
    kt_db_bind_ref(s, 9, a->substitute);
    const char *sub_name = a->substitute ? NULL : a->substitute_name;
    kt_db_bind_text(
        s, 10,
        a->substitute || sub_name ? (a->substitute_kind ? a->substitute_kind : "eenmalig") : NULL);
    kt_db_bind_text(s, 11, a->role);
    kt_db_bind_text(s, 12, a->note ? a->note : "");
    kt_db_bind_ref(s, 13, by);
    kt_db_bind_int(s, 14, now);
    kt_db_bind_text(s, 15, sub_name);
}

int kt_store_attendance_set(kt_store *st, int64_t meeting, const kt_store_attendance *a, int64_t by,
                            int64_t now, int64_t *id)
{
    kt_db_stmt *s;
    if (a->person)
        s = kt_db_prepare(
            st, "INSERT INTO attendance(meeting_id, person_id, name, org_id, org_name, status, "
                "notice, leaves_early, substitute_id, substitute_kind, role, note, updated_by, "
                "updated_at, substitute_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                "?11, ?12, ?13, ?14, ?15) "
                "ON CONFLICT(meeting_id, person_id) WHERE person_id IS NOT NULL DO UPDATE SET "
                "org_id = excluded.org_id, org_name = excluded.org_name, status = "
                "excluded.status, notice = excluded.notice, leaves_early = excluded.leaves_early, "
                "substitute_id = excluded.substitute_id, substitute_name = "
                "excluded.substitute_name, substitute_kind = "
                "excluded.substitute_kind, role = excluded.role, note = excluded.note, "
                "updated_by = excluded.updated_by, updated_at = excluded.updated_at RETURNING id");
    else
        s = kt_db_prepare(
            st, "INSERT INTO attendance(meeting_id, person_id, name, org_id, org_name, status, "
                "notice, leaves_early, substitute_id, substitute_kind, role, note, updated_by, "
                "updated_at, substitute_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                "?11, ?12, ?13, ?14, ?15) "
                "ON CONFLICT(meeting_id, name) WHERE person_id IS NULL DO UPDATE SET "
                "org_id = excluded.org_id, org_name = excluded.org_name, status = "
                "excluded.status, notice = excluded.notice, leaves_early = excluded.leaves_early, "
                "substitute_id = excluded.substitute_id, substitute_name = "
                "excluded.substitute_name, substitute_kind = "
                "excluded.substitute_kind, role = excluded.role, note = excluded.note, "
                "updated_by = excluded.updated_by, updated_at = excluded.updated_at RETURNING id");
    if (!s)
        return KT_ESTORE;
    bind_attendance(s, meeting, a, by, now);
    int rc = kt_db_one_int(s, id);
    return rc == KT_ENOTFOUND ? KT_ESTORE : rc;
}

int kt_store_attendance_list(kt_store *st, int64_t meeting, json_t *arr)
{
    kt_db_stmt *s = kt_db_prepare(
        st, kt_db_sql(st,
                      ATT_SELECT "WHERE a.meeting_id = ?1 ORDER BY coalesce(p.name, a.name) "
                                 "COLLATE NOCASE, a.id",
                      ATT_SELECT "WHERE a.meeting_id = ?1 ORDER BY lower(coalesce(p.name, "
                                 "a.name)), a.id"));
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    return kt_db_rows_json(s, attendance_cols, arr);
}

int kt_store_attendance_get(kt_store *st, int64_t meeting, int64_t person, const char *name,
                            json_t **out)
{
    kt_db_stmt *s;
    if (person) {
        s = kt_db_prepare(st, ATT_SELECT "WHERE a.meeting_id = ?1 AND a.person_id = ?2");
        if (!s)
            return KT_ESTORE;
        kt_db_bind_int(s, 2, person);
    } else {
        s = kt_db_prepare(st, ATT_SELECT
                          "WHERE a.meeting_id = ?1 AND a.person_id IS NULL AND a.name = ?2");
        if (!s)
            return KT_ESTORE;
        kt_db_bind_text(s, 2, name);
    }
    kt_db_bind_int(s, 1, meeting);
    return kt_db_one_json(s, attendance_cols, out);
}

int kt_store_attendance_remove(kt_store *st, int64_t meeting, int64_t id)
{
    kt_db_stmt *s = kt_db_prepare(st, "DELETE FROM attendance WHERE id = ?2 AND meeting_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    kt_db_bind_int(s, 2, id);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    return rc ? rc : n ? 0 : KT_ENOTFOUND;
}

int kt_store_attendance_role_clear(kt_store *st, int64_t meeting, const char *role, int64_t except,
                                   kt_ivec *cleared)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE attendance SET role = NULL WHERE meeting_id = ?1 "
                                      "AND role = ?2 AND id <> ?3 RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    kt_db_bind_text(s, 2, role);
    kt_db_bind_int(s, 3, except);
    return kt_db_ids(s, cleared);
}

int kt_store_attendance_by_id(kt_store *st, int64_t meeting, int64_t id, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(st, ATT_SELECT "WHERE a.meeting_id = ?1 AND a.id = ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    kt_db_bind_int(s, 2, id);
    return kt_db_one_json(s, attendance_cols, out);
}

int kt_store_attendance_standing(kt_store *st, int64_t meeting, json_t *arr)
{
    kt_db_stmt *s = kt_db_prepare(st, ATT_SELECT "WHERE a.meeting_id = ?1 AND a.substitute_kind "
                                                 "= 'vast' ORDER BY a.id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    return kt_db_rows_json(s, attendance_cols, arr);
}

/* ---- for the detectors ---- */

static int slots_each(kt_db_stmt *s, kt_meeting_slot_fn fn, void *arg)
{
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW) {
        kt_meeting_slot m = {.id = kt_db_int(s, 0),
                             .body = kt_db_int(s, 1),
                             .start = kt_db_int(s, 2),
                             .end = kt_db_int(s, 3)};
        snprintf(m.location, sizeof m.location, "%s", kt_db_text(s, 4));
        fn(arg, &m);
    }
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

int kt_store_meeting_slot(kt_store *st, int64_t id, kt_meeting_slot *m)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT body_id, starts_at, ends_at, location, status "
                                      "FROM meetings WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        memset(m, 0, sizeof *m);
        m->id = id;
        m->body = kt_db_int(s, 0);
        m->start = kt_db_int(s, 1);
        m->end = kt_db_int(s, 2);
        snprintf(m->location, sizeof m->location, "%s", kt_db_text(s, 3));
        m->cancelled = strcmp(kt_db_text(s, 4), "geannuleerd") == 0;
    }
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

/* The bodies that share a participating member with body: where a conflict over people can come
 * from (an organisation clash too: it needs one person in both). */
#define SHARING_BODIES                                                                             \
    "SELECT m2.body_id FROM memberships m1 JOIN memberships m2 ON m2.person_id = m1.person_id "    \
    "WHERE m1.body_id = ?1 AND m2.body_id <> ?1 AND m1.role <> 'waarnemer' AND "                   \
    "m2.role <> 'waarnemer'"

int kt_store_meetings_sharing(kt_store *st, int64_t body, int64_t from, int64_t to,
                              kt_meeting_slot_fn fn, void *arg)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT id, body_id, starts_at, ends_at, location FROM meetings WHERE body_id IN "
            "(" SHARING_BODIES ") AND starts_at < ?2 AND ends_at > ?3 AND "
            "status <> 'geannuleerd'");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, to);
    kt_db_bind_int(s, 3, from);
    return slots_each(s, fn, arg);
}

int kt_store_meetings_at(kt_store *st, const char *location, int64_t start_after,
                         int64_t start_before, int64_t ends_after, int64_t body,
                         kt_meeting_slot_fn fn, void *arg)
{
    kt_db_stmt *s = kt_db_prepare(
        st, kt_db_sql(st,
                      "SELECT id, body_id, starts_at, ends_at, location FROM meetings WHERE "
                      "starts_at < ?1 AND starts_at > ?2 AND ends_at > ?3 AND body_id <> ?4 AND "
                      "status <> 'geannuleerd' AND location = ?5 COLLATE NOCASE",
                      "SELECT id, body_id, starts_at, ends_at, location FROM meetings WHERE "
                      "starts_at < ?1 AND starts_at > ?2 AND ends_at > ?3 AND body_id <> ?4 AND "
                      "status <> 'geannuleerd' AND lower(location) = lower(CAST(?5 AS TEXT))"));
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, start_before);
    kt_db_bind_int(s, 2, start_after);
    kt_db_bind_int(s, 3, ends_after);
    kt_db_bind_int(s, 4, body);
    kt_db_bind_text(s, 5, location);
    return slots_each(s, fn, arg);
}

int kt_store_meeting_called_off(kt_store *st, int64_t body, int64_t from, int64_t to)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT 1 FROM meetings WHERE body_id = ?1 AND status = "
                                      "'geannuleerd' AND starts_at BETWEEN ?2 AND ?3");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, from);
    kt_db_bind_int(s, 3, to);
    return kt_db_exists(s);
}

int kt_store_meetings_coming(kt_store *st, int64_t body, int64_t from, int64_t to, int limit,
                             kt_ivec *out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id FROM meetings WHERE body_id = ?1 AND "
                                      "ends_at > ?2 AND starts_at < ?3 AND status <> "
                                      "'geannuleerd' ORDER BY starts_at LIMIT ?4");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, from);
    kt_db_bind_int(s, 3, to);
    kt_db_bind_int(s, 4, limit);
    kt_ivec found = {0};
    int rc = kt_db_ids(s, &found);
    for (size_t i = 0; !rc && i < found.n; i++)
        rc = kt_ivec_add(out, found.v[i]);
    kt_ivec_free(&found);
    return rc;
}

int kt_store_cadence_lasts(kt_store *st, int64_t body, int64_t to, kt_cadence_last *out, int max,
                           int *n)
{
    *n = 0;
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT b.id, b.cadence, b.location, m.starts_at, m.ends_at FROM bodies b "
            "JOIN meetings m ON m.id = (SELECT id FROM meetings WHERE body_id = b.id AND status "
            "<> 'geannuleerd' ORDER BY starts_at DESC LIMIT 1) WHERE b.id IN (" SHARING_BODIES
            ") AND b.cadence IS NOT NULL AND m.starts_at < ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, to);
    int rc = 0;
    while (*n < max && (rc = kt_db_step(s)) == KT_DB_ROW) {
        kt_cadence_last *l = &out[(*n)++];
        l->body = kt_db_int(s, 0);
        snprintf(l->cadence, sizeof l->cadence, "%s", kt_db_text(s, 1));
        snprintf(l->location, sizeof l->location, "%s", kt_db_text(s, 2));
        l->start = kt_db_int(s, 3);
        l->end = kt_db_int(s, 4);
    }
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

int kt_store_attendance_rows(kt_store *st, int64_t meeting, kt_attendance_row **out, int *n)
{
    *out = NULL;
    *n = 0;
    kt_db_stmt *s = kt_db_prepare(st, "SELECT person_id, status, substitute_id FROM attendance "
                                      "WHERE meeting_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    int rc, cap = 0;
    while ((rc = kt_db_step(s)) == KT_DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            kt_attendance_row *v = realloc(*out, (size_t)cap * sizeof *v);
            if (!v) {
                rc = KT_ENOMEM;
                break;
            }
            *out = v;
        }
        kt_attendance_row *a = &(*out)[(*n)++];
        a->person = kt_db_int(s, 0);
        snprintf(a->status, sizeof a->status, "%s", kt_db_text(s, 1));
        a->substitute = kt_db_int(s, 2);
    }
    kt_db_reset(s);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

int kt_store_meeting_starts(kt_store *st, int64_t from, int64_t to,
                            void (*fn)(void *arg, int64_t body, int64_t start), void *arg)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT body_id, starts_at FROM meetings WHERE starts_at "
                                      ">= ?1 AND starts_at < ?2 AND status <> 'geannuleerd'");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, from);
    kt_db_bind_int(s, 2, to);
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        fn(arg, kt_db_int(s, 0), kt_db_int(s, 1));
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

int kt_store_meeting_last_id(kt_store *st, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT coalesce(max(id), 0) FROM meetings");
    *id = 0;
    return s ? kt_db_one_int(s, id) : KT_ESTORE;
}

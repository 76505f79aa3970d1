#include "store/minutes.h"

#include "store/db.h"
#include "store/search.h"
#include "util/err.h"

#include <stdio.h>

int kt_store_item_notes_set(kt_store *st, int64_t item, const char *text, int64_t by, int64_t now,
                            int64_t base_rev, int64_t *rev)
{
    kt_db_stmt *s;
    if (base_rev > 0) {
        s = kt_db_prepare(st, "UPDATE item_notes SET text = ?2, updated_by = ?3, updated_at = ?4, "
                              "rev = rev + 1 WHERE item_id = ?1 AND rev = ?5 RETURNING rev");
    } else {
        /* 0: only when there are none yet; < 0: whatever there is. */
        s = kt_db_prepare(
            st, "INSERT INTO item_notes(item_id, text, updated_by, updated_at, rev) "
                "VALUES (?1, ?2, ?3, ?4, 1) ON CONFLICT(item_id) DO UPDATE SET text = "
                "excluded.text, updated_by = excluded.updated_by, updated_at = "
                "excluded.updated_at, rev = item_notes.rev + 1 WHERE ?5 < 0 RETURNING rev");
    }
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    kt_db_bind_text(s, 2, text);
    kt_db_bind_ref(s, 3, by);
    kt_db_bind_int(s, 4, now);
    kt_db_bind_int(s, 5, base_rev);
    int rc = kt_db_one_int(s, rev);
    if (!rc)
        rc = kt_store_search_refresh(st, KT_SEARCH_NOTES, item);
    return rc == KT_ENOTFOUND ? KT_ECONFLICT : rc;
}

static const kt_db_col notes_cols[] = {{"item", KT_COL_INT}, {"text", KT_COL_TEXT},
                                       {"by", KT_COL_INT},   {"at", KT_COL_TIME},
                                       {"rev", KT_COL_INT},  {NULL, 0}};

int kt_store_item_notes_get(kt_store *st, int64_t item, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT item_id, text, updated_by, updated_at, rev FROM "
                                      "item_notes WHERE item_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    return kt_db_one_json(s, notes_cols, out);
}

/* ---- versions ---- */

int kt_store_minutes_version_add(kt_store *st, int64_t meeting, const char *stage,
                                 const char *document, const char *deadline, const char *note,
                                 int64_t approved_in, int64_t by, int64_t now, int64_t *version)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "INSERT INTO minutes_versions(meeting_id, version, stage, document, deadline, note, "
            "approved_in, created_by, created_at) SELECT ?1, coalesce(max(version), 0) + 1, ?2, "
            "?3, ?4, ?5, ?6, ?7, ?8 FROM minutes_versions WHERE meeting_id = ?1 RETURNING "
            "version");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    kt_db_bind_text(s, 2, stage);
    kt_db_bind_text(s, 3, document);
    kt_db_bind_text(s, 4, deadline);
    kt_db_bind_text(s, 5, note ? note : "");
    kt_db_bind_ref(s, 6, approved_in);
    kt_db_bind_ref(s, 7, by);
    kt_db_bind_int(s, 8, now);
    int rc = kt_db_one_int(s, version);
    return rc == KT_ENOTFOUND ? KT_ESTORE : rc;
}

static const kt_db_col version_cols[] = {{"version", KT_COL_INT},
                                         {"stage", KT_COL_TEXT},
                                         {"deadline", KT_COL_TEXT},
                                         {"note", KT_COL_TEXT},
                                         {"approved_in", KT_COL_INT},
                                         {"created_by", KT_COL_INT},
                                         {"created_by_name", KT_COL_TEXT},
                                         {"created_at", KT_COL_TIME},
                                         {NULL, 0}};

int kt_store_minutes_versions(kt_store *st, int64_t meeting, json_t *arr)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT v.version, v.stage, v.deadline, v.note, v.approved_in, v.created_by, p.name, "
            "v.created_at FROM minutes_versions v LEFT JOIN persons p ON p.id = v.created_by "
            "WHERE v.meeting_id = ?1 ORDER BY v.version");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    return kt_db_rows_json(s, version_cols, arr);
}

int kt_store_minutes_version_document(kt_store *st, int64_t meeting, int64_t version, json_t **out)
{
    static const kt_db_col cols[] = {{"document", KT_COL_JSON}, {NULL, 0}};
    kt_db_stmt *s = kt_db_prepare(st, "SELECT document FROM minutes_versions WHERE meeting_id = "
                                      "?1 AND version = ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    kt_db_bind_int(s, 2, version);
    json_t *row = NULL;
    int rc = kt_db_one_json(s, cols, &row);
    if (rc)
        return rc;
    *out = json_incref(json_object_get(row, "document"));
    json_decref(row);
    return *out && json_is_object(*out) ? 0 : KT_ESTORE;
}

int kt_store_minutes_deadline(kt_store *st, int64_t meeting, char *buf, size_t n)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "SELECT coalesce(minutes_deadline, '') FROM meetings WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW)
        snprintf(buf, n, "%s", kt_db_text(s, 0));
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_store_minutes_deadline_set(kt_store *st, int64_t meeting, const char *deadline)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE meetings SET minutes_deadline = ?2 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    kt_db_bind_text(s, 2, deadline);
    return kt_db_run(s, NULL);
}

/* ---- amendments ---- */

int kt_store_amendment_add(kt_store *st, int64_t meeting, int64_t version, int64_t item,
                           int64_t person, int64_t org, const char *text, int64_t now, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "INSERT INTO minutes_amendments(meeting_id, version, item_id, person_id, org_id, "
            "text, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    kt_db_bind_int(s, 2, version);
    kt_db_bind_ref(s, 3, item);
    kt_db_bind_int(s, 4, person);
    kt_db_bind_ref(s, 5, org);
    kt_db_bind_text(s, 6, text);
    kt_db_bind_int(s, 7, now);
    int rc = kt_db_one_int(s, id);
    return rc == KT_ENOTFOUND ? KT_ESTORE : rc;
}

#define AMENDMENT_SELECT                                                                           \
    "SELECT a.id, a.meeting_id, a.version, a.item_id, i.title, a.person_id, p.name, a.org_id, "    \
    "o.name, a.text, a.status, a.decided_by, a.decided_at, a.created_at FROM minutes_amendments "  \
    "a JOIN persons p ON p.id = a.person_id LEFT JOIN organisations o ON o.id = a.org_id "         \
    "LEFT JOIN items i ON i.id = a.item_id "

static const kt_db_col amendment_cols[] = {
    {"id", KT_COL_INT},           {"meeting", KT_COL_INT},     {"version", KT_COL_INT},
    {"item", KT_COL_INT},         {"item_title", KT_COL_TEXT}, {"person", KT_COL_INT},
    {"person_name", KT_COL_TEXT}, {"org", KT_COL_INT},         {"org_name", KT_COL_TEXT},
    {"text", KT_COL_TEXT},        {"status", KT_COL_TEXT},     {"decided_by", KT_COL_INT},
    {"decided_at", KT_COL_TIME},  {"created_at", KT_COL_TIME}, {NULL, 0}};

int kt_store_amendment_get(kt_store *st, int64_t id, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(st, AMENDMENT_SELECT "WHERE a.id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_one_json(s, amendment_cols, out);
}

int kt_store_amendments_list(kt_store *st, int64_t meeting, json_t *arr)
{
    kt_db_stmt *s = kt_db_prepare(st, AMENDMENT_SELECT "WHERE a.meeting_id = ?1 ORDER BY a.id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    return kt_db_rows_json(s, amendment_cols, arr);
}

int kt_store_amendment_decide(kt_store *st, int64_t meeting, int64_t id, const char *status,
                              int64_t by, int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE minutes_amendments SET status = ?3, decided_by = "
                                      "?4, decided_at = ?5 WHERE id = ?2 AND meeting_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    kt_db_bind_int(s, 2, id);
    kt_db_bind_text(s, 3, status);
    kt_db_bind_ref(s, 4, by);
    kt_db_bind_int(s, 5, now);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    return rc ? rc : n ? 0 : KT_ENOTFOUND;
}

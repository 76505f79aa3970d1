#include "store/audit.h"

#include "store/db.h"
#include "util/err.h"

#include <stdlib.h>

#define AUDIT_SELECT                                                                               \
    "SELECT a.id, a.at, a.actor_id, p.name, a.action, a.body_id, a.subject_kind, a.subject_id, "   \
    "a.detail FROM audit a LEFT JOIN persons p ON p.id = a.actor_id "

static const kt_db_col audit_cols[] = {{"id", KT_COL_INT},
                                       {"at", KT_COL_TIME},
                                       {"actor", KT_COL_INT},
                                       {"actor_name", KT_COL_TEXT},
                                       {"action", KT_COL_TEXT},
                                       {"body", KT_COL_INT},
                                       {"subject_kind", KT_COL_TEXT},
                                       {"subject", KT_COL_INT},
                                       {"detail", KT_COL_JSON},
                                       {NULL, 0}};

int kt_store_audit_append(kt_store *st, const kt_audit_entry *e, int64_t *id)
{
    char *detail = e->detail ? json_dumps(e->detail, JSON_COMPACT) : NULL;
    if (e->detail && !detail)
        return KT_ENOMEM;
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO audit(at, actor_id, action, body_id, "
                                      "subject_kind, subject_id, detail) VALUES (?1, ?2, ?3, "
                                      "?4, ?5, ?6, ?7) RETURNING id");
    if (!s) {
        free(detail);
        return KT_ESTORE;
    }
    kt_db_bind_int(s, 1, e->at);
    kt_db_bind_ref(s, 2, e->actor);
    kt_db_bind_text(s, 3, e->action);
    kt_db_bind_ref(s, 4, e->body);
    kt_db_bind_text(s, 5, e->subject_kind);
    kt_db_bind_ref(s, 6, e->subject);
    kt_db_bind_text(s, 7, detail ? detail : "{}");
    int64_t got = 0;
    int rc = kt_db_one_int(s, &got);
    free(detail);
    if (id)
        *id = got;
    return rc;
}

int kt_store_audit_list(kt_store *st, int64_t body, int64_t before, int64_t limit, json_t *arr)
{
    kt_db_stmt *s = body ? kt_db_prepare(st, AUDIT_SELECT "WHERE a.body_id = ?1 AND a.id < ?2 "
                                                          "ORDER BY a.id DESC LIMIT ?3")
                         : kt_db_prepare(st, AUDIT_SELECT "WHERE a.body_id IS NULL AND a.id < ?2 "
                                                          "ORDER BY a.id DESC LIMIT ?3");
    if (!s)
        return KT_ESTORE;
    if (body)
        kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, before > 0 ? before : INT64_MAX);
    kt_db_bind_int(s, 3, limit);
    return kt_db_rows_json(s, audit_cols, arr);
}

int kt_store_audit_last(kt_store *st, const char *action, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(st, AUDIT_SELECT "WHERE a.body_id IS NULL AND a.action = ?1 "
                                                   "ORDER BY a.id DESC LIMIT 1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, action);
    return kt_db_one_json(s, audit_cols, out);
}

int kt_store_audit_of_person(kt_store *st, int64_t person, json_t *arr)
{
    /* A body's change log entry says what the record said (maybe under a confidential item the
     * administrator may not see): exported as the fact (who, when, which record), not its
     * content. */
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT a.id, a.at, a.actor_id, p.name, a.action, a.body_id, a.subject_kind, "
            "a.subject_id, CASE WHEN a.body_id IS NULL THEN a.detail ELSE NULL END "
            "FROM audit a LEFT JOIN persons p ON p.id = a.actor_id "
            "WHERE (a.subject_kind = 'person' AND a.subject_id = ?1) OR a.actor_id = ?1 "
            "ORDER BY a.id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    return kt_db_rows_json(s, audit_cols, arr);
}

int kt_store_audit_last_detail(kt_store *st, int64_t body, const char *subject_kind,
                               int64_t subject, json_t **detail)
{
    static const kt_db_col cols[] = {{"detail", KT_COL_JSON}, {NULL, 0}};
    *detail = NULL;
    kt_db_stmt *s = kt_db_prepare(st, "SELECT a.detail FROM audit a WHERE a.subject_kind = ?1 "
                                      "AND a.subject_id = ?2 AND a.body_id = ?3 "
                                      "ORDER BY a.id DESC LIMIT 1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, subject_kind);
    kt_db_bind_int(s, 2, subject);
    kt_db_bind_int(s, 3, body);
    json_t *row = NULL;
    int rc = kt_db_one_json(s, cols, &row);
    if (rc == KT_ENOTFOUND)
        return 0;
    if (!rc)
        *detail = json_incref(json_object_get(row, "detail"));
    json_decref(row);
    return rc;
}

int kt_store_audit_of_subject(kt_store *st, int64_t body, const char *subject_kind, int64_t subject,
                              int64_t before, int64_t limit, json_t *arr)
{
    kt_db_stmt *s = kt_db_prepare(st, AUDIT_SELECT "WHERE a.subject_kind = ?1 AND "
                                                   "a.subject_id = ?2 AND a.body_id = ?3 AND "
                                                   "a.id < ?4 ORDER BY a.id DESC LIMIT ?5");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, subject_kind);
    kt_db_bind_int(s, 2, subject);
    kt_db_bind_int(s, 3, body);
    kt_db_bind_int(s, 4, before > 0 ? before : INT64_MAX);
    kt_db_bind_int(s, 5, limit);
    return kt_db_rows_json(s, audit_cols, arr);
}

/* The meeting's parts; NAMED: an attendance entry whose detail names meeting ?2. */
#define MEETING_PARTS(NAMED)                                                                       \
    AUDIT_SELECT "WHERE a.body_id = ?1 AND ("                                                      \
                 "(a.subject_kind IN ('agenda', 'minutes') AND a.subject_id = ?2) OR "             \
                 "(a.subject_kind = 'attendance' AND (" NAMED " OR a.subject_id IN "               \
                 "(SELECT id FROM attendance WHERE meeting_id = ?2))) OR "                         \
                 "(a.subject_kind = 'amendment' AND a.subject_id IN "                              \
                 "(SELECT id FROM minutes_amendments WHERE meeting_id = ?2))) "                    \
                 "AND a.id < ?4 ORDER BY a.id DESC LIMIT ?3"

int kt_store_audit_of_meeting_parts(kt_store *st, int64_t body, int64_t meeting, int64_t before,
                                    int64_t limit, json_t *arr)
{
    /* An attendance line's entries name its meeting in their detail (domain/audit.c); entries
     * written before they did are found through the lines still there. */
    kt_db_stmt *s = kt_db_prepare(
        st, kt_db_sql(st, MEETING_PARTS("json_extract(a.detail, '$.meeting') = ?2"),
                      MEETING_PARTS("CAST(CAST(a.detail AS jsonb) ->> 'meeting' AS BIGINT) = ?2")));
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, meeting);
    kt_db_bind_int(s, 3, limit);
    kt_db_bind_int(s, 4, before > 0 ? before : INT64_MAX);
    return kt_db_rows_json(s, audit_cols, arr);
}

int kt_store_audit_of_item_amendments(kt_store *st, int64_t body, int64_t item, int64_t before,
                                      int64_t limit, json_t *arr)
{
    kt_db_stmt *s = kt_db_prepare(st, AUDIT_SELECT "WHERE a.body_id = ?1 AND a.subject_kind = "
                                                   "'amendment' AND a.subject_id IN (SELECT id "
                                                   "FROM minutes_amendments WHERE item_id = ?2) "
                                                   "AND a.id < ?4 ORDER BY a.id DESC LIMIT ?3");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, item);
    kt_db_bind_int(s, 3, limit);
    kt_db_bind_int(s, 4, before > 0 ? before : INT64_MAX);
    return kt_db_rows_json(s, audit_cols, arr);
}

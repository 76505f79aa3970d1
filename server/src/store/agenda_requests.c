/* Agenderingsverzoeken and referrals; see agenda_requests.h. */
#include "store/agenda_requests.h"

#include "store/db.h"
#include "util/err.h"

int kt_store_agenda_request_insert(kt_store *st, const kt_agenda_request_new *r, int64_t now,
                                   int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "INSERT INTO agenda_requests(body_id, kind, requester_id, title, description, "
            "meeting_id, source_body_id, source_item_id, created_at) VALUES (?1, ?2, ?3, ?4, "
            "?5, ?6, ?7, ?8, ?9) RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, r->body);
    kt_db_bind_text(s, 2, r->kind);
    kt_db_bind_int(s, 3, r->requester);
    kt_db_bind_text(s, 4, r->title);
    kt_db_bind_text(s, 5, r->description ? r->description : "");
    kt_db_bind_ref(s, 6, r->meeting);
    kt_db_bind_ref(s, 7, r->source_body);
    kt_db_bind_ref(s, 8, r->source_item);
    kt_db_bind_int(s, 9, now);
    int rc = kt_db_one_int(s, id);
    return rc == KT_ENOTFOUND ? KT_ESTORE : rc;
}

#define REQUEST_SELECT                                                                             \
    "SELECT r.id, r.body_id, b.name, r.kind, r.requester_id, p.name, r.title, r.description, "     \
    "r.meeting_id, m.starts_at, r.source_body_id, sb.name, r.source_item_id, r.status, "           \
    "r.reason, r.item_id, i.meeting_id, r.decided_by, r.decided_at, r.created_at FROM "            \
    "agenda_requests r JOIN bodies b ON b.id = r.body_id JOIN persons p ON p.id = "                \
    "r.requester_id LEFT JOIN meetings m ON m.id = r.meeting_id LEFT JOIN bodies sb ON sb.id = "   \
    "r.source_body_id LEFT JOIN items i ON i.id = r.item_id "

static const kt_db_col request_cols[] = {{"id", KT_COL_INT},
                                         {"body", KT_COL_INT},
                                         {"body_name", KT_COL_TEXT},
                                         {"kind", KT_COL_TEXT},
                                         {"requester", KT_COL_INT},
                                         {"requester_name", KT_COL_TEXT},
                                         {"title", KT_COL_TEXT},
                                         {"description", KT_COL_TEXT},
                                         {"meeting", KT_COL_INT},
                                         {"meeting_start", KT_COL_TIME},
                                         {"source_body", KT_COL_INT},
                                         {"source_body_name", KT_COL_TEXT},
                                         {"source_item", KT_COL_INT},
                                         {"status", KT_COL_TEXT},
                                         {"reason", KT_COL_TEXT},
                                         {"item", KT_COL_INT},
                                         {"item_meeting", KT_COL_INT},
                                         {"decided_by", KT_COL_INT},
                                         {"decided_at", KT_COL_TIME},
                                         {"created_at", KT_COL_TIME},
                                         {NULL, 0}};

int kt_store_agenda_request_get(kt_store *st, int64_t id, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(st, REQUEST_SELECT "WHERE r.id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_one_json(s, request_cols, out);
}

int kt_store_agenda_requests_to(kt_store *st, int64_t body, int limit, json_t *arr)
{
    kt_db_stmt *s =
        kt_db_prepare(st, REQUEST_SELECT "WHERE r.body_id = ?1 ORDER BY r.id DESC LIMIT ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, limit);
    return kt_db_rows_json(s, request_cols, arr);
}

int kt_store_agenda_requests_from(kt_store *st, int64_t body, int limit, json_t *arr)
{
    kt_db_stmt *s =
        kt_db_prepare(st, REQUEST_SELECT "WHERE r.source_body_id = ?1 ORDER BY r.id DESC LIMIT ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, limit);
    return kt_db_rows_json(s, request_cols, arr);
}

int kt_store_agenda_requests_of_item(kt_store *st, int64_t item, kt_ivec *out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id FROM agenda_requests WHERE source_item_id = ?1 "
                                      "UNION SELECT id FROM agenda_requests WHERE item_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    return kt_db_ids(s, out);
}

int kt_store_agenda_request_decide(kt_store *st, int64_t id, const char *status, const char *reason,
                                   int64_t item, int64_t by, int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "UPDATE agenda_requests SET status = ?2, reason = ?3, item_id = ?4, decided_by = ?5, "
            "decided_at = ?6 WHERE id = ?1 AND status = 'ingediend'");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_text(s, 2, status);
    kt_db_bind_text(s, 3, reason ? reason : "");
    kt_db_bind_ref(s, 4, item);
    kt_db_bind_ref(s, 5, by);
    kt_db_bind_int(s, 6, now);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    if (rc || n)
        return rc;
    s = kt_db_prepare(st, "SELECT 1 FROM agenda_requests WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    rc = kt_db_exists(s);
    return rc == 0 ? KT_ESTATE : rc;
}

int kt_store_agenda_request_pending(kt_store *st, int64_t item, int64_t body)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT 1 FROM agenda_requests WHERE source_item_id = ?1 "
                                      "AND body_id = ?2 AND status = 'ingediend'");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    kt_db_bind_int(s, 2, body);
    return kt_db_exists(s);
}

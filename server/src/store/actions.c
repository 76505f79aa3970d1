#include "store/actions.h"

#include "store/db.h"
#include "store/search.h"
#include "util/err.h"
#include "util/ivec.h"

static void bind_fields(kt_db_stmt *s, const kt_store_action_fields *f)
{
    kt_db_bind_text(s, 2, f->kind);
    kt_db_bind_text(s, 3, f->text);
    kt_db_bind_ref(s, 4, f->owner);
    kt_db_bind_ref(s, 5, f->owner_org);
    kt_db_bind_text(s, 6, f->due);
    kt_db_bind_text(s, 7, f->status);
    kt_db_bind_text(s, 8, f->decided_on);
}

int kt_store_action_insert(kt_store *st, int64_t body, const kt_store_action_fields *f,
                           int64_t item, int64_t meeting, int64_t by, int64_t now, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "INSERT INTO actions(body_id, kind, text, owner_person_id, owner_org_id, due_date, "
            "status, decided_on, origin_item_id, meeting_id, created_by, created_at, updated_at, "
            "updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?11) "
            "RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    bind_fields(s, f);
    kt_db_bind_ref(s, 9, item);
    kt_db_bind_ref(s, 10, meeting);
    kt_db_bind_ref(s, 11, by);
    kt_db_bind_int(s, 12, now);
    int rc = kt_db_one_int(s, id);
    return rc == KT_ENOTFOUND ? KT_ESTORE : rc;
}

int kt_store_action_update(kt_store *st, int64_t id, const kt_store_action_fields *f, int64_t by,
                           int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "UPDATE actions SET kind = ?2, text = ?3, owner_person_id = ?4, owner_org_id = ?5, "
            "due_date = ?6, status = ?7, decided_on = ?8, updated_at = ?9, updated_by = ?10 "
            "WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    bind_fields(s, f);
    kt_db_bind_int(s, 9, now);
    kt_db_bind_ref(s, 10, by);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    if (!rc && n)
        rc = kt_store_search_refresh(st, KT_SEARCH_ACTION, id);
    return rc ? rc : n ? 0 : KT_ENOTFOUND;
}

static const kt_db_col action_cols[] = {{"id", KT_COL_INT},
                                        {"body", KT_COL_INT},
                                        {"kind", KT_COL_TEXT},
                                        {"text", KT_COL_TEXT},
                                        {"owner", KT_COL_INT},
                                        {"owner_org", KT_COL_INT},
                                        {"due", KT_COL_TEXT},
                                        {"status", KT_COL_TEXT},
                                        {"decided_on", KT_COL_TEXT},
                                        {"item", KT_COL_INT},
                                        {"meeting", KT_COL_INT},
                                        {"created_by", KT_COL_INT},
                                        {"created_at", KT_COL_TIME},
                                        {"updated_at", KT_COL_TIME},
                                        {"body_name", KT_COL_TEXT},
                                        {"item_title", KT_COL_TEXT},
                                        {"item_meeting", KT_COL_INT},
                                        {"updated_by", KT_COL_INT},
                                        {NULL, 0}};

int kt_store_action_get(kt_store *st, int64_t id, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(
        st,
        "SELECT a.id, a.body_id, a.kind, a.text, a.owner_person_id, a.owner_org_id, "
        "a.due_date, a.status, a.decided_on, a.origin_item_id, a.meeting_id, a.created_by, "
        "a.created_at, a.updated_at, b.name, i.title, i.meeting_id, a.updated_by FROM actions a "
        "JOIN bodies b ON b.id = a.body_id LEFT JOIN items i ON i.id = a.origin_item_id "
        "WHERE a.id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_one_json(s, action_cols, out);
}

int kt_store_actions_find(kt_store *st, const kt_store_action_query *q, kt_ivec *ids,
                          kt_ivec *bodies)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT a.id, a.body_id FROM actions a JOIN memberships m ON m.body_id = a.body_id "
            "AND m.person_id = ?1 WHERE (a.body_id = ?2 OR ?2 IS NULL) "
            "AND (a.status = ?3 OR ?3 IS NULL) "
            "AND (?4 = 0 OR a.owner_person_id = ?1 OR a.owner_org_id = ?5) "
            "AND (a.owner_person_id = ?6 OR ?6 IS NULL) "
            "AND ((a.due_date < ?7 AND a.status IN ('open', 'lopend')) OR ?7 IS NULL) "
            "AND (?10 = 0 OR a.due_date > ?9 OR (a.due_date = ?9 AND a.id > ?10) OR "
            "(a.due_date IS NULL AND ?9 IS NOT NULL) OR (a.due_date IS NULL AND ?9 IS NULL AND "
            "a.id > ?10)) "
            "ORDER BY a.due_date IS NULL, a.due_date, a.id LIMIT ?8");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, q->member);
    kt_db_bind_ref(s, 2, q->body);
    kt_db_bind_text(s, 3, q->status);
    kt_db_bind_int(s, 4, q->mine);
    kt_db_bind_int(s, 5, q->mine_org);
    kt_db_bind_ref(s, 6, q->owner);
    kt_db_bind_text(s, 7, q->overdue);
    kt_db_bind_int(s, 8, q->limit > 0 ? q->limit : 2000);
    kt_db_bind_text(s, 9, q->after_due);
    kt_db_bind_int(s, 10, q->after_id);
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        if (kt_ivec_push(ids, kt_db_int(s, 0)) || kt_ivec_push(bodies, kt_db_int(s, 1))) {
            rc = KT_ENOMEM;
            break;
        }
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

int kt_store_actions_of_meeting(kt_store *st, int64_t meeting, kt_ivec *ids)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT id FROM actions WHERE meeting_id = ?1 UNION SELECT a.id FROM items i "
            "JOIN actions a ON a.origin_item_id = i.id WHERE i.meeting_id = ?1 ORDER BY 1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    return kt_db_ids(s, ids);
}

int kt_store_actions_open_of_body(kt_store *st, int64_t body, int limit, kt_ivec *ids)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id FROM actions WHERE body_id = ?1 AND status IN "
                                      "('open', 'lopend') ORDER BY due_date IS NULL, due_date, "
                                      "id LIMIT ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, limit);
    return kt_db_ids(s, ids);
}

int kt_store_action_where(kt_store *st, int64_t id, int64_t *body, int64_t *item)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT body_id, origin_item_id FROM actions WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        *body = kt_db_int(s, 0);
        *item = kt_db_int(s, 1);
    }
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_store_actions_due(kt_store *st, const char *horizon, kt_ivec *ids, kt_ivec *owners)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id, owner_person_id FROM actions WHERE status IN "
                                      "('open', 'lopend') AND owner_person_id IS NOT NULL AND "
                                      "due_date IS NOT NULL AND due_date <= ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, horizon);
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        if (kt_ivec_push(ids, kt_db_int(s, 0)) || kt_ivec_push(owners, kt_db_int(s, 1))) {
            rc = KT_ENOMEM;
            break;
        }
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

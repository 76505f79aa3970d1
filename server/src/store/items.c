#include "store/items.h"

#include "store/db.h"
#include "store/flags.h"
#include "store/search.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

int kt_store_item_place(kt_store *st, int64_t item, int64_t *body, int64_t *meeting)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT body_id, meeting_id FROM items WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        *body = kt_db_int(s, 0);
        *meeting = kt_db_int(s, 1);
    }
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

/* Appends the first column of every row to *out (realloc'd). */
static int load_ids(kt_db_stmt *s, int64_t **out, int *n)
{
    kt_ivec v = {0};
    int rc = kt_db_ids(s, &v);
    if (rc) {
        kt_ivec_free(&v);
        return rc;
    }
    *out = v.v;
    *n = (int)v.n;
    return 0;
}

int kt_store_item_vis(kt_store *st, int64_t item, kt_vis *out)
{
    memset(out, 0, sizeof *out);
    kt_db_stmt *s = kt_db_prepare(st, "SELECT confidential FROM items WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    int64_t conf = 0;
    int rc = kt_db_one_int(s, &conf);
    if (rc)
        return rc;
    out->item = item;
    out->confidential = conf != 0;
    if (!out->confidential)
        return 0;
    s = kt_db_prepare(st, "SELECT org_id FROM item_orgs WHERE item_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    rc = load_ids(s, &out->orgs, &out->n_orgs);
    if (!rc) {
        s = kt_db_prepare(st, "SELECT person_id FROM item_persons WHERE item_id = ?1");
        if (!s)
            rc = KT_ESTORE;
        else {
            kt_db_bind_int(s, 1, item);
            rc = load_ids(s, &out->persons, &out->n_persons);
        }
    }
    if (rc)
        kt_vis_clear(out);
    return rc;
}

int kt_store_item_recurring(kt_store *st, int64_t item, bool *recurring)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT recurring FROM items WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    int64_t v = 0;
    int rc = kt_db_one_int(s, &v);
    *recurring = v != 0;
    return rc;
}

/* ---- reading ---- */

#define ITEM_SELECT                                                                                \
    "SELECT i.id, i.body_id, i.meeting_id, i.position, i.title, i.description, i.presenter_id, "   \
    "i.duration_min, i.kind, i.recurring, i.confidential, i.status, i.created_by, i.updated_at, "  \
    "i.attachments, i.special, i.minutes_of FROM items i "

static const kt_db_col item_cols[] = {
    {"id", KT_COL_INT},         {"body", KT_COL_INT},          {"meeting", KT_COL_INT},
    {"position", KT_COL_INT},   {"title", KT_COL_TEXT},        {"description", KT_COL_TEXT},
    {"presenter", KT_COL_INT},  {"duration", KT_COL_INT},      {"kind", KT_COL_TEXT},
    {"recurring", KT_COL_BOOL}, {"confidential", KT_COL_BOOL}, {"status", KT_COL_TEXT},
    {"created_by", KT_COL_INT}, {"updated_at", KT_COL_TIME},   {"attachments", KT_COL_JSON},
    {"special", KT_COL_TEXT},   {"minutes_of", KT_COL_INT},    {NULL, 0}};

/* Completes an item row: attachments as an array, its relevant organisations, and for a
 * confidential item the persons who may see it. */
static int item_complete(kt_store *st, json_t *j)
{
    if (!json_is_array(json_object_get(j, "attachments")))
        json_object_set_new(j, "attachments", json_array());
    int64_t id = json_integer_value(json_object_get(j, "id"));
    static const kt_db_col rel_cols[] = {
        {"org", KT_COL_INT}, {"org_name", KT_COL_TEXT}, {"reason", KT_COL_TEXT}, {NULL, 0}};
    json_t *relevant = json_array(), *persons = json_array();
    json_object_set_new(j, "relevant", relevant);
    json_object_set_new(j, "persons", persons);
    kt_db_stmt *s = kt_db_prepare(st, "SELECT io.org_id, o.name, io.reason FROM item_orgs io "
                                      "JOIN organisations o ON o.id = io.org_id "
                                      "WHERE io.item_id = ?1 ORDER BY o.name");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    int rc = kt_db_rows_json(s, rel_cols, relevant);
    if (rc || !json_is_true(json_object_get(j, "confidential")))
        return rc;
    s = kt_db_prepare(st, "SELECT person_id FROM item_persons WHERE item_id = ?1 "
                          "ORDER BY person_id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        json_array_append_new(persons, json_integer(kt_db_int(s, 0)));
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

int kt_store_item_get(kt_store *st, int64_t item, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(st, ITEM_SELECT "WHERE i.id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    int rc = kt_db_one_json(s, item_cols, out);
    if (!rc && (rc = item_complete(st, *out))) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

json_t *kt_item_placeholder(json_t *item)
{
    return json_pack("{s:O, s:O, s:O, s:O, s:O, s:b, s:b}", "id", json_object_get(item, "id"),
                     "body", json_object_get(item, "body"), "meeting",
                     json_object_get(item, "meeting"), "position",
                     json_object_get(item, "position"), "duration",
                     json_object_get(item, "duration"), "confidential", 1, "placeholder", 1);
}

/* Keeps the items of arr (from index first on) as v may see them (kt_acl_sight): whole, as a
 * placeholder (with placeholders), or not at all. */
static int keep_visible_items(kt_store *st, json_t *arr, size_t first, const kt_viewer *v,
                              bool placeholders)
{
    for (size_t i = first; i < json_array_size(arr);) {
        json_t *it = json_array_get(arr, i);
        int64_t id = json_integer_value(json_object_get(it, "id"));
        kt_vis vis = {.item = id};
        if (json_is_true(json_object_get(it, "confidential"))) {
            int rc = kt_store_item_vis(st, id, &vis);
            if (rc)
                return rc;
        }
        kt_sight sight = kt_acl_sight(v, &vis);
        kt_vis_clear(&vis);
        if (sight == KT_SIGHT_FULL) {
            i++;
        } else if (sight == KT_SIGHT_PLACEHOLDER && placeholders) {
            json_array_set_new(arr, i, kt_item_placeholder(it));
            i++;
        } else {
            json_array_remove(arr, i);
        }
    }
    return 0;
}

/* keep_visible_items() on a whole list in position order, after which the items are numbered
 * 1..n as v sees them: when some are left out, their true positions would show a gap where an
 * item v may not see is (issue 11). Placeholders keep their places. */
static int keep_visible(kt_store *st, json_t *arr, size_t first, const kt_viewer *v,
                        bool placeholders)
{
    int rc = keep_visible_items(st, arr, first, v, placeholders);
    bool gaps = false;
    for (size_t i = first; !rc && !gaps && i < json_array_size(arr); i++)
        gaps = json_integer_value(json_object_get(json_array_get(arr, i), "position")) !=
               (json_int_t)(i - first + 1);
    for (size_t i = first; gaps && i < json_array_size(arr); i++)
        json_object_set_new(json_array_get(arr, i), "position",
                            json_integer((json_int_t)(i - first + 1)));
    return rc;
}

int kt_store_items_list(kt_store *st, int64_t body, int64_t meeting, const kt_viewer *v,
                        json_t *arr)
{
    kt_db_stmt *s =
        meeting ? kt_db_prepare(st, ITEM_SELECT "WHERE i.meeting_id = ?1 "
                                                "ORDER BY i.position, i.id")
                : kt_db_prepare(st, ITEM_SELECT "WHERE i.body_id = ?1 AND "
                                                "i.meeting_id IS NULL ORDER BY i.position, i.id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting ? meeting : body);
    size_t first = json_array_size(arr);
    int rc = kt_db_rows_json(s, item_cols, arr);
    if (!rc)
        rc = keep_visible(st, arr, first, v, true);
    for (size_t i = first; !rc && i < json_array_size(arr); i++)
        if (!json_is_true(json_object_get(json_array_get(arr, i), "placeholder")))
            rc = item_complete(st, json_array_get(arr, i));
    return rc;
}

int kt_store_items_page(kt_store *st, int64_t body, int64_t meeting, const kt_viewer *v,
                        int64_t from, int limit, json_t *arr, bool *more)
{
    *more = false;
    json_t *all = json_array();
    if (!all)
        return KT_ENOMEM;
    kt_db_stmt *s =
        meeting ? kt_db_prepare(st, ITEM_SELECT "WHERE i.meeting_id = ?1 "
                                                "ORDER BY i.position, i.id")
                : kt_db_prepare(st, ITEM_SELECT "WHERE i.body_id = ?1 AND "
                                                "i.meeting_id IS NULL ORDER BY i.position, i.id");
    if (!s) {
        json_decref(all);
        return KT_ESTORE;
    }
    kt_db_bind_int(s, 1, meeting ? meeting : body);
    int rc = kt_db_rows_json(s, item_cols, all);
    if (!rc)
        rc = keep_visible(st, all, 0, v, true);
    size_t n = json_array_size(all);
    for (size_t i = (size_t)from; !rc && i < n && i < (size_t)from + (size_t)limit; i++) {
        json_t *it = json_array_get(all, i);
        if (!json_is_true(json_object_get(it, "placeholder")))
            rc = item_complete(st, it);
        if (!rc)
            rc = json_array_append(arr, it) ? KT_ENOMEM : 0;
    }
    if (!rc)
        *more = (size_t)from + (size_t)limit < n;
    json_decref(all);
    return rc;
}

int kt_store_items_titles(kt_store *st, int64_t meeting, const kt_viewer *v, json_t *arr)
{
    static const kt_db_col cols[] = {
        {"id", KT_COL_INT}, {"title", KT_COL_TEXT}, {"confidential", KT_COL_BOOL}, {NULL, 0}};
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id, title, confidential FROM items WHERE "
                                      "meeting_id = ?1 ORDER BY position, id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    size_t first = json_array_size(arr);
    int rc = kt_db_rows_json(s, cols, arr);
    if (!rc)
        rc = keep_visible_items(st, arr, first, v, false); /* titles: what v sees whole */
    for (size_t i = first; i < json_array_size(arr); i++)
        json_object_del(json_array_get(arr, i), "confidential");
    return rc;
}

int kt_store_items_of_meeting(kt_store *st, int64_t meeting, int64_t after, int limit, kt_ivec *out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id FROM items WHERE meeting_id = ?1 AND id > ?2 "
                                      "ORDER BY id LIMIT ?3");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    kt_db_bind_int(s, 2, after);
    kt_db_bind_int(s, 3, limit);
    return kt_db_ids(s, out);
}

/* ---- order ---- */

int kt_store_item_slots(kt_store *st, int64_t body, int64_t meeting, kt_item_slot **out, int *n)
{
    *out = NULL;
    *n = 0;
    kt_db_stmt *s = meeting ? kt_db_prepare(st, "SELECT id, position, confidential FROM items "
                                                "WHERE meeting_id = ?1 ORDER BY position, id")
                            : kt_db_prepare(st, "SELECT id, position, confidential FROM items "
                                                "WHERE body_id = ?1 AND meeting_id IS NULL "
                                                "ORDER BY position, id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting ? meeting : body);
    int rc, cap = 0;
    while ((rc = kt_db_step(s)) == KT_DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            kt_item_slot *v = realloc(*out, (size_t)cap * sizeof *v);
            if (!v) {
                rc = KT_ENOMEM;
                break;
            }
            *out = v;
        }
        (*out)[(*n)++] = (kt_item_slot){kt_db_int(s, 0), kt_db_int(s, 1), kt_db_int(s, 2) != 0};
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

int kt_store_item_last_position(kt_store *st, int64_t body, int64_t meeting, int64_t *pos)
{
    kt_db_stmt *s = meeting
                        ? kt_db_prepare(st, "SELECT coalesce(max(position), 0) FROM items WHERE "
                                            "meeting_id = ?1")
                        /* the first in position order, newest first (items_backlog):
                           PostgreSQL plans max() over all of them when its statistics lag */
                        : kt_db_prepare(st, "SELECT coalesce((SELECT position FROM items WHERE "
                                            "body_id = ?1 AND meeting_id IS NULL ORDER BY "
                                            "position DESC LIMIT 1), 0)");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting ? meeting : body);
    *pos = 0;
    return kt_db_one_int(s, pos);
}

int kt_store_item_set_position(kt_store *st, int64_t item, int64_t pos, int64_t meeting)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "UPDATE items SET position = ?2, meeting_id = ?3 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    kt_db_bind_int(s, 2, pos);
    kt_db_bind_ref(s, 3, meeting);
    return kt_db_run(s, NULL);
}

int kt_store_items_shift(kt_store *st, int64_t body, int64_t meeting, int64_t from, int64_t to,
                         int64_t by)
{
    /* position only: no search queue trigger fires (search_q_item_upd watches title,
     * description and body_id; where an item is, is read from its row when a search runs) */
    kt_db_stmt *s = meeting ? kt_db_prepare(st, "UPDATE items SET position = -(position + ?4) "
                                                "WHERE meeting_id = ?1 AND position BETWEEN ?2 "
                                                "AND ?3")
                            : kt_db_prepare(st, "UPDATE items SET position = -(position + ?4) "
                                                "WHERE body_id = ?1 AND meeting_id IS NULL AND "
                                                "position BETWEEN ?2 AND ?3");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting ? meeting : body);
    kt_db_bind_int(s, 2, from);
    kt_db_bind_int(s, 3, to);
    kt_db_bind_int(s, 4, by);
    return kt_db_run(s, NULL);
}

int kt_store_items_settle(kt_store *st, int64_t body, int64_t meeting)
{
    kt_db_stmt *s = meeting ? kt_db_prepare(st, "UPDATE items SET position = -position "
                                                "WHERE meeting_id = ?1 AND position < 0")
                            : kt_db_prepare(st, "UPDATE items SET position = -position "
                                                "WHERE body_id = ?1 AND meeting_id IS NULL AND "
                                                "position < 0");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting ? meeting : body);
    return kt_db_run(s, NULL);
}

/* ---- changes ---- */

static void bind_opt_int(kt_db_stmt *s, int i, int64_t v)
{
    if (v >= 0)
        kt_db_bind_int(s, i, v);
    else
        kt_db_bind_null(s, i);
}

int kt_store_item_insert(kt_store *st, const kt_item_fields *f, int64_t now, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "INSERT INTO items(body_id, meeting_id, position, title, description, presenter_id, "
            "duration_min, kind, recurring, confidential, created_by, created_at, updated_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12) RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, f->body);
    kt_db_bind_ref(s, 2, f->meeting);
    kt_db_bind_int(s, 3, f->position);
    kt_db_bind_text(s, 4, f->title);
    kt_db_bind_text(s, 5, f->description ? f->description : "");
    kt_db_bind_ref(s, 6, f->presenter);
    kt_db_bind_int(s, 7, f->duration > 0 ? f->duration : 0);
    kt_db_bind_text(s, 8, f->kind ? f->kind : "bespreking");
    kt_db_bind_int(s, 9, f->recurring > 0);
    kt_db_bind_int(s, 10, f->confidential > 0);
    kt_db_bind_ref(s, 11, f->created_by);
    kt_db_bind_int(s, 12, now);
    return kt_db_one_int(s, id);
}

int kt_store_item_update(kt_store *st, int64_t id, const kt_item_fields *f, int64_t now)
{
    /* Its confidentiality before, when it may change: its flags follow (store/flags.h). */
    int64_t was = -1;
    if (f->confidential >= 0) {
        kt_db_stmt *q = kt_db_prepare(st, "SELECT confidential FROM items WHERE id = ?1");
        if (!q)
            return KT_ESTORE;
        kt_db_bind_int(q, 1, id);
        int qrc = kt_db_one_int(q, &was);
        if (qrc)
            return qrc; /* KT_ENOTFOUND: no such item */
    }
    kt_db_stmt *s = kt_db_prepare(
        st, "UPDATE items SET title = coalesce(?2, title), description = coalesce(?3, "
            "description), presenter_id = CASE WHEN ?10 = 1 THEN ?4 ELSE presenter_id END, "
            "duration_min = coalesce(?5, duration_min), kind = coalesce(?6, kind), "
            "recurring = coalesce(?7, recurring), confidential = coalesce(?8, confidential), "
            "status = coalesce(?9, status), updated_at = ?11 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_text(s, 2, f->title);
    kt_db_bind_text(s, 3, f->description);
    kt_db_bind_ref(s, 4, f->presenter);
    bind_opt_int(s, 5, f->duration);
    kt_db_bind_text(s, 6, f->kind);
    bind_opt_int(s, 7, f->recurring);
    bind_opt_int(s, 8, f->confidential);
    kt_db_bind_text(s, 9, f->status);
    kt_db_bind_int(s, 10, f->set_presenter);
    kt_db_bind_int(s, 11, now);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    if (!rc && n && (f->title || f->description))
        rc = kt_store_search_refresh(st, KT_SEARCH_ITEM, id);
    if (!rc && n && was >= 0 && was != f->confidential)
        rc = kt_store_flags_item_marks(st, id, f->confidential > 0, false);
    return rc ? rc : n ? 0 : KT_ENOTFOUND;
}

int kt_store_item_delete(kt_store *st, int64_t id)
{
    kt_db_stmt *s = kt_db_prepare(st, "DELETE FROM items WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    return rc ? rc : n ? 0 : KT_ENOTFOUND;
}

int kt_store_item_attachments_set(kt_store *st, int64_t id, const char *json)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE items SET attachments = ?2 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_text(s, 2, json);
    return kt_db_run(s, NULL);
}

int kt_store_item_orgs_clear(kt_store *st, int64_t id)
{
    kt_db_stmt *s = kt_db_prepare(st, "DELETE FROM item_orgs WHERE item_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_run(s, NULL);
}

int kt_store_item_org_add(kt_store *st, int64_t id, int64_t org, const char *reason)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "INSERT INTO item_orgs(item_id, org_id, reason) VALUES (?1, ?2, ?3)");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_int(s, 2, org);
    kt_db_bind_text(s, 3, reason ? reason : "");
    return kt_db_run(s, NULL);
}

int kt_store_item_persons_clear(kt_store *st, int64_t id)
{
    kt_db_stmt *s = kt_db_prepare(st, "DELETE FROM item_persons WHERE item_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_run(s, NULL);
}

int kt_store_item_person_add(kt_store *st, int64_t id, int64_t person)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO item_persons(item_id, person_id) VALUES "
                                      "(?1, ?2) ON CONFLICT DO NOTHING");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_int(s, 2, person);
    return kt_db_run(s, NULL);
}

int kt_store_item_audience_copy(kt_store *st, int64_t from, int64_t to)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO item_orgs(item_id, org_id, reason) SELECT ?2, "
                                      "org_id, reason FROM item_orgs WHERE item_id = ?1 "
                                      "ON CONFLICT DO NOTHING");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, from);
    kt_db_bind_int(s, 2, to);
    int rc = kt_db_run(s, NULL);
    if (rc)
        return rc;
    s = kt_db_prepare(st, "INSERT INTO item_persons(item_id, person_id) SELECT ?2, person_id "
                          "FROM item_persons WHERE item_id = ?1 ON CONFLICT DO NOTHING");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, from);
    kt_db_bind_int(s, 2, to);
    return kt_db_run(s, NULL);
}

int kt_store_item_rehome(kt_store *st, int64_t item, int64_t body, int64_t meeting, int64_t pos,
                         int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE items SET body_id = ?2, meeting_id = ?3, position = "
                                      "?4, updated_at = ?5 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    kt_db_bind_int(s, 2, body);
    kt_db_bind_ref(s, 3, meeting);
    kt_db_bind_int(s, 4, pos);
    kt_db_bind_int(s, 5, now);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    if (!rc && n) /* found in its new body at once */
        rc = kt_store_search_refresh(st, KT_SEARCH_ITEM, item);
    return rc ? rc : n ? 0 : KT_ENOTFOUND;
}

int kt_store_item_keep_author(kt_store *st, int64_t id, int64_t person)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO item_persons(item_id, person_id) SELECT id, "
                                      "?2 FROM items WHERE id = ?1 AND confidential = 1 "
                                      "ON CONFLICT DO NOTHING");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_int(s, 2, person);
    return kt_db_run(s, NULL);
}

int kt_store_item_has_actions(kt_store *st, int64_t id)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT 1 FROM actions WHERE origin_item_id = ?1 LIMIT 1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_exists(s);
}

/* ---- for the detectors ---- */

int kt_store_meeting_relevant_orgs(kt_store *st, int64_t meeting, kt_ivec *out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT DISTINCT io.org_id FROM items i JOIN item_orgs io "
                                      "ON io.item_id = i.id WHERE i.meeting_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    kt_ivec found = {0};
    int rc = kt_db_ids(s, &found);
    for (size_t i = 0; !rc && i < found.n; i++)
        rc = kt_ivec_add(out, found.v[i]);
    kt_ivec_free(&found);
    return rc;
}

#define INDEX_SELECT                                                                               \
    "SELECT i.id, i.body_id, sc.name, m.starts_at, m.status, i.title, i.description, "             \
    "i.confidential FROM items i JOIN bodies b ON b.id = i.body_id JOIN scopes sc ON sc.id = "     \
    "b.scope_id LEFT JOIN meetings m ON m.id = i.meeting_id"

struct kt_index_cursor {
    kt_db_stmt *s;
};

int kt_store_index_open(kt_store *st, int64_t item, kt_index_cursor **out)
{
    kt_db_stmt *s =
        item ? kt_db_prepare(st, INDEX_SELECT " WHERE i.id = ?1") : kt_db_prepare(st, INDEX_SELECT);
    if (!s)
        return KT_ESTORE;
    if (item)
        kt_db_bind_int(s, 1, item);
    kt_index_cursor *c = malloc(sizeof *c);
    if (!c)
        return KT_ENOMEM;
    c->s = s;
    *out = c;
    return 0;
}

int kt_store_index_next(kt_index_cursor *c, kt_index_row *r)
{
    int rc = kt_db_step(c->s);
    if (rc != KT_DB_ROW)
        return rc;
    kt_db_stmt *s = c->s;
    r->item = kt_db_int(s, 0);
    r->body = kt_db_int(s, 1);
    r->scope = kt_db_text(s, 2);
    r->meeting_start = kt_db_null(s, 3) ? 0 : kt_db_int(s, 3);
    const char *status = kt_db_text(s, 4);
    r->cancelled = status && strcmp(status, "geannuleerd") == 0;
    r->title = kt_db_text(s, 5);
    r->description = kt_db_text(s, 6);
    r->confidential = kt_db_int(s, 7) != 0;
    return KT_DB_ROW;
}

void kt_store_index_close(kt_index_cursor *c)
{
    if (!c)
        return;
    kt_db_reset(c->s);
    free(c);
}

int kt_store_item_count(kt_store *st, int64_t *n)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT count(*) FROM items");
    *n = 0;
    return s ? kt_db_one_int(s, n) : KT_ESTORE;
}

int kt_store_item_last_id(kt_store *st, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT coalesce(max(id), 0) FROM items");
    *id = 0;
    return s ? kt_db_one_int(s, id) : KT_ESTORE;
}

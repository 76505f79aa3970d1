#include "domain/model.h"

#include "store/actions.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

bool kt_exists(kt_store *st, const char *sql, int64_t id)
{
    sqlite3_stmt *s = kt_store_stmt(st, sql);
    if (!s)
        return false;
    sqlite3_bind_int64(s, 1, id);
    bool found = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_reset(s);
    return found;
}

static int load_ids(kt_store *st, const char *sql, int64_t id, int64_t **out, int *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = kt_store_stmt(st, sql);
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    int cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            int64_t *a = realloc(*out, (size_t)cap * sizeof *a);
            if (!a) {
                sqlite3_reset(s);
                return KT_ENOMEM;
            }
            *out = a;
        }
        (*out)[(*n)++] = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    return 0;
}

int kt_item_vis_load(kt_store *st, int64_t item, kt_vis *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT confidential FROM items WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, item);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return KT_ENOTFOUND;
    }
    out->item = item;
    out->confidential = sqlite3_column_int(s, 0) != 0;
    sqlite3_reset(s);
    if (!out->confidential)
        return 0;
    int rc = load_ids(st, "SELECT org_id FROM item_orgs WHERE item_id = ?1", item, &out->orgs,
                      &out->n_orgs);
    if (!rc)
        rc = load_ids(st, "SELECT person_id FROM item_persons WHERE item_id = ?1", item,
                      &out->persons, &out->n_persons);
    if (rc)
        kt_vis_clear(out);
    return rc;
}

int kt_under_item_vis(kt_store *st, int64_t item, kt_vis *out)
{
    memset(out, 0, sizeof *out);
    if (!item)
        return 0;
    int rc = kt_item_vis_load(st, item, out);
    return rc == KT_ENOTFOUND ? 0 : rc;
}

/* ---- agenda items ---- */

#define ITEM_COLS                                                                                  \
    "i.id, i.body_id, i.meeting_id, i.position, i.title, i.description, i.presenter_id, "          \
    "i.duration_min, i.kind, i.recurring, i.confidential, i.status, i.created_by, i.updated_at, "  \
    "i.attachments"

static json_t *item_row(kt_store *st, sqlite3_stmt *s)
{
    int64_t id = sqlite3_column_int64(s, 0);
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(id));
    json_object_set_new(j, "body", kt_col_json_int(s, 1));
    json_object_set_new(j, "meeting", kt_col_json_int(s, 2));
    json_object_set_new(j, "position", kt_col_json_int(s, 3));
    json_object_set_new(j, "title", kt_col_json_text(s, 4));
    json_object_set_new(j, "description", kt_col_json_text(s, 5));
    json_object_set_new(j, "presenter", kt_col_json_int(s, 6));
    json_object_set_new(j, "duration", kt_col_json_int(s, 7));
    json_object_set_new(j, "kind", kt_col_json_text(s, 8));
    json_object_set_new(j, "recurring", json_boolean(sqlite3_column_int(s, 9)));
    bool confidential = sqlite3_column_int(s, 10) != 0;
    json_object_set_new(j, "confidential", json_boolean(confidential));
    json_object_set_new(j, "status", kt_col_json_text(s, 11));
    json_object_set_new(j, "created_by", kt_col_json_int(s, 12));
    json_object_set_new(j, "updated_at", kt_col_json_time(s, 13));
    json_t *att = json_loads((const char *)sqlite3_column_text(s, 14), 0, NULL);
    json_object_set_new(j, "attachments", json_is_array(att) ? att : json_array());
    if (att && !json_is_array(att))
        json_decref(att);

    json_t *relevant = json_array();
    sqlite3_stmt *r = kt_store_stmt(st, "SELECT io.org_id, o.name, io.reason FROM item_orgs io "
                                        "JOIN organisations o ON o.id = io.org_id "
                                        "WHERE io.item_id = ?1 ORDER BY o.name");
    if (r) {
        sqlite3_bind_int64(r, 1, id);
        while (sqlite3_step(r) == SQLITE_ROW)
            json_array_append_new(relevant, json_pack("{s:I, s:o, s:o}", "org",
                                                      (json_int_t)sqlite3_column_int64(r, 0),
                                                      "org_name", kt_col_json_text(r, 1), "reason",
                                                      kt_col_json_text(r, 2)));
        sqlite3_reset(r);
    }
    json_object_set_new(j, "relevant", relevant);
    json_t *persons = json_array();
    if (confidential) {
        r = kt_store_stmt(st, "SELECT person_id FROM item_persons WHERE item_id = ?1 "
                              "ORDER BY person_id");
        if (r) {
            sqlite3_bind_int64(r, 1, id);
            while (sqlite3_step(r) == SQLITE_ROW)
                json_array_append_new(persons, json_integer(sqlite3_column_int64(r, 0)));
            sqlite3_reset(r);
        }
    }
    json_object_set_new(j, "persons", persons);
    return j;
}

json_t *kt_item_json(kt_store *st, int64_t item)
{
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT " ITEM_COLS " FROM items i WHERE i.id = ?1");
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, item);
    json_t *j = NULL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        /* item_row runs other statements: copy this row's needs first by stepping once. */
        j = item_row(st, s);
    }
    sqlite3_reset(s);
    return j;
}

json_t *kt_items_list(kt_store *st, int64_t body, int64_t meeting, const kt_viewer *v)
{
    /* Collect ids first: item_row() and the visibility check use other cached statements. */
    sqlite3_stmt *s =
        meeting ? kt_store_stmt(st, "SELECT id FROM items WHERE meeting_id = ?1 "
                                    "ORDER BY position, id")
                : kt_store_stmt(st, "SELECT id FROM items WHERE body_id = ?1 AND meeting_id IS "
                                    "NULL ORDER BY position, id");
    json_t *out = json_array();
    if (!s)
        return out;
    sqlite3_bind_int64(s, 1, meeting ? meeting : body);
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            int64_t *a = realloc(ids, cap * sizeof *a);
            if (!a)
                break;
            ids = a;
        }
        ids[n++] = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    for (size_t i = 0; i < n; i++) {
        kt_vis vis;
        if (kt_item_vis_load(st, ids[i], &vis))
            continue;
        bool visible = kt_acl_visible(v, &vis);
        kt_vis_clear(&vis);
        if (visible) {
            json_t *j = kt_item_json(st, ids[i]);
            if (j)
                json_array_append_new(out, j);
        }
    }
    free(ids);
    return out;
}

json_t *kt_items_titles(kt_store *st, int64_t meeting, const kt_viewer *v)
{
    json_t *all = json_array(), *out = json_array();
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT id, title FROM items WHERE meeting_id = ?1 "
                                        "ORDER BY position, id");
    if (!s)
        return json_decref(all), out;
    sqlite3_bind_int64(s, 1, meeting);
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(all,
                              json_pack("{s:I, s:o}", "id", (json_int_t)sqlite3_column_int64(s, 0),
                                        "title", kt_col_json_text(s, 1)));
    sqlite3_reset(s);
    size_t i;
    json_t *it;
    json_array_foreach(all, i, it)
    {
        kt_vis vis;
        if (kt_item_vis_load(st, json_integer_value(json_object_get(it, "id")), &vis))
            continue;
        if (kt_acl_visible(v, &vis))
            json_array_append(out, it);
        kt_vis_clear(&vis);
    }
    json_decref(all);
    return out;
}

/* ---- meetings ---- */

#define MEETING_COLS                                                                               \
    "m.id, m.body_id, m.starts_at, m.ends_at, m.location, m.status, m.version, m.updated_at, "     \
    "b.name"

static json_t *meeting_row(sqlite3_stmt *s)
{
    return json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:I, s:o, s:o}", "id",
                     (json_int_t)sqlite3_column_int64(s, 0), "body",
                     (json_int_t)sqlite3_column_int64(s, 1), "start", kt_col_json_time(s, 2), "end",
                     kt_col_json_time(s, 3), "location", kt_col_json_text(s, 4), "status",
                     kt_col_json_text(s, 5), "version", (json_int_t)sqlite3_column_int64(s, 6),
                     "updated_at", kt_col_json_time(s, 7), "body_name", kt_col_json_text(s, 8));
}

json_t *kt_meeting_json(kt_store *st, int64_t meeting)
{
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT " MEETING_COLS " FROM meetings m JOIN bodies b "
                                        "ON b.id = m.body_id WHERE m.id = ?1");
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, meeting);
    json_t *j = sqlite3_step(s) == SQLITE_ROW ? meeting_row(s) : NULL;
    sqlite3_reset(s);
    return j;
}

json_t *kt_meetings_list(kt_store *st, int64_t body, int64_t from, int64_t to)
{
    sqlite3_stmt *s = kt_store_stmt(
        st, "SELECT " MEETING_COLS " FROM meetings m JOIN bodies b ON b.id = m.body_id "
            "WHERE m.body_id = ?1 AND m.ends_at > ?2 AND m.starts_at < ?3 ORDER BY m.starts_at");
    json_t *out = json_array();
    if (!s)
        return out;
    sqlite3_bind_int64(s, 1, body);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(out, meeting_row(s));
    sqlite3_reset(s);
    return out;
}

json_t *kt_attendance_list(kt_store *st, int64_t meeting)
{
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT person_id, status, substitute_id, note "
                                        "FROM attendance WHERE meeting_id = ?1 ORDER BY person_id");
    json_t *out = json_array();
    if (!s)
        return out;
    sqlite3_bind_int64(s, 1, meeting);
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(
            out, json_pack("{s:I, s:o, s:o, s:o}", "person", (json_int_t)sqlite3_column_int64(s, 0),
                           "status", kt_col_json_text(s, 1), "substitute", kt_col_json_int(s, 2),
                           "note", kt_col_json_text(s, 3)));
    sqlite3_reset(s);
    return out;
}

/* ---- bodies, memberships ---- */

json_t *kt_body_json(kt_store *st, int64_t body)
{
    sqlite3_stmt *s = kt_store_stmt(
        st, "SELECT b.id, b.name, b.kind, sc.name, b.level, b.cadence, b.parent_id, b.mandate, "
            "b.location, b.updated_at FROM bodies b JOIN scopes sc ON sc.id = b.scope_id "
            "WHERE b.id = ?1");
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, body);
    json_t *j = NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        j = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                      (json_int_t)sqlite3_column_int64(s, 0), "name", kt_col_json_text(s, 1),
                      "kind", kt_col_json_text(s, 2), "scope", kt_col_json_text(s, 3), "level",
                      kt_col_json_text(s, 4), "cadence", kt_col_json_text(s, 5), "parent",
                      kt_col_json_int(s, 6), "mandate", kt_col_json_text(s, 7), "location",
                      kt_col_json_text(s, 8), "updated_at", kt_col_json_time(s, 9));
    sqlite3_reset(s);
    return j;
}

#define MEMBER_COLS                                                                                \
    "m.body_id, m.person_id, p.name, p.org_id, o.name, p.function, m.role, m.substitute_for, "     \
    "m.items"

static json_t *member_row(sqlite3_stmt *s)
{
    const char *items = (const char *)sqlite3_column_text(s, 8);
    json_t *jitems = items ? json_loads(items, 0, NULL) : NULL;
    return json_pack(
        "{s:I, s:I, s:o, s:I, s:o, s:o, s:o, s:o, s:o}", "body",
        (json_int_t)sqlite3_column_int64(s, 0), "person", (json_int_t)sqlite3_column_int64(s, 1),
        "name", kt_col_json_text(s, 2), "org", (json_int_t)sqlite3_column_int64(s, 3), "org_name",
        kt_col_json_text(s, 4), "function", kt_col_json_text(s, 5), "role", kt_col_json_text(s, 6),
        "substitute_for", kt_col_json_int(s, 7), "items", jitems ? jitems : json_null());
}

json_t *kt_members_list(kt_store *st, int64_t body)
{
    sqlite3_stmt *s = kt_store_stmt(
        st, "SELECT " MEMBER_COLS " FROM memberships m JOIN persons p ON p.id = m.person_id "
            "JOIN organisations o ON o.id = p.org_id WHERE m.body_id = ?1 ORDER BY o.name, p.name");
    json_t *out = json_array();
    if (!s)
        return out;
    sqlite3_bind_int64(s, 1, body);
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(out, member_row(s));
    sqlite3_reset(s);
    return out;
}

json_t *kt_membership_json(kt_store *st, int64_t body, int64_t person)
{
    sqlite3_stmt *s = kt_store_stmt(
        st, "SELECT " MEMBER_COLS " FROM memberships m JOIN persons p ON p.id = m.person_id "
            "JOIN organisations o ON o.id = p.org_id WHERE m.body_id = ?1 AND m.person_id = ?2");
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, body);
    sqlite3_bind_int64(s, 2, person);
    json_t *j = sqlite3_step(s) == SQLITE_ROW ? member_row(s) : NULL;
    sqlite3_reset(s);
    return j;
}

/* ---- directory ---- */

json_t *kt_person_json(kt_store *st, int64_t person)
{
    sqlite3_stmt *s = kt_store_stmt(
        st, "SELECT p.id, p.name, p.email, p.org_id, o.name, p.function, p.is_admin, p.active, "
            "p.password_hash IS NOT NULL FROM persons p JOIN organisations o ON o.id = p.org_id "
            "WHERE p.id = ?1");
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, person);
    json_t *j = NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        j = json_pack("{s:I, s:o, s:o, s:I, s:o, s:o, s:b, s:b, s:b}", "id",
                      (json_int_t)sqlite3_column_int64(s, 0), "name", kt_col_json_text(s, 1),
                      "email", kt_col_json_text(s, 2), "org",
                      (json_int_t)sqlite3_column_int64(s, 3), "org_name", kt_col_json_text(s, 4),
                      "function", kt_col_json_text(s, 5), "admin", sqlite3_column_int(s, 6),
                      "active", sqlite3_column_int(s, 7), "has_password", sqlite3_column_int(s, 8));
    sqlite3_reset(s);
    return j;
}

json_t *kt_org_json(kt_store *st, int64_t org)
{
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT o.id, o.name, o.kind, sc.name FROM organisations "
                                        "o LEFT JOIN scopes sc ON sc.id = o.scope_id "
                                        "WHERE o.id = ?1");
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, org);
    json_t *j = NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        j = json_pack("{s:I, s:o, s:o, s:o}", "id", (json_int_t)sqlite3_column_int64(s, 0), "name",
                      kt_col_json_text(s, 1), "kind", kt_col_json_text(s, 2), "scope",
                      kt_col_json_text(s, 3));
    sqlite3_reset(s);
    return j;
}

json_t *kt_scope_json(kt_store *st, int64_t scope)
{
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT id, name, kind FROM scopes WHERE id = ?1");
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, scope);
    json_t *j = NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        j = json_pack("{s:I, s:o, s:o}", "id", (json_int_t)sqlite3_column_int64(s, 0), "name",
                      kt_col_json_text(s, 1), "kind", kt_col_json_text(s, 2));
    sqlite3_reset(s);
    if (!j)
        return NULL;
    json_t *includes = json_array();
    s = kt_store_stmt(st, "SELECT sc.name FROM scope_members m JOIN scopes sc ON "
                          "sc.id = m.member_id WHERE m.region_id = ?1 ORDER BY sc.name");
    if (s) {
        sqlite3_bind_int64(s, 1, scope);
        while (sqlite3_step(s) == SQLITE_ROW)
            json_array_append_new(includes, kt_col_json_text(s, 0));
        sqlite3_reset(s);
    }
    json_object_set_new(j, "includes", includes);
    return j;
}

int kt_scope_find(kt_store *st, const char *name, int64_t *id)
{
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT id FROM scopes WHERE name = ?1");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    int rc = KT_ENOTFOUND;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        rc = 0;
    }
    sqlite3_reset(s);
    return rc;
}

/* ---- actions, messages ---- */

json_t *kt_action_json(kt_store *st, int64_t action)
{
    json_t *j = NULL;
    return kt_store_action_get(st, action, &j) ? NULL : j;
}

json_t *kt_message_json(kt_store *st, int64_t message)
{
    sqlite3_stmt *s =
        kt_store_stmt(st, "SELECT m.id, m.body_id, m.item_id, m.person_id, p.name, m.text, "
                          "m.created_at FROM messages m JOIN persons p ON p.id = m.person_id "
                          "WHERE m.id = ?1");
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, message);
    json_t *j = NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        j = json_pack(
            "{s:I, s:I, s:o, s:I, s:o, s:o, s:o}", "id", (json_int_t)sqlite3_column_int64(s, 0),
            "body", (json_int_t)sqlite3_column_int64(s, 1), "item", kt_col_json_int(s, 2), "person",
            (json_int_t)sqlite3_column_int64(s, 3), "person_name", kt_col_json_text(s, 4), "text",
            kt_col_json_text(s, 5), "time", kt_col_json_time(s, 6));
    sqlite3_reset(s);
    return j;
}

/* Messages in the thread of each item of agenda (the items the caller sees): {"12": 3}. */
json_t *kt_message_counts(kt_store *st, json_t *agenda)
{
    json_t *out = json_object(), *it;
    size_t i;
    json_array_foreach(agenda, i, it)
    {
        sqlite3_stmt *s = kt_store_stmt(st, "SELECT count(*) FROM messages WHERE item_id = ?1");
        if (!s)
            break;
        json_int_t id = json_integer_value(json_object_get(it, "id"));
        sqlite3_bind_int64(s, 1, id);
        int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        sqlite3_reset(s);
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)id);
        if (n)
            json_object_set_new(out, key, json_integer(n));
    }
    return out;
}

/* Actions, commitments and decisions (actiepunten, toezeggingen, besluiten), and chat. Both may
 * hang under an agenda item and then share its visibility. */
#include "domain/handlers.h"
#include "domain/model.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* An item given as origin must be of this body and visible to the caller. */
static int check_item(kt_ctx *c, int64_t item)
{
    if (!item)
        return 0;
    sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT body_id FROM items WHERE id = ?1");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, item);
    int64_t body = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    kt_vis vis;
    if (body != c->body || kt_item_vis_load(c->st, item, &vis))
        return kt_fail(c, KT_C_NOT_FOUND, "Dit agendapunt bestaat niet in dit overleg.");
    bool visible = kt_acl_visible(&c->viewer, &vis);
    kt_vis_clear(&vis);
    return visible ? 0 : kt_fail(c, KT_C_NOT_FOUND, "Dit agendapunt bestaat niet in dit overleg.");
}

static int check_owner(kt_ctx *c)
{
    int64_t owner = kt_arg_int(c, "owner", 0), org = kt_arg_int(c, "owner_org", 0);
    if (owner && !kt_exists(c->st, "SELECT 1 FROM persons WHERE id = ?1", owner))
        return kt_fail(c, KT_C_NOT_FOUND, "De eigenaar (owner) bestaat niet.");
    if (org && !kt_exists(c->st, "SELECT 1 FROM organisations WHERE id = ?1", org))
        return kt_fail(c, KT_C_NOT_FOUND, "De organisatie (owner_org) bestaat niet.");
    return 0;
}

/* assigned: the owner (person or organisation) is new with this change. */
static int emit_action(kt_ctx *c, const char *type, int64_t action, bool assigned, json_t **out)
{
    json_t *a = kt_action_json(c->st, action);
    kt_vis vis;
    if (!a || kt_under_item_vis(c->st, json_integer_value(json_object_get(a, "item")), &vis)) {
        json_decref(a);
        return kt_fail_err(c, KT_ENOTFOUND);
    }
    int rc =
        kt_emit(c, c->body, type, &vis, json_pack("{s:O, s:b}", "action", a, "assigned", assigned));
    kt_vis_clear(&vis);
    if (rc)
        return json_decref(a), -1;
    *out = a;
    return 0;
}

int kt_h_action_create(kt_ctx *c)
{
    int64_t item = kt_arg_int(c, "item", 0);
    if (check_item(c, item) || check_owner(c))
        return -1;
    sqlite3_stmt *s = kt_store_stmt(
        c->st, "INSERT INTO actions(body_id, kind, text, owner_person_id, owner_org_id, due_date, "
               "status, origin_item_id, created_by, created_at, updated_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, c->body);
    sqlite3_bind_text(s, 2, kt_arg_str(c, "kind") ? kt_arg_str(c, "kind") : "actiepunt", -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(s, 3, kt_arg_str(c, "text"), -1, SQLITE_STATIC);
    if (kt_arg_int(c, "owner", 0))
        sqlite3_bind_int64(s, 4, kt_arg_int(c, "owner", 0));
    if (kt_arg_int(c, "owner_org", 0))
        sqlite3_bind_int64(s, 5, kt_arg_int(c, "owner_org", 0));
    if (kt_arg_str(c, "due"))
        sqlite3_bind_text(s, 6, kt_arg_str(c, "due"), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, kt_arg_str(c, "status") ? kt_arg_str(c, "status") : "open", -1,
                      SQLITE_STATIC);
    if (item)
        sqlite3_bind_int64(s, 8, item);
    sqlite3_bind_int64(s, 9, c->me->person);
    sqlite3_bind_int64(s, 10, kt_now());
    int rc = kt_store_step_done(c->st, s);
    if (rc)
        return kt_fail_err(c, rc);
    json_t *a = NULL;
    if (emit_action(c, "action.created", kt_store_last_id(c->st),
                    kt_arg_int(c, "owner", 0) || kt_arg_int(c, "owner_org", 0), &a))
        return -1;
    c->result = json_pack("{s:o}", "action", a);
    return 0;
}

int kt_h_action_update(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "action", 0);
    if (check_owner(c))
        return -1;
    json_t *before = kt_action_json(c->st, id);
    bool assigned =
        (kt_arg_int(c, "owner", 0) &&
         kt_arg_int(c, "owner", 0) != json_integer_value(json_object_get(before, "owner"))) ||
        (kt_arg_int(c, "owner_org", 0) &&
         kt_arg_int(c, "owner_org", 0) != json_integer_value(json_object_get(before, "owner_org")));
    json_decref(before);
    sqlite3_stmt *s = kt_store_stmt(
        c->st, "UPDATE actions SET text = coalesce(?2, text), kind = coalesce(?3, kind), "
               "owner_person_id = CASE WHEN ?8 THEN ?4 ELSE owner_person_id END, "
               "owner_org_id = CASE WHEN ?9 THEN ?5 ELSE owner_org_id END, "
               "due_date = CASE WHEN ?10 THEN ?6 ELSE due_date END, "
               "status = coalesce(?7, status), updated_at = ?11 WHERE id = ?1");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, id);
    if (kt_arg_str(c, "text"))
        sqlite3_bind_text(s, 2, kt_arg_str(c, "text"), -1, SQLITE_STATIC);
    if (kt_arg_str(c, "kind"))
        sqlite3_bind_text(s, 3, kt_arg_str(c, "kind"), -1, SQLITE_STATIC);
    if (kt_arg_int(c, "owner", 0))
        sqlite3_bind_int64(s, 4, kt_arg_int(c, "owner", 0));
    if (kt_arg_int(c, "owner_org", 0))
        sqlite3_bind_int64(s, 5, kt_arg_int(c, "owner_org", 0));
    if (kt_arg_str(c, "due"))
        sqlite3_bind_text(s, 6, kt_arg_str(c, "due"), -1, SQLITE_STATIC);
    if (kt_arg_str(c, "status"))
        sqlite3_bind_text(s, 7, kt_arg_str(c, "status"), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 8, kt_arg_has(c, "owner"));
    sqlite3_bind_int(s, 9, kt_arg_has(c, "owner_org"));
    sqlite3_bind_int(s, 10, kt_arg_has(c, "due"));
    sqlite3_bind_int64(s, 11, kt_now());
    int rc = kt_store_step_done(c->st, s);
    if (rc)
        return kt_fail_err(c, rc);
    json_t *a = NULL;
    if (emit_action(c, "action.updated", id, assigned, &a))
        return -1;
    c->result = json_pack("{s:o}", "action", a);
    return 0;
}

int kt_h_action_list(kt_ctx *c)
{
    int64_t body = kt_arg_int(c, "body", 0);
    if (body) {
        if (!kt_exists(c->st, "SELECT 1 FROM bodies WHERE id = ?1", body))
            return kt_fail(c, KT_C_NOT_FOUND, "Dit overleg bestaat niet.");
        kt_viewer v;
        int64_t *items = NULL;
        kt_viewer_load(c->st, body, c->me, &v, &items);
        free(items);
        if (v.role == KT_ROLE_NONE)
            return kt_fail(c, KT_C_NOT_MEMBER, NULL);
    }
    char today[16];
    kt_date_today_local(today, sizeof today);
    sqlite3_stmt *s = kt_store_stmt(
        c->st, "SELECT a.id, a.body_id FROM actions a JOIN memberships m ON m.body_id = a.body_id "
               "AND m.person_id = ?1 WHERE (?2 IS NULL OR a.body_id = ?2) "
               "AND (?3 IS NULL OR a.status = ?3) "
               "AND (?4 = 0 OR a.owner_person_id = ?1 OR a.owner_org_id = ?5) "
               "AND (?6 IS NULL OR a.owner_person_id = ?6) "
               "AND (?7 = 0 OR (a.due_date < ?8 AND a.status IN ('open', 'lopend'))) "
               "ORDER BY a.due_date IS NULL, a.due_date, a.id LIMIT 2000");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, c->me->person);
    if (body)
        sqlite3_bind_int64(s, 2, body);
    if (kt_arg_str(c, "status"))
        sqlite3_bind_text(s, 3, kt_arg_str(c, "status"), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, kt_arg_bool(c, "mine", false));
    sqlite3_bind_int64(s, 5, c->me->org);
    if (kt_arg_int(c, "owner", 0))
        sqlite3_bind_int64(s, 6, kt_arg_int(c, "owner", 0));
    sqlite3_bind_int(s, 7, kt_arg_bool(c, "overdue", false));
    sqlite3_bind_text(s, 8, today, -1, SQLITE_TRANSIENT);
    int64_t(*rows)[2] = NULL;
    size_t n = 0, cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            void *r = realloc(rows, cap * sizeof *rows);
            if (!r)
                break;
            rows = r;
        }
        rows[n][0] = sqlite3_column_int64(s, 0);
        rows[n][1] = sqlite3_column_int64(s, 1);
        n++;
    }
    sqlite3_reset(s);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *a = kt_action_json(c->st, rows[i][0]);
        if (!a)
            continue;
        kt_viewer v;
        int64_t *items = NULL;
        kt_vis vis;
        kt_viewer_load(c->st, rows[i][1], c->me, &v, &items);
        kt_under_item_vis(c->st, json_integer_value(json_object_get(a, "item")), &vis);
        if (kt_acl_visible(&v, &vis))
            json_array_append(out, a);
        kt_vis_clear(&vis);
        free(items);
        json_decref(a);
    }
    free(rows);
    c->result = json_pack("{s:o}", "actions", out);
    return 0;
}

/* ---- chat ---- */

static bool name_char(unsigned char ch)
{
    return isalnum(ch) || ch >= 0x80;
}

/* The members named after each '@' (longest name first, so "@Jan de Vries" beats "@Jan"),
 * each once. Text without '@' costs nothing; each '@' is one indexed lookup of the body's
 * members whose name starts the text after it, whatever the body's size. */
json_t *kt_chat_mentions(kt_store *st, int64_t body, const char *text)
{
    json_t *out = json_array();
    const char *at = strchr(text, '@');
    if (!at)
        return out;
    sqlite3_stmt *s = kt_store_stmt(
        st, "SELECT p.id, length(CAST(p.name AS BLOB)) FROM memberships m JOIN persons p "
            "ON p.id = m.person_id WHERE m.body_id = ?1 AND p.name <> '' AND "
            "substr(?2, 1, length(p.name)) = p.name COLLATE NOCASE "
            "ORDER BY length(CAST(p.name AS BLOB)) DESC");
    if (!s)
        return out;
    for (; at; at = strchr(at + 1, '@')) {
        sqlite3_bind_int64(s, 1, body);
        sqlite3_bind_text(s, 2, at + 1, -1, SQLITE_STATIC);
        int64_t who = 0;
        while (!who && sqlite3_step(s) == SQLITE_ROW) {
            size_t len = (size_t)sqlite3_column_int64(s, 1);
            if (!name_char((unsigned char)at[1 + len]))
                who = sqlite3_column_int64(s, 0);
        }
        sqlite3_reset(s);
        if (!who)
            continue;
        bool seen = false;
        size_t k;
        json_t *x;
        json_array_foreach(out, k, x) seen = seen || json_integer_value(x) == who;
        if (!seen)
            json_array_append_new(out, json_integer(who));
    }
    sqlite3_clear_bindings(s);
    return out;
}

int kt_h_chat_post(kt_ctx *c)
{
    int64_t item = kt_arg_int(c, "item", 0);
    const char *text = kt_arg_str(c, "text");
    const char *p = text;
    while (*p && isspace((unsigned char)*p))
        p++;
    if (!*p)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "Een bericht mag niet leeg zijn.");
    if (check_item(c, item))
        return -1;
    sqlite3_stmt *s = kt_store_stmt(c->st, "INSERT INTO messages(body_id, item_id, person_id, "
                                           "text, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, c->body);
    if (item)
        sqlite3_bind_int64(s, 2, item);
    sqlite3_bind_int64(s, 3, c->me->person);
    sqlite3_bind_text(s, 4, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, kt_now());
    int rc = kt_store_step_done(c->st, s);
    if (rc)
        return kt_fail_err(c, rc);
    json_t *m = kt_message_json(c->st, kt_store_last_id(c->st));
    if (!m)
        return kt_fail_err(c, KT_ESTORE);
    json_object_set_new(m, "mentions", kt_chat_mentions(c->st, c->body, text));
    kt_vis vis;
    if (kt_under_item_vis(c->st, item, &vis)) {
        json_decref(m);
        return kt_fail_err(c, KT_ESTORE);
    }
    rc = kt_emit(c, c->body, "chat.posted", &vis, json_pack("{s:O}", "message", m));
    kt_vis_clear(&vis);
    if (rc)
        return json_decref(m), -1;
    c->result = json_pack("{s:o}", "message", m);
    return 0;
}

int kt_h_chat_history(kt_ctx *c)
{
    int64_t before = kt_arg_int(c, "before", INT64_MAX), item = kt_arg_int(c, "item", 0);
    int64_t limit = kt_arg_int(c, "limit", 50);
    if (check_item(c, item))
        return -1; /* a thread of an item that is not there, or not for the caller */
    sqlite3_stmt *s =
        kt_store_stmt(c->st, "SELECT id, item_id FROM messages WHERE body_id = ?1 AND id < ?2 AND "
                             "(?3 IS NULL OR item_id = ?3) ORDER BY id DESC LIMIT ?4");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, c->body);
    sqlite3_bind_int64(s, 2, before);
    if (item)
        sqlite3_bind_int64(s, 3, item);
    sqlite3_bind_int64(s, 4, limit);
    int64_t rows[200][2];
    int n = 0;
    while (n < 200 && sqlite3_step(s) == SQLITE_ROW) {
        rows[n][0] = sqlite3_column_int64(s, 0);
        rows[n][1] = sqlite3_column_int64(s, 1);
        n++;
    }
    sqlite3_reset(s);
    json_t *out = json_array();
    for (int i = n - 1; i >= 0; i--) {
        kt_vis vis;
        if (kt_under_item_vis(c->st, rows[i][1], &vis))
            continue;
        bool visible = kt_acl_visible(&c->viewer, &vis);
        kt_vis_clear(&vis);
        if (!visible)
            continue;
        json_t *m = kt_message_json(c->st, rows[i][0]);
        if (!m)
            continue;
        json_object_set_new(
            m, "mentions",
            kt_chat_mentions(c->st, c->body, json_string_value(json_object_get(m, "text"))));
        json_array_append_new(out, m);
    }
    c->result = json_pack("{s:o, s:b}", "messages", out, "more", limit > 0 && n == limit);
    return 0;
}

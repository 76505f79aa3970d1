/* Bodies (gremia) and their memberships. */
#include "domain/cadence.h"
#include "domain/handlers.h"
#include "domain/model.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int kt_h_body_list(kt_ctx *c)
{
    sqlite3_stmt *s = kt_store_stmt(
        c->st, "SELECT b.id, m.role, (SELECT count(*) FROM memberships x WHERE x.body_id = b.id) "
               "FROM bodies b LEFT JOIN memberships m ON m.body_id = b.id AND m.person_id = ?1 "
               "ORDER BY b.name");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, c->me->person);
    json_t *out = json_array();
    int64_t *ids = NULL;
    char(*roles)[24] = NULL;
    int64_t *counts = NULL;
    size_t n = 0, cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            ids = realloc(ids, cap * sizeof *ids);
            roles = realloc(roles, cap * sizeof *roles);
            counts = realloc(counts, cap * sizeof *counts);
            if (!ids || !roles || !counts)
                break;
        }
        ids[n] = sqlite3_column_int64(s, 0);
        const unsigned char *r = sqlite3_column_text(s, 1);
        snprintf(roles[n], sizeof roles[n], "%s", r ? (const char *)r : "");
        counts[n] = sqlite3_column_int64(s, 2);
        n++;
    }
    sqlite3_reset(s);
    for (size_t i = 0; ids && roles && counts && i < n; i++) {
        json_t *b = kt_body_json(c->st, ids[i]);
        if (!b)
            continue;
        json_object_set_new(b, "role", roles[i][0] ? json_string(roles[i]) : json_null());
        json_object_set_new(b, "member_count", json_integer(counts[i]));
        json_array_append_new(out, b);
    }
    free(ids);
    free(roles);
    free(counts);
    c->result = json_pack("{s:o, s:I}", "bodies", out, "directory_seq",
                          (json_int_t)kt_store_stream_seq(c->st, KT_DIRECTORY));
    return 0;
}

static json_t *children_of(kt_ctx *c, int64_t body)
{
    sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT id, name, kind FROM bodies WHERE parent_id = "
                                           "?1 ORDER BY name");
    json_t *out = json_array();
    if (!s)
        return out;
    sqlite3_bind_int64(s, 1, body);
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(
            out, json_pack("{s:I, s:o, s:o}", "id", (json_int_t)sqlite3_column_int64(s, 0), "name",
                           kt_col_json_text(s, 1), "kind", kt_col_json_text(s, 2)));
    sqlite3_reset(s);
    return out;
}

int kt_h_body_get(kt_ctx *c)
{
    json_t *body = kt_body_json(c->st, c->body);
    if (!body)
        return kt_fail(c, KT_C_NOT_FOUND, NULL);
    json_t *parent = json_null();
    json_int_t pid = json_integer_value(json_object_get(body, "parent"));
    if (pid) {
        json_t *p = kt_body_json(c->st, pid);
        if (p) {
            json_decref(parent);
            parent = json_pack("{s:I, s:O, s:O}", "id", pid, "name", json_object_get(p, "name"),
                               "kind", json_object_get(p, "kind"));
            json_decref(p);
        }
    }
    bool member = c->viewer.role != KT_ROLE_NONE;
    int64_t now = kt_now();
    json_object_set_new(body, "role",
                        member ? json_string(kt_role_name(c->viewer.role)) : json_null());
    c->result =
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I}", "body", body, "members",
                  kt_members_list(c->st, c->body), "parent", parent, "children",
                  children_of(c, c->body), "meetings",
                  member ? kt_meetings_list(c->st, c->body, now - 180 * 86400, now + 400 * 86400)
                         : json_array(),
                  "backlog", member ? kt_items_list(c->st, c->body, 0, &c->viewer) : json_array(),
                  "seq", (json_int_t)kt_store_stream_seq(c->st, c->body));
    json_object_set_new(c->result, "message_counts",
                        kt_message_counts(c->st, json_object_get(c->result, "backlog")));
    return 0;
}

/* Refuses a parent that does not exist or would make a cycle. */
static int check_parent(kt_ctx *c, int64_t body, int64_t parent)
{
    if (!parent)
        return 0;
    if (!kt_exists(c->st, "SELECT 1 FROM bodies WHERE id = ?1", parent))
        return kt_fail(c, KT_C_NOT_FOUND, "Het bovenliggende overleg bestaat niet.");
    for (int64_t p = parent, depth = 0; p && depth < 64; depth++) {
        if (p == body)
            return kt_fail(c, KT_C_INVALID_ARGUMENT,
                           "Een overleg kan niet onder zichzelf of een eigen werkgroep hangen.");
        sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT parent_id FROM bodies WHERE id = ?1");
        if (!s)
            return kt_fail_err(c, KT_ESTORE);
        sqlite3_bind_int64(s, 1, p);
        p = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        sqlite3_reset(s);
    }
    return 0;
}

static int scope_arg(kt_ctx *c, int64_t *scope)
{
    const char *name = kt_arg_str(c, "scope");
    *scope = 0;
    if (!name)
        return 0;
    if (kt_scope_find(c->st, name, scope))
        return kt_fail(c, KT_C_NOT_FOUND, "Onbekend gebied '%s'.", name);
    return 0;
}

int kt_h_body_create(kt_ctx *c)
{
    const char *cadence = kt_arg_str(c, "cadence");
    if (cadence && !kt_cadence_valid(cadence))
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "'cadence' is een periode als P6W (elke 6 weken) of P1M (maandelijks).");
    int64_t scope, parent = kt_arg_int(c, "parent", 0);
    if (scope_arg(c, &scope) || check_parent(c, 0, parent))
        return -1;
    sqlite3_stmt *s = kt_store_stmt(
        c->st, "INSERT INTO bodies(name, kind, scope_id, level, cadence, parent_id, mandate, "
               "location, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_text(s, 1, kt_arg_str(c, "name"), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, kt_arg_str(c, "kind"), -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, scope);
    sqlite3_bind_text(s, 4, kt_arg_str(c, "level"), -1, SQLITE_STATIC);
    if (cadence)
        sqlite3_bind_text(s, 5, cadence, -1, SQLITE_STATIC);
    if (parent)
        sqlite3_bind_int64(s, 6, parent);
    const char *mandate = kt_arg_str(c, "mandate"), *location = kt_arg_str(c, "location");
    sqlite3_bind_text(s, 7, mandate ? mandate : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, location ? location : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 9, kt_now());
    int rc = kt_store_step_done(c->st, s);
    if (rc)
        return kt_fail_err(c, rc);
    json_t *body = kt_body_json(c->st, kt_store_last_id(c->st));
    if (kt_emit_directory(c, "body.created", json_pack("{s:O}", "body", body)))
        return json_decref(body), -1;
    c->result = json_pack("{s:o}", "body", body);
    return 0;
}

int kt_h_body_update(kt_ctx *c)
{
    const char *cadence = kt_arg_str(c, "cadence");
    if (cadence && !kt_cadence_valid(cadence))
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "'cadence' is een periode als P6W (elke 6 weken) of P1M (maandelijks).");
    int64_t scope, parent = kt_arg_int(c, "parent", 0);
    if (scope_arg(c, &scope) || check_parent(c, c->body, parent))
        return -1;
    sqlite3_stmt *s = kt_store_stmt(
        c->st,
        "UPDATE bodies SET name = coalesce(?2, name), kind = coalesce(?3, kind), "
        "scope_id = coalesce(?4, scope_id), level = coalesce(?5, level), "
        "cadence = CASE WHEN ?10 THEN ?6 ELSE cadence END, "
        "parent_id = CASE WHEN ?11 THEN ?7 ELSE parent_id END, mandate = coalesce(?8, mandate), "
        "location = coalesce(?9, location), updated_at = ?12 WHERE id = ?1");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, c->body);
    const char *text_args[] = {"name", "kind", NULL, "level"};
    for (int i = 0; i < 4; i++)
        if (text_args[i] && kt_arg_str(c, text_args[i]))
            sqlite3_bind_text(s, 2 + i, kt_arg_str(c, text_args[i]), -1, SQLITE_STATIC);
    if (scope)
        sqlite3_bind_int64(s, 4, scope);
    if (cadence)
        sqlite3_bind_text(s, 6, cadence, -1, SQLITE_STATIC);
    if (parent)
        sqlite3_bind_int64(s, 7, parent);
    if (kt_arg_str(c, "mandate"))
        sqlite3_bind_text(s, 8, kt_arg_str(c, "mandate"), -1, SQLITE_STATIC);
    if (kt_arg_str(c, "location"))
        sqlite3_bind_text(s, 9, kt_arg_str(c, "location"), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 10, kt_arg_has(c, "cadence"));
    sqlite3_bind_int(s, 11, kt_arg_has(c, "parent"));
    sqlite3_bind_int64(s, 12, kt_now());
    int rc = kt_store_step_done(c->st, s);
    if (rc)
        return kt_fail_err(c, rc);
    json_t *body = kt_body_json(c->st, c->body);
    if (kt_emit(c, c->body, "body.updated", NULL, json_pack("{s:O}", "body", body)) ||
        kt_emit_directory(c, "body.updated", json_pack("{s:O}", "body", body)))
        return json_decref(body), -1;
    c->result = json_pack("{s:o}", "body", body);
    return 0;
}

/* ---- memberships ---- */

/* Validates role / substitute_for / items together, for add and update. */
static int check_membership(kt_ctx *c, int64_t person, const char *role, int64_t substitute_for,
                            json_t *items)
{
    if (role && strcmp(role, "vaste_vervanger") == 0 && !substitute_for)
        return kt_fail(c, KT_C_MISSING_ARGUMENT,
                       "Een vaste vervanger vervangt iemand: geef 'substitute_for' op.");
    if (substitute_for) {
        if (substitute_for == person)
            return kt_fail(c, KT_C_INVALID_ARGUMENT, "Iemand kan zichzelf niet vervangen.");
        sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT 1 FROM memberships WHERE body_id = ?1 AND "
                                               "person_id = ?2");
        if (!s)
            return kt_fail_err(c, KT_ESTORE);
        sqlite3_bind_int64(s, 1, c->body);
        sqlite3_bind_int64(s, 2, substitute_for);
        bool ok = sqlite3_step(s) == SQLITE_ROW;
        sqlite3_reset(s);
        if (!ok)
            return kt_fail(c, KT_C_NOT_FOUND,
                           "De persoon die vervangen wordt is geen lid van dit overleg.");
    }
    if (items && json_array_size(items)) {
        if (!role || strcmp(role, "gast") != 0)
            return kt_fail(c, KT_C_INVALID_ARGUMENT,
                           "Alleen een gast kan tot bepaalde agendapunten beperkt worden.");
        size_t i;
        json_t *x;
        json_array_foreach(items, i, x)
        {
            sqlite3_stmt *s =
                kt_store_stmt(c->st, "SELECT 1 FROM items WHERE id = ?1 AND body_id = ?2");
            if (!s)
                return kt_fail_err(c, KT_ESTORE);
            sqlite3_bind_int64(s, 1, json_integer_value(x));
            sqlite3_bind_int64(s, 2, c->body);
            bool ok = sqlite3_step(s) == SQLITE_ROW;
            sqlite3_reset(s);
            if (!ok)
                return kt_fail(c, KT_C_NOT_FOUND, "Agendapunt %lld hoort niet bij dit overleg.",
                               (long long)json_integer_value(x));
        }
    }
    return 0;
}

static int emit_membership(kt_ctx *c, const char *type, int64_t person, json_t *data)
{
    kt_touch_body(c, c->body);
    kt_vis vis = {.subject = person};
    return kt_emit(c, c->body, type, &vis, data);
}

/* Writes a membership with the statement sql (?1 body, ?2 person, ?3 role, ?4 substitute_for,
 * ?5 items, and ?6 the time when it has one), then tells the body and replies with the result. */
static int save_and_emit_membership(kt_ctx *c, const char *event, const char *sql, int64_t person,
                                    const char *role, int64_t sub, json_t *items)
{
    sqlite3_stmt *s = kt_store_stmt(c->st, sql);
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    char *items_text =
        json_is_array(items) && json_array_size(items) ? json_dumps(items, JSON_COMPACT) : NULL;
    sqlite3_bind_int64(s, 1, c->body);
    sqlite3_bind_int64(s, 2, person);
    sqlite3_bind_text(s, 3, role, -1, SQLITE_TRANSIENT);
    if (sub)
        sqlite3_bind_int64(s, 4, sub);
    if (items_text)
        sqlite3_bind_text(s, 5, items_text, -1, SQLITE_TRANSIENT);
    if (sqlite3_bind_parameter_count(s) >= 6)
        sqlite3_bind_int64(s, 6, kt_now());
    int rc = kt_store_step_done(c->st, s);
    free(items_text);
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_CONFLICT, "Deze persoon is al lid van dit overleg.");
    if (rc)
        return kt_fail_err(c, rc);
    json_t *m = kt_membership_json(c->st, c->body, person);
    if (emit_membership(c, event, person,
                        json_pack("{s:I, s:O}", "person", (json_int_t)person, "membership", m)))
        return json_decref(m), -1;
    c->result = json_pack("{s:o}", "membership", m);
    return 0;
}

int kt_h_membership_add(kt_ctx *c)
{
    int64_t person = kt_arg_int(c, "person", 0), sub = kt_arg_int(c, "substitute_for", 0);
    const char *role = kt_arg_str(c, "role");
    json_t *items = json_object_get(c->args, "items");
    if (!kt_exists(c->st, "SELECT 1 FROM persons WHERE id = ?1 AND active = 1", person))
        return kt_fail(c, KT_C_NOT_FOUND, "Deze persoon bestaat niet of is niet actief.");
    if (check_membership(c, person, role, sub, items))
        return -1;
    return save_and_emit_membership(c, "membership.added",
                                    "INSERT INTO memberships(body_id, person_id, role, "
                                    "substitute_for, items, created_at) "
                                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                    person, role, sub, items);
}

int kt_h_membership_update(kt_ctx *c)
{
    int64_t person = kt_arg_int(c, "person", 0);
    json_t *current = kt_membership_json(c->st, c->body, person);
    if (!current)
        return kt_fail(c, KT_C_NOT_FOUND, "Deze persoon is geen lid van dit overleg.");
    char role[24];
    snprintf(role, sizeof role, "%s",
             kt_arg_str(c, "role") ? kt_arg_str(c, "role")
                                   : json_string_value(json_object_get(current, "role")));
    int64_t sub = kt_arg_has(c, "substitute_for")
                      ? kt_arg_int(c, "substitute_for", 0)
                      : json_integer_value(json_object_get(current, "substitute_for"));
    json_t *items = json_incref(kt_arg_has(c, "items") ? json_object_get(c->args, "items")
                                                       : json_object_get(current, "items"));
    json_decref(current);
    if (strcmp(role, "vaste_vervanger") != 0 && !kt_arg_has(c, "substitute_for"))
        sub = 0;
    if (strcmp(role, "gast") != 0 && !kt_arg_has(c, "items")) {
        json_decref(items);
        items = NULL;
    }
    int rc = check_membership(c, person, role, sub, json_is_array(items) ? items : NULL);
    if (!rc)
        rc = save_and_emit_membership(c, "membership.updated",
                                      "UPDATE memberships SET role = ?3, substitute_for = ?4, "
                                      "items = ?5 WHERE body_id = ?1 AND person_id = ?2",
                                      person, role, sub, items);
    json_decref(items);
    return rc;
}

int kt_h_membership_remove(kt_ctx *c)
{
    int64_t person = kt_arg_int(c, "person", 0);
    sqlite3_stmt *s = kt_store_stmt(c->st, "DELETE FROM memberships WHERE body_id = ?1 AND "
                                           "person_id = ?2");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, c->body);
    sqlite3_bind_int64(s, 2, person);
    int rc = kt_store_step_done(c->st, s);
    if (rc)
        return kt_fail_err(c, rc);
    if (sqlite3_changes(kt_store_db(c->st)) == 0)
        return kt_fail(c, KT_C_NOT_FOUND, "Deze persoon is geen lid van dit overleg.");
    /* Substitutes of the removed member no longer substitute anyone. */
    s = kt_store_stmt(c->st, "UPDATE memberships SET substitute_for = NULL WHERE body_id = ?1 "
                             "AND substitute_for = ?2");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, c->body);
    sqlite3_bind_int64(s, 2, person);
    if ((rc = kt_store_step_done(c->st, s)))
        return kt_fail_err(c, rc);
    if (emit_membership(
            c, "membership.removed", person,
            json_pack("{s:I, s:I}", "person", (json_int_t)person, "body", (json_int_t)c->body)))
        return -1;
    c->result = json_pack("{s:I, s:I}", "body", (json_int_t)c->body, "person", (json_int_t)person);
    return 0;
}

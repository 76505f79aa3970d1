/* The directory: organisations, persons and scopes. Everyone logged in may read it (it is how
 * chain partners find each other); only administrators change it. */
#include "auth/session.h"
#include "domain/handlers.h"
#include "domain/model.h"
#include "feed/linkmail.h"
#include "live/hub.h"
#include "protocol/errors.h"
#include "util/err.h"
#include "util/ivec.h"
#include "util/timeutil.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SETUP_TOKEN_TTL (7 * 86400)

static json_t *list_ids(kt_ctx *c, const char *sql, int64_t bind,
                        json_t *(*load)(kt_store *, int64_t))
{
    sqlite3_stmt *s = kt_store_stmt(c->st, sql);
    json_t *out = json_array();
    if (!s)
        return out;
    if (bind)
        sqlite3_bind_int64(s, 1, bind);
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            int64_t *a = realloc(ids, cap * sizeof *a);
            if (!a)
                break;
            ids = a;
        }
        ids[n++] = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    for (size_t i = 0; i < n; i++) {
        json_t *j = load(c->st, ids[i]);
        if (j)
            json_array_append_new(out, j);
    }
    free(ids);
    return out;
}

/* ---- scopes ---- */

int kt_h_scope_list(kt_ctx *c)
{
    c->result =
        json_pack("{s:o}", "scopes",
                  list_ids(c, "SELECT id FROM scopes ORDER BY kind, name", 0, kt_scope_json));
    return 0;
}

int kt_h_scope_create(kt_ctx *c)
{
    const char *name = kt_arg_str(c, "name"), *kind = kt_arg_str(c, "kind");
    json_t *includes = json_object_get(c->args, "includes");
    if (includes && strcmp(kind, "regio") != 0)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "Alleen een regio omvat andere gebieden.");
    sqlite3_stmt *s = kt_store_stmt(c->st, "INSERT INTO scopes(name, kind) VALUES (?1, ?2)");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
    int rc = kt_store_step_done(c->st, s);
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_CONFLICT, "Er bestaat al een gebied met de naam '%s'.", name);
    if (rc)
        return kt_fail_err(c, rc);
    int64_t id = kt_store_last_id(c->st);
    size_t i;
    json_t *x;
    json_array_foreach(includes, i, x)
    {
        int64_t member;
        if (!json_is_string(x))
            return kt_fail(c, KT_C_INVALID_ARGUMENT, "'includes' is een lijst van gebiedsnamen.");
        if (kt_scope_find(c->st, json_string_value(x), &member))
            return kt_fail(c, KT_C_NOT_FOUND, "Onbekend gebied '%s' in 'includes'.",
                           json_string_value(x));
        s = kt_store_stmt(c->st, "INSERT OR IGNORE INTO scope_members(region_id, member_id) "
                                 "VALUES (?1, ?2)");
        if (!s)
            return kt_fail_err(c, KT_ESTORE);
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int64(s, 2, member);
        if ((rc = kt_store_step_done(c->st, s)))
            return kt_fail_err(c, rc);
    }
    json_t *scope = kt_scope_json(c->st, id);
    if (kt_emit_directory(c, "scope.created", json_pack("{s:O}", "scope", scope)))
        return json_decref(scope), -1;
    c->result = json_pack("{s:o}", "scope", scope);
    return 0;
}

/* ---- organisations ---- */

int kt_h_org_list(kt_ctx *c)
{
    c->result =
        json_pack("{s:o}", "organisations",
                  list_ids(c, "SELECT id FROM organisations ORDER BY name", 0, kt_org_json));
    return 0;
}

static int bind_scope(kt_ctx *c, sqlite3_stmt *s, int col)
{
    const char *scope = kt_arg_str(c, "scope");
    if (!scope)
        return 0;
    int64_t id;
    if (kt_scope_find(c->st, scope, &id))
        return kt_fail(c, KT_C_NOT_FOUND, "Onbekend gebied '%s'.", scope);
    sqlite3_bind_int64(s, col, id);
    return 0;
}

int kt_h_org_create(kt_ctx *c)
{
    sqlite3_stmt *s = kt_store_stmt(c->st, "INSERT INTO organisations(name, kind, scope_id, "
                                           "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_text(s, 1, kt_arg_str(c, "name"), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, kt_arg_str(c, "kind"), -1, SQLITE_STATIC);
    if (bind_scope(c, s, 3))
        return -1;
    sqlite3_bind_int64(s, 4, kt_now());
    int rc = kt_store_step_done(c->st, s);
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_CONFLICT, "Er bestaat al een organisatie met deze naam.");
    if (rc)
        return kt_fail_err(c, rc);
    json_t *org = kt_org_json(c->st, kt_store_last_id(c->st));
    if (kt_emit_directory(c, "org.created", json_pack("{s:O}", "organisation", org)))
        return json_decref(org), -1;
    c->result = json_pack("{s:o}", "organisation", org);
    return 0;
}

int kt_h_org_update(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "org", 0);
    if (!kt_exists(c->st, "SELECT 1 FROM organisations WHERE id = ?1", id))
        return kt_fail(c, KT_C_NOT_FOUND, "Deze organisatie bestaat niet.");
    sqlite3_stmt *s = kt_store_stmt(
        c->st, "UPDATE organisations SET name = coalesce(?2, name), kind = coalesce(?3, kind), "
               "scope_id = CASE WHEN ?5 THEN ?4 ELSE scope_id END, updated_at = ?6 WHERE id = ?1");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, id);
    if (kt_arg_str(c, "name"))
        sqlite3_bind_text(s, 2, kt_arg_str(c, "name"), -1, SQLITE_STATIC);
    if (kt_arg_str(c, "kind"))
        sqlite3_bind_text(s, 3, kt_arg_str(c, "kind"), -1, SQLITE_STATIC);
    if (bind_scope(c, s, 4))
        return -1;
    sqlite3_bind_int(s, 5, kt_arg_has(c, "scope"));
    sqlite3_bind_int64(s, 6, kt_now());
    int rc = kt_store_step_done(c->st, s);
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_CONFLICT, "Er bestaat al een organisatie met deze naam.");
    if (rc)
        return kt_fail_err(c, rc);
    json_t *org = kt_org_json(c->st, id);
    if (kt_emit_directory(c, "org.updated", json_pack("{s:O}", "organisation", org)))
        return json_decref(org), -1;
    c->result = json_pack("{s:o}", "organisation", org);
    return 0;
}

/* ---- persons ---- */

static bool email_plausible(const char *e)
{
    const char *at = strchr(e, '@');
    if (!at || at == e || strchr(at + 1, '@') || !strchr(at + 1, '.') || strlen(e) > 254)
        return false;
    for (const char *p = e; *p; p++)
        if (*p == ' ' || *p == '<' || *p == '>' || *p == '"' || (unsigned char)*p < 0x21)
            return false;
    return at[1] != '.' && e[strlen(e) - 1] != '.';
}

int kt_h_person_list(kt_ctx *c)
{
    int64_t org = kt_arg_int(c, "org", 0);
    json_t *list = org ? list_ids(c, "SELECT id FROM persons WHERE org_id = ?1 ORDER BY name", org,
                                  kt_person_json)
                       : list_ids(c, "SELECT id FROM persons ORDER BY name", 0, kt_person_json);
    c->result = json_pack("{s:o}", "persons", list);
    return 0;
}

int kt_h_person_search(kt_ctx *c)
{
    const char *q = kt_arg_str(c, "q");
    char pattern[260];
    size_t o = 0;
    pattern[o++] = '%';
    for (const char *p = q; *p && o < sizeof pattern - 3; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            pattern[o++] = '\\';
        pattern[o++] = *p;
    }
    pattern[o++] = '%';
    pattern[o] = 0;
    sqlite3_stmt *s = kt_store_stmt(
        c->st, "SELECT p.id FROM persons p JOIN organisations o ON o.id = p.org_id WHERE "
               "p.active = 1 AND (p.name LIKE ?1 ESCAPE '\\' OR p.email LIKE ?1 ESCAPE '\\' OR "
               "o.name LIKE ?1 ESCAPE '\\') ORDER BY p.name LIMIT ?2");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_text(s, 1, pattern, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, kt_arg_int(c, "limit", 20));
    kt_ivec ids = {0};
    while (sqlite3_step(s) == SQLITE_ROW)
        kt_ivec_push(&ids, sqlite3_column_int64(s, 0));
    sqlite3_reset(s);
    json_t *out = json_array();
    for (size_t i = 0; i < ids.n; i++) {
        json_t *j = kt_person_json(c->st, ids.v[i]);
        if (j)
            json_array_append_new(out, j);
    }
    kt_ivec_free(&ids);
    c->result = json_pack("{s:o}", "persons", out);
    return 0;
}

/* A link with which the person sets their own password. It goes to the person: by mail when a
 * relay is configured (the administrator never sees it), else in this reply only, once
 * (never kept for a request-key replay). Any earlier link of the person stops working. */
static int setup_link(kt_ctx *c, int64_t person, json_t *result, bool reset)
{
    c->secret_result = true;
    char token[KT_TOKEN_LEN + 1];
    int rc = kt_setup_token_create(c->st, person, SETUP_TOKEN_TTL, token);
    if (rc)
        return kt_fail_err(c, rc);
    char url[512];
    snprintf(url, sizeof url, "%s/#/wachtwoord/%s", c->app->cfg.public_url, token);
    sodium_memzero(token, sizeof token);
    json_t *p = json_object_get(result, "person");
    if (c->app->digest) {
        c->mail = calloc(1, sizeof *c->mail);
        rc = c->mail ? kt_link_mail(c->mail, json_string_value(json_object_get(p, "name")),
                                    json_string_value(json_object_get(p, "email")), url, reset,
                                    SETUP_TOKEN_TTL / 86400)
                     : KT_ENOMEM;
        sodium_memzero(url, sizeof url);
        if (rc == KT_EINVAL)
            return kt_fail(c, KT_C_INVALID_STATE,
                           "Het e-mailadres van deze persoon is niet bruikbaar voor mail.");
        if (rc)
            return kt_fail_err(c, rc);
        json_object_set_new(result, "delivery", json_string("mail"));
        return 0;
    }
    json_object_set_new(result, "setup_url", json_string(url));
    json_object_set_new(result, "delivery", json_string("shown"));
    sodium_memzero(url, sizeof url);
    return 0;
}

int kt_h_person_create(kt_ctx *c)
{
    const char *email = kt_arg_str(c, "email");
    int64_t org = kt_arg_int(c, "org", 0);
    if (!email_plausible(email))
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "'%s' is geen geldig e-mailadres.", email);
    if (!kt_exists(c->st, "SELECT 1 FROM organisations WHERE id = ?1", org))
        return kt_fail(c, KT_C_NOT_FOUND, "Deze organisatie bestaat niet.");
    sqlite3_stmt *s = kt_store_stmt(c->st, "INSERT INTO persons(org_id, name, email, function, "
                                           "is_admin, created_at, updated_at) "
                                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, org);
    sqlite3_bind_text(s, 2, kt_arg_str(c, "name"), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, email, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, kt_arg_str(c, "function") ? kt_arg_str(c, "function") : "", -1,
                      SQLITE_STATIC);
    sqlite3_bind_int(s, 5, kt_arg_bool(c, "admin", false));
    sqlite3_bind_int64(s, 6, kt_now());
    int rc = kt_store_step_done(c->st, s);
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_CONFLICT, "Er is al een persoon met dit e-mailadres.");
    if (rc)
        return kt_fail_err(c, rc);
    int64_t id = kt_store_last_id(c->st);
    json_t *person = kt_person_json(c->st, id);
    c->result = json_pack("{s:O}", "person", person);
    if (setup_link(c, id, c->result, false) ||
        kt_emit_directory(c, "person.created", json_pack("{s:o}", "person", person)))
        return -1;
    return 0;
}

int kt_h_person_update(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "person", 0);
    if (!kt_exists(c->st, "SELECT 1 FROM persons WHERE id = ?1", id))
        return kt_fail(c, KT_C_NOT_FOUND, "Deze persoon bestaat niet.");
    const char *email = kt_arg_str(c, "email");
    if (email && !email_plausible(email))
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "'%s' is geen geldig e-mailadres.", email);
    int64_t org = kt_arg_int(c, "org", 0);
    if (org && !kt_exists(c->st, "SELECT 1 FROM organisations WHERE id = ?1", org))
        return kt_fail(c, KT_C_NOT_FOUND, "Deze organisatie bestaat niet.");
    bool self = id == c->me->person;
    if (self && (!kt_arg_bool(c, "admin", true) || !kt_arg_bool(c, "active", true)))
        return kt_fail(c, KT_C_INVALID_STATE,
                       "U kunt uzelf niet deactiveren of uw beheerrechten afnemen.");
    sqlite3_stmt *s = kt_store_stmt(
        c->st, "UPDATE persons SET name = coalesce(?2, name), email = coalesce(?3, email), "
               "org_id = coalesce(?4, org_id), function = coalesce(?5, function), "
               "is_admin = coalesce(?6, is_admin), active = coalesce(?7, active), "
               "updated_at = ?8 WHERE id = ?1");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, id);
    if (kt_arg_str(c, "name"))
        sqlite3_bind_text(s, 2, kt_arg_str(c, "name"), -1, SQLITE_STATIC);
    if (email)
        sqlite3_bind_text(s, 3, email, -1, SQLITE_STATIC);
    if (org)
        sqlite3_bind_int64(s, 4, org);
    if (kt_arg_str(c, "function"))
        sqlite3_bind_text(s, 5, kt_arg_str(c, "function"), -1, SQLITE_STATIC);
    if (kt_arg_has(c, "admin"))
        sqlite3_bind_int(s, 6, kt_arg_bool(c, "admin", false));
    if (kt_arg_has(c, "active"))
        sqlite3_bind_int(s, 7, kt_arg_bool(c, "active", true));
    sqlite3_bind_int64(s, 8, kt_now());
    int rc = kt_store_step_done(c->st, s);
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_CONFLICT, "Er is al een persoon met dit e-mailadres.");
    if (rc)
        return kt_fail_err(c, rc);
    bool rights_changed = kt_arg_has(c, "admin") || kt_arg_int(c, "org", 0);
    if (rights_changed && c->app->hub)
        /* Open connections carry the old admin right and organisation: make them reconnect. */
        kt_hub_close_person(c->app->hub, id, NULL, KT_CLOSE_SESSION_ENDED, "rechten gewijzigd");
    if (kt_arg_has(c, "active") && !kt_arg_bool(c, "active", true)) {
        /* A deactivated person loses every session at once. */
        sqlite3_stmt *d = kt_store_stmt(c->st, "DELETE FROM sessions WHERE person_id = ?1");
        if (!d)
            return kt_fail_err(c, KT_ESTORE);
        sqlite3_bind_int64(d, 1, id);
        if ((rc = kt_store_step_done(c->st, d)) || (rc = kt_setup_tokens_void(c->st, id)))
            return kt_fail_err(c, rc);
        if (c->app->hub)
            kt_hub_close_person(c->app->hub, id, NULL, KT_CLOSE_SESSION_ENDED,
                                "account gedeactiveerd");
    }
    json_t *person = kt_person_json(c->st, id);
    if (kt_emit_directory(c, "person.updated", json_pack("{s:O}", "person", person)))
        return json_decref(person), -1;
    c->result = json_pack("{s:o}", "person", person);
    return 0;
}

int kt_h_person_reset(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "person", 0);
    json_t *person = kt_person_json(c->st, id);
    if (!person)
        return kt_fail(c, KT_C_NOT_FOUND, "Deze persoon bestaat niet.");
    c->result = json_pack("{s:o}", "person", person);
    return setup_link(c, id, c->result, true);
}

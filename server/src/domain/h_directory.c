/* The directory: organisations, persons and scopes. Everyone logged in may read it (it is how
 * chain partners find each other); only administrators change it. */
#include "auth/session.h"
#include "domain/handlers.h"
#include "domain/model.h"
#include "feed/linkmail.h"
#include "live/hub.h"
#include "protocol/errors.h"
#include "store/directory.h"
#include "store/sessions.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SETUP_TOKEN_TTL (7 * 86400)

/* Replies {name: [...]} with what list() appends. */
static int reply_list(kt_ctx *c, const char *name, int rc, json_t *arr)
{
    if (rc) {
        json_decref(arr);
        return kt_fail_err(c, rc);
    }
    c->result = json_pack("{s:o}", name, arr);
    return 0;
}

/* ---- paging the directory (handlers.h) ---- */

int kt_dir_page_args(kt_ctx *c, int (*exists)(struct kt_store *, int64_t), int64_t *after,
                     int64_t *limit)
{
    *after = 0;
    *limit = kt_arg_has(c, "limit") ? kt_arg_int(c, "limit", 0) : DIR_PAGE;
    const char *text = kt_arg_str(c, "after");
    if (!text)
        return 0;
    long long id = 0;
    int n = 0, rc = 0;
    if (sscanf(text, "%lld%n", &id, &n) != 1 || text[n] || id < 0 || text[0] == '+' ||
        text[0] == ' ' || (id > 0 && (rc = exists(c->st, id)) == KT_ENOTFOUND))
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "'after' is geen vervolgpunt van een eerdere pagina ('next').");
    if (rc)
        return kt_fail_err(c, rc);
    *after = id;
    return 0;
}

int kt_dir_page_reply(kt_ctx *c, const char *name, int rc, json_t *arr, int64_t after,
                      int64_t limit, json_t *extra)
{
    if (rc) {
        json_decref(arr);
        json_decref(extra);
        return kt_fail_err(c, rc);
    }
    bool more = kt_page_cut(arr, (size_t)limit);
    json_t *next = json_null();
    if (more) {
        json_t *last = json_array_get(arr, json_array_size(arr) - 1);
        char cur[24];
        /* limit 0: the cursor asked with ("0": from the first) */
        snprintf(cur, sizeof cur, "%lld",
                 (long long)(last ? json_integer_value(json_object_get(last, "id")) : after));
        next = json_string(cur);
    }
    c->result = json_pack("{s:o, s:b, s:o}", name, arr, "more", more, "next", next);
    if (extra)
        json_object_update_new(c->result, extra);
    return 0;
}

/* ---- scopes ---- */

static int scope_exists(struct kt_store *st, int64_t id)
{
    json_t *scope = NULL;
    int rc = kt_store_scope_get(st, id, &scope);
    json_decref(scope);
    return rc;
}

int kt_h_scope_list(kt_ctx *c)
{
    int64_t after, limit;
    if (kt_dir_page_args(c, scope_exists, &after, &limit))
        return -1;
    json_t *arr = json_array();
    int rc = kt_store_scopes_list(c->st, after, limit + 1, arr);
    return kt_dir_page_reply(c, "scopes", rc, arr, after, limit, NULL);
}

int kt_h_scope_create(kt_ctx *c)
{
    const char *name = kt_arg_str(c, "name"), *kind = kt_arg_str(c, "kind");
    json_t *includes = json_object_get(c->args, "includes");
    if (includes && strcmp(kind, "regio") != 0)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "Alleen een regio omvat andere gebieden.");
    int64_t id;
    int rc = kt_store_scope_insert(c->st, name, kind, &id);
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_CONFLICT, "Er bestaat al een gebied met de naam '%s'.", name);
    if (rc)
        return kt_fail_err(c, rc);
    size_t i;
    json_t *x;
    json_array_foreach(includes, i, x)
    {
        int64_t member;
        if (!json_is_string(x))
            return kt_fail(c, KT_C_INVALID_ARGUMENT, "'includes' is een lijst van gebiedsnamen.");
        rc = kt_store_scope_find(c->st, json_string_value(x), &member);
        if (rc == KT_ENOTFOUND)
            return kt_fail(c, KT_C_NOT_FOUND, "Onbekend gebied '%s' in 'includes'.",
                           json_string_value(x));
        if (rc || (rc = kt_store_scope_include(c->st, id, member)))
            return kt_fail_err(c, rc);
    }
    json_t *scope;
    if ((rc = kt_store_scope_get(c->st, id, &scope)))
        return kt_fail_err(c, rc);
    if (kt_emit_directory(c, "scope.created", json_pack("{s:O}", "scope", scope)))
        return json_decref(scope), -1;
    c->result = json_pack("{s:o}", "scope", scope);
    return 0;
}

/* ---- organisations ---- */

int kt_h_org_list(kt_ctx *c)
{
    int64_t after, limit;
    if (kt_dir_page_args(c, kt_store_org_exists, &after, &limit))
        return -1;
    json_t *arr = json_array();
    int rc = kt_store_orgs_list(c->st, after, limit + 1, arr);
    return kt_dir_page_reply(c, "organisations", rc, arr, after, limit, NULL);
}

/* The scope argument as an id (0 when not given). */
static int scope_arg(kt_ctx *c, int64_t *id)
{
    const char *scope = kt_arg_str(c, "scope");
    *id = 0;
    if (!scope)
        return 0;
    int rc = kt_store_scope_find(c->st, scope, id);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Onbekend gebied '%s'.", scope);
    return rc ? kt_fail_err(c, rc) : 0;
}

static int emit_org(kt_ctx *c, const char *event, int64_t id)
{
    json_t *org;
    int rc = kt_store_org_get(c->st, id, &org);
    if (rc)
        return kt_fail_err(c, rc);
    if (kt_emit_directory(c, event, json_pack("{s:O}", "organisation", org)))
        return json_decref(org), -1;
    c->result = json_pack("{s:o}", "organisation", org);
    return 0;
}

int kt_h_org_create(kt_ctx *c)
{
    int64_t scope, id;
    if (scope_arg(c, &scope))
        return -1;
    int rc = kt_store_org_insert(c->st, kt_arg_str(c, "name"), kt_arg_str(c, "kind"), scope,
                                 kt_now(), &id);
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_CONFLICT, "Er bestaat al een organisatie met deze naam.");
    if (rc)
        return kt_fail_err(c, rc);
    return emit_org(c, "org.created", id);
}

int kt_h_org_update(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "org", 0), scope;
    int rc = kt_store_org_exists(c->st, id);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Deze organisatie bestaat niet.");
    if (rc)
        return kt_fail_err(c, rc);
    if (scope_arg(c, &scope))
        return -1;
    rc = kt_store_org_update(c->st, id, kt_arg_str(c, "name"), kt_arg_str(c, "kind"),
                             kt_arg_has(c, "scope"), scope, kt_now());
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_CONFLICT, "Er bestaat al een organisatie met deze naam.");
    if (rc)
        return kt_fail_err(c, rc);
    return emit_org(c, "org.updated", id);
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

static int person_exists(struct kt_store *st, int64_t id)
{
    return kt_store_person_exists(st, id, false);
}

int kt_h_person_list(kt_ctx *c)
{
    int64_t after, limit;
    if (kt_dir_page_args(c, person_exists, &after, &limit))
        return -1;
    json_t *arr = json_array();
    int rc = kt_store_persons_list(c->st, kt_arg_int(c, "org", 0), after, limit + 1, arr);
    return kt_dir_page_reply(c, "persons", rc, arr, after, limit, NULL);
}

int kt_h_person_search(kt_ctx *c)
{
    json_t *arr = json_array();
    return reply_list(
        c, "persons",
        kt_store_persons_search(c->st, kt_arg_str(c, "q"), kt_arg_int(c, "limit", 20), arr), arr);
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
    /* No relay: the administrator hands the link over. Recorded, so it is known afterwards
     * who could have used it. */
    kt_info("password link shown", "person=%lld by=%lld reset=%d", (long long)person,
            (long long)c->me->person, reset ? 1 : 0);
    json_object_set_new(result, "setup_url", json_string(url));
    json_object_set_new(result, "delivery", json_string("shown"));
    sodium_memzero(url, sizeof url);
    return 0;
}

/* A person that must exist: 0, or -1 with not_found (or the store's error) recorded. */
static int must_exist(kt_ctx *c, int rc, const char *not_found)
{
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "%s", not_found);
    return rc ? kt_fail_err(c, rc) : 0;
}

int kt_h_person_create(kt_ctx *c)
{
    const char *email = kt_arg_str(c, "email");
    int64_t org = kt_arg_int(c, "org", 0), id;
    if (!email_plausible(email))
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "'%s' is geen geldig e-mailadres.", email);
    if (must_exist(c, kt_store_org_exists(c->st, org), "Deze organisatie bestaat niet."))
        return -1;
    kt_person_fields f = {.name = kt_arg_str(c, "name"),
                          .email = email,
                          .function = kt_arg_str(c, "function"),
                          .org = org,
                          .admin = kt_arg_bool(c, "admin", false),
                          .active = 1};
    int rc = kt_store_person_insert(c->st, &f, kt_now(), &id);
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_CONFLICT, "Er is al een persoon met dit e-mailadres.");
    if (rc)
        return kt_fail_err(c, rc);
    json_t *person;
    if ((rc = kt_store_person_get(c->st, id, &person)))
        return kt_fail_err(c, rc);
    c->result = json_pack("{s:O}", "person", person);
    if (setup_link(c, id, c->result, false) ||
        kt_emit_directory(c, "person.created", json_pack("{s:o}", "person", person)))
        return -1;
    return 0;
}

int kt_h_person_update(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "person", 0);
    if (must_exist(c, kt_store_person_exists(c->st, id, false), "Deze persoon bestaat niet."))
        return -1;
    const char *email = kt_arg_str(c, "email");
    if (email && !email_plausible(email))
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "'%s' is geen geldig e-mailadres.", email);
    int64_t org = kt_arg_int(c, "org", 0);
    if (org && must_exist(c, kt_store_org_exists(c->st, org), "Deze organisatie bestaat niet."))
        return -1;
    bool self = id == c->me->person;
    if (self && (!kt_arg_bool(c, "admin", true) || !kt_arg_bool(c, "active", true)))
        return kt_fail(c, KT_C_INVALID_STATE,
                       "U kunt uzelf niet deactiveren of uw beheerrechten afnemen.");
    /* Four eyes: one's organisation decides which confidential items one sees, so an
     * administrator's own organisation is changed by another administrator. */
    if (self && org && org != c->me->org)
        return kt_fail(c, KT_C_FORBIDDEN,
                       "Uw eigen organisatie kan alleen een andere beheerder wijzigen.");
    /* An address changed by an administrator is where the next reset link goes: the person's
     * account is then reset by another administrator only (four eyes, kt_h_person_reset). */
    bool email_changed = false;
    if (email && !self) {
        json_t *before = NULL;
        int rc = kt_store_person_get(c->st, id, &before);
        if (rc)
            return kt_fail_err(c, rc);
        const char *was = json_string_value(json_object_get(before, "email"));
        email_changed = !was || strcasecmp(was, email) != 0;
        json_decref(before);
    }
    kt_person_fields f = {
        .name = kt_arg_str(c, "name"),
        .email = email,
        .function = kt_arg_str(c, "function"),
        .org = org,
        .admin = kt_arg_has(c, "admin") ? kt_arg_bool(c, "admin", false) : -1,
        .active = kt_arg_has(c, "active") ? kt_arg_bool(c, "active", true) : -1,
    };
    int rc = kt_store_person_update(c->st, id, &f, kt_now());
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_CONFLICT, "Er is al een persoon met dit e-mailadres.");
    if (!rc && email_changed)
        rc = kt_store_person_email_mark(c->st, id, c->me->person);
    if (rc)
        return kt_fail_err(c, rc);
    if (email_changed)
        kt_info("e-mail address changed", "person=%lld by=%lld", (long long)id,
                (long long)c->me->person);
    bool rights_changed = kt_arg_has(c, "admin") || kt_arg_int(c, "org", 0);
    if (rights_changed && c->app->hub)
        /* Open connections carry the old admin right and organisation: make them reconnect. */
        kt_hub_close_person(c->app->hub, id, NULL, KT_CLOSE_SESSION_ENDED, "rechten gewijzigd");
    if (f.active == 0) {
        /* A deactivated person loses every session at once. */
        if ((rc = kt_store_sessions_end_person(c->st, id)) ||
            (rc = kt_setup_tokens_void(c->st, id)))
            return kt_fail_err(c, rc);
        if (c->app->hub)
            kt_hub_close_person(c->app->hub, id, NULL, KT_CLOSE_SESSION_ENDED,
                                "account gedeactiveerd");
    }
    json_t *person;
    if ((rc = kt_store_person_get(c->st, id, &person)))
        return kt_fail_err(c, rc);
    if (kt_emit_directory(c, "person.updated", json_pack("{s:O}", "person", person)))
        return json_decref(person), -1;
    c->result = json_pack("{s:o}", "person", person);
    return 0;
}

int kt_h_person_reset(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "person", 0);
    json_t *person;
    int rc = kt_store_person_get(c->st, id, &person);
    if (must_exist(c, rc, "Deze persoon bestaat niet."))
        return -1;
    /* Four eyes: an administrator who changed the e-mail address of someone's account cannot
     * also send its reset link there (that would hand them the account); another administrator
     * can, or the person sets their password again themself. */
    int64_t changed_by = 0;
    if ((rc = kt_store_person_email_changed_by(c->st, id, &changed_by))) {
        json_decref(person);
        return kt_fail_err(c, rc);
    }
    if (changed_by && changed_by == c->me->person) {
        json_decref(person);
        return kt_fail(c, KT_C_FORBIDDEN,
                       "U hebt het e-mailadres van deze persoon gewijzigd; een andere beheerder "
                       "stuurt de link om het wachtwoord opnieuw in te stellen.");
    }
    c->result = json_pack("{s:o}", "person", person);
    return setup_link(c, id, c->result, true);
}

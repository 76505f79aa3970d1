#include "store/directory.h"

#include "store/db.h"
#include "util/err.h"

#include <stdio.h>
#include <string.h>

/* ---- persons ---- */

#define PERSON_SELECT                                                                              \
    "SELECT p.id, p.name, p.email, p.org_id, o.name, p.function, p.is_admin, p.active, "           \
    "p.password_hash IS NOT NULL FROM persons p JOIN organisations o ON o.id = p.org_id "

static const kt_db_col person_cols[] = {{"id", KT_COL_INT},
                                        {"name", KT_COL_TEXT},
                                        {"email", KT_COL_TEXT},
                                        {"org", KT_COL_INT},
                                        {"org_name", KT_COL_TEXT},
                                        {"function", KT_COL_TEXT},
                                        {"admin", KT_COL_BOOL},
                                        {"active", KT_COL_BOOL},
                                        {"has_password", KT_COL_BOOL},
                                        {NULL, 0}};

int kt_store_person_get(kt_store *st, int64_t id, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(st, PERSON_SELECT "WHERE p.id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_one_json(s, person_cols, out);
}

/* Keyset paging by (name, id) after the row `after` (0: from the first); the row's name is read
 * in the same statement, so the order is the backend's own for both the sort and the cut. */
#define AFTER_NAME(table, alias)                                                                   \
    "(?2 = 0 OR " alias ".name > (SELECT name FROM " table " WHERE id = ?2) OR (" alias            \
    ".name = (SELECT name FROM " table " WHERE id = ?2) AND " alias ".id > ?2)) "

int kt_store_persons_list(kt_store *st, int64_t org, int64_t after, int64_t limit, json_t *arr)
{
    static const char *const by_org = PERSON_SELECT
        "WHERE p.org_id = ?1 AND " AFTER_NAME("persons", "p") "ORDER BY p.name, p.id LIMIT ?3";
    static const char *const all =
        PERSON_SELECT "WHERE " AFTER_NAME("persons", "p") "ORDER BY p.name, p.id LIMIT ?3";
    kt_db_stmt *s = kt_db_prepare(st, org ? by_org : all);
    if (!s)
        return KT_ESTORE;
    if (org)
        kt_db_bind_int(s, 1, org);
    kt_db_bind_int(s, 2, after);
    kt_db_bind_int(s, 3, limit);
    return kt_db_rows_json(s, person_cols, arr);
}

int kt_store_persons_search(kt_store *st, const char *q, int64_t limit, json_t *arr)
{
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
    kt_db_stmt *s = kt_db_prepare(
        st, kt_db_sql(st,
                      PERSON_SELECT "WHERE p.active = 1 AND (p.name LIKE ?1 ESCAPE '\\' OR "
                                    "p.email LIKE ?1 ESCAPE '\\' OR o.name LIKE ?1 ESCAPE '\\') "
                                    "ORDER BY p.name LIMIT ?2",
                      PERSON_SELECT "WHERE p.active = 1 AND (p.name ILIKE ?1 ESCAPE '\\' OR "
                                    "p.email ILIKE ?1 ESCAPE '\\' OR o.name ILIKE ?1 ESCAPE '\\') "
                                    "ORDER BY p.name LIMIT ?2"));
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, pattern);
    kt_db_bind_int(s, 2, limit);
    return kt_db_rows_json(s, person_cols, arr);
}

int kt_store_person_exists(kt_store *st, int64_t id, bool active_only)
{
    kt_db_stmt *s = active_only
                        ? kt_db_prepare(st, "SELECT 1 FROM persons WHERE id = ?1 AND active = 1")
                        : kt_db_prepare(st, "SELECT 1 FROM persons WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_exists(s);
}

int kt_store_person_email_mark(kt_store *st, int64_t id, int64_t by)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "UPDATE persons SET email_changed_by = ?2 WHERE id = ?1 AND password_hash IS NOT NULL");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_int(s, 2, by);
    return kt_db_run(s, NULL);
}

int kt_store_person_email_changed_by(kt_store *st, int64_t id, int64_t *by)
{
    *by = 0;
    kt_db_stmt *s = kt_db_prepare(st, "SELECT email_changed_by FROM persons WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW)
        *by = kt_db_int(s, 0);
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_store_person_name(kt_store *st, int64_t id, char *buf, size_t n)
{
    buf[0] = 0;
    kt_db_stmt *s = kt_db_prepare(st, "SELECT name FROM persons WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW)
        snprintf(buf, n, "%s", kt_db_text(s, 0));
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_store_person_insert(kt_store *st, const kt_person_fields *f, int64_t now, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO persons(org_id, name, email, function, "
                                      "is_admin, password_hash, created_at, updated_at) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, f->org);
    kt_db_bind_text(s, 2, f->name);
    kt_db_bind_text(s, 3, f->email);
    kt_db_bind_text(s, 4, f->function ? f->function : "");
    kt_db_bind_int(s, 5, f->admin > 0);
    kt_db_bind_text(s, 6, f->password_hash);
    kt_db_bind_int(s, 7, now);
    return kt_db_one_int(s, id);
}

int kt_store_person_update(kt_store *st, int64_t id, const kt_person_fields *f, int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "UPDATE persons SET name = coalesce(?2, name), email = coalesce(?3, email), "
            "org_id = coalesce(?4, org_id), function = coalesce(?5, function), "
            "is_admin = coalesce(?6, is_admin), active = coalesce(?7, active), "
            "updated_at = ?8 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_text(s, 2, f->name);
    kt_db_bind_text(s, 3, f->email);
    kt_db_bind_ref(s, 4, f->org);
    kt_db_bind_text(s, 5, f->function);
    if (f->admin >= 0)
        kt_db_bind_int(s, 6, f->admin);
    else
        kt_db_bind_null(s, 6);
    if (f->active >= 0)
        kt_db_bind_int(s, 7, f->active);
    else
        kt_db_bind_null(s, 7);
    kt_db_bind_int(s, 8, now);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    return rc ? rc : n ? 0 : KT_ENOTFOUND;
}

/* ---- organisations ---- */

#define ORG_SELECT                                                                                 \
    "SELECT o.id, o.name, o.kind, sc.name FROM organisations o LEFT JOIN scopes sc ON sc.id = "    \
    "o.scope_id "

static const kt_db_col org_cols[] = {{"id", KT_COL_INT},
                                     {"name", KT_COL_TEXT},
                                     {"kind", KT_COL_TEXT},
                                     {"scope", KT_COL_TEXT},
                                     {NULL, 0}};

int kt_store_org_get(kt_store *st, int64_t id, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(st, ORG_SELECT "WHERE o.id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_one_json(s, org_cols, out);
}

int kt_store_orgs_list(kt_store *st, int64_t after, int64_t limit, json_t *arr)
{
    kt_db_stmt *s = kt_db_prepare(
        st, ORG_SELECT "WHERE " AFTER_NAME("organisations", "o") "ORDER BY o.name, o.id LIMIT ?3");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 2, after);
    kt_db_bind_int(s, 3, limit);
    return kt_db_rows_json(s, org_cols, arr);
}

int kt_store_org_exists(kt_store *st, int64_t id)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT 1 FROM organisations WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_exists(s);
}

int kt_store_org_insert(kt_store *st, const char *name, const char *kind, int64_t scope,
                        int64_t now, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO organisations(name, kind, scope_id, "
                                      "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4) "
                                      "RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, name);
    kt_db_bind_text(s, 2, kind);
    kt_db_bind_ref(s, 3, scope);
    kt_db_bind_int(s, 4, now);
    return kt_db_one_int(s, id);
}

int kt_store_org_update(kt_store *st, int64_t id, const char *name, const char *kind,
                        bool set_scope, int64_t scope, int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "UPDATE organisations SET name = coalesce(?2, name), kind = coalesce(?3, kind), "
            "scope_id = CASE WHEN ?5 = 1 THEN ?4 ELSE scope_id END, updated_at = ?6 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_text(s, 2, name);
    kt_db_bind_text(s, 3, kind);
    kt_db_bind_ref(s, 4, scope);
    kt_db_bind_int(s, 5, set_scope);
    kt_db_bind_int(s, 6, now);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    return rc ? rc : n ? 0 : KT_ENOTFOUND;
}

int kt_store_org_ensure(kt_store *st, const char *name, const char *kind, int64_t now, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO organisations(name, kind, created_at, "
                                      "updated_at) VALUES (?1, ?2, ?3, ?3) ON CONFLICT DO NOTHING");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, name);
    kt_db_bind_text(s, 2, kind);
    kt_db_bind_int(s, 3, now);
    int rc = kt_db_run(s, NULL);
    if (rc)
        return rc;
    s = kt_db_prepare(st, "SELECT id FROM organisations WHERE name = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, name);
    return kt_db_one_int(s, id);
}

/* ---- scopes ---- */

static const kt_db_col scope_cols[] = {
    {"id", KT_COL_INT}, {"name", KT_COL_TEXT}, {"kind", KT_COL_TEXT}, {NULL, 0}};

static int scope_includes(kt_store *st, json_t *scope)
{
    json_t *names = json_array();
    kt_db_stmt *s = kt_db_prepare(st, "SELECT sc.name FROM scope_members m JOIN scopes sc ON "
                                      "sc.id = m.member_id WHERE m.region_id = ?1 ORDER BY "
                                      "sc.name");
    if (!names || !s) {
        json_decref(names);
        return s ? KT_ENOMEM : KT_ESTORE;
    }
    kt_db_bind_int(s, 1, json_integer_value(json_object_get(scope, "id")));
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        json_array_append_new(names, json_string(kt_db_text(s, 0)));
    kt_db_reset(s);
    json_object_set_new(scope, "includes", names);
    return rc < 0 ? rc : 0;
}

int kt_store_scope_get(kt_store *st, int64_t id, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id, name, kind FROM scopes WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    int rc = kt_db_one_json(s, scope_cols, out);
    if (!rc && (rc = scope_includes(st, *out))) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int kt_store_scopes_list(kt_store *st, int64_t after, int64_t limit, json_t *arr)
{
    /* by kind, then name (unique), after the scope `after` */
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT s.id, s.name, s.kind FROM scopes s LEFT JOIN scopes a ON a.id = ?1 "
            "WHERE ?1 = 0 OR s.kind > a.kind OR (s.kind = a.kind AND (s.name > a.name OR "
            "(s.name = a.name AND s.id > a.id))) ORDER BY s.kind, s.name, s.id LIMIT ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, after);
    kt_db_bind_int(s, 2, limit);
    size_t first = json_array_size(arr);
    int rc = kt_db_rows_json(s, scope_cols, arr);
    for (size_t i = first; !rc && i < json_array_size(arr); i++)
        rc = scope_includes(st, json_array_get(arr, i));
    return rc;
}

int kt_store_scope_find(kt_store *st, const char *name, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id FROM scopes WHERE name = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, name);
    return kt_db_one_int(s, id);
}

int kt_store_scope_insert(kt_store *st, const char *name, const char *kind, int64_t *id)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "INSERT INTO scopes(name, kind) VALUES (?1, ?2) RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, name);
    kt_db_bind_text(s, 2, kind);
    return kt_db_one_int(s, id);
}

int kt_store_scope_include(kt_store *st, int64_t region, int64_t member)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO scope_members(region_id, member_id) VALUES "
                                      "(?1, ?2) ON CONFLICT DO NOTHING");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, region);
    kt_db_bind_int(s, 2, member);
    return kt_db_run(s, NULL);
}

int kt_store_person_org(kt_store *st, int64_t id, int64_t *org)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT org_id FROM persons WHERE id = ?1 AND active = 1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_one_int(s, org);
}

int kt_store_regions_each(kt_store *st,
                          void (*fn)(void *arg, const char *region, const char *member), void *arg)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT r.name, g.name FROM scope_members m JOIN scopes r "
                                      "ON r.id = m.region_id JOIN scopes g ON g.id = m.member_id");
    if (!s)
        return KT_ESTORE;
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        fn(arg, kt_db_text(s, 0), kt_db_text(s, 1));
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

int kt_store_persons_count(kt_store *st, int64_t *n)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT count(*) FROM persons");
    *n = 0;
    return s ? kt_db_one_int(s, n) : KT_ESTORE;
}

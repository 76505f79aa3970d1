#include "store/bodies.h"

#include "store/db.h"
#include "util/err.h"

#include <stdio.h>

#define BODY_COLS                                                                                  \
    "b.id, b.name, b.kind, sc.name, b.level, b.cadence, b.parent_id, b.mandate, b.location, "      \
    "b.updated_at"
#define BODY_FROM " FROM bodies b JOIN scopes sc ON sc.id = b.scope_id "

#define BODY_JSON_COLS                                                                             \
    {"id", KT_COL_INT}, {"name", KT_COL_TEXT}, {"kind", KT_COL_TEXT}, {"scope", KT_COL_TEXT},      \
        {"level", KT_COL_TEXT}, {"cadence", KT_COL_TEXT}, {"parent", KT_COL_INT},                  \
        {"mandate", KT_COL_TEXT}, {"location", KT_COL_TEXT},                                       \
    {                                                                                              \
        "updated_at", KT_COL_TIME                                                                  \
    }

static const kt_db_col body_cols[] = {BODY_JSON_COLS, {NULL, 0}};

int kt_store_body_get(kt_store *st, int64_t id, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT " BODY_COLS BODY_FROM "WHERE b.id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_one_json(s, body_cols, out);
}

int kt_store_body_exists(kt_store *st, int64_t id)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT 1 FROM bodies WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_exists(s);
}

int kt_store_body_name(kt_store *st, int64_t id, char *buf, size_t n)
{
    buf[0] = 0;
    kt_db_stmt *s = kt_db_prepare(st, "SELECT name FROM bodies WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW)
        snprintf(buf, n, "%s", kt_db_text(s, 0));
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_store_body_parent(kt_store *st, int64_t id, int64_t *parent)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT parent_id FROM bodies WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    *parent = 0;
    return kt_db_one_int(s, parent);
}

int kt_store_bodies_list(kt_store *st, int64_t person, int64_t after, int64_t limit, json_t *arr)
{
    static const kt_db_col cols[] = {
        BODY_JSON_COLS, {"role", KT_COL_TEXT}, {"member_count", KT_COL_INT}, {NULL, 0}};
    kt_db_stmt *s = kt_db_prepare(
        st,
        "SELECT " BODY_COLS ", m.role, (SELECT count(*) FROM memberships x WHERE x.body_id = "
        "b.id)" BODY_FROM "LEFT JOIN memberships m ON m.body_id = b.id AND m.person_id = ?1 "
        "WHERE ?2 = 0 OR b.name > (SELECT name FROM bodies WHERE id = ?2) OR (b.name = "
        "(SELECT name FROM bodies WHERE id = ?2) AND b.id > ?2) ORDER BY b.name, b.id LIMIT ?3");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_int(s, 2, after);
    kt_db_bind_int(s, 3, limit);
    return kt_db_rows_json(s, cols, arr);
}

int kt_store_bodies_of_person(kt_store *st, int64_t person, json_t *arr)
{
    static const kt_db_col cols[] = {BODY_JSON_COLS, {"role", KT_COL_TEXT}, {NULL, 0}};
    kt_db_stmt *s = kt_db_prepare(st, "SELECT " BODY_COLS ", m.role" BODY_FROM
                                      "JOIN memberships m ON m.body_id = b.id "
                                      "WHERE m.person_id = ?1 ORDER BY b.name, b.id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    return kt_db_rows_json(s, cols, arr);
}

int kt_store_body_children(kt_store *st, int64_t id, json_t *arr)
{
    static const kt_db_col cols[] = {
        {"id", KT_COL_INT}, {"name", KT_COL_TEXT}, {"kind", KT_COL_TEXT}, {NULL, 0}};
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id, name, kind FROM bodies WHERE parent_id = ?1 "
                                      "ORDER BY name, id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_rows_json(s, cols, arr);
}

int kt_store_body_insert(kt_store *st, const kt_body_fields *f, int64_t now, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "INSERT INTO bodies(name, kind, scope_id, level, cadence, parent_id, mandate, "
            "location, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) "
            "RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, f->name);
    kt_db_bind_text(s, 2, f->kind);
    kt_db_bind_int(s, 3, f->scope);
    kt_db_bind_text(s, 4, f->level);
    kt_db_bind_text(s, 5, f->cadence);
    kt_db_bind_ref(s, 6, f->parent);
    kt_db_bind_text(s, 7, f->mandate ? f->mandate : "");
    kt_db_bind_text(s, 8, f->location ? f->location : "");
    kt_db_bind_int(s, 9, now);
    return kt_db_one_int(s, id);
}

int kt_store_body_update(kt_store *st, int64_t id, const kt_body_fields *f, int64_t now)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "UPDATE bodies SET name = coalesce(?2, name), kind = coalesce(?3, kind), "
                          "scope_id = coalesce(?4, scope_id), level = coalesce(?5, level), "
                          "cadence = CASE WHEN ?10 = 1 THEN ?6 ELSE cadence END, "
                          "parent_id = CASE WHEN ?11 = 1 THEN ?7 ELSE parent_id END, "
                          "mandate = coalesce(?8, mandate), location = coalesce(?9, location), "
                          "updated_at = ?12 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_text(s, 2, f->name);
    kt_db_bind_text(s, 3, f->kind);
    kt_db_bind_ref(s, 4, f->scope);
    kt_db_bind_text(s, 5, f->level);
    kt_db_bind_text(s, 6, f->cadence);
    kt_db_bind_ref(s, 7, f->parent);
    kt_db_bind_text(s, 8, f->mandate);
    kt_db_bind_text(s, 9, f->location);
    kt_db_bind_int(s, 10, f->set_cadence);
    kt_db_bind_int(s, 11, f->set_parent);
    kt_db_bind_int(s, 12, now);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    return rc ? rc : n ? 0 : KT_ENOTFOUND;
}

/* ---- for the detectors and the overlap map ---- */

int kt_store_body_profiles(kt_store *st, int64_t only, kt_body_profile_fn fn, void *arg)
{
    kt_db_stmt *s =
        only ? kt_db_prepare(st, "SELECT b.id, sc.name, b.name, b.mandate FROM bodies b JOIN "
                                 "scopes sc ON sc.id = b.scope_id WHERE b.id = ?1")
             : kt_db_prepare(st, "SELECT b.id, sc.name, b.name, b.mandate FROM bodies b JOIN "
                                 "scopes sc ON sc.id = b.scope_id");
    if (!s)
        return KT_ESTORE;
    if (only)
        kt_db_bind_int(s, 1, only);
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        if ((rc = fn(arg, kt_db_int(s, 0), kt_db_text(s, 1), kt_db_text(s, 2), kt_db_text(s, 3))))
            break;
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

int kt_store_bodies_ids(kt_store *st, kt_ivec *out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id FROM bodies ORDER BY name, id");
    return s ? kt_db_ids(s, out) : KT_ESTORE;
}

int kt_store_bodies_in_scope(kt_store *st, int64_t scope, kt_ivec *out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id FROM bodies WHERE scope_id = ?1 OR scope_id IN "
                                      "(SELECT member_id FROM scope_members WHERE region_id = ?1)");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, scope);
    return kt_db_ids(s, out);
}

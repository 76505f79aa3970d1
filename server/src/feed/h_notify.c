/* Ops on the caller's own notifications and preferences. */
#include "domain/handlers.h"
#include "feed/notify.h"
#include "live/hub.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <string.h>

static int64_t unread_count(kt_ctx *c)
{
    sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT id FROM notifications WHERE person_id = ?1 "
                                           "AND read_at IS NULL ORDER BY id DESC LIMIT 1000");
    if (!s)
        return 0;
    sqlite3_bind_int64(s, 1, c->me->person);
    kt_ivec ids = {0};
    while (sqlite3_step(s) == SQLITE_ROW)
        kt_ivec_push(&ids, sqlite3_column_int64(s, 0));
    sqlite3_reset(s);
    int64_t n = 0;
    for (size_t i = 0; i < ids.n; i++)
        n += kt_notification_visible(c->st, c->me->person, ids.v[i]);
    kt_ivec_free(&ids);
    return n;
}

int kt_h_notification_list(kt_ctx *c)
{
    int64_t before = kt_arg_int(c, "before", INT64_MAX), limit = kt_arg_int(c, "limit", 50);
    bool unread_only = kt_arg_bool(c, "unread", false);
    sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT id FROM notifications WHERE person_id = ?1 "
                                           "AND id < ?2 AND (?3 = 0 OR read_at IS NULL) "
                                           "ORDER BY id DESC LIMIT ?4");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, c->me->person);
    sqlite3_bind_int64(s, 2, before);
    sqlite3_bind_int(s, 3, unread_only);
    sqlite3_bind_int64(s, 4, limit + 1);
    kt_ivec ids = {0};
    while (sqlite3_step(s) == SQLITE_ROW)
        kt_ivec_push(&ids, sqlite3_column_int64(s, 0));
    sqlite3_reset(s);
    json_t *out = json_array();
    for (size_t i = 0; i < ids.n && (int64_t)i < limit; i++) {
        if (!kt_notification_visible(c->st, c->me->person, ids.v[i]))
            continue;
        json_t *j = kt_notification_json(c->st, ids.v[i]);
        if (j)
            json_array_append_new(out, j);
    }
    bool more = (int64_t)ids.n > limit;
    kt_ivec_free(&ids);
    c->result = json_pack("{s:o, s:I, s:b, s:I}", "notifications", out, "unread",
                          (json_int_t)unread_count(c), "more", more, "seq",
                          (json_int_t)kt_store_stream_seq(c->st, kt_person_stream(c->me->person)));
    return 0;
}

int kt_h_notification_read(kt_ctx *c)
{
    json_t *ids = json_object_get(c->args, "ids");
    bool all = kt_arg_bool(c, "all", false);
    if (!all && !json_array_size(ids))
        return kt_fail(c, KT_C_MISSING_ARGUMENT, "Geef 'ids' op, of 'all': true.");
    int64_t now = kt_now();
    json_t *done = json_array();
    if (all) {
        sqlite3_stmt *s = kt_store_stmt(c->st, "UPDATE notifications SET read_at = ?2 WHERE "
                                               "person_id = ?1 AND read_at IS NULL");
        if (!s)
            return json_decref(done), kt_fail_err(c, KT_ESTORE);
        sqlite3_bind_int64(s, 1, c->me->person);
        sqlite3_bind_int64(s, 2, now);
        if (kt_store_step_done(c->st, s))
            return json_decref(done), kt_fail_err(c, KT_ESTORE);
    } else {
        size_t i;
        json_t *x;
        json_array_foreach(ids, i, x)
        {
            sqlite3_stmt *s = kt_store_stmt(c->st, "UPDATE notifications SET read_at = "
                                                   "coalesce(read_at, ?3) WHERE id = ?1 AND "
                                                   "person_id = ?2");
            if (!s)
                return json_decref(done), kt_fail_err(c, KT_ESTORE);
            sqlite3_bind_int64(s, 1, json_integer_value(x));
            sqlite3_bind_int64(s, 2, c->me->person);
            sqlite3_bind_int64(s, 3, now);
            if (kt_store_step_done(c->st, s))
                return json_decref(done), kt_fail_err(c, KT_ESTORE);
            if (sqlite3_changes(kt_store_db(c->st)) == 0)
                return json_decref(done), kt_fail(c, KT_C_NOT_FOUND, "Melding %lld bestaat niet.",
                                                  (long long)json_integer_value(x));
            json_array_append(done, x);
        }
    }
    int64_t unread = unread_count(c);
    kt_vis vis = {.subject = c->me->person};
    if (kt_emit(
            c, kt_person_stream(c->me->person), "notification.read", &vis,
            json_pack("{s:O, s:b, s:I}", "ids", done, "all", all, "unread", (json_int_t)unread)))
        return json_decref(done), -1;
    c->result = json_pack("{s:o, s:b, s:I}", "ids", done, "all", all, "unread", (json_int_t)unread);
    return 0;
}

int kt_h_notification_subscribe(kt_ctx *c)
{
    if (!c->conn || !c->app->hub)
        return kt_fail(c, KT_C_INVALID_STATE, "Abonneren kan alleen over een WebSocket.");
    int64_t stream = kt_person_stream(c->me->person);
    int64_t since = kt_arg_has(c, "since") ? kt_arg_int(c, "since", 0) : -1, head;
    kt_viewer v = {.person = c->me->person, .org = c->me->org, .role = KT_ROLE_NONE, .n_items = -1};
    int rc = kt_hub_subscribe(c->app->hub, c->conn, stream, since, &v, NULL, &head);
    if (rc == KT_EINVAL)
        return kt_fail(c, KT_C_INVALID_SINCE, NULL);
    if (rc)
        return kt_fail_err(c, rc);
    c->result = json_pack("{s:I, s:I}", "since", (json_int_t)(since < 0 ? head : since), "head",
                          (json_int_t)head);
    return 0;
}

int kt_h_preferences_get(kt_ctx *c)
{
    json_t *prefs = json_object();
    for (const char *const *k = kt_notify_kinds; *k; k++)
        json_object_set_new(prefs, *k, json_string("direct"));
    sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT kind, mode FROM notification_prefs WHERE "
                                           "person_id = ?1");
    if (!s)
        return json_decref(prefs), kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, c->me->person);
    while (sqlite3_step(s) == SQLITE_ROW)
        json_object_set_new(prefs, (const char *)sqlite3_column_text(s, 0),
                            json_string((const char *)sqlite3_column_text(s, 1)));
    sqlite3_reset(s);
    s = kt_store_stmt(c->st, "SELECT due_days FROM persons WHERE id = ?1");
    int64_t due_days = 2;
    if (s) {
        sqlite3_bind_int64(s, 1, c->me->person);
        if (sqlite3_step(s) == SQLITE_ROW)
            due_days = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
    }
    c->result = json_pack("{s:o, s:I}", "prefs", prefs, "due_days", (json_int_t)due_days);
    return 0;
}

int kt_h_preferences_set(kt_ctx *c)
{
    json_t *prefs = json_object_get(c->args, "prefs");
    const char *kind;
    json_t *mode;
    json_object_foreach(prefs, kind, mode)
    {
        bool kind_ok = false, mode_ok = false;
        for (const char *const *k = kt_notify_kinds; *k; k++)
            kind_ok = kind_ok || strcmp(*k, kind) == 0;
        for (const char *const *m = kt_notify_modes; *m && json_is_string(mode); m++)
            mode_ok = mode_ok || strcmp(*m, json_string_value(mode)) == 0;
        if (!kind_ok || !mode_ok)
            return kt_fail(c, KT_C_INVALID_ARGUMENT,
                           "'prefs' koppelt een soort melding aan direct, digest of off.");
        sqlite3_stmt *s = kt_store_stmt(c->st, "INSERT INTO notification_prefs(person_id, kind, "
                                               "mode) VALUES (?1, ?2, ?3) ON CONFLICT(person_id, "
                                               "kind) DO UPDATE SET mode = ?3");
        if (!s)
            return kt_fail_err(c, KT_ESTORE);
        sqlite3_bind_int64(s, 1, c->me->person);
        sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, json_string_value(mode), -1, SQLITE_STATIC);
        if (kt_store_step_done(c->st, s))
            return kt_fail_err(c, KT_ESTORE);
    }
    if (kt_arg_has(c, "due_days")) {
        sqlite3_stmt *s = kt_store_stmt(c->st, "UPDATE persons SET due_days = ?2 WHERE id = ?1");
        if (!s)
            return kt_fail_err(c, KT_ESTORE);
        sqlite3_bind_int64(s, 1, c->me->person);
        sqlite3_bind_int64(s, 2, kt_arg_int(c, "due_days", 2));
        if (kt_store_step_done(c->st, s))
            return kt_fail_err(c, KT_ESTORE);
    }
    return kt_h_preferences_get(c);
}

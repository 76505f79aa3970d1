/* Ops on the caller's own notifications and preferences. */
#include "domain/handlers.h"
#include "domain/views.h"
#include "feed/notify.h"
#include "live/hub.h"
#include "store/notifications.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <string.h>

/* How many of the newest 1000 unread notifications the caller may still see. */
static int unread_count(kt_ctx *c, int64_t *n)
{
    kt_ivec ids = {0};
    *n = 0;
    int rc = kt_store_notifications_ids(c->st, c->me->person, INT64_MAX, true, 1000, &ids);
    for (size_t i = 0; !rc && i < ids.n; i++)
        *n += kt_notification_visible(c->st, c->me->person, ids.v[i]);
    kt_ivec_free(&ids);
    return rc;
}

/* notification.list looks at no more than this many notifications per request, whatever the
 * caller may no longer see among them (PROTOCOL.md): one request costs a bounded amount. */
#define NOTIFY_SCAN 2000

int kt_h_notification_list(kt_ctx *c)
{
    int64_t before = kt_arg_int(c, "before", INT64_MAX), limit = kt_arg_int(c, "limit", 50);
    kt_ivec ids = {0};
    int rc = kt_store_notifications_ids(c->st, c->me->person, before,
                                        kt_arg_bool(c, "unread", false), NOTIFY_SCAN, &ids);
    /* The page ends at limit visible ones or 1 MiB of them; more is only true when a visible
     * one follows (looked for within the scan), so no hidden notification shows as a "more"
     * with nothing after it; next: the before of the next page, the last one looked at. */
    json_t *out = json_array();
    size_t bytes = 0, i = 0;
    bool more = false;
    int64_t next = 0;
    for (; !rc && i < ids.n; i++) {
        if (!kt_notification_visible(c->st, c->me->person, ids.v[i]))
            continue;
        if ((int64_t)json_array_size(out) >= limit || bytes >= KT_PAGE_BYTES) {
            more = true; /* a visible one follows the page */
            break;
        }
        json_t *j;
        if ((rc = kt_store_notification_get(c->st, ids.v[i], &j)) == 0) {
            bytes += json_dumpb(j, NULL, 0, JSON_COMPACT);
            json_array_append_new(out, j);
        } else if (rc == KT_ENOTFOUND) {
            rc = 0;
        }
        next = ids.v[i];
    }
    if (!more && i == ids.n && ids.n == NOTIFY_SCAN) { /* looked at all it may: perhaps more */
        more = true;
        next = ids.v[ids.n - 1];
    }
    kt_ivec_free(&ids);
    int64_t unread = 0, head = 0;
    if (!rc)
        rc = unread_count(c, &unread);
    if (!rc)
        rc = kt_store_stream_head(c->st, kt_person_stream(c->me->person), &head);
    if (rc) {
        json_decref(out);
        return kt_fail_err(c, rc);
    }
    c->result = json_pack("{s:o, s:I, s:b, s:o, s:I}", "notifications", out, "unread",
                          (json_int_t)unread, "more", more, "next",
                          more && next ? json_integer(next) : json_null(), "seq", (json_int_t)head);
    return 0;
}

int kt_h_notification_read(kt_ctx *c)
{
    json_t *ids = json_object_get(c->args, "ids");
    bool all = kt_arg_bool(c, "all", false);
    if (!all && !json_array_size(ids))
        return kt_fail(c, KT_C_MISSING_ARGUMENT, "Geef 'ids' op, of 'all': true.");
    int64_t now = kt_now(), unread = 0;
    json_t *done = json_array();
    int rc = 0;
    if (all) {
        rc = kt_store_notifications_read_all(c->st, c->me->person, now);
    } else {
        size_t i;
        json_t *x;
        json_array_foreach(ids, i, x)
        {
            rc = kt_store_notification_read(c->st, c->me->person, json_integer_value(x), now);
            if (rc == KT_ENOTFOUND) {
                json_decref(done);
                return kt_fail(c, KT_C_NOT_FOUND, "Melding %lld bestaat niet.",
                               (long long)json_integer_value(x));
            }
            if (rc)
                break;
            json_array_append(done, x);
        }
    }
    if (!rc)
        rc = unread_count(c, &unread);
    if (rc) {
        json_decref(done);
        return kt_fail_err(c, rc);
    }
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
    if (rc == KT_ERANGE) /* retention cut the stream: a fresh start (notification.list) */
        return kt_fail(c, KT_C_RESYNC,
                       "'since' ligt voor de oudste bewaarde melding; haal de meldingen opnieuw "
                       "op.");
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
    int64_t due_days = 2;
    int rc = kt_store_prefs_get(c->st, c->me->person, prefs);
    if (!rc)
        rc = kt_store_due_days(c->st, c->me->person, &due_days);
    if (rc) {
        json_decref(prefs);
        return kt_fail_err(c, rc);
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
        int rc = kt_store_pref_set(c->st, c->me->person, kind, json_string_value(mode));
        if (rc)
            return kt_fail_err(c, rc);
    }
    if (kt_arg_has(c, "due_days")) {
        int rc = kt_store_due_days_set(c->st, c->me->person, kt_arg_int(c, "due_days", 2));
        if (rc)
            return kt_fail_err(c, rc);
    }
    return kt_h_preferences_get(c);
}

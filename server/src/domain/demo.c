#include "domain/demo.h"

#include "auth/password.h"
#include "auth/session.h"
#include "domain/model.h"
#include "protocol/dispatch.h"
#include "store/chat.h"
#include "store/directory.h"
#include "store/notifications.h"
#include "store/sessions.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct demo {
    kt_app *app;
    json_t *doc;
    json_t *ids; /* key -> id, for organisations, persons, items */
    kt_principal admin;
    int failures;
} demo;

static int64_t id_of(demo *d, const char *key)
{
    return key ? json_integer_value(json_object_get(d->ids, key)) : 0;
}

/* Runs one op as principal p; returns the result (new reference) or NULL after logging. */
static json_t *call(demo *d, const kt_principal *p, json_t *req)
{
    json_object_set_new(req, "id", json_integer(1));
    json_t *reply = kt_dispatch(d->app, p, NULL, req);
    kt_dispatch_publish(d->app);
    json_t *result = NULL;
    if (json_is_true(json_object_get(reply, "ok"))) {
        result = json_incref(json_object_get(reply, "result"));
    } else {
        d->failures++;
        json_t *err = json_object_get(reply, "error");
        kt_warn("demo op failed", "op=%s code=%s message=\"%s\"",
                json_string_value(json_object_get(req, "op")),
                json_string_value(json_object_get(err, "code")),
                json_string_value(json_object_get(err, "message")));
    }
    json_decref(reply);
    json_decref(req);
    return result;
}

static bool as_person(demo *d, const char *key, kt_principal *p)
{
    int64_t id = id_of(d, key);
    if (!id || kt_principal_load(d->app->store, id, p))
        return false;
    p->expires_at = kt_now() + 3600;
    return true;
}

static void remember(demo *d, const char *key, json_t *result, const char *field)
{
    json_t *obj = json_object_get(result, field);
    if (key && obj)
        json_object_set_new(d->ids, key,
                            json_integer(json_integer_value(json_object_get(obj, "id"))));
    json_decref(result);
}

static void load_scopes(demo *d)
{
    json_t *scopes = json_object_get(d->doc, "scopes"), *s;
    size_t i;
    for (int pass = 0; pass < 2; pass++) /* municipalities first, then regions that include them */
        json_array_foreach(scopes, i, s)
        {
            const char *kind = json_string_value(json_object_get(s, "kind"));
            if ((pass == 0) != (kind && strcmp(kind, "gemeente") == 0))
                continue;
            json_t *req = json_pack("{s:s, s:O, s:O}", "op", "scope.create", "name",
                                    json_object_get(s, "name"), "kind", json_object_get(s, "kind"));
            if (json_object_get(s, "includes"))
                json_object_set(req, "includes", json_object_get(s, "includes"));
            json_decref(call(d, &d->admin, req));
        }
}

static void load_directory(demo *d, const char *password_hash)
{
    json_t *x;
    size_t i;
    json_array_foreach(json_object_get(d->doc, "organisations"), i, x)
    {
        json_t *req = json_pack("{s:s, s:O, s:O}", "op", "org.create", "name",
                                json_object_get(x, "name"), "kind", json_object_get(x, "kind"));
        if (json_object_get(x, "scope"))
            json_object_set(req, "scope", json_object_get(x, "scope"));
        remember(d, json_string_value(json_object_get(x, "key")), call(d, &d->admin, req),
                 "organisation");
    }
    json_array_foreach(json_object_get(d->doc, "persons"), i, x)
    {
        json_t *req = json_pack(
            "{s:s, s:O, s:O, s:I, s:O, s:b}", "op", "person.create", "name",
            json_object_get(x, "name"), "email", json_object_get(x, "email"), "org",
            (json_int_t)id_of(d, json_string_value(json_object_get(x, "org"))), "function",
            json_object_get(x, "function") ? json_object_get(x, "function") : json_string(""),
            "admin", json_is_true(json_object_get(x, "admin")));
        remember(d, json_string_value(json_object_get(x, "key")), call(d, &d->admin, req),
                 "person");
    }
    /* Every demo login shares one password; hash it once. */
    kt_store *st = d->app->store;
    if (kt_store_begin(st) == 0) {
        if (kt_store_setup_tokens_clear(st) || kt_store_password_set_all(st, password_hash)) {
            kt_store_rollback(st);
            d->failures++;
        } else if (kt_store_commit(st)) {
            d->failures++;
        }
    }
}

static json_t *item_request(demo *d, json_t *it)
{
    json_t *req =
        json_pack("{s:s, s:O}", "op", "agenda.add", "title", json_object_get(it, "title"));
    static const char *const copy[] = {"description", "kind", "recurring", "confidential"};
    for (size_t k = 0; k < sizeof copy / sizeof copy[0]; k++)
        if (json_object_get(it, copy[k]))
            json_object_set(req, copy[k], json_object_get(it, copy[k]));
    if (json_object_get(it, "minutes"))
        json_object_set(req, "duration", json_object_get(it, "minutes"));
    int64_t presenter = id_of(d, json_string_value(json_object_get(it, "presenter")));
    if (presenter)
        json_object_set_new(req, "presenter", json_integer(presenter));
    json_t *relevant = json_array(), *r;
    size_t i;
    json_array_foreach(json_object_get(it, "relevant"), i, r)
    {
        int64_t org = id_of(d, json_string_value(json_object_get(r, "org")));
        if (org)
            json_array_append_new(
                relevant, json_pack("{s:I, s:O}", "org", (json_int_t)org, "reason",
                                    json_object_get(r, "reason") ? json_object_get(r, "reason")
                                                                 : json_string("")));
    }
    json_object_set_new(req, "relevant", relevant);
    json_t *persons = json_array(), *p;
    json_array_foreach(json_object_get(it, "allow_persons"), i, p)
    {
        int64_t id = id_of(d, json_string_value(p));
        if (id)
            json_array_append_new(persons, json_integer(id));
    }
    json_object_set_new(req, "persons", persons);
    return req;
}

static const char *chair_of(json_t *body)
{
    json_t *m;
    size_t i;
    const char *secretary = NULL;
    json_array_foreach(json_object_get(body, "members"), i, m)
    {
        const char *role = json_string_value(json_object_get(m, "role"));
        if (role && strcmp(role, "voorzitter") == 0)
            return json_string_value(json_object_get(m, "person"));
        if (role && strcmp(role, "secretaris") == 0)
            secretary = json_string_value(json_object_get(m, "person"));
    }
    return secretary;
}

/* A due date `days` from today (local), moved off the weekend away from today so that an action
 * is overdue, or not, whatever the weekday the demo is loaded on. */
static void demo_due_date(int days, char *buf, size_t n)
{
    int y, mo, dd, wday;
    kt_utc_to_local(kt_now(), &y, &mo, &dd, NULL, NULL, NULL);
    int64_t t = kt_local_to_utc(y, mo, dd + days, 12, 0);
    kt_utc_to_local(t, NULL, NULL, NULL, NULL, NULL, &wday);
    if (wday == 0 || wday == 6) /* Sunday or Saturday */
        days += days >= 0 ? (wday == 6 ? 2 : 1) : (wday == 6 ? -1 : -2);
    kt_utc_to_local(kt_local_to_utc(y, mo, dd + days, 12, 0), &y, &mo, &dd, NULL, NULL, NULL);
    snprintf(buf, n, "%04d-%02d-%02d", y, mo, dd);
}

static void load_body_content(demo *d, json_t *b, int64_t body)
{
    kt_principal chair;
    if (!as_person(d, chair_of(b), &chair)) {
        kt_warn("demo body without chair", "body=%lld", (long long)body);
        return;
    }
    /* in_days counts from the Monday of the current week, so demo meetings fall on weekdays. */
    int ty, tm, td, wday;
    kt_utc_to_local(kt_now(), &ty, &tm, &td, NULL, NULL, &wday);
    td -= (wday + 6) % 7;
    json_t *m, *it, *approve = json_array();
    size_t i, j;
    json_array_foreach(json_object_get(b, "meetings"), i, m)
    {
        int hh = 9, mm = 30;
        const char *time = json_string_value(json_object_get(m, "time"));
        if (time)
            sscanf(time, "%d:%d", &hh, &mm);
        int64_t start = kt_local_to_utc(
            ty, tm, td + (int)json_integer_value(json_object_get(m, "in_days")), hh, mm);
        json_int_t minutes = json_integer_value(json_object_get(m, "minutes"));
        char s[32], e[32];
        kt_time_format(start, s, sizeof s);
        kt_time_format(start + (minutes > 0 ? minutes : 90) * 60, e, sizeof e);
        /* The demo data spells out every agenda, standing items included. */
        json_t *req = json_pack("{s:s, s:I, s:s, s:s, s:b}", "op", "meeting.create", "body",
                                (json_int_t)body, "start", s, "end", e, "standing", 0);
        if (json_object_get(m, "location"))
            json_object_set(req, "location", json_object_get(m, "location"));
        json_t *res = call(d, &chair, req);
        int64_t meeting =
            json_integer_value(json_object_get(json_object_get(res, "meeting"), "id"));
        json_decref(res);
        if (!meeting)
            continue;
        json_array_foreach(json_object_get(m, "agenda"), j, it)
        {
            json_t *req2 = item_request(d, it);
            json_object_set_new(req2, "meeting", json_integer(meeting));
            remember(d, json_string_value(json_object_get(it, "key")), call(d, &chair, req2),
                     "item");
        }
        const char *status = json_string_value(json_object_get(m, "status"));
        if (status && strcmp(status, "verslag_vastgesteld") == 0) {
            /* approved below, once its actions are recorded: an approved verslag is read-only */
            json_array_append_new(approve, json_integer(meeting));
        } else if (status && strcmp(status, "concept") != 0) {
            json_decref(call(d, &chair,
                             json_pack("{s:s, s:I, s:s}", "op", "meeting.update", "meeting",
                                       (json_int_t)meeting, "status", status)));
        }
    }
    json_array_foreach(json_object_get(b, "backlog"), i, it)
    {
        json_t *req = item_request(d, it);
        json_object_set_new(req, "body", json_integer(body));
        remember(d, json_string_value(json_object_get(it, "key")), call(d, &chair, req), "item");
    }
    /* Guests limited to items can only be limited once the items exist. */
    json_array_foreach(json_object_get(b, "members"), i, m)
    {
        json_t *items = json_object_get(m, "items"), *k;
        if (!json_array_size(items))
            continue;
        json_t *ids = json_array();
        json_array_foreach(items, j, k) if (id_of(d, json_string_value(k)))
            json_array_append_new(ids, json_integer(id_of(d, json_string_value(k))));
        /* by the chair: an administrator sees no confidential item, so cannot name it */
        json_decref(
            call(d, &chair,
                 json_pack("{s:s, s:I, s:I, s:o}", "op", "membership.update", "body",
                           (json_int_t)body, "person",
                           (json_int_t)id_of(d, json_string_value(json_object_get(m, "person"))),
                           "items", ids)));
    }
    json_array_foreach(json_object_get(b, "actions"), i, it)
    {
        json_t *req = json_pack("{s:s, s:I, s:O}", "op", "action.create", "body", (json_int_t)body,
                                "text", json_object_get(it, "text"));
        if (json_object_get(it, "kind"))
            json_object_set(req, "kind", json_object_get(it, "kind"));
        /* A besluit is the body's, with the day of its meeting: the demo data's owner and
         * status of a besluit (who brought it in) are not part of it. */
        const char *kind = json_string_value(json_object_get(it, "kind"));
        bool besluit = kind && strcmp(kind, "besluit") == 0;
        if (json_object_get(it, "status") && !besluit)
            json_object_set(req, "status", json_object_get(it, "status"));
        int64_t owner = besluit ? 0 : id_of(d, json_string_value(json_object_get(it, "owner")));
        int64_t org = besluit ? 0 : id_of(d, json_string_value(json_object_get(it, "owner_org")));
        int64_t item = id_of(d, json_string_value(json_object_get(it, "origin")));
        if (owner)
            json_object_set_new(req, "owner", json_integer(owner));
        if (org)
            json_object_set_new(req, "owner_org", json_integer(org));
        if (item)
            json_object_set_new(req, "item", json_integer(item));
        json_t *due = json_object_get(it, "due_in_days");
        if (json_is_integer(due) && !besluit) {
            char date[16];
            demo_due_date((int)json_integer_value(due), date, sizeof date);
            json_object_set_new(req, "due", json_string(date));
        }
        json_decref(call(d, &chair, req));
    }
    /* An approved verslag went the whole way: ter vaststelling, then vastgesteld. */
    json_array_foreach(approve, i, m)
    {
        char today[16];
        kt_date_today_local(today, sizeof today);
        json_decref(call(
            d, &chair,
            json_pack("{s:s, s:O, s:s}", "op", "minutes.submit", "meeting", m, "deadline", today)));
        json_decref(
            call(d, &chair, json_pack("{s:s, s:O}", "op", "minutes.approve", "meeting", m)));
    }
    json_decref(approve);
    json_array_foreach(json_object_get(b, "chat"), i, it)
    {
        kt_principal who;
        if (!as_person(d, json_string_value(json_object_get(it, "person")), &who))
            continue;
        json_t *res = call(d, &who,
                           json_pack("{s:s, s:I, s:O}", "op", "chat.post", "body", (json_int_t)body,
                                     "text", json_object_get(it, "text")));
        int64_t msg = json_integer_value(json_object_get(json_object_get(res, "message"), "id"));
        json_decref(res);
        int64_t when = kt_now() - 60 * json_integer_value(json_object_get(it, "minutes_ago"));
        kt_store *st = d->app->store;
        if (msg && kt_store_begin(st) == 0) {
            if (kt_store_message_backdate(st, msg, when) || kt_store_commit(st))
                kt_store_rollback(st);
        }
    }
}

static void load_bodies(demo *d)
{
    json_t *bodies = json_object_get(d->doc, "bodies"), *b;
    size_t i;
    /* Parents before children: repeat until nothing more can be created. */
    for (bool progress = true; progress;) {
        progress = false;
        json_array_foreach(bodies, i, b)
        {
            const char *key = json_string_value(json_object_get(b, "key"));
            const char *parent = json_string_value(json_object_get(b, "parent"));
            if (!key || id_of(d, key) || (parent && !id_of(d, parent)))
                continue;
            json_t *req =
                json_pack("{s:s, s:O, s:O, s:O, s:O}", "op", "body.create", "name",
                          json_object_get(b, "name"), "kind", json_object_get(b, "kind"), "scope",
                          json_object_get(b, "scope"), "level", json_object_get(b, "level"));
            static const char *const copy[] = {"cadence", "mandate", "location"};
            for (size_t k = 0; k < 3; k++)
                if (json_object_get(b, copy[k]))
                    json_object_set(req, copy[k], json_object_get(b, copy[k]));
            if (parent)
                json_object_set_new(req, "parent", json_integer(id_of(d, parent)));
            json_t *res = call(d, &d->admin, req);
            if (!res) {
                json_object_set_new(d->ids, key, json_integer(-1));
                continue;
            }
            remember(d, key, res, "body");
            progress = true;
        }
    }
    json_array_foreach(bodies, i, b)
    {
        int64_t body = id_of(d, json_string_value(json_object_get(b, "key")));
        json_t *m;
        size_t j;
        if (body <= 0)
            continue;
        /* Members first (substitutes after those they replace), then the content. */
        for (int pass = 0; pass < 2; pass++)
            json_array_foreach(json_object_get(b, "members"), j, m)
            {
                const char *sub = json_string_value(json_object_get(m, "substitute_for"));
                if ((pass == 0) == (sub != NULL))
                    continue;
                json_t *req = json_pack(
                    "{s:s, s:I, s:I, s:O}", "op", "membership.add", "body", (json_int_t)body,
                    "person", (json_int_t)id_of(d, json_string_value(json_object_get(m, "person"))),
                    "role", json_object_get(m, "role"));
                if (sub)
                    json_object_set_new(req, "substitute_for", json_integer(id_of(d, sub)));
                json_decref(call(d, &d->admin, req));
            }
        load_body_content(d, b, body);
    }
}

static bool store_empty(kt_app *app)
{
    int64_t n = 0;
    return kt_store_persons_count(app->store, &n) == 0 && n == 0;
}

void kt_demo_print_logins(kt_app *app, const char *path)
{
    (void)app;
    json_t *doc = json_load_file(path, 0, NULL);
    if (!doc)
        return;
    const char *password = json_string_value(json_object_get(doc, "password"));
    printf("\nDemo-logins (wachtwoord voor allemaal: %s)\n", password ? password : "?");
    json_t *p;
    size_t i;
    json_array_foreach(json_object_get(doc, "persons"), i, p)
    {
        const char *showcase = json_string_value(json_object_get(p, "showcase"));
        if (showcase)
            printf("  %-42s %s\n", json_string_value(json_object_get(p, "email")), showcase);
    }
    printf("\n");
    fflush(stdout);
    json_decref(doc);
}

int kt_demo_load(kt_app *app, const char *path)
{
    if (!store_empty(app))
        return 0;
    json_error_t err;
    demo d = {.app = app, .ids = json_object()};
    d.doc = json_load_file(path, 0, &err);
    if (!d.doc) {
        kt_error("cannot read demo data", "path=\"%s\" error=\"%s\" line=%d", path, err.text,
                 err.line);
        json_decref(d.ids);
        return KT_EIO;
    }
    const char *password = json_string_value(json_object_get(d.doc, "password"));
    char hash[KT_PASSWORD_HASH_MAX];
    if (!password || kt_password_hash(password, hash)) {
        kt_error("demo data has no usable password", NULL);
        json_decref(d.doc);
        json_decref(d.ids);
        return KT_EINVAL;
    }
    d.admin.admin = true;
    d.admin.expires_at = kt_now() + 3600;
    snprintf(d.admin.name, sizeof d.admin.name, "demo");
    int64_t t0 = kt_mono_ns();
    load_scopes(&d);
    json_t *a;
    size_t i;
    json_array_foreach(json_object_get(d.doc, "abbreviations"), i, a) json_decref(
        call(&d, &d.admin,
             json_pack("{s:s, s:O, s:O}", "op", "abbreviation.set", "abbr",
                       json_object_get(a, "abbr"), "expansion", json_object_get(a, "expansion"))));
    load_directory(&d, hash);
    load_bodies(&d);
    /* The demo starts with a quiet bell: what loading it caused counts as read. */
    if (kt_store_begin(app->store) == 0) {
        if (kt_store_notifications_read_everyone(app->store, kt_now()) ||
            kt_store_commit(app->store))
            kt_store_rollback(app->store);
    }
    kt_info("demo data loaded", "ms=%lld failures=%d", (long long)((kt_mono_ns() - t0) / 1000000),
            d.failures);
    json_decref(d.doc);
    json_decref(d.ids);
    return d.failures ? KT_EINVAL : 0;
}

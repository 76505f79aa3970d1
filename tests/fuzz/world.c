#include "world.h"

#include "bus/bus.h"
#include "live/hub.h"
#include "protocol/dispatch.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void deliver(void *arg, kt_event *ev)
{
    fuzz_world *w = arg;
    kt_hub_deliver(w->app.hub, ev);
}

static void resync(void *arg)
{
    fuzz_world *w = arg;
    kt_hub_resync(w->app.hub);
}

json_t *fuzz_send(fuzz_world *w, const kt_principal *me, const char *text, size_t len)
{
    int close_code = 0;
    json_t *reply = kt_dispatch_text(&w->app, me, NULL, text, len, &close_code);
    kt_dispatch_publish(&w->app);
    return reply;
}

json_t *fuzz_request(fuzz_world *w, const kt_principal *me, json_t *req)
{
    json_t *reply = kt_dispatch(&w->app, me, NULL, req);
    kt_dispatch_publish(&w->app);
    return reply;
}

static int64_t made(fuzz_world *w, const kt_principal *me, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int64_t made(fuzz_world *w, const kt_principal *me, const char *key, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    json_t *r = fuzz_send(w, me, text, strlen(text));
    json_t *obj = json_object_get(json_object_get(r, "result"), key);
    int64_t id = json_integer_value(json_object_get(obj, "id"));
    if (!json_is_true(json_object_get(r, "ok"))) {
        char *dump = json_dumps(r, 0);
        fprintf(stderr, "fuzz world: %s -> %s\n", text, dump ? dump : "?");
        abort();
    }
    json_decref(r);
    return id;
}

static void load(fuzz_world *w, int64_t person, kt_principal *p)
{
    if (kt_principal_load(w->app.store, person, p))
        abort();
    p->expires_at = INT64_MAX;
}

static int64_t person(fuzz_world *w, const char *name, int64_t org)
{
    static int n;
    return made(w, &w->admin, "person",
                "{\"id\":1,\"op\":\"person.create\",\"name\":\"%s\",\"email\":\"p%d@fuzz.example\","
                "\"org\":%lld}",
                name, ++n, (long long)org);
}

static void member(fuzz_world *w, int64_t who, const char *role, const char *extra)
{
    /* the chair invites a guest to items (an administrator sees no items to grant) */
    made(w, strcmp(role, "gast") == 0 ? &w->chair : &w->admin, "membership",
         "{\"id\":1,\"op\":\"membership.add\",\"body\":%lld,\"person\":%lld,\"role\":\"%s\"%s}",
         (long long)w->body, (long long)who, role, extra);
}

static char db_path[64];

/* The world's database goes with the process (libFuzzer ends with exit()). */
static void remove_db(void)
{
    char p[80];
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
}

static fuzz_world *build(void)
{
    static fuzz_world w;
    char *path = db_path;
    kt_log_set_level(KT_LOG_ERROR);
    kt_time_init();
    kt_clock_set(1796202000); /* 2026-12-02T09:00:00Z: the same world whatever the date */
    snprintf(path, sizeof db_path, "/tmp/kt-fuzz-%d.db", (int)getpid());
    unlink(path);
    atexit(remove_db);
    w.app.cfg.public_url = "http://ketentafel.test";
    w.app.cfg.max_queue = 1024;
    w.app.cfg.session_ttl = 3600;
    kt_store_options o = {.path = path, .sync_full = false};
    if (kt_store_open(&o, &w.app.store))
        abort();
    w.app.hub = kt_hub_new(&w.app);
    w.app.bus = kt_bus_local_new(deliver, resync, &w);
    if (!w.app.hub || !w.app.bus)
        abort();
    if (kt_store_exec(w.app.store,
                      "INSERT INTO organisations(id, name, kind, created_at, updated_at) "
                      "VALUES (1, 'Gemeente Fuzz', 'gemeente', 0, 0);"
                      "INSERT INTO persons(id, org_id, name, email, is_admin, created_at, "
                      "updated_at) VALUES (1, 1, 'Beheerder', 'beheer@fuzz.example', 1, 0, 0);"))
        abort();
    load(&w, 1, &w.admin);
    made(&w, &w.admin, "scope",
         "{\"id\":1,\"op\":\"scope.create\",\"name\":\"Fuzzstad\",\"kind\":\"gemeente\"}");
    int64_t police = made(&w, &w.admin, "organisation",
                          "{\"id\":1,\"op\":\"org.create\",\"name\":\"Politie Fuzz\","
                          "\"kind\":\"politie\"}");
    w.body = made(&w, &w.admin, "body",
                  "{\"id\":1,\"op\":\"body.create\",\"name\":\"Regiegroep Fuzz\",\"kind\":"
                  "\"regiegroep\",\"scope\":\"Fuzzstad\",\"level\":\"strategisch\",\"cadence\":"
                  "\"P6W\"}");
    load(&w, person(&w, "Carla Voorzitter", 1), &w.chair);
    load(&w, person(&w, "Leo Lid", 1), &w.member);
    load(&w, person(&w, "Piet Politie", police), &w.police);
    load(&w, person(&w, "Gijs Gast", 1), &w.guest);
    load(&w, person(&w, "Wim Waarnemer", 1), &w.observer);
    load(&w, person(&w, "Otto Buiten", police), &w.outsider);
    member(&w, w.chair.person, "voorzitter", "");
    member(&w, w.member.person, "lid", "");
    member(&w, w.police.person, "lid", "");
    member(&w, w.observer.person, "waarnemer", "");
    w.meeting = made(&w, &w.chair, "meeting",
                     "{\"id\":1,\"op\":\"meeting.create\",\"body\":%lld,\"start\":"
                     "\"2027-01-05T09:30:00Z\",\"end\":\"2027-01-05T11:00:00Z\"}",
                     (long long)w.body);
    w.item = made(&w, &w.chair, "item",
                  "{\"id\":1,\"op\":\"agenda.add\",\"meeting\":%lld,\"title\":\"Opening\"}",
                  (long long)w.meeting);
    w.secret = made(&w, &w.chair, "item",
                    "{\"id\":1,\"op\":\"agenda.add\",\"meeting\":%lld,\"title\":\"Casus geheim\","
                    "\"confidential\":true,\"relevant\":[{\"org\":%lld}]}",
                    (long long)w.meeting, (long long)police);
    char extra[64];
    snprintf(extra, sizeof extra, ",\"items\":[%lld]", (long long)w.item);
    member(&w, w.guest.person, "gast", extra);
    w.action = made(&w, &w.police, "action",
                    "{\"id\":1,\"op\":\"action.create\",\"body\":%lld,\"text\":\"Beeld\","
                    "\"item\":%lld}",
                    (long long)w.body, (long long)w.secret);
    return &w;
}

fuzz_world *fuzz_world_get(void)
{
    static fuzz_world *w;
    if (!w)
        w = build();
    return w;
}

const kt_principal *fuzz_principal(fuzz_world *w, unsigned i)
{
    const kt_principal *all[] = {&w->admin, &w->chair,    &w->member,  &w->police,
                                 &w->guest, &w->observer, &w->outsider};
    return all[i % 7];
}

char *fuzz_text(const uint8_t *data, size_t size, size_t max)
{
    if (size > max)
        size = max;
    char *out = malloc(size + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < size;) {
        size_t n = 1;
        while (n <= 4 && i + n <= size && !kt_utf8_valid((const char *)data + i, n))
            n++;
        if (n <= 4 && i + n <= size && data[i]) {
            memcpy(out + o, data + i, n);
            o += n;
            i += n;
        } else {
            out[o++] = '?';
            i++;
        }
    }
    out[o] = 0;
    return out;
}

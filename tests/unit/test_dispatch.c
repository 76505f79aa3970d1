/* The front door of the protocol: every way a frame can be refused gets its stable error code
 * (in the reading order PROTOCOL.md gives), a refused write leaves the store and the streams as
 * they were, and a request key makes a write happen once. Runs the real dispatcher on a real
 * store, hub and in-process bus. */
#include "app.h"
#include "auth/session.h"
#include "bus/bus.h"
#include "live/conn.h"
#include "live/hub.h"
#include "protocol/dispatch.h"
#include "protocol/errors.h"
#include "protocol/ops.h"
#include "store/chat.h"
#include "store/store.h"
#include "test_clock.h"
#include "util/log.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define MAX_SEEN 256

typedef struct fx {
    kt_app app;
    char path[64];
    kt_principal admin, chair, member, member2, observer, outsider;
    int64_t org1, org2, body, meeting;
    /* what the bus carried, in order */
    int n_seen;
    int64_t seen_body[MAX_SEEN], seen_seq[MAX_SEEN];
} fx;

/* ---- plumbing ---- */

static void record_and_deliver(void *arg, kt_event *ev)
{
    fx *f = arg;
    if (f->n_seen < MAX_SEEN) {
        f->seen_body[f->n_seen] = ev->body;
        f->seen_seq[f->n_seen] = ev->seq;
        f->n_seen++;
    }
    kt_hub_deliver(f->app.hub, ev);
}

static void resync(void *arg)
{
    fx *f = arg;
    kt_hub_resync(f->app.hub);
}

/* How many events of stream body the bus carried. */
static int seen(const fx *f, int64_t body)
{
    int n = 0;
    for (int i = 0; i < f->n_seen; i++)
        n += f->seen_body[i] == body;
    return n;
}

static json_t *send_len(fx *f, const kt_principal *me, const char *text, size_t len,
                        int *close_code)
{
    json_t *reply = kt_dispatch_text(&f->app, me, NULL, text, len, close_code);
    assert_non_null(reply);
    kt_dispatch_publish(&f->app);
    return reply;
}

static json_t *sendf(fx *f, const kt_principal *me, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static json_t *sendf(fx *f, const kt_principal *me, const char *fmt, ...)
{
    char text[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof text);
    int close_code = -1;
    json_t *reply = send_len(f, me, text, (size_t)n, &close_code);
    assert_int_equal(close_code, 0);
    return reply;
}

static const char *code_of(json_t *reply)
{
    if (json_is_true(json_object_get(reply, "ok")))
        return "ok";
    return json_string_value(json_object_get(json_object_get(reply, "error"), "code"));
}

/* Checks the shape of an error reply and its code. */
static void check_reply(json_t *reply, const char *want, const char *request)
{
    const char *got = code_of(reply);
    if (!got || strcmp(got, want) != 0) {
        static char dump[1024];
        char *text = json_dumps(reply, JSON_COMPACT);
        snprintf(dump, sizeof dump, "%s", text ? text : "?");
        free(text);
        fail_msg("%.200s: want %s, got %s", request, want, dump);
    }
    if (strcmp(want, "ok") == 0) {
        assert_true(json_is_object(json_object_get(reply, "result")));
        return;
    }
    assert_true(json_is_false(json_object_get(reply, "ok")));
    const char *msg =
        json_string_value(json_object_get(json_object_get(reply, "error"), "message"));
    assert_non_null(msg);
    assert_true(strlen(msg) > 0);
    assert_null(json_object_get(reply, "result"));
}

#define EXPECT(f, me, want, ...)                                                                   \
    do {                                                                                           \
        char req_[8192];                                                                           \
        snprintf(req_, sizeof req_, __VA_ARGS__);                                                  \
        json_t *r_ = sendf(f, me, "%s", req_);                                                     \
        check_reply(r_, want, req_);                                                               \
        json_decref(r_);                                                                           \
    } while (0)

/* Sends a request that must succeed and returns result.<key>.id. */
static int64_t created(fx *f, const kt_principal *me, const char *key, const char *request)
{
    json_t *r = sendf(f, me, "%s", request);
    check_reply(r, "ok", request);
    int64_t id = json_integer_value(
        json_object_get(json_object_get(json_object_get(r, "result"), key), "id"));
    assert_true(id > 0);
    json_decref(r);
    return id;
}

static int64_t count(fx *f, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(kt_store_scalar(f->app.store, sql, &n), 0);
    return n;
}

static void load(fx *f, int64_t person, kt_principal *p)
{
    assert_int_equal(kt_principal_load(f->app.store, person, p), 0);
}

static int64_t person(fx *f, const char *name, const char *email, int64_t org)
{
    char req[512];
    snprintf(req, sizeof req,
             "{\"id\":1,\"op\":\"person.create\",\"name\":\"%s\",\"email\":\"%s\",\"org\":%lld}",
             name, email, (long long)org);
    return created(f, &f->admin, "person", req);
}

static void member(fx *f, int64_t who, const char *role)
{
    EXPECT(f, &f->admin, "ok",
           "{\"id\":1,\"op\":\"membership.add\",\"body\":%lld,\"person\":%lld,\"role\":\"%s\"}",
           (long long)f->body, (long long)who, role);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->path, sizeof f->path, "/tmp/kt-unit-dispatch-%d.db", (int)getpid());
    unlink(f->path);
    f->app.cfg.public_url = "http://ketentafel.test";
    f->app.cfg.max_queue = 1024;
    f->app.cfg.session_ttl = 3600;
    kt_store_options o = {.path = f->path};
    if (kt_store_open(&o, &f->app.store))
        return -1;
    f->app.hub = kt_hub_new(&f->app);
    f->app.bus = kt_bus_local_new(record_and_deliver, resync, f);
    f->app.detect = NULL; /* detectors are not what is tested here */
    if (!f->app.hub || !f->app.bus)
        return -1;
    /* the first administrator comes from outside the protocol (create-admin) */
    if (kt_store_exec(f->app.store,
                      "INSERT INTO organisations(id, name, kind, created_at, updated_at) "
                      "VALUES (1, 'Gemeente Dordrecht', 'gemeente', 0, 0);"
                      "INSERT INTO persons(id, org_id, name, email, is_admin, created_at, "
                      "updated_at) VALUES (1, 1, 'Beheerder', 'beheer@example.nl', 1, 0, 0);"))
        return -1;
    *state = f;
    load(f, 1, &f->admin);
    f->org1 = 1;
    EXPECT(f, &f->admin, "ok",
           "{\"id\":1,\"op\":\"scope.create\",\"name\":\"Dordrecht\","
           "\"kind\":\"gemeente\"}");
    f->org2 =
        created(f, &f->admin, "organisation",
                "{\"id\":1,\"op\":\"org.create\",\"name\":\"Politie ZHZ\",\"kind\":\"politie\"}");
    f->body = created(f, &f->admin, "body",
                      "{\"id\":1,\"op\":\"body.create\",\"name\":\"Regiegroep Ondermijning\","
                      "\"kind\":\"regiegroep\",\"scope\":\"Dordrecht\",\"level\":\"strategisch\"}");
    load(f, person(f, "Carla Voorzitter", "carla@example.nl", f->org1), &f->chair);
    load(f, person(f, "Leo Lid", "leo@example.nl", f->org1), &f->member);
    load(f, person(f, "Pieter Politie", "pieter@example.nl", f->org2), &f->member2);
    load(f, person(f, "Wim Waarnemer", "wim@example.nl", f->org1), &f->observer);
    load(f, person(f, "Olga Onbekend", "olga@example.nl", f->org1), &f->outsider);
    member(f, f->chair.person, "voorzitter");
    member(f, f->member.person, "lid");
    member(f, f->member2.person, "lid");
    member(f, f->observer.person, "waarnemer");
    char req[512];
    snprintf(req, sizeof req,
             "{\"id\":1,\"op\":\"meeting.create\",\"body\":%lld,"
             "\"start\":\"2026-12-01T09:30:00+01:00\",\"end\":\"2026-12-01T11:00:00+01:00\"}",
             (long long)f->body);
    f->meeting = created(f, &f->chair, "meeting", req);
    f->n_seen = 0;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    kt_dispatch_publish(&f->app);
    free(f->app.pending);
    kt_bus_free(f->app.bus);
    kt_hub_free(f->app.hub);
    kt_store_close(f->app.store);
    char p[80];
    unlink(f->path);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
    free(f);
    return 0;
}

/* ---- the envelope ---- */

static void malformed_json_is_invalid_json_with_a_null_id(void **state)
{
    fx *f = *state;
    static const char *const bad[] = {
        "",
        "{",
        "{\"id\":1,\"op\":\"ping\"",
        "{\"id\":1,\"op\":\"ping\"}}",
        "{\"id\":1 \"op\":\"ping\"}",
        "{'id':1,'op':'ping'}",
        "nul",
        "{\"id\":1,\"op\":\"ping\",}",
        "{\"id\":1,\"id\":2,\"op\":\"ping\"}",                  /* duplicate member names */
        "{\"id\":1,\"op\":\"ping\"} {}",                        /* two values */
        "{\"id\":1,\"op\":\"chat.post\",\"text\":\"\\ud800\"}", /* unpaired surrogate escape */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int close_code = -1;
        json_t *r = send_len(f, &f->member, bad[i], strlen(bad[i]), &close_code);
        check_reply(r, "invalid_json", bad[i]);
        assert_true(json_is_null(json_object_get(r, "id")));
        assert_int_equal(close_code, 0); /* the connection goes on */
        json_decref(r);
    }
}

static void nul_in_a_string_is_invalid_json(void **state)
{
    fx *f = *state;
    /* PROTOCOL.md: a NUL character in any string makes the message invalid_json */
    EXPECT(f, &f->member, "invalid_json",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"a\\u0000b\"}",
           (long long)f->body);
    EXPECT(f, &f->admin, "invalid_json",
           "{\"id\":1,\"op\":\"body.create\",\"name\":\"Regie\\u0000groep\",\"kind\":\"werkgroep\","
           "\"scope\":\"Dordrecht\",\"level\":\"tactisch\"}");
    EXPECT(f, &f->member, "invalid_json", "{\"id\":\"a\\u0000\",\"op\":\"ping\"}");
    assert_int_equal(count(f, "SELECT count(*) FROM messages"), 0);
}

static void non_utf8_text_is_invalid_utf8_and_closes_with_1007(void **state)
{
    fx *f = *state;
    static const char *const bad[] = {
        "{\"id\":1,\"op\":\"ping\",\"x\":\"\xff\"}",
        "{\"id\":1,\"op\":\"ping\",\"x\":\"\xc0\xaf\"}",     /* overlong */
        "{\"id\":1,\"op\":\"ping\",\"x\":\"\xed\xa0\x80\"}", /* encoded surrogate */
        "{\"id\":1,\"op\":\"ping\",\"x\":\"\xe2\x82\"}",     /* truncated */
        "\xef\xbb\xbf{\"id\":1,\"op\":\"ping\",\"x\":\"\xf4\x90\x80\x80\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int close_code = 0;
        json_t *r = send_len(f, &f->member, bad[i], strlen(bad[i]), &close_code);
        check_reply(r, "invalid_utf8", "non-UTF-8 frame");
        assert_true(json_is_null(json_object_get(r, "id")));
        assert_int_equal(close_code, KT_CLOSE_INVALID_UTF8);
        assert_int_equal(close_code, 1007);
        json_decref(r);
    }
    /* valid multi-byte text passes the check (and then fails on what it is: an unknown arg) */
    EXPECT(f, &f->member, "unknown_argument",
           "{\"id\":1,\"op\":\"ping\",\"x\":\"caf\xc3\xa9 \xe2\x82\xac\"}");
}

static void frames_over_64_kib_are_refused_before_anything_else(void **state)
{
    fx *f = *state;
    const char *head = "{\"id\":7,\"op\":\"ping\"";
    char *text = malloc(KT_MAX_FRAME + 2);
    assert_non_null(text);
    /* exactly 64 KiB: fine (padded with JSON whitespace) */
    memset(text, ' ', KT_MAX_FRAME + 1);
    memcpy(text, head, strlen(head));
    text[KT_MAX_FRAME - 1] = '}';
    int close_code = -1;
    json_t *r = send_len(f, &f->member, text, KT_MAX_FRAME, &close_code);
    check_reply(r, "ok", "64 KiB ping");
    assert_int_equal(json_integer_value(json_object_get(r, "id")), 7);
    json_decref(r);
    /* one byte more: refused, with a null id, and the connection goes on */
    text[KT_MAX_FRAME - 1] = ' ';
    text[KT_MAX_FRAME] = '}';
    r = send_len(f, &f->member, text, KT_MAX_FRAME + 1, &close_code);
    check_reply(r, "frame_too_large", "64 KiB + 1 ping");
    assert_true(json_is_null(json_object_get(r, "id")));
    assert_int_equal(close_code, 0);
    json_decref(r);
    /* size is checked before UTF-8: an oversized non-UTF-8 frame is too large, not closed */
    text[20] = '\xff';
    r = send_len(f, &f->member, text, KT_MAX_FRAME + 1, &close_code);
    check_reply(r, "frame_too_large", "oversized non-UTF-8");
    assert_int_equal(close_code, 0);
    json_decref(r);
    free(text);
}

static void a_request_must_be_an_object_with_an_id_and_an_op(void **state)
{
    fx *f = *state;
    static const char *const null_id[] = {
        "[1]",
        "[]",
        "[{\"id\":1,\"op\":\"ping\"}]",
        "{\"op\":\"ping\"}",             /* no id */
        "{\"id\":null,\"op\":\"ping\"}", /* ids are integers or strings */
        "{\"id\":true,\"op\":\"ping\"}",
        "{\"id\":1.5,\"op\":\"ping\"}",
        "{\"id\":1.0,\"op\":\"ping\"}",
        "{\"id\":[1],\"op\":\"ping\"}",
        "{\"id\":{},\"op\":\"ping\"}",
        "{\"id\":\"12345678901234567890123456789012345678901234567890123456789012345\","
        "\"op\":\"ping\"}", /* 65 bytes */
    };
    for (size_t i = 0; i < sizeof null_id / sizeof null_id[0]; i++) {
        json_t *r = sendf(f, &f->member, "%s", null_id[i]);
        check_reply(r, "invalid_request", null_id[i]);
        assert_true(json_is_null(json_object_get(r, "id")));
        json_decref(r);
    }
    /* with a usable id, the id is echoed */
    static const char *const with_id[] = {
        "{\"id\":5}",
        "{\"id\":5,\"op\":null}",
        "{\"id\":5,\"op\":7}",
        "{\"id\":5,\"op\":[\"ping\"]}",
    };
    for (size_t i = 0; i < sizeof with_id / sizeof with_id[0]; i++) {
        json_t *r = sendf(f, &f->member, "%s", with_id[i]);
        check_reply(r, "invalid_request", with_id[i]);
        assert_int_equal(json_integer_value(json_object_get(r, "id")), 5);
        json_decref(r);
    }
}

/* A JSON text that is a bare string, number, true, false or null is valid JSON (RFC 8259) but
 * not an object: PROTOCOL.md's reading order wants invalid_request with a null id. */
static void json_that_is_not_an_object_is_invalid_request(void **state)
{
    fx *f = *state;
    static const char *const scalars[] = {"\"ping\"", "42", "null", "true", "false", "-1.5"};
    for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
        json_t *r = sendf(f, &f->member, "%s", scalars[i]);
        check_reply(r, "invalid_request", scalars[i]);
        assert_true(json_is_null(json_object_get(r, "id")));
        json_decref(r);
    }
}

static void ids_may_be_integers_or_strings_and_are_echoed(void **state)
{
    fx *f = *state;
    const char *sixty_four = "1234567890123456789012345678901234567890123456789012345678901234";
    json_t *r = sendf(f, &f->member, "{\"id\":\"%s\",\"op\":\"ping\"}", sixty_four);
    check_reply(r, "ok", "64-byte id");
    assert_string_equal(json_string_value(json_object_get(r, "id")), sixty_four);
    json_decref(r);
    json_int_t ints[] = {0, -3, 1, 9007199254740993LL};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        r = sendf(f, &f->member, "{\"id\":%lld,\"op\":\"ping\"}", (long long)ints[i]);
        check_reply(r, "ok", "integer id");
        assert_true(json_is_integer(json_object_get(r, "id")));
        assert_int_equal(json_integer_value(json_object_get(r, "id")), ints[i]);
        json_decref(r);
    }
    /* the limit is 64 bytes, not characters */
    char accents[200] = "";
    for (int i = 0; i < 32; i++)
        strcat(accents, "\xc3\xa9");
    EXPECT(f, &f->member, "ok", "{\"id\":\"%s\",\"op\":\"ping\"}", accents);
    strcat(accents, "\xc3\xa9");
    EXPECT(f, &f->member, "invalid_request", "{\"id\":\"%s\",\"op\":\"ping\"}", accents);
    r = sendf(f, &f->member, "{\"id\":\"\",\"op\":\"ping\"}");
    check_reply(r, "ok", "empty string id");
    assert_string_equal(json_string_value(json_object_get(r, "id")), "");
    json_decref(r);
    /* a string id that looks like a number stays a string; errors echo it too */
    r = sendf(f, &f->member, "{\"id\":\"17\",\"op\":\"nope\"}");
    check_reply(r, "unknown_op", "string id on error");
    assert_string_equal(json_string_value(json_object_get(r, "id")), "17");
    json_decref(r);
    /* the id does not have to come first */
    r = sendf(f, &f->member, "{\"op\":\"ping\",\"id\":\"x\"}");
    check_reply(r, "ok", "id last");
    assert_string_equal(json_string_value(json_object_get(r, "id")), "x");
    json_decref(r);
}

static void unknown_ops_are_unknown_op(void **state)
{
    fx *f = *state;
    static const char *const ops[] = {"nope",   "PING",      "ping ",          "",
                                      "agenda", "agenda.ad", "chat.post.extra"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        EXPECT(f, &f->member, "unknown_op", "{\"id\":1,\"op\":\"%s\"}", ops[i]);
}

static void the_key_must_be_a_short_string(void **state)
{
    fx *f = *state;
    static const char *const keys[] = {"\"\"", "1", "null", "[\"k\"]",
                                       "\"12345678901234567890123456789012345678901234567890"
                                       "123456789012345\""};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        EXPECT(f, &f->member, "invalid_request",
               "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\",\"key\":%s}",
               (long long)f->body, keys[i]);
    assert_int_equal(count(f, "SELECT count(*) FROM messages"), 0);
}

/* ---- arguments ---- */

static void missing_required_arguments_are_missing_argument(void **state)
{
    fx *f = *state;
    long long b = (long long)f->body;
    EXPECT(f, &f->member, "missing_argument", "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld}", b);
    EXPECT(f, &f->member, "missing_argument", "{\"id\":1,\"op\":\"chat.post\",\"text\":\"hoi\"}");
    EXPECT(f, &f->member, "missing_argument", "{\"id\":1,\"op\":\"body.get\"}");
    EXPECT(f, &f->admin, "missing_argument",
           "{\"id\":1,\"op\":\"membership.add\",\"body\":%lld,\"person\":%lld}", b,
           (long long)f->outsider.person);
    EXPECT(f, &f->chair, "missing_argument",
           "{\"id\":1,\"op\":\"meeting.create\",\"body\":%lld,\"start\":\"2026-12-08T09:30Z\"}", b);
    /* agenda.add needs a meeting or a body (a handler-level requirement of the target) */
    EXPECT(f, &f->chair, "missing_argument", "{\"id\":1,\"op\":\"agenda.add\",\"title\":\"Punt\"}");
    /* a vaste_vervanger needs someone to stand in for */
    EXPECT(f, &f->admin, "missing_argument",
           "{\"id\":1,\"op\":\"membership.add\",\"body\":%lld,\"person\":%lld,"
           "\"role\":\"vaste_vervanger\"}",
           b, (long long)f->outsider.person);
}

static void arguments_of_the_wrong_type_are_invalid_argument(void **state)
{
    fx *f = *state;
    static const char *const ids[] = {"\"1\"", "0",   "-1", "1.0", "1e0",
                                      "true",  "[1]", "{}", "null"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        EXPECT(f, &f->admin, "invalid_argument", "{\"id\":1,\"op\":\"body.get\",\"body\":%s}",
               ids[i]);
    long long b = (long long)f->body;
    /* text, bool, int range, id lists */
    EXPECT(f, &f->member, "invalid_argument",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":5}", b);
    EXPECT(f, &f->member, "invalid_argument",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":null}", b);
    EXPECT(f, &f->admin, "invalid_argument",
           "{\"id\":1,\"op\":\"person.create\",\"name\":\"X Y\",\"email\":\"x@example.nl\","
           "\"org\":1,\"admin\":\"yes\"}");
    EXPECT(f, &f->admin, "invalid_argument",
           "{\"id\":1,\"op\":\"person.create\",\"name\":\"X Y\",\"email\":\"x@example.nl\","
           "\"org\":1,\"admin\":1}");
    EXPECT(f, &f->member, "invalid_argument",
           "{\"id\":1,\"op\":\"meeting.upcoming\",\"days\":401}");
    EXPECT(f, &f->member, "invalid_argument", "{\"id\":1,\"op\":\"meeting.upcoming\",\"days\":-1}");
    EXPECT(f, &f->member, "invalid_argument",
           "{\"id\":1,\"op\":\"meeting.upcoming\",\"days\":\"7\"}");
    EXPECT(f, &f->member, "ok", "{\"id\":1,\"op\":\"meeting.upcoming\",\"days\":400}");
    EXPECT(f, &f->member, "ok", "{\"id\":1,\"op\":\"meeting.upcoming\",\"days\":0}");
    EXPECT(f, &f->admin, "invalid_argument",
           "{\"id\":1,\"op\":\"membership.add\",\"body\":%lld,\"person\":%lld,\"role\":\"gast\","
           "\"items\":[0]}",
           b, (long long)f->outsider.person);
    EXPECT(f, &f->admin, "invalid_argument",
           "{\"id\":1,\"op\":\"membership.add\",\"body\":%lld,\"person\":%lld,\"role\":\"gast\","
           "\"items\":[\"1\"]}",
           b, (long long)f->outsider.person);
    EXPECT(f, &f->admin, "invalid_argument",
           "{\"id\":1,\"op\":\"membership.add\",\"body\":%lld,\"person\":%lld,\"role\":\"gast\","
           "\"items\":5}",
           b, (long long)f->outsider.person);
    EXPECT(f, &f->member, "invalid_argument",
           "{\"id\":1,\"op\":\"preferences.set\",\"prefs\":[1]}");
    assert_int_equal(count(f, "SELECT count(*) FROM memberships"), 4);
}

static void enums_times_and_dates_are_checked(void **state)
{
    fx *f = *state;
    long long b = (long long)f->body;
    static const char *const kinds[] = {"\"koning\"", "\"Regiegroep\"", "\"regiegroep \"", "1",
                                        "null"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        EXPECT(f, &f->admin, "invalid_argument",
               "{\"id\":1,\"op\":\"body.create\",\"name\":\"Nieuw\",\"kind\":%s,"
               "\"scope\":\"Dordrecht\",\"level\":\"tactisch\"}",
               kinds[i]);
    EXPECT(f, &f->admin, "invalid_argument",
           "{\"id\":1,\"op\":\"membership.add\",\"body\":%lld,\"person\":%lld,\"role\":\"koning\"}",
           b, (long long)f->outsider.person);
    static const char *const times[] = {"\"2026-12-08 09:30:00Z\"",
                                        "\"2026-12-08T09:30:00\"",
                                        "\"2026-02-29T09:30Z\"",
                                        "\"2026-12-08T25:00Z\"",
                                        "\"2026-12-08\"",
                                        "1796117400",
                                        "\"morgen\"",
                                        "\"\""};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
        EXPECT(f, &f->chair, "invalid_argument",
               "{\"id\":1,\"op\":\"meeting.create\",\"body\":%lld,\"start\":%s,"
               "\"end\":\"2026-12-08T11:00Z\"}",
               b, times[i]);
    static const char *const dates[] = {"\"2026-02-30\"", "\"2026-12-08T00:00Z\"", "\"8-12-2026\"",
                                        "20261208", "\"\""};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++)
        EXPECT(f, &f->member, "invalid_argument",
               "{\"id\":1,\"op\":\"action.create\",\"body\":%lld,\"text\":\"Doen\",\"due\":%s}", b,
               dates[i]);
    /* the valid forms pass */
    EXPECT(f, &f->member, "ok",
           "{\"id\":1,\"op\":\"action.create\",\"body\":%lld,\"text\":\"Doen\","
           "\"due\":\"2028-02-29\"}",
           b);
    EXPECT(f, &f->chair, "ok",
           "{\"id\":1,\"op\":\"meeting.create\",\"body\":%lld,\"start\":\"2026-12-08T09:30+01:00\","
           "\"end\":\"2026-12-08T10:30:00.5Z\"}",
           b);
}

static void string_lengths_count_code_points(void **state)
{
    fx *f = *state;
    char name[1024];
    /* 200 characters of two bytes each: at the limit */
    name[0] = 0;
    for (int i = 0; i < 200; i++)
        strcat(name, "\xc3\xa9");
    EXPECT(f, &f->admin, "ok",
           "{\"id\":1,\"op\":\"body.create\",\"name\":\"%s\",\"kind\":\"werkgroep\","
           "\"scope\":\"Dordrecht\",\"level\":\"tactisch\"}",
           name);
    memset(name, 'x', 201);
    name[201] = 0;
    EXPECT(f, &f->admin, "invalid_argument",
           "{\"id\":1,\"op\":\"body.create\",\"name\":\"%s\",\"kind\":\"werkgroep\","
           "\"scope\":\"Dordrecht\",\"level\":\"tactisch\"}",
           name);
    /* a text argument (may be empty, at most 500 here) */
    char note[600];
    memset(note, 'n', 501);
    note[501] = 0;
    EXPECT(f, &f->member, "invalid_argument",
           "{\"id\":1,\"op\":\"attendance.set\",\"meeting\":%lld,\"status\":\"afwezig\","
           "\"note\":\"%s\"}",
           (long long)f->meeting, note);
    note[500] = 0;
    EXPECT(f, &f->member, "ok",
           "{\"id\":1,\"op\":\"attendance.set\",\"meeting\":%lld,\"status\":\"afwezig\","
           "\"note\":\"%s\"}",
           (long long)f->meeting, note);
    EXPECT(f, &f->member, "ok",
           "{\"id\":1,\"op\":\"attendance.set\",\"meeting\":%lld,\"status\":\"afwezig\","
           "\"note\":\"\"}",
           (long long)f->meeting);
}

static void trimmed_strings_refuse_surrounding_space_and_emptiness(void **state)
{
    fx *f = *state;
    static const char *const names[] = {
        "",  " Werkgroep",  "Werkgroep ", "\\tWerkgroep", "Werkgroep\\n", "\\nWerkgroep",
        " ", "Werkgroep\\t"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        EXPECT(f, &f->admin, "invalid_argument",
               "{\"id\":1,\"op\":\"body.create\",\"name\":\"%s\",\"kind\":\"werkgroep\","
               "\"scope\":\"Dordrecht\",\"level\":\"tactisch\"}",
               names[i]);
    /* inner spaces are fine */
    EXPECT(f, &f->admin, "ok",
           "{\"id\":1,\"op\":\"body.create\",\"name\":\"Werk  groep\",\"kind\":\"werkgroep\","
           "\"scope\":\"Dordrecht\",\"level\":\"tactisch\"}");
    assert_int_equal(count(f, "SELECT count(*) FROM bodies"), 2);
}

static void unknown_arguments_are_refused(void **state)
{
    fx *f = *state;
    long long b = (long long)f->body;
    EXPECT(f, &f->member, "unknown_argument", "{\"id\":1,\"op\":\"ping\",\"x\":1}");
    EXPECT(f, &f->member, "unknown_argument",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\",\"Text\":\"hoi\"}", b);
    EXPECT(f, &f->member, "unknown_argument",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\",\"meeting\":%lld}", b,
           (long long)f->meeting);
    assert_int_equal(count(f, "SELECT count(*) FROM messages"), 0);
    /* id, op and key are the envelope, not arguments */
    EXPECT(f, &f->member, "ok",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\",\"key\":\"k\"}", b);
}

static void the_first_problem_in_reading_order_is_the_answer(void **state)
{
    fx *f = *state;
    long long b = (long long)f->body;
    /* arguments in the order written */
    EXPECT(f, &f->admin, "unknown_argument",
           "{\"id\":1,\"op\":\"body.get\",\"x\":1,\"body\":\"a\"}");
    EXPECT(f, &f->admin, "invalid_argument",
           "{\"id\":1,\"op\":\"body.get\",\"body\":\"a\",\"x\":1}");
    /* argument problems before missing ones */
    EXPECT(f, &f->member, "unknown_argument", "{\"id\":1,\"op\":\"chat.post\",\"x\":1}");
    EXPECT(f, &f->member, "invalid_argument", "{\"id\":1,\"op\":\"chat.post\",\"body\":0}");
    /* arguments before the target */
    EXPECT(f, &f->member, "missing_argument", "{\"id\":1,\"op\":\"chat.post\",\"body\":999}");
    /* the target before permission: an outsider learns a body is absent, not more */
    EXPECT(f, &f->outsider, "not_found",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":999,\"text\":\"hoi\"}");
    EXPECT(f, &f->outsider, "not_member",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\"}", b);
    /* permission before the op's own checks (an empty message would be invalid_argument) */
    EXPECT(f, &f->observer, "forbidden",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"   \"}", b);
    EXPECT(f, &f->member, "invalid_argument",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"   \"}", b);
}

/* ---- targets and permissions ---- */

static void absent_targets_are_not_found(void **state)
{
    fx *f = *state;
    EXPECT(f, &f->admin, "not_found", "{\"id\":1,\"op\":\"body.get\",\"body\":999}");
    EXPECT(f, &f->member, "not_found", "{\"id\":1,\"op\":\"meeting.get\",\"meeting\":999}");
    EXPECT(f, &f->chair, "not_found",
           "{\"id\":1,\"op\":\"agenda.update\",\"item\":999,\"title\":\"X\"}");
    EXPECT(f, &f->member, "not_found",
           "{\"id\":1,\"op\":\"action.update\",\"action\":999,\"status\":\"lopend\"}");
    EXPECT(f, &f->chair, "not_found",
           "{\"id\":1,\"op\":\"agenda.add\",\"meeting\":999,\"title\":\"Punt\"}");
    /* referenced things the handler checks */
    EXPECT(f, &f->admin, "not_found",
           "{\"id\":1,\"op\":\"membership.add\",\"body\":%lld,\"person\":999,\"role\":\"lid\"}",
           (long long)f->body);
    EXPECT(f, &f->admin, "not_found",
           "{\"id\":1,\"op\":\"person.create\",\"name\":\"X Y\",\"email\":\"xy@example.nl\","
           "\"org\":999}");
}

static void non_members_get_not_member(void **state)
{
    fx *f = *state;
    long long b = (long long)f->body;
    EXPECT(f, &f->outsider, "not_member",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\"}", b);
    EXPECT(f, &f->outsider, "not_member", "{\"id\":1,\"op\":\"chat.history\",\"body\":%lld}", b);
    EXPECT(f, &f->outsider, "not_member", "{\"id\":1,\"op\":\"body.get\",\"body\":%lld}", b);
    /* a body is in the directory; its meetings are its members': one of them is to an outsider
     * what a meeting that never existed is (no refusal that says it exists, and where) */
    EXPECT(f, &f->outsider, "not_found", "{\"id\":1,\"op\":\"meeting.get\",\"meeting\":%lld}",
           (long long)f->meeting);
    EXPECT(f, &f->admin, "not_found",
           "{\"id\":1,\"op\":\"agenda.add\",\"meeting\":%lld,\"title\":\"Punt\"}",
           (long long)f->meeting);
    /* an administrator manages bodies without taking part in them */
    EXPECT(f, &f->admin, "not_member",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\"}", b);
    EXPECT(f, &f->admin, "ok", "{\"id\":1,\"op\":\"body.get\",\"body\":%lld}", b);
    assert_int_equal(count(f, "SELECT count(*) FROM messages"), 0);
}

static void members_without_the_right_role_get_forbidden(void **state)
{
    fx *f = *state;
    long long b = (long long)f->body;
    /* a member is no chair */
    EXPECT(f, &f->member, "forbidden",
           "{\"id\":1,\"op\":\"meeting.create\",\"body\":%lld,\"start\":\"2026-12-08T09:30Z\","
           "\"end\":\"2026-12-08T10:30Z\"}",
           b);
    EXPECT(f, &f->member, "forbidden",
           "{\"id\":1,\"op\":\"agenda.add\",\"meeting\":%lld,\"title\":\"Punt\"}",
           (long long)f->meeting);
    EXPECT(f, &f->member, "forbidden",
           "{\"id\":1,\"op\":\"membership.add\",\"body\":%lld,\"person\":%lld,\"role\":\"lid\"}", b,
           (long long)f->outsider.person);
    /* an observer only watches */
    EXPECT(f, &f->observer, "forbidden",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\"}", b);
    EXPECT(f, &f->observer, "forbidden",
           "{\"id\":1,\"op\":\"attendance.set\",\"meeting\":%lld,\"status\":\"aanwezig\"}",
           (long long)f->meeting);
    EXPECT(f, &f->observer, "ok", "{\"id\":1,\"op\":\"chat.history\",\"body\":%lld}", b);
    /* only administrators manage the directory */
    EXPECT(f, &f->chair, "forbidden",
           "{\"id\":1,\"op\":\"org.create\",\"name\":\"RIEC\",\"kind\":\"riec\"}");
    EXPECT(f, &f->chair, "forbidden",
           "{\"id\":1,\"op\":\"body.create\",\"name\":\"Nieuw\",\"kind\":\"werkgroep\","
           "\"scope\":\"Dordrecht\",\"level\":\"tactisch\"}");
    EXPECT(f, &f->chair, "forbidden",
           "{\"id\":1,\"op\":\"body.update\",\"body\":%lld,\"name\":\"Anders\"}", b);
    /* a member records attendance for themself, not for others */
    EXPECT(f, &f->member, "forbidden",
           "{\"id\":1,\"op\":\"attendance.set\",\"meeting\":%lld,\"person\":%lld,"
           "\"status\":\"afwezig\"}",
           (long long)f->meeting, (long long)f->member2.person);
    EXPECT(f, &f->chair, "ok",
           "{\"id\":1,\"op\":\"attendance.set\",\"meeting\":%lld,\"person\":%lld,"
           "\"status\":\"afwezig\"}",
           (long long)f->meeting, (long long)f->member2.person);
    assert_int_equal(count(f, "SELECT count(*) FROM organisations"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM bodies"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM meetings"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM items"), 0);
}

static void items_the_caller_may_not_see_do_not_exist_for_them(void **state)
{
    fx *f = *state;
    long long b = (long long)f->body;
    /* a confidential item for the municipality only */
    char req[512];
    snprintf(req, sizeof req,
             "{\"id\":1,\"op\":\"agenda.add\",\"meeting\":%lld,\"title\":\"Vertrouwelijke casus\","
             "\"confidential\":true,\"relevant\":[{\"org\":%lld}]}",
             (long long)f->meeting, (long long)f->org1);
    int64_t item = created(f, &f->chair, "item", req);
    snprintf(req, sizeof req,
             "{\"id\":1,\"op\":\"action.create\",\"body\":%lld,\"text\":\"Uitzoeken\","
             "\"item\":%lld}",
             b, (long long)item);
    int64_t action = created(f, &f->member, "action", req);
    /* the police member: not found, the same answer as for an absent action */
    EXPECT(f, &f->member2, "not_found",
           "{\"id\":1,\"op\":\"action.update\",\"action\":%lld,\"status\":\"lopend\"}",
           (long long)action);
    EXPECT(f, &f->member2, "not_found",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\",\"item\":%lld}", b,
           (long long)item);
    EXPECT(f, &f->member, "ok",
           "{\"id\":1,\"op\":\"action.update\",\"action\":%lld,\"status\":\"lopend\"}",
           (long long)action);
}

/* ---- the write path ---- */

static void a_rejected_write_leaves_the_store_and_the_stream_unchanged(void **state)
{
    fx *f = *state;
    long long b = (long long)f->body;
    int64_t seq = kt_store_stream_seq(f->app.store, f->body);
    int64_t dir = kt_store_stream_seq(f->app.store, 0);
    assert_true(seq > 0);
    EXPECT(f, &f->member, "invalid_argument",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"\\t \"}", b);
    EXPECT(f, &f->member, "not_found",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\",\"item\":999}", b);
    EXPECT(f, &f->observer, "forbidden",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\"}", b);
    EXPECT(f, &f->outsider, "not_member",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\"}", b);
    EXPECT(f, &f->member, "unknown_argument",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\",\"x\":0}", b);
    EXPECT(f, &f->chair, "invalid_argument",
           "{\"id\":1,\"op\":\"meeting.create\",\"body\":%lld,\"start\":\"2026-12-08T11:00Z\","
           "\"end\":\"2026-12-08T10:00Z\"}",
           b); /* ends before it starts */
    EXPECT(f, &f->admin, "conflict",
           "{\"id\":1,\"op\":\"membership.add\",\"body\":%lld,\"person\":%lld,\"role\":\"lid\"}", b,
           (long long)f->member.person); /* already a member */
    EXPECT(f, &f->admin, "conflict",
           "{\"id\":1,\"op\":\"org.create\",\"name\":\"politie zhz\",\"kind\":\"politie\"}");
    assert_int_equal(kt_store_stream_seq(f->app.store, f->body), seq);
    assert_int_equal(kt_store_stream_seq(f->app.store, 0), dir);
    assert_int_equal(seen(f, f->body), 0); /* nothing published */
    assert_int_equal(seen(f, 0), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM messages"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM meetings"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM organisations"), 2);
    assert_int_equal(f->app.n_pending, 0);
}

static void a_write_that_fails_half_way_is_rolled_back_entirely(void **state)
{
    fx *f = *state;
    int64_t seq = kt_store_stream_seq(f->app.store, f->body);
    /* the item row is written before the unknown organisation is found */
    EXPECT(f, &f->chair, "not_found",
           "{\"id\":1,\"op\":\"agenda.add\",\"meeting\":%lld,\"title\":\"Punt\","
           "\"relevant\":[{\"org\":%lld},{\"org\":999}]}",
           (long long)f->meeting, (long long)f->org1);
    EXPECT(f, &f->chair, "not_found",
           "{\"id\":1,\"op\":\"agenda.add\",\"meeting\":%lld,\"title\":\"Punt\","
           "\"persons\":[%lld,999]}",
           (long long)f->meeting, (long long)f->member.person);
    assert_int_equal(count(f, "SELECT count(*) FROM items"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM item_orgs"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM item_persons"), 0);
    assert_int_equal(kt_store_stream_seq(f->app.store, f->body), seq);
    assert_int_equal(seen(f, f->body), 0);
    /* and the same request without the bad part goes through with the next seq */
    EXPECT(f, &f->chair, "ok",
           "{\"id\":1,\"op\":\"agenda.add\",\"meeting\":%lld,\"title\":\"Punt\","
           "\"relevant\":[{\"org\":%lld}]}",
           (long long)f->meeting, (long long)f->org1);
    assert_int_equal(kt_store_stream_seq(f->app.store, f->body), seq + 1);
}

/* chat.post answers with the new message as the store reads it back (it is built from what was
 * written, not read again), in a body's own channel and under an item, plus its mentions. */
static void a_posted_message_is_the_stored_one(void **state)
{
    fx *f = *state;
    char add[256];
    snprintf(add, sizeof add,
             "{\"id\":1,\"op\":\"agenda.add\",\"meeting\":%lld,\"title\":\"Punt\"}",
             (long long)f->meeting);
    int64_t item = created(f, &f->chair, "item", add);
    for (int k = 0; k < 2; k++) {
        char req[256];
        if (k)
            snprintf(req, sizeof req,
                     "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"Onder \\u00e9\u00e9n "
                     "punt\",\"item\":%lld}",
                     (long long)f->body, (long long)item);
        else
            snprintf(req, sizeof req,
                     "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"Goedemorgen @Leo\"}",
                     (long long)f->body);
        json_t *r = sendf(f, &f->member, "%s", req);
        check_reply(r, "ok", req);
        json_t *got = json_object_get(json_object_get(r, "result"), "message");
        json_t *stored = NULL;
        assert_int_equal(kt_store_message_get(
                             f->app.store, json_integer_value(json_object_get(got, "id")), &stored),
                         0);
        assert_true(json_is_array(json_object_get(got, "mentions")));
        json_object_del(got, "mentions");
        char *a = json_dumps(got, JSON_COMPACT), *b = json_dumps(stored, JSON_COMPACT);
        assert_string_equal(a, b); /* the same members, in the same order */
        free(a);
        free(b);
        json_decref(stored);
        json_decref(r);
    }
}

/* ---- group commit ---- */

/* Sends a grouped write over conn (as from a connection, group commit on): held for the flush. */
static void send_grouped(fx *f, kt_conn *conn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void send_grouped(fx *f, kt_conn *conn, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof text);
    int close_code = -1;
    json_t *reply = kt_dispatch_text(&f->app, &conn->me, conn, text, (size_t)n, &close_code);
    if (reply) { /* held until the group commits */
        char *dump = json_dumps(reply, JSON_COMPACT);
        fail_msg("%.100s: not held: %.300s", text, dump ? dump : "?");
    }
    assert_int_equal(close_code, 0);
}

/* The next reply queued on conn: its id and code ("ok" or the error's). */
static void next_reply(kt_conn *conn, int64_t id, const char *code)
{
    kt_frame *fr = kt_conn_peek(conn);
    assert_non_null(fr);
    json_t *r = json_loadb((const char *)fr->data + KT_FRAME_PRE, fr->len, 0, NULL);
    assert_non_null(r);
    assert_int_equal(json_integer_value(json_object_get(r, "id")), id);
    check_reply(r, code, "grouped write");
    json_decref(r);
    kt_conn_pop(conn);
}

/* SQLite runs the writes of a group without a savepoint each: one that fails after it wrote
 * rows has the group rolled back and the others run again. Nothing of it stays, the others are
 * all acknowledged after the one commit, in order, and the stream stays gap-free. */
static void a_grouped_write_that_fails_half_way_costs_the_others_nothing(void **state)
{
    fx *f = *state;
    kt_dispatch_group_commit(&f->app, true);
    kt_conn chair = {0}, member = {0};
    assert_int_equal(kt_conn_init(&chair, 64, 1 << 20), 0);
    assert_int_equal(kt_conn_init(&member, 64, 1 << 20), 0);
    chair.me = f->chair;
    member.me = f->member;
    int64_t seq = kt_store_stream_seq(f->app.store, f->body);
    long long b = (long long)f->body, m = (long long)f->meeting, o = (long long)f->org1;
    uint64_t commits = f->app.counters.group_commits;
    send_grouped(f, &member, "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"een\"}", b);
    send_grouped(f, &chair,
                 "{\"id\":2,\"op\":\"agenda.add\",\"meeting\":%lld,\"title\":\"Goed punt\","
                 "\"relevant\":[{\"org\":%lld}],\"key\":\"k-goed\"}",
                 m, o);
    /* refused before it writes anything: no redo */
    send_grouped(f, &member,
                 "{\"id\":3,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"x\",\"item\":999}", b);
    assert_int_equal(f->app.counters.group_redos, 0);
    /* the item row is written before the unknown organisation is found */
    send_grouped(f, &chair,
                 "{\"id\":4,\"op\":\"agenda.add\",\"meeting\":%lld,\"title\":\"Fout punt\","
                 "\"relevant\":[{\"org\":%lld},{\"org\":999}]}",
                 m, o);
    assert_int_equal(f->app.counters.group_redos, 1);
    send_grouped(f, &member, "{\"id\":5,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"twee\"}", b);
    assert_int_equal(f->n_seen, 0); /* nothing published before the commit */
    kt_dispatch_flush(&f->app);
    assert_int_equal(f->app.counters.group_commits, commits + 1);
    next_reply(&member, 1, "ok");
    next_reply(&member, 3, "not_found");
    next_reply(&member, 5, "ok");
    assert_null(kt_conn_peek(&member));
    next_reply(&chair, 2, "ok");
    next_reply(&chair, 4, "not_found");
    assert_null(kt_conn_peek(&chair));
    assert_int_equal(count(f, "SELECT count(*) FROM messages"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM items WHERE title = 'Goed punt'"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM items WHERE title = 'Fout punt'"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM item_orgs"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM request_keys"), 1); /* the key, once */
    /* one event each of the three good writes, published once, gap-free and in order */
    assert_int_equal(kt_store_stream_seq(f->app.store, f->body), seq + 3);
    assert_int_equal(seen(f, f->body), 3);
    for (int i = 0, k = 0; i < f->n_seen; i++)
        if (f->seen_body[i] == f->body)
            assert_int_equal(f->seen_seq[i], seq + 1 + k++);
    /* a failing write that is the group's first has nobody to run again, nor to wait for */
    char bad[512];
    snprintf(bad, sizeof bad,
             "{\"id\":6,\"op\":\"agenda.add\",\"meeting\":%lld,\"title\":\"Fout punt\","
             "\"relevant\":[{\"org\":%lld},{\"org\":999}]}",
             m, o);
    int close_code = -1;
    json_t *r = kt_dispatch_text(&f->app, &chair.me, &chair, bad, strlen(bad), &close_code);
    check_reply(r, "not_found", bad);
    json_decref(r);
    assert_int_equal(f->app.counters.group_redos, 2);
    send_grouped(f, &member, "{\"id\":7,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"drie\"}", b);
    kt_dispatch_flush(&f->app);
    next_reply(&member, 7, "ok");
    assert_int_equal(kt_store_stream_seq(f->app.store, f->body), seq + 4);
    assert_int_equal(count(f, "SELECT count(*) FROM items"), 1);
    kt_conn_release(&chair);
    kt_conn_release(&member);
    kt_dispatch_group_commit(&f->app, false);
}

static void events_are_published_after_the_reply_in_seq_order(void **state)
{
    fx *f = *state;
    int64_t seq = kt_store_stream_seq(f->app.store, f->body);
    const char *text = "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"Goedemorgen\"}";
    char req[256];
    snprintf(req, sizeof req, text, (long long)f->body);
    int close_code;
    json_t *r = kt_dispatch_text(&f->app, &f->member, NULL, req, strlen(req), &close_code);
    check_reply(r, "ok", req);
    json_decref(r);
    /* committed but not yet published: the caller queues the reply first */
    assert_int_equal(kt_store_stream_seq(f->app.store, f->body), seq + 1);
    assert_int_equal(f->n_seen, 0);
    r = kt_dispatch_text(&f->app, &f->member, NULL, req, strlen(req), &close_code);
    json_decref(r);
    kt_dispatch_publish(&f->app);
    int64_t got[4];
    int n = 0;
    for (int i = 0; i < f->n_seen; i++)
        if (f->seen_body[i] == f->body && n < 4)
            got[n++] = f->seen_seq[i];
    assert_int_equal(n, 2);
    assert_int_equal(got[0], seq + 1);
    assert_int_equal(got[1], seq + 2);
    int before = f->n_seen;
    kt_dispatch_publish(&f->app); /* nothing twice */
    assert_int_equal(f->n_seen, before);
}

static void a_read_writes_nothing(void **state)
{
    fx *f = *state;
    int64_t seq = kt_store_stream_seq(f->app.store, f->body);
    EXPECT(f, &f->member, "ok", "{\"id\":1,\"op\":\"meeting.get\",\"meeting\":%lld}",
           (long long)f->meeting);
    EXPECT(f, &f->member, "ok", "{\"id\":1,\"op\":\"chat.history\",\"body\":%lld}",
           (long long)f->body);
    assert_int_equal(kt_store_stream_seq(f->app.store, f->body), seq);
    assert_int_equal(f->n_seen, 0);
}

/* ---- request keys ---- */

static void a_request_key_replays_the_first_result_and_writes_once(void **state)
{
    fx *f = *state;
    int64_t seq = kt_store_stream_seq(f->app.store, f->body);
    char req[256];
    snprintf(req, sizeof req,
             "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"Eenmalig\",\"key\":\"k-1\"}",
             (long long)f->body);
    json_t *first = sendf(f, &f->member, "%s", req);
    check_reply(first, "ok", req);
    /* the retry may carry another id: the reply echoes the new id and the first result */
    snprintf(req, sizeof req,
             "{\"id\":\"retry\",\"op\":\"chat.post\",\"body\":%lld,\"text\":\"Eenmalig\","
             "\"key\":\"k-1\"}",
             (long long)f->body);
    json_t *second = sendf(f, &f->member, "%s", req);
    check_reply(second, "ok", req);
    assert_string_equal(json_string_value(json_object_get(second, "id")), "retry");
    assert_true(json_equal(json_object_get(first, "result"), json_object_get(second, "result")));
    json_decref(first);
    json_decref(second);
    assert_int_equal(count(f, "SELECT count(*) FROM messages"), 1);
    assert_int_equal(kt_store_stream_seq(f->app.store, f->body), seq + 1);
    assert_int_equal(seen(f, f->body), 1); /* published once */
    /* another key is another write */
    EXPECT(f, &f->member, "ok",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"Eenmalig\",\"key\":\"k-2\"}",
           (long long)f->body);
    assert_int_equal(count(f, "SELECT count(*) FROM messages"), 2);
}

static void a_key_reused_for_another_op_is_a_conflict(void **state)
{
    fx *f = *state;
    EXPECT(f, &f->member, "ok",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\",\"key\":\"same\"}",
           (long long)f->body);
    int64_t seq = kt_store_stream_seq(f->app.store, f->body);
    EXPECT(f, &f->member, "conflict",
           "{\"id\":1,\"op\":\"action.create\",\"body\":%lld,\"text\":\"Doen\",\"key\":\"same\"}",
           (long long)f->body);
    assert_int_equal(count(f, "SELECT count(*) FROM actions"), 0);
    assert_int_equal(kt_store_stream_seq(f->app.store, f->body), seq);
}

static void keys_belong_to_one_person(void **state)
{
    fx *f = *state;
    EXPECT(f, &f->member, "ok",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\",\"key\":\"mine\"}",
           (long long)f->body);
    EXPECT(f, &f->member2, "ok",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\",\"key\":\"mine\"}",
           (long long)f->body);
    assert_int_equal(count(f, "SELECT count(*) FROM messages"), 2);
}

static void a_refused_write_does_not_use_up_its_key(void **state)
{
    fx *f = *state;
    EXPECT(f, &f->member, "not_found",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\",\"item\":999,"
           "\"key\":\"again\"}",
           (long long)f->body);
    EXPECT(f, &f->member, "ok",
           "{\"id\":1,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"hoi\",\"key\":\"again\"}",
           (long long)f->body);
    assert_int_equal(count(f, "SELECT count(*) FROM messages"), 1);
}

static void every_error_code_has_a_name_and_a_dutch_message(void **state)
{
    (void)state;
    for (int c = KT_C_NONE + 1; c < KT_C__COUNT; c++) {
        const char *name = kt_code_name((kt_code)c), *msg = kt_code_message((kt_code)c);
        assert_non_null(name);
        assert_non_null(msg);
        assert_true(strlen(name) > 0 && strlen(msg) > 0);
        for (const char *p = name; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || *p == '_' || (*p >= '0' && *p <= '9'));
        for (int d = c + 1; d < KT_C__COUNT; d++)
            assert_string_not_equal(name, kt_code_name((kt_code)d));
    }
    assert_string_equal(kt_code_name(KT_C__COUNT), "internal_error");
    json_t *r = kt_reply_error(NULL, KT_C_NOT_FOUND, NULL);
    assert_string_equal(code_of(r), "not_found");
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "error"), "message")),
                        kt_code_message(KT_C_NOT_FOUND));
    assert_true(json_is_null(json_object_get(r, "id")));
    json_decref(r);
}

/* Every op of the table is found by its name (a sorted lookup since loop10), and no other. */
static void every_op_is_found_by_its_name(void **state)
{
    (void)state;
    int n = 0;
    const kt_op *ops = kt_op_table(&n);
    assert_true(n > 50);
    for (int i = 0; i < n; i++)
        assert_ptr_equal(kt_op_find(ops[i].name), &ops[i]);
    assert_null(kt_op_find(""));
    assert_null(kt_op_find("chat"));
    assert_null(kt_op_find("chat.posts"));
    assert_null(kt_op_find("zzz"));
    assert_null(kt_op_find("Chat.post"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    kt_log_set_level(KT_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        T(malformed_json_is_invalid_json_with_a_null_id),
        T(nul_in_a_string_is_invalid_json),
        T(non_utf8_text_is_invalid_utf8_and_closes_with_1007),
        T(frames_over_64_kib_are_refused_before_anything_else),
        T(a_request_must_be_an_object_with_an_id_and_an_op),
        T(json_that_is_not_an_object_is_invalid_request),
        T(ids_may_be_integers_or_strings_and_are_echoed),
        T(unknown_ops_are_unknown_op),
        T(the_key_must_be_a_short_string),
        T(missing_required_arguments_are_missing_argument),
        T(arguments_of_the_wrong_type_are_invalid_argument),
        T(enums_times_and_dates_are_checked),
        T(string_lengths_count_code_points),
        T(trimmed_strings_refuse_surrounding_space_and_emptiness),
        T(unknown_arguments_are_refused),
        T(the_first_problem_in_reading_order_is_the_answer),
        T(absent_targets_are_not_found),
        T(non_members_get_not_member),
        T(members_without_the_right_role_get_forbidden),
        T(items_the_caller_may_not_see_do_not_exist_for_them),
        T(a_rejected_write_leaves_the_store_and_the_stream_unchanged),
        T(a_write_that_fails_half_way_is_rolled_back_entirely),
        T(a_grouped_write_that_fails_half_way_costs_the_others_nothing),
        T(a_posted_message_is_the_stored_one),
        T(events_are_published_after_the_reply_in_seq_order),
        T(a_read_writes_nothing),
        T(a_request_key_replays_the_first_result_and_writes_once),
        T(a_key_reused_for_another_op_is_a_conflict),
        T(keys_belong_to_one_person),
        T(a_refused_write_does_not_use_up_its_key),
        cmocka_unit_test(every_error_code_has_a_name_and_a_dutch_message),
        cmocka_unit_test(every_op_is_found_by_its_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

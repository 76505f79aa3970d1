/* util/jsonw: the compact JSON writer every reply, event frame and stored payload goes through
 * must write exactly what jansson's json_dumps(j, JSON_COMPACT) writes, on every value: the
 * schema tests, stored payloads and clients read these bytes. */
#include "live/frame.h"
#include "test_clock.h"
#include "util/jsonw.h"

#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Same text from both writers, or both refuse; the frame as well. */
static void same(const json_t *j)
{
    char *want = json_dumps(j, JSON_COMPACT);
    char *got = kt_jsonw_dumps(j);
    if (!want) {
        assert_null(got);
    } else {
        assert_non_null(got);
        assert_string_equal(got, want);
    }
    kt_frame *f = kt_frame_from_json(j);
    if (!want) {
        assert_null(f);
    } else {
        assert_non_null(f);
        assert_int_equal(f->len, strlen(want));
        assert_memory_equal(f->data + KT_FRAME_PRE, want, f->len);
        assert_int_equal(f->data[KT_FRAME_PRE + f->len], 0);
        kt_frame_unref(f);
    }
    free(want);
    free(got);
}

static void fixed_shapes(void **state)
{
    (void)state;
    json_t *j = json_pack("{s:I, s:b, s:{s:{s:I, s:I, s:n, s:I, s:s, s:s, s:s, s:n, s:b, s:[]}}}",
                          "id", (json_int_t)42, "ok", 1, "result", "message", "id", (json_int_t)7,
                          "body", (json_int_t)1, "item", "person", (json_int_t)3, "person_name",
                          "Anne de Vries-Özdemir", "text",
                          "Zie \"bijlage\" \\ regel\nnieuw\tmet tab \x01 en \x1f en / en \x7f",
                          "time", "2027-03-28T01:05:00Z", "edited", "deleted", 0, "mentions");
    same(j);
    json_decref(j);
    json_t *empty[] = {json_object(), json_array()};
    for (int i = 0; i < 2; i++) {
        same(empty[i]);
        json_decref(empty[i]);
    }
    json_t *a =
        json_pack("[iiIIbbn{}[]]", 0, -1, (json_int_t)INT64_MAX, (json_int_t)INT64_MIN, 1, 0);
    same(a);
    json_decref(a);
}

static void scalars_at_the_top_are_refused_as_by_jansson(void **state)
{
    (void)state;
    json_t *v[] = {json_integer(5), json_string("x"), json_true(), json_null(), json_real(1.5)};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        same(v[i]);
        json_decref(v[i]);
    }
}

static void reals_and_odd_strings(void **state)
{
    (void)state;
    double reals[] = {0.0,
                      -0.0,
                      1.0,
                      0.1,
                      -2.5,
                      1e300,
                      1e-300,
                      3.0e-5,
                      DBL_MAX,
                      DBL_MIN,
                      123456789012345678.0,
                      1.0 / 3,
                      100.0,
                      1e21,
                      1e22};
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++)
        json_array_append_new(a, json_real(reals[i]));
    same(a);
    /* NUL inside a string and a key, 4-byte UTF-8, every control character */
    json_array_append_new(a, json_stringn("a\0b", 3));
    json_array_append_new(a, json_string("\xf0\x9f\x98\x80 \xe2\x82\xac \xc3\xa9"));
    char ctl[33];
    for (int c = 1; c < 32; c++)
        ctl[c - 1] = (char)c;
    ctl[31] = '"';
    ctl[32] = 0;
    json_array_append_new(a, json_string(ctl));
    json_t *o = json_object();
    json_object_setn_new(o, "k\0ey", 4, json_integer(1));
    json_object_set_new(o, "\"quoted\\\"", json_integer(2));
    json_array_append_new(a, o);
    same(a);
    /* invalid UTF-8 that jansson was told not to check: both refuse the whole text */
    const char *bad[] = {"\xff",     "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                         "\xe2\x82", "ok \x80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *b = json_pack("[s]", "fine");
        json_array_append_new(b, json_string_nocheck(bad[i]));
        same(b);
        json_decref(b);
    }
    json_decref(a);
}

static void deep_and_cyclic(void **state)
{
    (void)state;
    json_t *top = json_array(), *cur = top;
    for (int i = 0; i < KT_JSONW_MAX_DEPTH + 50; i++) {
        json_t *next = i % 2 ? json_array() : json_object();
        if (json_is_array(cur))
            json_array_append_new(cur, next);
        else
            json_object_set_new(cur, "d", next);
        cur = next;
    }
    same(top);
    json_decref(top);
    json_t *a = json_array(), *b = json_array();
    json_array_append(a, b);
    json_array_append(b, a); /* a cycle: jansson refuses it, and so do we */
    same(a);
    json_array_clear(b);
    json_decref(a);
    json_decref(b);
}

/* A small deterministic generator (no clock, no libc rand state shared with others). */
static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static json_t *random_string(void)
{
    static const char *const pieces[] = {"a",
                                         "Z",
                                         " ",
                                         "\"",
                                         "\\",
                                         "/",
                                         "\n",
                                         "\t",
                                         "\x01",
                                         "\x1f",
                                         "\x7f",
                                         "\xc3\xa9",
                                         "\xe2\x82\xac",
                                         "\xf0\x9f\x98\x80",
                                         "gemeente",
                                         "0",
                                         "{",
                                         "}"};
    char buf[256];
    size_t n = 0, k = next() % 12;
    for (size_t i = 0; i < k; i++) {
        const char *p = pieces[next() % (sizeof pieces / sizeof pieces[0])];
        size_t l = strlen(p);
        memcpy(buf + n, p, l);
        n += l;
    }
    return json_stringn(buf, n);
}

static json_t *random_value(int depth)
{
    switch (next() % (depth > 4 ? 6 : 8)) {
    case 0:
        return json_integer((json_int_t)(int64_t)(((uint64_t)next() << 32 | next())) >>
                            (next() % 64));
    case 1:
        return random_string();
    case 2:
        return json_real((double)(int32_t)next() / (double)(next() % 1000 + 1));
    case 3:
        return json_boolean(next() % 2);
    case 4:
        return json_null();
    case 5:
        return json_integer((json_int_t)(next() % 2000) - 1000);
    case 6: {
        json_t *o = json_object();
        for (uint32_t i = 0, n = next() % 6; i < n; i++) {
            json_t *k = random_string();
            json_object_setn_new(o, json_string_value(k), json_string_length(k),
                                 random_value(depth + 1));
            json_decref(k);
        }
        return o;
    }
    default: {
        json_t *a = json_array();
        for (uint32_t i = 0, n = next() % 6; i < n; i++)
            json_array_append_new(a, random_value(depth + 1));
        return a;
    }
    }
}

static void random_values(void **state)
{
    (void)state;
    for (int i = 0; i < 5000; i++) {
        json_t *a = json_array();
        json_array_append_new(a, random_value(0));
        same(a);
        json_decref(a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_shapes),
        cmocka_unit_test(scalars_at_the_top_are_refused_as_by_jansson),
        cmocka_unit_test(reals_and_odd_strings),
        cmocka_unit_test(deep_and_cyclic),
        cmocka_unit_test(random_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

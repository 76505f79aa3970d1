/* Browser origins are compared exactly with the configured list (issue 11): no scheme other
 * than http(s), nothing the parser cannot read, no length at which a check is skipped. */
#include "net/origin.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static bool norm(const char *in, char *out)
{
    return kt_origin_normalise(in, strlen(in), out, KT_ORIGIN_MAX + 8);
}

static void origins_are_normalised_to_scheme_host_and_port(void **state)
{
    (void)state;
    char out[KT_ORIGIN_MAX + 8];
    assert_true(norm("https://Ketentafel.Example.NL", out));
    assert_string_equal(out, "https://ketentafel.example.nl:443");
    assert_true(norm("http://127.0.0.1:8080", out));
    assert_string_equal(out, "http://127.0.0.1:8080");
    assert_true(norm("HTTP://localhost", out));
    assert_string_equal(out, "http://localhost:80");
    assert_true(norm("http://[::1]:9000", out));
    assert_string_equal(out, "http://[::1]:9000");
}

static void anything_but_exactly_an_origin_is_refused(void **state)
{
    (void)state;
    char out[KT_ORIGIN_MAX + 8];
    const char *bad[] = {"",
                         "null",
                         "evil://host:8080",
                         "file://",
                         "javascript:alert(1)",
                         "http//host",
                         "http://",
                         "http://host/",
                         "http://host/path",
                         "http://user@host",
                         "http://host:0",
                         "http://host:65536",
                         "http://host:80a",
                         "http://host:",
                         "http://ho st",
                         "http://host?x",
                         "http://-host",
                         "http://[::1",
                         "http://[zz]",
                         "http://host,http://other",
                         " http://host"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(norm(bad[i], out));
    /* a NUL inside the header value */
    assert_false(kt_origin_normalise("http://a\0b", 10, out, sizeof out));
}

static void a_long_origin_is_refused_never_treated_as_absent(void **state)
{
    (void)state;
    kt_origins o;
    const char *bad;
    assert_true(kt_origins_init(&o, "https://app.example", NULL, 0, &bad));
    char longest[KT_ORIGIN_MAX + 64];
    strcpy(longest, "https://");
    while (strlen(longest) < sizeof longest - 1)
        strcat(longest, "a");
    for (size_t len = 200; len < sizeof longest; len++)
        assert_false(kt_origins_allow(&o, longest, len));
    assert_true(kt_origins_allow(&o, "https://app.example", 19));
}

static void the_list_holds_the_public_url_and_the_allowed_origins_only(void **state)
{
    (void)state;
    kt_origins o;
    const char *bad;
    assert_true(kt_origins_init(&o, "https://tafel.example.nl/pad/",
                                "https://a.example, http://b:81", 0, &bad));
    assert_int_equal(o.n, 3);
#define ALLOW(s) kt_origins_allow(&o, s, strlen(s))
    assert_true(ALLOW("https://tafel.example.nl"));
    assert_true(ALLOW("https://tafel.example.nl:443"));
    assert_true(ALLOW("https://a.example"));
    assert_true(ALLOW("http://b:81"));
    assert_false(ALLOW("http://tafel.example.nl"));      /* the scheme counts */
    assert_false(ALLOW("https://tafel.example.nl:444")); /* the port counts */
    assert_false(ALLOW("https://a.example.evil"));
    assert_false(ALLOW("http://localhost:8080")); /* a public URL was given: no loopback */
    assert_false(kt_origins_init(&o, "https://x.example", "https://ok, ftp://no", 0, &bad));
    assert_string_equal(bad, "ftp://no");
    assert_false(kt_origins_init(&o, "not a url", NULL, 0, &bad));
}

static void without_a_public_url_the_loopback_names_of_the_port_are_allowed(void **state)
{
    (void)state;
    kt_origins o;
    const char *bad;
    assert_true(kt_origins_init(&o, "http://localhost:8080", NULL, 8080, &bad));
    assert_true(ALLOW("http://localhost:8080"));
    assert_true(ALLOW("http://127.0.0.1:8080"));
    assert_true(ALLOW("http://[::1]:8080"));
    assert_false(ALLOW("http://127.0.0.1:8081"));
    assert_false(ALLOW("http://rebound.example:8080")); /* DNS rebinding: the Host is not trusted */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(origins_are_normalised_to_scheme_host_and_port),
        cmocka_unit_test(anything_but_exactly_an_origin_is_refused),
        cmocka_unit_test(a_long_origin_is_refused_never_treated_as_absent),
        cmocka_unit_test(the_list_holds_the_public_url_and_the_allowed_origins_only),
        cmocka_unit_test(without_a_public_url_the_loopback_names_of_the_port_are_allowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

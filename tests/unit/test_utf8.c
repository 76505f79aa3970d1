/* Strict UTF-8 validation at the protocol boundary (RFC 3629) and code-point counting. */
#include "test_clock.h"
#include "util/utf8.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#define VALID(lit)   assert_true(kt_utf8_valid(lit, sizeof(lit) - 1))
#define INVALID(lit) assert_false(kt_utf8_valid(lit, sizeof(lit) - 1))

static void ascii_and_well_formed_multibyte_text_is_valid(void **state)
{
    (void)state;
    VALID("");
    VALID("Regiegroep Zuid-Holland Zuid");
    VALID("caf\xc3\xa9 \xe2\x82\xac 5"); /* café € 5 */
    VALID("\xf0\x9f\x98\x80");           /* U+1F600 */
    VALID("a\0b");                       /* NUL is a code point; the JSON layer decides on it */
}

static void boundaries_of_each_sequence_length_are_valid(void **state)
{
    (void)state;
    VALID("\x7f");             /* U+007F, last one-byte */
    VALID("\xc2\x80");         /* U+0080, first two-byte */
    VALID("\xdf\xbf");         /* U+07FF */
    VALID("\xe0\xa0\x80");     /* U+0800, first three-byte */
    VALID("\xed\x9f\xbf");     /* U+D7FF, just below the surrogates */
    VALID("\xee\x80\x80");     /* U+E000, just above them */
    VALID("\xef\xbf\xbf");     /* U+FFFF */
    VALID("\xf0\x90\x80\x80"); /* U+10000, first four-byte */
    VALID("\xf4\x8f\xbf\xbf"); /* U+10FFFF, the last code point */
}

static void overlong_encodings_are_rejected(void **state)
{
    (void)state;
    INVALID("\xc0\xaf");         /* '/' in two bytes */
    INVALID("\xc1\xbf");         /* U+007F in two bytes */
    INVALID("\xc0\x80");         /* NUL in two bytes (modified UTF-8) */
    INVALID("\xe0\x80\xaf");     /* '/' in three bytes */
    INVALID("\xe0\x9f\xbf");     /* U+07FF in three bytes */
    INVALID("\xf0\x80\x80\xaf"); /* '/' in four bytes */
    INVALID("\xf0\x8f\xbf\xbf"); /* U+FFFF in four bytes */
}

static void surrogates_are_rejected(void **state)
{
    (void)state;
    INVALID("\xed\xa0\x80");             /* U+D800 */
    INVALID("\xed\xaf\xbf");             /* U+DBFF */
    INVALID("\xed\xb0\x80");             /* U+DC00 */
    INVALID("\xed\xbf\xbf");             /* U+DFFF */
    INVALID("\xed\xa0\xbd\xed\xb8\x80"); /* a CESU-8 surrogate pair */
}

static void code_points_beyond_u10ffff_and_invalid_lead_bytes_are_rejected(void **state)
{
    (void)state;
    INVALID("\xf4\x90\x80\x80"); /* U+110000 */
    INVALID("\xf5\x80\x80\x80");
    INVALID("\xf7\xbf\xbf\xbf");
    INVALID("\xf8\x88\x80\x80\x80"); /* five-byte form */
    INVALID("\xfc\x84\x80\x80\x80\x80");
    INVALID("\xfe");
    INVALID("\xff");
    INVALID("\x80"); /* lone continuation byte */
    INVALID("a\xbf"
            "b"); /* continuation byte in the middle of ASCII */
}

static void truncated_and_interrupted_sequences_are_rejected(void **state)
{
    (void)state;
    INVALID("\xc3");
    INVALID("\xe2\x82");
    INVALID("\xf0\x9f\x98");
    INVALID("abc\xe2");
    INVALID("\xe2\x82"
            "a");                /* continuation replaced by ASCII */
    INVALID("\xc3\xc3\xa9");     /* a new lead byte where a continuation belongs */
    INVALID("\xf0\x9f\x98\x28"); /* last byte not a continuation */
}

static void the_length_argument_bounds_the_check(void **state)
{
    (void)state;
    const char *euro = "\xe2\x82\xac";
    assert_true(kt_utf8_valid(euro, 3));
    assert_false(kt_utf8_valid(euro, 2)); /* cut inside the sequence */
    assert_true(kt_utf8_valid(euro, 0));
    /* bytes past len are not looked at */
    const char tail[] = "ok\xff";
    assert_true(kt_utf8_valid(tail, 2));
}

static void length_counts_code_points_not_bytes(void **state)
{
    (void)state;
    assert_int_equal(kt_utf8_length(""), 0);
    assert_int_equal(kt_utf8_length("abc"), 3);
    assert_int_equal(kt_utf8_length("caf\xc3\xa9"), 4);
    assert_int_equal(kt_utf8_length("\xe2\x82\xac\xf0\x9f\x98\x80"), 2);
    assert_int_equal(strlen("\xe2\x82\xac\xf0\x9f\x98\x80"), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ascii_and_well_formed_multibyte_text_is_valid),
        cmocka_unit_test(boundaries_of_each_sequence_length_are_valid),
        cmocka_unit_test(overlong_encodings_are_rejected),
        cmocka_unit_test(surrogates_are_rejected),
        cmocka_unit_test(code_points_beyond_u10ffff_and_invalid_lead_bytes_are_rejected),
        cmocka_unit_test(truncated_and_interrupted_sequences_are_rejected),
        cmocka_unit_test(the_length_argument_bounds_the_check),
        cmocka_unit_test(length_counts_code_points_not_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

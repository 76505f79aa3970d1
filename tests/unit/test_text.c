/* The Dutch text pipeline: folding, words, stop words, stems, compounds, procedural items. */
#define _POSIX_C_SOURCE 200809L /* getline, strdup, mkstemp, dup2 */

#include "test_clock.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "detect/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fold_removes_case_and_diacritics(void **state)
{
    (void)state;
    char a[64], b[64];
    kt_text_fold("Coöperatie", a, sizeof a);
    kt_text_fold("cooperatie", b, sizeof b);
    assert_string_equal(a, b);
    kt_text_fold("ÉÉN café, geïnformeerd, ĲSSELLAND Straße", a, sizeof a);
    assert_string_equal(a, "een cafe  geinformeerd  ijsselland strasse");
}

static void fold_keeps_other_scripts_and_survives_bad_utf8(void **state)
{
    (void)state;
    char out[64];
    kt_text_fold("Ωmega", out, sizeof out);
    assert_string_equal(out, "Ωmega");
    kt_text_fold("a\xff\xfe"
                 "b",
                 out, sizeof out);
    assert_string_equal(out, "a  b");
    kt_text_fold("lang", out, 3); /* truncates without overflowing */
    assert_string_equal(out, "la");
}

typedef struct collected {
    char words[16][KT_TEXT_MAX_WORD];
    uint8_t nseg[16], upper[16];
    size_t n;
} collected;

static int collect(const kt_word *w, void *ctx)
{
    collected *c = ctx;
    if (c->n < 16) {
        strcpy(c->words[c->n], w->folded);
        c->nseg[c->n] = w->nseg;
        c->upper[c->n] = w->upper;
        c->n++;
    }
    return 0;
}

static void words_keep_article_numbers_hyphens_and_drop_plural_apostrophe(void **state)
{
    (void)state;
    collected c = {.n = 0};
    kt_text_words("13b-procedure, thema’s en PMG-boa's; 2025-2026 (Casus 2025-04)", collect, &c);
    assert_int_equal(c.n, 7);
    assert_string_equal(c.words[0], "13bprocedure");
    assert_int_equal(c.nseg[0], 2);
    assert_string_equal(c.words[1], "thema");
    assert_string_equal(c.words[2], "en");
    assert_string_equal(c.words[3], "pmgboa");
    assert_int_equal(c.upper[3], 3);
    assert_string_equal(c.words[4], "2025-2026");
    assert_string_equal(c.words[5], "casus");
    assert_string_equal(c.words[6], "2025-04");
}

/* The whole kt_word a callback sees, for comparing two readings of the same word. */
static int first_word(const kt_word *w, void *ctx)
{
    kt_word *out = ctx;
    *out = *w;
    return 1;
}

static void same_word(const kt_word *a, const kt_word *b, const char *text)
{
    if (strcmp(a->folded, b->folded) || a->len != b->len || a->nseg != b->nseg ||
        a->upper != b->upper || a->digits != b->digits || a->alpha != b->alpha ||
        a->orig_len != b->orig_len)
        fail_msg("two readings of \"%s\" differ: %s/%u/%u/%u/%d/%d/%zu against "
                 "%s/%u/%u/%u/%d/%d/%zu",
                 text, a->folded, a->len, a->nseg, a->upper, a->digits, a->alpha, a->orig_len,
                 b->folded, b->len, b->nseg, b->upper, b->digits, b->alpha, b->orig_len);
    for (uint8_t i = 0; i < a->nseg; i++) {
        assert_int_equal(a->seg_off[i], b->seg_off[i]);
        assert_int_equal(a->seg_len[i], b->seg_len[i]);
    }
}

/* A word of ASCII letters and digits followed by an ASCII separator is read in one pass; the
 * same word before a no-break space (or anything not plain) is read byte by byte. Both must
 * give the same word, capitals, digits and lengths included, up to the longest word kept. */
static void plain_words_read_as_the_byte_path_reads_them(void **state)
{
    (void)state;
    char long_word[100];
    memset(long_word, 'A', 99);
    long_word[99] = 0;
    const char *words[] = {"woning",
                           "Woning",
                           "RIEC",
                           "PmG",
                           "13b",
                           "2025",
                           "a",
                           "Z9",
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789X",
                           long_word + 36,
                           long_word + 37,
                           long_word};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        char plain[128], bytes[128];
        snprintf(plain, sizeof plain, "%s, en", words[i]);
        snprintf(bytes, sizeof bytes,
                 "%s\xc2\xa0"
                 "en",
                 words[i]);
        kt_word a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        assert_int_equal(kt_text_words(plain, first_word, &a), 1);
        assert_int_equal(kt_text_words(bytes, first_word, &b), 1);
        same_word(&a, &b, words[i]);
        assert_ptr_equal(a.orig, plain);
        assert_ptr_equal(b.orig, bytes);
    }
    collected c = {.n = 0};
    kt_text_words("  Aanpak\tRIEC-overleg:(PmG)\n", collect, &c);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.words[0], "aanpak");
    assert_string_equal(c.words[1], "riecoverleg");
    assert_int_equal(c.nseg[1], 2);
    assert_string_equal(c.words[2], "pmg");
    assert_int_equal(c.upper[2], 2);
}

static void stop_words_and_lists_are_sorted(void **state)
{
    (void)state;
    assert_int_equal(kt_text_selfcheck(), 0);
    assert_true(kt_text_is_stopword("van"));
    assert_true(kt_text_is_stopword("welke"));
    assert_false(kt_text_is_stopword("woning"));
    float w = 0;
    size_t n = kt_text_generic_count();
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        const char *g = kt_text_generic_word(i, &w);
        assert_non_null(g);
        assert_true(w > 0 && w < 1);
        found |= !strcmp(g, "voortgang");
    }
    assert_true(found);
    assert_null(kt_text_generic_word(n, &w));
}

static void stem(kt_stemmer *st, const char *word, char *out)
{
    kt_stemmer_stem(st, word, strlen(word), out, KT_TEXT_MAX_WORD);
}

static void stems_meet_across_inflections(void **state)
{
    (void)state;
    kt_lexicon *lex = kt_lexicon_new();
    assert_non_null(lex);
    assert_int_equal(kt_lexicon_add(lex, "controle"), 0);
    kt_stemmer *st = kt_stemmer_new(lex);
    assert_non_null(st);
    char a[KT_TEXT_MAX_WORD], b[KT_TEXT_MAX_WORD];
    stem(st, "woningen", a);
    stem(st, "woning", b);
    assert_string_equal(a, b);
    stem(st, "messen", a); /* Snowball alone leaves "mess" */
    stem(st, "mes", b);
    assert_string_equal(a, b);
    stem(st, "controles", a); /* -s after a vowel, singular known */
    stem(st, "controle", b);
    assert_string_equal(a, b);
    stem(st, "ondermijnende", a);
    stem(st, "ondermijning", b);
    assert_string_equal(a, b);
    kt_stemmer_free(st);
    kt_lexicon_free(lex);
}

static kt_lexicon *small_lexicon(void)
{
    static const char *const words[] = {"woning",       "woningen", "sluiting", "sluitingen",
                                        "jong",         "jongeren", "eren",     "werk",
                                        "ondermijning", "beeld",    "voort",    "gang",
                                        "voortgang",    "tussen",   "evaluatie"};
    kt_lexicon *lex = kt_lexicon_new();
    assert_non_null(lex);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        assert_int_equal(kt_lexicon_add(lex, words[i]), 0);
    return lex;
}

static void split(const kt_lexicon *lex, const char *word, char *out)
{
    uint8_t off[KT_TEXT_MAX_PARTS], len[KT_TEXT_MAX_PARTS];
    int n = kt_text_split_compound(lex, word, strlen(word), off, len);
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(out, "|");
        strncat(out, word + off[i], len[i]);
    }
}

static void compounds_split_into_long_known_parts(void **state)
{
    (void)state;
    kt_lexicon *lex = small_lexicon();
    char out[128];
    split(lex, "woningsluitingen", out);
    assert_string_equal(out, "woning|sluitingen");
    split(lex, "ondermijningsbeeld", out); /* linking s */
    assert_string_equal(out, "ondermijning|beeld");
    split(lex, "jongerenwerk", out);
    assert_string_equal(out, "jongeren|werk");
    split(lex, "jongeren", out); /* a known word is not cut into short pieces */
    assert_string_equal(out, "");
    split(lex, "voortgang", out);
    assert_string_equal(out, "");
    split(lex, "tussenevaluatie", out); /* a long stop word may lead: the caller drops it */
    assert_string_equal(out, "tussen|evaluatie");
    split(lex, "onbekendwoord", out);
    assert_string_equal(out, "");
    kt_lexicon_free(lex);
}

static void head(const kt_lexicon *lex, const char *word, char *out)
{
    uint8_t off[KT_TEXT_MAX_PARTS], len[KT_TEXT_MAX_PARTS];
    int n = kt_text_split_head(lex, word, strlen(word), 7, off, len);
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(out, "|");
        strncat(out, word + off[i], len[i]);
    }
}

static void an_unknown_modifier_leaves_the_head(void **state)
{
    (void)state;
    kt_lexicon *lex = small_lexicon();
    char out[128];
    head(lex, "cyberevaluatie", out); /* "cyber" is no word of the list */
    assert_string_equal(out, "cyber|evaluatie");
    head(lex, "tiktokjongeren", out);
    assert_string_equal(out, "tiktok|jongeren");
    head(lex, "jeugdwoning", out); /* a head shorter than 7 letters may be an accident */
    assert_string_equal(out, "");
    head(lex, "xyevaluatie", out); /* a modifier of under 3 letters */
    assert_string_equal(out, "");
    head(lex, "voortgang", out); /* a known word keeps its whole */
    assert_string_equal(out, "");
    head(lex, "cyber-evaluatie", out); /* hyphens split words before this */
    assert_string_equal(out, "");
    kt_lexicon_free(lex);
}

static void lexicon_load_reports_missing_file_and_skips_names(void **state)
{
    (void)state;
    kt_lexicon *lex = kt_lexicon_new();
    assert_int_not_equal(kt_lexicon_load(lex, "/nonexistent/words"), 0);
    char path[] = "/tmp/kt-lexicon-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("Coöperatie\ncoöperatie\nRotterdam\nmbo-2\nwoning\n", f);
    fclose(f);
    assert_int_equal(kt_lexicon_load(lex, path), 0);
    remove(path);
    assert_true(kt_lexicon_has(lex, "cooperatie", 10));
    assert_true(kt_lexicon_has(lex, "woning", 6));
    assert_false(kt_lexicon_has(lex, "rotterdam", 9)); /* capitals: a name */
    assert_int_equal(kt_lexicon_size(lex), 2);
    kt_lexicon_free(lex);
}

static void procedural_titles_are_recognised(void **state)
{
    (void)state;
    static const char *const procedural[] = {
        "Rondvraag",
        "Opening en mededelingen",
        "Verslag vorige vergadering",
        "Opening en vaststellen agenda",
        "Verslag en actielijst regiegroep 26 november 2024",
        "Wat verder ter tafel komt en rondvraag",
        "WVTTK",
        "Welkom en voorstelronde",
        "Kennismaking nieuwe wijkmanager",
        "Stand van zaken werkgroepen",
        "Ingekomen stukken",
        "Notulen 12-03-2025",
        "Sluiting",
        "Verslag Leefbaarheidsoverleg",
    };
    for (size_t i = 0; i < sizeof procedural / sizeof procedural[0]; i++)
        if (!kt_text_is_procedural(procedural[i]))
            fail_msg("not procedural: %s", procedural[i]);
}

static void subjects_are_not_procedural(void **state)
{
    (void)state;
    static const char *const subjects[] = {
        "Bestuurlijke sluiting na explosies",
        "Stand van zaken Regionaal Werk Centrum Drechtsteden",
        "Hervormingsagenda Jeugd: regionale uitwerking",
        "Opening nieuw jongerencentrum",
        "Mensenhandel",
        "",
    };
    for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++)
        if (kt_text_is_procedural(subjects[i]))
            fail_msg("procedural: %s", subjects[i]);
    assert_false(kt_text_is_procedural(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fold_removes_case_and_diacritics),
        cmocka_unit_test(fold_keeps_other_scripts_and_survives_bad_utf8),
        cmocka_unit_test(words_keep_article_numbers_hyphens_and_drop_plural_apostrophe),
        cmocka_unit_test(plain_words_read_as_the_byte_path_reads_them),
        cmocka_unit_test(stop_words_and_lists_are_sorted),
        cmocka_unit_test(stems_meet_across_inflections),
        cmocka_unit_test(compounds_split_into_long_known_parts),
        cmocka_unit_test(an_unknown_modifier_leaves_the_head),
        cmocka_unit_test(lexicon_load_reports_missing_file_and_skips_names),
        cmocka_unit_test(procedural_titles_are_recognised),
        cmocka_unit_test(subjects_are_not_procedural),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The Dutch FTS5 tokenizer (store/sqlite/fts_dutch.h): what a text puts into the index, the same
 * whether its words are analysed afresh or remembered from an earlier text. */
#include "test_clock.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/sqlite/fts_dutch.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sqlite3 *open_index(void)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(kt_fts_dutch_register(db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'ktdutch');"
                                  "CREATE VIRTUAL TABLE v USING fts5vocab(t, instance);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    return db;
}

static void add(sqlite3 *db, int64_t rowid, const char *text)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "INSERT INTO t(rowid, text) VALUES (?1, ?2)", -1, &s, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(s, 1, rowid);
    sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
}

/* The tokens of row, "term@offset" in order of offset then term, one per line (malloc'd). */
static char *tokens(sqlite3 *db, int64_t rowid)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT term, offset FROM v WHERE doc = ?1 "
                                        "ORDER BY offset, term",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(s, 1, rowid);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *term = (const char *)sqlite3_column_text(s, 0);
        int need = snprintf(NULL, 0, "%s@%d\n", term, sqlite3_column_int(s, 1));
        while (len + (size_t)need + 1 > cap) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
        len += (size_t)sprintf(out + len, "%s@%d\n", term, sqlite3_column_int(s, 1));
    }
    sqlite3_finalize(s);
    return out;
}

/* Row a of db and row b of other hold the same tokens. */
static void assert_same_tokens(sqlite3 *db, int64_t a, sqlite3 *other, int64_t b)
{
    char *x = tokens(db, a), *y = tokens(other, b);
    assert_string_equal(x, y);
    free(x);
    free(y);
}

static const char text[] =
    "De gemeenteraad bespreekt de woningsluitingen en het ondermijningsbeeld; de burgemeester "
    "sluit woningen. Woningsluitingen door de gemeente, 13b en 2025-2026, de controles en de "
    "controle. Coöperatie, lifecoaches en life-coaching: de burgemeester en de gemeenteraad.";

static void a_text_indexes_the_same_words_again_from_what_the_tokenizer_remembers(void **state)
{
    (void)state;
    sqlite3 *db = open_index();
    add(db, 1, text); /* first sight of each word (repeats within it come from memory) */
    add(db, 2, text); /* every word remembered */
    char *first = tokens(db, 1), *again = tokens(db, 2);
    assert_string_equal(first, again);
    /* a compound's parts sit at its place; stop words and nothing else are left out */
    assert_non_null(strstr(first, "gemeenterad@0\ngemeent@0\nrad@0\n") ||
                    strstr(first, "gemeent@0\ngemeenterad@0\nrad@0\n"));
    assert_non_null(strstr(first, "\n13b@9\n"));
    assert_non_null(strstr(first, "\ncontrol@11\ncontrol@12\n")); /* the plural meets it */
    assert_null(strstr(first, "de@"));
    free(first);
    free(again);
    /* a fresh tokenizer (another connection) indexes it as the first did */
    sqlite3 *other = open_index();
    add(other, 1, text);
    assert_same_tokens(db, 1, other, 1);
    sqlite3_close(other);
    sqlite3_close(db);
}

/* More different words than the tokenizer keeps: each is analysed again when its place was taken
 * by another, and indexes as before. */
static void more_words_than_it_remembers_index_as_before(void **state)
{
    (void)state;
    size_t cap = 5000 * 16;
    char *many = malloc(cap);
    assert_non_null(many);
    size_t len = 0;
    for (int i = 0; i < 5000; i++) {
        char w[16];
        int n = 0;
        for (int v = i; n == 0 || v; v /= 26)
            w[n++] = (char)('a' + v % 26);
        w[n] = 0;
        len += (size_t)snprintf(many + len, cap - len, "%swoning%s ", i % 2 ? "gemeente" : "", w);
    }
    sqlite3 *db = open_index();
    add(db, 1, many);
    add(db, 2, many);
    add(db, 3, text);
    sqlite3 *other = open_index();
    add(other, 3, text);
    assert_same_tokens(db, 1, db, 2);
    assert_same_tokens(db, 3, other, 3);
    sqlite3_close(other);
    sqlite3_close(db);
    free(many);
}

/* How many rows match q. */
static int matches(sqlite3 *db, const char *q)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &s, NULL), SQLITE_OK);
    sqlite3_bind_text(s, 1, q, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return n;
}

/* A query analyses its words through the same memory as the documents: the same search, asked
 * again and again, before and after the words were indexed, finds the same rows (a plural, a
 * compound's part), and a word first met in a query indexes its compound's parts in a document. */
static void the_same_search_asked_again_finds_the_same_rows(void **state)
{
    (void)state;
    sqlite3 *db = open_index();
    const char *const qs[] = {"woningsluitingen", "controles", "raad", "gemeenteraad burgemeester",
                              "lifecoach"};
    size_t nq = sizeof qs / sizeof qs[0];
    for (size_t i = 0; i < nq; i++)
        assert_int_equal(matches(db, qs[i]), 0); /* remembered from the query, nothing indexed */
    add(db, 1, text);
    add(db, 2, "De raad besluit over controle in de wijk.");
    const int want[] = {1, 2, 2, 1, 1};
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < nq; i++)
            assert_int_equal(matches(db, qs[i]), want[i]);
    /* the same rows as a tokenizer that never saw the queries */
    sqlite3 *other = open_index();
    add(other, 1, text);
    assert_same_tokens(db, 1, other, 1);
    sqlite3_close(other);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_text_indexes_the_same_words_again_from_what_the_tokenizer_remembers),
        cmocka_unit_test(more_words_than_it_remembers_index_as_before),
        cmocka_unit_test(the_same_search_asked_again_finds_the_same_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

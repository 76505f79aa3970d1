/* The AVG registry (store/privacy.h) against the schema: every column that can hold a person's
 * id has an entry saying what erasure does to it, and every entry names a real column. When a
 * migration adds such a column, this test fails until someone decides its fate. */
#include "store/privacy.h"
#include "store/store.h"
#include "util/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char path[64];

/* Columns that look like a person's but are not (table.column, and why). */
static const char *const not_persons[] = {
    "digests.claimed_by",         /* the node that claimed a digest, not a person */
    "attendance.substitute_kind", /* eenmalig or vast, not a person */
    "attendance.substitute_name", /* a substitute as an imported verslag writes them, no account:
                                     as attendance.name (docs/avg.md) */
};

static int open_fresh(void **state)
{
    snprintf(path, sizeof path, "/tmp/kt-unit-privacy-%d.db", (int)getpid());
    unlink(path);
    kt_store_options o = {.path = path};
    kt_store *st;
    if (kt_store_open(&o, &st))
        return -1;
    *state = st;
    return 0;
}

static int close_store(void **state)
{
    kt_store_close(*state);
    char f[80];
    unlink(path);
    snprintf(f, sizeof f, "%s-wal", path);
    unlink(f);
    snprintf(f, sizeof f, "%s-shm", path);
    unlink(f);
    return 0;
}

/* Every column that refers to persons: a foreign key to it, or a name that says so. */
#define CANDIDATES                                                                                 \
    "WITH cols AS (SELECT m.name AS t, c.name AS col FROM sqlite_master m, "                       \
    "  pragma_table_info(m.name) c WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND "     \
    "  m.sql NOT LIKE 'CREATE VIRTUAL%' AND m.name NOT LIKE 'search_%'), "                         \
    "fk AS (SELECT m.name AS t, f.\"from\" AS col FROM sqlite_master m, "                          \
    "  pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND f.\"table\" = 'persons'), "    \
    "cand AS (SELECT t, col FROM fk UNION SELECT t, col FROM cols WHERE col LIKE '%person%' OR "   \
    "  col LIKE 'actor%' OR col LIKE '%\\_by' ESCAPE '\\' OR col LIKE 'substitute%' OR "           \
    "  col LIKE 'presenter%' OR col LIKE 'owner\\_person%' ESCAPE '\\') "

/* "('sessions.person_id', ...)": the registry and the exceptions as an SQL list. */
static char *known_list(void)
{
    size_t cap = 16384, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    len += (size_t)snprintf(s + len, cap - len, "(");
    for (int i = 0; i < kt_n_privacy_refs; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s'%s.%s'", i ? ", " : "",
                                kt_privacy_refs[i].table, kt_privacy_refs[i].column);
    for (size_t i = 0; i < sizeof not_persons / sizeof not_persons[0]; i++)
        len += (size_t)snprintf(s + len, cap - len, ", '%s'", not_persons[i]);
    snprintf(s + len, cap - len, ")");
    return s;
}

/* The text of a one-row, one-column query, read through kt_store_scalar a character at a
 * time (tests have no text reader); for failure messages only. The store caches statements by
 * the address of their text, so each query gets a buffer of its own. */
static void scalar_text(kt_store *st, const char *query, char *out, size_t n)
{
    enum { SQL_MAX = 20000 };
    char *bufs = malloc(n * SQL_MAX);
    assert_non_null(bufs);
    size_t k = 0;
    for (; k + 1 < n; k++) {
        char *sql = bufs + k * SQL_MAX;
        int64_t ch = 0;
        snprintf(sql, SQL_MAX, "SELECT coalesce(unicode(substr((%s), %zu, 1)), 0)", query, k + 1);
        if (kt_store_scalar(st, sql, &ch) || ch <= 0 || ch > 127)
            break;
        out[k] = (char)ch;
    }
    out[k] = 0;
    free(bufs);
}

static void every_column_holding_a_person_is_in_the_registry(void **state)
{
    kt_store *st = *state;
    char *known = known_list();
    char sql[16384 + 1024];
    snprintf(sql, sizeof sql, "%sSELECT count(*) FROM cand WHERE t || '.' || col NOT IN %s",
             CANDIDATES, known);
    int64_t missing = -1;
    assert_int_equal(kt_store_scalar(st, sql, &missing), 0);
    if (missing) {
        char q[16384 + 1024], name[128];
        snprintf(q, sizeof q,
                 "%sSELECT group_concat(t || '.' || col, ' ') FROM cand WHERE t || '.' || col "
                 "NOT IN %s",
                 CANDIDATES, known);
        scalar_text(st, q, name, sizeof name);
        free(known);
        fail_msg("personal data without an AVG decision (add it to store/privacy.c and "
                 "docs/avg.md): %s",
                 name);
    }
    free(known);
}

static void every_registry_entry_is_a_real_column(void **state)
{
    kt_store *st = *state;
    /* one query for all entries: the store caches statements by the address of their text */
    static char sql[16384];
    size_t len = (size_t)snprintf(sql, sizeof sql, "WITH v(t, c) AS (VALUES ");
    for (int i = 0; i < kt_n_privacy_refs; i++) {
        const kt_privacy_ref *r = &kt_privacy_refs[i];
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s('%s', '%s')", i ? ", " : "",
                                r->table, r->column);
        assert_non_null(r->key);
        assert_non_null(r->label);
        assert_non_null(r->why);
        assert_true((r->fate == KT_PRIV_DELETE) == (r->erase != NULL));
    }
    snprintf(sql + len, sizeof sql - len,
             ") SELECT count(*) FROM v WHERE (SELECT count(*) FROM pragma_table_info(v.t) p "
             "WHERE p.name = v.c) = 1");
    int64_t real = -1;
    assert_int_equal(kt_store_scalar(st, sql, &real), 0);
    assert_int_equal(real, kt_n_privacy_refs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_column_holding_a_person_is_in_the_registry,
                                        open_fresh, close_store),
        cmocka_unit_test_setup_teardown(every_registry_entry_is_a_real_column, open_fresh,
                                        close_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

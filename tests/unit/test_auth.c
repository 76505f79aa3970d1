/* Passwords (argon2id) and login sessions: what verifies, what is refused, that sessions and
 * setup links end when they should, and that the database never holds a usable token. */
#include "test_clock.h"
#include "auth/password.h"
#include "auth/session.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* ---- passwords ---- */

static int init_sodium(void **state)
{
    (void)state;
    return kt_password_init();
}

static void a_password_verifies_against_its_own_hash_only(void **state)
{
    (void)state;
    char hash[KT_PASSWORD_HASH_MAX];
    assert_int_equal(kt_password_hash("correct horse battery", hash), 0);
    assert_true(strncmp(hash, "$argon2id$", 10) == 0);
    assert_true(kt_password_verify(hash, "correct horse battery"));
    assert_false(kt_password_verify(hash, "correct horse batterY"));
    assert_false(kt_password_verify(hash, "correct horse battery "));
    assert_false(kt_password_verify(hash, "correct horse batter"));
    assert_false(kt_password_verify(hash, ""));
    assert_false(kt_password_verify(hash, NULL));
}

static void hashing_is_salted(void **state)
{
    (void)state;
    char a[KT_PASSWORD_HASH_MAX], b[KT_PASSWORD_HASH_MAX];
    assert_int_equal(kt_password_hash("zelfde wachtwoord", a), 0);
    assert_int_equal(kt_password_hash("zelfde wachtwoord", b), 0);
    assert_string_not_equal(a, b);
    assert_true(kt_password_verify(a, "zelfde wachtwoord"));
    assert_true(kt_password_verify(b, "zelfde wachtwoord"));
}

static void malformed_hashes_never_match(void **state)
{
    (void)state;
    assert_false(kt_password_verify(NULL, "whatever12"));
    assert_false(kt_password_verify("", ""));
    assert_false(kt_password_verify("", "whatever12"));
    assert_false(kt_password_verify("not a hash", "not a hash"));
    assert_false(kt_password_verify("$argon2id$", "whatever12"));
    char hash[KT_PASSWORD_HASH_MAX];
    assert_int_equal(kt_password_hash("whatever12", hash), 0);
    /* a truncated hash */
    char cut[KT_PASSWORD_HASH_MAX];
    snprintf(cut, sizeof cut, "%.*s", (int)strlen(hash) - 4, hash);
    assert_false(kt_password_verify(cut, "whatever12"));
    /* a corrupted digest */
    char bent[KT_PASSWORD_HASH_MAX];
    memcpy(bent, hash, sizeof bent);
    size_t n = strlen(bent);
    bent[n - 2] = bent[n - 2] == 'A' ? 'B' : 'A';
    assert_false(kt_password_verify(bent, "whatever12"));
    /* a "hash" that fills its whole buffer without a terminator within it */
    char *unterminated = malloc(KT_PASSWORD_HASH_MAX + 16);
    assert_non_null(unterminated);
    memset(unterminated, 'a', KT_PASSWORD_HASH_MAX + 15);
    memcpy(unterminated, hash, strlen(hash));
    unterminated[KT_PASSWORD_HASH_MAX + 15] = 0;
    assert_false(kt_password_verify(unterminated, "whatever12"));
    free(unterminated);
}

static void passwords_beyond_the_maximum_are_refused(void **state)
{
    (void)state;
    char longest[KT_PASSWORD_MAX_LEN + 2];
    memset(longest, 'x', sizeof longest);
    longest[KT_PASSWORD_MAX_LEN] = 0; /* exactly the maximum */
    char hash[KT_PASSWORD_HASH_MAX];
    assert_int_equal(kt_password_hash(longest, hash), 0);
    assert_true(kt_password_verify(hash, longest));
    longest[KT_PASSWORD_MAX_LEN] = 'x';
    longest[KT_PASSWORD_MAX_LEN + 1] = 0; /* one over */
    char other[KT_PASSWORD_HASH_MAX];
    assert_int_equal(kt_password_hash(longest, other), KT_EINVAL);
    assert_false(kt_password_verify(hash, longest));
    assert_int_equal(kt_password_hash("", other), KT_EINVAL);
}

static void acceptable_passwords_are_10_to_256_bytes(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_false(kt_password_acceptable("123456789", &why));
    assert_non_null(why);
    assert_non_null(strstr(why, "10"));
    why = NULL;
    assert_true(kt_password_acceptable("1234567890", &why));
    assert_false(kt_password_acceptable("", &why));
    assert_false(kt_password_acceptable(NULL, &why));
    char s[KT_PASSWORD_MAX_LEN + 2];
    memset(s, 'p', sizeof s);
    s[KT_PASSWORD_MAX_LEN] = 0;
    assert_true(kt_password_acceptable(s, &why));
    s[KT_PASSWORD_MAX_LEN] = 'p';
    s[KT_PASSWORD_MAX_LEN + 1] = 0;
    why = NULL;
    assert_false(kt_password_acceptable(s, &why));
    assert_non_null(strstr(why, "256"));
    /* the limits count bytes (PROTOCOL.md: "under 10 or over 256 bytes") */
    assert_true(kt_password_acceptable("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", &why));
}

/* ---- sessions ---- */

static char path[64];
static int64_t alice, bob;

static void sql(kt_store *st, const char *text)
{
    assert_int_equal(kt_store_exec(st, text), 0);
}

static int open_store(void **state)
{
    snprintf(path, sizeof path, "/tmp/kt-unit-auth-%d.db", (int)getpid());
    unlink(path);
    kt_store_options o = {.path = path};
    kt_store *st;
    if (kt_store_open(&o, &st))
        return -1;
    if (kt_store_exec(st, "INSERT INTO organisations(id, name, kind, created_at, updated_at) "
                          "VALUES (1, 'Gemeente Dordrecht', 'gemeente', 0, 0);"
                          "INSERT INTO persons(id, org_id, name, email, is_admin, created_at, "
                          "updated_at) VALUES (7, 1, 'Alice Admin', 'alice@example.nl', 1, 0, 0),"
                          "(8, 1, 'Bob Lid', 'bob@example.nl', 0, 0, 0);"))
        return -1;
    alice = 7;
    bob = 8;
    *state = st;
    return 0;
}

static void remove_files(void)
{
    char f[80];
    unlink(path);
    snprintf(f, sizeof f, "%s-wal", path);
    unlink(f);
    snprintf(f, sizeof f, "%s-shm", path);
    unlink(f);
}

static int close_store(void **state)
{
    kt_store_close(*state);
    remove_files();
    return 0;
}

static bool token_shaped(const char *t)
{
    if (strlen(t) != KT_TOKEN_LEN)
        return false;
    for (const char *p = t; *p; p++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p))
            return false;
    return true;
}

static void a_session_resolves_to_its_person_until_it_expires(void **state)
{
    kt_store *st = *state;
    char token[KT_TOKEN_LEN + 1];
    int64_t expires = 0, before = kt_now();
    assert_int_equal(kt_session_create(st, alice, 3600, token, &expires), 0);
    assert_true(token_shaped(token));
    assert_true(expires >= before + 3600 && expires <= kt_now() + 3600);
    assert_false(kt_store_in_txn(st)); /* it ran (and ended) its own transaction */
    kt_principal p;
    assert_int_equal(kt_session_lookup(st, token, &p), 0);
    assert_int_equal(p.person, alice);
    assert_int_equal(p.org, 1);
    assert_true(p.admin);
    assert_string_equal(p.name, "Alice Admin");
    assert_int_equal(p.expires_at, expires);
    /* the same session an hour later: gone (moved into the past rather than waiting) */
    sql(st, "UPDATE sessions SET expires_at = expires_at - 3601");
    assert_int_equal(kt_session_lookup(st, token, &p), KT_ENOTFOUND);
}

static void a_session_of_zero_seconds_is_already_over(void **state)
{
    kt_store *st = *state;
    char token[KT_TOKEN_LEN + 1];
    int64_t expires;
    assert_int_equal(kt_session_create(st, bob, 0, token, &expires), 0);
    kt_principal p;
    assert_int_equal(kt_session_lookup(st, token, &p), KT_ENOTFOUND);
}

static void sessions_are_distinct_and_end_one_at_a_time(void **state)
{
    kt_store *st = *state;
    char a[KT_TOKEN_LEN + 1], b[KT_TOKEN_LEN + 1], c[KT_TOKEN_LEN + 1];
    int64_t e;
    assert_int_equal(kt_session_create(st, alice, 3600, a, &e), 0);
    assert_int_equal(kt_session_create(st, alice, 3600, b, &e), 0);
    assert_int_equal(kt_session_create(st, bob, 3600, c, &e), 0);
    assert_string_not_equal(a, b);
    kt_principal p;
    assert_int_equal(kt_session_delete(st, a), 0);
    assert_int_equal(kt_session_lookup(st, a, &p), KT_ENOTFOUND);
    assert_int_equal(kt_session_lookup(st, b, &p), 0);
    assert_int_equal(p.person, alice);
    assert_int_equal(kt_session_lookup(st, c, &p), 0);
    assert_int_equal(p.person, bob);
    assert_false(p.admin);
    /* deleting is idempotent, also for nonsense */
    assert_int_equal(kt_session_delete(st, a), 0);
    assert_int_equal(kt_session_delete(st, "nonsense"), 0);
    assert_int_equal(kt_session_delete(st, NULL), 0);
}

static void unknown_and_malformed_tokens_resolve_to_nobody(void **state)
{
    kt_store *st = *state;
    char token[KT_TOKEN_LEN + 1];
    int64_t e;
    assert_int_equal(kt_session_create(st, alice, 3600, token, &e), 0);
    kt_principal p;
    char other[KT_TOKEN_LEN + 1];
    memcpy(other, token, sizeof other);
    other[0] = other[0] == 'A' ? 'B' : 'A';
    assert_int_equal(kt_session_lookup(st, other, &p), KT_ENOTFOUND);
    char shorter[KT_TOKEN_LEN + 1];
    snprintf(shorter, sizeof shorter, "%.*s", KT_TOKEN_LEN - 1, token);
    assert_int_equal(kt_session_lookup(st, shorter, &p), KT_ENOTFOUND);
    char longer[KT_TOKEN_LEN + 2];
    snprintf(longer, sizeof longer, "%sA", token);
    assert_int_equal(kt_session_lookup(st, longer, &p), KT_ENOTFOUND);
    char bad[KT_TOKEN_LEN + 1];
    memcpy(bad, token, sizeof bad);
    bad[5] = '=';
    assert_int_equal(kt_session_lookup(st, bad, &p), KT_ENOTFOUND);
    assert_int_equal(kt_session_lookup(st, "", &p), KT_ENOTFOUND);
    assert_int_equal(kt_session_lookup(st, NULL, &p), KT_ENOTFOUND);
    assert_int_equal(kt_session_lookup(st, token, &p), 0); /* the real one still works */
}

static void a_deactivated_person_has_no_session(void **state)
{
    kt_store *st = *state;
    char token[KT_TOKEN_LEN + 1];
    int64_t e;
    assert_int_equal(kt_session_create(st, bob, 3600, token, &e), 0);
    kt_principal p;
    assert_int_equal(kt_principal_load(st, bob, &p), 0);
    sql(st, "UPDATE persons SET active = 0 WHERE id = 8");
    assert_int_equal(kt_session_lookup(st, token, &p), KT_ENOTFOUND);
    assert_int_equal(kt_principal_load(st, bob, &p), KT_ENOTFOUND);
    assert_int_equal(kt_principal_load(st, 999, &p), KT_ENOTFOUND);
}

static void a_person_has_one_live_link_and_it_dies_with_deactivation(void **state)
{
    kt_store *st = *state;
    char first[KT_TOKEN_LEN + 1], second[KT_TOKEN_LEN + 1];
    int64_t person = 0;
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_setup_token_create(st, alice, 3600, first), 0);
    assert_int_equal(kt_setup_token_create(st, alice, 3600, second), 0);
    assert_int_equal(kt_setup_token_consume(st, first, &person), KT_ENOTFOUND);
    assert_int_equal(kt_setup_token_create(st, alice, 3600, first), 0);
    sql(st, "UPDATE persons SET active = 0 WHERE id = 7");
    assert_int_equal(kt_setup_token_consume(st, first, &person), KT_ENOTFOUND);
    sql(st, "UPDATE persons SET active = 1 WHERE id = 7");
    assert_int_equal(kt_setup_token_consume(st, first, &person), KT_ENOTFOUND); /* burnt */
    assert_int_equal(kt_store_commit(st), 0);
}

static void purge_removes_only_what_expired(void **state)
{
    kt_store *st = *state;
    char live[KT_TOKEN_LEN + 1], dead[KT_TOKEN_LEN + 1], setup_dead[KT_TOKEN_LEN + 1],
        setup_live[KT_TOKEN_LEN + 1];
    int64_t e;
    assert_int_equal(kt_session_create(st, alice, 3600, live, &e), 0);
    assert_int_equal(kt_session_create(st, bob, -10, dead, &e), 0);
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_setup_token_create(st, alice, -10, setup_dead), 0);
    assert_int_equal(kt_setup_token_create(st, bob, 3600, setup_live), 0);
    assert_int_equal(kt_store_commit(st), 0);
    assert_int_equal(kt_session_purge(st), 2);
    assert_int_equal(kt_session_purge(st), 0);
    kt_principal p;
    assert_int_equal(kt_session_lookup(st, live, &p), 0);
    int64_t person = 0;
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_setup_token_consume(st, setup_live, &person), 0);
    assert_int_equal(kt_store_commit(st), 0);
    assert_int_equal(person, bob);
}

static void setup_tokens_work_once(void **state)
{
    kt_store *st = *state;
    char token[KT_TOKEN_LEN + 1];
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_setup_token_create(st, bob, 7 * 86400, token), 0);
    assert_int_equal(kt_store_commit(st), 0);
    assert_true(token_shaped(token));
    int64_t person = 0;
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_setup_token_consume(st, token, &person), 0);
    assert_int_equal(kt_store_commit(st), 0);
    assert_int_equal(person, bob);
    person = 0;
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_setup_token_consume(st, token, &person), KT_ENOTFOUND);
    kt_store_rollback(st);
    assert_int_equal(person, 0);
}

static void a_rolled_back_consume_leaves_the_token_usable(void **state)
{
    kt_store *st = *state;
    char token[KT_TOKEN_LEN + 1];
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_setup_token_create(st, alice, 3600, token), 0);
    assert_int_equal(kt_store_commit(st), 0);
    int64_t person = 0;
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_setup_token_consume(st, token, &person), 0);
    kt_store_rollback(st); /* e.g. the new password could not be stored */
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_setup_token_consume(st, token, &person), 0);
    assert_int_equal(kt_store_commit(st), 0);
    assert_int_equal(person, alice);
}

static void setup_tokens_expire(void **state)
{
    kt_store *st = *state;
    char token[KT_TOKEN_LEN + 1];
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_setup_token_create(st, bob, 3600, token), 0);
    assert_int_equal(kt_store_commit(st), 0);
    sql(st, "UPDATE setup_tokens SET expires_at = expires_at - 3601");
    int64_t person = 0;
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_setup_token_consume(st, token, &person), KT_ENOTFOUND);
    kt_store_rollback(st);
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_setup_token_consume(st, "short", &person), KT_ENOTFOUND);
    assert_int_equal(kt_setup_token_consume(st, NULL, &person), KT_ENOTFOUND);
    kt_store_rollback(st);
    /* a session token is no setup token */
    char session[KT_TOKEN_LEN + 1];
    int64_t e;
    assert_int_equal(kt_session_create(st, bob, 3600, session, &e), 0);
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_setup_token_consume(st, session, &person), KT_ENOTFOUND);
    kt_store_rollback(st);
}

/* Reads the database file and its WAL into one buffer. */
static unsigned char *read_db_files(size_t *len)
{
    unsigned char *buf = NULL;
    *len = 0;
    const char *suffix[] = {"", "-wal"};
    for (int i = 0; i < 2; i++) {
        char f[80];
        snprintf(f, sizeof f, "%s%s", path, suffix[i]);
        FILE *fp = fopen(f, "rb");
        if (!fp)
            continue;
        unsigned char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
            unsigned char *b = realloc(buf, *len + n);
            assert_non_null(b);
            buf = b;
            memcpy(buf + *len, chunk, n);
            *len += n;
        }
        fclose(fp);
    }
    return buf;
}

static bool contains(const unsigned char *hay, size_t n, const void *needle, size_t m)
{
    return n >= m && memmem(hay, n, needle, m) != NULL;
}

static void the_database_holds_only_hashes_of_tokens(void **state)
{
    kt_store *st = *state;
    char session[KT_TOKEN_LEN + 1], setup[KT_TOKEN_LEN + 1];
    int64_t e;
    assert_int_equal(kt_session_create(st, alice, 3600, session, &e), 0);
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_setup_token_create(st, bob, 3600, setup), 0);
    assert_int_equal(kt_store_commit(st), 0);
    kt_store_close(st);
    *state = NULL;
    size_t n;
    unsigned char *bytes = read_db_files(&n);
    assert_non_null(bytes);
    assert_false(contains(bytes, n, session, KT_TOKEN_LEN));
    assert_false(contains(bytes, n, setup, KT_TOKEN_LEN));
    /* nor a recognisable half of one */
    assert_false(contains(bytes, n, session + 10, 20));
    /* positive control: what is stored is the SHA-256, and the search finds it */
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)session, KT_TOKEN_LEN);
    assert_true(contains(bytes, n, h, sizeof h));
    crypto_hash_sha256(h, (const unsigned char *)setup, KT_TOKEN_LEN);
    assert_true(contains(bytes, n, h, sizeof h));
    free(bytes);
    /* and the tokens still work from the hashes alone */
    kt_store_options o = {.path = path};
    assert_int_equal(kt_store_open(&o, &st), 0);
    *state = st;
    kt_principal p;
    assert_int_equal(kt_session_lookup(st, session, &p), 0);
    assert_int_equal(p.person, alice);
}

static int close_store_if_open(void **state)
{
    if (*state)
        kt_store_close(*state);
    remove_files();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_password_verifies_against_its_own_hash_only),
        cmocka_unit_test(hashing_is_salted),
        cmocka_unit_test(malformed_hashes_never_match),
        cmocka_unit_test(passwords_beyond_the_maximum_are_refused),
        cmocka_unit_test(acceptable_passwords_are_10_to_256_bytes),
        cmocka_unit_test_setup_teardown(a_session_resolves_to_its_person_until_it_expires,
                                        open_store, close_store),
        cmocka_unit_test_setup_teardown(a_session_of_zero_seconds_is_already_over, open_store,
                                        close_store),
        cmocka_unit_test_setup_teardown(sessions_are_distinct_and_end_one_at_a_time, open_store,
                                        close_store),
        cmocka_unit_test_setup_teardown(unknown_and_malformed_tokens_resolve_to_nobody, open_store,
                                        close_store),
        cmocka_unit_test_setup_teardown(a_deactivated_person_has_no_session, open_store,
                                        close_store),
        cmocka_unit_test_setup_teardown(a_person_has_one_live_link_and_it_dies_with_deactivation,
                                        open_store, close_store),
        cmocka_unit_test_setup_teardown(purge_removes_only_what_expired, open_store, close_store),
        cmocka_unit_test_setup_teardown(setup_tokens_work_once, open_store, close_store),
        cmocka_unit_test_setup_teardown(a_rolled_back_consume_leaves_the_token_usable, open_store,
                                        close_store),
        cmocka_unit_test_setup_teardown(setup_tokens_expire, open_store, close_store),
        cmocka_unit_test_setup_teardown(the_database_holds_only_hashes_of_tokens, open_store,
                                        close_store_if_open),
    };
    kt_log_set_level(KT_LOG_WARN);
    return cmocka_run_group_tests(tests, init_sodium, NULL);
}

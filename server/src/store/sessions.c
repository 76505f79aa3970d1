#include "store/sessions.h"

#include "store/db.h"
#include "util/err.h"

#include <stdio.h>
#include <string.h>

int kt_store_session_insert(kt_store *st, const unsigned char hash[KT_TOKEN_HASH_LEN],
                            int64_t person, int64_t created_at, int64_t expires_at)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO sessions(token_hash, person_id, created_at, "
                                      "expires_at) VALUES (?1, ?2, ?3, ?4)");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_blob(s, 1, hash, KT_TOKEN_HASH_LEN);
    kt_db_bind_int(s, 2, person);
    kt_db_bind_int(s, 3, created_at);
    kt_db_bind_int(s, 4, expires_at);
    return kt_db_run(s, NULL);
}

int kt_store_session_find(kt_store *st, const unsigned char hash[KT_TOKEN_HASH_LEN],
                          int64_t *person, int64_t *expires_at)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "SELECT person_id, expires_at FROM sessions WHERE token_hash = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_blob(s, 1, hash, KT_TOKEN_HASH_LEN);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        *person = kt_db_int(s, 0);
        *expires_at = kt_db_int(s, 1);
    }
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_store_session_delete(kt_store *st, const unsigned char hash[KT_TOKEN_HASH_LEN])
{
    kt_db_stmt *s = kt_db_prepare(st, "DELETE FROM sessions WHERE token_hash = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_blob(s, 1, hash, KT_TOKEN_HASH_LEN);
    return kt_db_run(s, NULL);
}

int kt_store_sessions_end_person(kt_store *st, int64_t person)
{
    kt_db_stmt *s = kt_db_prepare(st, "DELETE FROM sessions WHERE person_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    return kt_db_run(s, NULL);
}

int kt_store_sessions_purge(kt_store *st, int64_t now, int64_t *n)
{
    int64_t a = 0, b = 0;
    kt_db_stmt *s = kt_db_prepare(st, "DELETE FROM sessions WHERE expires_at <= ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, now);
    int rc = kt_db_run(s, &a);
    if (rc)
        return rc;
    s = kt_db_prepare(st, "DELETE FROM setup_tokens WHERE expires_at <= ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, now);
    rc = kt_db_run(s, &b);
    if (!rc && n)
        *n = a + b;
    return rc;
}

int kt_store_setup_token_insert(kt_store *st, const unsigned char hash[KT_TOKEN_HASH_LEN],
                                int64_t person, int64_t expires_at)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "INSERT INTO setup_tokens(token_hash, person_id, expires_at) VALUES (?1, ?2, ?3)");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_blob(s, 1, hash, KT_TOKEN_HASH_LEN);
    kt_db_bind_int(s, 2, person);
    kt_db_bind_int(s, 3, expires_at);
    return kt_db_run(s, NULL);
}

int kt_store_setup_token_consume(kt_store *st, const unsigned char hash[KT_TOKEN_HASH_LEN],
                                 int64_t now, int64_t *person)
{
    /* Burnt whether valid or not; valid only before expiry and while the person is active. */
    kt_db_stmt *s = kt_db_prepare(st, "DELETE FROM setup_tokens WHERE token_hash = ?1 RETURNING "
                                      "person_id, CASE WHEN expires_at > ?2 AND person_id IN "
                                      "(SELECT id FROM persons WHERE active = 1) THEN 1 ELSE 0 "
                                      "END");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_blob(s, 1, hash, KT_TOKEN_HASH_LEN);
    kt_db_bind_int(s, 2, now);
    int rc = kt_db_step(s), valid = 0;
    if (rc == KT_DB_ROW) {
        *person = kt_db_int(s, 0);
        valid = kt_db_int(s, 1) != 0;
        rc = kt_db_step(s); /* to the end: the delete is done */
    }
    kt_db_reset(s);
    if (rc < 0)
        return rc;
    return valid ? 0 : KT_ENOTFOUND;
}

int kt_store_setup_tokens_void(kt_store *st, int64_t person)
{
    kt_db_stmt *s = kt_db_prepare(st, "DELETE FROM setup_tokens WHERE person_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    return kt_db_run(s, NULL);
}

int kt_store_setup_tokens_clear(kt_store *st)
{
    kt_db_stmt *s = kt_db_prepare(st, "DELETE FROM setup_tokens");
    return s ? kt_db_run(s, NULL) : KT_ESTORE;
}

static int login_row(kt_db_stmt *s, kt_store_login *out)
{
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        memset(out, 0, sizeof *out);
        out->person = kt_db_int(s, 0);
        out->org = kt_db_int(s, 1);
        out->admin = kt_db_int(s, 2) != 0;
        snprintf(out->name, sizeof out->name, "%s", kt_db_text(s, 3));
        const char *h = kt_db_text(s, 4);
        snprintf(out->hash, sizeof out->hash, "%s", h ? h : "");
    }
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_store_login_by_id(kt_store *st, int64_t person, kt_store_login *out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id, org_id, is_admin, name, password_hash FROM "
                                      "persons WHERE id = ?1 AND active = 1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    return login_row(s, out);
}

int kt_store_login_by_email(kt_store *st, const char *email, kt_store_login *out)
{
    /* persons.email compares case-insensitively in both backends (NOCASE / citext). */
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id, org_id, is_admin, name, password_hash FROM "
                                      "persons WHERE email = ?1 AND active = 1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, email);
    return login_row(s, out);
}

int kt_store_password_set(kt_store *st, int64_t person, const char *hash, int64_t now)
{
    /* the person holds the account again: an e-mail change before this needs no second
     * administrator for a reset any more (kt_store_person_email_mark) */
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE persons SET password_hash = ?2, updated_at = ?3, "
                                      "email_changed_by = NULL WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_text(s, 2, hash);
    kt_db_bind_int(s, 3, now);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    return rc ? rc : n ? 0 : KT_ENOTFOUND;
}

int kt_store_password_set_all(kt_store *st, const char *hash)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE persons SET password_hash = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, hash);
    return kt_db_run(s, NULL);
}

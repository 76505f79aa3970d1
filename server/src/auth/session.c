#include "auth/session.h"

#include "util/err.h"
#include "util/timeutil.h"

#include <sodium.h>
#include <string.h>

static void new_token(char token[KT_TOKEN_LEN + 1])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, KT_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static bool token_shape_ok(const char *token)
{
    if (!token || strlen(token) != KT_TOKEN_LEN)
        return false;
    for (const char *p = token; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

static void token_hash(const char *token, unsigned char out[crypto_hash_sha256_BYTES])
{
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

void kt_token_new(char token[KT_TOKEN_LEN + 1], unsigned char hash[32])
{
    new_token(token);
    token_hash(token, hash);
}

bool kt_token_hash(const char *token, unsigned char hash[32])
{
    if (!token_shape_ok(token))
        return false;
    token_hash(token, hash);
    return true;
}

int kt_principal_load(kt_store *st, int64_t person, kt_principal *out)
{
    sqlite3_stmt *s = kt_store_stmt(
        st, "SELECT id, org_id, is_admin, name FROM persons WHERE id = ?1 AND active = 1");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, person);
    int rc = KT_ENOTFOUND;
    if (sqlite3_step(s) == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->person = sqlite3_column_int64(s, 0);
        out->org = sqlite3_column_int64(s, 1);
        out->admin = sqlite3_column_int(s, 2) != 0;
        snprintf(out->name, sizeof out->name, "%s", (const char *)sqlite3_column_text(s, 3));
        rc = 0;
    }
    sqlite3_reset(s);
    return rc;
}

int kt_session_create(kt_store *st, int64_t person, int64_t ttl, char token[KT_TOKEN_LEN + 1],
                      int64_t *expires_at)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    new_token(token);
    token_hash(token, h);
    int64_t now = kt_now();
    int rc = kt_store_begin(st);
    if (rc)
        return rc;
    sqlite3_stmt *s = kt_store_stmt(st, "INSERT INTO sessions(token_hash, person_id, created_at, "
                                        "expires_at) VALUES (?1, ?2, ?3, ?4)");
    if (!s) {
        kt_store_rollback(st);
        return KT_ESTORE;
    }
    sqlite3_bind_blob(s, 1, h, sizeof h, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, person);
    sqlite3_bind_int64(s, 3, now);
    sqlite3_bind_int64(s, 4, now + ttl);
    rc = kt_store_step_done(st, s);
    sqlite3_reset(s);
    if (rc) {
        kt_store_rollback(st);
        return rc;
    }
    *expires_at = now + ttl;
    return kt_store_commit(st);
}

int kt_session_lookup(kt_store *st, const char *token, kt_principal *out)
{
    if (!token_shape_ok(token))
        return KT_ENOTFOUND;
    unsigned char h[crypto_hash_sha256_BYTES];
    token_hash(token, h);
    sqlite3_stmt *s =
        kt_store_stmt(st, "SELECT person_id, expires_at FROM sessions WHERE token_hash = ?1");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_blob(s, 1, h, sizeof h, SQLITE_STATIC);
    int64_t person = 0, expires = 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
        person = sqlite3_column_int64(s, 0);
        expires = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    if (!person || expires <= kt_now())
        return KT_ENOTFOUND;
    int rc = kt_principal_load(st, person, out);
    if (rc == 0)
        out->expires_at = expires;
    return rc;
}

int kt_session_delete(kt_store *st, const char *token)
{
    if (!token_shape_ok(token))
        return 0;
    unsigned char h[crypto_hash_sha256_BYTES];
    token_hash(token, h);
    sqlite3_stmt *s = kt_store_stmt(st, "DELETE FROM sessions WHERE token_hash = ?1");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_blob(s, 1, h, sizeof h, SQLITE_STATIC);
    int rc = kt_store_step_done(st, s);
    sqlite3_reset(s);
    return rc;
}

int kt_session_purge(kt_store *st)
{
    sqlite3_stmt *s = kt_store_stmt(st, "DELETE FROM sessions WHERE expires_at <= ?1");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, kt_now());
    int rc = kt_store_step_done(st, s);
    sqlite3_reset(s);
    if (rc)
        return rc;
    int n = sqlite3_changes(kt_store_db(st));
    s = kt_store_stmt(st, "DELETE FROM setup_tokens WHERE expires_at <= ?1");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, kt_now());
    rc = kt_store_step_done(st, s);
    sqlite3_reset(s);
    return rc ? rc : n + sqlite3_changes(kt_store_db(st));
}

int kt_setup_token_create(kt_store *st, int64_t person, int64_t ttl, char token[KT_TOKEN_LEN + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    new_token(token);
    token_hash(token, h);
    sqlite3_stmt *s = kt_store_stmt(
        st, "INSERT INTO setup_tokens(token_hash, person_id, expires_at) VALUES (?1, ?2, ?3)");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_blob(s, 1, h, sizeof h, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, person);
    sqlite3_bind_int64(s, 3, kt_now() + ttl);
    int rc = kt_store_step_done(st, s);
    sqlite3_reset(s);
    return rc;
}

int kt_setup_token_consume(kt_store *st, const char *token, int64_t *person)
{
    if (!token_shape_ok(token))
        return KT_ENOTFOUND;
    unsigned char h[crypto_hash_sha256_BYTES];
    token_hash(token, h);
    sqlite3_stmt *s = kt_store_stmt(st, "DELETE FROM setup_tokens WHERE token_hash = ?1 AND "
                                        "expires_at > ?2 RETURNING person_id");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_blob(s, 1, h, sizeof h, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, kt_now());
    int rc = KT_ENOTFOUND;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *person = sqlite3_column_int64(s, 0);
        rc = 0;
    }
    sqlite3_reset(s);
    return rc;
}

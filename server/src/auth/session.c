#include "auth/session.h"

#include "store/sessions.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <sodium.h>
#include <stdio.h>
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
    kt_store_login l;
    int rc = kt_store_login_by_id(st, person, &l);
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    out->person = l.person;
    out->org = l.org;
    out->admin = l.admin;
    snprintf(out->name, sizeof out->name, "%s", l.name);
    return 0;
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
    rc = kt_store_session_insert(st, h, person, now, now + ttl);
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
    int64_t person = 0, expires = 0;
    int rc = kt_store_session_find(st, h, &person, &expires);
    if (rc)
        return rc;
    if (expires <= kt_now())
        return KT_ENOTFOUND;
    rc = kt_principal_load(st, person, out);
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
    int rc = kt_store_begin(st);
    if (!rc)
        rc = kt_store_session_delete(st, h);
    if (!rc)
        return kt_store_commit(st);
    kt_store_rollback(st);
    return rc;
}

int kt_session_purge(kt_store *st)
{
    int64_t n = 0;
    int rc = kt_store_begin(st);
    if (!rc)
        rc = kt_store_sessions_purge(st, kt_now(), &n);
    if (!rc)
        rc = kt_store_commit(st);
    else if (kt_store_in_txn(st))
        kt_store_rollback(st);
    return rc ? rc : (int)n;
}

int kt_setup_tokens_void(kt_store *st, int64_t person)
{
    return kt_store_setup_tokens_void(st, person);
}

int kt_setup_token_create(kt_store *st, int64_t person, int64_t ttl, char token[KT_TOKEN_LEN + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    int rc = kt_store_setup_tokens_void(st, person); /* one live link per person: the newest */
    if (rc)
        return rc;
    new_token(token);
    token_hash(token, h);
    return kt_store_setup_token_insert(st, h, person, kt_now() + ttl);
}

int kt_setup_token_consume(kt_store *st, const char *token, int64_t *person)
{
    if (!token_shape_ok(token))
        return KT_ENOTFOUND;
    unsigned char h[crypto_hash_sha256_BYTES];
    token_hash(token, h);
    return kt_store_setup_token_consume(st, h, kt_now(), person);
}

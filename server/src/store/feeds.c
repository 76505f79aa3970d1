#include "store/feeds.h"

#include "store/db.h"
#include "util/err.h"

#include <stdio.h>

int kt_store_feeds_active(kt_store *st, int64_t person, int64_t *n)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT count(*) FROM feed_tokens WHERE person_id = ?1 "
                                      "AND revoked_at IS NULL");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    *n = 0;
    return kt_db_one_int(s, n);
}

int kt_store_feed_insert(kt_store *st, const unsigned char hash[32], int64_t person,
                         const char *kind, int64_t body, int64_t now, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO feed_tokens(token_hash, person_id, kind, "
                                      "body_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                                      "RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_blob(s, 1, hash, 32);
    kt_db_bind_int(s, 2, person);
    kt_db_bind_text(s, 3, kind);
    kt_db_bind_ref(s, 4, body);
    kt_db_bind_int(s, 5, now);
    return kt_db_one_int(s, id);
}

int kt_store_feed_revoke(kt_store *st, int64_t person, int64_t id, int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE feed_tokens SET revoked_at = coalesce(revoked_at, "
                                      "?3) WHERE id = ?1 AND person_id = ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_int(s, 2, person);
    kt_db_bind_int(s, 3, now);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    return rc ? rc : n ? 0 : KT_ENOTFOUND;
}

#define FEED_SELECT                                                                                \
    "SELECT f.id, f.kind, f.body_id, b.name, f.created_at, f.revoked_at FROM feed_tokens f "       \
    "LEFT JOIN bodies b ON b.id = f.body_id "

static const kt_db_col feed_cols[] = {{"id", KT_COL_INT},
                                      {"kind", KT_COL_TEXT},
                                      {"body", KT_COL_INT},
                                      {"body_name", KT_COL_TEXT},
                                      {"created_at", KT_COL_TIME},
                                      {"revoked_at", KT_COL_TIME},
                                      {NULL, 0}};

int kt_store_feed_get(kt_store *st, int64_t id, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(st, FEED_SELECT "WHERE f.id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_one_json(s, feed_cols, out);
}

int kt_store_feeds_list(kt_store *st, int64_t person, json_t *arr)
{
    kt_db_stmt *s = kt_db_prepare(st, FEED_SELECT "WHERE f.person_id = ?1 AND f.revoked_at IS "
                                                  "NULL ORDER BY f.id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    return kt_db_rows_json(s, feed_cols, arr);
}

int kt_store_feed_by_hash(kt_store *st, const unsigned char hash[32], kt_feed_row *out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id, person_id, kind, body_id FROM feed_tokens "
                                      "WHERE token_hash = ?1 AND revoked_at IS NULL");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_blob(s, 1, hash, 32);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        out->id = kt_db_int(s, 0);
        out->person = kt_db_int(s, 1);
        snprintf(out->kind, sizeof out->kind, "%s", kt_db_text(s, 2));
        out->body = kt_db_int(s, 3);
    }
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

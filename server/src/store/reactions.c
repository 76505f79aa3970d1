#include "store/reactions.h"

#include "store/db.h"
#include "util/err.h"

int kt_store_reaction_add(kt_store *st, const char *node, const char *payload, int64_t now,
                          int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO reactions(node, created_at, payload) VALUES "
                                      "(?1, ?2, ?3) RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, node);
    kt_db_bind_int(s, 2, now);
    kt_db_bind_text(s, 3, payload);
    int rc = kt_db_one_int(s, id);
    return rc == KT_ENOTFOUND ? KT_ESTORE : rc;
}

int kt_store_reaction_take(kt_store *st, int64_t id, char **payload, int64_t *attempts)
{
    *payload = NULL;
    kt_db_stmt *s = kt_db_prepare(st, "DELETE FROM reactions WHERE id = ?1 RETURNING payload, "
                                      "attempts");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        *payload = kt_db_dup(s, 0);
        *attempts = kt_db_int(s, 1);
        if (!*payload)
            rc = KT_ENOMEM;
    }
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_store_reaction_failed(kt_store *st, int64_t id, int64_t *attempts)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "UPDATE reactions SET attempts = attempts + 1 WHERE id = ?1 RETURNING attempts");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_one_int(s, attempts);
}

int kt_store_reactions_stale(kt_store *st, int64_t before, int limit, kt_ivec *out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id FROM reactions WHERE created_at < ?1 ORDER BY "
                                      "id LIMIT ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, before);
    kt_db_bind_int(s, 2, limit);
    return kt_db_ids(s, out);
}

int kt_store_reactions_waiting(kt_store *st, int64_t *n)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT count(*) FROM reactions");
    *n = 0;
    return s ? kt_db_one_int(s, n) : KT_ESTORE;
}

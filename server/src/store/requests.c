#include "store/requests.h"

#include "store/db.h"
#include "util/err.h"

#include <stdlib.h>

int kt_store_request_find(kt_store *st, int64_t person, const char *key, char **op, char **result)
{
    *op = *result = NULL;
    kt_db_stmt *s =
        kt_db_prepare(st, "SELECT op, result FROM request_keys WHERE person_id = ?1 AND key = ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_text(s, 2, key);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        *op = kt_db_dup(s, 0);
        *result = kt_db_dup(s, 1);
        if (!*op || !*result) {
            free(*op);
            free(*result);
            *op = *result = NULL;
            rc = KT_ENOMEM;
        }
    }
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_store_request_remember(kt_store *st, int64_t person, const char *key, const char *op,
                              const char *result, int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO request_keys(person_id, key, op, result, "
                                      "created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_text(s, 2, key);
    kt_db_bind_text(s, 3, op);
    kt_db_bind_text(s, 4, result);
    kt_db_bind_int(s, 5, now);
    return kt_db_run(s, NULL);
}

int kt_store_requests_expire(kt_store *st, int64_t cutoff)
{
    kt_db_stmt *s = kt_db_prepare(st, "DELETE FROM request_keys WHERE created_at < ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, cutoff);
    return kt_db_run(s, NULL);
}

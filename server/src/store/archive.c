#include "store/archive.h"

#include "store/db.h"
#include "util/err.h"

static const kt_db_col person_cols[] = {{"id", KT_COL_INT},
                                        {"name", KT_COL_TEXT},
                                        {"org_id", KT_COL_INT},
                                        {"member", KT_COL_BOOL},
                                        {NULL, 0}};
static const kt_db_col org_cols[] = {{"id", KT_COL_INT}, {"name", KT_COL_TEXT}, {NULL, 0}};

int kt_store_archive_directory(kt_store *st, int64_t body, json_t **persons, json_t **orgs)
{
    *persons = json_array();
    *orgs = json_array();
    int rc = *persons && *orgs ? 0 : KT_ENOMEM;
    kt_db_stmt *s = rc ? NULL
                       : kt_db_prepare(st, "SELECT p.id, p.name, p.org_id, m.person_id IS NOT "
                                           "NULL FROM persons p LEFT JOIN memberships m ON "
                                           "m.person_id = p.id AND m.body_id = ?1 WHERE "
                                           "p.active = 1 ORDER BY p.id");
    if (!rc && !s)
        rc = KT_ESTORE;
    if (!rc) {
        kt_db_bind_int(s, 1, body);
        rc = kt_db_rows_json(s, person_cols, *persons);
    }
    if (!rc) {
        s = kt_db_prepare(st, "SELECT id, name FROM organisations ORDER BY id");
        rc = s ? kt_db_rows_json(s, org_cols, *orgs) : KT_ESTORE;
    }
    if (rc) {
        json_decref(*persons);
        json_decref(*orgs);
        *persons = *orgs = NULL;
    }
    return rc;
}

int kt_store_archive_person_exists(kt_store *st, int64_t id)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT 1 FROM persons WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_exists(s);
}

int kt_store_archive_org_exists(kt_store *st, int64_t id)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT 1 FROM organisations WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_exists(s);
}

#include "store/archive.h"

#include "store/db.h"
#include "util/err.h"
#include "util/ivec.h"

#include <stdlib.h>
#include <string.h>

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

static const kt_db_col slot_cols[] = {{"id", KT_COL_INT},
                                      {"position", KT_COL_INT},
                                      {"duration", KT_COL_INT},
                                      {"confidential", KT_COL_BOOL},
                                      {NULL, 0}};

int kt_store_archive_agenda(kt_store *st, int64_t meeting, json_t **out)
{
    *out = json_array();
    if (!*out)
        return KT_ENOMEM;
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id, position, duration_min, confidential FROM "
                                      "items WHERE meeting_id = ?1 ORDER BY position, id");
    int rc = KT_ESTORE;
    if (s) {
        kt_db_bind_int(s, 1, meeting);
        rc = kt_db_rows_json(s, slot_cols, *out);
    }
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* The first column of the one row of s, as a malloc'd string. */
static int one_text(kt_db_stmt *s, char **out)
{
    *out = NULL;
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        const char *t = kt_db_text(s, 0);
        *out = strdup(t ? t : "");
        rc = *out ? 0 : KT_ENOMEM;
    } else if (rc == KT_DB_DONE) {
        rc = KT_ENOTFOUND;
    }
    kt_db_reset(s);
    return rc;
}

int kt_store_archive_minutes_text(kt_store *st, int64_t meeting, char **out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT minutes FROM meetings WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    return one_text(s, out);
}

int kt_store_archive_decisions(kt_store *st, int64_t body, const char *from, const char *to,
                               kt_ivec *ids)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT id FROM actions WHERE body_id = ?1 AND kind = 'besluit' AND (CAST(?2 AS TEXT) "
            "IS NULL OR decided_on >= ?2) AND (CAST(?3 AS TEXT) IS NULL OR decided_on <= ?3) "
            "ORDER BY decided_on, id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_text(s, 2, from);
    kt_db_bind_text(s, 3, to);
    return kt_db_ids(s, ids);
}

int kt_store_archive_person_name(kt_store *st, int64_t id, char **out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT name FROM persons WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return one_text(s, out);
}

int kt_store_archive_org_name(kt_store *st, int64_t id, char **out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT name FROM organisations WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return one_text(s, out);
}

int kt_store_import_record(kt_store *st, int64_t body, int64_t meeting, const char *fingerprint,
                           int64_t by, int64_t at)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "INSERT INTO imports(body_id, meeting_id, fingerprint, imported_by, "
                          "imported_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, meeting);
    kt_db_bind_text(s, 3, fingerprint);
    kt_db_bind_int(s, 4, by);
    kt_db_bind_int(s, 5, at);
    return kt_db_run(s, NULL);
}

static const kt_db_col import_cols[] = {{"meeting", KT_COL_INT},
                                        {"start", KT_COL_TIME},
                                        {"imported_at", KT_COL_TIME},
                                        {"imported_by", KT_COL_INT},
                                        {"imported_by_name", KT_COL_TEXT},
                                        {"same_text", KT_COL_BOOL},
                                        {NULL, 0}};

int kt_store_imports_find(kt_store *st, int64_t body, const char *fingerprint, int64_t from,
                          int64_t to, int64_t meeting, json_t *out)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT i.meeting_id, m.starts_at, i.imported_at, i.imported_by, p.name, "
            "CASE WHEN i.fingerprint = CAST(?2 AS TEXT) THEN 1 ELSE 0 END FROM imports i "
            "JOIN meetings m ON m.id = i.meeting_id JOIN persons p ON p.id = i.imported_by "
            "WHERE i.body_id = ?1 AND m.status <> 'geannuleerd' AND (i.fingerprint = "
            "CAST(?2 AS TEXT) OR (m.starts_at >= ?3 AND m.starts_at < ?4) OR i.meeting_id = ?5) "
            "ORDER BY i.id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_text(s, 2, fingerprint);
    kt_db_bind_int(s, 3, from);
    kt_db_bind_int(s, 4, to);
    kt_db_bind_int(s, 5, meeting);
    return kt_db_rows_json(s, import_cols, out);
}

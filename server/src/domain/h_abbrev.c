/* Abbreviations the deployment teaches the duplicate detector ("PmG" = "Preventie met Gezag").
 * Everyone may read the list; administrators change it. A change rebuilds the index. */
#include "detect/detect.h"
#include "domain/handlers.h"
#include "util/err.h"
#include "util/timeutil.h"

int kt_h_abbreviation_list(kt_ctx *c)
{
    sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT abbr, expansion FROM abbreviations ORDER BY "
                                           "abbr COLLATE NOCASE");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    json_t *out = json_array();
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(out, json_pack("{s:s, s:s}", "abbr", sqlite3_column_text(s, 0),
                                             "expansion", sqlite3_column_text(s, 1)));
    sqlite3_reset(s);
    c->result = json_pack("{s:o}", "abbreviations", out);
    return 0;
}

int kt_h_abbreviation_set(kt_ctx *c)
{
    const char *abbr = kt_arg_str(c, "abbr"), *expansion = kt_arg_str(c, "expansion");
    sqlite3_stmt *s =
        expansion ? kt_store_stmt(c->st, "INSERT INTO abbreviations(abbr, expansion, created_at) "
                                         "VALUES (?1, ?2, ?3) ON CONFLICT(abbr) DO UPDATE SET "
                                         "expansion = ?2")
                  : kt_store_stmt(c->st, "DELETE FROM abbreviations WHERE abbr = ?1");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_text(s, 1, abbr, -1, SQLITE_STATIC);
    if (expansion) {
        sqlite3_bind_text(s, 2, expansion, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, kt_now());
    }
    int rc = kt_store_step_done(c->st, s);
    if (rc)
        return kt_fail_err(c, rc);
    if (c->app->detect)
        kt_detect_invalidate(c->app->detect);
    if (kt_emit_directory(c, "abbreviation.updated",
                          json_pack("{s:s, s:s?}", "abbr", abbr, "expansion", expansion)))
        return -1;
    c->result = json_pack("{s:s, s:s?}", "abbr", abbr, "expansion", expansion);
    return 0;
}

/* The SQLite statement interface the store handed out before it had typed operations. Kept only
 * while modules move to store/<aggregate>.h; scripts/check-store-boundary lists the files that
 * still use it, and that list only shrinks. New code must not use anything here. */
#ifndef KT_STORE_SQLITE_LEGACY_H
#define KT_STORE_SQLITE_LEGACY_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

struct kt_store;

/* The SQLite connection (NULL for another backend). */
sqlite3 *kt_store_db(struct kt_store *st);

/* A prepared statement for sql, cached by the pointer value of sql (pass string literals).
 * The statement is reset and its bindings cleared. Owned by the store; NULL on error. */
sqlite3_stmt *kt_store_stmt(struct kt_store *st, const char *sql);

int kt_store_step_done(struct kt_store *st, sqlite3_stmt *s); /* steps to SQLITE_DONE */
int64_t kt_store_last_id(struct kt_store *st);

/* Column helpers: NULL columns become JSON null. */
json_t *kt_col_json_text(sqlite3_stmt *s, int col);
json_t *kt_col_json_int(sqlite3_stmt *s, int col);
json_t *kt_col_json_time(sqlite3_stmt *s, int col); /* unix seconds -> ISO 8601 string */

#endif

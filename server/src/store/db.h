/* The statement layer the typed operations (store/<aggregate>.c) are written in: prepare a cached
 * statement, bind parameters ?1, ?2, ..., step through rows, read columns. The backend behind it
 * is SQLite or PostgreSQL (store/backend.h); SQL texts here use ?N placeholders, which the
 * PostgreSQL backend rewrites to $N. Only files under server/src/store/ include this header.
 *
 * Errors: kt_db_step() returns KT_DB_ROW, KT_DB_DONE or a negative KT_E* (KT_ECONFLICT for a
 * constraint, KT_EBUSY for a lock that did not come, KT_ESTORE for anything else). A store
 * error is never mistaken for "no row": the helpers below return KT_ENOTFOUND only after a
 * clean KT_DB_DONE. Texts and blobs bound are not copied: they must stay valid until the
 * statement is reset. Column texts are valid until the next step or reset. */
#ifndef KT_STORE_DB_H
#define KT_STORE_DB_H

#include "store/backend.h"
#include "util/ivec.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum { KT_DB_DONE = 0, KT_DB_ROW = 1 };

/* Anything but an operation of the group's own that touches the store while a group commit
 * is open must not see (or be folded into) the group's uncommitted writes: the group commits
 * first (store.h, kt_store_set_group_flush). */
void kt_store_group_before_use(kt_store *st);

static inline kt_db_stmt *kt_db_prepare(kt_store *st, const char *sql)
{
    if (st->group_open && !st->in_op)
        kt_store_group_before_use(st);
    return st->ops->prepare(st, sql);
}
/* The text for this store's dialect (both literals, so that the statement cache keys hold). */
static inline const char *kt_db_sql(kt_store *st, const char *sqlite_sql, const char *pg_sql)
{
    return st->dialect == KT_DIALECT_PG ? pg_sql : sqlite_sql;
}
static inline void kt_db_bind_int(kt_db_stmt *s, int i, int64_t v)
{
    s->st->ops->bind_int(s, i, v);
}
static inline void kt_db_bind_double(kt_db_stmt *s, int i, double v)
{
    s->st->ops->bind_double(s, i, v);
}
/* NULL binds SQL NULL. */
static inline void kt_db_bind_text(kt_db_stmt *s, int i, const char *v)
{
    if (v)
        s->st->ops->bind_text(s, i, v);
    else
        s->st->ops->bind_null(s, i);
}
static inline void kt_db_bind_blob(kt_db_stmt *s, int i, const void *p, size_t n)
{
    s->st->ops->bind_blob(s, i, p, n);
}
static inline void kt_db_bind_null(kt_db_stmt *s, int i)
{
    s->st->ops->bind_null(s, i);
}
/* A reference to another row: 0 binds NULL. */
static inline void kt_db_bind_ref(kt_db_stmt *s, int i, int64_t v)
{
    if (v)
        s->st->ops->bind_int(s, i, v);
    else
        s->st->ops->bind_null(s, i);
}
static inline int kt_db_step(kt_db_stmt *s)
{
    return s->st->ops->step(s);
}
static inline bool kt_db_null(kt_db_stmt *s, int col)
{
    return s->st->ops->col_null(s, col);
}
static inline int64_t kt_db_int(kt_db_stmt *s, int col) /* NULL reads as 0 */
{
    return s->st->ops->col_int(s, col);
}
static inline double kt_db_double(kt_db_stmt *s, int col)
{
    return s->st->ops->col_double(s, col);
}
static inline const char *kt_db_text(kt_db_stmt *s, int col) /* NULL for SQL NULL */
{
    return s->st->ops->col_text(s, col);
}
static inline const void *kt_db_blob(kt_db_stmt *s, int col, size_t *n)
{
    return s->st->ops->col_blob(s, col, n);
}
static inline int64_t kt_db_changes(kt_db_stmt *s)
{
    return s->st->ops->changes(s);
}
static inline void kt_db_reset(kt_db_stmt *s)
{
    s->st->ops->reset(s);
}

/* ---- helpers for the common shapes (store/db.c) ---- */

/* Steps s to the end (a write) and resets it: 0 or a KT_E*. *changed (may be NULL) receives
 * the number of rows changed. */
int kt_db_run(kt_db_stmt *s, int64_t *changed);
/* s (bound, returning one row) runs in the open write transaction later, before its commit,
 * with the next statement (PostgreSQL: in that statement's round trip), or at once where that
 * gains nothing (SQLite); its first column must then be expect. Its error, or another answer,
 * fails the statement it went with (or the commit) and spoils the transaction: every later
 * statement fails until the rollback. 0 or a KT_E*. */
int kt_db_run_later(kt_db_stmt *s, int64_t expect);
/* Whether the backend can defer a check (kt_db_check_later); when it cannot, what the store
 * remembers is read again instead. */
bool kt_db_can_check_later(kt_store *st);
/* s (bound, returning one row) checks in the open write transaction, later (as
 * kt_db_run_later), that something the store remembered of an earlier transaction is still so:
 * its first column must be expect. Another answer fails the statement it went with (or the
 * operation's end, kt_store_group_leave, or the commit) with KT_ESTALE, spoils the transaction
 * and sets kt_store_stale_take(): the write runs again. Not a change (write marks do not move).
 * 0 or a KT_E*. Only where kt_db_can_check_later(). */
int kt_db_check_later(kt_db_stmt *s, int64_t expect);
/* The first column of the first row as an integer: 0, KT_ENOTFOUND (no row) or a KT_E*. */
int kt_db_one_int(kt_db_stmt *s, int64_t *out);
/* Whether s returns a row: 0 (yes), KT_ENOTFOUND (no) or a KT_E*. */
int kt_db_exists(kt_db_stmt *s);
/* Appends the first column of every row to out: 0 or a KT_E*. */
int kt_db_ids(kt_db_stmt *s, kt_ivec *out);
/* strdup of a column's text (NULL stays NULL). */
char *kt_db_dup(kt_db_stmt *s, int col);

/* ---- rows as JSON: the one place a row becomes the protocol's JSON ---- */

typedef enum kt_db_type {
    KT_COL_INT,     /* integer; NULL -> null */
    KT_COL_TEXT,    /* string; NULL -> null */
    KT_COL_TIME,    /* unix seconds -> ISO 8601 UTC string; NULL -> null */
    KT_COL_BOOL,    /* integer -> true/false */
    KT_COL_DOUBLE,  /* real */
    KT_COL_JSON,    /* JSON text -> its value; NULL or invalid -> null */
    KT_COL_PRESENT, /* true when not NULL */
    KT_COL_SKIP,    /* a column the caller reads itself */
} kt_db_type;

typedef struct kt_db_col {
    const char *name; /* NULL ends the list */
    kt_db_type type;
} kt_db_col;

/* The current row of s as an object: column i under cols[i].name. New reference (NULL only
 * when out of memory). */
json_t *kt_db_row_json(kt_db_stmt *s, const kt_db_col *cols);
/* Appends every row of s (from its next step) to arr: 0 or a KT_E*. Resets s. */
int kt_db_rows_json(kt_db_stmt *s, const kt_db_col *cols, json_t *arr);
/* The one row of s as JSON into *out: 0, KT_ENOTFOUND or a KT_E*. Resets s. */
int kt_db_one_json(kt_db_stmt *s, const kt_db_col *cols, json_t **out);

#endif

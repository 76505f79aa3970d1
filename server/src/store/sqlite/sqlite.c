/* The SQLite backend: one database file in WAL mode, migrations applied at open, a cache of
 * prepared statements. */
#include "store/backend.h"
#include "store/db.h"
#include "store/sqlite/fts_dutch.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/wlock.h"

#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STMT_SLOTS 1024 /* open addressing; far more than the number of distinct statements */

typedef struct lite_stmt {
    kt_db_stmt base;
    sqlite3_stmt *stmt;
    int64_t changes;
    bool used; /* ran since the last kt_store_plans_mark */
    /* An "INSERT INTO t(...) VALUES (...) RETURNING id" of one row into a table whose id is its
     * rowid, prepared without the RETURNING: SQLite collects a RETURNING statement's rows in a
     * temporary b-tree of their own (opened, written, read and closed at every run: half the
     * cost of a small insert), while the id is the connection's last insert rowid anyway. The
     * step that runs the insert then shows that id as the one row (none when the insert did
     * nothing, as ON CONFLICT DO NOTHING may). */
    bool rowid_returning;
    int row_state; /* rowid_returning: 0 not run, 1 on the row, 2 done */
    int64_t rowid;
} lite_stmt;

typedef struct lite_store {
    kt_store base;
    sqlite3 *db;
    lite_stmt *stmts[STMT_SLOTS];
    /* The transaction statements (txn_text below): prepared once, as sqlite3_exec would parse
     * their text every time; apart from the cache, so that the plan checks never see them. */
    sqlite3_stmt *txn[7];
    /* The write lock among this process's connections to the file (wlock.h): taken before
     * BEGIN IMMEDIATE, given back when the transaction ends. NULL: SQLite's lock alone. */
    kt_wlock *wl;
    bool wl_held;
    int busy_timeout_ms;
    int64_t busy_since_ns;  /* the busy handler's current wait (writers of other processes) */
    bool busy_said;         /* that wait was logged as long */
    bool busy_no_wait;      /* a background connection's BEGIN: another process's lock, no wait */
    struct lite_ckpt *ckpt; /* checkpoint_aside: the checkpointing thread */
} lite_store;

static lite_store *lite(kt_store *st)
{
    assert(st->dialect == KT_DIALECT_SQLITE);
    return (lite_store *)st;
}

static const char *store_name(const lite_store *ls)
{
    return ls->base.name ? ls->base.name : "store";
}

/* Takes this process's write lock of the file, in turn (before BEGIN IMMEDIATE). */
static int wl_take(lite_store *ls)
{
    if (!ls->wl || ls->wl_held)
        return 0;
    int rc = kt_wlock_acquire(ls->wl, store_name(ls), ls->busy_timeout_ms);
    ls->wl_held = rc == 0;
    return rc;
}

/* Gives it back once no transaction is open any more. */
static void wl_drop(lite_store *ls)
{
    if (ls->wl_held && sqlite3_get_autocommit(ls->db)) {
        ls->wl_held = false;
        kt_wlock_release(ls->wl);
    }
}

/* SQLite's result codes as the store's. */
static int map_rc(sqlite3 *db, int rc, const char *sql)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
        return 0;
    case SQLITE_CONSTRAINT:
        return KT_ECONFLICT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        kt_warn("database busy", "sql=\"%.80s\"", sql ? sql : "");
        return KT_EBUSY;
    case SQLITE_FULL:  /* the disk (or the file system's quota) is full */
    case SQLITE_IOERR: /* the disk refused a read or a write */
    case SQLITE_CANTOPEN:
        kt_error("sql failed: store unavailable", "code=%d error=\"%s\" sql=\"%.80s\"", rc,
                 sqlite3_errmsg(db), sql ? sql : "");
        kt_store_fault_note();
        return KT_EUNAVAIL;
    default:
        kt_error("sql failed", "code=%d error=\"%s\" sql=\"%.80s\"", rc, sqlite3_errmsg(db),
                 sql ? sql : "");
        return KT_ESTORE;
    }
}

static int exec_sql(sqlite3 *db, const char *sql)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : map_rc(db, rc, sql);
}

/* ---- statements ---- */

#define RETURNING_ID " RETURNING id"

/* Whether sql is one row's INSERT ... RETURNING id whose id the last insert rowid gives: a single
 * VALUES row, no DO UPDATE (an update sets no rowid), and a table whose "id" is its rowid (the
 * table's only key column, declared INTEGER, in a table with rowids). Its text without the
 * RETURNING goes to plain (n bytes). */
static bool rowid_returning(sqlite3 *db, const char *sql, size_t *plain)
{
    size_t len = strlen(sql), rl = strlen(RETURNING_ID);
    if (strncmp(sql, "INSERT INTO ", 12) != 0 || len <= rl ||
        strcmp(sql + len - rl, RETURNING_ID) != 0 || !strstr(sql, " VALUES (") ||
        strstr(sql, " DO UPDATE ") || strstr(sql, "SELECT") || strstr(sql, "),("))
        return false;
    char table[64];
    size_t tl = strspn(sql + 12, "abcdefghijklmnopqrstuvwxyz_0123456789");
    if (!tl || tl >= sizeof table || sql[12 + tl] != '(')
        return false;
    memcpy(table, sql + 12, tl);
    table[tl] = 0;
    sqlite3_stmt *q;
    bool ok = false;
    if (sqlite3_prepare_v2(db,
                           "SELECT (SELECT wr FROM pragma_table_list WHERE name = ?1 AND "
                           "schema = 'main'), (SELECT count(*) FROM pragma_table_info(?1) WHERE "
                           "pk > 0), (SELECT count(*) FROM pragma_table_info(?1) WHERE name = 'id' "
                           "AND pk = 1 AND upper(type) = 'INTEGER')",
                           -1, &q, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
        ok = sqlite3_column_type(q, 0) == SQLITE_INTEGER && sqlite3_column_int(q, 0) == 0 &&
             sqlite3_column_int(q, 1) == 1 && sqlite3_column_int(q, 2) == 1;
    sqlite3_finalize(q);
    *plain = len - rl;
    return ok;
}

static lite_stmt *cached(lite_store *ls, const char *sql)
{
    uintptr_t h = ((uintptr_t)sql >> 3) * 2654435761u;
    for (unsigned i = 0; i < STMT_SLOTS; i++) {
        unsigned slot = (unsigned)((h + i) % STMT_SLOTS);
        lite_stmt *s = ls->stmts[slot];
        if (s && s->base.sql == sql) {
            sqlite3_reset(s->stmt);
            sqlite3_clear_bindings(s->stmt);
            s->changes = 0;
            s->row_state = 0;
            return s;
        }
        if (s)
            continue;
        s = calloc(1, sizeof *s);
        if (!s)
            return NULL;
        size_t plain = 0;
        s->rowid_returning = rowid_returning(ls->db, sql, &plain);
        if (sqlite3_prepare_v3(ls->db, sql, s->rowid_returning ? (int)plain : -1,
                               SQLITE_PREPARE_PERSISTENT, &s->stmt, NULL) != SQLITE_OK) {
            kt_error("prepare failed", "error=\"%s\" sql=\"%.80s\"", sqlite3_errmsg(ls->db), sql);
            free(s);
            return NULL;
        }
        s->base.st = &ls->base;
        s->base.sql = sql;
        ls->stmts[slot] = s;
        return s;
    }
    assert(!"statement cache full");
    return NULL;
}

static kt_db_stmt *lite_prepare(kt_store *st, const char *sql)
{
    lite_stmt *s = cached(lite(st), sql);
    if (!s)
        return NULL;
    s->used = true;
    return &s->base;
}

#define S(x) (((lite_stmt *)(x))->stmt)

static void lite_bind_int(kt_db_stmt *s, int i, int64_t v)
{
    sqlite3_bind_int64(S(s), i, v);
}

static void lite_bind_double(kt_db_stmt *s, int i, double v)
{
    sqlite3_bind_double(S(s), i, v);
}

static void lite_bind_text(kt_db_stmt *s, int i, const char *v)
{
    sqlite3_bind_text(S(s), i, v, -1, SQLITE_STATIC);
}

static void lite_bind_blob(kt_db_stmt *s, int i, const void *p, size_t n)
{
    sqlite3_bind_blob(S(s), i, p, (int)n, SQLITE_STATIC);
}

static void lite_bind_null(kt_db_stmt *s, int i)
{
    sqlite3_bind_null(S(s), i);
}

static int lite_step(kt_db_stmt *s)
{
    lite_stmt *ls = (lite_stmt *)s;
    lite_store *owner = (lite_store *)s->st;
    if (owner->wl_held)
        kt_wlock_note(owner->wl, s->sql);
    if (ls->rowid_returning && ls->row_state) {
        ls->row_state = 2;
        return KT_DB_DONE; /* after the one row, or after an insert that did nothing */
    }
    int rc = sqlite3_step(ls->stmt);
    if (ls->rowid_returning && rc == SQLITE_DONE) {
        sqlite3 *db = sqlite3_db_handle(ls->stmt);
        ls->changes = sqlite3_changes64(db);
        ls->rowid = sqlite3_last_insert_rowid(db);
        ls->row_state = ls->changes ? 1 : 2;
        return ls->changes ? KT_DB_ROW : KT_DB_DONE;
    }
    if (rc == SQLITE_ROW)
        return KT_DB_ROW;
    if (rc == SQLITE_DONE) {
        ls->changes = sqlite3_changes64(sqlite3_db_handle(ls->stmt));
        return KT_DB_DONE;
    }
    return map_rc(sqlite3_db_handle(ls->stmt), rc, s->sql);
}

/* The row of a rowid_returning statement: its one column, the id. */
static bool synthesized(kt_db_stmt *s)
{
    return ((lite_stmt *)s)->row_state == 1;
}

static bool lite_col_null(kt_db_stmt *s, int col)
{
    if (synthesized(s))
        return col != 0;
    return sqlite3_column_type(S(s), col) == SQLITE_NULL;
}

static int64_t lite_col_int(kt_db_stmt *s, int col)
{
    if (synthesized(s))
        return col == 0 ? ((lite_stmt *)s)->rowid : 0;
    return sqlite3_column_int64(S(s), col);
}

static double lite_col_double(kt_db_stmt *s, int col)
{
    if (synthesized(s))
        return col == 0 ? (double)((lite_stmt *)s)->rowid : 0;
    return sqlite3_column_double(S(s), col);
}

static const char *lite_col_text(kt_db_stmt *s, int col)
{
    assert(!synthesized(s)); /* the id is read as an integer */
    return (const char *)sqlite3_column_text(S(s), col);
}

static const void *lite_col_blob(kt_db_stmt *s, int col, size_t *n)
{
    assert(!synthesized(s));
    const void *p = sqlite3_column_blob(S(s), col);
    *n = (size_t)sqlite3_column_bytes(S(s), col);
    return p;
}

static int64_t lite_changes(kt_db_stmt *s)
{
    return ((lite_stmt *)s)->changes;
}

static void lite_reset(kt_db_stmt *s)
{
    ((lite_stmt *)s)->row_state = 0;
    sqlite3_reset(S(s));
}

/* ---- transactions, schema ---- */

enum { TXN_BEGIN_WRITE, TXN_BEGIN_READ, TXN_COMMIT, TXN_ROLLBACK, TXN_N = 7 };
/* The last three are the group commit's (store.c). */
static const char *const txn_text[TXN_N] = {"BEGIN IMMEDIATE",
                                            "BEGIN",
                                            "COMMIT",
                                            "ROLLBACK",
                                            "SAVEPOINT kt_op",
                                            "ROLLBACK TO SAVEPOINT kt_op",
                                            "RELEASE SAVEPOINT kt_op"};

/* One of the transaction statements, as exec_sql() would run its text. */
static int txn_sql(lite_store *ls, int which)
{
    if (!ls->txn[which] &&
        sqlite3_prepare_v3(ls->db, txn_text[which], -1, SQLITE_PREPARE_PERSISTENT, &ls->txn[which],
                           NULL) != SQLITE_OK)
        return exec_sql(ls->db, txn_text[which]);
    int rc = sqlite3_step(ls->txn[which]);
    rc = map_rc(ls->db, rc, txn_text[which]); /* before the reset: its message */
    sqlite3_reset(ls->txn[which]);
    return rc;
}

static int lite_exec(kt_store *st, const char *sql)
{
    lite_store *ls = lite(st);
    if (ls->wl_held)
        kt_wlock_note(ls->wl, sql);
    int i = 0;
    while (i < TXN_N && strcmp(sql, txn_text[i]) != 0)
        i++;
    int rc = i < TXN_N ? txn_sql(ls, i) : exec_sql(ls->db, sql);
    wl_drop(ls); /* a COMMIT or ROLLBACK in the text ended the transaction */
    return rc;
}

static int lite_query_int(kt_store *st, const char *sql, int64_t *out)
{
    sqlite3 *db = lite(st)->db;
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return map_rc(db, rc, sql);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    int result = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KT_ENOTFOUND : map_rc(db, rc, sql);
    sqlite3_finalize(s);
    return result;
}

/* Resets the statements of db that are still stepping (read, not reset): each holds a read
 * transaction open. Returns how many; each is logged, as it is a statement some caller left. */
static int reset_stepping(sqlite3 *db)
{
    int n = 0;
    for (sqlite3_stmt *s = sqlite3_next_stmt(db, NULL); s; s = sqlite3_next_stmt(db, s))
        if (sqlite3_stmt_busy(s)) {
            kt_warn("a statement was left open before a write began: reset", "sql=\"%.120s\"",
                    sqlite3_sql(s));
            sqlite3_reset(s);
            n++;
        }
    return n;
}

static int lite_begin_write(lite_store *ls);

static int lite_begin(kt_store *st, bool write)
{
    lite_store *ls = lite(st);
    if (!write)
        return txn_sql(ls, TXN_BEGIN_READ);
    int rc = wl_take(ls);
    if (rc)
        return rc;
    rc = lite_begin_write(ls);
    if (rc)
        wl_drop(ls);
    return rc;
}

static int lite_begin_write_now(lite_store *ls);

/* A background connection (the search indexer, kt_store_set_background) does not wait for a
 * writer of another process (a node sharing the file, a tool): it would wait holding this
 * process's write lock (wlock.h), and the loop thread's writes would queue behind it for as long
 * as the other process holds SQLite's lock, up to their busy timeout (test_multinode met
 * store_busy so: another node's index commit held the lock for seconds). It gives up at once,
 * quietly (KT_EBUSY), lets this process's writers go first and tries again later; they wait for
 * the other process themselves, without an indexer ahead of them. */
static int lite_begin_write(lite_store *ls)
{
    if (!ls->base.background)
        return lite_begin_write_now(ls);
    if (!sqlite3_get_autocommit(ls->db))
        return lite_begin_write_now(ls); /* an error either way: said as it is */
    if (!ls->txn[TXN_BEGIN_WRITE] &&
        sqlite3_prepare_v3(ls->db, txn_text[TXN_BEGIN_WRITE], -1, SQLITE_PREPARE_PERSISTENT,
                           &ls->txn[TXN_BEGIN_WRITE], NULL) != SQLITE_OK)
        return map_rc(ls->db, sqlite3_errcode(ls->db), txn_text[TXN_BEGIN_WRITE]);
    int rc = SQLITE_OK;
    for (int tries = 0; tries < 2; tries++) {
        ls->busy_no_wait = true;
        rc = sqlite3_step(ls->txn[TXN_BEGIN_WRITE]);
        ls->busy_no_wait = false;
        sqlite3_reset(ls->txn[TXN_BEGIN_WRITE]);
        if (rc == SQLITE_DONE)
            return 0;
        /* another process's lock, or a statement left stepping (see lite_begin_write_now) */
        if ((rc & 0xff) != SQLITE_BUSY || !reset_stepping(ls->db))
            break;
    }
    if ((rc & 0xff) == SQLITE_BUSY)
        return KT_EBUSY;
    return map_rc(ls->db, rc, txn_text[TXN_BEGIN_WRITE]);
}

static int lite_begin_write_now(lite_store *ls)
{
    /* A connection with a statement still stepping holds a read transaction, and SQLite then
     * answers BEGIN IMMEDIATE with SQLITE_BUSY at once when another connection (the search
     * indexer) has the write lock, without its busy handler: the write would be store_busy
     * though the lock is free again milliseconds later. No transaction is open here (store.c),
     * so such a statement is one a caller left unreset: reset it, and wait for the lock. */
    if (ls->txn[TXN_BEGIN_WRITE] && sqlite3_get_autocommit(ls->db)) {
        int rc = sqlite3_step(ls->txn[TXN_BEGIN_WRITE]);
        sqlite3_reset(ls->txn[TXN_BEGIN_WRITE]);
        if (rc == SQLITE_DONE)
            return 0;
        if ((rc & 0xff) != SQLITE_BUSY || !reset_stepping(ls->db))
            return map_rc(ls->db, rc, txn_text[TXN_BEGIN_WRITE]);
    }
    return txn_sql(ls, TXN_BEGIN_WRITE);
}

/* Rows changed since the connection opened (a failed statement's own work, which SQLite undoes
 * with the statement, does not count), or -1 once an error (disk full, I/O) rolled the whole
 * transaction back. */
static int64_t lite_write_mark(kt_store *st)
{
    sqlite3 *db = lite(st)->db;
    return sqlite3_get_autocommit(db) ? -1 : (int64_t)sqlite3_total_changes64(db);
}

static int lite_commit(kt_store *st)
{
    lite_store *ls = lite(st);
    if (ls->wl_held)
        kt_wlock_note(ls->wl, "COMMIT");
    int rc = txn_sql(ls, TXN_COMMIT);
    wl_drop(ls);
    return rc;
}

static void lite_rollback(kt_store *st)
{
    lite_store *ls = lite(st);
    if (!sqlite3_get_autocommit(ls->db))
        txn_sql(ls, TXN_ROLLBACK);
    wl_drop(ls);
}

static void lite_plans_mark(kt_store *st)
{
    lite_store *ls = lite(st);
    for (int i = 0; i < STMT_SLOTS; i++)
        if (ls->stmts[i]) {
            ls->stmts[i]->used = false;
            sqlite3_stmt_status(ls->stmts[i]->stmt, SQLITE_STMTSTATUS_VM_STEP, 1);
            sqlite3_stmt_status(ls->stmts[i]->stmt, SQLITE_STMTSTATUS_RUN, 1);
        }
}

static int lite_plans_costly(kt_store *st, int64_t max_steps,
                             void (*fn)(void *arg, const char *sql, int64_t steps), void *arg)
{
    lite_store *ls = lite(st);
    int found = 0;
    for (int i = 0; i < STMT_SLOTS; i++) {
        lite_stmt *s = ls->stmts[i];
        if (!s || !s->used)
            continue;
        int64_t steps = sqlite3_stmt_status(s->stmt, SQLITE_STMTSTATUS_VM_STEP, 0);
        int64_t runs = sqlite3_stmt_status(s->stmt, SQLITE_STMTSTATUS_RUN, 0);
        if (runs > 0 && steps / runs > max_steps) {
            found++;
            fn(arg, s->base.sql, steps / runs);
        }
    }
    return found;
}

static void lite_plans_work(kt_store *st, int64_t *steps, int64_t *runs)
{
    lite_store *ls = lite(st);
    *steps = *runs = 0;
    for (int i = 0; i < STMT_SLOTS; i++) {
        lite_stmt *s = ls->stmts[i];
        if (!s || !s->used)
            continue;
        *steps += sqlite3_stmt_status(s->stmt, SQLITE_STMTSTATUS_VM_STEP, 0);
        *runs += sqlite3_stmt_status(s->stmt, SQLITE_STMTSTATUS_RUN, 0);
    }
}

/* The table an alias of sql stands for ("... FROM items i JOIN ..." -> i is items), copied into
 * out; the name itself when it is no alias. */
static void table_of(const char *sql, const char *name, size_t nlen, char *out, size_t n)
{
    snprintf(out, n, "%.*s", (int)nlen, name);
    static const char *const intro[] = {" FROM ", " JOIN "};
    for (int k = 0; k < 2; k++)
        for (const char *p = strstr(sql, intro[k]); p; p = strstr(p + 1, intro[k])) {
            const char *t = p + strlen(intro[k]);
            size_t tl = strspn(t, "abcdefghijklmnopqrstuvwxyz_0123456789");
            const char *a = t + tl;
            while (*a == ' ')
                a++;
            if (strncmp(a, "AS ", 3) == 0)
                a += 3;
            size_t al = strspn(a, "abcdefghijklmnopqrstuvwxyz_0123456789");
            if (tl && al == nlen && strncmp(a, name, nlen) == 0) {
                snprintf(out, n, "%.*s", (int)tl, t);
                return;
            }
        }
}

/* "SCAN items" or "SCAN i USING INDEX x" (i an alias of items): the whole table or index is
 * read, so the cost grows with the table. ("SEARCH ..." is a lookup.) */
static bool scans(const char *sql, const char *detail, const char *const *tables)
{
    if (strncmp(detail, "SCAN ", 5) != 0)
        return false;
    const char *name = detail + 5;
    size_t nlen = strcspn(name, " ");
    char table[64];
    table_of(sql, name, nlen, table, sizeof table);
    for (int i = 0; tables[i]; i++)
        if (strcmp(table, tables[i]) == 0)
            return true;
    return false;
}

static int lite_plans_scans(kt_store *st, const char *const *tables,
                            void (*fn)(void *arg, const char *sql, const char *detail), void *arg)
{
    lite_store *ls = lite(st);
    int found = 0;
    for (int i = 0; i < STMT_SLOTS; i++) {
        lite_stmt *s = ls->stmts[i];
        if (!s || !s->used)
            continue;
        char *q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", s->base.sql);
        sqlite3_stmt *e = NULL;
        if (q && sqlite3_prepare_v2(ls->db, q, -1, &e, NULL) == SQLITE_OK)
            while (sqlite3_step(e) == SQLITE_ROW) {
                const char *detail = (const char *)sqlite3_column_text(e, 3);
                if (detail && scans(s->base.sql, detail, tables)) {
                    found++;
                    fn(arg, s->base.sql, detail);
                }
            }
        sqlite3_finalize(e);
        sqlite3_free(q);
    }
    return found;
}

static int user_version(sqlite3 *db)
{
    sqlite3_stmt *s;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return v;
}

static int lite_schema_version(kt_store *st)
{
    return user_version(lite(st)->db);
}

static int lite_latest_version(void)
{
    return kt_migrations_count();
}

/* PRAGMA quick_check: every page's structure, records and the indexes' order (not that indexes
 * match their tables: that is integrity_check, which takes far longer). Reads the whole file. */
static int lite_check(kt_store *st, char *result, size_t n)
{
    lite_store *ls = lite(st);
    char found[sizeof st->integrity] = "";
    size_t len = 0;
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(ls->db, "PRAGMA quick_check(5)", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            const char *line = (const char *)sqlite3_column_text(s, 0);
            if (line && strcmp(line, "ok") != 0 && len + 3 < sizeof found)
                len += (size_t)snprintf(found + len, sizeof found - len, "%s%s", len ? "; " : "",
                                        line);
        }
        sqlite3_finalize(s);
    }
    if (rc != SQLITE_DONE && len + 3 < sizeof found) /* so damaged the check itself stopped */
        snprintf(found + len, sizeof found - len, "%squick_check stopped: %s", len ? "; " : "",
                 sqlite3_errmsg(ls->db));
    bool noted = st->integrity[0] && strcmp(st->integrity, "unchecked") != 0 &&
                 strcmp(st->integrity, "ok") != 0; /* at open: a write-ahead log missing */
    if (found[0])
        snprintf(result, n, "%s", found);
    else if (!noted)
        snprintf(result, n, "ok");
    else if (result != st->integrity)
        snprintf(result, n, "%s", st->integrity);
    return !found[0] && !noted ? 0 : KT_ESTORE;
}

/* Copies the database into to through SQLite's online backup API, a few hundred pages per step:
 * writers go on between steps, and a write by another connection restarts the copy, so the
 * result is one consistent moment. The copy goes to "<to>.part", is checked, synced and then
 * renamed, so that a file named to is always a complete backup. */
static int lite_backup(kt_store *st, const char *to)
{
    sqlite3 *src = lite(st)->db, *dst = NULL;
    char part[4096];
    if (snprintf(part, sizeof part, "%s.part", to) >= (int)sizeof part)
        return KT_EINVAL;
    unlink(part);
    int rc = sqlite3_open_v2(part, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(dst, "main", src, "main") : NULL;
    if (!b) {
        kt_error("backup: cannot start", "to=\"%s\" error=\"%s\"", part,
                 dst ? sqlite3_errmsg(dst) : "out of memory");
        sqlite3_close(dst);
        unlink(part);
        return KT_EIO;
    }
    do {
        rc = sqlite3_backup_step(b, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    int pages = sqlite3_backup_pagecount(b);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        kt_error("backup failed", "to=\"%s\" code=%d error=\"%s\"", part, rc, sqlite3_errmsg(dst));
        sqlite3_close(dst);
        unlink(part);
        return rc == SQLITE_FULL ? KT_EUNAVAIL : KT_EIO;
    }
    /* One file, no log beside it: the copy is complete on its own. */
    char *msg = NULL;
    rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, &msg);
    sqlite3_free(msg);
    sqlite3_stmt *s = NULL;
    bool ok = rc == SQLITE_OK &&
              sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &s, NULL) == SQLITE_OK &&
              sqlite3_step(s) == SQLITE_ROW &&
              strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0;
    sqlite3_finalize(s);
    sqlite3_close(dst);
    int fd = ok ? open(part, O_RDONLY) : -1;
    ok = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok || rename(part, to) != 0) {
        kt_error("backup: the copy did not check out", "to=\"%s\"", part);
        unlink(part);
        return KT_EIO;
    }
    kt_info("backup written", "to=\"%s\" pages=%d", to, pages);
    return 0;
}

/* Writes the header page with what it holds already: a real write through the WAL, and a
 * commit, without touching a row. */
static int lite_probe_write(kt_store *st)
{
    lite_store *ls = lite(st);
    sqlite3 *db = ls->db;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", user_version(db));
    int rc = wl_take(ls);
    if (!rc)
        rc = exec_sql(db, "BEGIN IMMEDIATE");
    if (!rc)
        rc = exec_sql(db, sql);
    if (!rc)
        rc = exec_sql(db, "COMMIT");
    if (rc && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    wl_drop(ls);
    return rc;
}

/* Whether the open transaction left a row whose reference dangles (a migration that rebuilt a
 * table must leave every reference intact). */
static bool foreign_keys_broken(sqlite3 *db)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK)
        return true;
    bool broken = sqlite3_step(s) == SQLITE_ROW;
    if (broken)
        kt_error("migration broke a reference", "table=\"%s\"", sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return broken;
}

/* Applies every migration the database has not seen, each in its own IMMEDIATE transaction so
 * that two nodes starting together migrate once. Foreign keys are off while migrating (the
 * pragma cannot change inside a transaction): a migration may rebuild a table - SQLite's way to
 * change a column - without DROP TABLE cascading into the rows that reference it; every
 * reference is checked before each commit instead. */
static int migrate_all(lite_store *ls);
static int migrate(lite_store *ls)
{
    sqlite3 *db = ls->db;
    /* The schema is current at almost every open (every open but a new binary's first): said by
     * a read, without the write lock, which a store opened while others write (the detectors'
     * builder, the search indexer, a tool) would otherwise queue for, and hold up others with. */
    int v = user_version(db);
    if (v == kt_migrations_count())
        return 0;
    if (exec_sql(db, "PRAGMA foreign_keys=OFF"))
        return KT_ESTORE;
    const char *name = ls->base.name;
    ls->base.name = "migrations"; /* who holds the lock, should another connection wait */
    int rc = migrate_all(ls);
    wl_drop(ls);
    ls->base.name = name;
    if (exec_sql(db, "PRAGMA foreign_keys=ON"))
        rc = KT_ESTORE;
    return rc;
}

static int migrate_all(lite_store *ls)
{
    sqlite3 *db = ls->db;
    for (;;) {
        /* each step in turn with the process's other writers (given back at its commit) */
        if (wl_take(ls) || exec_sql(db, "BEGIN IMMEDIATE"))
            return KT_ESTORE;
        int v = user_version(db);
        if (v < 0 || v > kt_migrations_count()) {
            exec_sql(db, "ROLLBACK");
            kt_error("database schema is newer than this binary", "version=%d", v);
            return KT_ESTORE;
        }
        if (v == kt_migrations_count())
            return exec_sql(db, "COMMIT");
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
        if (exec_sql(db, kt_migration_sql(v)) || exec_sql(db, pragma) || foreign_keys_broken(db)) {
            exec_sql(db, "ROLLBACK");
            return KT_ESTORE;
        }
        if (exec_sql(db, "COMMIT"))
            return KT_ESTORE;
        kt_info("schema migrated", "version=%d", v + 1);
    }
}

/* ---- checkpoints aside (kt_store_options.checkpoint_aside) ----
 *
 * A commit in WAL mode appends the pages it changed to the -wal and (with --sync full) fsyncs
 * it. Once the log holds 1,000 pages, the committing thread then also copies the log into the
 * database and fsyncs that (a checkpoint, in wal_committed() after the write lock is given
 * back): milliseconds to tens of milliseconds on the event loop, every few hundred writes, in
 * the tail of the acknowledgement latency. With checkpoint_aside wal_committed() instead wakes a
 * thread of the store's own, which checkpoints on its own connection:
 *  1. PASSIVE, without any lock: it copies what no reader still needs and fsyncs the database,
 *     never waiting for a lock or blocking a writer, which goes on appending to the log meanwhile;
 *  2. RESTART, holding this process's write lock (wlock.h, in turn with the loop's group commits),
 *     so that the next write starts the log from its beginning.
 * Step 1 alone never let the log restart under a stream of writes: SQLite restarts it only when a
 * write begins after a checkpoint that copied all of it, and the loop's next group always began
 * while the checkpoint was still copying or syncing. The log then grew without end, every commit
 * found it past 1,000 pages and woke this thread again, and each checkpoint copied one or two
 * commits' pages at the price of two fsyncs (writes6 at 1 writer: 0.6 checkpoints and 2.2 fsyncs
 * per acknowledged write, 1,302 writes/s against 2,450; bench/README "writes7").
 *
 * Step 2 holds the writers off, so it should find nothing left to copy: a copy there ends with an
 * fsync of the database while every write of the node waits (0.8 ms typically, up to 13 ms: a
 * small part of the acknowledgements' tail, whose larger part is the commit's own fsync; see
 * bench/README "sync12"). So the thread takes the
 * lock, sees whether anything was committed since its last PASSIVE (k->frames, the log's size
 * after this process's last commit, set by the wal hook before it gives the lock back), and if
 * so gives the lock back at once and copies that with another PASSIVE, writers writing on (the
 * hold then copies at most what was committed during that short PASSIVE, not during the long
 * first one); after CKPT_TRIES looks it copies under the lock, which bounds the log's growth as
 * before. Measured at ~1,000 commits/s most holds still had a commit or two to copy (a PASSIVE's
 * fsync outlasts the gap between two commits), so more looks would only add fsyncs. And a round
 * that restarted the log forgets the wake-ups of the commits made during it (they saw the old log
 * past 1,000 pages): they made a second round, whose step 2 copied the new log's first frames and
 * fsynced under the lock for nothing. */

#define CKPT_READERS_MS 5
#define CKPT_TRIES      2

typedef struct lite_ckpt {
    lite_store *ls;
    sqlite3 *db; /* the thread's own connection */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool due, stop;
    _Atomic int frames;     /* frames in the log after this process's last commit to the file */
    struct lite_ckpt *next; /* in asides */
} lite_ckpt;

/* The checkpointing threads of this process, each with its file (its store's write lock): the
 * process's other connections to that file (the search indexer's, the detectors' builder's) hand
 * their checkpoints to it too (ckpt_hand_over). Each checkpointing on its own, they took the
 * checkpoint lock from one another (the thread's turn then found it busy) and did the same copy
 * and fsyncs twice. */
static pthread_mutex_t asides_mu = PTHREAD_MUTEX_INITIALIZER;
static lite_ckpt *asides;

static bool ckpt_failed(int rc)
{
    return rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED;
}

/* One checkpoint (steps 1 and 2 above): whether it restarted the log. */
static bool ckpt_run(lite_ckpt *k)
{
    lite_store *ls = k->ls;
    kt_store *st = &ls->base;
    int log = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(k->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    bool restarted = false;
    /* Step 2, the restart, between two of this process's write transactions. Another process's
     * writer (a node sharing the file) makes it PASSIVE again; a reader still on the log makes
     * it wait briefly (the busy timeout of k->db), then leave the restart to the first writer
     * that finds the log copied. */
    for (int tries = 1; rc == SQLITE_OK && log > 0 && ls->wl; tries++) {
        if (kt_wlock_acquire(ls->wl, "checkpoint", ls->busy_timeout_ms) != 0)
            break;
        int64_t t0 = kt_mono_ns();
        bool clean = copied == log && atomic_load(&k->frames) == log;
        if (!clean && tries < CKPT_TRIES) {
            kt_wlock_release(ls->wl); /* copy what was committed since, writers writing on */
            rc = sqlite3_wal_checkpoint_v2(k->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
            continue;
        }
        rc = sqlite3_wal_checkpoint_v2(k->db, NULL, SQLITE_CHECKPOINT_RESTART, &log, &copied);
        kt_wlock_release(ls->wl);
        atomic_fetch_add(&st->ckpt_holds, 1);
        atomic_fetch_add(&st->ckpt_hold_ns, (uint64_t)(kt_mono_ns() - t0));
        if (!clean)
            atomic_fetch_add(&st->ckpt_holds_copying, 1);
        restarted = rc == SQLITE_OK;
        if ((rc & 0xff) == SQLITE_BUSY && copied == log)
            rc = SQLITE_OK; /* all copied; a reader kept the log from restarting */
        break;
    }
    if (rc == SQLITE_OK && copied == log)
        atomic_fetch_add(&st->ckpt_done, 1);
    else
        atomic_fetch_add(&st->ckpt_partial, 1);
    if (ckpt_failed(rc)) {
        /* The log cannot be copied into the database (disk full, an I/O error): it grows until a
         * checkpoint succeeds again. Nothing acknowledged is lost (it is in the log, synced),
         * but it must not go unnoticed: /metrics and /healthz say so too. */
        atomic_fetch_add(&st->ckpt_errors, 1);
        if (!atomic_exchange(&st->ckpt_failing, true))
            kt_error("checkpoint failed: the write-ahead log grows until one succeeds",
                     "code=%d error=\"%s\" log_frames=%d", rc, sqlite3_errmsg(k->db), log);
    } else if (rc == SQLITE_OK && atomic_exchange(&st->ckpt_failing, false)) {
        kt_info("checkpoints succeed again", "log_frames=%d copied=%d", log, copied);
    }
    return restarted;
}

static void *ckpt_main(void *arg)
{
    lite_ckpt *k = arg;
    pthread_setname_np(pthread_self(), "kt-checkpoint"); /* in top, perf and gdb */
    pthread_mutex_lock(&k->lock);
    for (;;) {
        while (!k->due && !k->stop)
            pthread_cond_wait(&k->cond, &k->lock);
        if (k->stop)
            break;
        k->due = false;
        pthread_mutex_unlock(&k->lock);
        bool restarted = ckpt_run(k);
        pthread_mutex_lock(&k->lock);
        if (restarted)
            k->due = false; /* the commits meanwhile saw the old log, which is copied */
    }
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

/* Wakes the thread: the wal hook (wal_committed) calls it once the log holds CHECKPOINT_PAGES. */
static void ckpt_due(lite_ckpt *k)
{
    pthread_mutex_lock(&k->lock);
    k->due = true;
    pthread_cond_signal(&k->cond);
    pthread_mutex_unlock(&k->lock);
}

static int ckpt_start(lite_store *ls, const kt_store_options *opt)
{
    lite_ckpt *k = calloc(1, sizeof *k);
    if (!k)
        return KT_ENOMEM;
    k->ls = ls;
    if (sqlite3_open_v2(opt->path, &k->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        exec_sql(k->db, opt->sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL")) {
        kt_error("cannot open the checkpoint connection", "path=\"%s\"", opt->path);
        sqlite3_close(k->db);
        free(k);
        return KT_ESTORE;
    }
    sqlite3_wal_autocheckpoint(k->db, 0);
    /* RESTART waits this long for readers still on the log, holding the writers off meanwhile */
    sqlite3_busy_timeout(k->db, CKPT_READERS_MS);
    pthread_mutex_init(&k->lock, NULL);
    pthread_cond_init(&k->cond, NULL);
    if (pthread_create(&k->thread, NULL, ckpt_main, k)) {
        pthread_cond_destroy(&k->cond);
        pthread_mutex_destroy(&k->lock);
        sqlite3_close(k->db);
        free(k);
        return KT_ESTORE;
    }
    ls->ckpt = k; /* from now on wal_committed() hands checkpoints to it */
    pthread_mutex_lock(&asides_mu);
    k->next = asides;
    asides = k;
    pthread_mutex_unlock(&asides_mu);
    return 0;
}

/* Tells the checkpointing thread of wl's file, if this process has one, the log's size after a
 * commit of another connection (the search indexer's), and wakes it when due: whether there is
 * one. */
static bool ckpt_hand_over(kt_wlock *wl, int pages, bool due)
{
    if (!wl)
        return false;
    pthread_mutex_lock(&asides_mu);
    lite_ckpt *k = asides;
    while (k && k->ls->wl != wl)
        k = k->next;
    if (k) {
        atomic_store(&k->frames, pages);
        if (due)
            ckpt_due(k);
    }
    pthread_mutex_unlock(&asides_mu);
    return k != NULL;
}

static void ckpt_stop(lite_store *ls)
{
    lite_ckpt *k = ls->ckpt;
    if (!k)
        return;
    ls->ckpt = NULL; /* wal_committed() checkpoints itself again */
    pthread_mutex_lock(&asides_mu);
    lite_ckpt **p = &asides;
    while (*p && *p != k)
        p = &(*p)->next;
    if (*p)
        *p = k->next;
    pthread_mutex_unlock(&asides_mu);
    pthread_mutex_lock(&k->lock);
    k->stop = true;
    pthread_cond_signal(&k->cond);
    pthread_mutex_unlock(&k->lock);
    pthread_join(k->thread, NULL);
    pthread_cond_destroy(&k->cond);
    pthread_mutex_destroy(&k->lock);
    sqlite3_close(k->db);
    free(k);
}

static void lite_close(kt_store *st)
{
    lite_store *ls = lite(st);
    ckpt_stop(ls);
    if (ls->wl_held) {
        sqlite3_exec(ls->db, "ROLLBACK", NULL, NULL, NULL);
        wl_drop(ls);
    }
    for (int i = 0; i < STMT_SLOTS; i++)
        if (ls->stmts[i]) {
            sqlite3_finalize(ls->stmts[i]->stmt);
            free(ls->stmts[i]);
        }
    for (int i = 0; i < TXN_N; i++)
        sqlite3_finalize(ls->txn[i]);
    sqlite3_close(ls->db);
    free(ls);
}

static const kt_db_ops lite_ops = {
    .name = "sqlite",
    .prepare = lite_prepare,
    .bind_int = lite_bind_int,
    .bind_double = lite_bind_double,
    .bind_text = lite_bind_text,
    .bind_blob = lite_bind_blob,
    .bind_null = lite_bind_null,
    .step = lite_step,
    .col_null = lite_col_null,
    .col_int = lite_col_int,
    .col_double = lite_col_double,
    .col_text = lite_col_text,
    .col_blob = lite_col_blob,
    .changes = lite_changes,
    .reset = lite_reset,
    .exec = lite_exec,
    .query_int = lite_query_int,
    .begin = lite_begin,
    .write_mark = lite_write_mark,
    .commit = lite_commit,
    .rollback = lite_rollback,
    .plans_mark = lite_plans_mark,
    .plans_scans = lite_plans_scans,
    .plans_costly = lite_plans_costly,
    .plans_work = lite_plans_work,
    .check = lite_check,
    .backup = lite_backup,
    .probe_write = lite_probe_write,
    .schema_version = lite_schema_version,
    .latest_version = lite_latest_version,
    .close = lite_close,
};

/* What a node that stopped without closing the database (a crash, SIGKILL, power loss) left
 * behind: its -wal (the commits since the last checkpoint) and its -shm, the wal-index, whose
 * header says how many frames of the log were committed (mxFrame), under which salts, and how
 * many of them are already copied into the database (nBackfill). A clean close removes both.
 * SQLite's recovery at the next open rebuilds the wal-index from the frames that are valid in
 * the -wal (their salts match the log's header and their checksums chain), stops at the first
 * frame that is not, and drops every frame after the last valid commit: commits lost to a
 * missing, truncated or damaged log vanish without a word. So before opening, the header the
 * previous process left is compared with the frames that are valid in the log
 * (https://www.sqlite.org/walformat.html, https://www.sqlite.org/fileformat2.html#walformat). */

#define WAL_HDR   32
#define WAL_FRAME 24
#define SHM_HDR   48  /* one copy of the wal-index header; two copies, then the checkpoint info */
#define SHM_DMS   128 /* the byte every live connection holds a shared lock on */
#define WAL_MAGIC 0x377f0682u

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* SQLite's WAL checksum over n bytes (n a multiple of 8), words in big- or little-endian order,
 * continuing from s[0], s[1]. */
static void wal_cksum(bool big, const unsigned char *p, size_t n, uint32_t s[2])
{
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint32_t x0 = big ? be32(p + i)
                          : (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
                                (uint32_t)p[i + 3] << 24;
        uint32_t x1 = big ? be32(p + i + 4)
                          : (uint32_t)p[i + 4] | (uint32_t)p[i + 5] << 8 |
                                (uint32_t)p[i + 6] << 16 | (uint32_t)p[i + 7] << 24;
        s[0] += x0 + s[1];
        s[1] += x1 + s[0];
    }
}

/* The frames of the log at wal that SQLite's recovery keeps: valid frames up to the last commit
 * frame. Salts of the log's header go to salt. -1 when the file cannot be read at all. */
static int64_t wal_valid_frames(const char *wal, uint32_t salt[2])
{
    FILE *f = fopen(wal, "rb");
    if (!f)
        return -1;
    unsigned char hdr[WAL_HDR];
    int64_t kept = 0;
    salt[0] = salt[1] = 0;
    if (fread(hdr, 1, sizeof hdr, f) != sizeof hdr || (be32(hdr) & ~1u) != WAL_MAGIC) {
        fclose(f);
        return 0;
    }
    bool big = be32(hdr) & 1;
    uint32_t page = be32(hdr + 8);
    uint32_t s[2] = {0, 0};
    wal_cksum(big, hdr, 24, s);
    memcpy(salt, hdr + 16, 8); /* as the wal-index keeps them: the bytes of the log */
    if (s[0] != be32(hdr + 24) || s[1] != be32(hdr + 28) || page < 512 || page > 65536 ||
        (page & (page - 1))) {
        fclose(f);
        return 0;
    }
    unsigned char *frame = malloc(WAL_FRAME + (size_t)page);
    for (int64_t n = 1; frame && fread(frame, 1, WAL_FRAME + page, f) == WAL_FRAME + page; n++) {
        if (be32(frame) == 0 || memcmp(frame + 8, salt, 8) != 0)
            break;
        wal_cksum(big, frame, 8, s);
        wal_cksum(big, frame + WAL_FRAME, page, s);
        if (s[0] != be32(frame + 16) || s[1] != be32(frame + 20))
            break;
        if (be32(frame + 4)) /* the database's size after a commit: a commit frame */
            kept = n;
    }
    free(frame);
    fclose(f);
    return kept;
}

static uint32_t frames_lost; /* at this process's first open; for /metrics */

uint64_t kt_store_wal_frames_lost(void)
{
    return frames_lost;
}

static void wal_lost(const char *wal, const char *what, uint32_t lost, uint32_t committed,
                     char *note, size_t n)
{
    if (strcmp(what, "missing") == 0)
        kt_error("write-ahead log missing at start: acknowledged commits are lost",
                 "path=\"%s\" frames_lost=%u frames_committed=%u", wal, lost, committed);
    else
        kt_error("write-ahead log truncated or damaged at start: acknowledged commits are lost",
                 "path=\"%s\" frames_lost=%u frames_committed=%u", wal, lost, committed);
    snprintf(note, n, "write-ahead log %s at start: recent commits lost (%u of %u frames)", what,
             lost, committed);
    if (lost > frames_lost)
        frames_lost = lost;
}

/* Only before this process has any database open: closing a descriptor of a file drops every
 * POSIX lock the process holds on it, and SQLite's connections hold theirs on the -shm (the
 * dead-man's switch, the WAL locks). Closing one under them would let another process take the
 * wal-index for dead and rebuild it under their mapping (SIGBUS), or write beside a reader. */
static atomic_flag opened_before = ATOMIC_FLAG_INIT;

static void wal_check(const char *path, char *note, size_t n)
{
    if (atomic_flag_test_and_set(&opened_before))
        return;
    char wal[4096], shm[4096];
    if (snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal ||
        snprintf(shm, sizeof shm, "%s-shm", path) >= (int)sizeof shm)
        return;
    int fd = open(shm, O_RDONLY);
    if (fd < 0)
        return; /* closed cleanly, or never opened in WAL mode */
    /* A connection of another process that is open holds the dead-man's-switch byte: its
     * wal-index is the live one and no recovery follows. */
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = SHM_DMS, .l_len = 1};
    unsigned char h[SHM_HDR * 2 + 40];
    bool live = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
    bool read_ok = !live && pread(fd, h, sizeof h, 0) == (ssize_t)sizeof h;
    close(fd);
    if (!read_ok)
        return;
    /* WalIndexHdr, in the native byte order: iVersion, unused, iChange, isInit, bigEndCksum,
     * szPage, mxFrame (16), nPage, aFrameCksum[2], aSalt[2] (32), aCksum[2] (40); its two copies
     * agree when it was written completely; aSalt holds the log header's bytes as they are.
     * nBackfill is the first word after the two copies. */
    uint32_t version, mx, salt[2], backfill, ck[2] = {0, 0};
    memcpy(&version, h, 4);
    memcpy(&mx, h + 16, 4);
    memcpy(salt, h + 32, 8);
    memcpy(&backfill, h + 2 * SHM_HDR, 4);
    unsigned char native[8] = {0};
    memcpy(native, h + 40, 8);
    uint32_t probe = 1;
    bool little = *(unsigned char *)&probe == 1;
    wal_cksum(!little, h, 40, ck);
    uint32_t want[2];
    memcpy(want, native, 8);
    if (version != 3007000 || !h[12] || memcmp(h, h + SHM_HDR, SHM_HDR) != 0 || ck[0] != want[0] ||
        ck[1] != want[1] || mx == 0 || mx <= backfill)
        return; /* no header written, or every committed frame is in the database already */
    struct stat sb;
    if (stat(wal, &sb) != 0 && errno == ENOENT) {
        wal_lost(wal, "missing", mx - backfill, mx, note, n);
        return;
    }
    uint32_t wsalt[2];
    int64_t valid = wal_valid_frames(wal, wsalt);
    if (valid < 0)
        return; /* cannot read it: the open will say why */
    if (wsalt[0] != salt[0] || wsalt[1] != salt[1])
        valid = 0; /* not the log the wal-index describes: none of its frames count */
    if (valid < (int64_t)mx)
        wal_lost(wal, "truncated or damaged",
                 mx - (uint32_t)(valid > (int64_t)backfill ? valid : backfill), mx, note, n);
}

/* Called by SQLite after each commit of a write transaction, with the file's write lock already
 * released: this process's lock is given back here too, before the checkpoint that may follow,
 * which lets writers write on (PASSIVE) and may take long (it syncs the file, which waits for
 * the disk on a machine that writes a lot). Checkpoints as SQLite's default hook would (once the
 * log holds 1000 pages), and says when one took long. */
#define CHECKPOINT_PAGES 1000
static int wal_committed(void *arg, sqlite3 *db, const char *schema, int pages)
{
    lite_store *ls = arg;
    bool due = pages >= CHECKPOINT_PAGES;
    /* The log's size, for the checkpointing thread's step 2, before the lock is given back:
     * whoever takes it next sees this commit's frames counted. */
    bool aside = true;
    if (ls->ckpt) { /* checkpoint_aside: the store's own thread does it */
        atomic_store(&ls->ckpt->frames, pages);
        atomic_store(&ls->base.ckpt_log_frames, pages);
        if (due)
            ckpt_due(ls->ckpt);
    } else {
        aside = ckpt_hand_over(ls->wl, pages, due); /* another store of this process has one */
    }
    if (ls->wl_held) {
        ls->wl_held = false;
        kt_wlock_release(ls->wl);
    }
    if (!due || aside)
        return SQLITE_OK;
    int64_t t0 = kt_mono_ns();
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    int64_t ms = (kt_mono_ns() - t0) / 1000000;
    if (ms >= KT_WLOCK_SLOW_MS)
        kt_warn("a checkpoint took long (outside the write lock)",
                "who=%s ms=%lld pages=%d copied=%d rc=%d", store_name(ls), (long long)ms, log, done,
                rc);
    return SQLITE_OK; /* a checkpoint that could not finish is tried again after a later commit */
}

/* SQLite's busy handler: another process's connection (a node sharing the file, a tool) holds
 * the lock; this process's own take turns before (wlock.h). SQLite's default handler sleeps up
 * to 100 ms between looks and so misses the gaps between the transactions of a busy writer;
 * this one looks every millisecond or two, says when it has waited long, and gives up after the
 * busy timeout (store_busy). */
static int busy_wait(void *arg, int count)
{
    lite_store *ls = arg;
    if (ls->busy_no_wait)
        return 0;
    int64_t now = kt_mono_ns();
    if (count == 0) {
        ls->busy_since_ns = now;
        ls->busy_said = false;
    }
    int64_t waited_ms = (now - ls->busy_since_ns) / 1000000;
    if (waited_ms >= ls->busy_timeout_ms) {
        kt_warn("store busy: another process held the database's lock for the whole busy timeout",
                "who=%s waited_ms=%lld", store_name(ls), (long long)waited_ms);
        return 0;
    }
    if (!ls->busy_said && waited_ms >= KT_WLOCK_SLOW_MS) {
        kt_warn("waiting long for the database's lock: another process holds it",
                "who=%s waited_ms=%lld", store_name(ls), (long long)waited_ms);
        ls->busy_said = true;
    }
    static const long sleep_us[] = {100, 200, 500, 1000, 2000};
    int n = (int)(sizeof sleep_us / sizeof sleep_us[0]);
    struct timespec t = {0, 1000L * sleep_us[count < n ? count : n - 1]};
    nanosleep(&t, NULL);
    return 1;
}

/* SQLite keeps statistics of its memory use by default (sqlite3_status), which makes every one
 * of its allocations take a global mutex and update counters (hundreds of instructions each,
 * dozens of allocations per write). Nothing here reads them. This must come before SQLite
 * initialises, so the first open of the process does it (later it is refused, harmlessly). */
static void lite_config(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int kt_sqlite_open(const kt_store_options *opt, kt_store **out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, lite_config);
    lite_store *ls = calloc(1, sizeof *ls);
    if (!ls)
        return KT_ENOMEM;
    ls->base.ops = &lite_ops;
    ls->base.dialect = KT_DIALECT_SQLITE;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    wal_check(opt->path, ls->base.integrity, sizeof ls->base.integrity);
    if (sqlite3_open_v2(opt->path, &ls->db, flags, NULL) != SQLITE_OK) {
        kt_error("cannot open database", "path=\"%s\" error=\"%s\"", opt->path,
                 ls->db ? sqlite3_errmsg(ls->db) : "out of memory");
        goto fail;
    }
    ls->busy_timeout_ms = opt->busy_timeout_ms > 0 ? opt->busy_timeout_ms : 5000;
    sqlite3_busy_handler(ls->db, busy_wait, ls);
    sqlite3_wal_hook(ls->db, wal_committed, ls);
    if (exec_sql(ls->db, "PRAGMA journal_mode=WAL") || exec_sql(ls->db, "PRAGMA foreign_keys=ON"))
        goto fail;
    /* The file exists now: this process's connections to it share one write lock (wlock.h). */
    struct stat fs;
    if (stat(opt->path, &fs) == 0)
        ls->wl = kt_wlock_for(fs.st_dev, fs.st_ino);
    if (exec_sql(ls->db, opt->sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"))
        goto fail;
    /* Reads dominate (snapshots, replay, detectors): map the file and keep a real page cache
     * rather than copying every page through pread. */
    if (exec_sql(ls->db, "PRAGMA mmap_size=1073741824") ||
        exec_sql(ls->db, "PRAGMA cache_size=-16384") ||
        exec_sql(ls->db, "PRAGMA temp_store=MEMORY"))
        goto fail;
    /* What retention and erasure delete is overwritten in the file, not left in free pages
     * (docs/avg.md). Deletes are rare here, so the extra writes are too. */
    if (exec_sql(ls->db, "PRAGMA secure_delete=ON"))
        goto fail;
    /* The Dutch search tokenizer before the migrations, which create the index using it. */
    if (kt_fts_dutch_register(ls->db) != SQLITE_OK) {
        kt_error("cannot register the search tokenizer", "error=\"%s\"", sqlite3_errmsg(ls->db));
        goto fail;
    }
    if (migrate(ls))
        goto fail;
    if (opt->checkpoint_aside && ckpt_start(ls, opt))
        goto fail;
    *out = &ls->base;
    return 0;
fail:
    sqlite3_close(ls->db);
    free(ls);
    return KT_ESTORE;
}

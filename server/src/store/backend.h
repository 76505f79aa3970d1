/* What a storage backend provides to the store (store/sqlite/, store/pg/), and the state every
 * store shares whatever its backend. Only files under server/src/store/ include this header.
 *
 * A backend implements one statement interface (prepare, bind, step, read columns) and
 * transactions; everything above it - the typed operations per aggregate in store/<aggregate>.c -
 * is written once, in SQL both backends accept. Where their dialects differ, the operation picks
 * its text with kt_db_sql(). */
#ifndef KT_STORE_BACKEND_H
#define KT_STORE_BACKEND_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kt_db_stmt kt_db_stmt;

typedef enum kt_db_dialect {
    KT_DIALECT_SQLITE,
    KT_DIALECT_PG,
} kt_db_dialect;

typedef struct kt_db_ops {
    const char *name; /* "sqlite", "postgresql" */
    /* A prepared statement for sql, cached by the pointer value of sql (pass literals). It is
     * reset and its bindings are cleared. NULL on error (logged). Owned by the store. */
    kt_db_stmt *(*prepare)(kt_store *st, const char *sql);
    void (*bind_int)(kt_db_stmt *s, int i, int64_t v);
    void (*bind_double)(kt_db_stmt *s, int i, double v);
    void (*bind_text)(kt_db_stmt *s, int i, const char *v); /* not copied */
    void (*bind_blob)(kt_db_stmt *s, int i, const void *p, size_t n);
    void (*bind_null)(kt_db_stmt *s, int i);
    int (*step)(kt_db_stmt *s); /* KT_DB_ROW, KT_DB_DONE or a negative KT_E* */
    bool (*col_null)(kt_db_stmt *s, int col);
    int64_t (*col_int)(kt_db_stmt *s, int col);
    double (*col_double)(kt_db_stmt *s, int col);
    const char *(*col_text)(kt_db_stmt *s, int col);
    const void *(*col_blob)(kt_db_stmt *s, int col, size_t *n);
    int64_t (*changes)(kt_db_stmt *s); /* rows the last completed step changed */
    void (*reset)(kt_db_stmt *s);
    /* Runs s (prepared and bound) later in the open write transaction, before its commit, with
     * whatever the transaction sends next (kt_db_run_later); NULL: at once. */
    int (*run_later)(kt_db_stmt *s, int64_t expect);
    /* As run_later, for a check of what the store remembered (kt_db_check_later): not a change,
     * and a different answer fails with KT_ESTALE (and sets stale) rather than KT_ESTORE.
     * NULL: the backend cannot defer, and the store does not remember (it reads). */
    int (*check_later)(kt_db_stmt *s, int64_t expect);
    /* Sends what check_later deferred and waits for its answers: 0, KT_ESTALE or a KT_E*.
     * NULL: nothing is ever deferred. */
    int (*settle)(kt_store *st);
    /* Runs sql (several statements allowed, no parameters). 0 or a KT_E*. */
    int (*exec)(kt_store *st, const char *sql);
    /* Runs one query without preparing it and reads its first column of its first row:
     * 0, KT_ENOTFOUND or a KT_E*. */
    int (*query_int)(kt_store *st, const char *sql, int64_t *out);
    /* Transactions: write (the write lock at once) or a read snapshot. */
    int (*begin)(kt_store *st, bool write);
    /* How many rows the open write transaction has changed so far (any count that grows with
     * every change), or -1 when no transaction is open (an error rolled it back). A backend that
     * has it runs a group commit's operations without a savepoint each (store.c); NULL: one
     * savepoint per operation. */
    int64_t (*write_mark)(kt_store *st);
    int (*commit)(kt_store *st);
    void (*rollback)(kt_store *st);
    /* Tests: forget which statements ran / report the full scans of tables (NULL-terminated)
     * in the query plans of those that ran since. NULL when the backend cannot tell. */
    void (*plans_mark)(kt_store *st);
    int (*plans_scans)(kt_store *st, const char *const *tables,
                       void (*fn)(void *arg, const char *sql, const char *detail), void *arg);
    int (*plans_costly)(kt_store *st, int64_t max_steps,
                        void (*fn)(void *arg, const char *sql, int64_t steps), void *arg);
    void (*plans_work)(kt_store *st, int64_t *steps, int64_t *runs);
    /* The database's own check of its file into result (see kt_store_check); NULL: none. */
    int (*check)(kt_store *st, char *result, size_t n);
    /* An online backup into a file (kt_store_backup); NULL: not this backend. */
    int (*backup)(kt_store *st, const char *to);
    /* A committed write that reaches the file; NULL: a ping does. */
    int (*probe_write)(kt_store *st);
    int (*schema_version)(kt_store *st);
    int (*latest_version)(void);
    void (*close)(kt_store *st); /* frees st */
} kt_db_ops;

#define KT_STORE_HIST_SLOTS (KT_STORE_HIST_BUCKETS + 1)

/* The part of every store the backends share; a backend's own struct starts with it. */
struct kt_store {
    const kt_db_ops *ops;
    kt_db_dialect dialect;
    int txn_depth; /* 0 or 1: transactions do not nest */
    bool txn_write;
    bool background;         /* kt_store_set_background: gives way to the process's other writers */
    const char *name;        /* kt_store_set_name: who this connection is, in the log */
    bool search_merging_set; /* store/search.c: the index's merge settings were checked */
    int64_t search_merge_owed; /* store/search.c: pages of merging owed by earlier batches */
    /* Group commit (store.h): a write transaction shared by several operations; in_op while one
     * of them runs. op_savepoint: the running one has a savepoint of its own; else op_mark is
     * the backend's write_mark when it began (store.c, kt_store_group_leave). */
    bool group_open, in_op, op_savepoint, op_isolated;
    int64_t op_mark;
    /* The last operation's savepoint is released with the next one's start (one round trip for
     * both); a commit or a rollback releases it anyway. */
    bool release_pending;
    int group_ops;
    void (*group_flush)(void *arg);
    void *group_flush_arg;
    int64_t txn_started_ns;
    uint64_t hist[KT_STORE_HIST_SLOTS];
    double hist_sum_ms;
    uint64_t hist_total;
    /* checkpoint_aside (store.h): checkpoints the store's own thread ran (complete or not,
     * failed), its holds of the writers (kt_store_ckpt_stats), the log's size */
    _Atomic uint64_t ckpt_done, ckpt_partial, ckpt_errors, ckpt_holds, ckpt_hold_ns,
        ckpt_holds_copying;
    _Atomic bool ckpt_failing;
    _Atomic int64_t ckpt_log_frames;
    uint64_t round_trips; /* exchanges with a database server (PostgreSQL); 0 in-process */
    /* The head of one body's event stream as the open write transaction left it (events.c):
     * known from its answer to an append, valid until the transaction or an operation of its
     * group ends otherwise than kept (store.c). */
    bool seq_known;
    int64_t seq_body, seq_head;
    /* Memberships remembered across transactions (memberships.c, store/memberships.h); a
     * check_later verifies each use. stale: a check found one changed (kt_store_stale_take). */
    struct kt_member_memo *member_memo;
    bool stale;
    char integrity[200]; /* kt_store_integrity(): "unchecked" until checked; a backend's open may
                            note a problem here (a write-ahead log gone missing) */
};

/* Every statement starts with this. */
struct kt_db_stmt {
    kt_store *st;
    const char *sql;
};

/* The backends' constructors (store.c picks one by the shape of the path). */
int kt_sqlite_open(const kt_store_options *opt, kt_store **out);
int kt_pg_open(const kt_store_options *opt, kt_store **out);

/* The memberships the store remembers across transactions (memberships.c): forget them all
 * (after a rollback, a membership's change) / free them (at close). */
void kt_store_member_memo_forget(kt_store *st);
void kt_store_member_memo_free(kt_store *st);

#endif

/* The store: the one way into the database. Backend-neutral: SQLite (the embedded default, a
 * file path) or PostgreSQL (a postgresql:// URL), chosen at open; each backend keeps its own
 * versioned migrations. Above this header the rest of the server sees only typed operations per
 * aggregate (store/events.h, store/sessions.h, ...; see store/README.md), which own their SQL
 * and return plain C structs or JSON. No SQL and no sqlite3.h / libpq-fe.h outside
 * server/src/store/.
 *
 * Errors: every operation returns 0 or a negative KT_E* (util/err.h). KT_ENOTFOUND means the row
 * is not there - never that reading failed (that is KT_ESTORE, KT_EBUSY or KT_EUNAVAIL).
 *
 * Threads: a store is used by one thread at a time (the one that opened it, or one it was handed
 * to). Several processes may open the same database; writers serialise (SQLite's write lock,
 * PostgreSQL's transaction lock), so the per-body seq stays gap-free. */
#ifndef KT_STORE_H
#define KT_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct kt_store kt_store;

typedef struct kt_store_options {
    const char *path;    /* SQLite file (created when missing) or postgresql:// URL */
    bool sync_full;      /* durable commits: SQLite fsyncs every commit (else only checkpoints) */
    int busy_timeout_ms; /* how long a writer waits for another writer's lock */
    /* SQLite: the write-ahead log is copied into the database (checkpointed, fsyncs and all) by
     * a thread of the store's own, never by a commit of this connection - for the event loop's
     * store, whose commits acknowledge writes. Without it a commit that finds the log past
     * 1,000 pages checkpoints it first (SQLite's default). PostgreSQL: ignored. */
    bool checkpoint_aside;
    /* PostgreSQL: no exchange with the server (a round trip, or making a connection) waits
     * longer than this; one that does drops the connection and fails with KT_EUNAVAIL, and a
     * new one is made at a later use (store/pg/pg.c). 0: no deadline, but 30 s to connect
     * (tools, tests). The schema's migration at open has none. SQLite: ignored. */
    int timeout_ms;
} kt_store_options;

/* Opens (creating if needed) and migrates. *out is owned by the caller: kt_store_close(). */
int kt_store_open(const kt_store_options *opt, kt_store **out);
void kt_store_close(kt_store *st);

/* True when path names a PostgreSQL database (postgresql:// or postgres://). */
bool kt_store_is_url(const char *path);
/* "sqlite" or "postgresql". */
const char *kt_store_backend(const kt_store *st);

/* The schema version this binary migrates to, and the one the open database has. */
int kt_store_schema_version(kt_store *st);
int kt_store_latest_version(kt_store *st);

/* Transactions. begin() takes the write lock at once, so a transaction never fails half-way for
 * lock reasons; begin_read() is a consistent snapshot for reads. They do not nest. */
int kt_store_begin(kt_store *st);
int kt_store_begin_read(kt_store *st);
int kt_store_commit(kt_store *st);
void kt_store_rollback(kt_store *st);
bool kt_store_in_txn(kt_store *st);

/* Group commit: writes that arrive together share one transaction and one commit (one fsync
 * for many acknowledgements). enter() opens the group's transaction when none is open and starts
 * an operation in it; leave() keeps or undoes the operation's work. No operation has a savepoint
 * (a savepoint costs SQLite a copy of each page a write touches, PostgreSQL a subtransaction):
 * leave(keep=false) of an operation that changed nothing is free, and one that did change rows
 * (on PostgreSQL also one whose statement failed) answers KT_EREDO - the caller must abort the
 * group (its transaction is rolled back) and run the group's other operations again, each
 * entered with enter_isolated(), which gives it a savepoint of its own (on every backend), so
 * that a second failure undoes only itself. leave(keep=false) answers KT_EREDO on PostgreSQL too
 * when its savepoint cannot be rolled back to (the transaction is spoilt: its deferred BEGIN and
 * lock never ran, or the connection broke). leave(keep=true) answers KT_EREDO when a check the
 * operation deferred (kt_db_check_later) fails or a statement spoilt the transaction: the
 * caller then aborts and runs the group's others again, as for keep=false, and reruns this one
 * when kt_store_stale_take() says so. Nothing is durable, and nothing may be acknowledged,
 * before kt_store_group_commit(). While a group is open, anything else that uses the store first
 * calls the flush set with kt_store_set_group_flush(), which must commit (or abort) the group and
 * answer its requesters: no other reader ever sees uncommitted rows. */
int kt_store_group_enter(kt_store *st);
int kt_store_group_enter_isolated(kt_store *st);
int kt_store_group_leave(kt_store *st, bool keep);
bool kt_store_group_open(kt_store *st);
int kt_store_group_size(kt_store *st); /* operations in the open group */
int kt_store_group_commit(kt_store *st);
void kt_store_group_abort(kt_store *st);
/* Commits an open group through its flush (its requesters answered); nothing when none is. */
void kt_store_group_settle(kt_store *st);
/* Whether a write failed because something the store remembered of an earlier transaction
 * (a membership, kt_store_body_membership_find) had changed meanwhile (KT_ESTALE; a node
 * elsewhere changed it): then it has been forgotten, and the write is to run again. Clears the
 * flag. */
bool kt_store_stale_take(kt_store *st);
void kt_store_set_group_flush(kt_store *st, void (*flush)(void *arg), void *arg);

/* Checkpoints of the write-ahead log the store's own thread ran (checkpoint_aside), for
 * /metrics and /healthz. */
typedef struct kt_store_ckpt_stats {
    uint64_t done;    /* checkpoints that copied the whole log */
    uint64_t partial; /* that could not copy every frame (readers on older snapshots, or another
                         connection's checkpoint at the same moment) */
    uint64_t errors;  /* that failed (an I/O error, disk full): logged as errors */
    bool failing;     /* the last one failed: the log grows until one succeeds */
    /* Times the thread held this process's writers off to restart the log, how long in all,
     * and how many of those holds had to copy frames first (and so waited for the disk). */
    uint64_t holds, hold_ns, holds_copying;
    int64_t log_frames; /* frames in the log after this process's last commit */
} kt_store_ckpt_stats;
void kt_store_checkpoint_stats(const kt_store *st, kt_store_ckpt_stats *out);

/* Whether the database answers (a trivial query): 0 or a KT_E*. */
int kt_store_ping(kt_store *st);

/* Write faults (disk full, an I/O error, the connection lost): process-wide, since every store
 * of the process (the loop's, the workers') writes to the same database. A backend notes each
 * operation that failed so (it returns KT_EUNAVAIL); a write transaction that commits clears the
 * state. /healthz and /metrics read it. */
void kt_store_fault_note(void);
typedef struct kt_store_faults {
    bool unavailable; /* the last write failed for want of space or I/O, none succeeded since */
    uint64_t total;   /* operations refused so since start */
    int64_t since_ms; /* kt_now_ms() of the first refusal of the current spell; 0 when none */
} kt_store_faults;
void kt_store_faults_get(kt_store_faults *out);
/* A small write that reaches the file (SQLite: the header page through the WAL), committed:
 * 0 when the store can write again (clearing the fault state), or a KT_E*. */
int kt_store_probe_write(kt_store *st);

/* A connection that works in the background (the search indexer's): kt_store_writers_waiting()
 * tells its long work to end early and commit when this process's other connections are waiting
 * for the write lock (which the process's connections take in turn). */
void kt_store_set_background(kt_store *st);
/* Names the connection for the log ("loop", "search-indexer", ...; static text): a writer that
 * waits long for the write lock is told who holds it. */
void kt_store_set_name(kt_store *st, const char *name);
bool kt_store_writers_waiting(void);

/* The database's own check of its file (SQLite's quick_check; PostgreSQL checks its own pages:
 * "unchecked"). Writes "ok" or the first problems found into result; 0 when ok, KT_ESTORE when
 * damaged. The answer is also kept for kt_store_integrity(). Reads the whole file: at start. */
int kt_store_check(kt_store *st, char *result, size_t n);
/* What the last kt_store_check() (and the open) found: "ok", "unchecked" or the problem. */
const char *kt_store_integrity(const kt_store *st);
/* Frames of committed transactions that the write-ahead log left by the previous process no
 * longer held when this process first opened the database (SQLite: a missing, truncated or
 * damaged -wal, found by comparing the wal-index header with the log; 0 on PostgreSQL). */
uint64_t kt_store_wal_frames_lost(void);

/* An online backup into the file to (SQLite's backup API: one consistent moment, while others
 * go on writing), written beside it first and renamed into place only once complete and
 * checked (quick_check). PostgreSQL: KT_EINVAL (use pg_dump or replication). 0 or a KT_E*;
 * what failed goes to the log. */
int kt_store_backup(kt_store *st, const char *to);

/* For tests and tools only (the server itself uses typed operations): runs SQL text without
 * parameters, or reads the first column of its first row as an integer. 0 or a KT_E*
 * (KT_ENOTFOUND: no row). */
int kt_store_exec(kt_store *st, const char *sql);
int kt_store_scalar(kt_store *st, const char *sql, int64_t *out);

/* For tests: plans_mark() forgets which statements ran; plans_scans() then calls fn for every
 * full scan of one of tables (NULL-terminated) in the query plan of a statement that ran since,
 * and returns how many there were. SQLite only (EXPLAIN QUERY PLAN); elsewhere 0. */
void kt_store_plans_mark(kt_store *st);
int kt_store_plans_scans(kt_store *st, const char *const *tables,
                         void (*fn)(void *arg, const char *sql, const char *detail), void *arg);
/* Calls fn for every statement run since plans_mark() that took more than max_steps virtual
 * machine steps per run on average (work that grows with the rows it reads); returns how many. */
int kt_store_plans_costly(kt_store *st, int64_t max_steps,
                          void (*fn)(void *arg, const char *sql, int64_t steps), void *arg);

/* The virtual machine steps and the statement runs, summed over every statement run since
 * plans_mark(): the work of what ran, in units that do not depend on the machine's load (tests:
 * the same work with and without rows a reader must not learn of). SQLite only; elsewhere -1. */
void kt_store_plans_work(kt_store *st, int64_t *steps, int64_t *runs);

/* Exchanges with the database server so far (each waits for its answer): PostgreSQL's round
 * trips; 0 for SQLite, which runs in the process. */
uint64_t kt_store_round_trips(const kt_store *st);

/* Commit latency histogram buckets (milliseconds upper bounds) for /metrics. */
#define KT_STORE_HIST_BUCKETS 10
extern const double kt_store_hist_bounds[KT_STORE_HIST_BUCKETS];
void kt_store_commit_stats(const kt_store *st, uint64_t counts[KT_STORE_HIST_BUCKETS + 1],
                           double *sum_ms, uint64_t *total);

#include "store/events.h"

#endif

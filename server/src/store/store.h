/* The store: one SQLite database in WAL mode, versioned migrations applied at open, a cache of
 * prepared statements, transactions, and the event log with its gap-free per-body seq.
 *
 * All calls happen on the thread that opened the store. Several processes may open the same file;
 * writers serialise on SQLite's write lock (BEGIN IMMEDIATE) so seq assignment stays gap-free. */
#ifndef KT_STORE_H
#define KT_STORE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct kt_store kt_store;

typedef struct kt_store_options {
    const char *path;    /* database file; created when missing */
    bool sync_full;      /* fsync every commit (survives power loss), else only WAL checkpoints */
    int busy_timeout_ms; /* how long a writer waits for another process' write lock */
} kt_store_options;

/* Opens (creating if needed) and migrates. *out is owned by the caller: kt_store_close(). */
int kt_store_open(const kt_store_options *opt, kt_store **out);
void kt_store_close(kt_store *st);

/* The schema version this binary migrates to, and the one the open database has. */
int kt_store_schema_version(kt_store *st);
int kt_store_latest_version(void);

sqlite3 *kt_store_db(kt_store *st);

/* A prepared statement for sql, cached by the pointer value of sql (pass string literals).
 * The statement is reset and its bindings cleared. Owned by the store; NULL on error. */
sqlite3_stmt *kt_store_stmt(kt_store *st, const char *sql);

/* Transactions. begin() takes the write lock at once (BEGIN IMMEDIATE), so a transaction
 * never fails half-way for lock reasons; begin_read() is a consistent snapshot for reads. */
int kt_store_begin(kt_store *st);
int kt_store_begin_read(kt_store *st);
int kt_store_commit(kt_store *st);
void kt_store_rollback(kt_store *st);
bool kt_store_in_txn(kt_store *st);

/* Appends an event to body's stream inside the current write transaction and returns its seq.
 * vis and payload are JSON texts (vis may be NULL: visible to every member); not kept. */
int kt_store_event_append(kt_store *st, int64_t body, const char *type, const char *vis,
                          const char *payload, int64_t actor, int64_t *seq_out);

/* The last seq of body's stream (0 when it has none). */
int64_t kt_store_stream_seq(kt_store *st, int64_t body);

/* One stored event; strings owned by the caller (free with kt_store_event_clear). */
typedef struct kt_stored_event {
    int64_t body, seq, actor, time;
    char *type, *vis, *payload;
} kt_stored_event;
void kt_store_event_clear(kt_stored_event *ev);

/* Reads up to max events of body with seq > after, in seq order, into out[]. Returns how many
 * (>= 0) or a negative error. */
int kt_store_events_after(kt_store *st, int64_t body, int64_t after, kt_stored_event *out, int max);

/* Small helpers for the common row shapes. Return 0, KT_ENOTFOUND or KT_ESTORE. */
int kt_store_exec(kt_store *st, const char *sql);
int kt_store_step_done(kt_store *st, sqlite3_stmt *s); /* steps to SQLITE_DONE; maps errors */
int64_t kt_store_last_id(kt_store *st);

/* Column helpers: NULL columns become JSON null. */
json_t *kt_col_json_text(sqlite3_stmt *s, int col);
json_t *kt_col_json_int(sqlite3_stmt *s, int col);
json_t *kt_col_json_time(sqlite3_stmt *s, int col); /* unix seconds -> ISO 8601 string */

/* Commit latency histogram buckets (milliseconds upper bounds) for /metrics. */
#define KT_STORE_HIST_BUCKETS 10
extern const double kt_store_hist_bounds[KT_STORE_HIST_BUCKETS];
void kt_store_commit_stats(const kt_store *st, uint64_t counts[KT_STORE_HIST_BUCKETS + 1],
                           double *sum_ms, uint64_t *total);

#endif

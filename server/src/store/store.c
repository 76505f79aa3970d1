#include "store/store.h"

#include "store/migrations.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STMT_SLOTS 512 /* open addressing; far more than the number of distinct statements */

struct kt_store {
    sqlite3 *db;
    int txn_depth; /* 0 or 1: transactions do not nest */
    int64_t txn_started_ns;
    struct {
        const char *sql;
        sqlite3_stmt *stmt;
    } stmts[STMT_SLOTS];
    uint64_t hist[KT_STORE_HIST_BUCKETS + 1];
    double hist_sum_ms;
    uint64_t hist_total;
};

const double kt_store_hist_bounds[KT_STORE_HIST_BUCKETS] = {0.1, 0.25, 0.5, 1,  2.5,
                                                            5,   10,   25,  50, 100};

static int exec_sql(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        kt_error("sql failed", "error=\"%s\"", msg ? msg : "?");
        sqlite3_free(msg);
        return KT_ESTORE;
    }
    return 0;
}

int kt_store_exec(kt_store *st, const char *sql)
{
    return exec_sql(st->db, sql);
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

int kt_store_latest_version(void)
{
    return kt_migrations_count();
}

int kt_store_schema_version(kt_store *st)
{
    return user_version(st->db);
}

/* Applies every migration the database has not seen, each in its own IMMEDIATE transaction so
 * that two nodes starting together migrate once. */
static int migrate(sqlite3 *db)
{
    for (;;) {
        if (exec_sql(db, "BEGIN IMMEDIATE"))
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
        if (exec_sql(db, kt_migration_sql(v)) || exec_sql(db, pragma)) {
            exec_sql(db, "ROLLBACK");
            return KT_ESTORE;
        }
        if (exec_sql(db, "COMMIT"))
            return KT_ESTORE;
        kt_info("schema migrated", "version=%d", v + 1);
    }
}

int kt_store_open(const kt_store_options *opt, kt_store **out)
{
    kt_store *st = calloc(1, sizeof *st);
    if (!st)
        return KT_ENOMEM;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(opt->path, &st->db, flags, NULL) != SQLITE_OK) {
        kt_error("cannot open database", "path=\"%s\" error=\"%s\"", opt->path,
                 st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(st->db, opt->busy_timeout_ms > 0 ? opt->busy_timeout_ms : 5000);
    if (exec_sql(st->db, "PRAGMA journal_mode=WAL") || exec_sql(st->db, "PRAGMA foreign_keys=ON"))
        goto fail;
    if (exec_sql(st->db, opt->sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"))
        goto fail;
    /* Reads dominate (snapshots, replay, detectors): map the file and keep a real page cache
     * rather than copying every page through pread. */
    if (exec_sql(st->db, "PRAGMA mmap_size=1073741824") ||
        exec_sql(st->db, "PRAGMA cache_size=-16384") ||
        exec_sql(st->db, "PRAGMA temp_store=MEMORY"))
        goto fail;
    if (migrate(st->db))
        goto fail;
    *out = st;
    return 0;
fail:
    sqlite3_close(st->db);
    free(st);
    return KT_ESTORE;
}

void kt_store_close(kt_store *st)
{
    if (!st)
        return;
    for (int i = 0; i < STMT_SLOTS; i++)
        sqlite3_finalize(st->stmts[i].stmt);
    sqlite3_close(st->db);
    free(st);
}

sqlite3 *kt_store_db(kt_store *st)
{
    return st->db;
}

sqlite3_stmt *kt_store_stmt(kt_store *st, const char *sql)
{
    uintptr_t h = ((uintptr_t)sql >> 3) * 2654435761u;
    for (unsigned i = 0; i < STMT_SLOTS; i++) {
        unsigned slot = (unsigned)((h + i) % STMT_SLOTS);
        if (st->stmts[slot].sql == sql) {
            sqlite3_stmt *s = st->stmts[slot].stmt;
            sqlite3_reset(s);
            sqlite3_clear_bindings(s);
            return s;
        }
        if (!st->stmts[slot].sql) {
            sqlite3_stmt *s;
            if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) !=
                SQLITE_OK) {
                kt_error("prepare failed", "error=\"%s\" sql=\"%.80s\"", sqlite3_errmsg(st->db),
                         sql);
                return NULL;
            }
            st->stmts[slot].sql = sql;
            st->stmts[slot].stmt = s;
            return s;
        }
    }
    assert(!"statement cache full");
    return NULL;
}

int kt_store_begin(kt_store *st)
{
    assert(st->txn_depth == 0);
    st->txn_started_ns = kt_mono_ns();
    if (exec_sql(st->db, "BEGIN IMMEDIATE"))
        return KT_EBUSY;
    st->txn_depth = 1;
    return 0;
}

int kt_store_begin_read(kt_store *st)
{
    assert(st->txn_depth == 0);
    st->txn_started_ns = 0;
    if (exec_sql(st->db, "BEGIN"))
        return KT_ESTORE;
    st->txn_depth = 1;
    return 0;
}

static void record_commit(kt_store *st)
{
    if (!st->txn_started_ns)
        return;
    double ms = (double)(kt_mono_ns() - st->txn_started_ns) / 1e6;
    int b = 0;
    while (b < KT_STORE_HIST_BUCKETS && ms > kt_store_hist_bounds[b])
        b++;
    st->hist[b]++;
    st->hist_sum_ms += ms;
    st->hist_total++;
}

int kt_store_commit(kt_store *st)
{
    assert(st->txn_depth == 1);
    if (exec_sql(st->db, "COMMIT")) {
        kt_store_rollback(st);
        return KT_ESTORE;
    }
    st->txn_depth = 0;
    record_commit(st);
    return 0;
}

void kt_store_rollback(kt_store *st)
{
    if (st->txn_depth == 0)
        return;
    if (!sqlite3_get_autocommit(st->db))
        exec_sql(st->db, "ROLLBACK");
    st->txn_depth = 0;
}

bool kt_store_in_txn(kt_store *st)
{
    return st->txn_depth > 0;
}

void kt_store_commit_stats(const kt_store *st, uint64_t counts[KT_STORE_HIST_BUCKETS + 1],
                           double *sum_ms, uint64_t *total)
{
    memcpy(counts, st->hist, sizeof st->hist);
    *sum_ms = st->hist_sum_ms;
    *total = st->hist_total;
}

int kt_store_step_done(kt_store *st, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return KT_ECONFLICT;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return KT_EBUSY;
    kt_error("sql step failed", "error=\"%s\"", sqlite3_errmsg(st->db));
    return KT_ESTORE;
}

int64_t kt_store_last_id(kt_store *st)
{
    return sqlite3_last_insert_rowid(st->db);
}

int kt_store_event_append(kt_store *st, int64_t body, const char *type, const char *vis,
                          const char *payload, int64_t actor, int64_t *seq_out)
{
    assert(st->txn_depth == 1);
    sqlite3_stmt *s =
        kt_store_stmt(st, "INSERT INTO streams(body_id, seq) VALUES (?1, 1) "
                          "ON CONFLICT(body_id) DO UPDATE SET seq = seq + 1 RETURNING seq");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, body);
    if (sqlite3_step(s) != SQLITE_ROW)
        return KT_ESTORE;
    int64_t seq = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);

    s = kt_store_stmt(st, "INSERT INTO events(body_id, seq, type, vis, payload, actor_id, "
                          "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, body);
    sqlite3_bind_int64(s, 2, seq);
    sqlite3_bind_text(s, 3, type, -1, SQLITE_STATIC);
    if (vis)
        sqlite3_bind_text(s, 4, vis, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, payload, -1, SQLITE_STATIC);
    if (actor)
        sqlite3_bind_int64(s, 6, actor);
    sqlite3_bind_int64(s, 7, kt_now());
    int rc = kt_store_step_done(st, s);
    sqlite3_reset(s);
    if (rc)
        return rc;
    *seq_out = seq;
    return 0;
}

int64_t kt_store_stream_seq(kt_store *st, int64_t body)
{
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT seq FROM streams WHERE body_id = ?1");
    if (!s)
        return 0;
    sqlite3_bind_int64(s, 1, body);
    int64_t seq = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return seq;
}

static char *dup_col(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t ? strdup((const char *)t) : NULL;
}

void kt_store_event_clear(kt_stored_event *ev)
{
    free(ev->type);
    free(ev->vis);
    free(ev->payload);
    memset(ev, 0, sizeof *ev);
}

int kt_store_events_after(kt_store *st, int64_t body, int64_t after, kt_stored_event *out, int max)
{
    sqlite3_stmt *s =
        kt_store_stmt(st, "SELECT seq, type, vis, payload, actor_id, created_at FROM events "
                          "WHERE body_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, body);
    sqlite3_bind_int64(s, 2, after);
    sqlite3_bind_int(s, 3, max);
    int n = 0, rc;
    while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        kt_stored_event *ev = &out[n++];
        ev->body = body;
        ev->seq = sqlite3_column_int64(s, 0);
        ev->type = dup_col(s, 1);
        ev->vis = dup_col(s, 2);
        ev->payload = dup_col(s, 3);
        ev->actor = sqlite3_column_int64(s, 4);
        ev->time = sqlite3_column_int64(s, 5);
        if (!ev->type || !ev->payload) {
            sqlite3_reset(s);
            for (int i = 0; i < n; i++)
                kt_store_event_clear(&out[i]);
            return KT_ENOMEM;
        }
    }
    sqlite3_reset(s);
    return n;
}

json_t *kt_col_json_text(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t ? json_string((const char *)t) : json_null();
}

json_t *kt_col_json_int(sqlite3_stmt *s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return json_null();
    return json_integer(sqlite3_column_int64(s, col));
}

json_t *kt_col_json_time(sqlite3_stmt *s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return json_null();
    char buf[32];
    kt_time_format(sqlite3_column_int64(s, col), buf, sizeof buf);
    return json_string(buf);
}

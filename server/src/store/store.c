/* The backend-neutral part of the store: picking a backend, transaction bookkeeping, the commit
 * histogram. */
#include "store/backend.h"
#include "store/db.h"
#include "store/pg/search.h"

#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

const double kt_store_hist_bounds[KT_STORE_HIST_BUCKETS] = {0.1, 0.25, 0.5, 1,  2.5,
                                                            5,   10,   25,  50, 100};

bool kt_store_is_url(const char *path)
{
    return path &&
           (strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0);
}

int kt_store_open(const kt_store_options *opt, kt_store **out)
{
    *out = NULL;
    if (!opt->path || !*opt->path)
        return KT_EINVAL;
    int rc = kt_store_is_url(opt->path) ? kt_pg_open(opt, out) : kt_sqlite_open(opt, out);
    if (rc == 0 && !(*out)->integrity[0])
        snprintf((*out)->integrity, sizeof(*out)->integrity, "unchecked");
    return rc;
}

/* ---- faults ---- */

static atomic_bool fault_unavailable;
static atomic_uint_fast64_t fault_total;
static atomic_int_fast64_t fault_since_ms;

void kt_store_fault_note(void)
{
    atomic_fetch_add(&fault_total, 1);
    if (!atomic_exchange(&fault_unavailable, true)) {
        atomic_store(&fault_since_ms, kt_now_ms());
        kt_error("store unavailable: writes are refused until it can write again", NULL);
    }
}

static void fault_clear(void)
{
    if (atomic_load(&fault_unavailable) && atomic_exchange(&fault_unavailable, false)) {
        atomic_store(&fault_since_ms, 0);
        kt_info("store available again: a write committed", NULL);
    }
}

void kt_store_faults_get(kt_store_faults *out)
{
    out->unavailable = atomic_load(&fault_unavailable);
    out->total = atomic_load(&fault_total);
    out->since_ms = atomic_load(&fault_since_ms);
}

int kt_store_probe_write(kt_store *st)
{
    if (st->group_open && !st->in_op)
        kt_store_group_before_use(st);
    if (st->txn_depth)
        return KT_ESTATE;
    int rc = st->ops->probe_write ? st->ops->probe_write(st) : st->ops->exec(st, "SELECT 1");
    if (rc == 0)
        fault_clear();
    return rc;
}

int kt_store_check(kt_store *st, char *result, size_t n)
{
    if (st->group_open && !st->in_op)
        kt_store_group_before_use(st);
    int rc = 0;
    if (st->ops->check)
        rc = st->ops->check(st, st->integrity, sizeof st->integrity);
    else
        snprintf(st->integrity, sizeof st->integrity, "unchecked");
    if (result && n)
        snprintf(result, n, "%s", st->integrity);
    return rc;
}

int kt_store_backup(kt_store *st, const char *to)
{
    if (!st->ops->backup)
        return KT_EINVAL;
    if (st->group_open && !st->in_op)
        kt_store_group_before_use(st);
    return st->txn_depth ? KT_ESTATE : st->ops->backup(st, to);
}

const char *kt_store_integrity(const kt_store *st)
{
    return st->integrity[0] ? st->integrity : "unchecked";
}

void kt_store_close(kt_store *st)
{
    if (!st)
        return;
    kt_store_member_memo_free(st);
    st->ops->close(st);
}

bool kt_store_stale_take(kt_store *st)
{
    bool stale = st->stale;
    st->stale = false;
    return stale;
}

const char *kt_store_backend(const kt_store *st)
{
    return st->ops->name;
}

int kt_store_schema_version(kt_store *st)
{
    return st->ops->schema_version(st);
}

int kt_store_latest_version(kt_store *st)
{
    return st->ops->latest_version();
}

int kt_store_ping(kt_store *st)
{
    if (st->group_open && !st->in_op)
        kt_store_group_before_use(st);
    return st->ops->exec(st, "SELECT 1");
}

int kt_store_exec(kt_store *st, const char *sql)
{
    if (st->group_open && !st->in_op)
        kt_store_group_before_use(st);
    return st->ops->exec(st, sql);
}

int kt_store_scalar(kt_store *st, const char *sql, int64_t *out)
{
    if (st->group_open && !st->in_op)
        kt_store_group_before_use(st);
    return st->ops->query_int(st, sql, out); /* unprepared: texts built at run time are fine */
}

void kt_store_group_before_use(kt_store *st)
{
    if (st->group_flush)
        st->group_flush(st->group_flush_arg);
    if (st->group_open) /* nobody to flush, or the flush did not: never mix */
        kt_store_group_commit(st);
}

/* Writers of this process that are taking the write lock now (the loop thread's, queued for it
 * while another connection holds it). A background connection (the search indexer) ends its
 * batch early when one comes (kt_store_writers_waiting): a writer waits for the rest of one
 * change and a commit, not for a batch. The connections of one process to a SQLite file take
 * the lock in turn, first come first served (store/sqlite/wlock.h), so a background writer
 * needs no other courtesy: one that comes after a waiting writer is served after it. */
static atomic_int writers_waiting;

bool kt_store_writers_waiting(void)
{
    return atomic_load(&writers_waiting) > 0;
}

void kt_store_set_background(kt_store *st)
{
    st->background = true;
}

void kt_store_set_name(kt_store *st, const char *name)
{
    st->name = name;
}

static int begin(kt_store *st, bool write)
{
    if (st->group_open && !st->in_op)
        kt_store_group_before_use(st);
    assert(st->txn_depth == 0);
    st->seq_known = false;
    st->txn_started_ns = write ? kt_mono_ns() : 0;
    bool announce = write && !st->background;
    if (announce)
        atomic_fetch_add(&writers_waiting, 1);
    int rc = st->ops->begin(st, write);
    if (announce)
        atomic_fetch_sub(&writers_waiting, 1);
    if (rc)
        return rc;
    st->txn_depth = 1;
    st->txn_write = write;
    return 0;
}

int kt_store_begin(kt_store *st)
{
    return begin(st, true);
}

int kt_store_begin_read(kt_store *st)
{
    return begin(st, false);
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
    st->seq_known = false;
    int rc = st->ops->commit(st);
    if (rc) {
        kt_store_rollback(st);
        return rc;
    }
    st->txn_depth = 0;
    record_commit(st);
    if (st->txn_write)
        fault_clear();
    return 0;
}

void kt_store_rollback(kt_store *st)
{
    st->seq_known = false;
    if (st->txn_depth == 0)
        return;
    /* What was remembered in the transaction may be what it wrote (memberships.c). */
    if (st->txn_write)
        kt_store_member_memo_forget(st);
    st->ops->rollback(st);
    st->txn_depth = 0;
}

bool kt_store_in_txn(kt_store *st)
{
    return st->txn_depth > 0;
}

void kt_store_plans_mark(kt_store *st)
{
    if (st->ops->plans_mark)
        st->ops->plans_mark(st);
}

int kt_store_plans_scans(kt_store *st, const char *const *tables,
                         void (*fn)(void *arg, const char *sql, const char *detail), void *arg)
{
    return st->ops->plans_scans ? st->ops->plans_scans(st, tables, fn, arg) : 0;
}

int kt_store_plans_costly(kt_store *st, int64_t max_steps,
                          void (*fn)(void *arg, const char *sql, int64_t steps), void *arg)
{
    return st->ops->plans_costly ? st->ops->plans_costly(st, max_steps, fn, arg) : 0;
}

void kt_store_plans_work(kt_store *st, int64_t *steps, int64_t *runs)
{
    *steps = *runs = -1;
    if (st->ops->plans_work)
        st->ops->plans_work(st, steps, runs);
}

/* ---- group commit ---- */

/* An operation of the group runs without a savepoint of its own where the backend can tell
 * whether it changed rows (write_mark; both backends): a savepoint costs every write its
 * statements and a copy of each page it touches (SQLite's sub-journal) or a subtransaction and
 * two more statements (PostgreSQL), and writes rarely fail after changing anything. One that
 * does (on PostgreSQL also one whose statement failed: that spoils the transaction) cannot be
 * undone alone: kt_store_group_leave() then answers KT_EREDO and the caller rolls the group back
 * and runs its other operations again (isolated, as kt_store_group_enter_isolated() runs them,
 * so that it happens once). A backend without write_mark gives each operation a savepoint. */
static int group_enter(kt_store *st, bool isolated)
{
    assert(!st->in_op);
    if (!st->group_open) {
        int rc = begin(st, true);
        if (rc)
            return rc;
        st->group_open = true;
        st->group_ops = 0;
        st->release_pending = false;
    }
    bool savepoint = isolated || !st->ops->write_mark;
    int rc = 0;
    if (st->release_pending && savepoint && st->dialect == KT_DIALECT_PG)
        rc = st->ops->exec(st, "RELEASE SAVEPOINT kt_op; SAVEPOINT kt_op"); /* one round trip */
    else {
        /* SQLite runs each of the two prepared once (store/sqlite/sqlite.c): no round trip to
         * save, and a combined text would be parsed every time */
        if (st->release_pending)
            rc = st->ops->exec(st, "RELEASE SAVEPOINT kt_op");
        if (!rc && savepoint)
            rc = st->ops->exec(st, "SAVEPOINT kt_op");
    }
    st->release_pending = false;
    if (rc)
        return rc;
    st->op_savepoint = savepoint;
    st->op_isolated = isolated;
    st->op_mark = savepoint ? 0 : st->ops->write_mark(st);
    st->in_op = true;
    st->group_ops++;
    return 0;
}

int kt_store_group_enter(kt_store *st)
{
    return group_enter(st, false);
}

int kt_store_group_enter_isolated(kt_store *st)
{
    return group_enter(st, true);
}

int kt_store_group_leave(kt_store *st, bool keep)
{
    assert(st->group_open && st->in_op);
    st->in_op = false;
    /* A check the operation deferred (kt_db_check_later) is answered before it ends: one that
     * finds what it went by changed spoils the transaction, so the group runs again (KT_EREDO),
     * and kt_store_stale_take() tells the caller to run this operation again too. Where every
     * statement is answered at once (SQLite), nothing is deferred. */
    int settled = 0;
    if (!st->op_savepoint) {
        settled = st->ops->settle ? st->ops->settle(st) : 0;
        /* nor is an operation kept whose transaction a failed statement spoilt meanwhile (one it
         * did not stop at): the group's commit would fail for all of them */
        if (!settled && keep && st->ops->write_mark(st) < 0)
            settled = KT_ESTORE;
    }
    if (settled)
        keep = false;
    if (!keep)
        st->seq_known = false; /* what the operation appended may be undone (events.c) */
    if (!st->op_savepoint) {
        if (settled)
            return KT_EREDO; /* the transaction is spoilt: only the group's rollback undoes it */
        if (keep)
            return 0;
        int64_t mark = st->ops->write_mark(st);
        return mark >= 0 && mark == st->op_mark ? 0 : KT_EREDO; /* nothing to undo, or all */
    }
    int rc = keep ? 0 : st->ops->exec(st, "ROLLBACK TO SAVEPOINT kt_op");
    st->release_pending = !rc;
    /* The savepoint could not be rolled back to (PostgreSQL: the statement that failed was the
     * first of the transaction, sent with its deferred BEGIN, lock and SAVEPOINT, which then never
     * ran; or the connection broke): the transaction is spoilt, and only the group's rollback
     * and the others' run again undo it. Not while they run again (isolated): the group's commit
     * then fails, and says so to each of them. */
    return rc && !st->op_isolated ? KT_EREDO : rc;
}

bool kt_store_group_open(kt_store *st)
{
    return st->group_open;
}

int kt_store_group_size(kt_store *st)
{
    return st->group_open ? st->group_ops : 0;
}

int kt_store_group_commit(kt_store *st)
{
    if (!st->group_open)
        return 0;
    st->group_open = false;
    st->in_op = false;
    return kt_store_commit(st);
}

void kt_store_group_abort(kt_store *st)
{
    if (!st->group_open)
        return;
    st->group_open = false;
    st->in_op = false;
    kt_store_rollback(st);
}

void kt_store_group_settle(kt_store *st)
{
    if (st->group_open && !st->in_op)
        kt_store_group_before_use(st);
}

void kt_store_set_group_flush(kt_store *st, void (*flush)(void *arg), void *arg)
{
    st->group_flush = flush;
    st->group_flush_arg = arg;
}

void kt_store_checkpoint_stats(const kt_store *st, kt_store_ckpt_stats *out)
{
    out->done = atomic_load(&st->ckpt_done);
    out->partial = atomic_load(&st->ckpt_partial);
    out->errors = atomic_load(&st->ckpt_errors);
    out->failing = atomic_load(&st->ckpt_failing);
    out->holds = atomic_load(&st->ckpt_holds);
    out->hold_ns = atomic_load(&st->ckpt_hold_ns);
    out->holds_copying = atomic_load(&st->ckpt_holds_copying);
    out->log_frames = atomic_load(&st->ckpt_log_frames);
}

uint64_t kt_store_round_trips(const kt_store *st)
{
    return st->round_trips;
}

void kt_store_commit_stats(const kt_store *st, uint64_t counts[KT_STORE_HIST_BUCKETS + 1],
                           double *sum_ms, uint64_t *total)
{
    memcpy(counts, st->hist, sizeof st->hist);
    *sum_ms = st->hist_sum_ms;
    *total = st->hist_total;
}

#ifndef KT_HAVE_PG
int kt_pg_open(const kt_store_options *opt, kt_store **out)
{
    (void)opt;
    *out = NULL;
    kt_error("this ketentafel was built without PostgreSQL support", NULL);
    return KT_EINVAL;
}

/* Never called: no PostgreSQL store can be opened in such a build. */
int kt_pg_search_candidates(kt_store *st, const kt_search_query *q, kt_search_cand **out, size_t *n,
                            bool *truncated)
{
    (void)st, (void)q, (void)out, (void)n, (void)truncated;
    return KT_ESTATE;
}

int kt_pg_search_marks(kt_store *st, const kt_search_query *q, const kt_search_cand *c,
                       json_t *show)
{
    (void)st, (void)q, (void)c, (void)show;
    return KT_ESTATE;
}
#endif

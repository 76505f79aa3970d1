/* The backend-neutral part of the store: picking a backend, transaction bookkeeping, the commit
 * histogram. */
#include "store/backend.h"
#include "store/db.h"

#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <assert.h>
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
    return kt_store_is_url(opt->path) ? kt_pg_open(opt, out) : kt_sqlite_open(opt, out);
}

void kt_store_close(kt_store *st)
{
    if (st)
        st->ops->close(st);
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
    return st->ops->exec(st, "SELECT 1");
}

int kt_store_exec(kt_store *st, const char *sql)
{
    return st->ops->exec(st, sql);
}

int kt_store_scalar(kt_store *st, const char *sql, int64_t *out)
{
    /* Tests pass literals; prepared once per text like any statement. */
    kt_db_stmt *s = kt_db_prepare(st, sql);
    return s ? kt_db_one_int(s, out) : KT_ESTORE;
}

static int begin(kt_store *st, bool write)
{
    assert(st->txn_depth == 0);
    st->txn_started_ns = write ? kt_mono_ns() : 0;
    int rc = st->ops->begin(st, write);
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
    int rc = st->ops->commit(st);
    if (rc) {
        kt_store_rollback(st);
        return rc;
    }
    st->txn_depth = 0;
    record_commit(st);
    return 0;
}

void kt_store_rollback(kt_store *st)
{
    if (st->txn_depth == 0)
        return;
    st->ops->rollback(st);
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

#ifndef KT_HAVE_PG
int kt_pg_open(const kt_store_options *opt, kt_store **out)
{
    (void)opt;
    *out = NULL;
    kt_error("this ketentafel was built without PostgreSQL support", NULL);
    return KT_EINVAL;
}
#endif

/* The PostgreSQL backend (libpq): one connection per store, statements prepared once per
 * connection and cached by the pointer of their SQL text, ?N placeholders rewritten to $N.
 *
 * Writers serialise: a write transaction takes one transaction-scoped advisory lock before
 * anything else, so write transactions on every node run one after another, as SQLite's do
 * under its write lock. That keeps the handlers' read-then-write logic (positions, checks) and
 * the gap-free per-body seq exactly as on SQLite; the streams row lock would keep the seq alone
 * gap-free too. Reads take a REPEATABLE READ snapshot and never wait for writers.
 *
 * Round trips: what nothing waits for the answer of - a write transaction's BEGIN and lock, the
 * group commit's savepoints - is deferred and goes out with the next statement, in libpq's
 * pipeline mode (or in front of the next simple query's text), in that statement's round trip.
 * A chat.post in a group waits for one: its message (the membership the store remembered is
 * checked with it, the event append of the write before goes out in front of it).
 *
 * Deadlines: libpq is driven asynchronously (a non-blocking connection, PQsend*, poll on its
 * socket), so no exchange waits longer than the store's timeout_ms: one that overruns it drops
 * the connection (shutdown of its socket: a frozen server or a black-holed network answers
 * nothing, not even an error), fails with KT_EUNAVAIL (store_unavailable) and notes the fault.
 * Every later exchange fails at once until a new connection is made, outside a transaction,
 * at the next use after a backoff (250 ms doubling to 10 s); connecting has the same deadline,
 * and TCP keepalives find a dead peer of an idle connection. */
#include "store/backend.h"
#include "store/db.h"
#include "store/pg/migrations.h"

#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define STMT_SLOTS      1024
#define MAX_PARAMS      24
#define WRITE_LOCK_TEXT "7250412" /* the advisory lock key of ketentafel's writers */
#define BACKOFF_MIN_MS  250       /* the first retry of a lost connection that failed again */
#define BACKOFF_MAX_MS  10000
#define TOOL_CONNECT_MS 30000 /* connecting, for a store without timeout_ms (tools, tests) */
#define CONNECT_MAX_MS  5000  /* connecting, at most, whatever timeout_ms says */

typedef struct pg_stmt {
    kt_db_stmt base;
    char name[16];
    int nparams;
    const char *vals[MAX_PARAMS];
    int lens[MAX_PARAMS], fmts[MAX_PARAMS];
    char num[MAX_PARAMS][32]; /* text of numeric parameters */
    PGresult *res;
    int row, nrows;
    int64_t changes;
    unsigned char *blob; /* the last column read as bytea, unescaped */
    int prepare_rc;      /* why the last prepare failed (no name): what its step answers */
} pg_stmt;

#define MAX_DEFERRED 32

/* A command whose answer nothing waits for: a static text (a write transaction's BEGIN and lock,
 * the group commit's savepoints), or a prepared statement with copies of its parameters
 * (pg_run_later: an event append whose seq the transaction already knows) and the value its
 * one row's first column must have. */
typedef struct pg_deferred {
    const char *text;
    struct pg_stmt *stmt;
    char *vals[MAX_PARAMS]; /* copies; NULL for SQL NULL */
    int lens[MAX_PARAMS], fmts[MAX_PARAMS];
    int64_t expect;
    bool check; /* pg_check_later: another answer is KT_ESTALE */
} pg_deferred;

typedef struct pg_store {
    kt_store base;
    PGconn *conn;
    char *url;
    pg_stmt *stmts[STMT_SLOTS];
    int n_prepared;
    /* What nothing waits for the answer of, in order: sent in front of the next exchange, in
     * libpq's pipeline mode, in its round trip (run_pipeline). */
    pg_deferred deferred[MAX_DEFERRED];
    int n_deferred;
    bool deferred_data; /* one of them is a statement of pg_run_later */
    /* A deferred command failed or answered otherwise than expected: the transaction is lost,
     * and every statement fails until its rollback (a savepoint must not seem to undo it). */
    bool spoilt;
    /* Grows with every statement that may have changed rows (pg_write_mark). */
    int64_t changed;
    bool sync_full;
    /* Deadlines (see the top): an exchange's in ms (0: none), the running exchange's
     * (kt_mono_ns; 0: none). broken: the connection is lost or was dropped; nothing is sent
     * on it until it is replaced, not before retry_at_ns. */
    int timeout_ms;
    int64_t deadline_ns;
    bool broken;
    int64_t retry_at_ns;
    int backoff_ms;
} pg_store;

static pg_store *pgs(kt_store *st)
{
    assert(st->dialect == KT_DIALECT_PG);
    return (pg_store *)st;
}

/* SQLSTATE classes as the store's errors. A connection known to be broken fails quietly (its
 * loss was logged once): KT_EUNAVAIL, counted. */
static int map_error(pg_store *ps, const PGresult *res, const char *sql)
{
    PGconn *conn = ps->conn;
    if (ps->broken) {
        kt_store_fault_note();
        return KT_EUNAVAIL;
    }
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && strncmp(state, "23", 2) == 0)
        return KT_ECONFLICT; /* integrity: unique, foreign key, check */
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                  strcmp(state, "55P03") == 0)) {
        kt_warn("database busy", "sqlstate=%s sql=\"%.80s\"", state, sql ? sql : "");
        return KT_EBUSY;
    }
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
    kt_error("sql failed", "sqlstate=%s error=\"%.200s\" sql=\"%.80s\"", state ? state : "-",
             msg ? msg : "", sql ? sql : "");
    if (PQstatus(conn) != CONNECTION_OK ||
        (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
                   strncmp(state, "57", 2) == 0))) {
        ps->broken = PQstatus(conn) != CONNECTION_OK;
        kt_store_fault_note();
        return KT_EUNAVAIL; /* connection lost, disk full, server shutting down */
    }
    return KT_ESTORE;
}

/* ---- exchanges with a deadline ---- */

/* Waits until fd is ready for events or deadline_ns (kt_mono_ns; 0: none) passes: 1 ready, 0
 * the deadline passed, -1 an error. */
static int wait_fd(int fd, short events, int64_t deadline_ns)
{
    if (fd < 0)
        return -1;
    for (;;) {
        int ms = -1;
        if (deadline_ns) {
            int64_t left = deadline_ns - kt_mono_ns();
            if (left <= 0)
                return 0;
            ms = (int)((left + 999999) / 1000000);
        }
        struct pollfd p = {.fd = fd, .events = events};
        int n = poll(&p, 1, ms);
        if (n > 0)
            return 1;
        if (n < 0 && errno != EINTR)
            return -1;
    }
}

/* The connection is lost, or sql's exchange overran its deadline: nothing more goes out on it
 * until reconnect_if_broken() replaces it. Its socket is shut down, so that a server that
 * wakes up finds its client gone (and rolls back what it was sent) rather than answering. The
 * fault is noted here, once for the exchange that found it. */
static void conn_broken(pg_store *ps, const char *sql, bool timed_out)
{
    if (timed_out)
        kt_error("database did not answer in time: connection dropped",
                 "timeout_ms=%d sql=\"%.80s\"", ps->timeout_ms, sql ? sql : "");
    else
        kt_error("database connection lost", "error=\"%.200s\" sql=\"%.80s\"",
                 PQerrorMessage(ps->conn), sql ? sql : "");
    int fd = PQsocket(ps->conn);
    if (fd >= 0)
        shutdown(fd, SHUT_RDWR);
    ps->broken = true;
    kt_store_fault_note();
}

/* Starts an exchange (one round trip): its deadline runs from now. KT_EUNAVAIL, counted, on a
 * broken connection. */
static int exchange_start(pg_store *ps)
{
    if (!ps->broken && PQstatus(ps->conn) != CONNECTION_OK) {
        conn_broken(ps, NULL, false);
        return KT_EUNAVAIL;
    }
    if (ps->broken) {
        kt_store_fault_note();
        return KT_EUNAVAIL;
    }
    ps->base.round_trips++;
    ps->deadline_ns = ps->timeout_ms ? kt_mono_ns() + (int64_t)ps->timeout_ms * 1000000 : 0;
    return 0;
}

/* Sends what libpq holds and waits until a result can be read without blocking. 0, or
 * KT_EUNAVAIL when the connection broke or the exchange's deadline passed (then dropped). */
static int await_result(pg_store *ps, const char *sql)
{
    for (;;) {
        int unsent = PQflush(ps->conn);
        if (unsent < 0)
            break;
        if (!unsent && !PQisBusy(ps->conn))
            return 0;
        int w = wait_fd(PQsocket(ps->conn), POLLIN | (unsent ? POLLOUT : 0), ps->deadline_ns);
        if (w == 0) {
            conn_broken(ps, sql, true);
            return KT_EUNAVAIL;
        }
        if (w < 0 || !PQconsumeInput(ps->conn))
            break;
    }
    conn_broken(ps, sql, false);
    return KT_EUNAVAIL;
}

/* The exchange's next result into *out (NULL: its results ended), within its deadline. */
static int next_result(pg_store *ps, const char *sql, PGresult **out)
{
    *out = NULL;
    int rc = await_result(ps, sql);
    if (!rc)
        *out = PQgetResult(ps->conn);
    return rc;
}

/* What PQexec does after sending, within the deadline: reads every result of the command that
 * sent (whether PQsend* succeeded) and keeps the last in *res (the caller's to clear; NULL when
 * nothing was sent: the caller maps PQerrorMessage). 0, or KT_EUNAVAIL. */
static int finish(pg_store *ps, bool sent, const char *sql, PGresult **res)
{
    *res = NULL;
    if (!sent)
        return 0;
    for (;;) {
        PGresult *r;
        int rc = next_result(ps, sql, &r);
        if (rc) {
            PQclear(*res);
            *res = NULL;
            return rc;
        }
        if (!r)
            return 0;
        PQclear(*res);
        *res = r;
    }
}

static void quiet_notices(void *arg, const PGresult *res)
{
    (void)arg;
    (void)res; /* "relation already exists, skipping" and the like */
}

/* A new connection to the store's database, made within connect_timeout: the store's
 * timeout_ms, at most CONNECT_MAX_MS (TOOL_CONNECT_MS without one), unless the URL says
 * otherwise. Keepalives find a
 * dead peer of an idle connection; tcp_user_timeout one that stops acknowledging what is sent.
 * NULL with the reason in why when it cannot be made. */
static PGconn *connect_db(pg_store *ps, char *why, size_t n)
{
    int ms = ps->timeout_ms ? ps->timeout_ms : TOOL_CONNECT_MS;
    if (ps->timeout_ms && ms > CONNECT_MAX_MS)
        ms = CONNECT_MAX_MS; /* each attempt holds the loop: keep it short while none answers */
    char ct[16], tut[16];
    snprintf(ct, sizeof ct, "%d", ms < 2000 ? 2 : (ms + 999) / 1000);
    snprintf(tut, sizeof tut, "%d", ps->timeout_ms);
    /* Ours first: what the URL says overrides them (later keywords win; dbname is expanded). */
    const char *const keys[] = {"connect_timeout",     "keepalives",       "keepalives_idle",
                                "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                                "application_name",    "dbname",           NULL};
    const char *const vals[] = {ct, "1", "10", "5", "3", tut, "ketentafel", ps->url, NULL};
    PGconn *c = PQconnectStartParams(keys, vals, 1);
    if (!c) {
        snprintf(why, n, "out of memory");
        return NULL;
    }
    /* PQconnectPoll leaves connect_timeout to its caller: read what is in force. */
    int secs = 0;
    PQconninfoOption *info = PQconninfo(c);
    for (PQconninfoOption *o = info; o && o->keyword; o++)
        if (strcmp(o->keyword, "connect_timeout") == 0 && o->val)
            secs = atoi(o->val);
    PQconninfoFree(info);
    int64_t deadline = secs > 0 ? kt_mono_ns() + (int64_t)(secs < 2 ? 2 : secs) * 1000000000 : 0;
    PostgresPollingStatusType st =
        PQstatus(c) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
        int w = wait_fd(PQsocket(c), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
        if (w == 0) {
            snprintf(why, n, "no answer within connect_timeout (%d s)", secs);
            PQfinish(c);
            return NULL;
        }
        st = PQconnectPoll(c);
    }
    if (st == PGRES_POLLING_FAILED || PQsetnonblocking(c, 1) != 0) {
        snprintf(why, n, "%s", PQerrorMessage(c));
        size_t len = strlen(why);
        while (len && (why[len - 1] == '\n' || why[len - 1] == ' '))
            why[--len] = 0;
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeReceiver(c, quiet_notices, NULL);
    return c;
}

static void deferred_clear(pg_store *ps)
{
    for (int i = 0; i < ps->n_deferred; i++)
        for (int k = 0; k < MAX_PARAMS; k++)
            free(ps->deferred[i].vals[k]);
    ps->n_deferred = 0;
    ps->deferred_data = false;
}

static const char *deferred_sql(const pg_deferred *d);

/* The deferred commands, then text (a single statement without parameters) or the prepared s
 * (or neither), in one pipeline: sent together, answered together, one round trip. 0 with the
 * final result in *res (NULL when there is none; its status is the caller's to read), or the
 * error of the first deferred command that failed (the transaction is then spoilt). */
static int run_pipeline(pg_store *ps, const char *text, struct pg_stmt *s, PGresult **res);

static int spoilt_error(pg_store *ps, const char *sql)
{
    (void)ps;
    kt_error("sql not run: an earlier statement of the transaction failed", "sql=\"%.80s\"",
             sql ? sql : "");
    return KT_ESTORE;
}

/* A simple query of sql (PQexec: several statements allowed), after what is deferred. */
static int exec_res(pg_store *ps, const char *sql, PGresult **res)
{
    *res = NULL;
    if (ps->spoilt)
        return spoilt_error(ps, sql);
    int rc = 0;
    if (ps->n_deferred && !strchr(sql, ';'))
        return run_pipeline(ps, sql, NULL, res); /* in the same round trip */
    if (ps->n_deferred && (rc = run_pipeline(ps, NULL, NULL, NULL)))
        return rc;
    if ((rc = exchange_start(ps)))
        return rc;
    return finish(ps, PQsendQuery(ps->conn, sql), sql, res);
}

static int exec_sql(pg_store *ps, const char *sql)
{
    PGresult *res;
    int rc = exec_res(ps, sql, &res);
    if (rc)
        return rc;
    ExecStatusType s = PQresultStatus(res);
    rc = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? 0 : map_error(ps, res, sql);
    PQclear(res);
    return rc;
}

/* Sends what is deferred now (before an exchange that cannot carry it). */
static int deferred_flush(pg_store *ps)
{
    if (ps->spoilt)
        return spoilt_error(ps, NULL);
    return ps->n_deferred ? run_pipeline(ps, NULL, NULL, NULL) : 0;
}

/* Queues a static text (flushing the queue first when it is full). */
static int defer_text(pg_store *ps, const char *text)
{
    int rc = ps->n_deferred == MAX_DEFERRED ? deferred_flush(ps) : 0;
    if (!rc)
        ps->deferred[ps->n_deferred++] = (pg_deferred){.text = text};
    return rc;
}

/* How long a writer waits for the writers' lock before store_busy: under the exchange's
 * deadline, so that a wait for another node's writer ends as store_busy on a connection that
 * stays, not as a connection dropped for silence. */
static int lock_timeout_ms(const pg_store *ps)
{
    int t = ps->timeout_ms;
    if (!t || t > 30500)
        return 30000;
    return t >= 2000 ? t - 500 : t * 3 / 4;
}

/* How long the server lets one statement run (0: no limit, without a deadline): just under the
 * exchange's deadline, so that PostgreSQL itself ends a runaway statement (query_canceled:
 * store_unavailable, and the connection stays) rather than the node dropping the connection
 * while the statement runs on in the server, holding its locks and a core; above lock_timeout,
 * so that a wait for a lock is still that (store_busy). */
static int statement_timeout_ms(const pg_store *ps)
{
    int t = ps->timeout_ms;
    if (!t)
        return 0;
    return t >= 2000 ? t - 250 : t * 7 / 8;
}

/* The session's settings (a new connection has the server's defaults). Durable
 * acknowledgements: a commit returns once the WAL is flushed (the default; set here so that a
 * server configured otherwise does not make "ok" a promise we cannot keep). With sync_full off,
 * commits may be lost on a crash, as with SQLite's NORMAL. */
static int session_setup(pg_store *ps, int lock_ms, int statement_ms)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SET synchronous_commit = %s; SET lock_timeout = %d; SET statement_timeout = %d",
             ps->sync_full ? "on" : "off", lock_ms, statement_ms);
    return exec_sql(ps, sql);
}

/* Connections break (server restart, failover, an exchange past its deadline): outside a
 * transaction, a new one is made at the next use, after a backoff once an attempt failed;
 * meanwhile every exchange fails at once (KT_EUNAVAIL). */
static void reconnect_if_broken(pg_store *ps)
{
    if ((!ps->broken && PQstatus(ps->conn) == CONNECTION_OK) || ps->base.txn_depth)
        return;
    int64_t now = kt_mono_ns();
    if (now < ps->retry_at_ns)
        return;
    if (!ps->backoff_ms)
        kt_warn("database connection lost; reconnecting", NULL);
    char why[256] = "";
    PGconn *c = connect_db(ps, why, sizeof why);
    if (c) {
        PQfinish(ps->conn);
        ps->conn = c;
        ps->broken = false;
        deferred_clear(ps);
        ps->spoilt = false;
        /* Prepared statements died with the old session. */
        for (int i = 0; i < STMT_SLOTS; i++)
            if (ps->stmts[i])
                ps->stmts[i]->name[0] = 0;
        if (session_setup(ps, lock_timeout_ms(ps), statement_timeout_ms(ps)) == 0) {
            kt_info("database connection made again", "after_ms=%lld",
                    (long long)((kt_mono_ns() - now) / 1000000));
            ps->backoff_ms = 0;
            ps->retry_at_ns = 0;
            return;
        }
        ps->broken = true;
        snprintf(why, sizeof why, "the session's settings failed");
    }
    ps->backoff_ms = ps->backoff_ms ? ps->backoff_ms * 2 : BACKOFF_MIN_MS;
    if (ps->backoff_ms > BACKOFF_MAX_MS)
        ps->backoff_ms = BACKOFF_MAX_MS;
    ps->retry_at_ns = kt_mono_ns() + (int64_t)ps->backoff_ms * 1000000;
    kt_warn("database reconnection failed", "error=\"%.200s\" retry_ms=%d", why, ps->backoff_ms);
}

/* ---- statements ---- */

/* "?N" -> "$N" outside string literals; marks the placeholders used. */
static char *rewrite(const char *sql, bool used[MAX_PARAMS + 1], int *max)
{
    size_t n = strlen(sql);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    bool quoted = false;
    *max = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = sql[i];
        if (c == '\'')
            quoted = !quoted;
        if (c == '?' && !quoted && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            int k = atoi(sql + i + 1);
            if (k > 0 && k <= MAX_PARAMS) {
                used[k] = true;
                if (k > *max)
                    *max = k;
            }
            c = '$';
        }
        out[o++] = c;
    }
    out[o] = 0;
    return out;
}

static int prepare_on_server(pg_store *ps, pg_stmt *s)
{
    bool used[MAX_PARAMS + 1] = {false};
    int max = 0;
    char *text = rewrite(s->base.sql, used, &max);
    if (!text)
        return KT_ENOMEM;
    Oid types[MAX_PARAMS];
    for (int k = 1; k <= max; k++)
        types[k - 1] = used[k] ? 0 : 25; /* a parameter no text uses: call it text */
    /* What is deferred goes first (a prepare cannot carry it); s keeps no name if it fails. */
    int rc = deferred_flush(ps);
    if (rc) {
        free(text);
        return rc;
    }
    snprintf(s->name, sizeof s->name, "kt%d", ps->n_prepared++);
    PGresult *res = NULL;
    rc = exchange_start(ps);
    if (!rc)
        rc = finish(ps, PQsendPrepare(ps->conn, s->name, text, max, types), s->base.sql, &res);
    if (!rc)
        rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : map_error(ps, res, s->base.sql);
    PQclear(res);
    free(text);
    if (rc)
        s->name[0] = 0;
    s->nparams = max;
    return rc;
}

static void clear_result(pg_stmt *s)
{
    PQclear(s->res);
    s->res = NULL;
    PQfreemem(s->blob);
    s->blob = NULL;
    s->row = -1;
    s->nrows = 0;
}

static void clear_params(pg_stmt *s)
{
    for (int i = 0; i < MAX_PARAMS; i++) {
        s->vals[i] = NULL;
        s->lens[i] = 0;
        s->fmts[i] = 0;
    }
}

static pg_stmt *cached(pg_store *ps, const char *sql)
{
    uintptr_t h = ((uintptr_t)sql >> 3) * 2654435761u;
    for (unsigned i = 0; i < STMT_SLOTS; i++) {
        unsigned slot = (unsigned)((h + i) % STMT_SLOTS);
        pg_stmt *s = ps->stmts[slot];
        if (s && s->base.sql == sql)
            return s;
        if (s)
            continue;
        s = calloc(1, sizeof *s);
        if (!s)
            return NULL;
        s->base.st = &ps->base;
        s->base.sql = sql;
        s->row = -1;
        ps->stmts[slot] = s;
        return s;
    }
    assert(!"statement cache full");
    return NULL;
}

static kt_db_stmt *pg_prepare(kt_store *st, const char *sql)
{
    pg_store *ps = pgs(st);
    reconnect_if_broken(ps);
    pg_stmt *s = cached(ps, sql);
    if (!s)
        return NULL;
    /* A prepare that fails still hands out the statement, and its step answers the prepare's
     * error: a caller returns that (KT_EUNAVAIL for a lost connection: store_unavailable),
     * not the KT_ESTORE a NULL statement means to every caller (internal_error). */
    s->prepare_rc = !s->name[0] ? prepare_on_server(ps, s) : 0;
    clear_result(s);
    clear_params(s);
    s->changes = 0;
    return &s->base;
}

#define P(x) ((pg_stmt *)(x))

static void pg_bind_int(kt_db_stmt *s, int i, int64_t v)
{
    if (i < 1 || i > MAX_PARAMS)
        return;
    snprintf(P(s)->num[i - 1], sizeof P(s)->num[0], "%" PRId64, v);
    P(s)->vals[i - 1] = P(s)->num[i - 1];
    P(s)->fmts[i - 1] = 0;
}

static void pg_bind_double(kt_db_stmt *s, int i, double v)
{
    if (i < 1 || i > MAX_PARAMS)
        return;
    snprintf(P(s)->num[i - 1], sizeof P(s)->num[0], "%.17g", v);
    P(s)->vals[i - 1] = P(s)->num[i - 1];
    P(s)->fmts[i - 1] = 0;
}

static void pg_bind_text(kt_db_stmt *s, int i, const char *v)
{
    if (i < 1 || i > MAX_PARAMS)
        return;
    P(s)->vals[i - 1] = v;
    P(s)->fmts[i - 1] = 0;
}

static void pg_bind_blob(kt_db_stmt *s, int i, const void *p, size_t n)
{
    if (i < 1 || i > MAX_PARAMS)
        return;
    P(s)->vals[i - 1] = p;
    P(s)->lens[i - 1] = (int)n;
    P(s)->fmts[i - 1] = 1; /* binary: bytea as it is */
}

static void pg_bind_null(kt_db_stmt *s, int i)
{
    if (i < 1 || i > MAX_PARAMS)
        return;
    P(s)->vals[i - 1] = NULL;
}

static const char *deferred_sql(const pg_deferred *d)
{
    return d->text ? d->text : d->stmt->base.sql;
}

/* Whether a deferred command's result is what it had to be. */
static bool deferred_ok(const pg_deferred *d, const PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return false;
    if (d->text)
        return true;
    const char *v = PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : NULL;
    return v && strtoll(v, NULL, 10) == d->expect;
}

static int run_pipeline(pg_store *ps, const char *text, pg_stmt *s, PGresult **res)
{
    PGconn *conn = ps->conn;
    if (res)
        *res = NULL;
    const char *what = text             ? text
                       : s              ? s->base.sql
                       : ps->n_deferred ? deferred_sql(&ps->deferred[ps->n_deferred - 1])
                                        : "(deferred statements)";
    int rc = exchange_start(ps);
    if (rc) {
        deferred_clear(ps);
        ps->spoilt = true;
        return rc;
    }
    int n = ps->n_deferred;
    bool sent = PQenterPipelineMode(conn);
    for (int i = 0; sent && i < n; i++) {
        const pg_deferred *d = &ps->deferred[i];
        sent = d->text ? PQsendQueryParams(conn, d->text, 0, NULL, NULL, NULL, NULL, 0)
                       : PQsendQueryPrepared(conn, d->stmt->name, d->stmt->nparams,
                                             (const char *const *)d->vals, d->lens, d->fmts, 0);
    }
    if (sent && text)
        sent = PQsendQueryParams(conn, text, 0, NULL, NULL, NULL, NULL, 0);
    else if (sent && s)
        sent = PQsendQueryPrepared(conn, s->name, s->nparams, s->vals, s->lens, s->fmts, 0);
    sent = sent && PQpipelineSync(conn);
    PGresult *last = NULL;
    int total = n + (text || s ? 1 : 0);
    int lost = 0; /* the connection broke, or the deadline passed (next_result) */
    /* Each query's results end with a NULL; the sync's result ends the pipeline. */
    for (int i = 0; sent && i < total; i++) {
        PGresult *r = NULL, *first = NULL;
        lost = next_result(ps, what, &first);
        while (!lost && !(lost = next_result(ps, what, &r)) && r)
            PQclear(r);
        if (lost) {
            PQclear(first);
            sent = false;
            break;
        }
        if (i == n) {
            last = first;
            continue;
        }
        if (!rc && !deferred_ok(&ps->deferred[i], first)) {
            const char *sql = deferred_sql(&ps->deferred[i]);
            ExecStatusType st = PQresultStatus(first);
            if ((st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) && ps->deferred[i].check) {
                kt_info("a remembered row changed meanwhile: the write runs again", "sql=\"%.80s\"",
                        sql);
                ps->base.stale = true;
                rc = KT_ESTALE;
            } else if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
                kt_error("a deferred statement answered otherwise than expected", "sql=\"%.80s\"",
                         sql);
                rc = KT_ESTORE;
            } else
                rc = map_error(ps, first, sql);
        }
        PQclear(first);
    }
    if (sent) {
        PGresult *sync = NULL;
        lost = next_result(ps, what, &sync);
        sent = !lost && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
        PQclear(sync);
    }
    if (ps->broken || !PQexitPipelineMode(conn) || !sent) {
        /* The connection broke meanwhile (or was dropped at the deadline): an error of the
         * final statement, or of the flush. */
        PQclear(last);
        last = NULL;
        if (!rc && lost)
            rc = lost; /* noted and logged */
        else if (!rc && (ps->broken || (!text && !s)))
            rc = map_error(ps, NULL, what);
    }
    deferred_clear(ps);
    if (rc) {
        ps->spoilt = true;
        PQclear(last);
        return rc;
    }
    if (res)
        *res = last;
    else
        PQclear(last);
    return 0;
}

static int pg_step(kt_db_stmt *base)
{
    pg_stmt *s = P(base);
    pg_store *ps = pgs(base->st);
    if (!s->res) {
        if (!s->name[0])
            return s->prepare_rc ? s->prepare_rc : KT_ESTORE;
        if (ps->spoilt)
            return spoilt_error(ps, base->sql);
        if (ps->n_deferred) {
            int rc = run_pipeline(ps, NULL, s, &s->res);
            if (rc)
                return rc;
        } else {
            int rc = exchange_start(ps);
            if (!rc)
                rc = finish(ps,
                            PQsendQueryPrepared(ps->conn, s->name, s->nparams, s->vals, s->lens,
                                                s->fmts, 0),
                            base->sql, &s->res);
            if (rc)
                return rc;
        }
        ExecStatusType status = PQresultStatus(s->res);
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            int rc = map_error(ps, s->res, base->sql);
            PQclear(s->res);
            s->res = NULL;
            if (PQstatus(ps->conn) != CONNECTION_OK)
                s->name[0] = 0;
            return rc;
        }
        s->nrows = PQntuples(s->res);
        const char *n = PQcmdTuples(s->res);
        s->changes = n && *n ? strtoll(n, NULL, 10) : 0;
        /* A SELECT's count is of the rows it read; one that holds a data-modifying WITH counts
         * as a change, whatever it did (pg_write_mark may say more than happened, never less). */
        if (strncmp(PQcmdStatus(s->res), "SELECT", 6) != 0)
            ps->changed += s->changes;
        else if (strstr(base->sql, "INSERT") || strstr(base->sql, "UPDATE") ||
                 strstr(base->sql, "DELETE"))
            ps->changed++;
        s->row = -1;
    }
    if (s->row + 1 < s->nrows) {
        s->row++;
        PQfreemem(s->blob);
        s->blob = NULL;
        return KT_DB_ROW;
    }
    s->row = s->nrows;
    return KT_DB_DONE;
}

static bool pg_col_null(kt_db_stmt *s, int col)
{
    return !P(s)->res || P(s)->row < 0 || P(s)->row >= P(s)->nrows ||
           PQgetisnull(P(s)->res, P(s)->row, col);
}

static int64_t pg_col_int(kt_db_stmt *s, int col)
{
    if (pg_col_null(s, col))
        return 0;
    const char *v = PQgetvalue(P(s)->res, P(s)->row, col);
    if (v[0] == 't' && !v[1])
        return 1; /* a boolean expression */
    if (v[0] == 'f' && !v[1])
        return 0;
    return strtoll(v, NULL, 10);
}

static double pg_col_double(kt_db_stmt *s, int col)
{
    return pg_col_null(s, col) ? 0 : strtod(PQgetvalue(P(s)->res, P(s)->row, col), NULL);
}

static const char *pg_col_text(kt_db_stmt *s, int col)
{
    return pg_col_null(s, col) ? NULL : PQgetvalue(P(s)->res, P(s)->row, col);
}

static const void *pg_col_blob(kt_db_stmt *s, int col, size_t *n)
{
    *n = 0;
    if (pg_col_null(s, col))
        return NULL;
    PQfreemem(P(s)->blob);
    P(s)->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(P(s)->res, P(s)->row, col), n);
    return P(s)->blob;
}

static int64_t pg_changes(kt_db_stmt *s)
{
    return P(s)->changes;
}

static void pg_reset(kt_db_stmt *s)
{
    clear_result(P(s));
}

/* s (prepared and bound) goes out in front of the next exchange, in its round trip; its one
 * row's first column must be expect, or that exchange fails and the transaction with it. Only
 * in a write transaction (elsewhere it runs at once). */
static int defer_stmt(kt_db_stmt *base, int64_t expect, bool check)
{
    pg_stmt *s = P(base);
    pg_store *ps = pgs(base->st);
    if (!s->name[0])
        return s->prepare_rc ? s->prepare_rc : KT_ESTORE;
    if (ps->spoilt)
        return spoilt_error(ps, base->sql);
    if (!ps->base.txn_depth || !ps->base.txn_write) {
        int64_t got = 0;
        int rc = kt_db_one_int(base, &got);
        if (!rc && got != expect) {
            rc = check ? KT_ESTALE : KT_ESTORE;
            ps->base.stale = check;
        }
        return rc == KT_ENOTFOUND ? KT_ESTORE : rc;
    }
    int rc = ps->n_deferred == MAX_DEFERRED ? deferred_flush(ps) : 0;
    if (rc)
        return rc;
    pg_deferred *d = &ps->deferred[ps->n_deferred];
    *d = (pg_deferred){.stmt = s, .expect = expect, .check = check};
    for (int k = 0; k < s->nparams; k++) {
        d->lens[k] = s->lens[k];
        d->fmts[k] = s->fmts[k];
        if (!s->vals[k])
            continue;
        size_t n = s->fmts[k] ? (size_t)s->lens[k] : strlen(s->vals[k]) + 1;
        if (!(d->vals[k] = malloc(n ? n : 1))) {
            for (int j = 0; j < k; j++)
                free(d->vals[j]);
            return KT_ENOMEM;
        }
        memcpy(d->vals[k], s->vals[k], n);
    }
    ps->n_deferred++;
    ps->deferred_data = true;
    if (!check)
        ps->changed++;
    clear_result(s);
    return 0;
}

static int pg_run_later(kt_db_stmt *base, int64_t expect)
{
    return defer_stmt(base, expect, false);
}

/* A check of what the store remembered (kt_db_check_later): deferred as pg_run_later's
 * statements are, but a read: the write mark does not move, so an operation that is refused
 * after it still leaves the group alone; another answer is KT_ESTALE. */
static int pg_check_later(kt_db_stmt *base, int64_t expect)
{
    return defer_stmt(base, expect, true);
}

/* A check still deferred is answered now: the operation that queued it ends knowing whether
 * what it went by was so (store.c, at the end of each operation of a group). */
static int pg_settle(kt_store *st)
{
    pg_store *ps = pgs(st);
    for (int i = 0; i < ps->n_deferred; i++)
        if (ps->deferred[i].check)
            return deferred_flush(ps);
    return 0;
}

/* ---- transactions, schema ---- */

/* The group commit's savepoint commands (store.c), sent with what follows them. */
static const char *const deferrable[][2] = {
    {"SAVEPOINT kt_op", NULL},
    {"RELEASE SAVEPOINT kt_op; SAVEPOINT kt_op", "RELEASE SAVEPOINT kt_op"},
};

static int pg_exec(kt_store *st, const char *sql)
{
    pg_store *ps = pgs(st);
    reconnect_if_broken(ps);
    /* In a write transaction, a savepoint's answer need not be waited for: it goes out with the
     * operation's first statement (or the commit), in the same round trip. An error it meets
     * is that statement's. */
    if (st->txn_depth && st->txn_write && !ps->spoilt)
        for (size_t k = 0; k < sizeof deferrable / sizeof deferrable[0]; k++)
            if (strcmp(sql, deferrable[k][0]) == 0) {
                int rc = deferrable[k][1] ? defer_text(ps, deferrable[k][1]) : 0;
                return rc ? rc : defer_text(ps, "SAVEPOINT kt_op");
            }
    ps->changed++; /* whatever it is, it may have changed rows */
    return exec_sql(ps, sql);
}

static int pg_query_int(kt_store *st, const char *sql, int64_t *out)
{
    pg_store *ps = pgs(st);
    reconnect_if_broken(ps);
    PGresult *res;
    int rc = exec_res(ps, sql, &res);
    if (rc)
        return rc;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = map_error(ps, res, sql);
    else if (PQntuples(res) < 1)
        rc = KT_ENOTFOUND;
    else {
        const char *v = PQgetvalue(res, 0, 0);
        *out = v[0] == 't' ? 1 : v[0] == 'f' ? 0 : strtoll(v, NULL, 10);
        rc = 0;
    }
    PQclear(res);
    return rc;
}

static int pg_begin(kt_store *st, bool write)
{
    pg_store *ps = pgs(st);
    reconnect_if_broken(ps);
    if (!write)
        return exec_sql(ps, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    /* Nothing waits for the answer: the begin and the writers' lock go out with the first
     * statement (or the commit), in its round trip; the server takes the lock before it runs
     * that statement. Waiting too long for the lock (lock_timeout) is that statement's error,
     * store_busy (map_error). */
    deferred_clear(ps);
    ps->spoilt = false;
    defer_text(ps, "BEGIN ISOLATION LEVEL READ COMMITTED");
    defer_text(ps, "SELECT pg_advisory_xact_lock(" WRITE_LOCK_TEXT ")");
    return 0;
}

/* The group commit runs its operations without a savepoint each (store.c) when it can tell
 * whether a failed one changed anything: a savepoint costs the server a subtransaction per
 * write, and two more statements. Any statement error spoils the whole transaction here, which
 * the mark says (-1): the group is then rolled back and its other writes run again. */
static int64_t pg_write_mark(kt_store *st)
{
    pg_store *ps = pgs(st);
    if (!st->txn_depth || ps->spoilt || ps->broken)
        return -1;
    PGTransactionStatusType t = PQtransactionStatus(ps->conn);
    if (t == PQTRANS_INTRANS || (t == PQTRANS_IDLE && ps->n_deferred)) /* BEGIN not yet sent */
        return ps->changed;
    return -1;
}

static int pg_commit(kt_store *st)
{
    pg_store *ps = pgs(st);
    /* A deferred statement whose answer is checked is answered before the COMMIT is sent: a
     * mismatch must roll the transaction back, not find it committed. */
    int rc = ps->deferred_data ? deferred_flush(ps) : 0;
    return rc ? rc : exec_sql(ps, "COMMIT");
}

static void pg_rollback(kt_store *st)
{
    pg_store *ps = pgs(st);
    deferred_clear(ps); /* undone anyway */
    ps->spoilt = false;
    if (!ps->broken && PQtransactionStatus(ps->conn) != PQTRANS_IDLE)
        exec_sql(ps, "ROLLBACK");
}

static int read_version(pg_store *ps)
{
    PGresult *res = NULL;
    int v = -1;
    if (exec_res(ps, "SELECT version FROM kt_schema", &res) == 0 &&
        PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        v = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

static int pg_schema_version(kt_store *st)
{
    return read_version(pgs(st));
}

static int pg_latest_version(void)
{
    return kt_pg_latest_version();
}

/* Creates or upgrades the schema, one node at a time (a session advisory lock). */
static int migrate(pg_store *ps)
{
    int rc = exec_sql(ps, "SELECT pg_advisory_lock(" WRITE_LOCK_TEXT ")");
    if (rc)
        return rc;
    rc = exec_sql(ps, "CREATE TABLE IF NOT EXISTS kt_schema (version INTEGER NOT NULL)");
    int v = rc ? -1 : read_version(ps);
    if (!rc && v < 0) {
        /* a new database: the whole schema of the base version at once */
        rc = exec_sql(ps, "BEGIN");
        if (!rc)
            rc = exec_sql(ps, kt_pg_base_schema());
        char ins[64];
        snprintf(ins, sizeof ins, "INSERT INTO kt_schema VALUES (%d)", kt_pg_base_version());
        if (!rc)
            rc = exec_sql(ps, ins);
        rc = rc ? rc : exec_sql(ps, "COMMIT");
        if (rc)
            exec_sql(ps, "ROLLBACK");
        else
            kt_info("schema created", "backend=postgresql version=%d", kt_pg_base_version());
        v = rc ? -1 : kt_pg_base_version();
    }
    if (!rc && v > kt_pg_latest_version()) {
        kt_error("database schema is newer than this binary", "version=%d", v);
        rc = KT_ESTORE;
    }
    while (!rc && v < kt_pg_latest_version()) {
        char upd[64];
        snprintf(upd, sizeof upd, "UPDATE kt_schema SET version = %d", v + 1);
        rc = exec_sql(ps, "BEGIN");
        if (!rc)
            rc = exec_sql(ps, kt_pg_migration_sql(v + 1));
        if (!rc)
            rc = exec_sql(ps, upd);
        rc = rc ? rc : exec_sql(ps, "COMMIT");
        if (rc)
            exec_sql(ps, "ROLLBACK");
        else
            kt_info("schema migrated", "backend=postgresql version=%d", ++v);
    }
    exec_sql(ps, "SELECT pg_advisory_unlock(" WRITE_LOCK_TEXT ")");
    return rc;
}

static void pg_close(kt_store *st)
{
    pg_store *ps = pgs(st);
    for (int i = 0; i < STMT_SLOTS; i++)
        if (ps->stmts[i]) {
            clear_result(ps->stmts[i]);
            free(ps->stmts[i]);
        }
    deferred_clear(ps);
    PQfinish(ps->conn);
    free(ps->url);
    free(ps);
}

static const kt_db_ops pg_ops = {
    .name = "postgresql",
    .prepare = pg_prepare,
    .bind_int = pg_bind_int,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_null = pg_col_null,
    .col_int = pg_col_int,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .changes = pg_changes,
    .reset = pg_reset,
    .run_later = pg_run_later,
    .check_later = pg_check_later,
    .settle = pg_settle,
    .exec = pg_exec,
    .query_int = pg_query_int,
    .begin = pg_begin,
    .write_mark = pg_write_mark,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .schema_version = pg_schema_version,
    .latest_version = pg_latest_version,
    .close = pg_close,
};

int kt_pg_open(const kt_store_options *opt, kt_store **out)
{
    *out = NULL;
    pg_store *ps = calloc(1, sizeof *ps);
    if (!ps)
        return KT_ENOMEM;
    ps->base.ops = &pg_ops;
    ps->base.dialect = KT_DIALECT_PG;
    ps->url = strdup(opt->path);
    ps->sync_full = opt->sync_full;
    ps->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : 0;
    char why[256] = "out of memory";
    ps->conn = ps->url ? connect_db(ps, why, sizeof why) : NULL;
    if (!ps->conn) {
        kt_error("cannot connect to the database", "error=\"%s\"", why);
        pg_close(&ps->base);
        return KT_EUNAVAIL;
    }
    /* The schema's migration may take long on a large database: no deadline for it, and the
     * writers' lock is waited for as long as another node's migration takes (30 s at most). */
    int rc = session_setup(ps, 30000, 0);
    ps->timeout_ms = 0;
    if (!rc)
        rc = migrate(ps);
    ps->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : 0;
    if (!rc && ps->timeout_ms)
        rc = session_setup(ps, lock_timeout_ms(ps), statement_timeout_ms(ps));
    if (rc) {
        pg_close(&ps->base);
        return rc;
    }
    *out = &ps->base;
    return 0;
}

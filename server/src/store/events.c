/* The event log and its per-stream seq. */
#include "store/events.h"
#include "store/db.h"

#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

int kt_store_event_append(kt_store *st, int64_t body, const char *type, const char *vis,
                          const char *payload, int64_t actor, int64_t *seq_out)
{
    assert(st->txn_depth == 1 && st->txn_write);
    /* The stream's row is locked by this update until commit: no other writer (on any node) can
     * take the same seq, and a rollback gives it back. */
    if (st->dialect == KT_DIALECT_PG && st->seq_known && st->seq_body == body) {
        /* This transaction appended to the stream already, and holds the writers' lock and the
         * stream's row since: the seq is known without asking. The append goes out with the
         * next statement (no round trip of its own); the server assigns the seq as always, and
         * the transaction fails unless it is this one. */
        int64_t seq = st->seq_head + 1;
        kt_db_stmt *s = kt_db_prepare(
            st, "WITH s AS (UPDATE streams SET seq = seq + 1 WHERE body_id = CAST(?1 AS BIGINT) "
                "RETURNING seq) INSERT INTO events(body_id, seq, type, vis, payload, actor_id, "
                "created_at) SELECT CAST(?1 AS BIGINT), s.seq, CAST(?2 AS TEXT), CAST(?3 AS TEXT), "
                "CAST(?4 AS TEXT), CAST(?5 AS BIGINT), CAST(?6 AS BIGINT) FROM s RETURNING seq");
        if (!s)
            return KT_ESTORE;
        kt_db_bind_int(s, 1, body);
        kt_db_bind_text(s, 2, type);
        kt_db_bind_text(s, 3, vis);
        kt_db_bind_text(s, 4, payload);
        kt_db_bind_ref(s, 5, actor);
        kt_db_bind_int(s, 6, kt_now());
        int rc = kt_db_run_later(s, seq);
        if (rc) {
            st->seq_known = false;
            return rc;
        }
        st->seq_head = *seq_out = seq;
        return 0;
    }
    if (st->dialect == KT_DIALECT_PG) {
        /* One round trip: the seq and the event in one statement (SQLite, in-process, has no
         * data-modifying WITH and needs none). */
        kt_db_stmt *s = kt_db_prepare(
            st, "WITH s AS (INSERT INTO streams(body_id, seq) VALUES (CAST(?1 AS BIGINT), 1) "
                "ON CONFLICT(body_id) DO UPDATE SET seq = streams.seq + 1 RETURNING seq) "
                "INSERT INTO events(body_id, seq, type, vis, payload, actor_id, created_at) "
                "SELECT CAST(?1 AS BIGINT), s.seq, CAST(?2 AS TEXT), CAST(?3 AS TEXT), "
                "CAST(?4 AS TEXT), CAST(?5 AS BIGINT), CAST(?6 AS BIGINT) FROM s RETURNING seq");
        if (!s)
            return KT_ESTORE;
        kt_db_bind_int(s, 1, body);
        kt_db_bind_text(s, 2, type);
        kt_db_bind_text(s, 3, vis);
        kt_db_bind_text(s, 4, payload);
        kt_db_bind_ref(s, 5, actor);
        kt_db_bind_int(s, 6, kt_now());
        int rc = kt_db_one_int(s, seq_out);
        if (!rc) {
            st->seq_known = true;
            st->seq_body = body;
            st->seq_head = *seq_out;
        }
        return rc == KT_ENOTFOUND ? KT_ESTORE : rc;
    }
    /* SQLite: this connection holds the write lock from BEGIN IMMEDIATE to COMMIT, so the head
     * read here is the one this write advances. No RETURNING: SQLite collects a RETURNING
     * statement's rows in a temporary b-tree of their own, which cost more than this read and
     * the plain write together. */
    kt_db_stmt *s = kt_db_prepare(st, "SELECT seq FROM streams WHERE body_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    int64_t seq = 0;
    int rc = kt_db_one_int(s, &seq);
    if (rc && rc != KT_ENOTFOUND)
        return rc;
    s = rc == KT_ENOTFOUND ? kt_db_prepare(st, "INSERT INTO streams(body_id, seq) VALUES (?1, ?2)")
                           : kt_db_prepare(st, "UPDATE streams SET seq = ?2 WHERE body_id = ?1");
    if (!s)
        return KT_ESTORE;
    seq++;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, seq);
    int64_t changed = 0;
    rc = kt_db_run(s, &changed);
    if (rc)
        return rc;
    if (changed != 1)
        return KT_ESTORE;
    s = kt_db_prepare(st, "INSERT INTO events(body_id, seq, type, vis, payload, actor_id, "
                          "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, seq);
    kt_db_bind_text(s, 3, type);
    kt_db_bind_text(s, 4, vis);
    kt_db_bind_text(s, 5, payload);
    kt_db_bind_ref(s, 6, actor);
    kt_db_bind_int(s, 7, kt_now());
    rc = kt_db_run(s, NULL);
    if (rc)
        return rc;
    *seq_out = seq;
    return 0;
}

int kt_store_stream_head(kt_store *st, int64_t body, int64_t *seq)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT seq FROM streams WHERE body_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    *seq = 0;
    int rc = kt_db_one_int(s, seq);
    return rc == KT_ENOTFOUND ? 0 : rc;
}

int64_t kt_store_stream_seq(kt_store *st, int64_t body)
{
    int64_t seq = 0;
    if (kt_store_stream_head(st, body, &seq))
        kt_warn("stream head unreadable", "body=%lld", (long long)body);
    return seq;
}

int kt_store_events_generation(kt_store *st, int64_t *gen)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT CAST(coalesce(sum(seq), 0) AS BIGINT) FROM streams");
    if (!s)
        return KT_ESTORE;
    *gen = 0;
    return kt_db_one_int(s, gen);
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
    kt_db_stmt *s =
        kt_db_prepare(st, "SELECT seq, type, vis, payload, actor_id, created_at FROM events "
                          "WHERE body_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, after);
    kt_db_bind_int(s, 3, max);
    int n = 0, rc = 0;
    while (n < max && (rc = kt_db_step(s)) == KT_DB_ROW) {
        kt_stored_event *ev = &out[n++];
        ev->body = body;
        ev->seq = kt_db_int(s, 0);
        ev->type = kt_db_dup(s, 1);
        ev->vis = kt_db_dup(s, 2);
        ev->payload = kt_db_dup(s, 3);
        ev->actor = kt_db_int(s, 4);
        ev->time = kt_db_int(s, 5);
        if (!ev->type || !ev->payload) {
            rc = KT_ENOMEM;
            break;
        }
    }
    kt_db_reset(s);
    if (rc < 0) {
        /* Half a batch read as if the stream ended would hide the rest of it for good. */
        for (int i = 0; i < n; i++)
            kt_store_event_clear(&out[i]);
        kt_error("events unreadable", "body=%lld after=%lld rc=%d", (long long)body,
                 (long long)after, rc);
        return rc;
    }
    return n;
}

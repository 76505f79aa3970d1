#include "live/conn.h"

#include "protocol/errors.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define Q_START 4

int kt_conn_init(kt_conn *c, int max, size_t max_bytes)
{
    int cap = max < Q_START ? max : Q_START;
    c->q = calloc((size_t)cap, sizeof *c->q);
    if (!c->q)
        return KT_ENOMEM;
    c->q_cap = cap;
    c->q_max = max;
    c->q_max_bytes = max_bytes;
    return 0;
}

/* Doubles the ring (up to q_max), unrolling it so the oldest frame is at 0 again. */
static int grow(kt_conn *c)
{
    int cap = c->q_cap * 2 > c->q_max ? c->q_max : c->q_cap * 2;
    kt_frame **q = malloc((size_t)cap * sizeof *q);
    if (!q)
        return KT_ENOMEM;
    for (int i = 0; i < c->q_len; i++)
        q[i] = c->q[(c->q_head + i) % c->q_cap];
    free(c->q);
    c->q = q;
    c->q_head = 0;
    c->q_cap = cap;
    return 0;
}

void kt_conn_wake(kt_conn *c)
{
    if (c->io)
        c->io->wake(c);
}

bool kt_conn_write_now(kt_conn *c, kt_frame *f)
{
    return c->io && c->io->write_now(c, f);
}

void kt_conn_release(kt_conn *c)
{
    while (c->q_len)
        kt_conn_pop(c);
    free(c->q);
    free(c->rx);
    c->q = NULL;
    c->rx = NULL;
    c->q_cap = c->q_max = 0;
}

void kt_conn_close(kt_conn *c, int code, const char *reason)
{
    if (c->close_code)
        return;
    c->close_code = code;
    snprintf(c->close_reason, sizeof c->close_reason, "%s", reason ? reason : "");
    kt_conn_wake(c);
}

int kt_conn_send(kt_conn *c, kt_frame *f)
{
    if (c->close_code || !c->q)
        return KT_EFULL;
    if (c->q_len == c->q_max || c->q_bytes + f->len > c->q_max_bytes) {
        kt_warn("websocket out-queue full: closing as too slow", "person=%lld queued=%d bytes=%zu",
                (long long)c->me.person, c->q_len, c->q_bytes);
        kt_conn_close(c, KT_CLOSE_SLOW_CONSUMER, "te traag: hervat met subscribe since");
        return KT_EFULL;
    }
    if (c->heartbeat_ms) /* the client hears from us: no heartbeat needed for a while */
        c->sent_at = kt_mono_ns();
    if (c->q_len == 0 && kt_conn_write_now(c, f))
        return 0;
    if (c->q_len == c->q_cap && grow(c)) {
        kt_conn_close(c, 1011, "geen geheugen");
        return KT_ENOMEM;
    }
    c->q[(c->q_head + c->q_len) % c->q_cap] = kt_frame_ref(f);
    c->q_len++;
    c->q_bytes += f->len;
    if (c->q_len == 1)
        kt_conn_wake(c);
    return 0;
}

int kt_conn_send_json(kt_conn *c, const json_t *j)
{
    kt_frame *f = kt_frame_from_json(j);
    if (!f)
        return KT_ENOMEM;
    int rc = kt_conn_send(c, f);
    kt_frame_unref(f);
    return rc;
}

kt_frame *kt_conn_peek(kt_conn *c)
{
    return c->q_len ? c->q[c->q_head] : NULL;
}

void kt_conn_pop(kt_conn *c)
{
    if (!c->q_len)
        return;
    kt_frame *f = c->q[c->q_head];
    c->q[c->q_head] = NULL;
    c->q_head = (c->q_head + 1) % c->q_cap;
    c->q_len--;
    c->q_bytes -= f->len;
    kt_frame_unref(f);
    if (c->q_len == 0 && c->q_cap > 8 * Q_START) {
        /* A burst (a replay) is over: an idle session keeps a small ring. */
        kt_frame **q = realloc(c->q, Q_START * sizeof *q);
        if (q) {
            c->q = q;
            c->q_cap = Q_START;
            c->q_head = 0;
        }
    }
}

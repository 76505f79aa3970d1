#include "live/conn.h"

#include "protocol/errors.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

int kt_conn_init(kt_conn *c, int cap, size_t max_bytes)
{
    c->q = calloc((size_t)cap, sizeof *c->q);
    if (!c->q)
        return KT_ENOMEM;
    c->q_cap = cap;
    c->q_max_bytes = max_bytes;
    return 0;
}

void kt_conn_release(kt_conn *c)
{
    while (c->q_len)
        kt_conn_pop(c);
    free(c->q);
    free(c->rx);
    c->q = NULL;
    c->rx = NULL;
    c->q_cap = 0;
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
    if (c->q_len == c->q_cap || c->q_bytes + f->len > c->q_max_bytes) {
        kt_conn_close(c, KT_CLOSE_SLOW_CONSUMER, "te traag: hervat met subscribe since");
        return KT_EFULL;
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
}

/* The WebSocket endpoint: authentication at the upgrade, message reassembly, dispatch, writing
 * frames, and keepalive.
 *
 * Writing. A frame for a session with nothing queued or partly written ahead of it goes to the
 * socket at once (kt_conn_write_now); everything else waits in the session's out-queue and is
 * written one frame per WRITEABLE callback. The direct path is what libwebsockets does itself for
 * a partial write (it keeps the rest and asks for WRITEABLE), and it saves setting and clearing
 * POLLOUT for each delivery to an idle session: on the libuv loop that is four epoll_ctl calls
 * (lws' glue restarts the socket's uv_poll handle on each change) and a pass of the loop.
 * Order holds because the direct path is taken only when the queue and lws' own buffer are empty.
 *
 * Keepalive. lws' per-connection validity timers live in one sorted list, O(n) per re-arm, which
 * at 10,000 sessions cost seconds of loop time per ping round. Instead the server sweeps all
 * sessions every few seconds (server.c) with kt_ws_keepalive_conn. A session silent for 2.5 times
 * --ping-secs (75 s) is dropped. To find out in time it gets one ping (written at once when nothing
 * is queued, like a frame) when the rest of that time is just the answer window: at least 10 s or
 * half a ping interval, and never before --ping-secs. At the default that is after 60 s of silence
 * rather than 30: a silent peer is pinged about once a minute instead of every 30-40 s, and dropped
 * at the same bound. A ping round costs the server about 20 us per session on loopback (the ping's
 * send, the pong's read, the wake): with pings every 10-13 s, 20,000 idle sessions took about 3% of
 * a core (bench/README.md).
 *
 * Heartbeats. A browser's script never sees those pings, so a browser cannot tell a dead
 * connection from a quiet one by them; it used to send the `ping` op every 25 s, which costs a
 * parse, a dispatch, a read transaction and a reply (52-88 us). A client that opens /ws?heartbeat=S
 * instead gets a small text frame whenever it was sent nothing for S seconds (looked at in the
 * same sweep), saying within how many seconds the next frame comes at the latest; the pings
 * above keep telling the server that the browser lives (it answers them by itself).
 *
 * Write deadline. Closing needs a WRITEABLE callback (the close frame goes out in order), and a
 * client that stopped reading never gives one: its socket stays full, its queue and lws' buffer
 * hold their bytes, and a close decided for it (4008, 1001) never happens. The same sweep drops
 * a session that has had bytes pending and taken none for 2.5 ping intervals, without a close
 * handshake (it could not be written anyway). */
#include "auth/session.h"
#include "bus/bus.h"
#include "live/conn.h"
#include "live/hub.h"
#include "net/net.h"
#include "net/tls.h"
#include "protocol/dispatch.h"
#include "protocol/errors.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define QUEUE_BYTES (4u << 20) /* per connection; see KT_CLOSE_SLOW_CONSUMER */

typedef struct ws_pss {
    kt_conn conn;
    bool authed, open;
    bool close_queued;   /* in closing (below): lws is to close it from a timer */
    int64_t heartbeat_s; /* asked for at the upgrade (/ws?heartbeat=S); 0: none */
    lws_dll2_t closing;
} ws_pss;

size_t kt_ws_pss_size(void)
{
    return sizeof(ws_pss);
}

static void ws_wake(kt_conn *c)
{
    if (c->wsi)
        lws_callback_on_writable(c->wsi);
}

static bool ws_write_now(kt_conn *c, kt_frame *f)
{
    struct lws *wsi = c->wsi;
    if (!wsi || c->q_len || c->close_code || c->ping_due || lws_partial_buffered(wsi))
        return false;
    /* lws keeps what the socket does not take and asks for WRITEABLE itself. */
    if (lws_write(wsi, kt_frame_payload(f), f->len, LWS_WRITE_TEXT) < (int)f->len) {
        /* The socket is broken; lws closes it when the loop reports so. Send nothing more. */
        c->close_code = 1011;
        return true;
    }
    c->frames_sent++;
    kt_net_app(wsi)->counters.frames_sent++;
    return true;
}

/* What the live layer's connections use to reach their sockets. */
static const kt_conn_io ws_io = {.wake = ws_wake, .write_now = ws_write_now};

/* Counts c's close in /metrics once, whichever way it ends (handshake or dropped). */
static void count_close(kt_app *app, kt_conn *c)
{
    if (c->close_counted || !c->close_code)
        return;
    c->close_counted = true;
    if (c->close_code == KT_CLOSE_SLOW_CONSUMER)
        app->counters.slow_consumer_closes++;
}

static void heard(kt_conn *c)
{
    c->heard_at = kt_mono_ns();
    c->pinged = false;
}

/* A keepalive ping, written at once like a frame when nothing is ahead of it (saving a POLLOUT
 * round trip per ping); false when it must wait for WRITEABLE. It carries a payload because lws
 * reports no empty pong (RECEIVE_PONG). */
static bool ping_now(kt_conn *c)
{
    struct lws *wsi = c->wsi;
    if (!wsi || c->q_len || c->close_code || lws_partial_buffered(wsi))
        return false;
    unsigned char ping[LWS_PRE + 2];
    memcpy(ping + LWS_PRE, "kt", 2);
    if (lws_write(wsi, ping + LWS_PRE, 2, LWS_WRITE_PING) < 0)
        c->close_code = 1011; /* broken: lws closes it when the loop reports so */
    return true;
}

/* Whether c has bytes waiting for its socket: queued frames, a frame lws holds in part, a ping
 * or a close to write. */
static bool write_pending(kt_conn *c)
{
    return c->q_len || c->close_code || c->ping_due || (c->wsi && lws_partial_buffered(c->wsi));
}

/* How long a silent session may take to answer its ping, in ms. */
static int64_t answer_ms(int ping_secs)
{
    int64_t half = ping_secs * 500LL;
    return half > 10000 ? half : 10000;
}

int64_t kt_ws_ping_after_ms(int ping_secs)
{
    int64_t at = ping_secs * 2500LL - answer_ms(ping_secs);
    return at > ping_secs * 1000LL ? at : ping_secs * 1000LL;
}

int64_t kt_ws_sweep_ms(int ping_secs)
{
    int64_t third = ping_secs * 1000LL / 3, quarter = answer_ms(ping_secs) / 4;
    return third < quarter ? third : quarter;
}

int64_t kt_ws_heartbeat_within_s(int64_t every_s, int ping_secs)
{
    return every_s + (kt_ws_sweep_ms(ping_secs) + 999) / 1000;
}

/* A heartbeat frame: the client learns that the connection lives without asking (an op costs the
 * server a parse, a dispatch and a reply; this costs one small send) and how long it may wait
 * for the next frame. Not written when it cannot be made: the next sweep tries again. */
static void heartbeat(kt_conn *c, int ping_secs)
{
    char text[48];
    int n = snprintf(text, sizeof text, "{\"heartbeat\":{\"within\":%lld}}",
                     (long long)kt_ws_heartbeat_within_s(c->heartbeat_ms / 1000, ping_secs));
    kt_frame *f = kt_frame_from_text(text, (size_t)n);
    if (!f)
        return;
    kt_conn_send(c, f); /* sets sent_at */
    kt_frame_unref(f);
}

void kt_ws_loop_was_away(kt_conn *c, int64_t now, int64_t away)
{
    c->heard_at = c->heard_at + away < now ? c->heard_at + away : now;
    c->progress_at = c->progress_at + away < now ? c->progress_at + away : now;
}

void kt_ws_keepalive_conn(kt_conn *c, int64_t now, int ping_secs)
{
    if (c->dropped) { /* still here: lws may have replaced the kill with a timeout of its own */
        if (c->wsi)
            lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
        return;
    }
    if (!write_pending(c)) {
        c->progress_at = now;
    } else if (c->wsi && now - c->progress_at >= ping_secs * 2500LL * 1000000LL) {
        kt_app *app = kt_net_app(c->wsi);
        kt_warn("websocket stalled: dropped", "person=%lld queued=%d bytes=%zu code=%d secs=%lld",
                (long long)c->me.person, c->q_len, c->q_bytes, c->close_code,
                (long long)((now - c->progress_at) / 1000000000LL));
        if (!c->close_code)
            kt_conn_close(c, KT_CLOSE_SLOW_CONSUMER, "te traag: hervat met subscribe since");
        count_close(app, c);
        app->counters.stalled_closes++;
        /* Nothing more is written to it (close_code is set); lws closes it from its timer. */
        c->dropped = true;
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
        return;
    }
    int64_t silent_ms = (now - c->heard_at) / 1000000;
    if (silent_ms >= ping_secs * 2500LL) {
        kt_info("websocket silent", "person=%lld secs=%lld", (long long)c->me.person,
                (long long)(silent_ms / 1000));
        kt_conn_close(c, KT_CLOSE_SHUTDOWN, "geen antwoord op ping");
        return;
    }
    if (silent_ms >= kt_ws_ping_after_ms(ping_secs) && !c->pinged) {
        c->pinged = true;
        if (!ping_now(c)) {
            c->ping_due = true;
            kt_conn_wake(c);
        }
    }
    /* Nothing queued: a frame on its way tells the client as much as a heartbeat would. */
    if (c->heartbeat_ms && !c->q_len && !c->close_code &&
        (now - c->sent_at) / 1000000 >= c->heartbeat_ms) {
        heartbeat(c, ping_secs);
        c->sent_at = now; /* on the sweep's clock */
    }
}

/* File descriptors kept free of connections: for the store's files, the bus, mail, static files
 * being served, and above all for the next accept(). A process that has none left cannot accept,
 * and the listening socket stays readable: the loop would spin on it at full speed. The
 * operators' listener (--metrics-listen) may use all but OPS_RESERVE of them, so /metrics still
 * answers when the public port is full. */
#define FD_RESERVE  32
#define OPS_RESERVE 8

/* Whether a connection just accepted on fd by listener wsi fits; counts and logs the ones that
 * do not. */
static bool fd_fits(kt_app *app, struct lws *wsi, int fd)
{
    static int limit;
    static int64_t last_warned;
    if (!limit) { /* unknown (a seccomp filter may refuse prlimit64): refuse nothing */
        struct rlimit rl;
        rlim_t max = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : RLIM_INFINITY;
        limit = max > (rlim_t)INT32_MAX ? INT32_MAX : (int)max;
    }
    bool ops = app->ops_vhost && lws_get_vhost(wsi) == app->ops_vhost;
    int reserve = ops ? OPS_RESERVE : FD_RESERVE;
    if (fd < limit - reserve)
        return true;
    app->counters.connections_refused++;
    int64_t now = kt_mono_ns();
    if (now - last_warned > 10 * 1000000000LL) {
        last_warned = now;
        kt_warn("connection refused: open-file limit nearly reached", "fd=%d limit=%d refused=%llu",
                fd, limit, (unsigned long long)app->counters.connections_refused);
    }
    return false;
}

/* The heartbeat interval the client asked for in the upgrade's URL (/ws?heartbeat=S, S a whole
 * number of seconds, 1 to KT_HEARTBEAT_MAX_S), or 0: none asked for, or not a valid one. */
static int64_t heartbeat_asked(struct lws *wsi)
{
    char buf[32];
    const char *v = lws_get_urlarg_by_name(wsi, "heartbeat=", buf, sizeof buf);
    if (!v || !*v)
        return 0;
    char *end;
    long long s = strtoll(v, &end, 10);
    return *end || s < 1 || s > KT_HEARTBEAT_MAX_S ? 0 : s;
}

/* 0 when the upgrade may go on; else the HTTP status to refuse it with. */
static int authenticate(kt_app *app, struct lws *wsi, ws_pss *pss)
{
    char uri[64];
    if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, "/ws") != 0 ||
        kt_net_ops_request(app, wsi))
        return HTTP_STATUS_NOT_FOUND;
    if (!kt_net_origin_ok(app, wsi)) {
        kt_warn("websocket refused", "reason=origin");
        return HTTP_STATUS_FORBIDDEN;
    }
    char token[KT_TOKEN_LEN + 8];
    if (!kt_net_session(app, wsi, &pss->conn.me, token, sizeof token)) {
        kt_info("websocket refused", "reason=no_session");
        return HTTP_STATUS_UNAUTHORIZED;
    }
    crypto_hash_sha256(pss->conn.session_hash, (const unsigned char *)token, strlen(token));
    pss->authed = true;
    pss->heartbeat_s = heartbeat_asked(wsi);
    return 0;
}

static void on_established(kt_app *app, struct lws *wsi, ws_pss *pss)
{
    kt_conn *c = &pss->conn;
    c->wsi = wsi;
    c->io = &ws_io;
    heard(c);
    c->progress_at = c->heard_at;
    if (kt_conn_init(c, app->cfg.max_queue, QUEUE_BYTES) || kt_hub_conn_open(app->hub, c)) {
        kt_conn_close(c, 1011, "geen geheugen");
        return;
    }
    pss->open = true;
    app->counters.connections_total++;
    app->counters.connections_open++;
    if (pss->heartbeat_s) { /* the first one at once: the client learns the bound it may rely on */
        c->heartbeat_ms = pss->heartbeat_s * 1000;
        heartbeat(c, app->cfg.ping_secs);
    }
}

static void handle_message(kt_app *app, ws_pss *pss, const char *text, size_t len)
{
    kt_conn *c = &pss->conn;
    if (c->me.expires_at <= kt_now()) {
        kt_conn_close(c, KT_CLOSE_SESSION_ENDED, "sessie verlopen");
        return;
    }
    int close_code = 0;
    json_t *reply = kt_dispatch_text(app, &c->me, c, text, len, &close_code);
    if (reply)
        kt_conn_send_json(c, reply);
    json_decref(reply);
    kt_dispatch_publish(app);
    if (close_code)
        kt_conn_close(c, close_code, kt_code_message(KT_C_INVALID_UTF8));
}

static void on_receive(kt_app *app, struct lws *wsi, ws_pss *pss, const char *in, size_t len)
{
    kt_conn *c = &pss->conn;
    heard(c);
    if (lws_frame_is_binary(wsi)) {
        if (lws_is_final_fragment(wsi)) {
            json_t *r = kt_reply_error(NULL, KT_C_BINARY_NOT_SUPPORTED, NULL);
            kt_conn_send_json(c, r);
            json_decref(r);
        }
        return;
    }
    bool first = lws_is_first_fragment(wsi), final = lws_is_final_fragment(wsi);
    if (first && final && c->rx_len == 0) { /* the common case: no copy */
        handle_message(app, pss, in, len);
        return;
    }
    if (first) {
        c->rx_len = 0;
        c->rx_too_large = false;
    }
    if (!c->rx_too_large && len) { /* an empty fragment adds nothing (and rx may be NULL) */
        if (c->rx_len + len > KT_MAX_FRAME) {
            c->rx_too_large = true;
        } else {
            if (c->rx_len + len > c->rx_cap) {
                size_t cap = c->rx_cap ? c->rx_cap : 4096;
                while (cap < c->rx_len + len)
                    cap *= 2;
                char *b = realloc(c->rx, cap);
                if (!b) {
                    kt_conn_close(c, 1011, "geen geheugen");
                    return;
                }
                c->rx = b;
                c->rx_cap = cap;
            }
            memcpy(c->rx + c->rx_len, in, len);
            c->rx_len += len;
        }
    }
    if (!final)
        return;
    if (c->rx_too_large) {
        json_t *r = kt_reply_error(NULL, KT_C_FRAME_TOO_LARGE, NULL);
        kt_conn_send_json(c, r);
        json_decref(r);
    } else {
        handle_message(app, pss, c->rx ? c->rx : "", c->rx_len);
    }
    c->rx_len = 0;
    c->rx_too_large = false;
    if (c->rx) { /* fragmented messages are rare: keep no buffer on idle sessions */
        free(c->rx);
        c->rx = NULL;
        c->rx_cap = 0;
    }
}

/* Closing. The close frame is lws' to write, in its close handshake: lws_close_reason() stores
 * code and reason, and closing the connection sends them at the next WRITEABLE and waits (5 s at
 * most) for the client's answer. The usual way to close from a callback, returning -1, cannot be
 * used here: Debian builds lws 4.1 with _DEBUG, and then lws_service_fd_tsi() closes a connection
 * on the libuv loop a second time right after the first ("uv repeat test"), which ends the
 * handshake before the close frame is written: clients saw the connection end without a code.
 * So WRITEABLE stores the reason and queues the connection, and the close starts from a timer
 * callback, outside the connection's service: lws_set_timeout(LWS_TO_KILL_SYNC). */
static lws_dll2_owner_t closing;
static lws_sorted_usec_list_t closing_sul;

static void close_queued(lws_sorted_usec_list_t *sul)
{
    (void)sul;
    while (closing.head) {
        ws_pss *pss = lws_container_of(closing.head, ws_pss, closing);
        lws_dll2_remove(&pss->closing);
        pss->close_queued = false;
        lws_set_timeout(pss->conn.wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_SYNC);
    }
}

static int queue_close(struct lws *wsi, ws_pss *pss)
{
    kt_conn *c = &pss->conn;
    lws_close_reason(wsi, (enum lws_close_status)c->close_code, (unsigned char *)c->close_reason,
                     strlen(c->close_reason));
    if (!pss->close_queued) {
        pss->close_queued = true;
        lws_dll2_add_tail(&pss->closing, &closing);
        lws_sul_schedule(lws_get_context(wsi), 0, &closing_sul, close_queued, 1);
    }
    return 0;
}

void kt_ws_stop(void)
{
    lws_sul_cancel(&closing_sul);
}

static int on_writeable(kt_app *app, struct lws *wsi, ws_pss *pss)
{
    kt_conn *c = &pss->conn;
    c->progress_at = kt_mono_ns(); /* the socket takes bytes again */
    bool abrupt = c->close_code == KT_CLOSE_SLOW_CONSUMER ||
                  c->close_code == KT_CLOSE_SESSION_ENDED || c->close_code == KT_CLOSE_SHUTDOWN;
    if (c->close_code && (abrupt || c->q_len == 0)) {
        count_close(app, c);
        return queue_close(wsi, pss);
    }
    if (c->ping_due) {
        /* A ping is a control frame: it may go between any two messages. It carries a payload
         * because lws reports no empty pong (RECEIVE_PONG). */
        unsigned char ping[LWS_PRE + 2];
        memcpy(ping + LWS_PRE, "kt", 2);
        c->ping_due = false;
        if (lws_write(wsi, ping + LWS_PRE, 2, LWS_WRITE_PING) < 0)
            return -1;
        if (c->q_len || c->catching_up)
            lws_callback_on_writable(wsi);
        return 0;
    }
    kt_frame *f = kt_conn_peek(c);
    if (f) {
        int n = lws_write(wsi, kt_frame_payload(f), f->len, LWS_WRITE_TEXT);
        if (n < (int)f->len)
            return -1;
        kt_conn_pop(c);
        c->frames_sent++;
        app->counters.frames_sent++;
    }
    if (c->catching_up && c->q_len * 2 <= c->q_max)
        kt_hub_pump(app->hub, c);
    /* A replay batch may have gone straight to the socket: come back for the next one. */
    if (c->q_len || c->close_code || c->catching_up)
        lws_callback_on_writable(wsi);
    return 0;
}

int kt_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                   size_t len)
{
    ws_pss *pss = user;
    kt_app *app;
    switch (reason) {
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION: /* every accepted socket; in is its fd */
        return fd_fits(kt_net_app(wsi), wsi, (int)(lws_intptr_t)in) ? 0 : -1;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
        int status = pss ? authenticate(kt_net_app(wsi), wsi, pss) : HTTP_STATUS_FORBIDDEN;
        if (!status)
            return 0;
        /* Say why, so a client can tell "log in again" from a network failure. */
        lws_return_http_status(wsi, (unsigned)status,
                               status == HTTP_STATUS_UNAUTHORIZED ? "unauthenticated"
                               : status == HTTP_STATUS_FORBIDDEN  ? "forbidden origin"
                                                                  : "not found");
        return -1;
    }
    case LWS_CALLBACK_ESTABLISHED:
        if (!pss->authed)
            return -1;
        on_established(kt_net_app(wsi), wsi, pss);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        if (!pss->open || pss->conn.close_code)
            return 0;
        on_receive(kt_net_app(wsi), wsi, pss, in, len);
        return 0;
    case LWS_CALLBACK_RECEIVE_PONG:
        if (pss->open)
            heard(&pss->conn);
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        if (!pss->open)
            return -1;
        return on_writeable(kt_net_app(wsi), wsi, pss);
    case LWS_CALLBACK_CLOSED:
        if (pss->close_queued) {
            lws_dll2_remove(&pss->closing);
            pss->close_queued = false;
        }
        if (pss->open) {
            app = kt_net_app(wsi);
            kt_dispatch_forget_conn(app, &pss->conn);
            kt_hub_conn_closed(app->hub, &pss->conn);
            app->counters.connections_open--;
            pss->open = false;
        }
        kt_conn_release(&pss->conn);
        return 0;
    case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
        return kt_tls_vhost_ready(user); /* user: the public vhost's SSL_CTX */
    default:
        /* Static files from the web/ mount are served through this protocol too: let lws
         * finish those transactions (keep-alive depends on it). */
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

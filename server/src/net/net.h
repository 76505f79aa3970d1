/* Internal glue shared by the WebSocket and HTTP callbacks. */
#ifndef KT_NET_H
#define KT_NET_H

#include "app.h"
#include "auth/session.h"
#include "live/conn.h"

#include <libwebsockets.h>
#include <stdbool.h>

#define KT_COOKIE "kt_session"

/* The app behind a wsi (the vhost's user pointer). */
kt_app *kt_net_app(struct lws *wsi);

/* Finds the session token of a request: the kt_session cookie, else "Authorization: Bearer".
 * Writes it to buf (KT_TOKEN_LEN + 1); true when one was found. */
bool kt_net_token(struct lws *wsi, char *buf, size_t len);

/* The request's valid session, from "Authorization: Bearer" or else the cookie; the token goes
 * to token (len >= KT_TOKEN_LEN + 1). False when neither names a live session. */
bool kt_net_session(kt_app *app, struct lws *wsi, kt_principal *out, char *token, size_t len);

/* Whether the request came in on the operators' listener (--metrics-listen). */
bool kt_net_ops_request(kt_app *app, struct lws *wsi);

/* Whether the request's Origin (if any) may open a WebSocket / post to the API. */
bool kt_net_origin_ok(kt_app *app, struct lws *wsi);
/* Whether people reach the node at an https: address (--public-url): then cookies are Secure,
 * responses carry HSTS and passwords are accepted over TLS only. */
bool kt_net_public_https(const kt_app *app);
/* Whether the request came over TLS: the connection itself, or a trusted proxy (see
 * --trusted-proxies) that says so in X-Forwarded-Proto. */
bool kt_net_request_secure(kt_app *app, struct lws *wsi);

int kt_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                   size_t len);
int kt_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len);

/* Keepalive for one connection at monotonic time now (ns): marks it for closing when silent for
 * 2.5 times ping_secs, and pings it once when silent for kt_ws_ping_after_ms(ping_secs) (the drop
 * bound minus an answer window of at least 10 s or half of ping_secs; never before ping_secs).
 * The server sweeps all connections every kt_ws_sweep_ms(ping_secs) (a third of ping_secs or a
 * quarter of the answer window, the shorter), so a peer has at least three quarters of the answer
 * window to answer, or 7/6 of ping_secs when that is shorter (ping_secs below 7). */
void kt_ws_keepalive_conn(kt_conn *c, int64_t now, int ping_secs);
/* The loop was kept from serving sockets for `away` ns before the sweep at now (a sweep that
 * came late): that time is not c's silence nor its lack of write progress. */
void kt_ws_loop_was_away(kt_conn *c, int64_t now, int64_t away);
int64_t kt_ws_ping_after_ms(int ping_secs);
int64_t kt_ws_sweep_ms(int ping_secs);
/* A client that asked for heartbeats every every_s seconds (/ws?heartbeat=every_s) receives some
 * text frame at least this often, in seconds: every_s plus one sweep, rounded up. It is told so
 * in each heartbeat frame, and may call the connection dead after that much silence (plus the
 * network's delay). */
int64_t kt_ws_heartbeat_within_s(int64_t every_s, int ping_secs);
#define KT_HEARTBEAT_MAX_S 3600 /* the longest heartbeat interval a client may ask for */

/* Cancels the timer that closes connections (before the context is destroyed). */
void kt_ws_stop(void);

/* Per-WS-connection data size (lws allocates it zeroed). */
size_t kt_ws_pss_size(void);
size_t kt_http_pss_size(void);

#endif

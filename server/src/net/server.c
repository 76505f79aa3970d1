#include "net/server.h"

#include "auth/session.h"
#include "bus/bus.h"
#include "detect/detect.h"
#include "feed/digest.h"
#include "feed/notify.h"
#include "live/hub.h"
#include "net/net.h"
#include "net/tls.h"
#include "privacy/retention.h"
#include "protocol/dispatch.h"
#include "protocol/errors.h"
#include "store/requests.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/worker.h"

#include <arpa/inet.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* The loop: libuv (epoll), with libwebsockets on it as a foreign loop. lws watches each socket
 * with a uv_poll handle, so a wake costs what the ready sockets cost, not one pass over every
 * open one as poll() did. The loop is ours: the wake-up from other threads (an async handle)
 * and the shutdown timer are plain libuv handles beside lws's. */
static uv_loop_t loop;
static uv_async_t wake_async;
static uv_timer_t shutdown_timer;
static uv_check_t commit_check; /* once per turn of the loop, after its I/O: the group commit */
static volatile sig_atomic_t stopping, can_wake;
static bool shutting_down;
static int64_t shutdown_deadline; /* monotonic ns */
static lws_sorted_usec_list_t housekeeping_sul, bus_sul, keepalive_sul;

static void on_wake(uv_async_t *h);

/* The loop has read what arrived in this turn: the writes among it commit together, once. */
static void on_turn_done(uv_check_t *h)
{
    kt_dispatch_flush(h->data);
}

/* Each WebSocket gets an rx buffer of rx_buffer_size: 1 KiB keeps an idle session small, and
 * longer messages arrive in pieces that ws.c reassembles. tx_packet_size is set so that a long
 * frame still goes to send() in one piece rather than in rx_buffer_size chunks. */
static struct lws_protocols protocols[] = {
    /* First: WebSocket upgrades without a subprotocol header bind here. */
    {"ketentafel", kt_ws_callback, 0, 1024, 0, NULL, 256 * 1024},
    {"kt-http", kt_http_callback, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0}};

static const struct lws_protocol_vhost_options mime_json = {NULL, NULL, ".json",
                                                            "application/json"};
static const struct lws_protocol_vhost_options mime_svg = {&mime_json, NULL, ".svg",
                                                           "image/svg+xml"};
static const struct lws_protocol_vhost_options mime_mjs = {&mime_svg, NULL, ".mjs",
                                                           "text/javascript"};
static const struct lws_protocol_vhost_options mime_js = {&mime_mjs, NULL, ".js",
                                                          "text/javascript"};
static const struct lws_protocol_vhost_options mime_woff2 = {&mime_js, NULL, ".woff2",
                                                             "font/woff2"};

/* Headers on every HTTP response: the client renders user text, so the browser is told to run
 * nothing but our own scripts. */
static const struct lws_protocol_vhost_options hdr_csp = {
    NULL, NULL, "content-security-policy:",
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"};
static const struct lws_protocol_vhost_options hdr_nosniff = {&hdr_csp, NULL,
                                                              "x-content-type-options:", "nosniff"};
static const struct lws_protocol_vhost_options hdr_referrer = {&hdr_nosniff, NULL,
                                                               "referrer-policy:", "no-referrer"};
static const struct lws_protocol_vhost_options hdr_frame = {&hdr_referrer, NULL,
                                                            "x-frame-options:", "DENY"};
/* When people reach the node at an https: address, their browsers are told to come back only
 * that way (a year; renewed with every response). */
static const struct lws_protocol_vhost_options hdr_hsts = {
    &hdr_frame, NULL, "strict-transport-security:", "max-age=31536000"};

static struct lws_http_mount mount_api, mount_health, mount_metrics, mount_feeds, mount_root;
static struct lws_http_mount ops_health, ops_metrics;

/* No lws validity timers (each re-arm walks a sorted list of all connections); keepalive()
 * below does the same job in one sweep. */
static const lws_retry_bo_t idle_policy = {
    .secs_since_valid_ping = 0,
    .secs_since_valid_hangup = 0,
};

static void mount_callback(struct lws_http_mount *m, const char *point,
                           const struct lws_http_mount *next)
{
    memset(m, 0, sizeof *m);
    m->mount_next = next;
    m->mountpoint = point;
    m->mountpoint_len = (unsigned char)strlen(point);
    m->origin = "kt-http";
    m->origin_protocol = LWSMPRO_CALLBACK;
}

static kt_app *the_app;

static void housekeeping(lws_sorted_usec_list_t *sul)
{
    (void)sul;
    kt_app *app = the_app;
    kt_hub_expire(app->hub, kt_now());
    kt_store_faults faults;
    kt_store_faults_get(&faults);
    /* A write that succeeds ends the spell (store.h), even when idle. With an indexer (SQLite) its
     * thread probes, as the probe may wait for the write lock; without one (PostgreSQL, whose
     * every operation runs here) the loop does. */
    if (faults.unavailable && !app->indexer)
        kt_store_probe_write(app->store);
    static int ticks;
    static bool retention_left; /* the last pass stopped at its limit: go on at the next tick */
    bool hourly = ticks++ % 120 == 0;
    if (hourly || retention_left)
        kt_retention_run(app, kt_now(), &retention_left, NULL);
    if (hourly) { /* at start, then hourly */
        kt_session_purge(app->store);
        if (kt_store_begin(app->store) == 0) {
            if (kt_store_requests_expire(app->store, kt_now() - 86400) == 0)
                kt_store_commit(app->store);
            else
                kt_store_rollback(app->store);
        }
        kt_notify_due_scan(app);
        kt_dispatch_publish(app); /* the due notifications it committed */
    }
    lws_sul_schedule(app->lws, 0, &housekeeping_sul, housekeeping, 30 * LWS_US_PER_SEC);
}

typedef struct sweep_clock {
    int64_t now, away; /* ns; away: how long the loop was kept from serving its sockets */
} sweep_clock;

static void keepalive_one(kt_conn *c, void *arg)
{
    const sweep_clock *k = arg;
    if (k->away)
        kt_ws_loop_was_away(c, k->now, k->away);
    kt_ws_keepalive_conn(c, k->now, the_app->cfg.ping_secs);
}

/* The sweep runs a few times per ping interval (every 3.75 s at the default 30 s; net.h). A
 * sweep of 20,000 sessions is a few loads and compares each, about a millisecond. */
static lws_usec_t keepalive_period(const kt_app *app)
{
    return (lws_usec_t)kt_ws_sweep_ms(app->cfg.ping_secs) * 1000;
}

/* A sweep that comes late found the loop busy elsewhere (a commit waiting for the disk or for
 * the write lock, a long operation): the loop's timers run before it reads and writes sockets
 * again, so what the clients sent and took meanwhile is not yet seen. Time beyond a sweep
 * period is the loop's, not the clients': it is not counted against their silence or their
 * write deadline (a stall of the loop of 2.5 ping intervals dropped every session that had
 * bytes queued, and closed every one whose pong it had not read). */
static void keepalive(lws_sorted_usec_list_t *sul)
{
    (void)sul;
    static int64_t last;
    int64_t period = (int64_t)keepalive_period(the_app) * 1000;
    sweep_clock k = {.now = kt_mono_ns()};
    if (last && k.now - last > 2 * period)
        k.away = k.now - last - period;
    last = k.now;
    kt_hub_each_conn(the_app->hub, keepalive_one, &k);
    lws_sul_schedule(the_app->lws, 0, &keepalive_sul, keepalive, keepalive_period(the_app));
}

/* With a bus between nodes, messages can be lost: every second each topic checks the store.
 * One indexed lookup per body with local subscribers; it bounds how stale a client can be. */
static void bus_tick(lws_sorted_usec_list_t *sul)
{
    (void)sul;
    kt_app *app = the_app;
    if (app->bus && strcmp(kt_bus_name(app->bus), "local") != 0)
        kt_hub_resync(app->hub);
    lws_sul_schedule(app->lws, 0, &bus_sul, bus_tick, LWS_US_PER_SEC);
}

/* For an IPv4 address, IPv4 only: lws looks an IPv4 address up among the IPv6 addresses of a
 * dual-stack socket, finds nothing and binds every address. */
static uint64_t listen_options(const char *iface)
{
    struct in_addr v4;
    return iface && inet_pton(AF_INET, iface, &v4) == 1 ? LWS_SERVER_OPTION_DISABLE_IPV6 : 0;
}

/* Splits "ADDR:PORT" (or "[v6]:PORT"); false when malformed. */
bool kt_server_split_listen(const char *spec, char *addr, size_t len, int *port)
{
    const char *colon = spec ? strrchr(spec, ':') : NULL;
    if (!colon || colon == spec || !colon[1])
        return false;
    const char *a = spec, *e = colon;
    if (*a == '[') {
        if (e[-1] != ']')
            return false;
        a++;
        e--;
    }
    if ((size_t)(e - a) >= len || e == a)
        return false;
    memcpy(addr, a, (size_t)(e - a));
    addr[e - a] = 0;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 0 || p > 65535)
        return false;
    *port = (int)p;
    return true;
}

/* A second listener, for operators only: /metrics and the full /healthz. Default loopback, so
 * the public port tells an outsider nothing about the node. */
static int start_ops_listener(kt_app *app, struct lws_context_creation_info *info)
{
    static char addr[64];
    int port;
    if (!kt_server_split_listen(app->cfg.metrics_listen, addr, sizeof addr, &port)) {
        kt_error("bad --metrics-listen (ADDR:PORT)", "value=\"%s\"", app->cfg.metrics_listen);
        return KT_EINVAL;
    }
    mount_callback(&ops_health, "/healthz", NULL);
    mount_callback(&ops_metrics, "/metrics", &ops_health);
    info->port = port;
    info->iface = addr;
    info->options = listen_options(addr); /* plain HTTP on the operators' address */
    info->ssl_cert_filepath = info->ssl_private_key_filepath = NULL;
    info->mounts = &ops_metrics;
    info->vhost_name = "ketentafel-ops";
    app->ops_vhost = lws_create_vhost(app->lws, info);
    if (!app->ops_vhost) {
        kt_error("cannot listen for metrics", "addr=%s port=%d", addr, port);
        return KT_EIO;
    }
    kt_info("metrics listening", "addr=%s port=%d", addr,
            lws_get_vhost_listen_port(app->ops_vhost));
    return 0;
}

int kt_server_start(kt_app *app)
{
    the_app = app;
    mount_callback(&mount_api, "/api", NULL);
    mount_callback(&mount_health, "/healthz", &mount_api);
    mount_callback(&mount_metrics, "/metrics", &mount_health);
    mount_callback(&mount_feeds, "/feeds", &mount_metrics);
    memset(&mount_root, 0, sizeof mount_root);
    mount_root.mount_next = &mount_feeds;
    mount_root.mountpoint = "/";
    mount_root.mountpoint_len = 1;
    mount_root.origin = app->cfg.web_root;
    mount_root.def = "index.html";
    mount_root.origin_protocol = LWSMPRO_FILE;
    mount_root.extra_mimetypes = &mime_woff2;
    mount_root.cache_max_age = 0;
    mount_root.cache_revalidate = 1;

    if (uv_loop_init(&loop))
        return KT_EIO;
    uv_async_init(&loop, &wake_async, on_wake);
    wake_async.data = app;
    uv_check_init(&loop, &commit_check);
    commit_check.data = app;
    uv_check_start(&commit_check, on_turn_done);
    uv_unref((uv_handle_t *)&commit_check);
    uv_timer_init(&loop, &shutdown_timer);
    void *foreign_loops[1] = {&loop};
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_LIBUV;
    info.foreign_loops = foreign_loops;
    info.pt_serv_buf_size = 32 * 1024;
    info.timeout_secs = 20;
    info.user = app;
    kt_tls_creation_info(&app->cfg, &info, true);
    app->lws = lws_create_context(&info);
    if (!app->lws) {
        /* lws logs "failed to load" when its libuv plugin (libwebsockets-evlib-uv) is missing */
        kt_error("cannot create the lws context", NULL);
        uv_close((uv_handle_t *)&wake_async, NULL);
        uv_close((uv_handle_t *)&shutdown_timer, NULL);
        uv_close((uv_handle_t *)&commit_check, NULL);
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
        return KT_EIO;
    }
    can_wake = 1;
    protocols[0].per_session_data_size = kt_ws_pss_size();
    protocols[1].per_session_data_size = kt_http_pss_size();
    info.port = app->cfg.port;
    info.iface = app->cfg.listen_addr && *app->cfg.listen_addr ? app->cfg.listen_addr : NULL;
    info.options = listen_options(info.iface);
    kt_tls_creation_info(&app->cfg, &info, false);
    info.protocols = protocols;
    info.mounts = &mount_root;
    info.headers = kt_net_public_https(app) ? &hdr_hsts : &hdr_frame;
    info.vhost_name = "ketentafel";
    info.retry_and_idle_policy = &idle_policy;
    if (!lws_create_vhost(app->lws, &info)) {
        kt_error("cannot listen", "addr=%s port=%d", info.iface ? info.iface : "*", info.port);
        return KT_EIO;
    }
    if (app->cfg.metrics_listen && start_ops_listener(app, &info))
        return KT_EIO;
    app->worker = kt_worker_start(kt_server_wake, app);
    if (!app->worker)
        return KT_ENOMEM;
    lws_sul_schedule(app->lws, 0, &housekeeping_sul, housekeeping, 30 * LWS_US_PER_SEC);
    lws_sul_schedule(app->lws, 0, &bus_sul, bus_tick, LWS_US_PER_SEC);
    lws_sul_schedule(app->lws, 0, &keepalive_sul, keepalive, keepalive_period(app));
    return 0;
}

int kt_server_port(kt_app *app)
{
    struct lws_vhost *vh = lws_get_vhost_by_name(app->lws, "ketentafel");
    return vh ? lws_get_vhost_listen_port(vh) : app->cfg.port;
}

/* Loop thread, after kt_server_wake(): worker results, digest results, an index built aside,
 * bus deliveries. */
static void on_wake_work(kt_app *app)
{
    kt_tls_reload_if_requested(&app->cfg);
    if (app->worker)
        kt_worker_drain(app->worker);
    kt_digest_drain(app->digest);
    kt_detect_drain(app->detect);
    if (app->bus)
        kt_bus_poll(app->bus);
}

static void shutdown_poll(uv_timer_t *t)
{
    kt_app *app = t->data;
    if (kt_mono_ns() >= shutdown_deadline || kt_hub_open_connections(app->hub) == 0)
        uv_stop(&loop);
}

/* Going away: tell every client (1001), so they reconnect elsewhere instead of guessing, and
 * give the close frames up to half a second to leave. */
static void begin_shutdown(kt_app *app)
{
    shutting_down = true;
    if (!kt_hub_close_all(app->hub, KT_CLOSE_SHUTDOWN, "server stopt")) {
        uv_stop(&loop);
        return;
    }
    shutdown_deadline = kt_mono_ns() + 500 * 1000000LL;
    shutdown_timer.data = app;
    uv_timer_start(&shutdown_timer, shutdown_poll, 10, 10);
}

static void on_wake(uv_async_t *h)
{
    kt_app *app = h->data;
    on_wake_work(app);
    if (stopping && !shutting_down)
        begin_shutdown(app);
}

int kt_server_run(kt_app *app)
{
    kt_detect_serving(app->detect);
    if (stopping) /* asked before the loop ran: its wake-up may have found no loop to wake */
        uv_async_send(&wake_async);
    uv_run(&loop, UV_RUN_DEFAULT);
    return 0;
}

void kt_server_wake(void *app)
{
    (void)app;
    if (can_wake)
        uv_async_send(&wake_async);
}

void kt_server_stop(kt_app *app)
{
    stopping = 1;
    kt_server_wake(app);
}

void kt_server_destroy(kt_app *app)
{
    if (!app->lws)
        return;
    lws_sul_cancel(&housekeeping_sul);
    lws_sul_cancel(&bus_sul);
    lws_sul_cancel(&keepalive_sul);
    kt_ws_stop();
    kt_worker_stop(app->worker);
    app->worker = NULL;
    can_wake = 0;
    kt_dispatch_flush(app); /* writes read in the last turn are committed and answered */
    uv_close((uv_handle_t *)&wake_async, NULL);
    uv_close((uv_handle_t *)&shutdown_timer, NULL);
    uv_close((uv_handle_t *)&commit_check, NULL);
    /* With a foreign loop lws closes its handles asynchronously: run the loop until they are
     * all closed, which also completes the context's destruction. */
    lws_context_destroy(app->lws);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop))
        kt_warn("event loop closed with handles open", NULL);
    app->lws = NULL;
}

kt_app *kt_net_app(struct lws *wsi)
{
    return lws_get_vhost_user(lws_get_vhost(wsi));
}

void kt_server_reload(kt_app *app)
{
    kt_tls_request_reload();
    kt_server_wake(app);
}

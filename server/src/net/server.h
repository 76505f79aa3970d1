/* The network side of a node: one libwebsockets context serving the static web client, the
 * HTTP API (login, logout, session, password, health, metrics) and the WebSocket protocol at
 * /ws, all on the one event-loop thread: a libuv loop (epoll) that lws runs on as a foreign
 * loop. Other threads (the worker, the Redis bus) hand results to it with kt_server_wake(). */
#ifndef KT_SERVER_H
#define KT_SERVER_H

#include "app.h"

#include <stdbool.h>
#include <stddef.h>

/* Creates the lws context and listens. 0 or a negative error. */
int kt_server_start(kt_app *app);
/* Runs the loop until kt_server_stop() (safe from a signal handler) is called. */
int kt_server_run(kt_app *app);
void kt_server_stop(kt_app *app);
/* Wakes the loop thread, which then collects what the worker, the digest and the bus have
 * finished (kt_worker_drain, kt_digest_drain, kt_bus_poll). app is the kt_app; the signature fits
 * kt_worker_start() and kt_bus_redis_new(). Safe from any thread and from a signal handler
 * (uv_async_send); a no-op before kt_server_start() and once kt_server_destroy() has begun. */
void kt_server_wake(void *app);
/* Asks the loop to read the TLS certificate and key again (SIGHUP); safe from a signal
 * handler. */
void kt_server_reload(kt_app *app);
void kt_server_destroy(kt_app *app);

/* The port actually bound (useful with port 0). */
int kt_server_port(kt_app *app);

/* Splits a listen address "ADDR:PORT" or "[IPv6]:PORT" into addr (len bytes) and port. */
bool kt_server_split_listen(const char *spec, char *addr, size_t len, int *port);

#endif

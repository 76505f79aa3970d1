/* The network side of a node: one libwebsockets context serving the static web client, the
 * HTTP API (login, logout, session, password, health, metrics) and the WebSocket protocol at
 * /ws, all on the one event-loop thread. */
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
void kt_server_destroy(kt_app *app);

/* The port actually bound (useful with port 0). */
int kt_server_port(kt_app *app);

/* Splits a listen address "ADDR:PORT" or "[IPv6]:PORT" into addr (len bytes) and port. */
bool kt_server_split_listen(const char *spec, char *addr, size_t len, int *port);

#endif

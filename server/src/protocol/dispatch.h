/* The front door of the protocol: decodes a text frame into a request, validates it against the
 * op table, checks permission, runs the handler inside one store transaction, replies only after
 * commit, and then publishes the events the handler appended. */
#ifndef KT_DISPATCH_H
#define KT_DISPATCH_H

#include "app.h"
#include "auth/session.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define KT_MAX_FRAME (64 * 1024) /* documented in protocol/PROTOCOL.md */

/* Handles one text frame. Returns the reply (owned by the caller), or NULL when the reply waits
 * for the group commit (a write over a connection, with group commit on: kt_dispatch_flush
 * sends it). *close_code is set to a WebSocket close code when the connection must end after
 * the reply (else 0). */
json_t *kt_dispatch_text(kt_app *app, const kt_principal *me, void *conn, const char *text,
                         size_t len, int *close_code);

/* Handles one decoded request object (borrowed). Returns the reply (owned). */
json_t *kt_dispatch(kt_app *app, const kt_principal *me, void *conn, json_t *req);

/* Publishes the events of the requests dispatched so far. The caller queues the reply first and
 * then calls this, so a requester sees "ok" before the events its change caused. */
void kt_dispatch_publish(kt_app *app);

/* Group commit. on: writes over connections share one transaction until kt_dispatch_flush(),
 * which the event loop calls once per turn, after it has read what arrived; it commits (one
 * fsync for all), then answers every requester (ok only now), publishes, and hands the
 * reactions on. Anything else that needs the store meanwhile flushes first (store.h). */
void kt_dispatch_group_commit(kt_app *app, bool on);
void kt_dispatch_flush(kt_app *app);
/* conn (a kt_conn) is going away: its held replies are dropped at the flush. */
void kt_dispatch_forget_conn(kt_app *app, void *conn);

/* Runs the op `name` with args (borrowed) as a part of the request c is serving: in c's open
 * transaction, as c's caller, through the op table's argument, target and permission checks
 * like any request. Its events and what it touched join c's, so they are published (and the
 * detectors run) only when c commits; *result (may be NULL) receives its result (new
 * reference). On failure c carries the error, its message prefixed by where (e.g.
 * "Agendapunt 3: "; may be NULL), and -1 is returned: the caller rolls back the whole request.
 * For ops made of other ops, such as import.commit. */
struct kt_ctx;
int kt_dispatch_sub(struct kt_ctx *c, const char *name, json_t *args, const char *where,
                    json_t **result);

/* An error reply for id (borrowed, may be NULL). */
json_t *kt_reply_error(json_t *id, int code, const char *message);

#endif

/* The context of one request on its way through the write (or read) path: who asks, what, on
 * which body, the result or error, and the events it appended (published after commit). */
#ifndef KT_CTX_H
#define KT_CTX_H

#include "app.h"
#include "auth/acl.h"
#include "auth/session.h"
#include "auth/viewer.h"
#include "live/event.h"
#include "protocol/errors.h"
#include "store/store.h"
#include "util/ivec.h"

#include <jansson.h>

typedef struct kt_ctx {
    kt_app *app;
    kt_store *st;
    const kt_principal *me;
    json_t *args;         /* borrowed: the request object */
    int64_t body;         /* target body resolved by the dispatcher; 0 if the op has none */
    kt_viewer viewer;     /* me, as member (or not) of body */
    int64_t *guest_items; /* storage behind viewer.items */
    json_t *result;       /* owned; the handler sets it (NULL -> {}) */
    bool secret_result;   /* result carries a secret shown once: not kept for request-key replays */
    kt_code code;
    char message[256];
    kt_event **events; /* appended in the transaction, published after commit */
    int n_events, cap_events;
    void *conn;           /* the WebSocket connection (net/conn.h) or NULL outside one */
    struct kt_mail *mail; /* owned: a message to send once the transaction committed */
    bool grouped;         /* a write that joins the open group commit (store.h) */
    bool isolated;        /* and runs again after its group was rolled back: in a savepoint */
    int64_t job;          /* the reaction job the change recorded (0: none) */
    /* What changed, for the detectors that run after commit (detect/detect.h). */
    kt_ivec touched_meetings, touched_items, touched_bodies;
} kt_ctx;

/* Records an error; returns -1 so handlers can `return kt_fail(...)`. fmt NULL: default text. */
int kt_fail(kt_ctx *c, kt_code code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Maps an internal KT_E* to a wire error (unless one was recorded already); returns -1. */
int kt_fail_err(kt_ctx *c, int err);

/* Appends an event to body's stream in the open transaction; data is stolen. vis may be NULL.
 * Returns 0 or -1 (error recorded). */
int kt_emit(kt_ctx *c, int64_t body, const char *type, const kt_vis *vis, json_t *data);

/* Notes a changed meeting / agenda item / membership list for the detectors. */
void kt_touch_meeting(kt_ctx *c, int64_t meeting);
void kt_touch_item(kt_ctx *c, int64_t item);
void kt_touch_body(kt_ctx *c, int64_t body);

/* Queues c's committed events for publishing after the reply (kt_dispatch_publish). */
void kt_ctx_defer_publish(kt_ctx *c);

void kt_ctx_init(kt_ctx *c, kt_app *app, const kt_principal *me, json_t *args);
void kt_ctx_clear(kt_ctx *c);

#endif

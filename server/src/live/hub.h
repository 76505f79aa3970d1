/* The hub delivers events to the sessions of this node: per body a topic with its subscriptions,
 * per person the connections (for events about their own membership and for ending sessions).
 *
 * Ordering and completeness: a topic knows the last seq it delivered (head); an event that
 * arrives with a gap is preceded by the missing events read from the store, an event at or below
 * head is a duplicate and dropped. A subscription is either live (at head) or catching up: it
 * then reads from the store in batches as its out-queue drains, so replay never floods memory. */
#ifndef KT_HUB_H
#define KT_HUB_H

#include "app.h"
#include "auth/acl.h"
#include "live/conn.h"
#include "live/event.h"
#include "store/store.h"

#include <stdint.h>

typedef struct kt_hub kt_hub;

kt_hub *kt_hub_new(kt_app *app);
void kt_hub_free(kt_hub *h);

/* Bus callback: ev (borrowed) was committed somewhere; deliver it in order. */
void kt_hub_deliver(void *hub, kt_event *ev);
/* Bus callback after a reconnect: every topic checks the store for what it missed. */
void kt_hub_resync(void *hub);

/* Registers / forgets a connection. */
int kt_hub_conn_open(kt_hub *h, kt_conn *c);
void kt_hub_conn_closed(kt_hub *h, kt_conn *c);

#define KT_MAX_SUBS_PER_CONN 256

/* Subscribes c to body from since (< 0: from now). viewer is copied; items storage is taken.
 * *head receives the body's current last seq. KT_EINVAL when since > head, KT_EFULL when the
 * connection has too many subscriptions. Re-subscribing to a body restarts it from since. */
int kt_hub_subscribe(kt_hub *h, kt_conn *c, int64_t body, int64_t since, const kt_viewer *viewer,
                     int64_t *items, int64_t *head);
int kt_hub_unsubscribe(kt_hub *h, kt_conn *c, int64_t body);

/* Loop thread, when c's queue has room: continues the replay of catching-up subscriptions. */
void kt_hub_pump(kt_hub *h, kt_conn *c);

/* Closes every connection of person (all sessions, or only the one with session_hash). */
void kt_hub_close_person(kt_hub *h, int64_t person, const unsigned char *session_hash, int code,
                         const char *reason);
/* Closes every connection (shutdown); returns how many were open. */
int kt_hub_close_all(kt_hub *h, int code, const char *reason);
uint64_t kt_hub_open_connections(const kt_hub *h);

/* Closes connections whose session expired; call now and then. */
void kt_hub_expire(kt_hub *h, int64_t now);
/* Calls fn for every open connection (fn may mark it for closing, not free it). */
void kt_hub_each_conn(kt_hub *h, void (*fn)(kt_conn *c, void *arg), void *arg);

/* Counts for /metrics. */
void kt_hub_stats(const kt_hub *h, uint64_t *conns, uint64_t *topics, uint64_t *subs);

#endif

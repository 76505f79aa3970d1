/* One WebSocket connection's live state: who it is, its bounded out-queue of shared frames and
 * its subscriptions. The queue is the only place a slow client's backlog can grow, and it is
 * bounded: on overflow the connection is closed with KT_CLOSE_SLOW_CONSUMER and the client
 * resumes with subscribe {since}. Everything here runs on the loop thread. */
#ifndef KT_CONN_H
#define KT_CONN_H

#include "auth/session.h"
#include "live/frame.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lws;
struct kt_sub;
struct kt_conn;

/* How the connection reaches its socket: filled in by the net layer (net/ws.c), which sits
 * above this one. NULL (unit tests): frames are only queued. */
typedef struct kt_conn_io {
    void (*wake)(struct kt_conn *c); /* ask the event loop for a writeable callback */
    /* write f to the socket now if nothing (queued or partly written) is ahead of it; true when
     * f was taken */
    bool (*write_now)(struct kt_conn *c, kt_frame *f);
} kt_conn_io;

typedef struct kt_conn {
    const kt_conn_io *io; /* NULL in unit tests */
    struct lws *wsi;      /* NULL in unit tests */
    kt_principal me;
    unsigned char session_hash[32]; /* which login session this connection belongs to */
    kt_frame **q;                   /* ring buffer of frames awaiting write */
    int q_head, q_len, q_cap;       /* q_cap slots allocated: grows up to q_max on demand */
    int q_max;                      /* the bound: more queued frames close the connection */
    size_t q_bytes, q_max_bytes;
    int close_code; /* != 0: close at the next writeable */
    char close_reason[96];
    struct kt_sub *subs;
    int n_subs;
    int catching_up;                           /* subscriptions reading from the store */
    struct kt_conn *person_next, *person_prev; /* other connections of the same person */
    char *rx;                                  /* fragments of an incoming message */
    size_t rx_len, rx_cap;
    bool rx_too_large;
    bool ping_due;    /* a keepalive ping is to be written at the next writeable */
    bool pinged;      /* and has been asked for since the client was last heard */
    int64_t heard_at; /* monotonic ns of the last frame (or pong) from the client */
    /* Heartbeat (the client asked with /ws?heartbeat=S, net/ws.c): a heartbeat frame goes out
     * when no text frame went to the client for heartbeat_ms; 0: none asked for. */
    int64_t heartbeat_ms;
    int64_t sent_at; /* monotonic ns of the last text frame written to (or queued for) it */
    /* monotonic ns when the socket last took bytes, or was seen with nothing pending: a
     * connection with bytes pending and no progress for the write deadline is dropped */
    int64_t progress_at;
    bool close_counted; /* its close is in /metrics already (count each close once) */
    bool dropped;       /* past its write deadline: lws kills it from its timer */
    uint64_t frames_sent;
} kt_conn;

/* Sets up the queue (at most max frames, max_bytes bytes; the ring starts small, since most
 * sessions idle with nothing queued); 0 or KT_ENOMEM. */
int kt_conn_init(kt_conn *c, int cap, size_t max_bytes);
/* Drops queued frames and buffers; the hub must have forgotten c (kt_hub_conn_closed). */
void kt_conn_release(kt_conn *c);

/* Sends f: written to the socket at once when nothing is queued ahead of it, else queued (with a
 * reference taken) and WRITEABLE requested. On overflow marks the connection for closing with
 * KT_CLOSE_SLOW_CONSUMER and returns KT_EFULL; after that nothing more is sent. */
int kt_conn_send(kt_conn *c, kt_frame *f);
/* Queues a JSON reply (serialised here). */
int kt_conn_send_json(kt_conn *c, const json_t *j);

/* The oldest queued frame, or NULL; pop() drops it after writing. */
kt_frame *kt_conn_peek(kt_conn *c);
void kt_conn_pop(kt_conn *c);

/* Marks c for closing with code and reason; the net layer closes at the next writeable. */
void kt_conn_close(kt_conn *c, int code, const char *reason);

/* Asks the event loop for a writeable callback (through c->io; no-op without one). */
void kt_conn_wake(kt_conn *c);
/* Writes f to the socket now if nothing is ahead of it (through c->io); true when f was taken.
 * False without io, so unit tests see every frame queued. */
bool kt_conn_write_now(kt_conn *c, kt_frame *f);

#endif

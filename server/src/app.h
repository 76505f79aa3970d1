/* The node: configuration and the long-lived parts every module reaches through one pointer. */
#ifndef KT_APP_H
#define KT_APP_H

#include <stdbool.h>
#include <stdint.h>

struct kt_store;

#define KT_RETENTION_KINDS 6 /* KT_RET__COUNT of store/retention.h */
struct kt_hub;
struct kt_bus;
struct kt_worker;
struct kt_detect;
struct kt_digest;
struct kt_mail;
struct kt_indexer;
struct kt_ctx;
struct lws_context;
struct lws_vhost;
struct kt_origins;

typedef struct kt_config {
    const char *listen_addr; /* NULL or "" = all interfaces */
    int port;
    /* /metrics and the full /healthz: "ADDR:PORT" of a listener of their own, NULL: none */
    const char *metrics_listen;
    const char *db_path;
    int db_timeout_ms; /* PostgreSQL: the deadline of each exchange (kt_store_options) */
    const char *web_root;
    const char *redis_url;       /* NULL: in-process bus */
    const char *public_url;      /* base URL for links (feeds, mails); derived when NULL */
    const char *allowed_origins; /* comma-separated; besides the public URL's origin */
    const char *trusted_proxies; /* addresses/CIDRs whose X-Forwarded-For is believed */
    const char *tls_cert;        /* PEM certificate (with chain) for TLS; NULL: plain HTTP */
    const char *tls_key;         /* its private key (PEM) */
    /* Retention in days per kind of store/retention.h (chat, verslagen, acties, meldingen,
     * events, auditlog); 0: kept for good. */
    int retain_days[KT_RETENTION_KINDS];
    bool demo;
    bool sync_full;
    bool group_commit;     /* writes that arrive together share one commit (protocol/dispatch.h) */
    int64_t session_ttl;   /* seconds */
    int max_queue;         /* frames per session out-queue */
    int ping_secs;         /* a silent WebSocket is pinged after this, dropped after 2.5 times */
    int notify_burst_secs; /* a change merges into a burst's notification this long (0: never) */
    const char *node_id;
    int travel_buffer_min;       /* conflict detection: time to get from one meeting to another */
    int confidential_check_secs; /* the confidential side's findings of open changes: batched */
    int confidential_slot_ms;    /* the loop time each such batch holds, found or not */
    const char *vocabulary; /* the deployment's own domain vocabulary, on top of the built-in */
    const char *test_hold_rebuild; /* tests only: an aside index build waits for this file */
    const char *smtp_url;          /* mail relay for the daily digest; NULL: no digests */
    const char *mail_from;         /* sender address of the digest */
    int digest_hour; /* local hour (Europe/Amsterdam) from which the digest goes out */
} kt_config;

typedef struct kt_counters {
    uint64_t connections_total, connections_open;
    uint64_t connections_refused; /* accepted and closed at once: the fd budget was used up */
    uint64_t events_published, events_delivered, frames_sent;
    uint64_t slow_consumer_closes;
    uint64_t stalled_closes;    /* dropped: bytes queued and no write progress (write deadline) */
    uint64_t store_read_errors; /* live paths (replay, subscribe, resync) that failed to read */
    uint64_t requests, request_errors;
    uint64_t logins_ok, logins_failed, logins_throttled;
    uint64_t bus_reconnects, bus_gaps_filled;
    uint64_t group_commits, group_writes; /* commits of grouped writes, and the writes in them */
    uint64_t group_redos;  /* groups rolled back and run again for a write that failed midway */
    uint64_t stale_reruns; /* writes run again: a membership the store remembered had changed */
} kt_counters;

typedef struct kt_app {
    kt_config cfg;
    struct kt_store *store;
    struct kt_hub *hub;
    struct kt_bus *bus;
    struct kt_worker *worker;
    /* Wakes the loop thread from any thread, which then drains what the worker, the detectors'
     * builder, the digest and the bus have finished (the network layer's kt_server_wake, set
     * by main before the modules start). Modules below net/ get it here rather than including
     * net/. NULL: no loop (a command-line tool); work that needs it runs in place. */
    void (*wake)(void *app);
    struct kt_detect *detect; /* the detectors and their in-memory index; NULL: none run */
    struct kt_digest *digest; /* the daily e-mail digest (feed/digest.h); NULL: no relay */
    /* Sends a committed write's mail (a password link) through the relay, taking the contents
     * of m: protocol/dispatch.c calls it after the commit; feed/digest.c, a layer above, fills
     * it in (kt_digest_start) and calls it with digest. NULL: no relay. 0 or a KT_E*. */
    int (*send_mail)(struct kt_digest *d, struct kt_mail *m);
    struct kt_indexer *indexer; /* keeps the search index (store/indexer.h), off the loop */
    struct lws_context *lws;
    struct lws_vhost *ops_vhost; /* the --metrics-listen listener, or NULL */
    kt_counters counters;
    /* Browser origins allowed to use the API and the WebSocket (net/origin.h, which main
     * fills in; a pointer, so that this header, below net/, does not include it). */
    const struct kt_origins *origins;
    int64_t started_at;
    struct kt_event **pending; /* committed, replied to, not yet published (protocol/dispatch.c) */
    int n_pending, cap_pending;
    /* Told of every reaction job a committed change recorded (protocol/dispatch.c calls it;
     * react/react.h, a layer above, fills it in). NULL: nobody reacts on this node now; the job
     * waits in the store for a sweep. */
    void (*on_commit)(void *arg, int64_t job);
    /* Whether a change (its events and what it touched, c) needs a reaction job at all; asked
     * in the change's transaction, before recording one. Filled in with on_commit; NULL: every
     * change that has events or touched something records one. */
    bool (*wants_reaction)(void *arg, const struct kt_ctx *c);
    void *on_commit_arg;
    struct kt_react *react;
    /* Group commit (protocol/dispatch.c): writes that arrived over WebSockets wait here, in
     * the store's open group transaction, for the one commit that acknowledges them all. */
    bool group_commit;
    struct kt_held *held;
    int n_held, cap_held;
} kt_app;

#endif

/* The HTTP API next to the static files: login / logout / session / password for the browser
 * (cookie) and for other clients (bearer token), the secret feed links under /feeds/
 * (feed/feeds.h), plus /healthz and /metrics. Password hashing
 * runs on the worker thread; the request waits without blocking the loop. */
#include "auth/password.h"
#include "auth/session.h"
#include "auth/throttle.h"
#include "bus/bus.h"
#include "detect/detect.h"
#include "detect/similar.h"
#include "domain/model.h"
#include "feed/digest.h"
#include "feed/feeds.h"
#include "live/hub.h"
#include "net/net.h"
#include "net/origin.h"
#include "net/tls.h"
#include "protocol/errors.h"
#include "react/react.h"
#include "store/directory.h"
#include "store/indexer.h"
#include "store/sessions.h"
#include "store/store.h"
#include "util/err.h"
#include "util/imap.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/worker.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BODY_MAX 8192

struct job;

typedef struct http_pss {
    char uri[160];
    bool post;
    char *body;
    size_t body_len;
    bool body_too_big;
    /* the response */
    int status;
    char *resp;
    size_t resp_len;
    const char *ctype;
    const char *cache; /* Cache-Control; NULL: no-store */
    char cookie[200];
    bool ready, headers_sent, routed;
    struct job *job; /* a password job in flight */
} http_pss;

size_t kt_http_pss_size(void)
{
    return sizeof(http_pss);
}

/* ---- helpers shared with the WebSocket side ---- */

static bool bearer_token(struct lws *wsi, char *buf, size_t len)
{
    char auth[128];
    if (lws_hdr_copy(wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION) > 7 &&
        strncasecmp(auth, "Bearer ", 7) == 0) {
        snprintf(buf, len, "%s", auth + 7);
        return true;
    }
    return false;
}

static bool cookie_token(struct lws *wsi, char *buf, size_t len)
{
    size_t max = len;
    if (lws_http_cookie_get(wsi, KT_COOKIE, buf, &max) == 0 && max > 0) {
        buf[max < len ? max : len - 1] = 0;
        return true;
    }
    return false;
}

bool kt_net_token(struct lws *wsi, char *buf, size_t len)
{
    return bearer_token(wsi, buf, len) || cookie_token(wsi, buf, len);
}

bool kt_net_session(kt_app *app, struct lws *wsi, kt_principal *out, char *token, size_t len)
{
    /* An explicit bearer token first; a stale cookie next to it must not shadow it. */
    if (bearer_token(wsi, token, len) && kt_session_lookup(app->store, token, out) == 0)
        return true;
    return cookie_token(wsi, token, len) && kt_session_lookup(app->store, token, out) == 0;
}

bool kt_net_ops_request(kt_app *app, struct lws *wsi)
{
    return app->ops_vhost && lws_get_vhost(wsi) == app->ops_vhost;
}

bool kt_net_origin_ok(kt_app *app, struct lws *wsi)
{
    int total = lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN);
    if (total <= 0)
        return true; /* not a browser: nothing to forge */
    if (total > KT_ORIGIN_MAX)
        return false; /* too long to be one of ours: never "absent" */
    char origin[KT_ORIGIN_MAX + 1];
    int n = lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN);
    return n > 0 && kt_origins_allow(app->origins, origin, (size_t)n);
}

/* ---- responses ---- */

static void respond(struct lws *wsi, http_pss *pss, int status, const char *ctype, char *body)
{
    free(pss->resp);
    pss->status = status;
    pss->ctype = ctype;
    pss->resp = body;
    pss->resp_len = body ? strlen(body) : 0;
    pss->ready = true;
    lws_callback_on_writable(wsi);
}

static void respond_json(struct lws *wsi, http_pss *pss, int status, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    respond(wsi, pss, status, "application/json", s);
}

static void respond_error(struct lws *wsi, http_pss *pss, int status, kt_code code,
                          const char *message)
{
    respond_json(wsi, pss, status,
                 json_pack("{s:{s:s, s:s}}", "error", "code", kt_code_name(code), "message",
                           message ? message : kt_code_message(code)));
}

bool kt_net_public_https(const kt_app *app)
{
    if (!app->cfg.public_url)
        return kt_tls_enabled(&app->cfg); /* the address is derived: https://localhost:PORT */
    return strncasecmp(app->cfg.public_url, "https:", 6) == 0;
}

static void set_cookie(kt_app *app, http_pss *pss, const char *token, int64_t max_age)
{
    snprintf(pss->cookie, sizeof pss->cookie,
             KT_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", token,
             (long long)max_age, kt_net_public_https(app) ? "; Secure" : "");
}

static int write_response(struct lws *wsi, http_pss *pss)
{
    uint8_t buf[LWS_PRE + 2048], *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
    if (!pss->headers_sent) {
        if (lws_add_http_common_headers(wsi, (unsigned)pss->status, pss->ctype,
                                        (lws_filepos_t)pss->resp_len, &p, end))
            return 1;
        const char *cache = pss->cache ? pss->cache : "no-store";
        if (lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
                                        (const unsigned char *)cache, (int)strlen(cache), &p, end))
            return 1;
        if (pss->cookie[0] && lws_add_http_header_by_name(wsi, (const unsigned char *)"set-cookie:",
                                                          (const unsigned char *)pss->cookie,
                                                          (int)strlen(pss->cookie), &p, end))
            return 1;
        if (lws_finalize_write_http_header(wsi, start, &p, end))
            return 1;
        pss->headers_sent = true;
        lws_callback_on_writable(wsi);
        return 0;
    }
    size_t n = pss->resp_len;
    unsigned char *out = malloc(LWS_PRE + n + 1);
    if (!out)
        return 1;
    memcpy(out + LWS_PRE, pss->resp ? pss->resp : "", n);
    int w = lws_write(wsi, out + LWS_PRE, n, LWS_WRITE_HTTP_FINAL);
    free(out);
    if (w < (int)n)
        return 1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* ---- login throttling (auth/throttle.h) and the client's address ---- */

static kt_throttle *throttle;

static bool in_net(const char *addr, const char *cidr)
{
    char net[64];
    const char *slash = strchr(cidr, '/');
    size_t n = slash ? (size_t)(slash - cidr) : strlen(cidr);
    if (n >= sizeof net)
        return false;
    memcpy(net, cidr, n);
    net[n] = 0;
    unsigned char a[16], b[16];
    int fam = strchr(net, ':') ? AF_INET6 : AF_INET, len = fam == AF_INET6 ? 16 : 4;
    if (inet_pton(fam, net, b) != 1 || inet_pton(fam, addr, a) != 1)
        return false;
    int bits = slash ? atoi(slash + 1) : len * 8;
    if (bits < 0 || bits > len * 8)
        return false;
    for (int i = 0; i < len && bits > 0; i++, bits -= 8) {
        unsigned char mask = bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));
        if ((a[i] & mask) != (b[i] & mask))
            return false;
    }
    return true;
}

static bool trusted_proxy(const kt_app *app, const char *peer)
{
    char item[64];
    for (const char *p = app->cfg.trusted_proxies; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n < sizeof item) {
            memcpy(item, p, n);
            item[n] = 0;
            if (in_net(peer, item))
                return true;
        }
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

/* The client's address: the peer, or, when the peer is a trusted proxy, the address that proxy
 * added last to X-Forwarded-For (what the client sent itself is not believed). */
static void client_addr(kt_app *app, struct lws *wsi, char *buf, size_t len)
{
    buf[0] = 0;
    lws_get_peer_simple(wsi, buf, len);
    char xff[256];
    if (!buf[0] || !trusted_proxy(app, buf) ||
        lws_hdr_copy(wsi, xff, sizeof xff, WSI_TOKEN_X_FORWARDED_FOR) <= 0)
        return;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ')
        last++;
    snprintf(buf, len, "%s", last);
}

bool kt_net_request_secure(kt_app *app, struct lws *wsi)
{
    if (lws_is_ssl(wsi))
        return true;
    char peer[64] = "", proto[16];
    lws_get_peer_simple(wsi, peer, sizeof peer);
    return peer[0] && trusted_proxy(app, peer) &&
           lws_hdr_custom_copy(wsi, proto, sizeof proto, "x-forwarded-proto:", 18) > 0 &&
           strcasecmp(proto, "https") == 0;
}

/* A password may cross the network in clear text only where people use http: anyway. */
static bool refuse_clear_text(kt_app *app, struct lws *wsi, http_pss *pss)
{
    if (!kt_net_public_https(app) || kt_net_request_secure(app, wsi))
        return false;
    respond_error(wsi, pss, 403, KT_C_TLS_REQUIRED, NULL);
    return true;
}

/* ---- password jobs (worker thread) ---- */

typedef enum { JOB_LOGIN, JOB_SET_PASSWORD } job_kind;

typedef struct job {
    kt_job base;
    job_kind kind;
    kt_app *app;
    struct lws *wsi; /* NULL once the request went away */
    http_pss *pss;
    int64_t person;
    char email[256];
    char addr[64]; /* the client's, for the throttle */
    char hash[KT_PASSWORD_HASH_MAX];
    char password[KT_PASSWORD_MAX_LEN + 1];
    char token[KT_TOKEN_LEN + 1];
    bool ran, ok;
} job;

static char dummy_hash[KT_PASSWORD_HASH_MAX];

static void job_run(kt_job *base)
{
    job *j = (job *)base;
    j->ran = true;
    if (j->kind == JOB_LOGIN) {
        if (!j->hash[0]) {
            /* Unknown address: spend the same time, so timing does not reveal accounts. */
            if (!dummy_hash[0])
                kt_password_hash("ketentafel-dummy-password", dummy_hash);
            kt_password_verify(dummy_hash, j->password);
            j->ok = false;
        } else {
            j->ok = kt_password_verify(j->hash, j->password);
        }
    } else {
        j->ok = kt_password_hash(j->password, j->hash) == 0;
    }
    sodium_memzero(j->password, sizeof j->password);
}

static void finish_login(job *j)
{
    kt_app *app = j->app;
    if (!j->ok) {
        app->counters.logins_failed++;
        respond_error(j->wsi, j->pss, 401, KT_C_INVALID_CREDENTIALS, NULL);
        return;
    }
    char token[KT_TOKEN_LEN + 1];
    int64_t expires;
    kt_principal p;
    json_t *person = NULL;
    int rc = kt_principal_load(app->store, j->person, &p);
    if (!rc)
        rc = kt_store_person_get(app->store, j->person, &person);
    if (!rc)
        rc = kt_session_create(app->store, j->person, app->cfg.session_ttl, token, &expires);
    if (rc) {
        json_decref(person);
        kt_warn("login not completed: store failed", "person=%lld rc=%d", (long long)j->person, rc);
        if (rc == KT_EUNAVAIL)
            respond_error(j->wsi, j->pss, 503, KT_C_STORE_UNAVAILABLE,
                          "Aanmelden lukt nu niet: de opslag van de server kan niet schrijven "
                          "(schijf vol of defect). Probeer het later opnieuw.");
        else if (rc == KT_EBUSY)
            respond_error(j->wsi, j->pss, 503, KT_C_STORE_BUSY, NULL);
        else
            respond_error(j->wsi, j->pss, 500, KT_C_INTERNAL, NULL);
        return;
    }
    app->counters.logins_ok++;
    set_cookie(app, j->pss, token, app->cfg.session_ttl);
    char exp[32];
    kt_time_format(expires, exp, sizeof exp);
    respond_json(j->wsi, j->pss, 200,
                 json_pack("{s:s, s:s, s:o}", "token", token, "expires", exp, "person", person));
    kt_info("login", "person=%lld", (long long)j->person);
}

static void finish_set_password(job *j)
{
    kt_app *app = j->app;
    int64_t person = 0;
    int rc = j->ok ? kt_store_begin(app->store) : KT_ENOMEM;
    if (!rc)
        rc = kt_setup_token_consume(app->store, j->token, &person);
    if (!rc)
        rc = kt_store_password_set(app->store, person, j->hash, kt_now());
    if (!rc) /* no other link stays usable */
        rc = kt_store_setup_tokens_void(app->store, person);
    if (!rc) /* a new password ends every old session */
        rc = kt_store_sessions_end_person(app->store, person);
    if (!rc)
        rc = kt_store_commit(app->store);
    else if (kt_store_in_txn(app->store))
        kt_store_rollback(app->store);
    if (rc == KT_ENOTFOUND) {
        respond_error(j->wsi, j->pss, 404, KT_C_NOT_FOUND,
                      "Deze link is ongeldig of verlopen. Vraag de beheerder om een nieuwe.");
        return;
    }
    if (rc) {
        respond_error(j->wsi, j->pss, 500, KT_C_INTERNAL, NULL);
        return;
    }
    kt_hub_close_person(app->hub, person, NULL, KT_CLOSE_SESSION_ENDED, "wachtwoord gewijzigd");
    respond_json(j->wsi, j->pss, 200, json_pack("{s:b}", "ok", 1));
}

static void job_done(kt_job *base)
{
    job *j = (job *)base;
    if (j->kind == JOB_LOGIN) /* counted when it arrived; settled now, answered or not */
        kt_throttle_end(throttle, j->email, j->addr, j->ran && j->ok, kt_now());
    if (j->wsi && j->ran) {
        j->pss->job = NULL;
        if (j->kind == JOB_LOGIN)
            finish_login(j);
        else
            finish_set_password(j);
    } else if (j->wsi) {
        j->pss->job = NULL;
        respond_error(j->wsi, j->pss, 503, KT_C_INTERNAL, "De server stopt.");
    }
    sodium_memzero(j, sizeof *j);
    free(j);
}

static job *job_new(kt_app *app, struct lws *wsi, http_pss *pss, job_kind kind)
{
    job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->base.run = job_run;
    j->base.done = job_done;
    j->kind = kind;
    j->app = app;
    j->wsi = wsi;
    j->pss = pss;
    pss->job = j;
    return j;
}

/* ---- the API ---- */

static json_t *parse_body(http_pss *pss)
{
    if (!pss->body || pss->body_too_big)
        return NULL;
    json_t *j = json_loadb(pss->body, pss->body_len, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static void api_login(kt_app *app, struct lws *wsi, http_pss *pss)
{
    json_t *req = parse_body(pss);
    const char *email = json_string_value(json_object_get(req, "email"));
    const char *password = json_string_value(json_object_get(req, "password"));
    if (!email || !password || strlen(email) > 254 || strlen(password) > KT_PASSWORD_MAX_LEN) {
        json_decref(req);
        respond_error(wsi, pss, 400, KT_C_INVALID_ARGUMENT,
                      "Geef een e-mailadres en wachtwoord op.");
        return;
    }
    char addr[64];
    client_addr(app, wsi, addr, sizeof addr);
    if (!throttle)
        throttle = kt_throttle_new(NULL);
    kt_login_verdict v =
        throttle ? kt_throttle_begin(throttle, email, addr, kt_now()) : KT_LOGIN_BUSY;
    if (v != KT_LOGIN_GO) {
        json_decref(req);
        app->counters.logins_throttled++;
        respond_error(wsi, pss, 429, KT_C_RATE_LIMITED,
                      v == KT_LOGIN_LIMITED
                          ? "Te veel mislukte pogingen; probeer het over een kwartier opnieuw."
                          : "Het is even te druk om aan te melden; probeer het zo opnieuw.");
        return;
    }
    kt_store_login l;
    int rc = kt_store_login_by_email(app->store, email, &l);
    if (rc && rc != KT_ENOTFOUND) {
        /* The store failed: say so, rather than "wrong password". */
        json_decref(req);
        respond_error(wsi, pss, 503, rc == KT_EUNAVAIL ? KT_C_STORE_UNAVAILABLE : KT_C_STORE_BUSY,
                      NULL);
        return;
    }
    job *j = job_new(app, wsi, pss, JOB_LOGIN);
    if (!j) {
        kt_throttle_end(throttle, email, addr, false, kt_now());
        json_decref(req);
        respond_error(wsi, pss, 500, KT_C_INTERNAL, NULL);
        return;
    }
    snprintf(j->email, sizeof j->email, "%s", email);
    snprintf(j->addr, sizeof j->addr, "%s", addr);
    snprintf(j->password, sizeof j->password, "%s", password);
    json_decref(req);
    if (rc == 0) {
        j->person = l.person;
        snprintf(j->hash, sizeof j->hash, "%s", l.hash);
    }
    sodium_memzero(l.hash, sizeof l.hash);
    kt_worker_submit(app->worker, &j->base);
}

static void api_password(kt_app *app, struct lws *wsi, http_pss *pss)
{
    json_t *req = parse_body(pss);
    const char *token = json_string_value(json_object_get(req, "token"));
    const char *password = json_string_value(json_object_get(req, "password"));
    const char *why = NULL;
    if (!token || !password) {
        respond_error(wsi, pss, 400, KT_C_MISSING_ARGUMENT, "Geef de link-code en een wachtwoord.");
    } else if (!kt_password_acceptable(password, &why)) {
        respond_error(wsi, pss, 400, KT_C_INVALID_ARGUMENT, why);
    } else {
        job *j = job_new(app, wsi, pss, JOB_SET_PASSWORD);
        if (!j) {
            respond_error(wsi, pss, 500, KT_C_INTERNAL, NULL);
        } else {
            snprintf(j->token, sizeof j->token, "%s", token);
            snprintf(j->password, sizeof j->password, "%s", password);
            kt_worker_submit(app->worker, &j->base);
        }
    }
    json_decref(req);
}

static void api_logout(kt_app *app, struct lws *wsi, http_pss *pss)
{
    char token[KT_TOKEN_LEN + 8];
    kt_principal p;
    if (kt_net_session(app, wsi, &p, token, sizeof token)) {
        unsigned char h[32];
        crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
        kt_hub_close_person(app->hub, p.person, h, KT_CLOSE_SESSION_ENDED, "uitgelogd");
        kt_session_delete(app->store, token);
    }
    set_cookie(app, pss, "", 0);
    respond_json(wsi, pss, 200, json_pack("{s:b}", "ok", 1));
}

static void api_session(kt_app *app, struct lws *wsi, http_pss *pss)
{
    char token[KT_TOKEN_LEN + 8];
    kt_principal p;
    if (!kt_net_session(app, wsi, &p, token, sizeof token)) {
        respond_error(wsi, pss, 401, KT_C_UNAUTHENTICATED, NULL);
        return;
    }
    json_t *person;
    if (kt_store_person_get(app->store, p.person, &person)) {
        respond_error(wsi, pss, 503, KT_C_STORE_BUSY, NULL);
        return;
    }
    char exp[32];
    kt_time_format(p.expires_at, exp, sizeof exp);
    respond_json(wsi, pss, 200, json_pack("{s:o, s:s}", "person", person, "expires", exp));
}

/* The store's state for /healthz: answering, writable (after a write fault, a probe write
 * tells whether space came back: the indexer's thread probes when there is one, as a probe may
 * wait for the write lock and this is the loop thread), and what its check at start found. */
typedef struct store_health {
    bool ok, writable, intact, checkpoints_ok;
    kt_store_faults faults;
} store_health;

static store_health store_state(kt_app *app)
{
    store_health s;
    s.ok = kt_store_ping(app->store) == 0;
    kt_store_faults_get(&s.faults);
    if (s.faults.unavailable && !app->indexer && kt_store_probe_write(app->store) == 0)
        kt_store_faults_get(&s.faults);
    s.writable = s.ok && !s.faults.unavailable;
    const char *integrity = kt_store_integrity(app->store);
    s.intact = strcmp(integrity, "ok") == 0 || strcmp(integrity, "unchecked") == 0;
    kt_store_ckpt_stats ck;
    kt_store_checkpoint_stats(app->store, &ck);
    s.checkpoints_ok = !ck.failing;
    return s;
}

/* "down" (503): the store does not answer or cannot write; "degraded" (200): it works, but
 * the bus does not answer, the database's check found damage or its checkpoints fail; "ok". */
static const char *health_status(const store_health *s, bool bus_ok)
{
    return !s->writable ? "down" : bus_ok && s->intact && s->checkpoints_ok ? "ok" : "degraded";
}

/* The public /healthz, for load balancers: up or not, nothing about the node. */
static void healthz_public(kt_app *app, struct lws *wsi, http_pss *pss)
{
    store_health s = store_state(app);
    const char *status = health_status(&s, kt_bus_healthy(app->bus));
    respond_json(wsi, pss, s.writable ? 200 : 503, json_pack("{s:s}", "status", status));
}

static void healthz(kt_app *app, struct lws *wsi, http_pss *pss)
{
    store_health s = store_state(app);
    bool bus_ok = kt_bus_healthy(app->bus);
    uint64_t conns, topics, subs;
    kt_hub_stats(app->hub, &conns, &topics, &subs);
    const char *status = health_status(&s, bus_ok);
    json_t *h = json_pack("{s:s, s:s, s:I, s:{s:b, s:b, s:s, s:i}, s:{s:s, s:b}, s:I}", "status",
                          status, "node", app->cfg.node_id, "uptime_s",
                          (json_int_t)(kt_now() - app->started_at), "store", "ok", s.ok, "writable",
                          s.writable, "integrity", kt_store_integrity(app->store), "schema",
                          kt_store_schema_version(app->store), "bus", "kind", kt_bus_name(app->bus),
                          "connected", bus_ok, "connections", (json_int_t)conns);
    if (s.faults.unavailable) {
        char since[32];
        kt_time_format(s.faults.since_ms / 1000, since, sizeof since);
        json_object_set_new(json_object_get(h, "store"), "unavailable_since", json_string(since));
    }
    if (!s.checkpoints_ok) /* SQLite cannot copy its log into the database: it grows */
        json_object_set_new(json_object_get(h, "store"), "checkpoint", json_string("failing"));
    json_object_set_new(h, "mail", kt_digest_health(app));
    char now[32];
    kt_time_format(kt_now(), now, sizeof now);
    json_object_set_new(h, "time", json_string(now));
    if (kt_clock_is_set())
        json_object_set_new(h, "test_clock", json_true());
    respond_json(wsi, pss, s.writable ? 200 : 503, h);
}

static void metric(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void metric(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < *cap - *len) {
            *len += (size_t)n;
            return;
        }
        char *b = realloc(*buf, *cap * 2);
        if (!b)
            return;
        *buf = b;
        *cap *= 2;
    }
}

static void metrics(kt_app *app, struct lws *wsi, http_pss *pss)
{
    size_t len = 0, cap = 4096;
    char *b = malloc(cap);
    if (!b) {
        respond_error(wsi, pss, 500, KT_C_INTERNAL, NULL);
        return;
    }
    b[0] = 0;
    const kt_counters *k = &app->counters;
    uint64_t conns, topics, subs;
    kt_hub_stats(app->hub, &conns, &topics, &subs);
    const char *node = app->cfg.node_id;
#define GAUGE(name, help, v)                                                                       \
    metric(&b, &len, &cap,                                                                         \
           "# HELP " name " " help "\n# TYPE " name " gauge\n" name "{node=\"%s\"} %llu\n", node,  \
           (unsigned long long)(v))
#define COUNTER(name, help, v)                                                                     \
    metric(&b, &len, &cap,                                                                         \
           "# HELP " name " " help "\n# TYPE " name " counter\n" name "{node=\"%s\"} %llu\n",      \
           node, (unsigned long long)(v))
    GAUGE("kt_connections", "Open WebSocket connections (sessions) on this node.", conns);
    GAUGE("kt_topics", "Bodies with at least one subscriber on this node.", topics);
    GAUGE("kt_subscriptions", "Subscriptions on this node.", subs);
    COUNTER("kt_connections_total", "WebSocket connections accepted.", k->connections_total);
    COUNTER("kt_connections_refused_total",
            "Connections closed at accept because the open-file limit was nearly reached.",
            k->connections_refused);
    COUNTER("kt_events_published_total", "Events committed and published by this node.",
            k->events_published);
    COUNTER("kt_events_delivered_total", "Event frames queued to sessions.", k->events_delivered);
    COUNTER("kt_frames_sent_total", "Frames written to sockets.", k->frames_sent);
    COUNTER("kt_outqueue_drops_total",
            "Sessions closed as slow consumers (4008): out-queue overflowed or write deadline.",
            k->slow_consumer_closes);
    COUNTER("kt_stalled_closes_total",
            "Sessions dropped because their socket took nothing for the write deadline.",
            k->stalled_closes);
    COUNTER("kt_store_read_errors_total",
            "Replays and catch-ups that failed to read the store (their connection closed 1011).",
            k->store_read_errors);
    {
        kt_store_faults f;
        kt_store_faults_get(&f);
        GAUGE("kt_store_unavailable",
              "1 while the store refuses writes (disk full, I/O error, connection lost).",
              f.unavailable ? 1 : 0);
        COUNTER("kt_store_unavailable_total",
                "Store operations refused because it could not write or be reached.", f.total);
        GAUGE("kt_store_wal_frames_lost",
              "Committed frames the write-ahead log no longer held at start (SQLite: missing, "
              "truncated or damaged -wal; those commits are lost).",
              kt_store_wal_frames_lost());
    }
    COUNTER("kt_requests_total", "Protocol requests handled.", k->requests);
    COUNTER("kt_request_errors_total", "Protocol requests answered with an error.",
            k->request_errors);
    COUNTER("kt_logins_total", "Successful logins.", k->logins_ok);
    COUNTER("kt_login_failures_total", "Failed logins.", k->logins_failed);
    COUNTER("kt_logins_throttled_total", "Login attempts refused before hashing (429).",
            k->logins_throttled);
    GAUGE("kt_login_hashing", "Login attempts being hashed or waiting for it.",
          kt_throttle_inflight(throttle));
    COUNTER("kt_bus_reconnects_total", "Reconnections to the bus (Redis).", k->bus_reconnects);
    COUNTER("kt_bus_gap_events_total", "Events fetched from the store to fill a bus gap.",
            k->bus_gaps_filled);
    GAUGE("kt_bus_up", "1 when the bus is connected.", kt_bus_healthy(app->bus) ? 1 : 0);
    COUNTER("kt_group_commits_total", "Commits of grouped writes (--group-commit on).",
            k->group_commits);
    COUNTER("kt_group_commit_writes_total",
            "Writes acknowledged by those commits (over kt_group_commits_total: writes per fsync).",
            k->group_writes);
    kt_store_ckpt_stats ck;
    kt_store_checkpoint_stats(app->store, &ck);
    COUNTER("kt_store_checkpoints_total",
            "Checkpoints of SQLite's write-ahead log, run off the event loop, that copied it all.",
            ck.done);
    COUNTER("kt_store_checkpoints_partial_total",
            "Such checkpoints that left frames in the log (readers on older snapshots).",
            ck.partial);
    COUNTER("kt_store_checkpoint_errors_total",
            "Such checkpoints that failed (I/O error, disk full): the log grows meanwhile.",
            ck.errors);
    GAUGE("kt_store_checkpoint_failing", "1 while the last checkpoint failed.", ck.failing ? 1 : 0);
    COUNTER("kt_store_checkpoint_holds_total",
            "Times the checkpointing thread held this node's writers off to restart the log.",
            ck.holds);
    COUNTER("kt_store_checkpoint_holds_copying_total",
            "Such holds that had to copy frames and fsync the database while writers waited.",
            ck.holds_copying);
    metric(&b, &len, &cap,
           "# HELP kt_store_checkpoint_hold_seconds_total Time writers were held off so.\n"
           "# TYPE kt_store_checkpoint_hold_seconds_total counter\n"
           "kt_store_checkpoint_hold_seconds_total{node=\"%s\"} %.6f\n",
           node, (double)ck.hold_ns / 1e9);
    GAUGE("kt_store_wal_frames", "Frames in SQLite's write-ahead log after the last commit.",
          ck.log_frames);
    COUNTER("kt_group_redos_total",
            "Groups rolled back and run again without a write that failed after changing rows.",
            k->group_redos);
    COUNTER("kt_stale_reruns_total",
            "Writes run again because a membership the store remembered had changed meanwhile.",
            k->stale_reruns);
    COUNTER("kt_store_round_trips_total",
            "Round trips of the node's store connection to the database server (PostgreSQL; 0 "
            "for SQLite).",
            kt_store_round_trips(app->store));
    if (app->indexer) {
        kt_indexer_stats ix;
        kt_indexer_get_stats(app->indexer, &ix);
        GAUGE("kt_search_pending", "Changes waiting for the search indexer (when it last looked).",
              ix.pending > 0 ? ix.pending : 0);
        COUNTER("kt_search_indexed_total", "Changes the search indexer brought into the index.",
                ix.indexed);
        COUNTER("kt_search_index_batches_total",
                "Transactions of the search indexer that indexed something (each one commit).",
                ix.batches);
        COUNTER("kt_search_index_errors_total", "Rounds of the search indexer that failed.",
                ix.errors);
        COUNTER("kt_search_index_busy_total",
                "Rounds of the search indexer that gave way at once because another process (a "
                "node sharing the SQLite file) held the database's lock; tried again later.",
                ix.busy);
        COUNTER("kt_search_index_cpu_ms_total", "CPU time of the search indexer's thread (ms).",
                (uint64_t)ix.cpu_ms);
    }
    struct kt_similar *sim = app->detect ? kt_detect_similar(app->detect) : NULL;
    if (sim) {
        GAUGE("kt_detect_items", "Agenda items in the duplicate index.", kt_similar_count(sim));
        GAUGE("kt_detect_terms", "Terms (distinct stems) in the duplicate index.",
              kt_similar_term_count(sim));
        GAUGE("kt_detect_index_bytes", "Memory held by the duplicate index.",
              kt_similar_memory(sim));
        uint64_t builds;
        int64_t last_ms;
        bool building = kt_detect_building(app->detect, &builds, &last_ms);
        GAUGE("kt_detect_index_building",
              "1 while a new duplicate index is built aside (the old one answers meanwhile).",
              building ? 1 : 0);
        COUNTER("kt_detect_index_builds_total", "Duplicate indexes built aside and swapped in.",
                builds);
        GAUGE("kt_detect_index_build_ms", "Time the last aside build took, in milliseconds.",
              last_ms);
    }
    if (app->react) {
        kt_react_stats rs;
        kt_react_stats_get(app->react, &rs);
        COUNTER("kt_reactions_total", "Reactions (detectors, notifications) run by this node.",
                rs.done);
        COUNTER("kt_reaction_failures_total", "Reactions that failed (they are retried).",
                rs.failed);
        COUNTER("kt_reactions_dropped_total", "Reactions given up after repeated failures.",
                rs.dropped);
        COUNTER("kt_reactions_adopted_total",
                "Reactions left over by another or an earlier node, taken on by this one.",
                rs.adopted);
        GAUGE("kt_reactions_waiting", "Reaction jobs in the store that have not run yet.",
              rs.waiting < 0 ? 0 : rs.waiting);
        COUNTER("kt_confidential_batches_total",
                "Confidential batches run on the timer (--confidential-check-secs).",
                rs.conf_batches);
        COUNTER("kt_confidential_slots_total",
                "Slots of --confidential-slot-ms those batches held the loop for (more slots "
                "than batches: some ran over; raise the slot).",
                rs.conf_slots);
    }
#undef GAUGE
#undef COUNTER
    uint64_t counts[KT_STORE_HIST_BUCKETS + 1], total;
    double sum;
    kt_store_commit_stats(app->store, counts, &sum, &total);
    metric(&b, &len, &cap,
           "# HELP kt_store_commit_seconds Write transaction latency, begin to commit.\n"
           "# TYPE kt_store_commit_seconds histogram\n");
    uint64_t cum = 0;
    for (int i = 0; i < KT_STORE_HIST_BUCKETS; i++) {
        cum += counts[i];
        metric(&b, &len, &cap, "kt_store_commit_seconds_bucket{node=\"%s\",le=\"%g\"} %llu\n", node,
               kt_store_hist_bounds[i] / 1000.0, (unsigned long long)cum);
    }
    metric(&b, &len, &cap,
           "kt_store_commit_seconds_bucket{node=\"%s\",le=\"+Inf\"} %llu\n"
           "kt_store_commit_seconds_sum{node=\"%s\"} %.6f\n"
           "kt_store_commit_seconds_count{node=\"%s\"} %llu\n",
           node, (unsigned long long)total, node, sum / 1000.0, node, (unsigned long long)total);
    respond(wsi, pss, 200, "text/plain; version=0.0.4", b);
}

/* GET /feeds/...: rendered on the loop thread from the local store (bounded: one person's
 * meetings in a window, their latest notifications). */
static void feed(kt_app *app, struct lws *wsi, http_pss *pss)
{
    kt_feed_response r;
    kt_feed_http(app, pss->uri, &r);
    if (r.status != 200) {
        respond(wsi, pss, r.status, "text/plain; charset=utf-8", strdup("Niet gevonden.\n"));
        return;
    }
    pss->cache = "private, max-age=300";
    respond(wsi, pss, 200, r.ctype, r.body);
}

static void route(kt_app *app, struct lws *wsi, http_pss *pss)
{
    const char *u = pss->uri;
    pss->routed = true;
    bool ops = kt_net_ops_request(app, wsi);
    if (strcmp(u, "/healthz") == 0)
        return ops ? healthz(app, wsi, pss) : healthz_public(app, wsi, pss);
    if (strcmp(u, "/metrics") == 0 && ops)
        return metrics(app, wsi, pss);
    if (ops)
        return respond_error(wsi, pss, 404, KT_C_NOT_FOUND, "Deze pagina bestaat niet.");
    if (strncmp(u, "/feeds/", 7) == 0 && !pss->post)
        return feed(app, wsi, pss);
    if (strcmp(u, "/api/session") == 0 && !pss->post)
        return api_session(app, wsi, pss);
    if (strncmp(u, "/api/", 5) == 0 && pss->post) {
        if (!kt_net_origin_ok(app, wsi))
            return respond_error(wsi, pss, 403, KT_C_FORBIDDEN, "Onbekende herkomst (Origin).");
        if ((strcmp(u, "/api/login") == 0 || strcmp(u, "/api/password") == 0) &&
            refuse_clear_text(app, wsi, pss))
            return;
        if (strcmp(u, "/api/login") == 0)
            return api_login(app, wsi, pss);
        if (strcmp(u, "/api/logout") == 0)
            return api_logout(app, wsi, pss);
        if (strcmp(u, "/api/password") == 0)
            return api_password(app, wsi, pss);
    }
    respond_error(wsi, pss, 404, KT_C_NOT_FOUND, "Deze pagina bestaat niet.");
}

int kt_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len)
{
    http_pss *pss = user;
    kt_app *app;
    switch (reason) {
    case LWS_CALLBACK_HTTP: {
        app = kt_net_app(wsi);
        free(pss->body);
        free(pss->resp);
        memset(pss, 0, sizeof *pss); /* a kept-alive connection starts a new transaction */
        pss->post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
        if (lws_hdr_copy(wsi, pss->uri, sizeof pss->uri,
                         pss->post ? WSI_TOKEN_POST_URI : WSI_TOKEN_GET_URI) < 0)
            pss->uri[0] = 0;
        char cl[24];
        bool has_body =
            lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 && atol(cl) > 0;
        if (!pss->post || !has_body)
            route(app, wsi, pss);
        return 0;
    }
    case LWS_CALLBACK_HTTP_BODY:
        if (len == 0)
            return 0;
        if (pss->body_len + len > BODY_MAX) {
            pss->body_too_big = true;
            return 0;
        }
        if (!pss->body)
            pss->body = malloc(BODY_MAX + 1);
        if (!pss->body)
            return -1;
        memcpy(pss->body + pss->body_len, in, len);
        pss->body_len += len;
        return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        app = kt_net_app(wsi);
        if (pss->routed)
            return 0; /* a POST without a body was answered already */
        if (pss->body_too_big)
            respond_error(wsi, pss, 413, KT_C_FRAME_TOO_LARGE, "Het verzoek is te groot.");
        else
            route(app, wsi, pss);
        return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (!pss || !pss->ready)
            return 0;
        return write_response(wsi, pss);
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    case LWS_CALLBACK_CLOSED_HTTP:
        if (pss) {
            if (pss->job) {
                pss->job->wsi = NULL; /* the worker's result has nowhere to go */
                pss->job = NULL;
            }
            free(pss->body);
            free(pss->resp);
            pss->body = pss->resp = NULL;
        }
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

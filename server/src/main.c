/* ketentafel: configuration, start, stop, and the small command-line tools. */
#include "app.h"
#include "auth/password.h"
#include "bus/bus.h"
#include "detect/detect.h"
#include "detect/similar.h"
#include "domain/demo.h"
#include "feed/digest.h"
#include "feed/feeds.h"
#include "live/hub.h"
#include "net/server.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <errno.h>
#include <getopt.h>
#include <libwebsockets.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef KT_SOURCE_DIR
#define KT_SOURCE_DIR "."
#endif

static const char usage[] =
    "ketentafel - shared agendas, actions and chat for chain partners\n"
    "\n"
    "Usage:\n"
    "  ketentafel [serve] [options]        run a server node\n"
    "  ketentafel create-admin [options]   create an administrator (password on stdin)\n"
    "  ketentafel digest [options] [--now] send the daily digest e-mails once and exit\n"
    "                                      (--now: also before the digest hour); exit 1 when\n"
    "                                      a message could not be sent or no relay is set\n"
    "  ketentafel similar-eval --items F --pairs F [--verbose] [--folds K]\n"
    "                                      score labelled agenda-item pairs with the server's\n"
    "                                      duplicate detector; last line: precision recall f1\n"
    "                                      (--folds K: grouped cross-validation first)\n"
    "  ketentafel help                     this text\n"
    "\n"
    "Server options (environment variable in brackets):\n"
    "  --listen ADDR        address to listen on, default all (KT_LISTEN)\n"
    "  --port N             port, default 8080; 0 picks a free one (KT_PORT)\n"
    "  --metrics-listen A:P where /metrics and the full /healthz are served (operators only;\n"
    "                       the public port answers /healthz with the status alone), default\n"
    "                       127.0.0.1:9464; off: nowhere (KT_METRICS_LISTEN)\n"
    "  --db PATH            SQLite database, default data/ketentafel.db (KT_DB)\n"
    "  --web DIR            web client directory, default the source tree's web/ (KT_WEB)\n"
    "  --redis URL          redis://host:port for several nodes; default in-process "
    "(KT_REDIS_URL)\n"
    "  --demo               load demo data into an empty database (KT_DEMO=1)\n"
    "  --demo-file PATH     demo data file, default server/demo/demo.json (KT_DEMO_FILE)\n"
    "  --public-url URL     base URL for links, and the origin browsers must come from;\n"
    "                       default http://localhost:PORT, then also 127.0.0.1 and [::1]\n"
    "                       on that port are allowed (KT_PUBLIC_URL)\n"
    "  --allowed-origins L  further allowed origins (scheme://host[:port]), comma-separated\n"
    "                       (KT_ALLOWED_ORIGINS)\n"
    "  --trusted-proxies L  proxies (addresses or CIDRs, comma-separated) whose last\n"
    "                       X-Forwarded-For entry is the client's address for the login\n"
    "                       limits; default none (KT_TRUSTED_PROXIES)\n"
    "  --session-hours N    session lifetime, default 12 (KT_SESSION_HOURS)\n"
    "  --sync full|normal   fsync every commit (full, default) or only checkpoints (KT_SYNC)\n"
    "  --max-queue N        frames per session out-queue, default 1024 (KT_MAX_QUEUE)\n"
    "  --ping-secs N        ping a silent WebSocket after N s, close it after 2.5 N s;\n"
    "                       default 30 (KT_PING_SECS)\n"
    "  --node-id NAME       name of this node in logs and metrics (KT_NODE_ID)\n"
    "  --log-level LEVEL    debug, info, warn or error (KT_LOG_LEVEL)\n"
    "  --travel-buffer MIN  minutes between meetings at different places, default 15\n"
    "                       (KT_TRAVEL_BUFFER)\n"
    "  --vocabulary FILE    the deployment's own domain vocabulary for the duplicate\n"
    "                       detector, on top of the built-in one (KT_VOCABULARY)\n"
    "  --smtp-url URL       mail relay for the daily digest, smtp://host:port or smtps://...;\n"
    "                       without one no digests are sent (KT_SMTP_URL)\n"
    "  --mail-from ADDR     sender of the digest, default ketentafel@localhost (KT_MAIL_FROM)\n"
    "  --digest-hour H      local hour (Europe/Amsterdam) the digest goes out, default 7\n"
    "                       (KT_DIGEST_HOUR)\n"
    "  --test-now INSTANT   FOR TESTS ONLY: the server's clock starts at this ISO 8601 instant\n"
    "                       (e.g. 2027-03-28T01:30:00Z) and runs on from there; dates in the\n"
    "                       demo data follow it. Never use it in production (KT_TEST_NOW)\n"
    "\n"
    "create-admin options:\n"
    "  --db PATH --email ADDR --name NAME [--org NAME]\n"
    "\n"
    "digest options:\n"
    "  --db PATH --smtp-url URL [--mail-from ADDR] [--public-url URL] [--digest-hour H] [--now]\n";

typedef struct options {
    kt_config cfg;
    const char *demo_file;
    const char *log_level;
    const char *email, *name, *org;
    bool now;
    const char *test_now; /* tests only: the instant the clock starts at */
    char public_url[256];
    char node_id[64];
} options;

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return KT_EINVAL;
    *out = (int)v;
    return 0;
}

static void defaults(options *o)
{
    memset(o, 0, sizeof *o);
    kt_config *c = &o->cfg;
    c->listen_addr = env_or("KT_LISTEN", NULL);
    c->metrics_listen = env_or("KT_METRICS_LISTEN", "127.0.0.1:9464");
    c->port = 8080;
    c->db_path = env_or("KT_DB", "data/ketentafel.db");
    c->web_root = env_or("KT_WEB", KT_SOURCE_DIR "/web");
    c->redis_url = env_or("KT_REDIS_URL", NULL);
    c->demo = strcmp(env_or("KT_DEMO", "0"), "1") == 0;
    c->public_url = env_or("KT_PUBLIC_URL", NULL);
    c->allowed_origins = env_or("KT_ALLOWED_ORIGINS", NULL);
    c->trusted_proxies = env_or("KT_TRUSTED_PROXIES", NULL);
    c->sync_full = strcmp(env_or("KT_SYNC", "full"), "normal") != 0;
    c->session_ttl = 12 * 3600;
    c->max_queue = 1024;
    c->ping_secs = 30;
    c->node_id = env_or("KT_NODE_ID", NULL);
    c->travel_buffer_min = 15;
    c->vocabulary = env_or("KT_VOCABULARY", NULL);
    c->smtp_url = env_or("KT_SMTP_URL", NULL);
    c->mail_from = env_or("KT_MAIL_FROM", "ketentafel@localhost");
    c->digest_hour = 7;
    o->demo_file = env_or("KT_DEMO_FILE", KT_SOURCE_DIR "/server/demo/demo.json");
    o->log_level = env_or("KT_LOG_LEVEL", "info");
    o->test_now = env_or("KT_TEST_NOW", NULL);
}

/* --test-now: moves the clock before anything reads it. */
static int set_test_clock(const options *o)
{
    if (!o->test_now)
        return 0;
    int64_t t;
    if (kt_time_parse(o->test_now, &t))
        return fprintf(stderr, "--test-now: not an ISO 8601 instant with a zone: %s\n",
                       o->test_now),
               KT_EINVAL;
    kt_clock_set(t);
    kt_warn("the clock is fixed for testing", "test_now=%s", o->test_now);
    return 0;
}

static int parse_env_ints(options *o)
{
    int v;
    const char *s;
    if ((s = getenv("KT_PORT")) && *s) {
        if (parse_int(s, 0, 65535, &v))
            return fprintf(stderr, "KT_PORT: not a port: %s\n", s), KT_EINVAL;
        o->cfg.port = v;
    }
    if ((s = getenv("KT_SESSION_HOURS")) && *s) {
        if (parse_int(s, 1, 24 * 90, &v))
            return fprintf(stderr, "KT_SESSION_HOURS: out of range: %s\n", s), KT_EINVAL;
        o->cfg.session_ttl = (int64_t)v * 3600;
    }
    if ((s = getenv("KT_TRAVEL_BUFFER")) && *s) {
        if (parse_int(s, 0, 240, &v))
            return fprintf(stderr, "KT_TRAVEL_BUFFER: out of range: %s\n", s), KT_EINVAL;
        o->cfg.travel_buffer_min = v;
    }
    if ((s = getenv("KT_DIGEST_HOUR")) && *s) {
        if (parse_int(s, 0, 23, &v))
            return fprintf(stderr, "KT_DIGEST_HOUR: 0..23: %s\n", s), KT_EINVAL;
        o->cfg.digest_hour = v;
    }
    if ((s = getenv("KT_MAX_QUEUE")) && *s) {
        if (parse_int(s, 16, 1 << 20, &v))
            return fprintf(stderr, "KT_MAX_QUEUE: out of range: %s\n", s), KT_EINVAL;
        o->cfg.max_queue = v;
    }
    if ((s = getenv("KT_PING_SECS")) && *s) {
        if (parse_int(s, 1, 3600, &v))
            return fprintf(stderr, "KT_PING_SECS: 1..3600: %s\n", s), KT_EINVAL;
        o->cfg.ping_secs = v;
    }
    return 0;
}

enum {
    OPT_LISTEN = 256,
    OPT_PORT,
    OPT_DB,
    OPT_WEB,
    OPT_REDIS,
    OPT_DEMO,
    OPT_DEMO_FILE,
    OPT_PUBLIC,
    OPT_ORIGINS,
    OPT_SESSION,
    OPT_SYNC,
    OPT_QUEUE,
    OPT_NODE,
    OPT_LOG,
    OPT_EMAIL,
    OPT_NAME,
    OPT_ORG,
    OPT_HELP,
    OPT_TRAVEL,
    OPT_VOCABULARY,
    OPT_SMTP,
    OPT_MAIL_FROM,
    OPT_DIGEST_HOUR,
    OPT_NOW,
    OPT_PING,
    OPT_METRICS_LISTEN,
    OPT_TRUSTED_PROXIES,
    OPT_TEST_NOW
};

static const struct option long_options[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"port", required_argument, NULL, OPT_PORT},
    {"db", required_argument, NULL, OPT_DB},
    {"web", required_argument, NULL, OPT_WEB},
    {"redis", required_argument, NULL, OPT_REDIS},
    {"demo", no_argument, NULL, OPT_DEMO},
    {"demo-file", required_argument, NULL, OPT_DEMO_FILE},
    {"public-url", required_argument, NULL, OPT_PUBLIC},
    {"allowed-origins", required_argument, NULL, OPT_ORIGINS},
    {"session-hours", required_argument, NULL, OPT_SESSION},
    {"sync", required_argument, NULL, OPT_SYNC},
    {"max-queue", required_argument, NULL, OPT_QUEUE},
    {"node-id", required_argument, NULL, OPT_NODE},
    {"log-level", required_argument, NULL, OPT_LOG},
    {"email", required_argument, NULL, OPT_EMAIL},
    {"name", required_argument, NULL, OPT_NAME},
    {"org", required_argument, NULL, OPT_ORG},
    {"help", no_argument, NULL, OPT_HELP},
    {"travel-buffer", required_argument, NULL, OPT_TRAVEL},
    {"vocabulary", required_argument, NULL, OPT_VOCABULARY},
    {"smtp-url", required_argument, NULL, OPT_SMTP},
    {"mail-from", required_argument, NULL, OPT_MAIL_FROM},
    {"digest-hour", required_argument, NULL, OPT_DIGEST_HOUR},
    {"now", no_argument, NULL, OPT_NOW},
    {"ping-secs", required_argument, NULL, OPT_PING},
    {"metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN},
    {"trusted-proxies", required_argument, NULL, OPT_TRUSTED_PROXIES},
    {"test-now", required_argument, NULL, OPT_TEST_NOW},
    {NULL, 0, NULL, 0},
};

/* 0: go on; 1: printed help, exit 0; <0: bad usage, exit 2. */
static int parse_args(options *o, int argc, char **argv)
{
    int ch, v;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        switch (ch) {
        case OPT_LISTEN:
            o->cfg.listen_addr = optarg;
            break;
        case OPT_METRICS_LISTEN:
            o->cfg.metrics_listen = optarg;
            break;
        case OPT_TRUSTED_PROXIES:
            o->cfg.trusted_proxies = optarg;
            break;
        case OPT_PORT:
            if (parse_int(optarg, 0, 65535, &v))
                return fprintf(stderr, "--port: not a port: %s\n", optarg), KT_EINVAL;
            o->cfg.port = v;
            break;
        case OPT_DB:
            o->cfg.db_path = optarg;
            break;
        case OPT_WEB:
            o->cfg.web_root = optarg;
            break;
        case OPT_REDIS:
            o->cfg.redis_url = optarg;
            break;
        case OPT_DEMO:
            o->cfg.demo = true;
            break;
        case OPT_DEMO_FILE:
            o->demo_file = optarg;
            break;
        case OPT_PUBLIC:
            o->cfg.public_url = optarg;
            break;
        case OPT_ORIGINS:
            o->cfg.allowed_origins = optarg;
            break;
        case OPT_SESSION:
            if (parse_int(optarg, 1, 24 * 90, &v))
                return fprintf(stderr, "--session-hours: out of range: %s\n", optarg), KT_EINVAL;
            o->cfg.session_ttl = (int64_t)v * 3600;
            break;
        case OPT_SYNC:
            if (strcmp(optarg, "full") && strcmp(optarg, "normal"))
                return fprintf(stderr, "--sync: full or normal\n"), KT_EINVAL;
            o->cfg.sync_full = strcmp(optarg, "full") == 0;
            break;
        case OPT_QUEUE:
            if (parse_int(optarg, 16, 1 << 20, &v))
                return fprintf(stderr, "--max-queue: out of range: %s\n", optarg), KT_EINVAL;
            o->cfg.max_queue = v;
            break;
        case OPT_PING:
            if (parse_int(optarg, 1, 3600, &v))
                return fprintf(stderr, "--ping-secs: 1..3600\n"), KT_EINVAL;
            o->cfg.ping_secs = v;
            break;
        case OPT_NODE:
            o->cfg.node_id = optarg;
            break;
        case OPT_TRAVEL:
            if (parse_int(optarg, 0, 240, &v))
                return fprintf(stderr, "--travel-buffer: 0..240 minutes\n"), KT_EINVAL;
            o->cfg.travel_buffer_min = v;
            break;
        case OPT_VOCABULARY:
            o->cfg.vocabulary = optarg;
            break;
        case OPT_SMTP:
            o->cfg.smtp_url = optarg;
            break;
        case OPT_MAIL_FROM:
            o->cfg.mail_from = optarg;
            break;
        case OPT_DIGEST_HOUR:
            if (parse_int(optarg, 0, 23, &v))
                return fprintf(stderr, "--digest-hour: 0..23\n"), KT_EINVAL;
            o->cfg.digest_hour = v;
            break;
        case OPT_NOW:
            o->now = true;
            break;
        case OPT_TEST_NOW:
            o->test_now = optarg;
            break;
        case OPT_LOG:
            o->log_level = optarg;
            break;
        case OPT_EMAIL:
            o->email = optarg;
            break;
        case OPT_NAME:
            o->name = optarg;
            break;
        case OPT_ORG:
            o->org = optarg;
            break;
        case OPT_HELP:
        case 'h':
            fputs(usage, stdout);
            return 1;
        default:
            fprintf(stderr, "unknown or incomplete option: %s\n", argv[optind - 1]);
            return KT_EINVAL;
        }
    }
    if (optind < argc)
        return fprintf(stderr, "unexpected argument: %s\n", argv[optind]), KT_EINVAL;
    char addr[64];
    int port;
    if (o->cfg.metrics_listen && strcmp(o->cfg.metrics_listen, "off") == 0)
        o->cfg.metrics_listen = NULL;
    else if (!kt_server_split_listen(o->cfg.metrics_listen, addr, sizeof addr, &port))
        return fprintf(stderr, "--metrics-listen: ADDR:PORT or off: %s\n", o->cfg.metrics_listen),
               KT_EINVAL;
    static const char *const levels[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (strcmp(o->log_level, levels[i]) == 0)
            kt_log_set_level((enum kt_log_level)i);
    return 0;
}

static int ensure_parent_dir(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return 0;
    *slash = 0;
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        mkdir(dir, 0750);
        *p = '/';
    }
    if (mkdir(dir, 0750) && errno != EEXIST) {
        fprintf(stderr, "cannot create %s: %s\n", dir, strerror(errno));
        return KT_EIO;
    }
    return 0;
}

static int open_store(kt_app *app)
{
    if (ensure_parent_dir(app->cfg.db_path))
        return KT_EIO;
    kt_store_options so = {
        .path = app->cfg.db_path, .sync_full = app->cfg.sync_full, .busy_timeout_ms = 5000};
    return kt_store_open(&so, &app->store);
}

static kt_app app;

static void on_signal(int sig)
{
    (void)sig;
    kt_server_stop(&app);
}

static int serve(options *o)
{
    app.cfg = o->cfg;
    app.started_at = kt_now();
    if (!app.cfg.node_id) {
        char host[48] = "node";
        gethostname(host, sizeof host - 1);
        snprintf(o->node_id, sizeof o->node_id, "%s-%d", host, (int)getpid());
        app.cfg.node_id = o->node_id;
    }
    lws_set_log_level(LLL_ERR, NULL);
    const char *bad;
    if (!kt_origins_init(&app.origins, app.cfg.public_url ? app.cfg.public_url : "http://localhost",
                         app.cfg.allowed_origins, 0, &bad)) {
        fprintf(stderr,
                "--public-url / --allowed-origins: not an origin (scheme://host[:port]): "
                "%.80s\n",
                bad ? bad : "");
        return 2;
    }
    if (kt_password_init() || open_store(&app))
        return 1;
    app.hub = kt_hub_new(&app);
    app.detect = kt_detect_new(&app);
    if (!app.hub || !app.detect || kt_server_start(&app))
        return 1;
    if (app.cfg.redis_url)
        app.bus = kt_bus_redis_new(app.cfg.redis_url, app.lws, &app.counters.bus_reconnects,
                                   kt_hub_deliver, kt_hub_resync, app.hub);
    else
        app.bus = kt_bus_local_new(kt_hub_deliver, kt_hub_resync, app.hub);
    if (!app.bus)
        return 1;
    int port = kt_server_port(&app);
    bool own_url = app.cfg.public_url != NULL;
    if (!own_url) {
        snprintf(o->public_url, sizeof o->public_url, "http://localhost:%d", port);
        app.cfg.public_url = o->public_url;
    }
    /* checked before the start: cannot fail here */
    kt_origins_init(&app.origins, app.cfg.public_url, app.cfg.allowed_origins, own_url ? 0 : port,
                    &bad);
    app.digest = kt_digest_start(&app);
    if (app.cfg.demo) {
        if (kt_demo_load(&app, o->demo_file))
            kt_warn("demo data loaded with errors", "file=\"%s\"", o->demo_file);
        kt_demo_print_logins(&app, o->demo_file);
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    kt_info("listening", "port=%d db=\"%s\" bus=%s node=%s", port, app.cfg.db_path,
            kt_bus_name(app.bus), app.cfg.node_id);
    printf("ketentafel draait: open %s/\n", app.cfg.public_url);
    fflush(stdout);
    kt_server_run(&app);
    kt_info("stopping", NULL);
    kt_bus_free(app.bus); /* first: its threads wake the loop */
    app.bus = NULL;
    kt_digest_stop(app.digest); /* aborts a send in progress */
    app.digest = NULL;
    kt_server_destroy(&app);
    kt_hub_free(app.hub);
    kt_detect_free(app.detect);
    kt_store_close(app.store);
    kt_feeds_shutdown();
    free(app.pending);
    return 0;
}

static int read_password(char *buf, size_t n)
{
    const char *env = getenv("KT_ADMIN_PASSWORD");
    if (env) {
        snprintf(buf, n, "%s", env);
        return 0;
    }
    if (isatty(STDIN_FILENO))
        fprintf(stderr, "Wachtwoord (minstens %d tekens): ", KT_PASSWORD_MIN_LEN);
    if (!fgets(buf, (int)n, stdin))
        return KT_EIO;
    buf[strcspn(buf, "\r\n")] = 0;
    return 0;
}

static int create_admin(options *o)
{
    if (!o->email || !o->name) {
        fprintf(stderr, "create-admin needs --email and --name\n");
        return 2;
    }
    char password[KT_PASSWORD_MAX_LEN + 2];
    const char *why;
    if (read_password(password, sizeof password)) {
        fprintf(stderr, "no password on stdin\n");
        return 2;
    }
    if (!kt_password_acceptable(password, &why)) {
        fprintf(stderr, "%s\n", why);
        return 2;
    }
    char hash[KT_PASSWORD_HASH_MAX];
    app.cfg = o->cfg;
    if (kt_password_init() || kt_password_hash(password, hash) || open_store(&app))
        return 1;
    const char *org = o->org ? o->org : "Functioneel beheer";
    kt_store *st = app.store;
    int rc = kt_store_begin(st);
    sqlite3_stmt *s = kt_store_stmt(st, "INSERT OR IGNORE INTO organisations(name, kind, "
                                        "created_at, updated_at) VALUES (?1, 'overig', ?2, ?2)");
    if (!rc && s) {
        sqlite3_bind_text(s, 1, org, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, kt_now());
        rc = kt_store_step_done(st, s);
    }
    s = kt_store_stmt(st, "INSERT INTO persons(org_id, name, email, function, is_admin, "
                          "password_hash, created_at, updated_at) SELECT id, ?2, ?3, "
                          "'beheerder', 1, ?4, ?5, ?5 FROM organisations WHERE name = ?1");
    if (!rc && s) {
        sqlite3_bind_text(s, 1, org, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, o->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, o->email, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 5, kt_now());
        rc = kt_store_step_done(st, s);
    }
    if (!rc)
        rc = kt_store_commit(st);
    else
        kt_store_rollback(st);
    kt_store_close(st);
    if (rc == KT_ECONFLICT) {
        fprintf(stderr, "a person with e-mail %s exists already\n", o->email);
        return 1;
    }
    if (rc) {
        fprintf(stderr, "could not create the administrator\n");
        return 1;
    }
    printf("Beheerder %s <%s> aangemaakt.\n", o->name, o->email);
    return 0;
}

/* One digest pass for cron and tests: the server's schedule without the server. */
static int digest(options *o)
{
    app.cfg = o->cfg;
    if (!app.cfg.smtp_url) {
        fprintf(stderr, "digest: geen mailrelay ingesteld (--smtp-url of KT_SMTP_URL)\n");
        return 1;
    }
    if (!app.cfg.public_url) {
        snprintf(o->public_url, sizeof o->public_url, "http://localhost:%d", app.cfg.port);
        app.cfg.public_url = o->public_url;
    }
    if (!app.cfg.node_id) {
        snprintf(o->node_id, sizeof o->node_id, "digest-%d", (int)getpid());
        app.cfg.node_id = o->node_id;
    }
    if (open_store(&app))
        return 1;
    int sent = 0, failed = 0;
    int rc = kt_digest_run_once(&app, o->now, &sent, &failed);
    kt_store_close(app.store);
    printf("Dagoverzicht: %d verstuurd, %d mislukt.\n", sent, failed);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    kt_time_init(); /* local time is Europe/Amsterdam; UTC paths use gmtime_r / timegm */
    const char *cmd = "serve";
    if (argc > 1 && argv[1][0] != '-') {
        cmd = argv[1];
        argc--;
        argv++;
    }
    if (strcmp(cmd, "similar-eval") == 0)
        return kt_similar_eval_main(argc, argv);
    if (strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    options o;
    defaults(&o);
    if (parse_env_ints(&o))
        return 2;
    int rc = parse_args(&o, argc, argv);
    if (rc)
        return rc > 0 ? 0 : 2;
    if (set_test_clock(&o))
        return 2;
    if (strcmp(cmd, "serve") == 0)
        return serve(&o);
    if (strcmp(cmd, "create-admin") == 0)
        return create_admin(&o);
    if (strcmp(cmd, "digest") == 0)
        return digest(&o);
    fprintf(stderr, "unknown command: %s (try: ketentafel help)\n", cmd);
    return 2;
}

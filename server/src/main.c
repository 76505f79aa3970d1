/* ketentafel: configuration, start, stop, and the small command-line tools. */
#include "app.h"
#include "auth/password.h"
#include "bus/bus.h"
#include "config/config.h"
#include "detect/detect.h"
#include "detect/similar.h"
#include "domain/demo.h"
#include "feed/digest.h"
#include "feed/feeds.h"
#include "live/hub.h"
#include "net/origin.h"
#include "net/server.h"
#include "net/tls.h"
#include "privacy/retention.h"
#include "protocol/dispatch.h"
#include "react/react.h"
#include "store/copy.h"
#include "store/directory.h"
#include "store/indexer.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <errno.h>
#include <libwebsockets.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef KT_VERSION
#define KT_VERSION "dev"
#endif

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

static kt_store_options store_options(kt_app *app)
{
    return (kt_store_options){.path = app->cfg.db_path,
                              .sync_full = app->cfg.sync_full,
                              .busy_timeout_ms = 5000,
                              .timeout_ms = app->cfg.db_timeout_ms};
}

static int open_store(kt_app *app)
{
    if (!kt_store_is_url(app->cfg.db_path) && ensure_parent_dir(app->cfg.db_path))
        return KT_EIO;
    kt_store_options so = store_options(app);
    so.checkpoint_aside = true; /* the loop's commits acknowledge writes: no checkpoint in them */
    int rc = kt_store_open(&so, &app->store);
    if (!rc)
        kt_store_set_name(app->store, "loop");
    return rc;
}

static kt_app app;
static kt_origins origins; /* app.origins */

/* What the bus delivers goes to the detectors' index (every node keeps its own in step) and to
 * the hub (the sessions of this node). */
static void on_event(void *arg, kt_event *ev)
{
    kt_app *a = arg;
    if (a->detect)
        kt_detect_observe(a, ev);
    kt_hub_deliver(a->hub, ev);
}

static void on_resync(void *arg)
{
    kt_hub_resync(((kt_app *)arg)->hub);
}
static char derived_public_url[256], derived_node_id[64]; /* when the options leave them out */

static void on_signal(int sig)
{
    (void)sig;
    kt_server_stop(&app);
}

static void on_hangup(int sig)
{
    (void)sig;
    kt_server_reload(&app);
}

static int serve(kt_settings *o)
{
    app.cfg = o->cfg;
    app.started_at = kt_now();
    if (!app.cfg.node_id) {
        char host[48] = "node";
        gethostname(host, sizeof host - 1);
        snprintf(derived_node_id, sizeof derived_node_id, "%s-%d", host, (int)getpid());
        app.cfg.node_id = derived_node_id;
    }
    lws_set_log_level(LLL_ERR, NULL);
    app.origins = &origins;
    const char *bad;
    if (!kt_origins_init(&origins, app.cfg.public_url ? app.cfg.public_url : "http://localhost",
                         app.cfg.allowed_origins, 0, &bad)) {
        fprintf(stderr,
                "--public-url / --allowed-origins: not an origin (scheme://host[:port]): "
                "%.80s\n",
                bad ? bad : "");
        return 2;
    }
    char tls[512];
    if (kt_tls_enabled(&app.cfg) &&
        kt_tls_check_files(app.cfg.tls_cert, app.cfg.tls_key, tls, sizeof tls)) {
        fprintf(stderr, "ketentafel: tls-cert/tls-key: %s\n", tls);
        return 2;
    }
    if (kt_password_init() || open_store(&app))
        return 1;
    /* The database's own check of its file, once at start: a damaged page or a lost
     * write-ahead log is said here and in /healthz, not found later by a reader. */
    char integrity[200];
    int64_t check_started = kt_mono_ns();
    if (kt_store_check(app.store, integrity, sizeof integrity))
        kt_error("database damaged: restore from a backup (README, Backups)", "found=\"%s\"",
                 integrity);
    else
        kt_info("database checked", "result=%s ms=%lld", integrity,
                (long long)((kt_mono_ns() - check_started) / 1000000));
    /* The search queue and its indexer are SQLite's; PostgreSQL indexes in its own way
     * (store/pg/search.c). */
    kt_store_options iso = store_options(&app);
    if (!kt_store_is_url(app.cfg.db_path) && kt_indexer_start(&iso, &app.indexer)) {
        fprintf(stderr, "cannot start the search indexer on %s\n", app.cfg.db_path);
        return 1;
    }
    app.wake = kt_server_wake;
    app.hub = kt_hub_new(&app);
    app.detect = kt_detect_new(&app);
    if (!app.hub || !app.detect || kt_server_start(&app))
        return 1;
    /* From here the port accepts connections, so a stop asked for now (a supervisor's
     * SIGTERM while the demo loads) must end the node in order, not kill it: the loop
     * begins its shutdown as soon as it runs. */
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_hangup);
    signal(SIGPIPE, SIG_IGN);
    app.react = kt_react_new(&app);
    if (!app.react)
        return 1;
    kt_dispatch_group_commit(&app, app.cfg.group_commit);
    if (app.cfg.redis_url)
        app.bus = kt_bus_redis_new(app.cfg.redis_url, kt_server_wake, &app,
                                   &app.counters.bus_reconnects, on_event, on_resync, &app);
    else
        app.bus = kt_bus_local_new(on_event, on_resync, &app);
    if (!app.bus)
        return 1;
    int port = kt_server_port(&app);
    bool own_url = app.cfg.public_url != NULL;
    if (!own_url) {
        snprintf(derived_public_url, sizeof derived_public_url, "%s://localhost:%d",
                 kt_tls_enabled(&app.cfg) ? "https" : "http", port);
        app.cfg.public_url = derived_public_url;
    }
    /* checked before the start: cannot fail here */
    kt_origins_init(&origins, app.cfg.public_url, app.cfg.allowed_origins, own_url ? 0 : port,
                    &bad);
    /* what expired while the node was down goes before anyone is served (then hourly) */
    kt_retention_run(&app, kt_now(), NULL, NULL);
    app.digest = kt_digest_start(&app);
    if (app.cfg.demo) {
        if (kt_demo_load(&app, o->demo_file))
            kt_warn("demo data loaded with errors", "file=\"%s\"", o->demo_file);
        kt_react_drain(app.react);            /* the demo starts with its signaleringen in place */
        kt_react_confidential_now(app.react); /* no slot: nobody is served yet */
        kt_indexer_kick(app.indexer);
        kt_demo_print_logins(&app, o->demo_file);
    }
    kt_info("listening", "port=%d db=\"%s\" bus=%s node=%s", port, app.cfg.db_path,
            kt_bus_name(app.bus), app.cfg.node_id);
    printf("ketentafel draait: open %s/\n", app.cfg.public_url);
    fflush(stdout);
    kt_server_run(&app);
    kt_info("stopping", NULL);
    kt_react_free(app.react); /* runs what this node committed and has not reacted to yet */
    app.react = NULL;
    kt_bus_free(app.bus); /* its threads wake the loop */
    app.bus = NULL;
    kt_digest_stop(app.digest); /* aborts a send in progress */
    app.digest = NULL;
    kt_server_destroy(&app);
    kt_hub_free(app.hub);
    kt_detect_free(app.detect);
    kt_indexer_stop(app.indexer);
    app.indexer = NULL;
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

static int create_admin(kt_settings *o)
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
    int64_t org_id = 0, id = 0;
    int rc = kt_store_begin(st);
    if (!rc)
        rc = kt_store_org_ensure(st, org, "overig", kt_now(), &org_id);
    kt_person_fields f = {.name = o->name,
                          .email = o->email,
                          .function = "beheerder",
                          .org = org_id,
                          .admin = 1,
                          .active = 1,
                          .password_hash = hash};
    if (!rc)
        rc = kt_store_person_insert(st, &f, kt_now(), &id);
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
static int digest(kt_settings *o)
{
    app.cfg = o->cfg;
    if (!app.cfg.smtp_url) {
        fprintf(stderr, "digest: geen mailrelay ingesteld (--smtp-url of KT_SMTP_URL)\n");
        return 1;
    }
    if (!app.cfg.public_url) {
        snprintf(derived_public_url, sizeof derived_public_url, "http://localhost:%d",
                 app.cfg.port);
        app.cfg.public_url = derived_public_url;
    }
    if (!app.cfg.node_id) {
        snprintf(derived_node_id, sizeof derived_node_id, "digest-%d", (int)getpid());
        app.cfg.node_id = derived_node_id;
    }
    if (open_store(&app))
        return 1;
    int sent = 0, failed = 0;
    int rc = kt_digest_run_once(&app, o->now, &sent, &failed);
    kt_store_close(app.store);
    printf("Dagoverzicht: %d verstuurd, %d mislukt.\n", sent, failed);
    return rc ? 1 : 0;
}

static int set_log_level(const char *level)
{
    static const char *const levels[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (strcmp(level, levels[i]) == 0)
            kt_log_set_level((enum kt_log_level)i);
    return 0;
}

/* check-config: the effective values, and whether the TLS files will do. */
static int check_config(const kt_conf *conf)
{
    kt_conf_print(conf, stdout);
    const kt_config *c = &conf->s.cfg;
    char what[512];
    if (!kt_tls_enabled(c))
        return 0;
    if (kt_tls_check_files(c->tls_cert, c->tls_key, what, sizeof what)) {
        fprintf(stderr, "ketentafel: tls-cert/tls-key: %s\n", what);
        return 2;
    }
    printf("# tls: %s\n", what);
    return 0;
}

/* Every option is accepted by every command; each uses those it needs. */
static int run(const char *cmd, kt_conf *conf)
{
    kt_settings *s = &conf->s;
    if (strcmp(cmd, "check-config") == 0)
        return check_config(conf);
    set_log_level(s->log_level);
    if (s->test_now) {
        int64_t t;
        kt_time_parse(s->test_now, &t); /* checked by the option table */
        kt_clock_set(t);
        kt_warn("the clock is fixed for testing", "test_now=%s", s->test_now);
    }
    if (s->cfg.metrics_listen && strcmp(s->cfg.metrics_listen, "off") == 0)
        s->cfg.metrics_listen = NULL;
    if (strcmp(cmd, "serve") == 0)
        return serve(s);
    if (strcmp(cmd, "create-admin") == 0)
        return create_admin(s);
    if (strcmp(cmd, "digest") == 0)
        return digest(s);
    return 2; /* known_command() let it through */
}

static bool known_command(const char *cmd)
{
    for (int i = 0; i < kt_n_commands; i++)
        if (strcmp(cmd, kt_commands[i].name) == 0)
            return true;
    return false;
}

/* ketentafel copy-store --from PATH|URL --to PATH|URL [--db-timeout-ms N]: moves a deployment's
 * data into an empty store (SQLite to PostgreSQL, typically) and checks that nothing was lost.
 * Every exchange with a PostgreSQL server has a deadline (default COPY_TIMEOUT_MS, longer than a
 * node's: one statement may read a whole table), so that a frozen server ends the copy with an
 * error instead of holding it for ever. */
#define COPY_TIMEOUT_MS 60000
static int copy_store(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    long timeout = COPY_TIMEOUT_MS;
    bool bad = argc != 5 && argc != 7;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--from") == 0)
            from = argv[i + 1];
        else if (strcmp(argv[i], "--to") == 0)
            to = argv[i + 1];
        else if (strcmp(argv[i], "--db-timeout-ms") == 0) {
            char *end;
            timeout = strtol(argv[i + 1], &end, 10);
            bad = bad || *end || end == argv[i + 1] || timeout < 100 || timeout > 3600000;
        } else
            bad = true;
    }
    if (!from || !to || bad) {
        fprintf(stderr, "usage: ketentafel copy-store --from PATH|URL --to PATH|URL "
                        "[--db-timeout-ms 100..3600000]\n");
        return 2;
    }
    kt_store_options fo = {
        .path = from, .sync_full = true, .busy_timeout_ms = 5000, .timeout_ms = (int)timeout};
    kt_store_options to_opt = {
        .path = to, .sync_full = true, .busy_timeout_ms = 5000, .timeout_ms = (int)timeout};
    kt_store *a = NULL, *b = NULL;
    if (!kt_store_is_url(from) && access(from, R_OK) != 0) {
        fprintf(stderr, "copy-store: cannot read %s\n", from);
        return 1;
    }
    if (kt_store_open(&fo, &a) || kt_store_open(&to_opt, &b)) {
        fprintf(stderr, "copy-store: cannot open both stores\n");
        kt_store_close(a);
        return 1;
    }
    int rc = kt_store_copy(a, b, stdout);
    kt_store_close(a);
    kt_store_close(b);
    if (rc) {
        fprintf(stderr, "copy-store: %s\n",
                rc == KT_ECONFLICT ? "the copy differs from the original (see above)"
                                   : "failed; the destination was left as it was");
        return 1;
    }
    printf("copy-store: done, nothing lost\n");
    return 0;
}

/* ketentafel backup --db PATH --to FILE: an online backup of a node's SQLite database while it
 * runs (README, Backups). */
static int backup(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--db") == 0)
            from = argv[i + 1];
        else if (strcmp(argv[i], "--to") == 0)
            to = argv[i + 1];
    }
    if (!from || !to || argc != 5) {
        fprintf(stderr, "usage: ketentafel backup --db PATH --to FILE\n");
        return 2;
    }
    if (kt_store_is_url(from)) {
        fprintf(stderr, "backup: PostgreSQL is backed up with its own tools (pg_dump, "
                        "pg_basebackup, replication): see the README\n");
        return 2;
    }
    if (access(from, R_OK) != 0) {
        fprintf(stderr, "backup: cannot read %s\n", from);
        return 1;
    }
    kt_store_options so = {.path = from, .sync_full = true, .busy_timeout_ms = 5000};
    kt_store *st = NULL;
    if (kt_store_open(&so, &st)) {
        fprintf(stderr, "backup: cannot open %s\n", from);
        return 1;
    }
    int rc = kt_store_backup(st, to);
    kt_store_close(st);
    if (rc) {
        fprintf(stderr, "backup: failed; %s was not written (see above)\n", to);
        return 1;
    }
    printf("backup: %s written and checked\n", to);
    return 0;
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
    if (strcmp(cmd, "copy-store") == 0)
        return copy_store(argc, argv);
    if (strcmp(cmd, "backup") == 0)
        return backup(argc, argv);
    if (strcmp(cmd, "help") == 0) {
        kt_conf_usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "example-config") == 0) {
        kt_conf_example(stdout);
        return 0;
    }
    if (strcmp(cmd, "manpage") == 0) {
        kt_conf_manpage(stdout, KT_VERSION);
        return 0;
    }
    if (!known_command(cmd)) {
        fprintf(stderr, "unknown command: %s (try: ketentafel help)\n", cmd);
        return 2;
    }
#ifdef KT_DEFAULT_CONFIG
    const char *default_config = KT_DEFAULT_CONFIG;
#else
    const char *default_config = NULL;
#endif
    static kt_conf conf; /* app.cfg points into it until the end */
    int rc = kt_conf_load(&conf, argc, argv, default_config);
    if (rc)
        fprintf(stderr, "ketentafel: %s\n", conf.err);
    else if (conf.help)
        kt_conf_usage(stdout);
    else
        rc = run(cmd, &conf);
    kt_conf_free(&conf);
    return rc < 0 ? 2 : rc;
}

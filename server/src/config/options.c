/* The one table of options and the one list of subcommands. --help, the manual page, the
 * configuration file's keys, the environment variables and check-config all read these: a new
 * option is one row here (and its field in kt_settings). */
#include "config/config.h"
#include "net/server.h"
#include "util/timeutil.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Where the build puts things (CMakeLists.txt sets these for an installed layout, KT_FHS=ON). */
#ifndef KT_SOURCE_DIR
#define KT_SOURCE_DIR "."
#endif
#ifndef KT_DEFAULT_DB
#define KT_DEFAULT_DB "data/ketentafel.db"
#endif
#ifndef KT_DEFAULT_WEB
#define KT_DEFAULT_WEB KT_SOURCE_DIR "/web"
#endif
#ifndef KT_DEFAULT_DEMO_FILE
#define KT_DEFAULT_DEMO_FILE KT_SOURCE_DIR "/server/demo/demo.json"
#endif

/* The configuration file read when neither --config nor KT_CONFIG names one (main.c). */
#ifdef KT_DEFAULT_CONFIG
#define KT_DEFAULT_CONFIG_DOC KT_DEFAULT_CONFIG ", when it exists"
#else
#define KT_DEFAULT_CONFIG_DOC "none"
#endif

#define CFG(f) offsetof(kt_settings, cfg.f)
#define SET(f) offsetof(kt_settings, f)

static bool listen_spec(const char *v)
{
    char addr[64];
    int port;
    return strcmp(v, "off") == 0 || kt_server_split_listen(v, addr, sizeof addr, &port);
}

static bool instant(const char *v)
{
    int64_t t;
    return kt_time_parse(v, &t) == 0;
}

static const char g_server[] = "Server options";
static const char g_mail[] = "Mail (the daily digest)";
static const char g_retention[] = "Retention (AVG)";
static const char g_admin[] = "create-admin options";
static const char g_digest[] = "digest options";
static const char g_test[] = "Testing";

const kt_option kt_options[] = {
    {.name = "config",
     .env = "KT_CONFIG",
     .arg = "FILE",
     .kind = KT_OPT_STR,
     .dflt_doc = KT_DEFAULT_CONFIG_DOC,
     .group = g_server,
     .flags = KT_OPTF_NO_FILE,
     .offset = SET(config_path),
     .help = "Configuration file to read (see CONFIGURATION FILE). A file given here must "
             "exist; the default file is read only when it exists."},
    {.name = "listen",
     .env = "KT_LISTEN",
     .arg = "ADDR",
     .kind = KT_OPT_STR,
     .dflt_doc = "all addresses",
     .group = g_server,
     .offset = CFG(listen_addr),
     .help = "Address to listen on."},
    {.name = "port",
     .env = "KT_PORT",
     .arg = "N",
     .kind = KT_OPT_INT,
     .lo = 0,
     .hi = 65535,
     .dflt = "8080",
     .group = g_server,
     .offset = CFG(port),
     .help = "Port to listen on; 0 picks a free one."},
    {.name = "metrics-listen",
     .env = "KT_METRICS_LISTEN",
     .arg = "ADDR:PORT",
     .kind = KT_OPT_STR,
     .dflt = "127.0.0.1:9464",
     .group = g_server,
     .offset = CFG(metrics_listen),
     .check = listen_spec,
     .expect = "ADDR:PORT or off",
     .help = "Where /metrics and the full /healthz are served, for operators only (the public "
             "port answers /healthz with the status alone); off: nowhere."},
    {.name = "tls-cert",
     .env = "KT_TLS_CERT",
     .arg = "FILE",
     .kind = KT_OPT_STR,
     .dflt_doc = "none: plain HTTP",
     .group = g_server,
     .offset = CFG(tls_cert),
     .help = "Serve HTTPS and WSS with this certificate (PEM, the server's first, then its "
             "chain); needs --tls-key. TLS 1.2 and 1.3 only, forward-secret AEAD ciphers. "
             "SIGHUP reads the certificate and key again without dropping sessions."},
    {.name = "tls-key",
     .env = "KT_TLS_KEY",
     .arg = "FILE",
     .kind = KT_OPT_STR,
     .dflt_doc = "none",
     .group = g_server,
     .offset = CFG(tls_key),
     .help = "The private key (PEM, unencrypted) of --tls-cert; readable by the service's "
             "user only."},
    {.name = "db",
     .env = "KT_DB",
     .arg = "PATH",
     .kind = KT_OPT_STR,
     .dflt = KT_DEFAULT_DB,
     .group = g_server,
     .flags = KT_OPTF_SECRET,
     .offset = CFG(db_path),
     .help = "The store: an SQLite database file (its directory is created when missing) or a "
             "postgresql:// URL for nodes on several hosts."},
    {.name = "db-timeout-ms",
     .env = "KT_DB_TIMEOUT_MS",
     .arg = "N",
     .kind = KT_OPT_INT,
     .lo = 100,
     .hi = 600000,
     .dflt = "10000",
     .group = g_server,
     .offset = CFG(db_timeout_ms),
     .help = "PostgreSQL: how long any exchange with the database (a query's answer, making a "
             "connection: at most 5 s of it) may take. One that takes longer (a frozen server, "
             "a network that drops everything) fails with store_unavailable, the connection is "
             "dropped and made again later; /healthz says down meanwhile. A wait for another "
             "node's write lock ends as store_busy half a second before. SQLite: ignored."},
    {.name = "web",
     .env = "KT_WEB",
     .arg = "DIR",
     .kind = KT_OPT_STR,
     .dflt = KT_DEFAULT_WEB,
     .group = g_server,
     .offset = CFG(web_root),
     .help = "Directory of the web client (index.html and its modules)."},
    {.name = "redis",
     .env = "KT_REDIS_URL",
     .arg = "URL",
     .kind = KT_OPT_URL,
     .choices = "redis",
     .dflt_doc = "the in-process bus (one node)",
     .group = g_server,
     .flags = KT_OPTF_SECRET,
     .offset = CFG(redis_url),
     .help = "Redis server (redis://host:port) through which several nodes share events."},
    {.name = "public-url",
     .env = "KT_PUBLIC_URL",
     .arg = "URL",
     .kind = KT_OPT_URL,
     .choices = "http|https",
     .dflt_doc = "http://localhost:PORT",
     .group = g_server,
     .offset = CFG(public_url),
     .help = "The address people reach the server at, and the origin browsers must come from; "
             "links in feeds and mails start with it. With the default, 127.0.0.1 and [::1] on "
             "that port are allowed too."},
    {.name = "allowed-origins",
     .env = "KT_ALLOWED_ORIGINS",
     .arg = "LIST",
     .kind = KT_OPT_STR,
     .dflt_doc = "none",
     .group = g_server,
     .offset = CFG(allowed_origins),
     .help = "Further browser origins (scheme://host[:port]) allowed to use the API and the "
             "WebSocket, comma-separated."},
    {.name = "trusted-proxies",
     .env = "KT_TRUSTED_PROXIES",
     .arg = "LIST",
     .kind = KT_OPT_STR,
     .dflt_doc = "none",
     .group = g_server,
     .offset = CFG(trusted_proxies),
     .help = "Proxies (addresses or CIDRs, comma-separated) whose last X-Forwarded-For entry "
             "is taken as the client's address for the login limits."},
    {.name = "session-hours",
     .env = "KT_SESSION_HOURS",
     .arg = "N",
     .kind = KT_OPT_INT,
     .lo = 1,
     .hi = 24 * 90,
     .dflt = "12",
     .group = g_server,
     .offset = SET(session_hours),
     .help = "Lifetime of a login session in hours."},
    {.name = "sync",
     .env = "KT_SYNC",
     .arg = "full|normal",
     .kind = KT_OPT_CHOICE,
     .choices = "full|normal",
     .dflt = "full",
     .group = g_server,
     .offset = SET(sync),
     .help = "full: fsync every commit; normal: only at checkpoints (a power cut may lose "
             "the last commits, never consistency)."},
    {.name = "group-commit",
     .env = "KT_GROUP_COMMIT",
     .arg = "on|off",
     .kind = KT_OPT_CHOICE,
     .choices = "on|off",
     .dflt = "on",
     .group = g_server,
     .offset = SET(group_commit),
     .help = "on: writes that arrive together are committed together, one fsync for all of "
             "them, and each is acknowledged only after that commit; off: one commit per "
             "write."},
    {.name = "max-queue",
     .env = "KT_MAX_QUEUE",
     .arg = "N",
     .kind = KT_OPT_INT,
     .lo = 16,
     .hi = 1 << 20,
     .dflt = "1024",
     .group = g_server,
     .offset = CFG(max_queue),
     .help = "Frames a session's out-queue holds before the session is closed as too slow."},
    {.name = "ping-secs",
     .env = "KT_PING_SECS",
     .arg = "N",
     .kind = KT_OPT_INT,
     .lo = 1,
     .hi = 3600,
     .dflt = "30",
     .group = g_server,
     .offset = CFG(ping_secs),
     .help = "Close a WebSocket silent for 2.5 N seconds; ping it once before, in time to "
             "answer (after 2 N at the default)."},
    {.name = "notify-burst-secs",
     .env = "KT_NOTIFY_BURST_SECS",
     .arg = "N",
     .kind = KT_OPT_INT,
     .lo = 0,
     .hi = 3600,
     .dflt = "600",
     .group = g_server,
     .offset = CFG(notify_burst_secs),
     .help = "A change by the same person to the same meeting, published agenda or action "
             "within N seconds of the last one is merged into the notification it made (one "
             "notification per burst); 0 makes every change a notification of its own. At most "
             "an hour."},
    {.name = "node-id",
     .env = "KT_NODE_ID",
     .arg = "NAME",
     .kind = KT_OPT_STR,
     .dflt_doc = "HOSTNAME-PID",
     .group = g_server,
     .offset = CFG(node_id),
     .help = "Name of this node in logs and metrics."},
    {.name = "log-level",
     .env = "KT_LOG_LEVEL",
     .arg = "LEVEL",
     .kind = KT_OPT_CHOICE,
     .choices = "debug|info|warn|error",
     .dflt = "info",
     .group = g_server,
     .offset = SET(log_level),
     .help = "Least severe log lines written to stderr."},
    {.name = "travel-buffer",
     .env = "KT_TRAVEL_BUFFER",
     .arg = "MIN",
     .kind = KT_OPT_INT,
     .lo = 0,
     .hi = 240,
     .dflt = "15",
     .group = g_server,
     .offset = CFG(travel_buffer_min),
     .help = "Minutes needed between meetings at different places (meeting conflicts)."},
    {.name = "confidential-check-secs",
     .env = "KT_CONFIDENTIAL_CHECK_SECS",
     .arg = "N",
     .kind = KT_OPT_INT,
     .lo = 1,
     .hi = 3600,
     .dflt = "300",
     .group = g_server,
     .offset = CFG(confidential_check_secs),
     .help = "Every N seconds the agenda items changed meanwhile are compared with the "
             "confidential items, in one batch, and the confidential side is told of possible "
             "duplicates; never in the reaction to the change itself, so that no probe's cost "
             "or timing tells whether it met a hidden item (SECURITY.md)."},
    {.name = "confidential-slot-ms",
     .env = "KT_CONFIDENTIAL_SLOT_MS",
     .arg = "MS",
     .kind = KT_OPT_INT,
     .lo = 1,
     .hi = 10000,
     .dflt = "100",
     .group = g_server,
     .offset = CFG(confidential_slot_ms),
     .help = "The node answers nobody for MS milliseconds at each of those batches, whatever it "
             "finds: the batch takes no more items once the time is up (the rest goes first in "
             "the next) and the node then waits out the slot, so that how long it is away does "
             "not tell whether the batch met a hidden item (SECURITY.md). The default holds a "
             "batch of hundreds of changed items and its commit with --sync full (one fsync: "
             "7 ms median, 33 ms p99 on a loaded shared disk) with room to spare "
             "(bench/README.md, probe_timing.py); a batch that runs over holds whole "
             "slots (kt_confidential_slots_total in /metrics counts them)."},
    {.name = "vocabulary",
     .env = "KT_VOCABULARY",
     .arg = "FILE",
     .kind = KT_OPT_STR,
     .group = g_server,
     .offset = CFG(vocabulary),
     .help = "The deployment's own domain vocabulary for the duplicate detector (the format of "
             "server/data/vocabulary.txt), loaded on top of the built-in one."},
    {.name = "demo",
     .env = "KT_DEMO",
     .kind = KT_OPT_BOOL,
     .dflt = "no",
     .group = g_server,
     .offset = CFG(demo),
     .help = "Load the demo data into an empty database."},
    {.name = "demo-file",
     .env = "KT_DEMO_FILE",
     .arg = "PATH",
     .kind = KT_OPT_STR,
     .dflt = KT_DEFAULT_DEMO_FILE,
     .group = g_server,
     .offset = SET(demo_file),
     .help = "The demo data file."},

    {.name = "smtp-url",
     .env = "KT_SMTP_URL",
     .arg = "URL",
     .kind = KT_OPT_URL,
     .choices = "smtp|smtps",
     .dflt_doc = "none: no digests are sent",
     .group = g_mail,
     .flags = KT_OPTF_SECRET,
     .offset = CFG(smtp_url),
     .help = "Mail relay for the daily digest, smtp://host:port or smtps://host:port, with "
             "user and password in the URL if the relay wants them."},
    {.name = "mail-from",
     .env = "KT_MAIL_FROM",
     .arg = "ADDR",
     .kind = KT_OPT_STR,
     .dflt = "ketentafel@localhost",
     .group = g_mail,
     .offset = CFG(mail_from),
     .help = "Sender address of the digest."},
    {.name = "digest-hour",
     .env = "KT_DIGEST_HOUR",
     .arg = "H",
     .kind = KT_OPT_INT,
     .lo = 0,
     .hi = 23,
     .dflt = "7",
     .group = g_mail,
     .offset = CFG(digest_hour),
     .help = "Local hour (Europe/Amsterdam) from which the digest goes out."},

    {.name = "retain-chat-days",
     .env = "KT_RETAIN_CHAT_DAYS",
     .arg = "DAYS",
     .kind = KT_OPT_INT,
     .lo = 0,
     .hi = 36500,
     .dflt = "730",
     .group = g_retention,
     .offset = CFG(retain_days[0]),
     .help = "Chat messages (channels and item threads) are deleted this many days after they "
             "were posted; 0 keeps them."},
    {.name = "retain-minutes-days",
     .env = "KT_RETAIN_MINUTES_DAYS",
     .arg = "DAYS",
     .kind = KT_OPT_INT,
     .lo = 0,
     .hi = 36500,
     .dflt = "0",
     .group = g_retention,
     .offset = CFG(retain_days[1]),
     .help = "Verslagen (a meeting's minutes, the notes per agenda item) and besluiten are "
             "removed this many days after the meeting; 0 keeps them (they are usually archive "
             "records: the archivist decides)."},
    {.name = "retain-actions-days",
     .env = "KT_RETAIN_ACTIONS_DAYS",
     .arg = "DAYS",
     .kind = KT_OPT_INT,
     .lo = 0,
     .hi = 36500,
     .dflt = "0",
     .group = g_retention,
     .offset = CFG(retain_days[2]),
     .help = "Actiepunten and toezeggingen that are done (afgerond, vervallen) are deleted this "
             "many days after their last change; 0 keeps them."},
    {.name = "retain-notifications-days",
     .env = "KT_RETAIN_NOTIFICATIONS_DAYS",
     .arg = "DAYS",
     .kind = KT_OPT_INT,
     .lo = 0,
     .hi = 36500,
     .dflt = "90",
     .group = g_retention,
     .offset = CFG(retain_days[3]),
     .help = "Notifications (meldingen), read or not, are deleted this many days after they were "
             "made; 0 keeps them."},
    {.name = "retain-events-days",
     .env = "KT_RETAIN_EVENTS_DAYS",
     .arg = "DAYS",
     .kind = KT_OPT_INT,
     .lo = 0,
     .hi = 36500,
     .dflt = "0",
     .group = g_retention,
     .offset = CFG(retain_days[4]),
     .help = "The event log (what changed when, replayed to clients that resume) is cut this "
             "many days back; a client resuming from before that takes a fresh snapshot. 0 "
             "keeps it."},
    {.name = "retain-audit-days",
     .env = "KT_RETAIN_AUDIT_DAYS",
     .arg = "DAYS",
     .kind = KT_OPT_INT,
     .lo = 0,
     .hi = 36500,
     .dflt = "0",
     .group = g_retention,
     .offset = CFG(retain_days[5]),
     .help = "The audit log (who exported or erased whose data, retention runs, ...) is cut "
             "this many days back; 0 keeps it."},

    {.name = "email",
     .arg = "ADDR",
     .kind = KT_OPT_STR,
     .group = g_admin,
     .flags = KT_OPTF_NO_FILE,
     .offset = SET(email),
     .help = "E-mail address (the login) of the new administrator."},
    {.name = "name",
     .arg = "NAME",
     .kind = KT_OPT_STR,
     .group = g_admin,
     .flags = KT_OPTF_NO_FILE,
     .offset = SET(name),
     .help = "Name of the new administrator."},
    {.name = "org",
     .arg = "NAME",
     .kind = KT_OPT_STR,
     .dflt_doc = "Functioneel beheer",
     .group = g_admin,
     .flags = KT_OPTF_NO_FILE,
     .offset = SET(org),
     .help = "Organisation of the new administrator, created when missing."},

    {.name = "now",
     .kind = KT_OPT_BOOL,
     .dflt = "no",
     .group = g_digest,
     .flags = KT_OPTF_NO_FILE,
     .offset = SET(now),
     .help = "Send also before the digest hour."},

    {.name = "test-now",
     .env = "KT_TEST_NOW",
     .arg = "INSTANT",
     .kind = KT_OPT_STR,
     .group = g_test,
     .flags = KT_OPTF_TESTING,
     .offset = SET(test_now),
     .check = instant,
     .expect = "an ISO 8601 instant with a zone",
     .help = "FOR TESTS ONLY: the server's clock starts at this instant (e.g. "
             "2027-03-28T01:30:00Z) and runs on from there; dates in the demo data follow it. "
             "Never use it in production."},

    {.name = "test-hold-rebuild",
     .env = "KT_TEST_HOLD_REBUILD",
     .arg = "FILE",
     .kind = KT_OPT_STR,
     .group = g_test,
     .flags = KT_OPTF_TESTING,
     .offset = CFG(test_hold_rebuild),
     .help = "FOR TESTS ONLY: a rebuild of the duplicate index on its own thread (after an "
             "abbreviation or region is taught) waits, its snapshot taken (FILE.held says so), "
             "until FILE exists, so that a test can show that requests are answered and changes "
             "kept meanwhile. Never use it in production."},
};

const int kt_n_options = (int)(sizeof kt_options / sizeof kt_options[0]);
static_assert(sizeof kt_options / sizeof kt_options[0] <= KT_CONF_MAX_OPTIONS,
              "KT_CONF_MAX_OPTIONS (config.h) is too small for the table");

const kt_command kt_commands[] = {
    {"serve", "[options]", "Run a server node (the default when no command is given)."},
    {"create-admin", "--email ADDR --name NAME [--org NAME] [--db PATH]",
     "Create an administrator. The password is read from stdin, or from KT_ADMIN_PASSWORD."},
    {"digest", "[--now] [options]",
     "Send the daily digest e-mails once and exit, for cron instead of the server's own "
     "schedule. Exit status 1 when a message could not be sent or no relay is set."},
    {"check-config", "[options]",
     "Check the configuration (file, environment and flags) and print the effective "
     "values with their sources, passwords masked. Exit status 2 when something is wrong."},
    {"similar-eval", "--items F --pairs F [--verbose] [--folds K]",
     "Score labelled agenda-item pairs with the server's duplicate detector; the last line "
     "is precision, recall and f1 (--folds K: grouped cross-validation first)."},
    {"copy-store", "--from PATH|URL --to PATH|URL",
     "Copy a deployment's data into an empty store (an SQLite file into PostgreSQL, say), in one "
     "transaction, then check that nothing was lost: the row count of every table and the "
     "whole event log, event by event. Exit status 1 when anything differs."},
    {"backup", "--db PATH --to FILE",
     "Back up a node's SQLite database while it runs (SQLite's online backup: one consistent "
     "moment), into FILE.part, checked with quick_check, then renamed to FILE. Exit status 1 "
     "when it failed. PostgreSQL: use pg_dump or replication."},
    {"example-config", "",
     "Print a configuration file with every setting at its default, commented out, each "
     "explained; the build installs it as the example."},
    {"manpage", "", "Print this manual page (roff); the build makes ketentafel.1 with it."},
    {"help", "", "Print the usage text (also --help)."},
};

const int kt_n_commands = (int)(sizeof kt_commands / sizeof kt_commands[0]);

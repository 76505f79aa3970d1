/* bench_detect: the detectors at national scale, through the server's own code.
 *
 * Generates a store like one year of every Dutch municipality's bodies (default: 10,000
 * bodies, 100,000 meetings, 1,000,000 agenda items, 40,000 people, each in a few bodies), then
 * measures what issue 5 names: building the similarity index at start (time and memory), checking
 * one moved meeting for conflicts (p50/p99), checking one new agenda item for duplicates
 * (p50/p99). Prints figures; it is not a test.
 *
 *   bench_detect [--bodies N] [--db PATH] [--keep]     (a generated DB is reused when it exists)
 */
#include "app.h"
#include "detect/conflicts.h"
#include "detect/detect.h"
#include "detect/similar.h"
#include "protocol/ctx.h"
#include "protocol/dispatch.h"
#include "store/store.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const subjects[] = {"woonoverlast",
                                       "hennepkwekerij",
                                       "drugsopslag",
                                       "bedrijventerrein",
                                       "vakantieparken",
                                       "jeugdcriminaliteit",
                                       "Preventie met Gezag",
                                       "schuldhulpverlening",
                                       "mensenhandel",
                                       "arbeidsuitbuiting",
                                       "witwassen",
                                       "vastgoed",
                                       "huisjesmelkers",
                                       "ondermijning",
                                       "cameratoezicht",
                                       "explosies",
                                       "drugsrunners",
                                       "zorgfraude",
                                       "criminele families",
                                       "sluiting drugspanden",
                                       "Bibob-toets",
                                       "integrale controle",
                                       "horeca",
                                       "buurtpreventie",
                                       "jongerenwerk",
                                       "straatintimidatie",
                                       "verwarde personen",
                                       "huiselijk geweld",
                                       "radicalisering",
                                       "wijkaanpak",
                                       "leefbaarheid",
                                       "portiekflats",
                                       "parkeeroverlast",
                                       "illegale bewoning",
                                       "arbeidsmigranten",
                                       "brandveiligheid",
                                       "stroomdiefstal",
                                       "onderwijsachterstanden",
                                       "armoedebeleid",
                                       "laaggeletterdheid",
                                       "werkgelegenheid",
                                       "re-integratie",
                                       "statushouders"};
static const char *const frames[] = {
    "Aanpak %s",          "Evaluatie %s",     "Voortgang %s in de wijk",
    "Plan van aanpak %s", "Signalen over %s", "Casus: %s bij bedrijfspand",
    "Voorstel %s",        "Jaarplan %s",      "Bestuurlijke rapportage %s",
    "Terugkoppeling %s"};

static int64_t rnd(int64_t n)
{
    return (int64_t)(((uint64_t)random() << 31 | (uint64_t)random()) % (uint64_t)n);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void generate(kt_store *st, int bodies)
{
    int munis = 342, orgs_per_muni = 6, persons = bodies * 4;
    int64_t now = kt_now(), year_start = now - 182 * 86400;
    int64_t t0 = kt_mono_ns();
    kt_store_exec(st, "BEGIN");
    sqlite3_stmt *s;
    char name[128];
    s = kt_store_stmt(st, "INSERT INTO scopes(name, kind) VALUES (?1, 'gemeente')");
    for (int m = 0; m < munis; m++) {
        snprintf(name, sizeof name, "Gemeente%03d", m);
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_step(s);
    }
    s = kt_store_stmt(st, "INSERT INTO organisations(name, kind, scope_id, created_at, "
                          "updated_at) VALUES (?1, 'gemeente', ?2, 0, 0)");
    for (int o = 0; o < munis * orgs_per_muni; o++) {
        snprintf(name, sizeof name, "Organisatie %d", o);
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, o / orgs_per_muni + 1);
        sqlite3_step(s);
    }
    s = kt_store_stmt(st, "INSERT INTO persons(org_id, name, email, created_at, updated_at) "
                          "VALUES (?1, ?2, ?3, 0, 0)");
    for (int p = 0; p < persons; p++) {
        snprintf(name, sizeof name, "persoon%d@bench.example", p);
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, rnd(munis * orgs_per_muni) + 1);
        sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, name, -1, SQLITE_TRANSIENT);
        sqlite3_step(s);
    }
    sqlite3_stmt *b = kt_store_stmt(st, "INSERT INTO bodies(name, kind, scope_id, level, cadence, "
                                        "mandate, location, created_at, updated_at) VALUES (?1, "
                                        "'werkgroep', ?2, 'tactisch', 'P1M', ?3, ?4, 0, 0)");
    sqlite3_stmt *mb = kt_store_stmt(st, "INSERT OR IGNORE INTO memberships(body_id, person_id, "
                                         "role, created_at) VALUES (?1, ?2, ?3, 0)");
    sqlite3_stmt *mt = kt_store_stmt(st, "INSERT INTO meetings(body_id, starts_at, ends_at, "
                                         "location, status, created_at, updated_at) VALUES (?1, "
                                         "?2, ?3, ?4, 'concept', 0, 0)");
    sqlite3_stmt *it = kt_store_stmt(st, "INSERT INTO items(body_id, meeting_id, position, "
                                         "title, description, kind, created_at, updated_at) "
                                         "VALUES (?1, ?2, ?3, ?4, ?5, 'bespreking', 0, 0)");
    for (int i = 0; i < bodies; i++) {
        int muni = i % munis;
        /* people of the municipality's bodies overlap: draw from a local pool */
        int pool = persons / munis, base = muni * pool;
        snprintf(name, sizeof name, "Overleg %d", i);
        char loc[64];
        snprintf(loc, sizeof loc, "Stadhuis %d zaal %d", muni, (int)rnd(4));
        sqlite3_reset(b);
        sqlite3_bind_text(b, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(b, 2, muni + 1);
        sqlite3_bind_text(b, 3, subjects[rnd(sizeof subjects / sizeof *subjects)], -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(b, 4, loc, -1, SQLITE_TRANSIENT);
        sqlite3_step(b);
        int64_t body = sqlite3_last_insert_rowid(kt_store_db(st));
        for (int k = 0; k < 12; k++) {
            sqlite3_reset(mb);
            sqlite3_bind_int64(mb, 1, body);
            sqlite3_bind_int64(mb, 2, base + rnd(pool) + 1);
            sqlite3_bind_text(mb, 3,
                              k == 0   ? "voorzitter"
                              : k == 1 ? "secretaris"
                                       : "lid",
                              -1, SQLITE_STATIC);
            sqlite3_step(mb);
        }
        for (int k = 0; k < 10; k++) {
            int64_t start = year_start + (int64_t)k * 36 * 86400 + rnd(20) * 86400 +
                            (8 + rnd(9)) * 3600 + rnd(4) * 900;
            sqlite3_reset(mt);
            sqlite3_bind_int64(mt, 1, body);
            sqlite3_bind_int64(mt, 2, start);
            sqlite3_bind_int64(mt, 3, start + (1 + rnd(3)) * 3600);
            sqlite3_bind_text(mt, 4, loc, -1, SQLITE_TRANSIENT);
            sqlite3_step(mt);
            int64_t meeting = sqlite3_last_insert_rowid(kt_store_db(st));
            for (int j = 0; j < 10; j++) {
                char title[160], desc[240];
                snprintf(title, sizeof title, frames[rnd(sizeof frames / sizeof *frames)],
                         subjects[rnd(sizeof subjects / sizeof *subjects)]);
                snprintf(desc, sizeof desc, "Toelichting over %s en %s in buurt %d.",
                         subjects[rnd(sizeof subjects / sizeof *subjects)],
                         subjects[rnd(sizeof subjects / sizeof *subjects)], (int)rnd(40));
                sqlite3_reset(it);
                sqlite3_bind_int64(it, 1, body);
                sqlite3_bind_int64(it, 2, meeting);
                sqlite3_bind_int64(it, 3, j + 1);
                sqlite3_bind_text(it, 4, title, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(it, 5, desc, -1, SQLITE_TRANSIENT);
                sqlite3_step(it);
            }
        }
    }
    kt_store_exec(st, "COMMIT");
    printf("generated: bodies=%d meetings=%d items=%d persons=%d in %.1f s\n", bodies, bodies * 10,
           bodies * 100, persons, (double)(kt_mono_ns() - t0) / 1e9);
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6))
            v = atol(line + 6);
    if (f)
        fclose(f);
    return v;
}

static void report(const char *what, int64_t *ns, int n, const char *goal)
{
    qsort(ns, (size_t)n, sizeof *ns, cmp_i64);
    printf("%-34s p50=%.3f ms p99=%.3f ms max=%.3f ms (n=%d)  goal: %s\n", what,
           (double)ns[n / 2] / 1e6, (double)ns[(n * 99) / 100] / 1e6, (double)ns[n - 1] / 1e6, n,
           goal);
}

int main(int argc, char **argv)
{
    int bodies = 10000;
    const char *path = "/tmp/kt-bench-detect.db";
    bool skip_index = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--bodies") && i + 1 < argc)
            bodies = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--db") && i + 1 < argc)
            path = argv[++i];
        else if (!strcmp(argv[i], "--conflicts-only"))
            skip_index = true;
    }
    setenv("TZ", "UTC", 1);
    srandom(42);
    bool fresh = access(path, F_OK) != 0;
    kt_store_options o = {.path = path, .sync_full = false};
    kt_app app = {0};
    app.cfg.travel_buffer_min = 15;
    if (kt_store_open(&o, &app.store)) {
        fprintf(stderr, "cannot open %s\n", path);
        return 1;
    }
    if (fresh)
        generate(app.store, bodies);
    long rss0 = rss_kb();
    int64_t t0 = kt_mono_ns();
    if (!skip_index) {
        app.detect = kt_detect_new(&app);
        double build_s = (double)(kt_mono_ns() - t0) / 1e9;
        printf("similarity index build: %.2f s, RSS +%ld MiB   goal: <= 2 s\n", build_s,
               (rss_kb() - rss0) / 1024);
    }

    kt_principal sys = {0};
    int n = 1000;
    int64_t *ns = calloc((size_t)n, sizeof *ns);
    /* conflicts: the check a moved meeting triggers */
    int64_t max_meeting = 0;
    sqlite3_stmt *s = kt_store_stmt(app.store, "SELECT max(id) FROM meetings");
    if (sqlite3_step(s) == SQLITE_ROW)
        max_meeting = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    /* Two passes over the same meetings: the first finds the pages cold (a freshly started
     * node), the second as a running node has them. */
    int64_t *picks = calloc((size_t)n, sizeof *picks);
    for (int i = 0; i < n; i++)
        picks[i] = rnd(max_meeting) + 1;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < n; i++) {
            kt_ctx c;
            kt_ctx_init(&c, &app, &sys, NULL);
            kt_store_begin(app.store);
            int64_t t = kt_mono_ns();
            kt_conflicts_check(&c, picks[i], 15 * 60);
            ns[i] = kt_mono_ns() - t;
            if (ns[i] > 5000000 && pass == 1)
                fprintf(stderr, "slow: meeting %lld %.1f ms, %d events\n", (long long)picks[i],
                        (double)ns[i] / 1e6, c.n_events);
            kt_store_rollback(app.store);
            kt_ctx_clear(&c);
        }
        report(pass ? "conflict check, warm pages" : "conflict check, cold pages", ns, n,
               "p99 <= 1 ms");
    }
    free(picks);
    if (skip_index) {
        free(ns);
        kt_store_close(app.store);
        return 0;
    }
    /* duplicates: find for one item (the index query the write path makes) */
    s = kt_store_stmt(app.store, "SELECT max(id) FROM items");
    int64_t max_item = 0;
    if (sqlite3_step(s) == SQLITE_ROW)
        max_item = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    kt_similar *sim = kt_detect_similar(app.detect);
    kt_similar_hit hits[20];
    int found = 0;
    for (int i = 0; i < n; i++) {
        int64_t item = rnd(max_item) + 1, t = kt_mono_ns();
        int k = kt_similar_find(sim, item, KT_SIM_WINDOW_DAYS, hits, 20);
        ns[i] = kt_mono_ns() - t;
        found += k > 0 ? k : 0;
    }
    report("duplicate check of one item", ns, n, "p99 <= 1 ms");
    printf("  (%.1f findings per item on generated text; bench_similar has realistic text)\n",
           (double)found / n);

    /* The overlap map and "waar hoort dit thuis?", through the ops as a client calls them. */
    kt_principal someone = {.person = 1, .org = 1, .expires_at = kt_now() + 3600};
    json_t *req = json_pack("{s:i, s:s, s:i}", "id", 1, "op", "overlap.map", "limit", 200);
    long rss_map0 = rss_kb();
    int64_t t = kt_mono_ns();
    json_t *reply = kt_dispatch(&app, &someone, NULL, req);
    double map_s = (double)(kt_mono_ns() - t) / 1e9;
    json_t *result = json_object_get(reply, "result");
    printf("overlap map, all pairs (first call, profiles built): %.2f s, RSS +%ld MiB, %zu pairs "
           "listed   goal: <= 10 s\n",
           map_s, (rss_kb() - rss_map0) / 1024, json_array_size(json_object_get(result, "pairs")));
    if (!json_is_true(json_object_get(reply, "ok")))
        printf("  error: %s\n", json_dumps(reply, 0));
    json_decref(reply);
    t = kt_mono_ns();
    reply = kt_dispatch(&app, &someone, NULL, req);
    printf("overlap map again (profiles reused): %.2f s\n", (double)(kt_mono_ns() - t) / 1e9);
    json_decref(reply);
    json_decref(req);
    for (int i = 0; i < 200; i++) {
        char text[200];
        snprintf(text, sizeof text, "%s en %s", subjects[rnd(sizeof subjects / sizeof *subjects)],
                 subjects[rnd(sizeof subjects / sizeof *subjects)]);
        req =
            json_pack("{s:i, s:s, s:s, s:n}", "id", 1, "op", "body.suggest", "text", text, "scope");
        t = kt_mono_ns();
        reply = kt_dispatch(&app, &someone, NULL, req);
        ns[i] = kt_mono_ns() - t;
        json_decref(reply);
        json_decref(req);
    }
    report("waar hoort dit thuis (body.suggest)", ns, 200, "interactive");
    free(ns);
    kt_detect_free(app.detect);
    kt_store_close(app.store);
    return 0;
}

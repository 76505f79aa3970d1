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
#include "store/bodies.h"
#include "store/directory.h"
#include "store/items.h"
#include "store/meetings.h"
#include "store/memberships.h"
#include "store/store.h"
#include "util/err.h"
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
    int64_t *scope = calloc((size_t)munis, sizeof *scope);
    int64_t *org = calloc((size_t)(munis * orgs_per_muni), sizeof *org);
    int64_t *person = calloc((size_t)persons, sizeof *person);
    char name[128];
    int failed = 0;
    kt_store_begin(st);
    for (int m = 0; m < munis; m++) {
        snprintf(name, sizeof name, "Gemeente%03d", m);
        failed += kt_store_scope_insert(st, name, "gemeente", &scope[m]) != 0;
    }
    for (int o = 0; o < munis * orgs_per_muni; o++) {
        snprintf(name, sizeof name, "Organisatie %d", o);
        failed +=
            kt_store_org_insert(st, name, "gemeente", scope[o / orgs_per_muni], 0, &org[o]) != 0;
    }
    for (int p = 0; p < persons; p++) {
        snprintf(name, sizeof name, "persoon%d@bench.example", p);
        kt_person_fields f = {
            .name = name, .email = name, .org = org[rnd(munis * orgs_per_muni)], .active = 1};
        failed += kt_store_person_insert(st, &f, 0, &person[p]) != 0;
    }
    for (int i = 0; i < bodies; i++) {
        int muni = i % munis;
        /* people of the municipality's bodies overlap: draw from a local pool */
        int pool = persons / munis, base = muni * pool;
        char loc[64];
        snprintf(name, sizeof name, "Overleg %d", i);
        snprintf(loc, sizeof loc, "Stadhuis %d zaal %d", muni, (int)rnd(4));
        kt_body_fields bf = {.name = name,
                             .kind = "werkgroep",
                             .level = "tactisch",
                             .cadence = "P1M",
                             .mandate = subjects[rnd(sizeof subjects / sizeof *subjects)],
                             .location = loc,
                             .scope = scope[muni]};
        int64_t body = 0;
        failed += kt_store_body_insert(st, &bf, 0, &body) != 0;
        for (int k = 0; k < 12; k++) {
            int rc = kt_store_membership_insert(st, body, person[base + rnd(pool)],
                                                k == 0   ? "voorzitter"
                                                : k == 1 ? "secretaris"
                                                         : "lid",
                                                0, NULL, 0);
            failed += rc != 0 && rc != KT_ECONFLICT; /* a person drawn twice */
        }
        for (int k = 0; k < 10; k++) {
            int64_t start = year_start + (int64_t)k * 36 * 86400 + rnd(20) * 86400 +
                            (8 + rnd(9)) * 3600 + rnd(4) * 900,
                    meeting = 0;
            failed += kt_store_meeting_insert(st, body, start, start + (1 + rnd(3)) * 3600, loc,
                                              NULL, 0, &meeting) != 0;
            for (int j = 0; j < 10; j++) {
                char title[160], desc[240];
                snprintf(title, sizeof title, frames[rnd(sizeof frames / sizeof *frames)],
                         subjects[rnd(sizeof subjects / sizeof *subjects)]);
                snprintf(desc, sizeof desc, "Toelichting over %s en %s in buurt %d.",
                         subjects[rnd(sizeof subjects / sizeof *subjects)],
                         subjects[rnd(sizeof subjects / sizeof *subjects)], (int)rnd(40));
                kt_item_fields itf = {.body = body,
                                      .meeting = meeting,
                                      .position = j + 1,
                                      .title = title,
                                      .description = desc,
                                      .duration = -1,
                                      .recurring = -1,
                                      .confidential = -1};
                int64_t id;
                failed += kt_store_item_insert(st, &itf, 0, &id) != 0;
            }
        }
    }
    failed += kt_store_commit(st) != 0;
    free(scope);
    free(org);
    free(person);
    printf("generated: bodies=%d meetings=%d items=%d persons=%d in %.1f s%s\n", bodies,
           bodies * 10, bodies * 100, persons, (double)(kt_mono_ns() - t0) / 1e9,
           failed ? " (with store errors)" : "");
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
    kt_store_meeting_last_id(app.store, &max_meeting);
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
    int64_t max_item = 0;
    kt_store_item_last_id(app.store, &max_item);
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

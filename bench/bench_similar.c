/* bench_similar: the duplicate detector and the body profiles at the scale of a national
 * deployment. Generates ~1M synthetic Dutch agenda items over ~10,000 bodies, indexes them as
 * the server does at start, and prints the build time, the memory held, the latency of
 * kt_similar_find for random items, then builds the body profiles (profiles.h) and prints the
 * latency of kt_profiles_rank for short texts and the time and memory of the full overlap map
 * (kt_profiles_pairs). It prints figures; it is not a test.
 *
 *   bench_similar [--items N] [--bodies N] [--queries N] [--lexicon FILE] [--seed N]
 *                 [--min-score X]   (the overlap map's threshold, default 0.2)
 *                 [--set name=value] (a scoring constant, as similar-eval --set)
 *                 [--profiles 0]     (the index and find only)
 *                 [--bulk 0]         (put item by item, not as one bulk load as the server
 *                                     does at start: kt_similar_bulk_begin)
 *                 [--reserve 0]      (no kt_similar_reserve for the items before the puts,
 *                                     which the server's build from the store does)
 *                 [--check 1]        (after the timed queries: each query again with find's
 *                                     reference path, kt_similar_set "find_plain"; prints
 *                                     how many differ, and fails when any does)
 *
 * Besides the figures it prints a digest of the index (kt_similar_digest) and of the find
 * results (ids, scores, explanations): a change that must not change what the index holds or
 * answers (a faster build, a faster find) keeps both; compare them before and after.
 *
 * Items are composed, not repeated: a subject (Zipf-distributed over a few thousand nouns and
 * compounds of them), agenda phrasing ("Voortgang", "Evaluatie", "plan van aanpak"), a
 * neighbourhood or partner, a description drawn from the same vocabularies, ~8% procedural
 * items and ~5% backlog items. Each body has a scope (a municipality or a region) and a few
 * favourite subjects, so related items cluster the way real agendas do. */
#define _POSIX_C_SOURCE 200809L

#include "detect/profiles.h"
#include "detect/similar.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const char *const nouns[] = {
    "woning",
    "sluiting",
    "drugs",
    "jeugd",
    "school",
    "veiligheid",
    "overlast",
    "armoede",
    "schulden",
    "zorg",
    "werk",
    "inkomen",
    "handhaving",
    "controle",
    "vergunning",
    "horeca",
    "prostitutie",
    "mensenhandel",
    "uitbuiting",
    "ondermijning",
    "criminaliteit",
    "geweld",
    "wapen",
    "explosie",
    "aanslag",
    "camera",
    "toezicht",
    "boete",
    "dwangsom",
    "huurder",
    "verhuurder",
    "corporatie",
    "wijkteam",
    "jongerenwerk",
    "leerplicht",
    "verzuim",
    "stage",
    "opleiding",
    "taal",
    "bibliotheek",
    "gezondheid",
    "sport",
    "vastgoed",
    "grond",
    "bedrijf",
    "terrein",
    "haven",
    "winkel",
    "markt",
    "verkeer",
    "fiets",
    "parkeren",
    "energie",
    "warmte",
    "klimaat",
    "groen",
    "water",
    "afval",
    "riolering",
    "straat",
    "gezin",
    "kind",
    "ouder",
    "mantelzorg",
    "dementie",
    "eenzaamheid",
    "vluchteling",
    "statushouder",
    "inburgering",
    "asiel",
    "opvang",
    "dakloosheid",
    "verslaving",
    "psychiatrie",
    "crisis",
    "melding",
    "signaal",
    "privacy",
    "convenant",
    "informatie",
    "subsidie",
    "begroting",
    "inkoop",
    "aanbesteding",
    "fraude",
    "integriteit",
    "bestuur",
    "participatie",
    "bewoner",
    "buurt",
    "evenement",
    "festival",
    "carnaval",
    "jaarwisseling",
    "vuurwerk",
    "brand",
    "crisisnoodverordening",
    "noodbevel",
    "cameratoezicht",
    "drugshandel",
    "hennepteelt",
    "witwassen",
    "zorgfraude",
    "arbeidsmigrant",
    "huisvesting",
    "kamerverhuur",
    "leegstand",
    "nieuwbouw",
    "renovatie",
    "laadpaal",
    "deelmobiliteit",
};
#define NNOUNS (sizeof nouns / sizeof nouns[0])

static const char *const heads[] = {
    "Voortgang",    "Evaluatie",      "Stand van zaken", "Plan van aanpak", "Aanpak",
    "Voorstel",     "Bespreking",     "Uitvoering",      "Rapportage",      "Vaststelling",
    "Actualisatie", "Toelichting op", "Terugkoppeling",  "Concept",         "Update",
    "Jaarplan",     "Pilot",          "Monitor",         "Verkenning",      "Besluit over",
};
#define NHEADS (sizeof heads / sizeof heads[0])

static const char *const linkers[] = {"en", "bij", "in", "rond", "voor", "van", "met", "tegen"};
static const char *const partners[] = {
    "politie",      "OM",
    "RIEC",         "GGD",
    "Veilig Thuis", "woningcorporatie",
    "UWV",          "Belastingdienst",
    "jongerenwerk", "boa's",
    "wijkagent",    "leerplichtambtenaar",
};
static const char *const verbs[] = {
    "bespreken", "afstemmen", "vaststellen", "evalueren",  "signaleren", "aanpakken",
    "voorkomen", "melden",    "organiseren", "versterken", "monitoren",  "delen",
};
static const char *const procedural[] = {
    "Opening en mededelingen",
    "Verslag vorige vergadering",
    "Rondvraag",
    "Sluiting",
    "Vaststellen agenda",
    "Actielijst",
    "Wat verder ter tafel komt",
};
static const char *const municipalities[] = {
    "Dordrecht",  "Rotterdam", "Schiedam",   "Tilburg",     "Breda",     "Eindhoven",
    "Utrecht",    "Amsterdam", "Den Haag",   "Groningen",   "Zwolle",    "Arnhem",
    "Nijmegen",   "Leiden",    "Delft",      "Gouda",       "Haarlem",   "Alkmaar",
    "Almere",     "Lelystad",  "Enschede",   "Deventer",    "Apeldoorn", "Venlo",
    "Maastricht", "Heerlen",   "Middelburg", "Vlissingen",  "Emmen",     "Assen",
    "Leeuwarden", "Sneek",     "Helmond",    "Oss",         "Zaanstad",  "Hilversum",
    "Amersfoort", "Ede",       "Zoetermeer", "Vlaardingen",
};
#define NMUNIS (sizeof municipalities / sizeof municipalities[0])
static const char *const regions[] = {
    "Zuid-Holland Zuid", "Regio Rotterdam", "Drechtsteden",     "Haaglanden",     "Twente",
    "RIEC Limburg",      "Regio Utrecht",   "Hart van Brabant", "Regio Onbekend",
};
#define NREGIONS (sizeof regions / sizeof regions[0])

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13; /* xorshift64: fast and reproducible */
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t pick(size_t n)
{
    return (size_t)(rnd() % n);
}

/* Zipf-like choice of one of n subjects: a few are everywhere, most are rare. */
static size_t zipf(size_t n)
{
    double u = (double)(rnd() >> 11) / (double)(1ull << 53);
    return (size_t)(pow((double)n, u)) - 1;
}

/* A subject: a noun, or a compound of two ("woningsluiting", "jeugdoverlast"). */
static void subject(char *out, size_t n, size_t id)
{
    size_t a = id % NNOUNS, b = (id / NNOUNS) % (NNOUNS + 1);
    if (b == NNOUNS || b == a)
        snprintf(out, n, "%s", nouns[a]);
    else
        snprintf(out, n, "%s%s", nouns[a], nouns[b]);
}

#define NSUBJECTS (NNOUNS * (NNOUNS + 1))

typedef struct body {
    const char *scope;
    size_t fav[3]; /* favourite subjects */
    char place[24];
} body;

static void neighbourhood(char *out, size_t n)
{
    static const char *const a[] = {"Wiel", "Krab", "Noord", "Oud",   "Nieuw", "Sterren",
                                    "Hoog", "Zuid", "Oost",  "Bloem", "Molen", "Kerk"};
    static const char *const b[] = {"wijk",     "hof",  "burg",   "veld",  "dorp",
                                    "kwartier", "land", "polder", "haven", "park"};
    snprintf(out, n, "%s%s", a[pick(12)], b[pick(10)]);
}

static void make_item(const body *bd, char *title, size_t tn, char *desc, size_t dn)
{
    char s1[64], s2[64];
    if (pick(100) < 8) {
        snprintf(title, tn, "%s", procedural[pick(sizeof procedural / sizeof *procedural)]);
        desc[0] = 0;
        return;
    }
    size_t subj = pick(3) ? bd->fav[pick(3)] : zipf(NSUBJECTS);
    subject(s1, sizeof s1, subj);
    subject(s2, sizeof s2, zipf(NSUBJECTS));
    switch (pick(4)) {
    case 0:
        snprintf(title, tn, "%s %s", heads[pick(NHEADS)], s1);
        break;
    case 1:
        snprintf(title, tn, "%s %s %s %s", heads[pick(NHEADS)], s1, linkers[pick(8)], s2);
        break;
    case 2:
        snprintf(title, tn, "%s %s %s", s1, linkers[pick(8)], bd->place);
        break;
    default:
        snprintf(title, tn, "%s %s: %s", s1, s2, heads[pick(NHEADS)]);
        break;
    }
    title[0] = (char)(title[0] >= 'a' && title[0] <= 'z' ? title[0] - 32 : title[0]);
    if (pick(100) < 30) {
        desc[0] = 0;
        return;
    }
    char s3[64];
    subject(s3, sizeof s3, zipf(NSUBJECTS));
    snprintf(desc, dn, "Met %s en %s de %s %s in %s; %s %s %d.", partners[pick(12)],
             partners[pick(12)], s1, verbs[pick(12)], bd->place, heads[pick(NHEADS)], s3,
             2024 + (int)pick(3));
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process: steadier than the wall clock when other work shares the cores. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Minor page faults and system CPU time so far: first touches of fresh memory are part of a
 * build's cost, and in a virtual machine a large one. */
static void faults_sys(long *minflt, double *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *minflt = ru.ru_minflt;
    *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6))
            kib = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kib;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* What a find answered, for comparing two runs or two paths. */
static uint64_t hits_digest(uint64_t h, const kt_similar_hit *hits, int n)
{
    h = fnv(h, &n, sizeof n);
    for (int i = 0; i < n; i++) {
        h = fnv(h, &hits[i].item_id, sizeof hits[i].item_id);
        h = fnv(h, &hits[i].body_id, sizeof hits[i].body_id);
        h = fnv(h, &hits[i].score, sizeof hits[i].score);
        h = fnv(h, hits[i].shared, strlen(hits[i].shared));
        h = fnv(h, hits[i].subject, strlen(hits[i].subject));
    }
    return h;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A short text as people type it into "waar hoort dit thuis?": a subject, a subject and a
 * place, a few subjects, an abbreviation, or a signal in a sentence. */
static void short_text(const body *bd, char *out, size_t n)
{
    static const char *const abbrevs[] = {"PmG", "RIEC", "Bibob", "13b", "Wmo", "APV"};
    char s1[64], s2[64];
    subject(s1, sizeof s1, zipf(NSUBJECTS));
    subject(s2, sizeof s2, zipf(NSUBJECTS));
    switch (pick(5)) {
    case 0:
        snprintf(out, n, "%s", s1);
        break;
    case 1:
        snprintf(out, n, "%s in %s", s1, bd->place);
        break;
    case 2:
        snprintf(out, n, "%s en %s", s1, s2);
        break;
    case 3:
        snprintf(out, n, "%s", abbrevs[pick(sizeof abbrevs / sizeof *abbrevs)]);
        break;
    default:
        snprintf(out, n, "Signalen van %s bij %s in %s: wie pakt dit op?", s1, s2, bd->place);
        break;
    }
}

/* Body profiles: names and mandates, the build, rankings of short texts, the overlap map. */
static int bench_profiles(kt_similar *s, const body *bodies, size_t nbodies, size_t nqueries,
                          double min_score)
{
    kt_profiles *p = kt_profiles_new(s);
    if (!p)
        return 1;
    long rss0 = rss_kib();
    double c0 = cpu_s(), t0 = now_s();
    for (size_t b = 0; b < nbodies; b++) {
        char name[128], mandate[400], f[3][64];
        for (int k = 0; k < 3; k++)
            subject(f[k], sizeof f[k], bodies[b].fav[k]);
        snprintf(name, sizeof name, "Werkgroep %s %s", f[0], bodies[b].place);
        snprintf(mandate, sizeof mandate,
                 "De werkgroep stemt de aanpak van %s, %s en %s in %s af tussen gemeente, "
                 "politie en partners, en besluit over de inzet.",
                 f[0], f[1], f[2], bodies[b].place);
        if (kt_profiles_set_body(p, (int64_t)b + 1, bodies[b].scope, name, mandate))
            return 1;
    }
    printf("profiles: %zu names and mandates in %.3f s\n", nbodies, now_s() - t0);
    c0 = cpu_s();
    t0 = now_s();
    int rc = kt_profiles_build(p, 19700 + 730 - KT_PROF_PERIOD_DAYS);
    double t_build = now_s() - t0, c_build = cpu_s() - c0;
    long rss1 = rss_kib();
    if (rc) {
        fprintf(stderr, "bench_similar: profile build failed (%d)\n", rc);
        return 1;
    }
    printf("profiles: build of %zu bodies (last 365 days) in %.3f s wall, %.3f s CPU; RSS +%ld "
           "MiB, own count %.0f MiB\n",
           kt_profiles_count(p), t_build, c_build, (rss1 - rss0) / 1024,
           (double)kt_profiles_memory(p) / (1 << 20));

    double *lat = calloc(nqueries ? nqueries : 1, sizeof *lat);
    double *lat_cpu = calloc(nqueries ? nqueries : 1, sizeof *lat_cpu);
    if (!lat || !lat_cpu)
        return 1;
    kt_body_rank r[10];
    size_t found = 0;
    double cq0 = cpu_s();
    for (size_t q = 0; q < nqueries; q++) {
        char text[200];
        const body *bd = &bodies[pick(nbodies)];
        short_text(bd, text, sizeof text);
        bool scoped = pick(2);
        double cpu0 = cpu_s();
        t0 = now_s();
        int n = kt_profiles_rank(p, text, scoped ? bd->scope : NULL, r, 10);
        lat[q] = (now_s() - t0) * 1e6;
        lat_cpu[q] = (cpu_s() - cpu0) * 1e6;
        found += n > 0 ? (size_t)n : 0;
        if (q < 3 && n > 0)
            printf("  rank \"%s\"%s%s: %d bodies, best %.2f (mandate %.2f, agenda %.2f) "
                   "\"%s\" / \"%s\", %u items\n",
                   text, scoped ? " in " : "", scoped ? bd->scope : "", n, r[0].score, r[0].mandate,
                   r[0].agenda, r[0].mandate_words, r[0].agenda_words, r[0].matching_items);
    }
    double cq = cpu_s() - cq0;
    if (nqueries) {
        qsort(lat, nqueries, sizeof *lat, cmp_double);
        qsort(lat_cpu, nqueries, sizeof *lat_cpu, cmp_double);
        printf("rank: %zu short texts, wall p50 %.0f us, p99 %.0f us, max %.0f us; CPU p50 %.0f "
               "us, p99 %.0f us, mean %.0f us; %.1f bodies a text\n",
               nqueries, lat[nqueries / 2], lat[(nqueries * 99) / 100], lat[nqueries - 1],
               lat_cpu[nqueries / 2], lat_cpu[(nqueries * 99) / 100], cq * 1e6 / (double)nqueries,
               (double)found / (double)nqueries);
    }
    free(lat);
    free(lat_cpu);

    kt_body_pair *pairs = NULL;
    size_t npairs = 0;
    long rss2 = rss_kib();
    c0 = cpu_s();
    t0 = now_s();
    rc = kt_profiles_pairs(p, min_score, &pairs, &npairs);
    double t_pairs = now_s() - t0, c_pairs = cpu_s() - c0;
    long rss3 = rss_kib();
    if (rc) {
        fprintf(stderr, "bench_similar: pairs failed (%d)\n", rc);
        return 1;
    }
    printf("pairs: %zu pairs with cosine >= %.2f in %.3f s wall, %.3f s CPU; result %.1f MiB, "
           "RSS +%ld MiB\n",
           npairs, min_score, t_pairs, c_pairs, (double)(npairs * sizeof *pairs) / (1 << 20),
           (rss3 - rss2) / 1024);
    for (size_t i = 0; i < 3 && i < npairs; i++)
        printf("  body %lld ~ body %lld: %.2f (%s)\n", (long long)pairs[i].a, (long long)pairs[i].b,
               pairs[i].score, pairs[i].shared);
    printf("profiles + pairs: build and map together %.3f s wall, %.3f s CPU\n", t_build + t_pairs,
           c_build + c_pairs);
    free(pairs);
    kt_profiles_free(p);
    return 0;
}

int main(int argc, char **argv)
{
    size_t nitems = 1000000, nbodies = 10000, nqueries = 1000;
    double min_score = 0.2;
    bool no_vocabulary = false, profiles = true, check = false, bulk = true, reserve = true;
    const char *one_scope = NULL, *set = NULL;
    int32_t ndays = 730;
    const char *lexicon = KT_SIM_DEFAULT_LEXICON;
    rng_state = 0x9E3779B97F4A7C15ull;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--items"))
            nitems = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--bodies"))
            nbodies = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--queries"))
            nqueries = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--lexicon"))
            lexicon = argv[i + 1];
        else if (!strcmp(argv[i], "--seed"))
            rng_state = strtoull(argv[i + 1], NULL, 10) | 1;
        else if (!strcmp(argv[i], "--min-score"))
            min_score = strtod(argv[i + 1], NULL);
        else if (!strcmp(argv[i], "--vocabulary")) /* none: without the built-in one */
            no_vocabulary = !strcmp(argv[i + 1], "none");
        else if (!strcmp(argv[i], "--scope")) /* every body in one scope (a region's bodies) */
            one_scope = argv[i + 1];
        else if (!strcmp(argv[i], "--days")) /* dates spread over this many days */
            ndays = (int32_t)strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--set")) /* name=value: a scoring constant (similar.c) */
            set = argv[i + 1];
        else if (!strcmp(argv[i], "--profiles")) /* 0: the index and find only */
            profiles = strtol(argv[i + 1], NULL, 10) != 0;
        else if (!strcmp(argv[i], "--check")) /* 1: find's fast path against its reference */
            check = strtol(argv[i + 1], NULL, 10) != 0;
        else if (!strcmp(argv[i], "--bulk")) /* 0: item by item, not as one bulk load */
            bulk = strtol(argv[i + 1], NULL, 10) != 0;
        else if (!strcmp(argv[i], "--reserve")) /* 0: the arrays grow as the items come */
            reserve = strtol(argv[i + 1], NULL, 10) != 0;
    }
    if (!nitems || !nbodies) {
        fprintf(stderr, "bench_similar: --items and --bodies must be positive\n");
        return 2;
    }
    body *bodies = calloc(nbodies, sizeof *bodies);
    kt_similar *s = kt_similar_new();
    if (!bodies || !s) {
        fprintf(stderr, "bench_similar: out of memory\n");
        return 1;
    }
    for (size_t b = 0; b < nbodies; b++) {
        bodies[b].scope = one_scope  ? one_scope
                          : pick(10) ? municipalities[pick(NMUNIS)]
                                     : regions[pick(NREGIONS)];
        for (int k = 0; k < 3; k++)
            bodies[b].fav[k] = zipf(NSUBJECTS);
        neighbourhood(bodies[b].place, sizeof bodies[b].place);
    }
    long rss0 = rss_kib();
    double t0 = now_s();
    int rc = kt_similar_load_lexicon(s, lexicon);
    double t_lex = now_s() - t0;
    long rss_lex = rss_kib();
    printf("lexicon: %s (%s) in %.3f s, RSS +%ld MiB\n", lexicon, rc ? "NOT loaded" : "loaded",
           t_lex, (rss_lex - rss0) / 1024);
    t0 = now_s();
    rc = no_vocabulary ? 0 : kt_similar_load_default_vocabulary(s); /* as the server does */
    printf("vocabulary: %zu groups (%s) in %.3f s\n", kt_similar_vocabulary_groups(s),
           rc ? "NOT loaded" : "built in", now_s() - t0);
    char name[32];
    double value;
    if (set &&
        (sscanf(set, "%31[a-z_]=%lf", name, &value) != 2 || kt_similar_set(s, name, value))) {
        fprintf(stderr, "bench_similar: --set: cannot set \"%s\"\n", set);
        return 2;
    }

    /* Generate first, so that the build time is the index's alone. */
    typedef struct gen {
        char *title, *desc;
        int64_t body;
        int32_t day;
    } gen;
    gen *items = calloc(nitems, sizeof *items);
    if (!items)
        return 1;
    size_t chars = 0;
    for (size_t i = 0; i < nitems; i++) {
        char title[160], desc[400];
        size_t b = pick(nbodies);
        make_item(&bodies[b], title, sizeof title, desc, sizeof desc);
        items[i].title = strdup(title);
        items[i].desc = strdup(desc);
        items[i].body = (int64_t)b + 1;
        items[i].day = pick(100) < 5 ? KT_SIM_NO_DATE : 19700 + (int32_t)pick((uint64_t)ndays);
        chars += strlen(title) + strlen(desc);
        if (!items[i].title || !items[i].desc)
            return 1;
    }
    printf("generated %zu items over %zu bodies (%.0f chars an item), e.g.:\n", nitems, nbodies,
           (double)chars / (double)nitems);
    for (size_t i = 0; i < 4 && i < nitems; i++)
        printf("  [%s] %s | %s\n", bodies[items[i].body - 1].scope, items[i].title, items[i].desc);

    long rss1 = rss_kib(), flt0;
    double sys0;
    faults_sys(&flt0, &sys0);
    double c0 = cpu_s();
    t0 = now_s();
    if (bulk) /* as the server builds its index from the store */
        kt_similar_bulk_begin(s);
    if (reserve && kt_similar_reserve(s, nitems)) { /* ... knowing the number of items */
        fprintf(stderr, "bench_similar: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < nitems; i++) {
        if (kt_similar_put(s, (int64_t)i + 1, items[i].body, bodies[items[i].body - 1].scope,
                           items[i].day, items[i].title, items[i].desc)) {
            fprintf(stderr, "bench_similar: put failed at %zu\n", i);
            return 1;
        }
    }
    double c_end = cpu_s();
    if (bulk && kt_similar_bulk_end(s)) {
        fprintf(stderr, "bench_similar: out of memory\n");
        return 1;
    }
    double t_build = now_s() - t0, c_build = cpu_s() - c0, sys1;
    long rss2 = rss_kib(), flt1;
    faults_sys(&flt1, &sys1);
    printf("build: %zu items in %.3f s wall, %.3f s CPU (%.2f us CPU an item)\n", nitems, t_build,
           c_build, c_build * 1e6 / (double)nitems);
    printf("build: %.3f s of the CPU in the kernel, %ld minor page faults; %.3f s CPU posting "
           "the lists at the end (bulk_end)\n",
           sys1 - sys0, flt1 - flt0, c_build - (c_end - c0));
    printf("memory: RSS +%ld MiB for the index (%.0f bytes an item); index's own count %.0f "
           "MiB\n",
           (rss2 - rss1) / 1024, (double)(rss2 - rss1) * 1024 / (double)nitems,
           (double)kt_similar_memory(s) / (1 << 20));
    printf("index digest: %016llx\n", (unsigned long long)kt_similar_digest(s));

    if (one_scope && nitems <= 20000) {
        /* Noise: the signals the server would raise over the generated period (every item
         * checked as it is put, within the 8-week window), per body; each pair once. */
        size_t *per = calloc(nbodies, sizeof *per), signals = 0, weak = 0;
        kt_similar_hit h[64];
        for (size_t i = 0; per && i < nitems; i++) {
            int n = kt_similar_find(s, (int64_t)i + 1, KT_SIM_WINDOW_DAYS, h, 64);
            for (int k = 0; k < n; k++) {
                if ((size_t)h[k].item_id <= i + 1)
                    continue; /* counted from the other side */
                if (h[k].score < KT_SIM_FLAG_THRESHOLD) {
                    weak++;
                    continue;
                }
                signals++;
                per[items[i].body - 1]++;
                per[h[k].body_id - 1]++;
            }
        }
        size_t mx = 0;
        for (size_t b = 0; per && b < nbodies; b++)
            mx = per[b] > mx ? per[b] : mx;
        printf("noise: %zu bodies in %s over %d days: %zu signals (score >= %.2f), %.1f per "
               "body (max %zu); %zu more pairs between %.2f and %.2f\n",
               nbodies, one_scope, ndays, signals, KT_SIM_FLAG_THRESHOLD,
               2.0 * (double)signals / (double)nbodies, mx, weak, KT_SIM_THRESHOLD,
               KT_SIM_FLAG_THRESHOLD);
        free(per);
    }

    double *lat = calloc(nqueries ? nqueries : 1, sizeof *lat);
    double *lat_cpu = calloc(nqueries ? nqueries : 1, sizeof *lat_cpu);
    int64_t *qids = calloc(nqueries ? nqueries : 1, sizeof *qids);
    if (!lat || !lat_cpu || !qids)
        return 1;
    double cq0 = cpu_s(), tq0 = now_s();
    size_t total_hits = 0, with_hits = 0;
    uint64_t results = 14695981039346656037ull;
    kt_similar_hit hits[20];
    for (size_t q = 0; q < nqueries; q++) {
        int64_t id = (int64_t)pick(nitems) + 1;
        qids[q] = id;
        t0 = now_s();
        double cpu0 = cpu_s();
        int n = kt_similar_find(s, id, KT_SIM_WINDOW_DAYS, hits, 20);
        lat_cpu[q] = (cpu_s() - cpu0) * 1e6;
        lat[q] = (now_s() - t0) * 1e6;
        results = hits_digest(results, hits, n);
        if (n > 0) {
            total_hits += (size_t)n;
            with_hits++;
        }
        if (q < 3 && n > 0)
            printf("  query %lld \"%s\": %d hits, best %.2f \"%s\" (%s)\n", (long long)id,
                   items[id - 1].title, n, hits[0].score, items[hits[0].item_id - 1].title,
                   hits[0].shared);
    }
    double cq = cpu_s() - cq0, tq = now_s() - tq0;
    qsort(lat, nqueries, sizeof *lat, cmp_double);
    if (nqueries)
        printf("find: %zu queries, p50 %.0f us, p99 %.0f us, max %.0f us; %.1f hits a query, "
               "%zu%% with hits\n",
               nqueries, lat[nqueries / 2], lat[(nqueries * 99) / 100], lat[nqueries - 1],
               (double)total_hits / (double)nqueries, with_hits * 100 / nqueries);
    if (nqueries)
        printf("find: %.0f us CPU a query on average (%.0f us wall)\n", cq * 1e6 / (double)nqueries,
               tq * 1e6 / (double)nqueries);
    qsort(lat_cpu, nqueries, sizeof *lat_cpu, cmp_double);
    if (nqueries) /* CPU time: what the query costs, whatever else the machine is doing */
        printf("find: CPU p50 %.0f us, p99 %.0f us, max %.0f us\n", lat_cpu[nqueries / 2],
               lat_cpu[(nqueries * 99) / 100], lat_cpu[nqueries - 1]);
    printf("find: results digest %016llx\n", (unsigned long long)results);
    free(lat_cpu);
    size_t differ = 0;
    for (size_t q = 0; check && q < nqueries; q++) {
        kt_similar_hit plain[20];
        int n = kt_similar_find(s, qids[q], KT_SIM_WINDOW_DAYS, hits, 20);
        kt_similar_set(s, "find_plain", 1);
        int np = kt_similar_find(s, qids[q], KT_SIM_WINDOW_DAYS, plain, 20);
        kt_similar_set(s, "find_plain", 0);
        if (hits_digest(0, hits, n) != hits_digest(0, plain, np)) {
            if (differ++ < 3)
                printf("  differs: query %lld, %d hits, reference %d\n", (long long)qids[q], n, np);
        }
    }
    if (check)
        printf("check: %zu of %zu queries differ from find's reference path\n", differ, nqueries);
    free(qids);
    for (size_t i = 0; i < nitems; i++) {
        free(items[i].title);
        free(items[i].desc);
    }
    free(items);
    rc = differ ? 1 : profiles ? bench_profiles(s, bodies, nbodies, nqueries, min_score) : 0;
    free(lat);
    free(bodies);
    kt_similar_free(s);
    return rc;
}

/* Search at national scale (issue 13, part 8): p50/p95/p99 of the search op's own code path
 * (kt_search_run: candidates, the rows as they are now, visibility, BM25, snippets) over N agenda
 * items of realistic Dutch text; what keeping the index costs a write (queueing the change) and
 * what indexing costs off the write path (the indexer's work per change).
 *
 *   cmake --build build --target bench_search
 *   build/bench_search [--items 1000000] [--queries 2000] [--db /tmp/kt-search.db]
 *                      [--seeds ../shared/seeds] [--no-write 1]
 *
 * The text is drawn from the vocabulary of the seeds (words that start with a lower-case letter,
 * so no names), weighted by how often they occur there: titles of 3-7 words, descriptions of
 * 10-40. Bodies hold about 250 items each; every person is a member of six bodies; 2% of the items
 * are confidential for one organisation. A database made before is reused when it has the items.
 * Queries are one or two words (mostly of middle frequency, one in ten a frequent word) by a
 * random person. Times are wall clock per query and CPU time (getrusage) for the whole run. */
#include "detect/text.h"
#include "domain/search.h"
#include "store/fixture.h"
#include "store/search.h"
#include "store/store.h"
#include "util/err.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_VOCAB 4000

typedef struct vword {
    char w[KT_TEXT_MAX_WORD];
    long count;
} vword;

static vword vocab[MAX_VOCAB * 4];
static size_t nvocab;
static double cum[MAX_VOCAB]; /* cumulative weights for sampling */
static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint64_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}

static double unit(void)
{
    return (double)(next() >> 11) / (double)(1ull << 53);
}

static int add_vocab(const kt_word *w, void *ctx)
{
    (void)ctx;
    if (!w->alpha || w->digits || w->len < 4 || w->orig_len >= KT_TEXT_MAX_WORD ||
        kt_text_is_stopword(w->folded) || !(w->orig[0] >= 'a' && w->orig[0] <= 'z'))
        return 0;
    char orig[KT_TEXT_MAX_WORD];
    memcpy(orig, w->orig, w->orig_len);
    orig[w->orig_len] = 0;
    for (size_t i = 0; i < nvocab; i++)
        if (!strcmp(vocab[i].w, orig)) {
            vocab[i].count++;
            return 0;
        }
    if (nvocab < sizeof vocab / sizeof vocab[0]) {
        strcpy(vocab[nvocab].w, orig);
        vocab[nvocab++].count = 1;
    }
    return 0;
}

static int by_count(const void *a, const void *b)
{
    const vword *x = a, *y = b;
    return x->count < y->count ? 1 : x->count > y->count ? -1 : strcmp(x->w, y->w);
}

static int load_vocab(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".txt"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, f) > 0)
            kt_text_words(line, add_vocab, NULL);
        free(line);
        fclose(f);
    }
    closedir(d);
    qsort(vocab, nvocab, sizeof vocab[0], by_count);
    if (nvocab > MAX_VOCAB)
        nvocab = MAX_VOCAB;
    double total = 0;
    for (size_t i = 0; i < nvocab; i++)
        cum[i] = total += (double)vocab[i].count;
    for (size_t i = 0; i < nvocab; i++)
        cum[i] /= total;
    return nvocab > 100 ? 0 : -1;
}

static const char *sample_word(void)
{
    double u = unit();
    size_t lo = 0, hi = nvocab - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cum[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return vocab[lo].w;
}

static void sentence(char *buf, size_t cap, int words)
{
    size_t o = 0;
    for (int i = 0; i < words && o + KT_TEXT_MAX_WORD + 2 < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? " " : "", sample_word());
    if (o && buf[0] >= 'a' && buf[0] <= 'z')
        buf[0] = (char)(buf[0] - 'a' + 'A');
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_) {                                                                                 \
            fprintf(stderr, "%s failed: %d\n", #x, rc_);                                           \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

/* Brings the index up to date from the queue (what the indexer's thread does in the server):
 * CPU seconds spent, and how many changes. */
static double drain(kt_store *st, long *changes)
{
    double c0 = cpu_seconds();
    long n = 0;
    for (;;) {
        int done = 0;
        int64_t left = 0;
        CHECK(kt_store_search_index(st, 512, &done, &left));
        n += done;
        if (!left || !done)
            break;
        if (n % 20480 < 512)
            fprintf(stderr, "\rindexing: %ld done, %lld left   ", n, (long long)left);
    }
    if (changes)
        *changes = n;
    return cpu_seconds() - c0;
}

typedef struct world {
    long items, bodies, persons, orgs;
} world;

static void generate(kt_store *st, long nitems, world *w, bool index)
{
    w->bodies = nitems / 250 > 0 ? nitems / 250 : 1;
    w->orgs = 300;
    w->persons = w->bodies * 3;
    int64_t scope;
    CHECK(kt_store_begin(st));
    CHECK(kt_store_fixture_scope(st, "Bankstad", &scope));
    char name[128], email[128], title[512], desc[2048];
    for (long i = 0; i < w->orgs; i++) {
        int64_t id;
        snprintf(name, sizeof name, "Organisatie %ld", i + 1);
        CHECK(kt_store_fixture_org(st, name, scope, &id));
    }
    for (long i = 0; i < w->persons; i++) {
        int64_t id;
        snprintf(name, sizeof name, "Persoon %ld", i + 1);
        snprintf(email, sizeof email, "p%ld@bench.example", i + 1);
        CHECK(kt_store_fixture_person(st, 1 + (int64_t)(i % w->orgs), name, email, &id));
    }
    for (long b = 0; b < w->bodies; b++) {
        int64_t id;
        snprintf(name, sizeof name, "Overleg %ld", b + 1);
        CHECK(kt_store_fixture_body(st, name, scope, &id));
    }
    for (long p = 0; p < w->persons; p++)
        for (int k = 0; k < 6; k++)
            CHECK(kt_store_fixture_member(st, 1 + (int64_t)(next() % (uint64_t)w->bodies), p + 1,
                                          k == 0 ? "voorzitter" : "lid"));
    CHECK(kt_store_commit(st));
    double t0 = now_ms(), c0 = cpu_seconds();
    long per_body = nitems / w->bodies;
    long made = 0;
    for (long b = 0; b < w->bodies; b++) {
        CHECK(kt_store_begin(st));
        int64_t meeting = 0;
        for (long i = 0; i < per_body || (b == w->bodies - 1 && made < nitems); i++) {
            if (i % 10 == 0)
                CHECK(kt_store_fixture_meeting(st, b + 1, 1700000000 + (int64_t)i * 86400 * 7,
                                               &meeting));
            sentence(title, sizeof title, 3 + (int)(next() % 5));
            sentence(desc, sizeof desc, 10 + (int)(next() % 31));
            bool conf = next() % 50 == 0;
            int64_t id;
            CHECK(kt_store_fixture_item(st, b + 1, meeting, title, desc, conf,
                                        conf ? 1 + (int64_t)(next() % (uint64_t)w->orgs) : 0,
                                        1700000000 + made, &id));
            made++;
        }
        CHECK(kt_store_commit(st));
        if (b % 400 == 0)
            fprintf(stderr, "\r%ld items", made);
    }
    w->items = made;
    double ms = now_ms() - t0, cpu = cpu_seconds() - c0;
    printf("generated %ld items in %ld bodies: %.1f s wall, %.1f s CPU (%.1f us CPU per item, "
           "queueing for the index included)\n",
           made, w->bodies, ms / 1e3, cpu, cpu * 1e6 / (double)made);
    long changes = 0;
    double t1 = now_ms(), icpu = index ? drain(st, &changes) : 0;
    if (changes)
        printf("indexed %ld changes off the write path: %.1f s wall, %.1f s CPU (%.1f us CPU per "
               "change)\n",
               changes, (now_ms() - t1) / 1e3, icpu, icpu * 1e6 / (double)changes);
}

/* CPU per item written one transaction each, with the search index (the write queues the
 * change) and without it; and the indexer's CPU per change, off the write path. */
static void write_cost(const char *dir)
{
    double per[2], index_per = 0;
    for (int with = 1; with >= 0; with--) {
        char path[4096];
        snprintf(path, sizeof path, "%s/kt-search-write-%d.db", dir, with);
        remove(path);
        kt_store *st;
        kt_store_options o = {.path = path};
        CHECK(kt_store_open(&o, &st));
        if (!with)
            CHECK(kt_store_fixture_drop_search(st));
        world w;
        generate(st, 250, &w, with); /* one body to write into */
        char title[512], desc[2048];
        const int n = 5000;
        double c0 = cpu_seconds();
        for (int i = 0; i < n; i++) {
            sentence(title, sizeof title, 3 + (int)(next() % 5));
            sentence(desc, sizeof desc, 10 + (int)(next() % 31));
            int64_t id;
            CHECK(kt_store_begin(st));
            CHECK(kt_store_fixture_item(st, 1, 0, title, desc, false, 0, 1800000000 + i, &id));
            CHECK(kt_store_commit(st));
        }
        per[with] = (cpu_seconds() - c0) * 1e6 / n;
        if (with) {
            long changes = 0;
            double cpu = drain(st, &changes);
            index_per = changes ? cpu * 1e6 / (double)changes : 0;
        }
        kt_store_close(st);
        remove(path);
    }
    printf("write: %.1f us CPU per item with the search index (the change queued), %.1f us "
           "without: the index adds %.1f us (%.0f%%) to the write; the indexer then spends "
           "%.1f us CPU per change off the write path\n",
           per[1], per[0], per[1] - per[0], 100 * (per[1] - per[0]) / per[0], index_per);
}

static double thread_cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The machine's load average, printed with the figures (the machine is shared). */
static void print_load(const char *when)
{
    FILE *f = fopen("/proc/loadavg", "r");
    char buf[128] = "?";
    if (f) {
        if (!fgets(buf, sizeof buf, f))
            buf[0] = 0;
        fclose(f);
    }
    buf[strcspn(buf, "\n")] = 0;
    printf("load average %s: %s\n", when, buf);
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long nitems = 1000000, nqueries = 2000;
    bool write_only = false, no_write = false;
    const char *db = "/tmp/kt-search-bench.db", *seeds = "../shared/seeds";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--items"))
            nitems = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--queries"))
            nqueries = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--db"))
            db = argv[i + 1];
        else if (!strcmp(argv[i], "--write-only"))
            write_only = atoi(argv[i + 1]) != 0;
        else if (!strcmp(argv[i], "--no-write"))
            no_write = atoi(argv[i + 1]) != 0;
        else if (!strcmp(argv[i], "--seeds"))
            seeds = argv[i + 1];
    }
    if (load_vocab(seeds)) {
        fprintf(stderr, "no vocabulary in %s (give --seeds DIR)\n", seeds);
        return 1;
    }
    printf("vocabulary: %zu words from %s\n", nvocab, seeds);
    print_load("at the start");
    if (!no_write) /* --no-write 1: only the queries (e.g. under a profiler) */
        write_cost("/tmp");
    if (write_only)
        return 0;

    struct stat sb;
    bool reuse = stat(db, &sb) == 0;
    kt_store *st;
    kt_store_options o = {.path = db};
    CHECK(kt_store_open(&o, &st));
    world w = {0};
    if (!reuse) {
        generate(st, nitems, &w, true);
    } else {
        w.bodies = nitems / 250;
        w.persons = w.bodies * 3;
        printf("reusing %s (made with --items %ld)\n", db, nitems);
        long changes = 0;
        double icpu = drain(st, &changes);
        if (changes)
            printf("indexed %ld queued changes first: %.1f s CPU\n", changes, icpu);
    }
    double *lat = calloc((size_t)nqueries, sizeof *lat);
    double *cpul = calloc((size_t)nqueries, sizeof *cpul);
    long hits = 0, empty = 0;
    double c0 = 0;
    for (long q = -100; q < nqueries; q++) {
        if (q == 0)
            c0 = cpu_seconds();
        char text[160];
        if (next() % 10 == 0)
            snprintf(text, sizeof text, "%s", vocab[next() % 20].w);
        else if (next() % 2)
            snprintf(text, sizeof text, "%s", vocab[20 + next() % (nvocab - 20)].w);
        else
            snprintf(text, sizeof text, "%s %s", vocab[next() % 200].w,
                     vocab[20 + next() % (nvocab - 20)].w);
        kt_principal me = {.person = 1 + (int64_t)(next() % (uint64_t)w.persons)};
        me.org = 1 + (me.person - 1) % 300;
        json_t *r = NULL;
        double t0 = now_ms(), u0 = thread_cpu_ms();
        int rc = kt_search_run(st, &me, text, 0, 20, 0, &r);
        double t = now_ms() - t0, u = thread_cpu_ms() - u0;
        if (rc && rc != KT_SEARCH_EMPTY) {
            fprintf(stderr, "search failed: %d\n", rc);
            return 1;
        }
        if (q >= 0) {
            lat[q] = t;
            cpul[q] = u;
            long total = (long)json_integer_value(json_object_get(r, "total"));
            hits += total;
            empty += total == 0;
        }
        json_decref(r);
    }
    double cpu = cpu_seconds() - c0;
    qsort(lat, (size_t)nqueries, sizeof *lat, by_double);
    qsort(cpul, (size_t)nqueries, sizeof *cpul, by_double);
    double sum = 0;
    for (long i = 0; i < nqueries; i++)
        sum += lat[i];
    printf(
        "search over %ld items, %ld queries: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms, "
        "mean %.2f ms; %.2f ms CPU per query; %.0f visible hits per query, %ld with none\n",
        w.items ? w.items : nitems, nqueries, lat[nqueries / 2], lat[nqueries * 95 / 100],
        lat[nqueries * 99 / 100], lat[nqueries - 1], sum / (double)nqueries,
        cpu * 1e3 / (double)nqueries, (double)hits / (double)nqueries, empty);
    printf("CPU per query: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms (the machine is "
           "shared: wall time includes waiting for the CPU and the disk)\n",
           cpul[nqueries / 2], cpul[nqueries * 95 / 100], cpul[nqueries * 99 / 100],
           cpul[nqueries - 1]);
    print_load("at the end");
    free(lat);
    free(cpul);
    kt_store_close(st);
    return 0;
}

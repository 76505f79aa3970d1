/* `ketentafel similar-eval`: loads labelled agenda items into the duplicate index exactly as
 * the server does, scores labelled pairs with the server's scoring and threshold, and prints
 * precision, recall and F1. Input is JSONL:
 *   items: {"id", "body", "municipality" (the body's scope), "date" ("YYYY-MM-DD", null or
 *           absent for the backlog), "title", "description"}
 *   pairs: {"a", "b", "duplicate": true|false, "why"}
 * Bad input is reported on stderr with its file and line, and ends with exit code 2.
 *
 * With --folds K it also estimates how the settings carry over to data it was not tuned on
 * (other topics, other bodies), as ketentafel is judged: grouped K-fold cross-validation.
 * Items that a duplicate pair joins are one topic, and so are the items of one body that a
 * pair links (a subject returning on a later agenda); the topics are dealt to K folds so that
 * pairs stay inside a fold where they can (a pair whose items land in two folds is used in
 * neither). For each fold the threshold is chosen on the other folds' pairs and the fold is
 * scored with it; each fold is also scored with the shipped settings. The mean and spread of
 * F1 over the folds are printed before the usual last line. */
#define _POSIX_C_SOURCE 200809L /* getline, strdup, mkstemp, dup2 */

#include "detect/similar.h"
#include "detect/strmap.h"
#include "util/err.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_BAD_INPUT 2
#define CHECK_HITS     20 /* hits compared per item by --check-find */

typedef struct counts {
    size_t tp, fp, fn, tn, line;
} counts;

/* A labelled pair, scored once. */
typedef struct eval_pair {
    uint32_t a, b; /* numeric item ids */
    bool gold;
    double score;
} eval_pair;

typedef struct eval_ctx {
    kt_similar *sim;
    kt_strmap item_ids;      /* item id text -> numeric id (1-based) */
    kt_strmap body_ids;      /* body name -> numeric id (1-based) */
    const char **item_names; /* numeric id - 1 -> id text (owned copies) */
    int64_t *item_body;      /* numeric id - 1 -> body id */
    int32_t *item_day;       /* numeric id - 1 -> day (KT_SIM_NO_DATE: backlog) */
    size_t nitems, items_cap;
    bool verbose;
    int half; /* -1: all pairs; 0 or 1: only pairs whose line number has that parity */
    counts n;
    double threshold; /* KT_SIM_THRESHOLD unless --threshold */
    bool learn;       /* --learn: simulate learning from the chairs' decisions (with --folds) */
    int mutual;       /* --mutual N: a pair of mutual best matches sharing >= N words is found */
    uint32_t *best;   /* numeric id - 1 -> the item that scores highest with it (0: none) */
    double *best_score;
    eval_pair *pairs; /* the pairs scored (with --half: that half) */
    size_t npairs, pairs_cap;
} eval_ctx;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ketentafel similar-eval --items FILE --pairs FILE [--verbose]\n"
            "                               [--half 0|1] [--folds K] [--tune] [--threshold T]\n"
            "                               [--lexicon FILE] [--vocabulary FILE|none]\n"
            "                               [--only-vocabulary FILE] [--set name=value,...] "
            "[--mutual N]\n"
            "  --half N    score only the pairs on even (0) or odd (1) lines, for a\n"
            "              tune-on-one-half, check-on-the-other check\n"
            "  --folds K   grouped K-fold cross-validation (2..20): topics never on both\n"
            "              sides; prints each fold, then the mean and spread of F1\n"
            "  --tune      also print the threshold with the best F1 on these pairs\n"
            "  --learn     with --folds: simulate learning from the chairs' decisions\n"
            "  --mutual N  also find a pair below the threshold when each item is the\n"
            "              other's best match and the pair shares N or more words (a\n"
            "              candidate rule, measured here only; the server does not use it)\n"
            "  --threshold T  score at T instead of the shipped threshold (to check a\n"
            "              threshold tuned on another set)\n"
            "  --lexicon   word list for compound splitting (default %s)\n"
            "  --vocabulary FILE|none  a domain vocabulary on top of the built-in one, or\n"
            "              none at all (to measure what it brings)\n"
            "  --only-vocabulary FILE  this vocabulary instead of the built-in one\n"
            "  --set name=value,...  a scoring constant for an experiment (see similar.c)\n"
            "  --check-find  find the duplicates of every item with find's fast path and\n"
            "              with its reference path, and fail when they answer differently\n",
            KT_SIM_DEFAULT_LEXICON);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm). */
static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

/* "YYYY-MM-DD" (a time part after it is ignored) to a day number; false when malformed. */
static bool parse_day(const char *s, int32_t *day)
{
    int y, m, d;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) < 3)
        return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    *day = days_from_civil(y, m, d);
    return true;
}

static const char *opt_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A JSON id may be a string or an integer; either way it is compared as text. */
static const char *id_text(json_t *v, char *buf, size_t n)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    return NULL;
}

static int bad(const char *file, size_t line, const char *what)
{
    fprintf(stderr, "similar-eval: %s:%zu: %s\n", file, line, what);
    return EXIT_BAD_INPUT;
}

static int intern_id(kt_strmap *m, const char *text, size_t *count, int64_t *id)
{
    uint32_t v;
    if (kt_strmap_get(m, text, strlen(text), &v)) {
        *id = v;
        return 0;
    }
    *id = (int64_t)++ * count;
    return kt_strmap_put(m, text, strlen(text), (uint32_t)*id, NULL);
}

static int load_item(eval_ctx *cx, json_t *o, const char *file, size_t line)
{
    char idbuf[32];
    const char *id = id_text(json_object_get(o, "id"), idbuf, sizeof idbuf);
    const char *body = opt_str(o, "body");
    const char *scope = opt_str(o, "municipality");
    const char *date = opt_str(o, "date");
    const char *title = opt_str(o, "title");
    const char *desc = opt_str(o, "description");
    json_t *date_v = json_object_get(o, "date");
    if (!id || !*id)
        return bad(file, line, "item without an \"id\"");
    if (!body || !*body)
        return bad(file, line, "item without a \"body\"");
    if (date_v && !json_is_null(date_v) && !date)
        return bad(file, line, "\"date\" is neither a string nor null");
    int32_t day = KT_SIM_NO_DATE;
    if (date && *date && !parse_day(date, &day))
        return bad(file, line, "\"date\" is not YYYY-MM-DD");
    uint32_t dup;
    if (kt_strmap_get(&cx->item_ids, id, strlen(id), &dup))
        return bad(file, line, "duplicate item id");
    int64_t item_id, body_id;
    size_t nbodies = cx->body_ids.len;
    if (intern_id(&cx->item_ids, id, &cx->nitems, &item_id) ||
        intern_id(&cx->body_ids, body, &nbodies, &body_id))
        return bad(file, line, "out of memory");
    if (cx->nitems > cx->items_cap) {
        size_t cap = cx->items_cap ? cx->items_cap * 2 : 256;
        const char **p = realloc(cx->item_names, cap * sizeof *p);
        if (p)
            cx->item_names = p;
        int64_t *b = p ? realloc(cx->item_body, cap * sizeof *b) : NULL;
        if (b)
            cx->item_body = b;
        int32_t *d = b ? realloc(cx->item_day, cap * sizeof *d) : NULL;
        if (!d)
            return bad(file, line, "out of memory");
        cx->item_day = d;
        cx->items_cap = cap;
    }
    cx->item_body[item_id - 1] = body_id;
    cx->item_day[item_id - 1] = day;
    cx->item_names[item_id - 1] = strdup(id);
    if (!cx->item_names[item_id - 1] ||
        kt_similar_put(cx->sim, item_id, body_id, scope, day, title, desc))
        return bad(file, line, "out of memory");
    return 0;
}

typedef int (*line_fn)(eval_ctx *cx, json_t *obj, const char *file, size_t line);

/* Calls fn for every non-blank line of a JSONL file, each parsed as one JSON object. */
static int each_line(eval_ctx *cx, const char *file, line_fn fn)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "similar-eval: cannot open %s: %s\n", file, strerror(errno));
        return EXIT_BAD_INPUT;
    }
    char *buf = NULL;
    size_t cap = 0, line = 0;
    ssize_t n;
    int rc = 0;
    while (!rc && (n = getline(&buf, &cap, f)) >= 0) {
        line++;
        if (strspn(buf, " \t\r\n") == (size_t)n)
            continue;
        json_error_t err;
        json_t *o = json_loads(buf, JSON_REJECT_DUPLICATES, &err);
        if (!o || !json_is_object(o)) {
            char msg[256];
            snprintf(msg, sizeof msg, "not a JSON object: %s", o ? "another JSON value" : err.text);
            rc = bad(file, line, msg);
        } else {
            rc = fn(cx, o, file, line);
        }
        json_decref(o);
    }
    if (!rc && ferror(f))
        rc = bad(file, line, "read error");
    free(buf);
    fclose(f);
    return rc;
}

/* The words an explanation names ("a ~ b, c": 2). */
static int explained_words(const char *explain)
{
    if (!*explain || !strncmp(explain, "excluded", 8))
        return 0;
    int n = 1;
    for (const char *p = explain; *p; p++)
        n += *p == ',';
    return n;
}

/* --mutual: every item's best match among all the others, by the server's pair score. */
static int best_matches(eval_ctx *cx)
{
    size_t n = cx->nitems;
    cx->best = calloc(n + 1, sizeof *cx->best);
    cx->best_score = calloc(n + 1, sizeof *cx->best_score);
    if (!cx->best || !cx->best_score) {
        fprintf(stderr, "similar-eval: out of memory\n");
        return EXIT_FAILURE;
    }
    for (uint32_t a = 1; a <= n; a++)
        for (uint32_t b = a + 1; b <= n; b++) {
            double sc;
            if (kt_similar_pair_score(cx->sim, a, b, &sc, NULL, 0) || sc <= 0)
                continue;
            if (sc > cx->best_score[a - 1]) {
                cx->best_score[a - 1] = sc;
                cx->best[a - 1] = b;
            }
            if (sc > cx->best_score[b - 1]) {
                cx->best_score[b - 1] = sc;
                cx->best[b - 1] = a;
            }
        }
    return 0;
}

static int score_pair(eval_ctx *cx, json_t *o, const char *file, size_t line)
{
    char abuf[32], bbuf[32];
    const char *a = id_text(json_object_get(o, "a"), abuf, sizeof abuf);
    const char *b = id_text(json_object_get(o, "b"), bbuf, sizeof bbuf);
    json_t *dup = json_object_get(o, "duplicate");
    if (!a || !b)
        return bad(file, line, "pair without \"a\" and \"b\"");
    if (!json_is_boolean(dup))
        return bad(file, line, "\"duplicate\" is not true or false");
    uint32_t ia, ib;
    if (!kt_strmap_get(&cx->item_ids, a, strlen(a), &ia) ||
        !kt_strmap_get(&cx->item_ids, b, strlen(b), &ib)) {
        char msg[160];
        snprintf(msg, sizeof msg, "unknown item id \"%s\"",
                 kt_strmap_get(&cx->item_ids, a, strlen(a), &ia) ? b : a);
        return bad(file, line, msg);
    }
    counts *c = &cx->n;
    size_t index = c->line++;
    if (cx->half >= 0 && (int)(index % 2) != cx->half)
        return 0;
    double score;
    char explain[256];
    if (kt_similar_pair_score(cx->sim, ia, ib, &score, explain, sizeof explain))
        return bad(file, line, "pair could not be scored");
    if (cx->mutual && score > 0 && score < cx->threshold && cx->best[ia - 1] == ib &&
        cx->best[ib - 1] == ia && explained_words(explain) >= cx->mutual)
        score = cx->threshold; /* found as mutual best matches */
    bool gold = json_is_true(dup), pred = score >= cx->threshold;
    if (cx->npairs == cx->pairs_cap) {
        size_t cap = cx->pairs_cap ? cx->pairs_cap * 2 : 256;
        eval_pair *p = realloc(cx->pairs, cap * sizeof *p);
        if (!p)
            return bad(file, line, "out of memory");
        cx->pairs = p;
        cx->pairs_cap = cap;
    }
    cx->pairs[cx->npairs++] = (eval_pair){ia, ib, gold, score};
    if (gold && pred)
        c->tp++;
    else if (!gold && pred)
        c->fp++;
    else if (gold && !pred)
        c->fn++;
    else
        c->tn++;
    if (cx->verbose)
        printf("%s %s %s gold=%d pred=%d score=%.3f %s\n",
               gold == pred ? "ok" : (pred ? "FP" : "FN"), a, b, gold, pred, score, explain);
    return 0;
}

/* --- grouped cross-validation ------------------------------------------------------------ */

typedef struct prf {
    size_t tp, fp, fn;
} prf;

static double f1_of(prf c)
{
    return c.tp ? 2.0 * (double)c.tp / (double)(2 * c.tp + c.fp + c.fn) : 0;
}

static void prf_add(prf *c, bool gold, bool pred)
{
    c->tp += gold && pred;
    c->fp += !gold && pred;
    c->fn += gold && !pred;
}

static prf prf_at(const eval_pair *p, const int *fold, size_t n, int k, bool in, double t)
{
    prf c = {0};
    for (size_t i = 0; i < n; i++)
        if (fold[i] >= 0 && (fold[i] == k) == in)
            prf_add(&c, p[i].gold, p[i].score >= t);
    return c;
}

/* The threshold with the best F1 on the pairs outside fold k (k = -1: on all pairs), among
 * the scores that occur; on a tie the one nearest the shipped threshold. */
static double best_threshold(const eval_pair *p, const int *fold, size_t n, int k)
{
    double best_t = KT_SIM_THRESHOLD, best_f = -1;
    for (size_t i = 0; i < n; i++) {
        if (fold[i] < 0 || fold[i] == k || p[i].score <= 0)
            continue;
        double t = p[i].score, f = f1_of(prf_at(p, fold, n, k, false, t));
        if (f > best_f + 1e-12 ||
            (f > best_f - 1e-12 && fabs(t - KT_SIM_THRESHOLD) < fabs(best_t - KT_SIM_THRESHOLD))) {
            best_f = f;
            best_t = t;
        }
    }
    return best_t;
}

static size_t uf_find(size_t *par, size_t x)
{
    while (par[x] != x)
        x = par[x] = par[par[x]];
    return x;
}

static void print_prf(const char *label, prf c)
{
    double p = c.tp + c.fp ? (double)c.tp / (double)(c.tp + c.fp) : 0;
    double r = c.tp + c.fn ? (double)c.tp / (double)(c.tp + c.fn) : 0;
    printf(" %s precision=%.3f recall=%.3f f1=%.3f", label, p, r, f1_of(c));
}

static void mean_sd(const double *v, size_t n, double *mean, double *sd)
{
    double m = 0, q = 0;
    for (size_t i = 0; i < n; i++)
        m += v[i];
    m = n ? m / (double)n : 0;
    for (size_t i = 0; i < n; i++)
        q += (v[i] - m) * (v[i] - m);
    *mean = m;
    *sd = n > 1 ? sqrt(q / (double)(n - 1)) : 0;
}

static int simulate_learning(eval_ctx *cx, const int *pfold, int k);
static void simulate_over_time(eval_ctx *cx);

/* Deals the topics to k folds and prints the cross-validated figures. */
static int cross_validate(eval_ctx *cx, int k)
{
    size_t n = cx->nitems, np = cx->npairs;
    size_t *par = malloc((n + 1) * sizeof *par), *size = calloc(n + 1, sizeof *size);
    size_t *order = malloc((n + 1) * sizeof *order), ng = 0;
    int *gfold = malloc((n + 1) * sizeof *gfold), *pfold = malloc((np + 1) * sizeof *pfold);
    size_t fsize[20] = {0};
    double f_tuned[20], f_shipped[20];
    if (!par || !size || !order || !gfold || !pfold) {
        free(par), free(size), free(order), free(gfold), free(pfold);
        fprintf(stderr, "similar-eval: out of memory\n");
        return EXIT_FAILURE;
    }
    /* Topics: a duplicate pair is one subject; so is a pair within one body (the subject
     * returning on a later agenda). */
    for (size_t i = 0; i <= n; i++)
        par[i] = i;
    for (size_t i = 0; i < np; i++) {
        const eval_pair *p = &cx->pairs[i];
        if (p->gold || cx->item_body[p->a - 1] == cx->item_body[p->b - 1])
            par[uf_find(par, p->a)] = uf_find(par, p->b);
    }
    for (size_t i = 1; i <= n; i++)
        if (!size[uf_find(par, i)]++)
            order[ng++] = uf_find(par, i);
    /* Largest topics first (then in file order), each to the fold its pairs link it to most
     * while the fold has room, else to the smallest fold. */
    for (size_t i = 1; i < ng; i++)
        for (size_t j = i; j > 0 && size[order[j]] > size[order[j - 1]]; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (size_t i = 0; i <= n; i++)
        gfold[i] = -1;
    double cap = ceil((double)n / k) * 1.15;
    for (size_t gi = 0; gi < ng; gi++) {
        size_t g = order[gi];
        int best = -1;
        size_t best_aff = 0;
        for (int f = 0; f < k; f++) {
            if (fsize[f] && (double)(fsize[f] + size[g]) > cap)
                continue;
            size_t aff = 0;
            for (size_t i = 0; i < np; i++) {
                size_t x = uf_find(par, cx->pairs[i].a), y = uf_find(par, cx->pairs[i].b);
                aff += (x == g && gfold[y] == f) || (y == g && gfold[x] == f);
            }
            if (best < 0 || aff > best_aff || (aff == best_aff && fsize[f] < fsize[best])) {
                best = f;
                best_aff = aff;
            }
        }
        if (best < 0)
            for (int f = 0; f < k; f++)
                if (best < 0 || fsize[f] < fsize[best])
                    best = f;
        gfold[g] = best;
        fsize[best] += size[g];
    }
    size_t used = 0;
    for (size_t i = 0; i < np; i++) {
        int fa = gfold[uf_find(par, cx->pairs[i].a)], fb = gfold[uf_find(par, cx->pairs[i].b)];
        pfold[i] = fa == fb ? fa : -1;
        used += fa == fb;
    }
    printf("grouped %d-fold cross-validation: %zu topics, %zu of %zu pairs inside a fold\n", k, ng,
           used, np);
    prf all_tuned = {0}, all_shipped = {0};
    size_t nf = 0;
    for (int f = 0; f < k; f++) {
        prf test = prf_at(cx->pairs, pfold, np, f, true, -INFINITY);
        if (!test.tp && !test.fp) { /* every pair predicted: tp = duplicates */
            printf("fold %d: %zu items, no pairs\n", f + 1, fsize[f]);
            continue;
        }
        double t = best_threshold(cx->pairs, pfold, np, f);
        prf a = prf_at(cx->pairs, pfold, np, f, true, t);
        prf b = prf_at(cx->pairs, pfold, np, f, true, cx->threshold);
        printf("fold %d: %zu items, %zu pairs, %zu duplicates; threshold %.3f from the other "
               "folds:",
               f + 1, fsize[f], test.tp + test.fp, test.tp, t);
        print_prf("", a);
        printf(";");
        print_prf("shipped", b);
        printf("\n");
        all_tuned.tp += a.tp, all_tuned.fp += a.fp, all_tuned.fn += a.fn;
        all_shipped.tp += b.tp, all_shipped.fp += b.fp, all_shipped.fn += b.fn;
        f_tuned[nf] = f1_of(a);
        f_shipped[nf++] = f1_of(b);
    }
    double m1, s1, m2, s2;
    mean_sd(f_tuned, nf, &m1, &s1);
    mean_sd(f_shipped, nf, &m2, &s2);
    printf("cv tuned per fold: f1 mean=%.3f sd=%.3f pooled", m1, s1);
    print_prf("", all_tuned);
    printf("\ncv shipped settings: f1 mean=%.3f sd=%.3f pooled", m2, s2);
    print_prf("", all_shipped);
    printf("\n");
    if (cx->learn) {
        simulate_learning(cx, pfold, k);
        simulate_over_time(cx);
    }
    free(par), free(size), free(order), free(gfold), free(pfold);
    return 0;
}

/* Learning from the chairs, simulated: for each fold, the chairs of the other folds decide on
 * every pair the detector raises there (in file order; the label is the gold one), and the
 * index learns from each decision (kt_similar_learn); the held-out fold is scored after 0, 10,
 * 25, 50, 100 and all decisions. The words learned must carry over to other topics. */
static int simulate_learning(eval_ctx *cx, const int *pfold, int k)
{
    static const size_t marks[] = {0, 10, 25, 50, 100, SIZE_MAX};
    enum { NMARKS = sizeof marks / sizeof marks[0] };
    prf at[NMARKS] = {{0}};
    double f1s[NMARKS][20];
    size_t made[NMARKS] = {0}, nf = 0;
    for (int f = 0; f < k; f++) {
        bool any = false;
        for (size_t i = 0; i < cx->npairs; i++)
            any |= pfold[i] == f && cx->pairs[i].gold;
        if (!any)
            continue;
        kt_similar_forget_learning(cx->sim);
        size_t decisions = 0, next = 0;
        for (size_t m = 0; m < NMARKS; m++) {
            /* decide until the mark: the raised pairs of the other folds, one by one */
            for (; next < cx->npairs && decisions < marks[m]; next++) {
                const eval_pair *p = &cx->pairs[next];
                double sc;
                if (pfold[next] < 0 || pfold[next] == f ||
                    kt_similar_pair_score(cx->sim, p->a, p->b, &sc, NULL, 0) || sc < cx->threshold)
                    continue;
                kt_similar_learn(cx->sim, p->a, p->b, p->gold);
                decisions++;
            }
            prf c = {0};
            for (size_t i = 0; i < cx->npairs; i++) {
                double sc;
                if (pfold[i] != f ||
                    kt_similar_pair_score(cx->sim, cx->pairs[i].a, cx->pairs[i].b, &sc, NULL, 0))
                    continue;
                prf_add(&c, cx->pairs[i].gold, sc >= cx->threshold);
            }
            at[m].tp += c.tp, at[m].fp += c.fp, at[m].fn += c.fn;
            f1s[m][nf] = f1_of(c);
            made[m] += decisions;
        }
        nf++;
    }
    kt_similar_forget_learning(cx->sim);
    printf("learning from decisions, by topic (chairs of the other folds decide on every "
           "raised pair):\n");
    for (size_t m = 0; m < NMARKS; m++) {
        double mean, sd;
        mean_sd(f1s[m], nf, &mean, &sd);
        if (marks[m] == SIZE_MAX)
            printf("  all (%.0f a fold):", nf ? (double)made[m] / (double)nf : 0.0);
        else
            printf("  %3zu decisions:", marks[m]);
        printf(" f1 mean=%.3f sd=%.3f pooled", mean, sd);
        print_prf("", at[m]);
        printf("\n");
    }
    return 0;
}

static const eval_ctx *sort_cx;

static int32_t pair_day(const eval_ctx *cx, const eval_pair *p)
{
    int32_t a = cx->item_day[p->a - 1], b = cx->item_day[p->b - 1];
    if (a == KT_SIM_NO_DATE || b == KT_SIM_NO_DATE)
        return INT32_MAX; /* the backlog: not yet on an agenda, so last */
    return a > b ? a : b;
}

static int cmp_pair_day(const void *x, const void *y)
{
    int32_t a = pair_day(sort_cx, x), b = pair_day(sort_cx, y);
    return a < b ? -1 : a > b;
}

/* Learning over time, as a deployment lives: the pairs in date order (the later item's date);
 * the chairs decide on every pair raised in the first half, and the second half is scored after
 * 0, 10, 25, 50 and all of those decisions. Subjects recur across bodies and months, and so do
 * the words that make weak pairs. */
static void simulate_over_time(eval_ctx *cx)
{
    size_t n = cx->npairs, half = n / 2;
    eval_pair *p = malloc((n ? n : 1) * sizeof *p);
    if (!p)
        return;
    memcpy(p, cx->pairs, n * sizeof *p);
    sort_cx = cx;
    qsort(p, n, sizeof *p, cmp_pair_day);
    static const size_t marks[] = {0, 10, 25, 50, SIZE_MAX};
    printf("learning from decisions, over time (decisions on the raised pairs of the earlier "
           "half, the later half scored):\n");
    kt_similar_forget_learning(cx->sim);
    size_t next = 0, decisions = 0;
    for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++) {
        for (; next < half && decisions < marks[m]; next++) {
            double sc;
            if (kt_similar_pair_score(cx->sim, p[next].a, p[next].b, &sc, NULL, 0) ||
                sc < cx->threshold)
                continue;
            kt_similar_learn(cx->sim, p[next].a, p[next].b, p[next].gold);
            decisions++;
        }
        prf c = {0};
        for (size_t i = half; i < n; i++) {
            double sc;
            if (!kt_similar_pair_score(cx->sim, p[i].a, p[i].b, &sc, NULL, 0))
                prf_add(&c, p[i].gold, sc >= cx->threshold);
        }
        printf("  %3zu decisions:", decisions);
        print_prf("", c);
        printf("\n");
        if (next >= half)
            break;
    }
    kt_similar_forget_learning(cx->sim);
    free(p);
}

static void eval_free(eval_ctx *cx)
{
    free(cx->pairs);
    free(cx->best);
    free(cx->best_score);
    free(cx->item_body);
    free(cx->item_day);
    for (size_t i = 0; i < cx->nitems; i++)
        free((char *)cx->item_names[i]);
    free(cx->item_names);
    kt_strmap_free(&cx->item_ids);
    kt_strmap_free(&cx->body_ids);
    kt_similar_free(cx->sim);
}

/* --check-find: kt_similar_find's fast path answers as its reference path does, for every
 * item (bench/README.md, "find"). */
static int check_find(eval_ctx *cx)
{
    size_t found = 0, differ = 0;
    for (size_t id = 1; id <= cx->nitems; id++) {
        kt_similar_hit fast[CHECK_HITS], plain[CHECK_HITS];
        int nf = kt_similar_find(cx->sim, (int64_t)id, KT_SIM_WINDOW_DAYS, fast, CHECK_HITS);
        kt_similar_set(cx->sim, "find_plain", 1);
        int np = kt_similar_find(cx->sim, (int64_t)id, KT_SIM_WINDOW_DAYS, plain, CHECK_HITS);
        kt_similar_set(cx->sim, "find_plain", 0);
        found += nf > 0 ? (size_t)nf : 0;
        if (!kt_similar_hits_equal(fast, nf, plain, np) && differ++ < 5)
            printf("find check: item %s: %d hits, reference path %d\n", cx->item_names[id - 1], nf,
                   np);
    }
    printf("find check: %zu items, %zu hits, %zu differ from the reference path\n", cx->nitems,
           found, differ);
    return differ ? EXIT_FAILURE : 0;
}

int kt_similar_eval_main(int argc, char **argv)
{
    const char *items = NULL, *pairs = NULL, *lexicon = KT_SIM_DEFAULT_LEXICON;
    const char *vocabulary = NULL, *set = NULL;
    bool only_vocabulary = false;
    eval_ctx cx = {.half = -1, .threshold = KT_SIM_THRESHOLD};
    int folds = 0;
    bool tune = false, check = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool has_val = i + 1 < argc;
        if (!strcmp(arg, "--items") && has_val)
            items = argv[++i];
        else if (!strcmp(arg, "--pairs") && has_val)
            pairs = argv[++i];
        else if (!strcmp(arg, "--lexicon") && has_val)
            lexicon = argv[++i];
        else if (!strcmp(arg, "--half") && has_val &&
                 (!strcmp(argv[i + 1], "0") || !strcmp(argv[i + 1], "1")))
            cx.half = argv[++i][0] - '0';
        else if (!strcmp(arg, "--folds") && has_val && atoi(argv[i + 1]) >= 2 &&
                 atoi(argv[i + 1]) <= 20)
            folds = atoi(argv[++i]);
        else if (!strcmp(arg, "--threshold") && has_val && atof(argv[i + 1]) > 0)
            cx.threshold = atof(argv[++i]);
        else if (!strcmp(arg, "--vocabulary") && has_val)
            vocabulary = argv[++i];
        else if (!strcmp(arg, "--only-vocabulary") && has_val) {
            vocabulary = argv[++i];
            only_vocabulary = true;
        } else if (!strcmp(arg, "--set") && has_val)
            set = argv[++i];
        else if (!strcmp(arg, "--mutual") && has_val && atoi(argv[i + 1]) >= 1)
            cx.mutual = atoi(argv[++i]);
        else if (!strcmp(arg, "--learn"))
            cx.learn = true;
        else if (!strcmp(arg, "--tune"))
            tune = true;
        else if (!strcmp(arg, "--check-find"))
            check = true;
        else if (!strcmp(arg, "--verbose") || !strcmp(arg, "-v"))
            cx.verbose = true;
        else if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "similar-eval: unexpected argument \"%s\"\n", arg);
            usage(stderr);
            return EXIT_BAD_INPUT;
        }
    }
    if (!items || !pairs) {
        usage(stderr);
        return EXIT_BAD_INPUT;
    }
    cx.sim = kt_similar_new();
    if (!cx.sim) {
        fprintf(stderr, "similar-eval: out of memory\n");
        return EXIT_FAILURE;
    }
    if (kt_similar_load_lexicon(cx.sim, lexicon))
        fprintf(stderr,
                "similar-eval: warning: cannot read the word list %s; compounds will not "
                "be split (Debian: apt-get install wdutch)\n",
                lexicon);
    size_t bad_line = 0;
    int rc = 0;
    for (const char *p = set;
         p && *p;) { /* name=value,... : tuning experiments, before any text is read */
        char name[32];
        double v;
        int used = 0;
        if (sscanf(p, "%31[a-z_]=%lf%n", name, &v, &used) != 2 || kt_similar_set(cx.sim, name, v)) {
            fprintf(stderr, "similar-eval: --set: cannot set \"%s\"\n", p);
            eval_free(&cx);
            return EXIT_BAD_INPUT;
        }
        p += used;
        p += *p == ',';
    }
    if (!vocabulary || strcmp(vocabulary, "none")) {
        rc = only_vocabulary ? 0 : kt_similar_load_default_vocabulary(cx.sim);
        if (!rc && vocabulary)
            rc = kt_similar_load_vocabulary_file(cx.sim, vocabulary, &bad_line);
        if (rc) {
            fprintf(stderr, "similar-eval: %s:%zu: %s\n", vocabulary ? vocabulary : "vocabulary",
                    bad_line,
                    rc == KT_EIO ? "cannot read" : "not a group (\"= ...\" or \"~ ...\")");
            eval_free(&cx);
            return EXIT_BAD_INPUT;
        }
    }
    rc = each_line(&cx, items, load_item);
    if (!rc && cx.mutual)
        rc = best_matches(&cx);
    if (!rc)
        rc = each_line(&cx, pairs, score_pair);
    if (!rc && check)
        rc = check_find(&cx);
    if (!rc && folds)
        rc = cross_validate(&cx, folds);
    if (!rc && tune) {
        int *all = calloc(cx.npairs + 1, sizeof *all);
        if (!all) {
            rc = EXIT_FAILURE;
        } else {
            double t = best_threshold(cx.pairs, all, cx.npairs, -1);
            printf("best threshold on these pairs: %.3f", t);
            print_prf("", prf_at(cx.pairs, all, cx.npairs, -1, false, t));
            printf("\n");
            free(all);
        }
    }
    if (!rc) {
        const counts *c = &cx.n;
        double p = c->tp + c->fp ? (double)c->tp / (c->tp + c->fp) : 0;
        double r = c->tp + c->fn ? (double)c->tp / (c->tp + c->fn) : 0;
        double f = p + r > 0 ? 2 * p * r / (p + r) : 0;
        if (cx.verbose)
            printf("items=%zu pairs=%zu tp=%zu fp=%zu fn=%zu tn=%zu\n", cx.nitems,
                   c->tp + c->fp + c->fn + c->tn, c->tp, c->fp, c->fn, c->tn);
        printf("precision=%.3f recall=%.3f f1=%.3f threshold=%.3g\n", p, r, f, cx.threshold);
    }
    eval_free(&cx);
    return rc;
}

/* Body profiles over the duplicate index; see profiles.h for the contract.
 *
 * Layout, for ~10,000 bodies and ~1M items: per body its name/mandate terms (a few dozen), its
 * item ids in the period (CSR, 8 bytes an item) and its signature, the KT_PROF_SIGNATURE
 * weightiest terms of its agenda vector divided by the whole vector's length. Two inverted
 * lists, term -> (body, weight), over the signatures and over the mandates, answer both
 * questions without touching every body: a ranking walks the lists of the text's terms, the
 * overlap map walks, for each body, the lists of its own signature terms. A ranking counts the
 * text's rare terms exactly from the item postings instead, since a body may have discussed a
 * rare subject once, below its signature. */
#include "detect/profiles.h"

#include "util/err.h"
#include "util/imap.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- tuning ------------------------------------------------------------------------------ */

#define MAX_TEXT_TERMS 512  /* as many as an item keeps */
#define RANK_SCAN_DF   4096 /* text terms in at most this many items: counted from the postings */
#define PAIR_MAX_LIST  4000 /* signature lists longer than this make no candidates of their own */
#define PAIR_CANDIDATE 0.5  /* candidates within this share of min_score get an exact cosine */
#define WORDS_SHOWN    5

#define NONE UINT32_MAX

typedef struct pbody {
    int64_t id;
    uint32_t scope;
    bool declared;     /* by kt_profiles_set_body */
    kt_sim_term *mand; /* name and mandate terms, sorted by term; owned */
    uint32_t nmand;
    float inorm;            /* length of the agenda vector at the last build; 0: no agenda */
    uint32_t sig, nsig;     /* its signature: p->sig[sig .. sig + nsig), sorted by term */
    uint32_t items, nitems; /* its item ids in the period: p->items[items .. items + nitems) */
} pbody;

/* term -> [off[t], off[t + 1]) in body/w; bodies ascending within a term */
typedef struct plist {
    uint32_t *off;
    size_t nterms;
    uint32_t *body;
    float *w;
} plist;

struct kt_profiles {
    kt_similar *s;
    kt_profiles_exclude_fn exclude; /* items that never count (confidential ones) */
    void *exclude_arg;
    kt_imap ids; /* body id -> index + 1 */
    pbody *bodies;
    size_t nbodies, bodies_cap;

    /* The last build. */
    bool built;
    uint64_t generation;
    int32_t since;
    uint32_t *bdf;         /* bodies that have the term, per term id < nterms */
    float *tw;             /* rarity among bodies x prior, per term id < nterms */
    size_t nterms;         /* terms at the build */
    double nprofiled;      /* bodies with an agenda or a mandate at the build */
    kt_sim_term *sig;      /* all signatures, normalised weights */
    int64_t *items;        /* all bodies' item ids */
    uint32_t *item_slots;  /* their slots at the build, parallel to items */
    uint32_t *slot_owner;  /* slot -> body index at the build, NONE: not in a profile */
    size_t nslots;         /* slots at the build */
    size_t nsig, nitems;   /* lengths of the two */
    plist sigs;            /* signature postings, by rank (below) */
    uint32_t *by_rank;     /* bodies ordered by scope: rank -> body index */
    uint32_t *rank_of;     /* body index -> rank */
    size_t nranked;        /* bodies at the build: the length of by_rank and rank_of (bodies
                              declared since have no rank and no signature until the next) */
    uint32_t *scope_start; /* scope c has ranks [scope_start[c], scope_start[c + 1]) */
    size_t nscopes;        /* scopes at the build */
    plist mands;           /* mandate postings (normalised weights), rebuilt when dirty */
    bool mands_dirty;

    /* Scratch, one query at a time. */
    float *tacc; /* per term */
    uint32_t *ttouched;
    size_t tcap;
    float *am, *aa, *an; /* per body: mandate and agenda sums, exact counts of one term */
    uint32_t *stamp, *touched, *touched2;
    size_t bcap;
    uint32_t query; /* stamp of the current query */
    int8_t *srow;   /* per scope: compatible with the query's scope (-1: not yet known) */
    size_t srow_cap;
    uint32_t *compat; /* scopes compatible with one scope (the overlap map) */
    size_t ncompat, compat_cap;
    uint32_t *slots; /* RANK_SCAN_DF item slots */
    kt_sim_term terms[MAX_TEXT_TERMS];
};

/* --- small helpers ------------------------------------------------------------------------ */

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c = c + c / 2;
    void *p = realloc(*arr, c * elem);
    if (!p)
        return KT_ENOMEM;
    *arr = p;
    *cap = c;
    return 0;
}

static void plist_free(plist *l)
{
    free(l->off);
    free(l->body);
    free(l->w);
    *l = (plist){0};
}

/* The entries of term t: *n of them from index *at. */
static void plist_get(const plist *l, uint32_t t, uint32_t *at, uint32_t *n)
{
    if (!l->off || t >= l->nterms) {
        *at = *n = 0;
        return;
    }
    *at = l->off[t];
    *n = l->off[t + 1] - l->off[t];
}

static const kt_sim_term *find_term(const kt_sim_term *v, uint32_t n, uint32_t t)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v[mid].term == t)
            return &v[mid];
        if (v[mid].term < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Rarity of a term among the bodies of the last build. */
static double bidf(const kt_profiles *p, uint32_t t)
{
    double df = t < p->nterms && p->bdf[t] ? p->bdf[t] : 1;
    double n = p->nprofiled > df ? p->nprofiled : df;
    return log(1.0 + n / df);
}

/* What a term weighs per unit: its rarity among bodies times its prior. */
static double term_factor(const kt_profiles *p, uint32_t t)
{
    if (t < p->nterms && p->tw)
        return p->tw[t];
    return bidf(p, t) * kt_similar_term_prior(p->s, t, true);
}

/* How much a term weighs in a profile that holds it with local weight sum `local`: repeats
 * count sublinearly. */
static double profile_weight(const kt_profiles *p, uint32_t t, double local)
{
    return log1p(local) * term_factor(p, t);
}

static int cmp_weight_desc(const void *a, const void *b)
{
    float x = ((const kt_sim_term *)a)->weight, y = ((const kt_sim_term *)b)->weight;
    return x > y ? -1 : x < y;
}

static int cmp_term(const void *a, const void *b)
{
    uint32_t x = ((const kt_sim_term *)a)->term, y = ((const kt_sim_term *)b)->term;
    return x < y ? -1 : x > y;
}

/* Moves the k weightiest of v[0..n) to the front (quickselect; order otherwise undefined). */
static void select_top(kt_sim_term *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1 && k > lo && k < hi) {
        float pivot = v[lo + (hi - lo) / 2].weight;
        size_t i = lo, j = hi - 1;
        while (i <= j) {
            while (v[i].weight > pivot)
                i++;
            while (v[j].weight < pivot)
                j--;
            if (i <= j) {
                kt_sim_term t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j + 1)
            hi = j + 1;
        else if (k >= i)
            lo = i;
        else
            break;
    }
}

/* Appends a word to a ", "-separated list if it fits whole. */
static void add_word(char *buf, size_t n, const char *word)
{
    size_t len = strlen(buf), wn = strlen(word), sep = len ? 2 : 0;
    if (!wn || len + sep + wn + 1 > n)
        return;
    if (sep)
        memcpy(buf + len, ", ", 2);
    memcpy(buf + len + sep, word, wn + 1);
}

static void lower(const char *in, char *out, size_t n)
{
    size_t i = 0;
    for (; in[i] && i + 1 < n; i++)
        out[i] = (char)(in[i] >= 'A' && in[i] <= 'Z' ? in[i] + 32 : in[i]);
    out[i] = 0;
}

/* Writes the words of the weightiest terms of cand (weights > 0; cand is reordered), at most
 * WORDS_SHOWN, weightiest first. A word inside another shown word ("stage" in
 * "stageplekken", a compound part in its compound) is left out: the whole word says it. */
static void list_words(const kt_profiles *p, kt_sim_term *cand, size_t n, char *buf, size_t cap)
{
    enum { POOL = 2 * WORDS_SHOWN };
    char low[POOL][48];
    size_t k = n < POOL ? n : POOL;
    buf[0] = 0;
    select_top(cand, n, k);
    qsort(cand, k, sizeof *cand, cmp_weight_desc);
    while (k > 0 && cand[k - 1].weight <= 0)
        k--;
    for (size_t i = 0; i < k; i++)
        lower(kt_similar_term_text(p->s, cand[i].term), low[i], sizeof low[i]);
    int shown = 0;
    for (size_t i = 0; i < k && shown < WORDS_SHOWN; i++) {
        bool inside = !low[i][0];
        for (size_t j = 0; j < k && !inside; j++)
            inside = j != i && strstr(low[j], low[i]) && (strlen(low[j]) > strlen(low[i]) || j < i);
        if (inside)
            continue;
        add_word(buf, cap, kt_similar_term_text(p->s, cand[i].term));
        shown++;
    }
}

/* --- bodies ------------------------------------------------------------------------------- */

static pbody *body_get(const kt_profiles *p, int64_t id)
{
    uintptr_t v = (uintptr_t)kt_imap_get(&p->ids, id);
    return v ? &p->bodies[v - 1] : NULL;
}

static int body_add(kt_profiles *p, int64_t id, uint32_t scope, pbody **out)
{
    if (grow((void **)&p->bodies, &p->bodies_cap, p->nbodies + 1, sizeof *p->bodies))
        return KT_ENOMEM;
    if (kt_imap_put(&p->ids, id, (void *)(uintptr_t)(p->nbodies + 1)))
        return KT_ENOMEM;
    pbody *b = &p->bodies[p->nbodies++];
    *b = (pbody){.id = id, .scope = scope};
    *out = b;
    return 0;
}

kt_profiles *kt_profiles_new(kt_similar *s)
{
    kt_profiles *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->s = s;
    p->slots = malloc(RANK_SCAN_DF * sizeof *p->slots);
    if (!p->slots) {
        free(p);
        return NULL;
    }
    return p;
}

static void build_clear(kt_profiles *p)
{
    free(p->bdf);
    free(p->tw);
    p->tw = NULL;
    free(p->sig);
    free(p->items);
    free(p->item_slots);
    free(p->slot_owner);
    p->item_slots = p->slot_owner = NULL;
    p->nslots = 0;
    p->bdf = NULL;
    p->sig = NULL;
    p->items = NULL;
    p->nsig = p->nitems = p->nterms = 0;
    p->nprofiled = 0;
    plist_free(&p->sigs);
    free(p->by_rank);
    free(p->rank_of);
    free(p->scope_start);
    p->by_rank = p->rank_of = p->scope_start = NULL;
    p->nscopes = p->nranked = 0;
    p->built = false;
    for (size_t i = 0; i < p->nbodies; i++) {
        pbody *b = &p->bodies[i];
        b->inorm = 0;
        b->sig = b->nsig = b->items = b->nitems = 0;
    }
}

void kt_profiles_free(kt_profiles *p)
{
    if (!p)
        return;
    build_clear(p);
    plist_free(&p->mands);
    for (size_t i = 0; i < p->nbodies; i++)
        free(p->bodies[i].mand);
    free(p->bodies);
    kt_imap_free(&p->ids);
    free(p->tacc);
    free(p->ttouched);
    free(p->am);
    free(p->aa);
    free(p->an);
    free(p->stamp);
    free(p->touched);
    free(p->touched2);
    free(p->srow);
    free(p->compat);
    free(p->slots);
    free(p);
}

int kt_profiles_set_body(kt_profiles *p, int64_t body_id, const char *scope, const char *name,
                         const char *mandate)
{
    if (!body_id)
        return KT_EINVAL;
    uint32_t sid;
    int n = kt_similar_scope(p->s, scope, &sid);
    if (!n)
        n = kt_similar_text_terms(p->s, name, mandate, true, p->terms, MAX_TEXT_TERMS);
    if (n < 0)
        return n;
    kt_sim_term *mand = NULL;
    if (n > 0) {
        mand = malloc((size_t)n * sizeof *mand);
        if (!mand)
            return KT_ENOMEM;
        memcpy(mand, p->terms, (size_t)n * sizeof *mand);
    }
    pbody *b = body_get(p, body_id);
    if (!b && body_add(p, body_id, sid, &b)) {
        free(mand);
        return KT_ENOMEM;
    }
    free(b->mand);
    b->mand = mand;
    b->nmand = (uint32_t)n;
    b->scope = sid;
    b->declared = true;
    p->mands_dirty = true;
    return 0;
}

int kt_profiles_remove_body(kt_profiles *p, int64_t body_id)
{
    pbody *b = body_get(p, body_id);
    if (!b)
        return KT_ENOTFOUND;
    free(b->mand);
    b->mand = NULL;
    b->nmand = 0;
    b->declared = false;
    b->inorm = 0;
    b->nsig = b->nitems = 0; /* its postings stay until the next build, and are skipped */
    p->mands_dirty = true;
    return 0;
}

size_t kt_profiles_count(const kt_profiles *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nbodies; i++)
        n += p->bodies[i].declared || p->bodies[i].nitems;
    return n;
}

bool kt_profiles_stale(const kt_profiles *p)
{
    return !p->built || p->generation != kt_similar_generation(p->s);
}

/* --- building ----------------------------------------------------------------------------- */

static int scratch_terms(kt_profiles *p, size_t nterms)
{
    if (nterms <= p->tcap)
        return 0;
    float *acc = calloc(nterms, sizeof *acc);
    uint32_t *t = malloc(nterms * sizeof *t);
    if (!acc || !t) {
        free(acc);
        free(t);
        return KT_ENOMEM;
    }
    free(p->tacc);
    free(p->ttouched);
    p->tacc = acc;
    p->ttouched = t;
    p->tcap = nterms;
    return 0;
}

static int scratch_bodies(kt_profiles *p)
{
    size_t n = p->nbodies ? p->nbodies : 1;
    if (n <= p->bcap)
        return 0;
    size_t cap = p->bcap;
    int rc = 0;
    size_t c = cap;
    rc |= grow((void **)&p->am, &c, n, sizeof *p->am);
    c = cap;
    rc |= grow((void **)&p->aa, &c, n, sizeof *p->aa);
    c = cap;
    rc |= grow((void **)&p->an, &c, n, sizeof *p->an);
    c = cap;
    rc |= grow((void **)&p->touched, &c, n, sizeof *p->touched);
    c = cap;
    rc |= grow((void **)&p->touched2, &c, n, sizeof *p->touched2);
    c = cap;
    rc |= grow((void **)&p->stamp, &c, n, sizeof *p->stamp);
    if (rc)
        return KT_ENOMEM;
    memset(p->stamp + cap, 0, (c - cap) * sizeof *p->stamp);
    memset(p->an + cap, 0, (c - cap) * sizeof *p->an);
    p->bcap = c;
    return 0;
}

/* Whether an item of the index belongs in the period's profiles. */
static bool in_period(const kt_profiles *p, const kt_sim_item *it, int32_t since)
{
    if (it->procedural || (it->day != KT_SIM_NO_DATE && it->day < since))
        return false;
    return !p->exclude || !p->exclude(it->id, p->exclude_arg);
}

void kt_profiles_set_exclude(kt_profiles *p, kt_profiles_exclude_fn fn, void *arg)
{
    p->exclude = fn;
    p->exclude_arg = arg;
}

/* Gives every body its items of the period: p->items and, in the same order, their slots
 * (p->item_slots, also *slots_out), and maps every slot to its body (p->slot_owner). */
static int assign_items(kt_profiles *p, int32_t since, uint32_t **slots_out)
{
    kt_similar *s = p->s;
    size_t nslots = kt_similar_slot_count(s);
    uint32_t *owner = malloc((nslots ? nslots : 1) * sizeof *owner);
    if (!owner)
        return KT_ENOMEM;
    size_t total = 0;
    for (size_t slot = 0; slot < nslots; slot++) {
        kt_sim_item it;
        owner[slot] = NONE;
        if (!kt_similar_slot_item(s, slot, &it) || !in_period(p, &it, since))
            continue;
        pbody *b = body_get(p, it.body);
        if (!b && body_add(p, it.body, it.scope, &b)) {
            free(owner);
            return KT_ENOMEM;
        }
        owner[slot] = (uint32_t)(b - p->bodies);
        b->nitems++;
        total++;
    }
    uint32_t *slots = malloc((total ? total : 1) * sizeof *slots);
    p->items = malloc((total ? total : 1) * sizeof *p->items);
    if (!slots || !p->items) {
        free(owner);
        free(slots);
        return KT_ENOMEM;
    }
    uint32_t off = 0;
    for (size_t i = 0; i < p->nbodies; i++) {
        p->bodies[i].items = off;
        off += p->bodies[i].nitems;
        p->bodies[i].nitems = 0;
    }
    for (size_t slot = 0; slot < nslots; slot++) {
        if (owner[slot] == NONE)
            continue;
        pbody *b = &p->bodies[owner[slot]];
        kt_sim_item it;
        kt_similar_slot_item(s, slot, &it);
        uint32_t at = b->items + b->nitems++;
        slots[at] = (uint32_t)slot;
        p->items[at] = it.id;
    }
    p->nitems = total;
    p->slot_owner = owner;
    p->nslots = nslots;
    p->item_slots = slots;
    *slots_out = slots;
    return 0;
}

/* Adds a term to a hash of the words of an item's title (title terms weigh more than
 * KT_SIM_DESC_WEIGHT; 0 for no title words). Standing items ("Ronde door de wijk", "Stand van
 * zaken PmG") repeat their title at every meeting, and so their hash. */
static uint64_t hash_term(uint64_t h, uint32_t t)
{
    h ^= t + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

typedef struct hashed {
    uint64_t hash;
    uint32_t at;
} hashed;

static int cmp_hashed(const void *a, const void *b)
{
    uint64_t x = ((const hashed *)a)->hash, y = ((const hashed *)b)->hash;
    return x < y ? -1 : x > y;
}

/* How much each of a body's items counts, from the title hashes of its items in h: an item
 * whose title recurs n times in the period counts 1/n each time, so that a standing item
 * weighs as one item however often it is on the agenda. */
static void standing_weights(hashed *h, uint32_t n, float *weight)
{
    qsort(h, n, sizeof *h, cmp_hashed);
    for (uint32_t k = 0, end; k < n; k = end) {
        for (end = k + 1; end < n && h[end].hash == h[k].hash; end++)
            ;
        for (uint32_t j = k; j < end; j++)
            weight[h[j].at] = h[k].hash ? 1.0f / (float)(end - k) : 1.0f;
    }
}

/* Pass 1 of a build: in how many bodies each term occurs (agenda or mandate), and how much
 * each item counts (standing_weights; weight[] runs parallel to slots[]). */
static int count_terms(kt_profiles *p, const uint32_t *slots, float *weight)
{
    hashed *h = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < p->nbodies; i++) {
        const pbody *b = &p->bodies[i];
        if (b->nitems && grow((void **)&h, &cap, b->nitems, sizeof *h)) {
            free(h);
            return KT_ENOMEM;
        }
        size_t n = 0;
        for (uint32_t k = 0; k < b->nitems; k++) {
            size_t m = kt_similar_slot_terms(p->s, slots[b->items + k], p->terms, MAX_TEXT_TERMS);
            uint64_t hash = 0;
            for (size_t j = 0; j < m && j < MAX_TEXT_TERMS; j++) {
                uint32_t t = p->terms[j].term;
                if (p->terms[j].weight > KT_SIM_DESC_WEIGHT)
                    hash = hash_term(hash, t);
                if (t < p->nterms && !p->tacc[t]) {
                    p->tacc[t] = 1;
                    p->ttouched[n++] = t;
                }
            }
            h[k] = (hashed){hash, b->items + k};
        }
        for (uint32_t j = 0; j < b->nmand; j++) {
            uint32_t t = b->mand[j].term;
            if (t < p->nterms && !p->tacc[t]) {
                p->tacc[t] = 1;
                p->ttouched[n++] = t;
            }
        }
        p->nprofiled += n > 0;
        for (size_t k = 0; k < n; k++) {
            p->bdf[p->ttouched[k]]++;
            p->tacc[p->ttouched[k]] = 0;
        }
        if (b->nitems)
            standing_weights(h, b->nitems, weight);
    }
    free(h);
    return 0;
}

/* The weight of each term in a profile per unit of log1p(local weight): its rarity among the
 * bodies times its prior. */
static int term_factors(kt_profiles *p)
{
    p->tw = malloc((p->nterms ? p->nterms : 1) * sizeof *p->tw);
    if (!p->tw)
        return KT_ENOMEM;
    for (uint32_t t = 0; t < p->nterms; t++)
        p->tw[t] = (float)(bidf(p, t) * kt_similar_term_prior(p->s, t, true));
    return 0;
}

/* Sums the local weights of a body's agenda terms into p->tacc; returns the number of
 * distinct terms, listed in p->ttouched. */
static size_t accumulate(kt_profiles *p, const pbody *b, const uint32_t *slots, const float *weight)
{
    size_t n = 0;
    for (uint32_t i = 0; i < b->nitems; i++) {
        size_t k = kt_similar_slot_terms(p->s, slots[b->items + i], p->terms, MAX_TEXT_TERMS);
        float iw = weight[b->items + i];
        for (size_t j = 0; j < k && j < MAX_TEXT_TERMS; j++) {
            uint32_t t = p->terms[j].term;
            if (t >= p->nterms)
                continue;
            if (p->tacc[t] == 0)
                p->ttouched[n++] = t;
            p->tacc[t] += p->terms[j].weight * iw;
        }
    }
    return n;
}

/* The agenda vector of one body: its length and its signature, appended to p->sig. */
static void body_signature(kt_profiles *p, pbody *b, const uint32_t *slots, const float *weight,
                           kt_sim_term *tmp)
{
    size_t n = accumulate(p, b, slots, weight);
    double norm = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t t = p->ttouched[i];
        double w = profile_weight(p, t, p->tacc[t]);
        p->tacc[t] = 0;
        tmp[i] = (kt_sim_term){t, (float)w};
        norm += w * w;
    }
    b->inorm = (float)sqrt(norm);
    b->sig = (uint32_t)p->nsig;
    b->nsig = 0;
    if (!n || b->inorm <= 0)
        return;
    size_t k = n < KT_PROF_SIGNATURE ? n : KT_PROF_SIGNATURE;
    select_top(tmp, n, k);
    qsort(tmp, k, sizeof *tmp, cmp_term);
    for (size_t i = 0; i < k; i++)
        p->sig[p->nsig++] = (kt_sim_term){tmp[i].term, tmp[i].weight / b->inorm};
    b->nsig = (uint32_t)k;
}

/* Orders the bodies by scope, so that the bodies of one scope are a run of ranks: the overlap
 * map then visits, in each posting list, only the runs of the scopes a body can share a
 * subject with. */
static int scope_order(kt_profiles *p)
{
    size_t nscopes = kt_similar_scope_count(p->s), nb = p->nbodies ? p->nbodies : 1;
    p->nscopes = nscopes;
    p->scope_start = calloc(nscopes + 2, sizeof *p->scope_start);
    p->by_rank = malloc(nb * sizeof *p->by_rank);
    p->rank_of = malloc(nb * sizeof *p->rank_of);
    if (!p->scope_start || !p->by_rank || !p->rank_of)
        return KT_ENOMEM;
    p->nranked = p->nbodies;
    for (size_t i = 0; i < p->nbodies; i++)
        p->scope_start[p->bodies[i].scope + 1]++;
    for (size_t c = 0; c < nscopes; c++)
        p->scope_start[c + 1] += p->scope_start[c];
    for (size_t i = 0; i < p->nbodies; i++) { /* ascending index within a scope */
        uint32_t r = p->scope_start[p->bodies[i].scope]++;
        p->by_rank[r] = (uint32_t)i;
        p->rank_of[i] = r;
    }
    for (size_t c = nscopes; c > 0; c--) /* the fill moved each start to the next */
        p->scope_start[c] = p->scope_start[c - 1];
    p->scope_start[0] = 0;
    return 0;
}

/* Inverts the signatures into term -> (rank, weight), ranks ascending in every list. */
static int signatures_invert(kt_profiles *p)
{
    size_t nterms = p->nterms;
    plist l = {.nterms = nterms};
    l.off = calloc(nterms + 1, sizeof *l.off);
    l.body = malloc((p->nsig ? p->nsig : 1) * sizeof *l.body);
    l.w = malloc((p->nsig ? p->nsig : 1) * sizeof *l.w);
    if (!l.off || !l.body || !l.w) {
        plist_free(&l);
        return KT_ENOMEM;
    }
    for (size_t i = 0; i < p->nsig; i++)
        l.off[p->sig[i].term + 1]++;
    for (size_t t = 0; t < nterms; t++)
        l.off[t + 1] += l.off[t];
    for (size_t r = 0; r < p->nbodies; r++) {
        const pbody *b = &p->bodies[p->by_rank[r]];
        for (uint32_t j = 0; j < b->nsig; j++) {
            const kt_sim_term *x = &p->sig[b->sig + j];
            uint32_t at = l.off[x->term]++;
            l.body[at] = (uint32_t)r;
            l.w[at] = x->weight;
        }
    }
    for (size_t t = nterms; t > 0; t--)
        l.off[t] = l.off[t - 1];
    l.off[0] = 0;
    plist_free(&p->sigs);
    p->sigs = l;
    return 0;
}

/* Mandate vectors are weighted with the rarity of the last build, so their postings are
 * re-derived from the raw local weights after a build or a change of a mandate. */
static int mandates_rebuild(kt_profiles *p)
{
    size_t nterms = kt_similar_term_count(p->s), total = 0;
    for (size_t i = 0; i < p->nbodies; i++)
        total += p->bodies[i].nmand;
    kt_sim_term *w = malloc((total ? total : 1) * sizeof *w);
    uint32_t *start = malloc((p->nbodies ? p->nbodies : 1) * sizeof *start);
    if (!w || !start) {
        free(w);
        free(start);
        return KT_ENOMEM;
    }
    size_t at = 0;
    for (size_t i = 0; i < p->nbodies; i++) {
        const pbody *b = &p->bodies[i];
        double norm = 0;
        start[i] = (uint32_t)at;
        for (uint32_t j = 0; j < b->nmand; j++) {
            double x = profile_weight(p, b->mand[j].term, b->mand[j].weight);
            w[at + j] = (kt_sim_term){b->mand[j].term, (float)x};
            norm += x * x;
        }
        norm = sqrt(norm);
        for (uint32_t j = 0; j < b->nmand; j++)
            w[at + j].weight = norm > 0 ? (float)(w[at + j].weight / norm) : 0;
        at += b->nmand;
    }
    plist l = {.nterms = nterms};
    l.off = calloc(nterms + 1, sizeof *l.off);
    l.body = malloc((total ? total : 1) * sizeof *l.body);
    l.w = malloc((total ? total : 1) * sizeof *l.w);
    int rc = l.off && l.body && l.w ? 0 : KT_ENOMEM;
    for (size_t i = 0; !rc && i < total; i++)
        if (w[i].term < nterms)
            l.off[w[i].term + 1]++;
    for (size_t t = 0; !rc && t < nterms; t++)
        l.off[t + 1] += l.off[t];
    for (size_t i = 0; !rc && i < p->nbodies; i++) {
        for (uint32_t j = 0; j < p->bodies[i].nmand; j++) {
            const kt_sim_term *x = &w[start[i] + j];
            if (x->term >= nterms)
                continue;
            uint32_t k = l.off[x->term]++;
            l.body[k] = (uint32_t)i;
            l.w[k] = x->weight;
        }
    }
    if (!rc) {
        for (size_t t = nterms; t > 0; t--)
            l.off[t] = l.off[t - 1];
        l.off[0] = 0;
        plist_free(&p->mands);
        p->mands = l;
        p->mands_dirty = false;
    } else {
        plist_free(&l);
    }
    free(w);
    free(start);
    return rc;
}

int kt_profiles_build(kt_profiles *p, int32_t since_day)
{
    kt_similar *s = p->s;
    build_clear(p);
    p->generation = kt_similar_generation(s);
    p->since = since_day;
    p->nterms = kt_similar_term_count(s);
    uint32_t *slots = NULL;
    float *weight = NULL;
    kt_sim_term *tmp = NULL;
    int rc = scratch_terms(p, p->nterms ? p->nterms : 1);
    if (!rc)
        rc = assign_items(p, since_day, &slots);
    if (!rc && !(weight = malloc((p->nitems ? p->nitems : 1) * sizeof *weight)))
        rc = KT_ENOMEM;
    if (!rc && !(p->bdf = calloc(p->nterms ? p->nterms : 1, sizeof *p->bdf)))
        rc = KT_ENOMEM;
    if (!rc)
        rc = count_terms(p, slots, weight);
    if (!rc)
        rc = term_factors(p);
    /* Pass 2: the agenda vectors, their lengths and signatures. */
    size_t maxsig = p->nbodies * KT_PROF_SIGNATURE;
    if (!rc && !(p->sig = malloc((maxsig ? maxsig : 1) * sizeof *p->sig)))
        rc = KT_ENOMEM;
    if (!rc && !(tmp = malloc((p->nterms ? p->nterms : 1) * sizeof *tmp)))
        rc = KT_ENOMEM;
    for (size_t i = 0; !rc && i < p->nbodies; i++)
        body_signature(p, &p->bodies[i], slots, weight, tmp);
    if (!rc) {
        kt_sim_term *fit = realloc(p->sig, (p->nsig ? p->nsig : 1) * sizeof *fit);
        if (fit)
            p->sig = fit;
        rc = scope_order(p);
        if (!rc)
            rc = signatures_invert(p);
    }
    if (!rc)
        rc = scratch_bodies(p);
    free(tmp);
    free(weight);
    if (rc) {
        build_clear(p);
        return rc;
    }
    p->built = true;
    p->mands_dirty = true;
    return 0;
}

/* --- ranking ------------------------------------------------------------------------------ */

typedef struct qterm {
    uint32_t term;
    double w; /* local weight x rarity among bodies x prior */
} qterm;

static bool scope_ok(kt_profiles *p, bool any, uint32_t qscope, uint32_t scope)
{
    if (any)
        return true;
    if (scope >= p->srow_cap)
        return kt_similar_scopes_compatible(p->s, qscope, scope);
    if (p->srow[scope] < 0)
        p->srow[scope] = kt_similar_scopes_compatible(p->s, qscope, scope);
    return p->srow[scope] > 0;
}

static void touch(kt_profiles *p, uint32_t b, size_t *nt)
{
    if (p->stamp[b] == p->query)
        return;
    p->stamp[b] = p->query;
    p->am[b] = p->aa[b] = 0;
    p->touched[(*nt)++] = b;
}

/* Agenda weight of a rare term, counted from the items that have it now. */
static void rank_rare(kt_profiles *p, const qterm *q, size_t *nt)
{
    size_t n = kt_similar_term_slots(p->s, q->term, p->slots, RANK_SCAN_DF), n2 = 0;
    for (size_t i = 0; i < n && i < RANK_SCAN_DF; i++) {
        kt_sim_item it;
        uint32_t slot = p->slots[i];
        if (!kt_similar_slot_item(p->s, slot, &it) || !in_period(p, &it, p->since))
            continue;
        uint32_t bi = slot < p->nslots ? p->slot_owner[slot] : NONE;
        if (bi == NONE || p->bodies[bi].id != it.body) { /* put since the build */
            const pbody *b = body_get(p, it.body);
            bi = b ? (uint32_t)(b - p->bodies) : NONE;
        }
        if (bi == NONE || p->bodies[bi].inorm <= 0)
            continue;
        if (p->an[bi] == 0)
            p->touched2[n2++] = bi;
        p->an[bi] += kt_similar_slot_term_weight(p->s, p->slots[i], q->term);
    }
    for (size_t i = 0; i < n2; i++) {
        uint32_t bi = p->touched2[i];
        touch(p, bi, nt);
        p->aa[bi] += (float)(q->w * profile_weight(p, q->term, p->an[bi]) / p->bodies[bi].inorm);
        p->an[bi] = 0;
    }
}

static void rank_common(kt_profiles *p, const qterm *q, size_t *nt)
{
    uint32_t at, n;
    plist_get(&p->sigs, q->term, &at, &n);
    for (uint32_t i = at; i < at + n; i++) {
        uint32_t bi = p->by_rank[p->sigs.body[i]];
        if (!p->bodies[bi].nsig)
            continue; /* removed since the build */
        touch(p, bi, nt);
        p->aa[bi] += (float)(q->w * p->sigs.w[i]);
    }
}

static void rank_mandates(kt_profiles *p, const qterm *q, size_t *nt)
{
    uint32_t at, n;
    plist_get(&p->mands, q->term, &at, &n);
    for (uint32_t i = at; i < at + n; i++) {
        uint32_t bi = p->mands.body[i];
        touch(p, bi, nt);
        p->am[bi] += (float)(q->w * p->mands.w[i]);
    }
}

static int cmp_rank(const void *a, const void *b)
{
    double x = ((const kt_body_rank *)a)->score, y = ((const kt_body_rank *)b)->score;
    if (x != y)
        return x > y ? -1 : 1;
    int64_t i = ((const kt_body_rank *)a)->body_id, j = ((const kt_body_rank *)b)->body_id;
    return i < j ? -1 : i > j;
}

typedef struct ranked_item {
    int64_t id;
    int32_t day;
    double score;
    uint64_t title; /* hash of its title words: a standing item is shown once */
} ranked_item;

static void keep_item(ranked_item best[KT_PROF_ITEMS], ranked_item x)
{
    for (int k = 0; k < KT_PROF_ITEMS; k++) {
        if (best[k].id && best[k].title == x.title) {
            if (x.score > best[k].score || (x.score == best[k].score && x.day > best[k].day)) {
                memmove(best + k, best + k + 1, (KT_PROF_ITEMS - 1 - (size_t)k) * sizeof *best);
                best[KT_PROF_ITEMS - 1] = (ranked_item){0};
                keep_item(best, x);
            }
            return;
        }
    }
    for (int k = 0; k < KT_PROF_ITEMS; k++) {
        bool better = x.score > best[k].score || (x.score == best[k].score && x.day > best[k].day);
        if (!better)
            continue;
        memmove(best + k + 1, best + k, (KT_PROF_ITEMS - 1 - (size_t)k) * sizeof *best);
        best[k] = x;
        return;
    }
}

/* How well one item fits the text: the text's weights of the terms the item has, times the
 * item's local weights; adds those local weights to count[] (per text term) and gives the
 * hash of its title words. Both term lists are sorted by term id, so one merge does it. */
static double item_match(kt_profiles *p, uint32_t slot, const qterm *q, size_t nq, double *count,
                         uint64_t *title)
{
    size_t m = kt_similar_slot_terms(p->s, slot, p->terms, MAX_TEXT_TERMS);
    double score = 0;
    *title = 0;
    for (size_t j = 0; j < m; j++)
        if (p->terms[j].weight > KT_SIM_DESC_WEIGHT)
            *title = hash_term(*title, p->terms[j].term);
    for (size_t i = 0, j = 0; i < nq && j < m;) {
        if (q[i].term < p->terms[j].term) {
            i++;
        } else if (q[i].term > p->terms[j].term) {
            j++;
        } else {
            score += q[i].w * p->terms[j].weight;
            count[i] += p->terms[j].weight;
            i++;
            j++;
        }
    }
    return score;
}

/* Lists the text's words by their weight in contrib. */
static void words_of(const kt_profiles *p, const qterm *q, const double *contrib, size_t nq,
                     char *buf, size_t n)
{
    kt_sim_term cand[MAX_TEXT_TERMS];
    size_t k = 0;
    for (size_t i = 0; i < nq; i++)
        if (contrib[i] > 0)
            cand[k++] = (kt_sim_term){q[i].term, (float)contrib[i]};
    list_words(p, cand, k, buf, n);
}

/* The reasons for one ranked body: the text's words in its mandate and in its items, and the
 * items that fit best. */
static void explain_rank(kt_profiles *p, const pbody *b, const qterm *q, size_t nq, kt_body_rank *r)
{
    double contrib[MAX_TEXT_TERMS], count[MAX_TEXT_TERMS];
    for (size_t i = 0; i < nq; i++) {
        const kt_sim_term *m = find_term(b->mand, b->nmand, q[i].term);
        contrib[i] = m ? q[i].w * profile_weight(p, q[i].term, m->weight) : 0;
        count[i] = 0;
    }
    words_of(p, q, contrib, nq, r->mandate_words, sizeof r->mandate_words);
    ranked_item best[KT_PROF_ITEMS] = {{0}};
    for (uint32_t k = 0; k < b->nitems; k++) {
        uint32_t slot = p->item_slots[b->items + k];
        kt_sim_item it;
        if (!kt_similar_slot_item(p->s, slot, &it) || it.id != p->items[b->items + k]) {
            if (kt_similar_item_slot(p->s, p->items[b->items + k], &slot) ||
                !kt_similar_slot_item(p->s, slot, &it))
                continue; /* removed since the build */
        }
        if (it.body != b->id)
            continue;
        uint64_t title;
        double score = item_match(p, slot, q, nq, count, &title);
        if (score <= 0)
            continue;
        r->matching_items++;
        keep_item(best, (ranked_item){it.id, it.day, score, title});
    }
    double all = 0, have = 0;
    for (size_t i = 0; i < nq; i++) {
        all += q[i].w;
        have += contrib[i] > 0 || count[i] > 0 ? q[i].w : 0;
    }
    r->coverage = all > 0 ? have / all : 0;
    for (size_t i = 0; i < nq; i++)
        contrib[i] = count[i] > 0 ? q[i].w * log1p(count[i]) : 0;
    words_of(p, q, contrib, nq, r->agenda_words, sizeof r->agenda_words);
    for (int k = 0; k < KT_PROF_ITEMS; k++)
        r->items[k] = best[k].id;
}

int kt_profiles_rank(kt_profiles *p, const char *text, const char *scope, kt_body_rank *out,
                     size_t max)
{
    if (!p->built)
        return KT_ESTATE;
    if (p->mands_dirty && mandates_rebuild(p))
        return KT_ENOMEM;
    if (scratch_bodies(p))
        return KT_ENOMEM;
    int n = kt_similar_text_terms(p->s, text, NULL, false, p->terms, MAX_TEXT_TERMS);
    if (n <= 0 || !max)
        return n < 0 ? n : 0;
    qterm q[MAX_TEXT_TERMS];
    double qnorm = 0;
    for (int i = 0; i < n; i++) {
        uint32_t t = p->terms[i].term;
        q[i] = (qterm){t, p->terms[i].weight * term_factor(p, t)};
        qnorm += q[i].w * q[i].w;
    }
    qnorm = sqrt(qnorm);
    if (qnorm <= 0)
        return 0;
    bool any = !scope || !*scope;
    uint32_t qscope = 0;
    if (!any) { /* looked up, never added: a query does not grow the index */
        int rc = kt_similar_scope_find(p->s, scope, &qscope);
        if (rc == KT_ENOTFOUND)
            any = true;
        else if (rc)
            return rc;
    }
    size_t nscopes = kt_similar_scope_count(p->s);
    if (grow((void **)&p->srow, &p->srow_cap, nscopes, 1))
        return KT_ENOMEM;
    memset(p->srow, -1, p->srow_cap);
    if (++p->query == 0) { /* the stamp wrapped: forget every old one */
        memset(p->stamp, 0, p->bcap * sizeof *p->stamp);
        p->query = 1;
    }
    size_t nt = 0;
    for (int i = 0; i < n; i++) {
        if (q[i].w <= 0)
            continue;
        rank_mandates(p, &q[i], &nt);
        uint32_t df = kt_similar_term_df(p->s, q[i].term);
        if (df <= RANK_SCAN_DF)
            rank_rare(p, &q[i], &nt);
        else
            rank_common(p, &q[i], &nt);
    }
    size_t nr = 0;
    for (size_t i = 0; i < nt; i++) {
        uint32_t bi = p->touched[i];
        const pbody *b = &p->bodies[bi];
        if (!scope_ok(p, any, qscope, b->scope))
            continue;
        double m = p->am[bi] / qnorm, a = p->aa[bi] / qnorm;
        m = m > 1 ? 1 : m;
        a = a > 1 ? 1 : a;
        kt_body_rank r = {.body_id = b->id, .mandate = m, .agenda = a};
        r.score = KT_PROF_MANDATE_SHARE * m + (1 - KT_PROF_MANDATE_SHARE) * a;
        if (r.score < KT_PROF_MIN_SCORE)
            continue;
        if (nr < max) {
            out[nr++] = r;
            if (nr == max)
                qsort(out, nr, sizeof *out, cmp_rank);
        } else if (cmp_rank(&r, &out[max - 1]) < 0) {
            size_t k = max - 1; /* insert in order */
            while (k > 0 && cmp_rank(&r, &out[k - 1]) < 0) {
                out[k] = out[k - 1];
                k--;
            }
            out[k] = r;
        }
    }
    qsort(out, nr, sizeof *out, cmp_rank);
    for (size_t i = 0; i < nr; i++)
        explain_rank(p, body_get(p, out[i].body_id), q, (size_t)n, &out[i]);
    return (int)nr;
}

/* --- the overlap map ---------------------------------------------------------------------- */

typedef struct pairs_out {
    kt_body_pair *v;
    size_t n, cap;
} pairs_out;

/* The cosine of two signatures, and the words that weigh most in it. */
static double sig_dot(const kt_profiles *p, const pbody *a, const pbody *b, char *shared, size_t n)
{
    const kt_sim_term *x = p->sig + a->sig, *y = p->sig + b->sig;
    kt_sim_term both[KT_PROF_SIGNATURE];
    size_t nboth = 0;
    double dot = 0;
    for (uint32_t i = 0, j = 0; i < a->nsig && j < b->nsig;) {
        if (x[i].term < y[j].term) {
            i++;
        } else if (x[i].term > y[j].term) {
            j++;
        } else {
            float c = x[i].weight * y[j].weight;
            dot += c;
            both[nboth++] = (kt_sim_term){x[i].term, c};
            i++;
            j++;
        }
    }
    if (shared)
        list_words(p, both, nboth, shared, n);
    return dot;
}

static int cmp_pair(const void *a, const void *b)
{
    const kt_body_pair *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

/* First index in [at, at + n) of a posting list whose rank is >= r. */
static uint32_t lower_bound(const plist *l, uint32_t at, uint32_t n, uint32_t r)
{
    uint32_t lo = at, hi = at + n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (l->body[mid] < r)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The scopes a body of scope c can share a subject with that have bodies, ascending, into
 * p->compat; true when they hold so many of the bodies that walking whole lists is cheaper. */
static int compatible_scopes(kt_profiles *p, uint32_t c, bool *walk_all)
{
    p->ncompat = 0;
    size_t bodies = 0;
    for (uint32_t x = 0; x < p->nscopes; x++) {
        uint32_t n = p->scope_start[x + 1] - p->scope_start[x];
        if (!n || !kt_similar_scopes_compatible(p->s, c, x))
            continue;
        if (grow((void **)&p->compat, &p->compat_cap, p->ncompat + 1, sizeof *p->compat))
            return KT_ENOMEM;
        p->compat[p->ncompat++] = x;
        bodies += n;
    }
    *walk_all = p->ncompat > 16 || bodies * 2 > p->nranked;
    return 0;
}

static void pair_add(kt_profiles *p, uint32_t r, float w, size_t *nt)
{
    uint32_t b = p->by_rank[r];
    touch(p, b, nt);
    p->aa[b] += w;
}

/* Accumulates the partial cosine of the body of rank ra with every body of a higher rank in
 * a compatible scope that shares a signature term whose list is short enough; returns how many
 * were touched (p->touched). */
static size_t pair_candidates(kt_profiles *p, uint32_t ra, bool walk_all)
{
    const pbody *ba = &p->bodies[p->by_rank[ra]];
    size_t nt = 0;
    for (uint32_t i = 0; i < ba->nsig; i++) {
        const kt_sim_term *x = &p->sig[ba->sig + i];
        uint32_t at, n;
        plist_get(&p->sigs, x->term, &at, &n);
        if (n > PAIR_MAX_LIST)
            continue;
        if (walk_all) {
            for (uint32_t k = lower_bound(&p->sigs, at, n, ra + 1); k < at + n; k++) {
                uint32_t rb = p->sigs.body[k];
                if (scope_ok(p, false, ba->scope, p->bodies[p->by_rank[rb]].scope))
                    pair_add(p, rb, x->weight * p->sigs.w[k], &nt);
            }
            continue;
        }
        for (size_t c = 0; c < p->ncompat; c++) {
            uint32_t lo = p->scope_start[p->compat[c]], hi = p->scope_start[p->compat[c] + 1];
            if (hi <= ra + 1)
                continue;
            uint32_t k = lower_bound(&p->sigs, at, n, lo > ra + 1 ? lo : ra + 1);
            for (; k < at + n && p->sigs.body[k] < hi; k++)
                pair_add(p, p->sigs.body[k], x->weight * p->sigs.w[k], &nt);
        }
    }
    return nt;
}

static int emit_pair(kt_profiles *p, pairs_out *o, const pbody *a, const pbody *b, double min)
{
    kt_body_pair pr = {.a = a->id < b->id ? a->id : b->id, .b = a->id < b->id ? b->id : a->id};
    pr.score = sig_dot(p, a, b, pr.shared, sizeof pr.shared);
    if (pr.score < min)
        return 0;
    if (pr.score > 1)
        pr.score = 1;
    if (grow((void **)&o->v, &o->cap, o->n + 1, sizeof *o->v))
        return KT_ENOMEM;
    o->v[o->n++] = pr;
    return 0;
}

int kt_profiles_pairs(kt_profiles *p, double min_score, kt_body_pair **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!(min_score > 0))
        return KT_EINVAL;
    if (!p->built)
        return KT_ESTATE;
    if (scratch_bodies(p))
        return KT_ENOMEM;
    pairs_out o = {0};
    uint32_t row_scope = UINT32_MAX;
    bool walk_all = true;
    int rc = 0;
    /* Only the bodies ranked at the build: one declared since has no signature yet. */
    for (uint32_t ra = 0; !rc && ra < p->nranked; ra++) {
        const pbody *ba = &p->bodies[p->by_rank[ra]];
        if (!ba->nsig)
            continue;
        if (ba->scope != row_scope) { /* a new run of ranks: the scopes it can pair with */
            size_t nscopes = kt_similar_scope_count(p->s);
            rc = grow((void **)&p->srow, &p->srow_cap, nscopes, 1);
            if (!rc)
                rc = compatible_scopes(p, ba->scope, &walk_all);
            if (rc)
                break;
            memset(p->srow, -1, p->srow_cap);
            row_scope = ba->scope;
        }
        if (++p->query == 0) {
            memset(p->stamp, 0, p->bcap * sizeof *p->stamp);
            p->query = 1;
        }
        size_t nt = pair_candidates(p, ra, walk_all);
        for (size_t i = 0; !rc && i < nt; i++) {
            uint32_t b = p->touched[i];
            if (p->aa[b] >= PAIR_CANDIDATE * min_score)
                rc = emit_pair(p, &o, ba, &p->bodies[b], min_score);
        }
    }
    if (rc) {
        free(o.v);
        return rc;
    }
    if (o.n)
        qsort(o.v, o.n, sizeof *o.v, cmp_pair);
    *out = o.v;
    *n = o.n;
    return 0;
}

size_t kt_profiles_memory(const kt_profiles *p)
{
    size_t m = sizeof *p + p->ids.cap * sizeof *p->ids.slots + p->bodies_cap * sizeof *p->bodies;
    for (size_t i = 0; i < p->nbodies; i++)
        m += p->bodies[i].nmand * sizeof(kt_sim_term);
    m += p->nterms * (sizeof *p->bdf + sizeof *p->tw) + p->nsig * sizeof *p->sig +
         p->nitems * sizeof *p->items;
    const plist *lists[] = {&p->sigs, &p->mands};
    for (size_t i = 0; i < 2; i++) {
        size_t entries = lists[i]->off ? lists[i]->off[lists[i]->nterms] : 0;
        m += (lists[i]->nterms + 1) * sizeof(uint32_t) + entries * (sizeof(uint32_t) + 4);
    }
    m += p->nranked * 2 * sizeof(uint32_t) + (p->nscopes + 2) * sizeof(uint32_t);
    m += p->nitems * sizeof *p->item_slots + p->nslots * sizeof *p->slot_owner;
    m += p->tcap * (sizeof *p->tacc + sizeof *p->ttouched);
    m += p->bcap * (3 * sizeof(float) + 3 * sizeof(uint32_t)) + p->srow_cap;
    return m + RANK_SCAN_DF * sizeof *p->slots;
}

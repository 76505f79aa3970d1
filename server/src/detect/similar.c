/* The duplicate-agenda-item index and its scoring; see similar.h for the contract.
 *
 * Layout, for ~1M items: every distinct stem is a term (id < 2^27) with a posting list of item
 * slots; every item keeps its term ids sorted, each tagged with where the term stood (title,
 * description) and how it was found (word, compound part, abbreviation expansion). A word cache
 * maps each folded surface form to its stem and compound parts, so stemming and splitting run
 * once per distinct word, not once per occurrence. */
#include "detect/similar.h"

#include "detect/regions.h"
#include "detect/strmap.h"
#include "detect/text.h"
#include "util/err.h"
#include "util/hugemem.h"
#include "util/imap.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- tuning ------------------------------------------------------------------------------ */

/* How much a term counts, by where it stands and how it was found. Chosen by two-fold
 * cross-validation on the development pairs (see README.md); the results are flat around
 * these values, so they are rounded, not fitted. DESC_WEIGHT: a description word against a
 * title word (0.4); DERIVED_MATCH: a word met through its parts or expansion against the word
 * itself (0.8). */
#define DESC_WEIGHT   KT_SIM_DESC_WEIGHT
#define DERIVED_MATCH KT_SIM_DERIVED_WEIGHT
#define FUZZY_MATCH   0.8  /* a word met with one letter off ("mensenhandle") */
#define OTHER_DESC    0.5  /* a word met only in the other item's description */
#define PLACE_PRIOR   0.4f /* names of municipalities and regions: where, not what */
#define NUMBER_PRIOR  0.3f /* years and other bare numbers */
#define RANGE_PRIOR   0.6f /* number ranges and case numbers: "2025-2026", "2025-04" */
#define GENERIC_PRIOR 0.2f /* at or below: a strongly generic word ("voortgang", "voorstel") */
#define SYN_MATCH     0.9  /* a word met through a "=" group of the vocabulary (other names) */
#define THEME_MATCH   0.6  /* ... through a "~" group (one theme) */
#define ASPECT_FACTOR 0.3  /* a pair whose titles take different aspects (kt_text_aspect_word) */
/* ... when a title names no aspect and its description does: a description says less about
 * what the item is for than its title, so the factor is milder */
#define ASPECT_DESC_FACTOR 0.5
/* An unknown word the word list cannot split takes its longest known ending of at least this
 * many letters as its head ("cyber|weerbaarheid"; kt_text_split_head); shorter endings split
 * names and misspellings */
#define HEAD_SPLIT 7

/* Candidate generation: walk the posting lists of the query's best terms, skipping terms in
 * more than this share of the corpus (they cannot make a pair on their own), within a budget
 * of postings, then score the best few candidates exactly. */
#define SCAN_MAX_SHARE 0.01
#define SCAN_MIN_DF    64
#define SCAN_BUDGET    100000
#define MAX_CANDIDATES 64

#define MAX_ITEM_TERMS 512 /* a pasted document is not an agenda item; keep the first terms */

/* --- terms and items ---------------------------------------------------------------------- */

#define TERM_BITS 26
#define TERM_MASK ((1u << TERM_BITS) - 1)
#define F_GROUPED (1u << 26) /* a word of a written-out abbreviation: present, but no unit */
#define F_TITLE   (1u << 27)
#define F_DESC    (1u << 28)
#define F_WHOLE   (1u << 29) /* the term is a word of the item */
#define F_PART    (1u << 30) /* ... a compound part or hyphen segment */
#define F_EXP     (1u << 31) /* ... from an abbreviation's expansion (never written) */
/* A unit is what coverage counts: a word of the item, or an abbreviation written out. */
#define IS_UNIT(e) (((e) & (F_WHOLE | F_GROUPED)) == F_WHOLE)
#define NO_TERM    UINT32_MAX

/* One item in a term's posting list. The scope and day ride along so that the walk over a
 * list can drop the items of other municipalities and other months without touching them. */
typedef struct posting {
    uint32_t slot;
    uint16_t scope; /* kt_scopes id, or POST_SCOPE_OTHER when it does not fit */
    uint16_t day;   /* days since POST_DAY_BASE, POST_DAY_BACKLOG or POST_DAY_OTHER */
} posting;

/* A list of this many bytes or more, empty before a bulk load's postings, goes in a block with
 * the others (post_pending) when they are POST_BLOCK_LISTS times as many bytes together. */
#define POST_BLOCK_LIST  ((size_t)64 << 10)
#define POST_BLOCK_LISTS 32

#define POST_SCOPE_OTHER UINT16_MAX /* check the item's own scope */
#define POST_DAY_BASE    10957      /* 2000-01-01 */
#define POST_DAY_BACKLOG UINT16_MAX
#define POST_DAY_OTHER   (UINT16_MAX - 1) /* before 2000 or after 2179: check the item's day */

typedef struct term {
    uint32_t key;  /* stem, offset in s->terms */
    uint32_t disp; /* display form, offset in s->disp (0: show the stem) */
    posting *post; /* the indexed items that have the term, confidential ones not */
    uint32_t df, cap;
    /* The confidential items that have it: a list of their own, so that nothing about them
     * (their number, their place in a list, the work they take) moves what the other items
     * are scored by, found with or found among. */
    posting *ppost;
    uint32_t pdf, pcap;
    float prior;
    int32_t abbr;     /* first abbreviation whose expansion starts with this term, or -1 */
    uint32_t derived; /* its compound parts or expansion: s->derived.v[derived ..] */
    uint8_t nderived;
    uint8_t len;    /* of the stem */
    uint8_t hints;  /* HINT_*: how the word has been written */
    uint8_t aspect; /* bit of the aspect it names (kt_text_aspect_word), 0: none */
    uint8_t nconcepts;
    bool post_block;   /* post lies in a block of s->blocks (post_pending), not malloc'd alone */
    uint32_t concepts; /* the vocabulary groups it is in: s->concept_of.v[concepts ..] */
    float learned;     /* what the chairs' decisions taught about the word (1: nothing) */
    int32_t phrase;    /* first vocabulary phrase that starts with this term, or -1 */
} term;

#define HINT_PLACE  1  /* written as a place name: "in Crabbehof" */
#define HINT_LOWER  2  /* written in lower case somewhere: not a name after all */
#define HINT_ABBR   4  /* an abbreviation, built in, taught or learned */
#define HINT_GROUP  8  /* not a word: a group of the domain vocabulary ("#jaarwisseling") */
#define HINT_PHRASE 16 /* not a word: a phrase of the vocabulary ("oud en nieuw") */

/* What reading a word asks of its term, a byte a term in s->tmark (the terms' own fields stay
 * what everything else reads): its hints (HINT_*), whether it has a display form, starts an
 * abbreviation's expansion or a phrase, is in a vocabulary group. At a million items the
 * 72-byte term of every word read was a cache miss or two a word; the bytes of the few thousand
 * words most text is made of stay in the cache. Written only through the term_* setters. */
#define TM_HINTS  0x1f
#define TM_DISP   0x20 /* term.disp != 0 */
#define TM_CHAIN  0x40 /* term.abbr >= 0 or term.phrase >= 0 */
#define TM_GROUPS 0x80 /* term.nconcepts > 0 */

/* A group of the domain vocabulary (vocabulary.txt): words and phrases that name one subject
 * ("=": explosie, ontploffing, plofkraak) or one theme ("~": jaarwisseling, vuurwerk, carbid,
 * vreugdevuur). Items are tagged with the groups of their words; a word of one item meets an
 * item that has its group, with the group's strength. */
typedef struct concept {
    uint32_t term; /* the group's own term, "#label", shown as the label */
    float strength;
}
concept;

/* A phrase of the vocabulary ("oud en nieuw"): its words in order, met as one unit. */
typedef struct phrase {
    uint32_t term; /* the phrase's own term: its stems joined by spaces */
    uint32_t *seq;
    uint8_t nseq;
    int32_t next; /* next phrase starting with the same term */
} phrase;

typedef struct wordinfo {
    uint32_t term;         /* stem of the whole word; NO_TERM for a stop word */
    bool maybe_procedural; /* see kt_text_maybe_procedural */
    /* For a word of one hyphen segment, whose folded form is its cache key: whether it is a
     * stop word, and the abbreviation its folded form is (-1: none; kept up to date by
     * kt_similar_add_abbreviation), so that a word is looked up once, not once per list. */
    bool stop;
    /* What on_word asks of every word of one segment, from its letters alone: whether it is
     * the noun of a function phrase (function_noun) and a word of the lexicon. */
    bool fnoun;
    bool known;
    int32_t abbr;
    uint8_t nparts;
    uint32_t parts[KT_TEXT_MAX_PARTS];
} wordinfo;

typedef struct abbrev {
    uint32_t term; /* the abbreviation's own term */
    uint32_t *exp; /* expansion terms with F_WHOLE/F_PART flags */
    uint32_t *seq; /* the expansion's words in order, to recognise it written out */
    uint8_t nexp, nseq;
    int32_t next;  /* next abbreviation whose expansion starts with the same term */
    char *display; /* "PmG (Preventie met Gezag)" */
} abbrev;

typedef struct item {
    int64_t id, body;
    uint32_t *terms; /* sorted by term id, with F_* flags */
    uint32_t scope;
    int32_t day;
    uint16_t nterms;
    bool procedural;
    bool live;
    bool private; /* confidential: never part of the corpus statistics others are scored by */
                  /* (and its slot's bit in private_bits) */
} item;

/* A word of the item being put, as acronym learning needs it. */
typedef struct logged_word {
    const char *orig;
    uint16_t orig_len;
    char initial;   /* folded first letter */
    bool stop;      /* a stop word: may be skipped or give its letter ("met" in PmG) */
    bool acronym;   /* looks like an acronym: 2..6 letters, two or more capitals */
    uint32_t word;  /* wordinfo index, or NO_TERM */
    char folded[8]; /* for acronyms */
} logged_word;

typedef struct wordlog {
    logged_word w[128];
    size_t n;
} wordlog;

/* Item term arrays come from big chunks, one free list per size: a million small mallocs cost
 * more time and memory than the arrays themselves, and agenda items have few sizes. Sizes are
 * rounded up to even so that a free array can hold the free list's next pointer. */
#define POOL_CHUNK (1u << 16) /* uint32s per chunk: 256 KiB */
/* ... and past this many chunks (a big index), chunks of a huge page each (hugemem.h) */
#define POOL_HUGE_AFTER 8

typedef struct term_pool {
    uint32_t *free[MAX_ITEM_TERMS + 2];
    uint32_t **chunks;
    size_t nchunks, chunks_cap;
    size_t used;  /* uint32s used in the last chunk */
    size_t len;   /* uint32s in the last chunk */
    size_t total; /* uint32s in all chunks */
} term_pool;

typedef struct vec32 {
    uint32_t *v;
    size_t n, cap;
} vec32;

struct kt_similar {
    kt_lexicon *lex;
    kt_stemmer *stem;
    kt_scopes *scopes;

    kt_strmap terms_map; /* stem -> term id */
    term *terms;
    size_t nterms, terms_cap;
    uint8_t *tmark; /* TM_* of each term, tmark_cap of them */
    size_t tmark_cap;
    char *disp;
    size_t disp_len, disp_cap;

    vec32 derived; /* see term.derived */

    kt_strmap words_map; /* folded word (segments joined by '-') -> wordinfo index */
    /* Compound parts and hyphen segments already read (folded -> term id, NO_TERM: not worth
     * a term, see part_worth): a part such as "woning" or "sluiting" is in many compounds,
     * and stemming it each time was a tenth of a build. A part's term depends on its letters
     * alone (the stemmer and the lexicon do not change after the first put). */
    kt_strmap parts_map;
    wordinfo *words;
    size_t nwords, words_cap;
    struct front_slot *front; /* words_map's recent answers (see words_get), or NULL */
    /* While a search text is analysed (kt_similar_text_terms without learn) nothing shared may
     * grow: a word the index has never seen is looked up, not added, and lands here. */
    bool frozen;
    wordinfo qword;
    /* While the vocabulary loads its words are no spellings to show: an item's own spelling
     * is ("handel" shows as the item wrote it, not as "voorbereidingshandelingen" did). */
    bool vocab_loading;

    kt_strmap abbr_map;  /* folded abbreviation -> abbrev index */
    size_t abbr_maxlen;  /* the longest key in abbr_map: longer words need no look-up */
    kt_strmap scope_ids; /* scope as given -> kt_scopes id: normalising once per name */
    abbrev *abbrs;
    size_t nabbrs, abbrs_cap;

    concept *concepts; /* the domain vocabulary: its groups, phrases and each term's groups */
    size_t nconcepts, concepts_cap;
    phrase *phrases;
    size_t nphrases, phrases_cap;
    vec32 concept_of;
    double syn_match, theme_match; /* strengths of "=" and "~" groups */
    /* Ties through the deployment's own items (see cooc_match); co_maxdf 0: relative. */
    double co_match, co_min, co_maxdf, co_gate;
    double aspect;      /* score factor of a pair whose titles take different aspects, 1: off */
    double aspect_desc; /* ... whose aspects differ only counting descriptions, 1: off */
    size_t head_split;  /* kt_text_split_head's shortest head (HEAD_SPLIT), 0: off */
    double learn_rate, learn_min; /* kt_similar_learn: LEARN_RATE, LEARN_MIN */
    float learn_specific;         /* LEARN_SPECIFIC */
    bool learn_aspect;            /* a dismissal the aspects explain teaches the words too */
    size_t npublic;               /* indexed items that are not confidential */
    uint64_t *private_bits;       /* slots of confidential items */
    size_t private_words;
    double one_word; /* 1: one shared word is no subject unless an abbreviation: a rule that fit
                        the development set and not the other region's (README.md); 0 now */

    uint64_t generation; /* puts and removes so far */
    term_pool pool;      /* item term arrays */
    /* Item id -> slot + 1. A store's ids are small and dense (1 up to about the number of items
     * ever made), so an array indexed by the id holds them: 4 bytes an id, where a hash map's
     * slot took 16 and a third of it empty (32 MiB of fresh memory at a million items), and
     * the build reads and writes it in the order of the ids instead of all over. An id the
     * array does not reach (0 or less, or far past the items: id_room) is in the map. */
    uint32_t *dense;
    size_t dense_cap;
    kt_imap ids;
    item *items;
    size_t nslots, slots_cap, nlive;
    vec32 free_slots;
    /* A bulk load (kt_similar_bulk_begin): the public postings of the items put since are not
     * in their lists yet; post_pending puts them there, in the order of the puts. */
    bool bulk;
    vec32 pending; /* slots, in the order they were put */
    /* ... and for each term, how many of them have it: counted as they are put (their terms
     * are at hand then), so that post_pending grows each list once by a sweep over the terms,
     * without reading every pending item twice more. pend_add[t] past pend_cap: 0. */
    uint32_t *pend_add;
    size_t pend_cap;
    /* Blocks of posting lists placed side by side by post_pending (term.post_block). */
    void **blocks;
    size_t nblocks;
    size_t post_block; /* bytes of an empty list that goes in a block (POST_BLOCK_LIST) */

    /* Scratch for one put or one query; the event loop runs one at a time. */
    vec32 entries, seq, seq_at;
    wordlog log;
    float *acc;
    uint8_t *state;
    uint64_t *co_mark; /* cooc_match: a bit per slot, all clear between calls */
    vec32 touched;
    struct cand *cands;
    size_t cands_cap;
    uint8_t *row;       /* compatible(query scope, posting scope), UINT16_MAX + 1 entries */
    uint32_t row_scope; /* the query scope row was computed for, UINT32_MAX: none */
    size_t row_nscopes; /* ... and the number of scopes then */
    double *contribs;   /* find: each scored candidate's contributions, for its explanation */
    size_t contribs_cap;
    /* term_weight's results during one find or pair_score (wc_on): a weight is a log, and
     * scoring 64 candidates both ways asks for the same few dozen terms thousands of times.
     * Valid while nothing changes, which holds within one call; wc_stamp[t] == wc_epoch. */
    double *wc;
    uint32_t *wc_stamp;
    size_t wc_cap;
    uint32_t wc_epoch;
    bool wc_on;
    bool find_plain; /* kt_similar_set("find_plain", 1): the reference path of find (tests) */
};

/* --- small helpers ------------------------------------------------------------------------ */

static int vec_push(vec32 *v, uint32_t x)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        uint32_t *p = realloc(v->v, cap * sizeof *p);
        if (!p)
            return KT_ENOMEM;
        v->v = p;
        v->cap = cap;
    }
    v->v[v->n++] = x;
    return 0;
}

/* Grows an array of elem-sized records to hold at least need; 0 or KT_ENOMEM. */
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
    kt_huge_advise(p, c * elem); /* the items of a big index: see hugemem.h */
    *arr = p;
    *cap = c;
    return 0;
}

/* Resizes an array of elem-sized records from had to cap records, the new ones zeroed; 0 or
 * KT_ENOMEM (the array as it was). */
static int resize_zeroed(void **arr, size_t had, size_t cap, size_t elem)
{
    void *p = realloc(*arr, cap * elem);
    if (!p)
        return KT_ENOMEM;
    if (cap > had)
        memset((char *)p + had * elem, 0, (cap - had) * elem);
    *arr = p;
    return 0;
}

static uint32_t disp_store(kt_similar *s, const char *text, size_t n)
{
    if (n > 48)
        n = 48;
    if (grow((void **)&s->disp, &s->disp_cap, s->disp_len + n + 1, 1))
        return 0;
    if (!s->disp_len)
        s->disp[s->disp_len++] = 0; /* offset 0 means "none" */
    uint32_t off = (uint32_t)s->disp_len;
    memcpy(s->disp + off, text, n);
    s->disp[off + n] = 0;
    s->disp_len += n + 1;
    return off;
}

/* The setters of what s->tmark mirrors. */
static void term_set_disp(kt_similar *s, uint32_t t, uint32_t disp)
{
    s->terms[t].disp = disp;
    if (disp)
        s->tmark[t] |= TM_DISP;
}

static void term_add_hints(kt_similar *s, uint32_t t, uint8_t hints)
{
    s->terms[t].hints |= hints;
    s->tmark[t] |= hints;
}

static void term_set_hints(kt_similar *s, uint32_t t, uint8_t hints)
{
    s->terms[t].hints = hints;
    s->tmark[t] = (uint8_t)((s->tmark[t] & ~TM_HINTS) | hints);
}

static const char *term_display(const kt_similar *s, uint32_t t)
{
    const term *tm = &s->terms[t];
    return tm->disp ? s->disp + tm->disp : kt_strmap_key(&s->terms_map, tm->key);
}

/* --- vocabulary --------------------------------------------------------------------------- */

static int term_get(kt_similar *s, const char *stem, size_t n, uint32_t *id)
{
    if (kt_strmap_get(&s->terms_map, stem, n, id))
        return 0;
    if (s->nterms > TERM_MASK)
        return KT_ENOMEM;
    if (grow((void **)&s->terms, &s->terms_cap, s->nterms + 1, sizeof *s->terms))
        return KT_ENOMEM;
    if (s->tmark_cap < s->terms_cap) {
        uint8_t *m = realloc(s->tmark, s->terms_cap);
        if (!m)
            return KT_ENOMEM;
        s->tmark = m;
        s->tmark_cap = s->terms_cap;
    }
    uint32_t key;
    *id = (uint32_t)s->nterms;
    if (kt_strmap_put(&s->terms_map, stem, n, *id, &key))
        return KT_ENOMEM;
    float prior = 1.0f;
    bool digits = false, alpha = false, hyphen = false;
    for (size_t i = 0; i < n; i++) {
        digits |= stem[i] >= '0' && stem[i] <= '9';
        alpha |= stem[i] >= 'a' && stem[i] <= 'z';
        hyphen |= stem[i] == '-';
    }
    if (digits && !alpha)
        prior = hyphen ? RANGE_PRIOR : NUMBER_PRIOR;
    s->terms[*id] = (term){
        .key = key, .prior = prior, .abbr = -1, .phrase = -1, .len = (uint8_t)n, .learned = 1};
    s->tmark[*id] = 0;
    s->nterms++;
    return 0;
}

static int stem_term(kt_similar *s, const char *folded, size_t n, uint32_t *id)
{
    char stem[KT_TEXT_MAX_WORD];
    size_t sn = kt_stemmer_stem(s->stem, folded, n, stem, sizeof stem);
    return term_get(s, stem, sn, id);
}

/* The term of a stem when frozen: known terms only (NO_TERM otherwise), nothing added. */
static int stem_term_or_none(kt_similar *s, const char *folded, size_t n, uint32_t *id)
{
    if (!s->frozen)
        return stem_term(s, folded, n, id);
    char stem[KT_TEXT_MAX_WORD];
    size_t sn = kt_stemmer_stem(s->stem, folded, n, stem, sizeof stem);
    if (!kt_strmap_get(&s->terms_map, stem, sn, id))
        *id = NO_TERM;
    return 0;
}

/* A hyphen segment or compound part worth a term: two characters or more, not a stop word,
 * not a bare small number ("mbo-2"). */
static bool part_worth(const char *p, size_t n)
{
    if (n < 2 || n >= KT_TEXT_MAX_WORD)
        return false;
    char w[KT_TEXT_MAX_WORD];
    memcpy(w, p, n);
    w[n] = 0;
    if (kt_text_is_stopword(w))
        return false;
    bool digits_only = true;
    for (size_t i = 0; i < n; i++)
        digits_only &= w[i] >= '0' && w[i] <= '9';
    return !(digits_only && n <= 2);
}

/* The word cache is asked once per word of every indexed text, and a few thousand words are
 * most of all text: a direct-mapped table in front of words_map answers for them with one hash
 * of three eight-byte blocks and one comparison, without the map's probing. A slot holds a key
 * of up to FRONT_KEY bytes, zero-padded (len 0 is an empty slot), the word's index and a copy
 * of its wordinfo, in one cache line: at a million items the slot and the word's record were
 * two cache misses a word. It only repeats what words_map and s->words say (an answer never
 * changes once given, but for the abbreviation a word is, which front_set_abbr keeps), so it
 * is dropped with the map. */
#define FRONT_BITS 14
#define FRONT_KEY  24
_Static_assert(KT_TEXT_MAX_WORD >= FRONT_KEY, "front_of reads FRONT_KEY bytes of a word");

typedef struct front_slot {
    uint64_t key[FRONT_KEY / 8];
    uint32_t len;
    uint32_t idx;
    wordinfo wi; /* s->words[idx] */
} front_slot;
_Static_assert(sizeof(front_slot) == 64, "a front slot is one cache line");

/* The first k bytes of an eight-byte block, the rest zero (k may be past the block). */
static inline uint64_t block_head(uint64_t b, size_t k)
{
    if (k >= 8)
        return b;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return k ? b & ~(~(uint64_t)0 >> (8 * k)) : 0;
#else
    return b & (((uint64_t)1 << (8 * k)) - 1);
#endif
}

/* key must be readable for FRONT_KEY bytes (the bytes past n are masked off): a word's folded
 * buffer is, and the multi-segment key of word_analyse_slow is. */
static inline front_slot *front_of(const kt_similar *s, const char *key, size_t n, uint64_t q[3])
{
    memcpy(q, key, FRONT_KEY); /* three loads instead of a call to copy n bytes */
    q[0] = block_head(q[0], n);
    q[1] = block_head(q[1], n > 8 ? n - 8 : 0);
    q[2] = block_head(q[2], n > 16 ? n - 16 : 0);
    uint64_t h = q[0] * 0x9e3779b97f4a7c15ull ^ q[1] * 0xc2b2ae3d27d4eb4full ^
                 q[2] * 0x165667b19e3779f9ull ^ n;
    h ^= h >> 31;
    h *= 0xff51afd7ed558ccdull;
    return &s->front[h >> (64 - FRONT_BITS)];
}

#define FRONT_BYTES (((size_t)1 << FRONT_BITS) * sizeof(front_slot))

/* words_map's value for key, looked up in front first: the word's record (valid until the
 * next look-up) and its index *idx, or NULL when the word is not in the cache. */
static const wordinfo *words_get(kt_similar *s, const char *key, size_t n, uint32_t *idx)
{
    if (!s->front && (s->front = aligned_alloc(64, FRONT_BYTES))) /* a slot a cache line */
        memset(s->front, 0, FRONT_BYTES);
    if (n > FRONT_KEY || !s->front) /* slower, not wrong */
        return kt_strmap_get(&s->words_map, key, n, idx) ? &s->words[*idx] : NULL;
    uint64_t q[3];
    front_slot *f = front_of(s, key, n, q);
    if (f->len == n && f->key[0] == q[0] && f->key[1] == q[1] && f->key[2] == q[2]) {
        *idx = f->idx;
        return &f->wi;
    }
    if (!kt_strmap_get(&s->words_map, key, n, idx))
        return NULL;
    *f = (front_slot){
        .key = {q[0], q[1], q[2]}, .len = (uint32_t)n, .idx = *idx, .wi = s->words[*idx]};
    return &f->wi;
}

/* The abbreviation of word idx (key, n) changed in s->words: its copy in front too. */
static void front_set_abbr(kt_similar *s, const char *key, size_t n, uint32_t idx)
{
    if (!s->front || n > FRONT_KEY)
        return;
    char k[FRONT_KEY] = {0};
    memcpy(k, key, n);
    uint64_t q[3];
    front_slot *f = front_of(s, k, n, q);
    if (f->len && f->idx == idx)
        f->wi.abbr = s->words[idx].abbr;
}

static void front_clear(kt_similar *s)
{
    if (s->front)
        memset(s->front, 0, FRONT_BYTES);
}

static bool function_noun(const char *f, size_t n);

/* Stem and parts of a word, computed once per distinct folded form; on_word asks the front of
 * the cache itself (front_find) for the common case, a word of one segment seen before. */
static __attribute__((noinline)) int word_analyse_slow(kt_similar *s, const kt_word *w,
                                                       const wordinfo **out, uint32_t *widx)
{
    char buf[KT_TEXT_MAX_WORD + KT_TEXT_MAX_SEG];
    const char *key = w->folded; /* a word of one segment is its own key */
    size_t kn = w->len;
    if (w->nseg > 1) {
        kn = 0;
        memset(buf, 0, FRONT_KEY); /* front_of reads that much */
        for (uint8_t i = 0; i < w->nseg; i++) {
            if (i && kn < sizeof buf - 1)
                buf[kn++] = '-';
            size_t n = w->seg_len[i];
            if (kn + n >= sizeof buf)
                n = sizeof buf - 1 - kn;
            memcpy(buf + kn, w->folded + w->seg_off[i], n);
            kn += n;
        }
        key = buf;
    }
    uint32_t idx;
    if ((*out = words_get(s, key, kn, &idx))) {
        *widx = idx;
        return 0;
    }
    *widx = NO_TERM;
    wordinfo wi = {.term = NO_TERM, .maybe_procedural = true, .abbr = -1};
    for (uint8_t i = 0; i < w->nseg; i++) {
        char seg[KT_TEXT_MAX_WORD];
        memcpy(seg, w->folded + w->seg_off[i], w->seg_len[i]);
        seg[w->seg_len[i]] = 0;
        wi.maybe_procedural &= kt_text_maybe_procedural(seg, w->seg_len[i]);
    }
    bool stop = w->nseg == 1 && kt_text_is_stopword(w->folded);
    wi.stop = stop;
    wi.fnoun = w->nseg == 1 && function_noun(w->folded, w->len);
    wi.known = w->nseg == 1 && kt_lexicon_has(s->lex, w->folded, w->len);
    uint32_t ab;
    if (w->nseg == 1 && w->len <= s->abbr_maxlen &&
        kt_strmap_get(&s->abbr_map, w->folded, w->len, &ab))
        wi.abbr = (int32_t)ab;
    int rc = stop ? 0 : stem_term_or_none(s, w->folded, w->len, &wi.term);
    uint8_t off[KT_TEXT_MAX_PARTS], len[KT_TEXT_MAX_PARTS];
    int np = 0;
    if (w->nseg > 1) {
        for (uint8_t i = 0; i < w->nseg && np < KT_TEXT_MAX_PARTS; i++, np++) {
            off[np] = w->seg_off[i];
            len[np] = w->seg_len[i];
        }
    } else if (!stop) {
        np = kt_text_split_compound(s->lex, w->folded, w->len, off, len);
        if (!np && s->head_split)
            np = kt_text_split_head(s->lex, w->folded, w->len, s->head_split, off, len);
    }
    for (int i = 0; !rc && i < np; i++) {
        const char *p = w->folded + off[i];
        uint32_t t;
        if (!kt_strmap_get(&s->parts_map, p, len[i], &t)) {
            t = NO_TERM;
            if (part_worth(p, len[i]))
                rc = stem_term_or_none(s, p, len[i], &t);
            /* A search text grows nothing (and an unknown part may be a term later); a full
             * map only answers more slowly. */
            if (!rc && !s->frozen)
                (void)kt_strmap_put(&s->parts_map, p, len[i], t, NULL);
        }
        if (!rc && t != wi.term && t != NO_TERM) {
            wi.parts[wi.nparts++] = t;
            if (!s->frozen && !s->vocab_loading && !(s->tmark[t] & TM_DISP))
                term_set_disp(s, t, disp_store(s, p, len[i]));
        }
    }
    if (s->frozen) { /* a search text: what is known of the word, and nothing kept */
        s->qword = wi;
        *out = &s->qword;
        return rc;
    }
    if (!rc && !stop && w->nseg == 1 && kt_scopes_is_place(s->scopes, w->folded) &&
        s->terms[wi.term].prior > PLACE_PRIOR)
        s->terms[wi.term].prior = PLACE_PRIOR;
    /* The first spelling of a word decides its parts for all its spellings. */
    term *tm = stop ? NULL : &s->terms[wi.term];
    if (!rc && wi.nparts && !tm->nderived) {
        /* A compound of generic words is generic ("voortgangsrapportage", "projectplan",
         * "tussenevaluatie"): it is as specific as its most specific part. */
        float prior = 0;
        for (uint8_t i = 0; i < wi.nparts; i++)
            if (s->terms[wi.parts[i]].prior > prior)
                prior = s->terms[wi.parts[i]].prior;
        if (prior < tm->prior)
            tm->prior = prior;
        tm->derived = (uint32_t)s->derived.n;
        for (uint8_t i = 0; !rc && i < wi.nparts; i++)
            rc = vec_push(&s->derived, wi.parts[i]);
        s->terms[wi.term].nderived = wi.nparts;
    }
    if (rc)
        return rc;
    if (grow((void **)&s->words, &s->words_cap, s->nwords + 1, sizeof *s->words))
        return KT_ENOMEM;
    idx = (uint32_t)s->nwords;
    if (kt_strmap_put(&s->words_map, key, kn, idx, NULL))
        return KT_ENOMEM;
    s->words[s->nwords++] = wi;
    *out = &s->words[idx];
    *widx = idx;
    return 0;
}

/* The front slot of a word of one segment, or NULL: as words_get, without a call and without
 * filling the slot (nothing changes). */
static inline const front_slot *front_find(const kt_similar *s, const kt_word *w)
{
    if (w->nseg != 1 || w->len > FRONT_KEY || !s->front)
        return NULL;
    uint64_t q[3];
    const front_slot *f = front_of(s, w->folded, w->len, q);
    bool hit = f->len == w->len && f->key[0] == q[0] && f->key[1] == q[1] && f->key[2] == q[2];
    return hit ? f : NULL;
}

/* --- analysing text ------------------------------------------------------------------------ */

typedef struct analysis {
    kt_similar *s;
    uint32_t field;       /* F_TITLE or F_DESC */
    bool expand;          /* look words up as abbreviations (not inside an expansion) */
    vec32 *entries;       /* term | flags */
    vec32 *seq;           /* whole-word terms in order, for written-out abbreviations */
    vec32 *seq_at;        /* index in entries of each seq element (NULL when not needed) */
    wordlog *log;         /* the item's words, for learning acronyms (NULL when not needed) */
    bool subject;         /* a word that no procedural title has was seen */
    bool places;          /* learn local place names ("in Nieuwland en Oost") */
    uint8_t place_state;  /* 0, PLACE_AFTER_IN or PLACE_IN_NAME */
    const char *prev_end; /* end of the previous word in the text */
    char prev[8];         /* the previous word, folded, when short (a preposition) */
    int rc;
} analysis;

static inline void log_word(wordlog *log, const kt_word *w, bool stop, uint32_t word)
{
    if (!log || log->n == sizeof log->w / sizeof log->w[0])
        return;
    logged_word *l = &log->w[log->n++];
    l->orig = w->orig; /* field by field: folded is read only for an acronym */
    l->orig_len = (uint16_t)(w->orig_len < 200 ? w->orig_len : 200);
    l->initial = w->folded[0];
    l->stop = stop;
    l->word = word;
    l->acronym = w->nseg == 1 && !w->digits && w->len >= 2 && w->len <= 6 && w->upper >= 2;
    l->folded[0] = 0;
    if (l->acronym)
        memcpy(l->folded, w->folded, w->len + 1u);
}

/* Local place names. Municipalities and regions are known (regions.h); neighbourhoods, streets
 * and villages are not, yet agendas name them all the time ("overlast in Crabbehof",
 * "participatie in Nieuwland en Oost"), and two items that share only a neighbourhood share a
 * where, not a what. A capitalised word right after "in" (and the names coordinated with it:
 * "in Crabbehof, Wielwijk en Krispijn", "in Dordt West") that is not an abbreviation, not an
 * acronym and not an ordinary word of the lexicon is taken for a place and weighs as one. */
#define PLACE_AFTER_IN 1
#define PLACE_IN_NAME  2

static bool sentence_break(const char *from, const char *to)
{
    /* asked for the bytes between every two words: one table look-up a byte */
    static const bool brk[256] = {['.'] = true, [':'] = true, [';'] = true, ['?'] = true,
                                  ['!'] = true, ['('] = true, [')'] = true, ['\n'] = true};
    for (const char *p = from; p && p < to; p++)
        if (brk[(unsigned char)*p])
            return true;
    return false;
}

static bool looks_like_name(const kt_word *w, const wordinfo *wi)
{
    if (!w->alpha || w->digits || w->orig[0] < 'A' || w->orig[0] > 'Z' || w->upper > w->nseg)
        return false;
    /* a word of 3 letters or more has been analysed (wi); one of one segment is its own key */
    return w->len >= 3 && !(wi && w->nseg == 1 ? wi->stop : kt_text_is_stopword(w->folded));
}

/* Follows the words of a field; true when w (analysed as wi, or NULL) is a place name to
 * learn. */
static bool place_name(analysis *a, const kt_word *w, const wordinfo *wi)
{
    uint8_t state = a->place_state;
    if (sentence_break(a->prev_end, w->orig))
        state = 0;
    a->prev_end = w->orig + w->orig_len;
    a->place_state = 0;
    if (w->len == 2 && !memcmp(w->folded, "in", 2)) {
        a->place_state = PLACE_AFTER_IN;
        return false;
    }
    if (!state)
        return false;
    if (state == PLACE_IN_NAME && w->len == 2 && !memcmp(w->folded, "en", 2)) {
        a->place_state = PLACE_AFTER_IN; /* "Nieuwland en Oost" */
        return false;
    }
    if (!looks_like_name(w, wi))
        return false;
    a->place_state = PLACE_IN_NAME;
    /* "Oud-Krispijn" and "West" continue a name, but only a single unknown word is learned */
    return w->nseg == 1 && !(wi ? wi->known : kt_lexicon_has(a->s->lex, w->folded, w->len));
}

/* The abbreviation a word (or one of its hyphen segments) stands for, or -1. A lower-case
 * stop word is never an abbreviation: "om" is not "OM". */
static int32_t abbrev_of(const kt_similar *s, const kt_word *w, const char *p, size_t n)
{
    uint32_t idx;
    if (n > s->abbr_maxlen || !kt_strmap_get(&s->abbr_map, p, n, &idx))
        return -1;
    if (!w->upper && !w->digits) {
        char f[KT_TEXT_MAX_WORD];
        memcpy(f, p, n);
        f[n] = 0;
        if (kt_text_is_stopword(f))
            return -1;
    }
    return (int32_t)idx;
}

static int add_abbrev_terms(analysis *a, int32_t ab)
{
    const abbrev *x = &a->s->abbrs[ab];
    int rc = vec_push(a->entries, x->term | a->field | F_EXP);
    for (uint8_t i = 0; !rc && i < x->nexp; i++)
        rc = vec_push(a->entries, (x->exp[i] & TERM_MASK) | a->field | F_EXP);
    return rc;
}

/* The abbreviation a word or one of its hyphen segments stands for, or -1. A word of one
 * segment has it in its cache entry (wi). */
static int32_t word_abbrev(const kt_similar *s, const kt_word *w, const wordinfo *wi)
{
    if (w->nseg == 1) /* as abbrev_of, without a look-up */
        return wi->abbr >= 0 && !w->upper && !w->digits && wi->stop ? -1 : wi->abbr;
    int32_t ab = abbrev_of(s, w, w->folded, w->len);
    for (uint8_t i = 0; ab < 0 && w->nseg > 1 && i < w->nseg; i++)
        ab = abbrev_of(s, w, w->folded + w->seg_off[i], w->seg_len[i]);
    return ab;
}

/* Nouns that, between a preposition and "van"/"tot"/"met", make a function phrase and name no
 * subject: "op grond van", "op basis van", "aan de hand van", "in het licht van", "naar
 * aanleiding van", "met betrekking tot", "in verband met", "ten aanzien van", "door middel
 * van", "als gevolg van", "in plaats van", "in de vorm van", "met het oog op", "in de loop
 * van", "op het vlak van". */
static bool function_noun(const char *f, size_t n)
{
    /* Asked for every word: most words are rejected by length or first letter. */
    if (n < 3 || n > 10 || f[0] < 'a' || f[0] > 'v' ||
        !((1u << (f[0] - 'a')) & (1u << ('a' - 'a') | 1u << ('b' - 'a') | 1u << ('g' - 'a') |
                                  1u << ('h' - 'a') | 1u << ('l' - 'a') | 1u << ('m' - 'a') |
                                  1u << ('o' - 'a') | 1u << ('p' - 'a') | 1u << ('v' - 'a'))))
        return false;
    static const char *const nouns[] = {
        "aanleiding", "aanzien", "basis",  "behoeve", "betrekking", "gevolg",  "grond", "hand",
        "licht",      "loop",    "middel", "oog",     "plaats",     "verband", "vlak",  "vorm"};
    for (size_t i = 0; i < sizeof nouns / sizeof nouns[0]; i++)
        if (strlen(nouns[i]) == n && !memcmp(nouns[i], f, n))
            return true;
    return false;
}

/* Whether w, a function noun (see function_noun), after the previous word a->prev, is the noun
 * of a function phrase: a preposition before it (articles aside), "van", "tot", "met" or "op"
 * after. */
static bool in_function_phrase(const analysis *a, const kt_word *w)
{
    static const char *const before[] = {"op",  "aan",  "ten", "ter", "in", "door",
                                         "met", "naar", "als", "het", "de"};
    static const char *const after[] = {"van", "tot", "met", "op"};
    bool prep = false;
    for (size_t i = 0; i < sizeof before / sizeof before[0]; i++)
        prep |= !strcmp(a->prev, before[i]);
    if (!prep)
        return false;
    const char *p = w->orig + w->orig_len;
    while (*p == ' ' || *p == '\t')
        p++;
    for (size_t i = 0; i < sizeof after / sizeof after[0]; i++) {
        size_t n = strlen(after[i]);
        if (!strncasecmp(p, after[i], n) && !((p[n] | 0x20) >= 'a' && (p[n] | 0x20) <= 'z'))
            return true;
    }
    return false;
}

static void remember_word(analysis *a, const kt_word *w)
{
    if (w->len < sizeof a->prev) { /* folded holds KT_TEXT_MAX_WORD bytes: a fixed copy */
        memcpy(a->prev, w->folded, sizeof a->prev);
        a->prev[w->len] = 0;
    } else {
        a->prev[0] = 0;
    }
}

static int on_word(const kt_word *w, void *ctx)
{
    analysis *a = ctx;
    kt_similar *s = a->s;
    /* "12 maart", "23 gemeenten": a word of one letter or a short number is no term */
    bool analyse = w->len >= 2 && (w->alpha || w->len > 2);
    const front_slot *f = analyse ? front_find(s, w) : NULL;
    if ((f ? f->wi.fnoun : function_noun(w->folded, w->len)) && in_function_phrase(a, w)) {
        remember_word(a, w);
        log_word(a->log, w, true, NO_TERM);
        return 0;
    }
    remember_word(a, w);
    const wordinfo *wi = NULL;
    uint32_t widx = NO_TERM;
    if (f) {
        wi = &f->wi;
        widx = f->idx;
    } else if (analyse) {
        a->rc = word_analyse_slow(s, w, &wi, &widx);
        if (a->rc)
            return 1;
    }
    bool place = a->places && place_name(a, w, wi);
    if (w->len < 2) {
        log_word(a->log, w, true, NO_TERM);
        return 0;
    }
    if (!wi)
        return 0;
    a->subject |= !wi->maybe_procedural;
    int32_t ab = a->expand ? word_abbrev(s, w, wi) : -1;
    uint32_t t = wi->term;
    /* the term's own record is written only when its hint is new (see TM_HINTS) */
    if (a->places && t != NO_TERM && ab < 0 && place) {
        if (!(s->tmark[t] & HINT_PLACE))
            term_add_hints(s, t, HINT_PLACE);
    } else if (a->places && t != NO_TERM && ab < 0 && w->orig[0] >= 'a' && w->orig[0] <= 'z') {
        if (!(s->tmark[t] & HINT_LOWER))
            term_add_hints(s, t, HINT_LOWER);
    }
    uint32_t nparts = wi->nparts, parts[KT_TEXT_MAX_PARTS];
    memcpy(parts, wi->parts, sizeof parts); /* wi moves when the word cache grows */
    if (t == NO_TERM) { /* a stop word, unless it is a capitalised abbreviation: "OM" */
        if (ab < 0) {
            /* a search text's unknown compound still meets through its known parts */
            for (uint32_t i = 0; s->frozen && !a->rc && i < nparts; i++)
                a->rc = vec_push(a->entries, parts[i] | a->field | F_PART);
            log_word(a->log, w, true, NO_TERM);
            return a->rc ? 1 : 0;
        }
        t = s->abbrs[ab].term;
        nparts = 0;
    }
    log_word(a->log, w, false, s->frozen ? NO_TERM : widx);
    if (!s->frozen && !s->vocab_loading && !(s->tmark[t] & TM_DISP)) {
        size_t n = w->orig_len < 48 ? w->orig_len : 48;
        term_set_disp(s, t, disp_store(s, w->orig, n));
    }
    if (nparts && (s->tmark[t] & TM_HINTS) == HINT_PLACE)
        nparts = 0; /* "Wielwijk" is a name, not a wheel and a neighbourhood */
    a->rc = vec_push(a->entries, t | a->field | F_WHOLE);
    for (uint32_t i = 0; !a->rc && i < nparts; i++)
        a->rc = vec_push(a->entries, parts[i] | a->field | F_PART);
    if (!a->rc && a->seq_at)
        a->rc = vec_push(a->seq_at, (uint32_t)(a->entries->n - 1 - nparts));
    if (!a->rc && a->seq)
        a->rc = vec_push(a->seq, t);
    if (!a->rc && ab >= 0)
        a->rc = add_abbrev_terms(a, ab);
    return a->rc ? 1 : 0;
}

/* Abbreviations written out: "Preventie met Gezag" counts as one unit, "PmG", so that it
 * weighs as much as the abbreviation does elsewhere; its words stay present for the other
 * item's units but are no units themselves. */
static int find_written_out(kt_similar *s, vec32 *entries, const vec32 *seq, const vec32 *at,
                            uint32_t field)
{
    for (size_t i = 0; i < seq->n; i++) {
        if (!(s->tmark[seq->v[i]] & TM_CHAIN)) /* most words start nothing */
            continue;
        for (int32_t ab = s->terms[seq->v[i]].abbr; ab >= 0; ab = s->abbrs[ab].next) {
            const abbrev *x = &s->abbrs[ab];
            if (x->nseq < 2 || i + x->nseq > seq->n)
                continue;
            if (memcmp(seq->v + i, x->seq, x->nseq * sizeof *x->seq))
                continue;
            for (uint8_t k = 0; k < x->nseq; k++) {
                uint32_t *e = &entries->v[at->v[i + k]];
                if ((*e & TERM_MASK) != x->term) /* "artikel 13b Opiumwet" stays "13b" */
                    *e |= F_GROUPED;
            }
            if (vec_push(entries, x->term | field | F_WHOLE))
                return KT_ENOMEM;
            break;
        }
    }
    return 0;
}

/* Phrases of the vocabulary written in the field ("oud en nieuw", "Housing First"): each
 * counts as one unit, its words stay present for the other item's units but are no units. */
static int find_phrases(kt_similar *s, vec32 *entries, const vec32 *seq, const vec32 *at,
                        uint32_t field)
{
    for (size_t i = 0; i < seq->n; i++) {
        if (!(s->tmark[seq->v[i]] & TM_CHAIN))
            continue;
        for (int32_t ph = s->terms[seq->v[i]].phrase; ph >= 0; ph = s->phrases[ph].next) {
            const phrase *x = &s->phrases[ph];
            if (i + x->nseq > seq->n || memcmp(seq->v + i, x->seq, x->nseq * sizeof *x->seq))
                continue;
            for (uint8_t k = 0; k < x->nseq; k++)
                entries->v[at->v[i + k]] |= F_GROUPED;
            if (vec_push(entries, x->term | field | F_WHOLE))
                return KT_ENOMEM;
            break;
        }
    }
    return 0;
}

/* Tags entries [from ..] with the vocabulary groups of their words and parts: the group's term
 * is added, never written (F_EXP), so it is no unit and no mention, only where the other item
 * meets a word through its group. */
static int tag_groups(kt_similar *s, vec32 *entries, size_t from, uint32_t field)
{
    size_t n = entries->n;
    for (size_t i = from; i < n; i++) {
        uint32_t e = entries->v[i];
        if (!(e & (F_WHOLE | F_PART)) || !(s->tmark[e & TERM_MASK] & TM_GROUPS))
            continue;
        const term *tm = &s->terms[e & TERM_MASK];
        for (uint8_t k = 0; k < tm->nconcepts; k++) {
            const concept *c = &s->concepts[s->concept_of.v[tm->concepts + k]];
            if (vec_push(entries, c->term | field | F_EXP))
                return KT_ENOMEM;
        }
    }
    return 0;
}

/* Analyses one field into entries; *subject (may be NULL) tells whether it has a word that no
 * procedural title has. */
static int analyse_field(kt_similar *s, const char *text, uint32_t field, vec32 *entries,
                         wordlog *log, bool *subject, bool learn)
{
    if (subject)
        *subject = false;
    if (!text || !*text)
        return 0;
    size_t from = entries->n;
    s->seq.n = s->seq_at.n = 0;
    analysis a = {.s = s,
                  .field = field,
                  .expand = true,
                  .entries = entries,
                  .seq = &s->seq,
                  .seq_at = &s->seq_at,
                  .log = log,
                  .places = learn};
    kt_text_words(text, on_word, &a);
    if (subject)
        *subject = a.subject;
    if (a.rc)
        return a.rc;
    int rc = s->nabbrs ? find_written_out(s, entries, &s->seq, &s->seq_at, field) : 0;
    if (!rc && s->nphrases)
        rc = find_phrases(s, entries, &s->seq, &s->seq_at, field);
    if (!rc && s->nconcepts)
        rc = tag_groups(s, entries, from, field);
    return rc;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a & TERM_MASK, y = *(const uint32_t *)b & TERM_MASK;
    return x < y ? -1 : x > y;
}

/* Sorts entries by term and merges the flags of repeated terms; returns the new count. */
static size_t merge_entries(uint32_t *e, size_t n)
{
    if (!n)
        return 0;
    if (n <= 48) {
        /* An agenda item has a few dozen entries (18 on average, most of them out of order):
         * insertion into the distinct terms sorted so far, e[0 .. o), by a linear scan from
         * the end, a repeated term's flags merged where it is found. A bisection and a
         * memmove call mispredicted more branches (55 an item against 34; callgrind
         * --branch-sim); counting ranks over all entries without branches ran 6 times the
         * instructions. */
        size_t o = 1;
        for (size_t i = 1; i < n; i++) {
            uint32_t x = e[i], key = x & TERM_MASK;
            size_t j = o;
            while (j > 0 && (e[j - 1] & TERM_MASK) > key)
                j--;
            if (j > 0 && (e[j - 1] & TERM_MASK) == key) {
                e[j - 1] |= x;
                continue;
            }
            for (size_t m = o; m > j; m--)
                e[m] = e[m - 1];
            e[j] = x;
            o++;
        }
        return o;
    }
    qsort(e, n, sizeof *e, cmp_u32);
    size_t o = 0;
    for (size_t i = 1; i < n; i++) {
        if ((e[i] & TERM_MASK) == (e[o] & TERM_MASK))
            e[o] |= e[i];
        else
            e[++o] = e[i];
    }
    return o + 1;
}

/* The slot + 1 of item id, 0: not indexed. */
static uint32_t id_slot(const kt_similar *s, int64_t id)
{
    if (id > 0 && (uint64_t)id < s->dense_cap && s->dense[id])
        return s->dense[id];
    return s->ids.len ? (uint32_t)(uintptr_t)kt_imap_get(&s->ids, id) : 0;
}

static item *item_get(const kt_similar *s, int64_t id)
{
    uint32_t v = id_slot(s, id);
    return v ? &s->items[v - 1] : NULL;
}

/* Grows the dense id array to hold ids below cap (the new ones zero). 0 or KT_ENOMEM. */
static int dense_grow(kt_similar *s, size_t cap)
{
    if (cap <= s->dense_cap)
        return 0;
    uint32_t *d = realloc(s->dense, cap * sizeof *d);
    if (!d)
        return KT_ENOMEM;
    kt_huge_advise(d, cap * sizeof *d);
    memset(d + s->dense_cap, 0, (cap - s->dense_cap) * sizeof *d);
    s->dense = d;
    s->dense_cap = cap;
    return 0;
}

/* Whether id goes in the dense array, grown when the id is near enough: below four times the
 * items indexed (and 64 Ki), so that the array never takes more than the map would have. */
static bool id_room(kt_similar *s, int64_t id)
{
    if (id <= 0)
        return false;
    if ((uint64_t)id < s->dense_cap)
        return true;
    size_t limit = 4 * (s->nlive + 1) + ((size_t)1 << 16);
    if ((uint64_t)id >= limit)
        return false;
    size_t cap = s->dense_cap ? s->dense_cap * 2 : 1024;
    while (cap <= (uint64_t)id)
        cap *= 2;
    return !dense_grow(s, cap < limit ? cap : limit); /* no memory: the map takes it */
}

/* Records id -> slot (the id is not indexed). 0 or KT_ENOMEM. */
static int id_put(kt_similar *s, int64_t id, uint32_t slot)
{
    if (id_room(s, id)) {
        s->dense[id] = slot + 1;
        return 0;
    }
    return kt_imap_put(&s->ids, id, (void *)(uintptr_t)(slot + 1));
}

/* Forgets id; returns its slot + 1, 0 when it was not indexed. */
static uint32_t id_del(kt_similar *s, int64_t id)
{
    if (id > 0 && (uint64_t)id < s->dense_cap && s->dense[id]) {
        uint32_t v = s->dense[id];
        s->dense[id] = 0;
        return v;
    }
    return s->ids.len ? (uint32_t)(uintptr_t)kt_imap_del(&s->ids, id) : 0;
}

/* --- scoring ----------------------------------------------------------------------------- */

/* The built-in prior, or that of a place for a name the texts use as one and never write in
 * lower case. */
static float term_base_prior(const kt_similar *s, uint32_t t)
{
    const term *tm = &s->terms[t];
    return tm->hints == HINT_PLACE && tm->prior > PLACE_PRIOR ? PLACE_PRIOR : tm->prior;
}

/* ... times what the chairs' decisions taught (see kt_similar_learn). */
static float term_prior(const kt_similar *s, uint32_t t)
{
    return term_base_prior(s, t) * s->terms[t].learned;
}

/* Whether t is specific evidence of a subject: no generic word, place or number, and not a
 * word the chairs of this deployment have dismissed again and again (learned below
 * learn_specific). One dismissal only weakens a word: the same subject in another pair may be
 * the real thing (the generated region, bench/region_year.py, lost 3 of every 5 real
 * duplicates when a single dismissal took a word's specificity). */
static bool specific_term(const kt_similar *s, uint32_t t)
{
    return term_base_prior(s, t) >= 1.0f && s->terms[t].learned >= s->learn_specific;
}

/* Rarity in the indexed corpus times the built-in prior; the item itself is one of the df.
 * The corpus is the items that are not confidential: no weight, hence no score, depends on what
 * a confidential item says or on how many there are. */
static double term_weight_of(const kt_similar *s, uint32_t t)
{
    double n = (double)s->npublic, df = s->terms[t].df ? s->terms[t].df : 1;
    return log(1.0 + n / df) * term_prior(s, t);
}

static inline double term_weight(const kt_similar *s, uint32_t t)
{
    if (!s->wc_on)
        return term_weight_of(s, t);
    if (s->wc_stamp[t] != s->wc_epoch) {
        s->wc[t] = term_weight_of(s, t);
        s->wc_stamp[t] = s->wc_epoch;
    }
    return s->wc[t];
}

/* Turns on term_weight's cache for one call that changes nothing in the index (a find, a pair
 * score); weight_cache_end turns it off. Without memory for it, weights are computed. */
static void weight_cache_begin(kt_similar *s)
{
    if (s->wc_cap < s->nterms) {
        size_t cap = s->nterms + s->nterms / 2 + 64;
        double *wc = realloc(s->wc, cap * sizeof *wc);
        if (wc)
            s->wc = wc;
        uint32_t *st = wc ? realloc(s->wc_stamp, cap * sizeof *st) : NULL;
        if (!st)
            return;
        s->wc_stamp = st;
        memset(st + s->wc_cap, 0, (cap - s->wc_cap) * sizeof *st);
        s->wc_cap = cap;
    }
    if (++s->wc_epoch == 0) { /* wrapped: no stamp may match by accident */
        memset(s->wc_stamp, 0, s->wc_cap * sizeof *s->wc_stamp);
        s->wc_epoch = 1;
    }
    s->wc_on = true;
}

static void weight_cache_end(kt_similar *s)
{
    s->wc_on = false;
}

/* The weight of a word of an item (an entry with F_WHOLE). */
static double unit_weight(const kt_similar *s, uint32_t e)
{
    return term_weight(s, e & TERM_MASK) * ((e & F_TITLE) ? 1.0 : DESC_WEIGHT);
}

/* The entry (term | flags) of t in `it`, or 0 when it has no such term. */
static uint32_t item_entry(const item *it, uint32_t t)
{
    size_t lo = 0, hi = it->nterms;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        uint32_t m = it->terms[mid] & TERM_MASK;
        if (m == t)
            return it->terms[mid];
        if (m < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static bool item_has(const item *it, uint32_t t)
{
    return item_entry(it, t) != 0;
}

/* How strongly an item holds a term: as a word of its title most, as a compound part or only
 * in its description, less. 0 when absent. An abbreviation's expansion words do not count:
 * "RIEC" is not a mention of "regionaal"; the abbreviation itself is met through them (see
 * match_unit). */
static double presence(const item *it, uint32_t t)
{
    uint32_t e = item_entry(it, t);
    if (!(e & (F_WHOLE | F_PART)))
        return 0;
    double p = (e & F_WHOLE) ? 1.0 : DERIVED_MATCH;
    return (e & F_TITLE) ? p : p * OTHER_DESC;
}

/* Optimal string alignment distance, stopping early above 1: enough to meet a typo. */
static bool one_edit_apart(const char *a, size_t na, const char *b, size_t nb)
{
    if (na > nb + 1 || nb > na + 1)
        return false;
    size_t i = 0;
    while (i < na && i < nb && a[i] == b[i])
        i++;
    if (i == na || i == nb)
        return na != nb || i == na; /* one trailing letter more, or equal */
    if (na == nb) {
        if (!strcmp(a + i + 1, b + i + 1))
            return true; /* one letter replaced */
        return a[i] == b[i + 1] && a[i + 1] == b[i] && !strcmp(a + i + 2, b + i + 2);
    }
    return na > nb ? !strcmp(a + i + 1, b + i) : !strcmp(a + i, b + i + 1);
}

/* A word of `other` spelled one letter off from t; long words only, where typos are safe
 * to forgive. NO_TERM when none. */
static uint32_t fuzzy_partner(const kt_similar *s, uint32_t t, const item *other)
{
    size_t na = s->terms[t].len;
    if (na < 8)
        return NO_TERM;
    const char *a = kt_strmap_key(&s->terms_map, s->terms[t].key);
    for (uint16_t j = 0; j < other->nterms; j++) {
        uint32_t e = other->terms[j];
        const term *tb = &s->terms[e & TERM_MASK];
        if (!(e & F_WHOLE) || (size_t)tb->len + 1 < na || tb->len > na + 1)
            continue;
        const char *b = kt_strmap_key(&s->terms_map, tb->key);
        if (b[0] == a[0] && b[1] == a[1] && one_edit_apart(a, na, b, tb->len))
            return e & TERM_MASK;
    }
    return NO_TERM;
}

/* How a word of one item is met in the other. */
typedef struct unit_match {
    double m;     /* 0..1 */
    uint32_t via; /* the term of the other item it was met by when fuzzy; else NO_TERM */
} unit_match;

/* Whether `other` holds t only as the expansion of one of its abbreviations, and `self` has
 * every word of that expansion: `self` wrote out what `other` abbreviates, non-contiguously
 * or before the abbreviation was learned ("Regionaal ... Werkcentrum" against "RWC"). */
static bool expansion_written(const kt_similar *s, const item *self, const item *other, uint32_t t)
{
    if (!(item_entry(other, t) & F_EXP))
        return false;
    for (uint16_t i = 0; i < other->nterms; i++) {
        uint32_t e = other->terms[i];
        const term *tm = &s->terms[e & TERM_MASK];
        bool has_t = false, all = tm->nderived > 1;
        if (!(e & F_WHOLE))
            continue;
        for (uint8_t k = 0; k < tm->nderived; k++) {
            uint32_t p = s->derived.v[tm->derived + k];
            has_t |= p == t;
            all &= (item_entry(self, p) & (F_WHOLE | F_PART)) != 0;
        }
        if (has_t && all)
            return true;
    }
    return false;
}

/* How strongly `other` has a vocabulary group of t (or, less, of one of t's parts): the
 * group's strength, less when only in its description. *via receives the group's term. */
static double group_match(const kt_similar *s, uint32_t t, const item *other, uint32_t *via)
{
    double best = 0;
    const term *tm = &s->terms[t];
    for (int d = -1; d < (int)tm->nderived; d++) {
        const term *x = d < 0 ? tm : &s->terms[s->derived.v[tm->derived + d]];
        for (uint8_t k = 0; k < x->nconcepts; k++) {
            const concept *c = &s->concepts[s->concept_of.v[x->concepts + k]];
            uint32_t e = item_entry(other, c->term);
            if (!e)
                continue;
            double m = (c->strength > 0.5f ? s->syn_match : s->theme_match) *
                       ((e & F_TITLE) ? 1.0 : OTHER_DESC) * (d < 0 ? 1.0 : DERIVED_MATCH);
            if (m > best) {
                best = m;
                *via = c->term;
            }
        }
    }
    return best;
}

/* How unit t of `self` is met in `other`: as itself, through its expansion or parts, by a near
 * spelling, or through a vocabulary group; the strongest way counts. */
static unit_match match_lexical(const kt_similar *s, uint32_t t, const item *self,
                                const item *other);

/* --- the deployment's own items as a corpus --------------------------------------------------
 *
 * Words that keep company in a deployment meet: "vakantieparken" in one item and "recreatieparken"
 * in another are tied when a third item writes both. The tie is the Dice coefficient of the two
 * words over the other items (never the pair itself, never a confidential item): 2 n / (dt + du),
 * n items with both, dt and du with either. Only rare words tie (a common word keeps company with
 * everything), only units not met otherwise, and only in a pair that already shares a good part of
 * its words (CO_GATE): the bridge completes a pair, it never makes one. Chosen by grouped
 * cross-validation on both labelled sets (README.md); the results are flat around these values. */
#define CO_MATCH     0.6  /* strength of a tie, times the Dice coefficient */
#define CO_MIN       0.4  /* the weakest Dice coefficient that ties */
#define CO_MAX_SHARE 0.01 /* a word in more than this share of the items ties nothing ... */
#define CO_MIN_DF    5    /* ... unless in this many or fewer */
#define CO_SCAN_MAX  128  /* postings looked at for one word: the work bound */
#define CO_GATE      0.4  /* the pair's score without ties, as a share of KT_SIM_THRESHOLD */

static bool slot_private(const kt_similar *s, uint32_t slot)
{
    return (size_t)slot / 64 < s->private_words && (s->private_bits[slot / 64] >> (slot % 64)) & 1;
}

static size_t co_max_df(const kt_similar *s)
{
    double cap = CO_MAX_SHARE * (double)s->npublic;
    if (s->co_maxdf > 0)
        return (size_t)s->co_maxdf < CO_SCAN_MAX ? (size_t)s->co_maxdf : CO_SCAN_MAX;
    return cap < CO_MIN_DF ? CO_MIN_DF : cap > CO_SCAN_MAX ? CO_SCAN_MAX : (size_t)cap;
}

/* How many items (not confidential) mention t; *other counts those that are not the pair (sx,
 * sy). False when t is too common to tie (more than cap items) or no other item has it. */
static bool co_df(const kt_similar *s, uint32_t t, uint32_t sx, uint32_t sy, size_t cap,
                  size_t *other)
{
    const term *tm = &s->terms[t];
    if (tm->df > CO_SCAN_MAX || tm->df == 0)
        return false;
    size_t all = 0, k = 0;
    for (uint32_t i = 0; i < tm->df; i++) {
        uint32_t slot = tm->post[i].slot;
        if (slot_private(s, slot))
            continue;
        all++;
        k += slot != sx && slot != sy;
    }
    *other = k;
    return all <= cap && k > 0;
}

/* Items that have u and are among t's (marked in s->co_mark: t's slots, the pair and
 * confidential items left out), of a third body: what the two bodies themselves keep saying (a
 * standing item, the same subject on the next agenda) is no evidence that their words mean one
 * thing. */
static size_t co_both(const kt_similar *s, uint32_t u, int64_t ba, int64_t bb)
{
    const term *b = &s->terms[u];
    const uint64_t *mark = s->co_mark;
    size_t k = 0;
    for (uint32_t j = 0; j < b->df; j++) {
        uint32_t slot = b->post[j].slot;
        if ((mark[slot / 64] >> (slot % 64)) & 1) {
            int64_t body = s->items[slot].body;
            k += body != ba && body != bb;
        }
    }
    return k;
}

/* The words of `other` that may tie (see co_df), with their counts: found once per pair and
 * direction. */
typedef struct co_words {
    uint32_t u[64];
    uint16_t du[64];
    bool title[64];
    uint8_t n;
    bool ready;
} co_words;

static void co_words_of(const kt_similar *s, const item *self, const item *other, co_words *cw)
{
    uint32_t sx = (uint32_t)(self - s->items), sy = (uint32_t)(other - s->items);
    size_t cap = co_max_df(s), du;
    cw->n = 0;
    cw->ready = true;
    for (uint16_t j = 0; j < other->nterms && cw->n < 64; j++) {
        uint32_t e = other->terms[j], u = e & TERM_MASK;
        if (!(e & F_WHOLE) || !specific_term(s, u) || (s->terms[u].hints & HINT_GROUP) ||
            !co_df(s, u, sx, sy, cap, &du))
            continue;
        cw->u[cw->n] = u;
        cw->du[cw->n] = (uint16_t)du;
        cw->title[cw->n++] = (e & F_TITLE) != 0;
    }
}

/* How strongly the deployment's other items tie t (a unit of self, not met otherwise) to a word
 * of other; via is that word. */
static unit_match cooc_match(const kt_similar *s, uint32_t t, const item *self, const item *other,
                             co_words *cw)
{
    unit_match best = {0, NO_TERM};
    const term *tm = &s->terms[t];
    uint32_t sx = (uint32_t)(self - s->items), sy = (uint32_t)(other - s->items);
    size_t dt;
    if (!specific_term(s, t) || (tm->hints & HINT_GROUP) || !co_df(s, t, sx, sy, co_max_df(s), &dt))
        return best;
    if (!cw->ready)
        co_words_of(s, self, other, cw);
    if (!cw->n)
        return best;
    /* t's items, marked for co_both (a bit per slot; cleared again below): the pair and
     * confidential items left out */
    uint64_t *mark = s->co_mark;
    for (uint32_t i = 0; i < tm->df; i++) {
        uint32_t slot = tm->post[i].slot;
        if (slot != sx && slot != sy && !slot_private(s, slot))
            mark[slot / 64] |= (uint64_t)1 << (slot % 64);
    }
    for (uint8_t j = 0; j < cw->n; j++) {
        uint32_t u = cw->u[j];
        if (u == t)
            continue;
        size_t n = co_both(s, u, self->body, other->body);
        double dice = 2.0 * (double)n / (double)(dt + cw->du[j]);
        if (!n || dice < s->co_min)
            continue;
        double m = s->co_match * dice * (cw->title[j] ? 1.0 : OTHER_DESC);
        if (m > best.m)
            best = (unit_match){m, u};
    }
    for (uint32_t i = 0; i < tm->df; i++)
        mark[tm->post[i].slot / 64] = 0;
    return best;
}

static unit_match match_unit_co(const kt_similar *s, uint32_t t, const item *self,
                                const item *other, co_words *cw)
{
    unit_match m = match_lexical(s, t, self, other);
    if (m.m >= 1.0)
        return m;
    uint32_t via = NO_TERM;
    double g = s->nconcepts ? group_match(s, t, other, &via) : 0;
    if (g > m.m)
        m = (unit_match){g, via};
    if (cw && s->co_match > 0 && m.m < s->co_match) {
        unit_match c = cooc_match(s, t, self, other, cw);
        if (c.m > m.m)
            m = c;
    }
    return m;
}

static unit_match match_unit(const kt_similar *s, uint32_t t, const item *self, const item *other)
{
    co_words cw = {.ready = false};
    return match_unit_co(s, t, self, other, &cw);
}

static unit_match match_lexical(const kt_similar *s, uint32_t t, const item *self,
                                const item *other)
{
    double direct = presence(other, t);
    if (direct > 0)
        return (unit_match){direct, NO_TERM};
    if (expansion_written(s, self, other, t))
        return (unit_match){DERIVED_MATCH, NO_TERM};
    const term *tm = &s->terms[t];
    if (tm->nderived) {
        double have = 0, all = 0;
        for (uint8_t i = 0; i < tm->nderived; i++) {
            uint32_t p = s->derived.v[tm->derived + i];
            double w = term_weight(s, p), got = presence(other, p);
            const term *pt = &s->terms[p];
            if (got <= 0 && pt->nderived && !(pt->hints & HINT_ABBR)) {
                /* a part that is a compound itself ("RWC": Regionaal + Werkcentrum, where the
                 * other item writes "Werk Centrum"): met through its own parts */
                double ph = 0, pa = 0;
                for (uint8_t k = 0; k < pt->nderived; k++) {
                    uint32_t q = s->derived.v[pt->derived + k];
                    double qw = term_weight(s, q);
                    pa += qw;
                    ph += qw * presence(other, q);
                }
                got = pa > 0 ? DERIVED_MATCH * ph / pa : 0;
            }
            all += w;
            have += w * got;
        }
        if (have > 0)
            return (unit_match){DERIVED_MATCH * have / all, NO_TERM};
    }
    uint32_t f = fuzzy_partner(s, t, other);
    if (f != NO_TERM)
        return (unit_match){FUZZY_MATCH * presence(other, f), f};
    return (unit_match){0, NO_TERM};
}

/* What two items share, beyond the share itself. */
typedef struct evidence {
    bool specific; /* an ordinary word is met, not only generic words, places or numbers */
    int words;     /* words met that are not strongly generic, on the side with most */
    bool named;    /* ... and one of them is, or contains, an abbreviation ("PmG", "13b") */
} evidence;

/* Whether a word is an abbreviation or a compound with one ("PmG-rapportage"). */
static bool names_abbreviation(const kt_similar *s, uint32_t t)
{
    const term *tm = &s->terms[t];
    if (tm->hints & HINT_ABBR)
        return true;
    for (uint8_t k = 0; k < tm->nderived; k++)
        if (s->terms[s->derived.v[tm->derived + k]].hints & HINT_ABBR)
            return true;
    return false;
}

/* The weighted share of a's words that b has. When contrib is given it receives each entry's
 * share of the numerator (0 for entries that are not words or are not met). mv holds how each
 * entry is met: written by the first pass (co false), read by the second, which adds the ties
 * of the deployment's items (co true) to the words met less than a tie would. */
static double coverage(const kt_similar *s, const item *a, const item *b, double *contrib,
                       evidence *ev, bool co, double *mv)
{
    double have = 0, all = 0;
    int words = 0;
    co_words cw = {.ready = false};
    for (uint16_t i = 0; i < a->nterms; i++) {
        uint32_t e = a->terms[i];
        if (contrib)
            contrib[i] = 0;
        if (!IS_UNIT(e))
            continue;
        double w = unit_weight(s, e);
        all += w;
        if (w <= 0)
            continue;
        double m;
        if (!co) {
            m = match_unit_co(s, e & TERM_MASK, a, b, NULL).m;
            mv[i] = m;
        } else {
            m = mv[i];
            if (m < s->co_match) {
                unit_match c = cooc_match(s, e & TERM_MASK, a, b, &cw);
                if (c.m > m)
                    m = c.m;
            }
        }
        double got = w * m;
        have += got;
        /* a word the chairs keep dismissing stops being specific evidence here */
        float prior = term_prior(s, e & TERM_MASK);
        if (got > 0 && specific_term(s, e & TERM_MASK))
            ev->specific = true;
        if (got > 0 && prior > GENERIC_PRIOR) {
            words++;
            ev->named |= names_abbreviation(s, e & TERM_MASK);
        }
        if (contrib)
            contrib[i] = got;
    }
    if (words > ev->words)
        ev->words = words;
    return all > 0 ? have / all : 0;
}

/* The aspects a title names (kt_text_aspect_word): a bit per class. With desc, a title that
 * names none takes those its description names. */
static unsigned aspects_of(const kt_similar *s, const item *a, bool desc)
{
    unsigned m = 0;
    for (uint16_t i = 0; i < a->nterms; i++)
        if ((a->terms[i] & F_TITLE) && (a->terms[i] & (F_WHOLE | F_PART)))
            m |= s->terms[a->terms[i] & TERM_MASK].aspect;
    if (!m && desc)
        for (uint16_t i = 0; i < a->nterms; i++)
            if ((a->terms[i] & F_DESC) && (a->terms[i] & (F_WHOLE | F_PART)))
                m |= s->terms[a->terms[i] & TERM_MASK].aspect;
    return m;
}

/* Two items are duplicates when each covers much of the other: the score is the lower of the
 * two coverages, so a short title that a long text mentions in passing does not count as that
 * text's subject. Generic words alone ("Voortgang plan van aanpak ...") never make a
 * duplicate, however short the titles. (A rule that one shared word makes no subject unless
 * it abbreviates a programme lifted the development set and cost recall on the other region:
 * it is off, see README.md.) */
static double score_pair(const kt_similar *s, const item *a, const item *b, double *contrib,
                         double *contrib_b)
{
    evidence ev = {0};
    double ma[MAX_ITEM_TERMS], mb[MAX_ITEM_TERMS];
    double ca = coverage(s, a, b, contrib, &ev, false, ma);
    double cb = coverage(s, b, a, contrib_b, &ev, false, mb);
    if (!ev.specific || (s->one_word > 0 && ev.words < 2 && !ev.named))
        return 0;
    double sc = ca < cb ? ca : cb;
    /* Words the deployment's own items tie together (cooc_match) only complete a pair that
     * already shares a good part of its words: that keeps find fast and the bridge modest. */
    if (s->co_match > 0 && sc >= s->co_gate * KT_SIM_THRESHOLD) {
        evidence ev2 = {0};
        double ca2 = coverage(s, a, b, NULL, &ev2, true, ma);
        double cb2 = coverage(s, b, a, NULL, &ev2, true, mb);
        if ((ca2 < cb2 ? ca2 : cb2) > sc) { /* again, for the contributions */
            ca = coverage(s, a, b, contrib, &ev2, true, ma);
            cb = coverage(s, b, a, contrib_b, &ev2, true, mb);
            sc = ca < cb ? ca : cb;
        }
    }
    /* Same subject, other aspect: the plan in one body, its evaluation in the other. */
    if (s->aspect < 1 && sc > 0) {
        unsigned xa = aspects_of(s, a, false), xb = aspects_of(s, b, false);
        if (xa && xb && !(xa & xb))
            sc *= s->aspect;
        else if (s->aspect_desc < 1) {
            /* a title that names no aspect takes its description's, as weaker evidence */
            xa = aspects_of(s, a, true), xb = aspects_of(s, b, true);
            if (xa && xb && !(xa & xb))
                sc *= s->aspect_desc;
        }
    }
    return sc;
}

static double score_items(const kt_similar *s, const item *a, const item *b, double *contrib)
{
    return score_pair(s, a, b, contrib, NULL);
}

/* --- learning from the chairs ---------------------------------------------------------------
 *
 * Every decision on a pair is a label: afgestemd and bewust dubbel say "the same subject", geen
 * overlap says "not". The words a dismissed pair shared are, in this deployment, weaker evidence
 * than the built-in prior says ("training", "convenant", "signalen" where every body uses them):
 * each loses weight in proportion to its share of what the pair shared; a confirmed pair gives
 * its words some back (never above LEARN_MAX). Words only: the rule generalises to pairs the
 * chairs have not seen, which a list of dismissed pairs would not. */
#define LEARN_RATE 0.25
#define LEARN_MIN  0.5f
static const char *excluded(kt_similar *s, const struct item *a, const struct item *b);
#define LEARN_MAX 1.25f
/* below this a word is no specific evidence any more (specific_term) */
#define LEARN_SPECIFIC 0.6f

int kt_similar_learn(kt_similar *s, int64_t a_id, int64_t b_id, bool duplicate)
{
    assert(!s->pending.n); /* kt_similar_bulk_end first */
    const item *a = item_get(s, a_id), *b = item_get(s, b_id);
    if (!a || !b)
        return KT_ENOTFOUND;
    if (excluded(s, a, b))
        return 0;
    if (!duplicate && !s->learn_aspect && s->aspect < 1) {
        unsigned xa = aspects_of(s, a, false), xb = aspects_of(s, b, false);
        if (xa && xb && !(xa & xb))
            return 0; /* the aspects explain the dismissal; the words were right */
    }
    double ca[MAX_ITEM_TERMS], cb[MAX_ITEM_TERMS];
    score_pair(s, a, b, ca, cb);
    const item *side[2] = {a, b};
    const double *contrib[2] = {ca, cb};
    for (int k = 0; k < 2; k++) {
        double total = 0;
        for (uint16_t i = 0; i < side[k]->nterms; i++)
            total += contrib[k][i];
        for (uint16_t i = 0; total > 0 && i < side[k]->nterms; i++) {
            if (contrib[k][i] <= 0)
                continue;
            term *tm = &s->terms[side[k]->terms[i] & TERM_MASK];
            double share = contrib[k][i] / total;
            float f = (float)(tm->learned * (duplicate ? 1 + s->learn_rate * share / 2
                                                       : 1 - s->learn_rate * share));
            float lo = (float)s->learn_min;
            tm->learned = f < lo ? lo : f > LEARN_MAX ? LEARN_MAX : f;
        }
    }
    return 0;
}

void kt_similar_forget_learning(kt_similar *s)
{
    for (size_t i = 0; i < s->nterms; i++)
        s->terms[i].learned = 1;
}

/* --- creating and freeing ------------------------------------------------------------------ */

/* Abbreviations of the Dutch public-safety and social domain that any deployment meets. */
static const char *const builtin_abbrevs[][2] = {
    {"PmG", "Preventie met Gezag"},
    {"RIEC", "Regionaal Informatie- en Expertisecentrum"},
    {"LIEC", "Landelijk Informatie- en Expertisecentrum"},
    {"OM", "Openbaar Ministerie"},
    {"RVT", "Regionaal Veiligheidsteam"},
    {"BRP", "Basisregistratie Personen"},
    {"APV", "Algemene Plaatselijke Verordening"},
    {"Bibob", "Wet bevordering integriteitsbeoordelingen door het openbaar bestuur"},
    {"Wmo", "Wet maatschappelijke ondersteuning"},
    {"VVE", "voor- en vroegschoolse educatie"},
    {"JenV", "Justitie en Veiligheid"},
    {"BZK", "Binnenlandse Zaken en Koninkrijksrelaties"},
    {"SZW", "Sociale Zaken en Werkgelegenheid"},
    {"VWS", "Volksgezondheid, Welzijn en Sport"},
    {"boa", "buitengewoon opsporingsambtenaar"},
    {"NLA", "Nederlandse Arbeidsinspectie"},
    {"GGD", "Gemeentelijke Gezondheidsdienst"},
    {"GGZ", "geestelijke gezondheidszorg"},
    {"RvdK", "Raad voor de Kinderbescherming"},
    {"MDA", "multidisciplinaire aanpak"},
    {"NPLV", "Nationaal Programma Leefbaarheid en Veiligheid"},
    {"VO", "voortgezet onderwijs"},
    {"PO", "primair onderwijs"},
    {"mbo", "middelbaar beroepsonderwijs"},
    {"hbo", "hoger beroepsonderwijs"},
    {"RMC", "Regionaal Meld- en Coordinatiepunt"},
    {"UWV", "Uitvoeringsinstituut Werknemersverzekeringen"},
    {"WSP", "Werkgeversservicepunt"},
    {"13b", "artikel 13b Opiumwet"},
    {"174a", "artikel 174a Gemeentewet"},
    {"OOV", "openbare orde en veiligheid"},
    {"PGA", "persoonsgerichte aanpak"},
    {"ZVH", "Zorg- en Veiligheidshuis"},
    {"KVO", "Keurmerk Veilig Ondernemen"},
    {"JGZ", "jeugdgezondheidszorg"},
    {"Wvggz", "Wet verplichte geestelijke gezondheidszorg"},
    {"Wzd", "Wet zorg en dwang"},
    {"Wgv", "Wet goed verhuurderschap"},
    {"AZC", "asielzoekerscentrum"},
    {"COA", "Centraal Orgaan opvang asielzoekers"},
    {"IND", "Immigratie- en Naturalisatiedienst"},
    {"OGGZ", "openbare geestelijke gezondheidszorg"},
    {"ZSM", "Zorgvuldig, Snel en op Maat"},
    {"EVA", "ernstig verward gedrag"},
};

static int seed_aspects(kt_similar *s)
{
    int cls;
    for (size_t i = 0;; i++) {
        const char *word = kt_text_aspect_word(i, &cls);
        if (!word)
            return 0;
        uint32_t t;
        if (stem_term(s, word, strlen(word), &t))
            return KT_ENOMEM;
        s->terms[t].aspect = (uint8_t)(1u << (cls - 1));
    }
}

static int seed_priors(kt_similar *s)
{
    for (size_t i = 0;; i++) {
        float w;
        const char *word = kt_text_generic_word(i, &w);
        if (!word)
            return 0;
        uint32_t t;
        if (stem_term(s, word, strlen(word), &t))
            return KT_ENOMEM;
        if (w < s->terms[t].prior)
            s->terms[t].prior = w;
    }
}

kt_similar *kt_similar_new(void)
{
    kt_similar *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->row_scope = UINT32_MAX;
    s->syn_match = SYN_MATCH;
    s->theme_match = THEME_MATCH;
    s->one_word = 0;
    s->co_match = CO_MATCH;
    s->co_min = CO_MIN;
    s->co_gate = CO_GATE;
    s->aspect = ASPECT_FACTOR;
    s->aspect_desc = ASPECT_DESC_FACTOR;
    s->head_split = HEAD_SPLIT;
    s->learn_rate = LEARN_RATE;
    s->learn_min = LEARN_MIN;
    s->learn_specific = LEARN_SPECIFIC;
    s->post_block = POST_BLOCK_LIST;
    s->lex = kt_lexicon_new();
    s->stem = s->lex ? kt_stemmer_new(s->lex) : NULL;
    s->scopes = kt_scopes_new();
    if (!s->stem || !s->scopes || seed_priors(s) || seed_aspects(s))
        goto fail;
    for (size_t i = 0; i < sizeof builtin_abbrevs / sizeof builtin_abbrevs[0]; i++)
        if (kt_similar_add_abbreviation(s, builtin_abbrevs[i][0], builtin_abbrevs[i][1]))
            goto fail;
    return s;
fail:
    kt_similar_free(s);
    return NULL;
}

void kt_similar_free(kt_similar *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->pool.nchunks; i++)
        free(s->pool.chunks[i]);
    free(s->pool.chunks);
    free(s->items);
    for (size_t i = 0; i < s->nterms; i++) {
        if (!s->terms[i].post_block)
            free(s->terms[i].post);
        free(s->terms[i].ppost);
    }
    for (size_t i = 0; i < s->nblocks; i++)
        free(s->blocks[i]);
    free(s->blocks);
    free(s->terms);
    free(s->tmark);
    for (size_t i = 0; i < s->nabbrs; i++) {
        free(s->abbrs[i].exp);
        free(s->abbrs[i].seq);
        free(s->abbrs[i].display);
    }
    free(s->abbrs);
    for (size_t i = 0; i < s->nphrases; i++)
        free(s->phrases[i].seq);
    free(s->phrases);
    free(s->concepts);
    free(s->concept_of.v);
    free(s->words);
    free(s->front);
    free(s->derived.v);
    free(s->disp);
    kt_strmap_free(&s->terms_map);
    kt_strmap_free(&s->words_map);
    kt_strmap_free(&s->parts_map);
    kt_strmap_free(&s->abbr_map);
    kt_strmap_free(&s->scope_ids);
    kt_imap_free(&s->ids);
    free(s->dense);
    free(s->free_slots.v);
    free(s->pending.v);
    free(s->pend_add);
    free(s->entries.v);
    free(s->seq.v);
    free(s->seq_at.v);
    free(s->acc);
    free(s->state);
    free(s->co_mark);
    free(s->touched.v);
    free(s->cands);
    free(s->row);
    free(s->contribs);
    free(s->wc);
    free(s->wc_stamp);
    free(s->private_bits);
    kt_scopes_free(s->scopes);
    kt_stemmer_free(s->stem);
    kt_lexicon_free(s->lex);
    free(s);
}

int kt_similar_load_lexicon(kt_similar *s, const char *path)
{
    kt_strmap_free(&s->parts_map); /* stems may change with the lexicon */
    return kt_lexicon_load(s->lex, path);
}

int kt_similar_add_region(kt_similar *s, const char *region, const char *municipality)
{
    s->row_scope = UINT32_MAX;
    return kt_scopes_add_region(s->scopes, region, municipality);
}

int kt_similar_reset_region(kt_similar *s, const char *region)
{
    s->row_scope = UINT32_MAX;
    return kt_scopes_reset_region(s->scopes, region);
}

/* --- abbreviations ------------------------------------------------------------------------- */

static int abbrev_fill(kt_similar *s, abbrev *x, const char *abbr, const char *expansion)
{
    vec32 entries = {0}, seq = {0};
    analysis a = {.s = s, .field = F_TITLE, .entries = &entries, .seq = &seq};
    kt_text_words(expansion, on_word, &a);
    int rc = a.rc;
    if (!rc && !seq.n)
        rc = KT_EINVAL;
    if (!rc) {
        entries.n = merge_entries(entries.v, entries.n);
        x->nexp = (uint8_t)(entries.n < 32 ? entries.n : 32);
        x->nseq = (uint8_t)(seq.n < 16 ? seq.n : 16);
        x->exp = malloc(x->nexp * sizeof *x->exp);
        x->seq = malloc(x->nseq * sizeof *x->seq);
        size_t dn = strlen(abbr) + strlen(expansion) + 4;
        x->display = malloc(dn);
        if (!x->exp || !x->seq || !x->display)
            rc = KT_ENOMEM;
        else {
            memcpy(x->exp, entries.v, x->nexp * sizeof *x->exp);
            memcpy(x->seq, seq.v, x->nseq * sizeof *x->seq);
            snprintf(x->display, dn, "%s (%s)", abbr, expansion);
        }
    }
    free(entries.v);
    free(seq.v);
    return rc;
}

int kt_similar_add_abbreviation(kt_similar *s, const char *abbr, const char *expansion)
{
    char key[KT_TEXT_MAX_WORD];
    size_t kn = 0;
    /* The key is the folded abbreviation without hyphens or spaces, as words are joined. */
    char folded[KT_TEXT_MAX_WORD];
    kt_text_fold(abbr ? abbr : "", folded, sizeof folded);
    for (const char *p = folded; *p && kn < sizeof key - 1; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (*p & 0x80))
            key[kn++] = *p;
    key[kn] = 0;
    if (!kn || !expansion)
        return KT_EINVAL;
    uint32_t idx;
    if (kt_strmap_get(&s->abbr_map, key, kn, &idx))
        return KT_EINVAL; /* taught twice: the first meaning stays */
    if (grow((void **)&s->abbrs, &s->abbrs_cap, s->nabbrs + 1, sizeof *s->abbrs))
        return KT_ENOMEM;
    abbrev *x = &s->abbrs[s->nabbrs];
    *x = (abbrev){.next = -1};
    int rc = stem_term(s, key, kn, &x->term);
    if (!rc)
        rc = abbrev_fill(s, x, abbr, expansion);
    if (!rc) /* shown as taught ("PmG"), not as first met ("PMG-boa's") */
        term_set_disp(s, x->term, disp_store(s, abbr, strlen(abbr)));
    if (!rc)
        term_add_hints(s, x->term, HINT_ABBR);
    if (!rc)
        rc = kt_strmap_put(&s->abbr_map, key, kn, (uint32_t)s->nabbrs, NULL);
    if (rc) {
        free(x->exp);
        free(x->seq);
        free(x->display);
        return rc;
    }
    if (kn > s->abbr_maxlen)
        s->abbr_maxlen = kn;
    if (kt_strmap_get(&s->words_map, key, kn, &idx)) { /* a word of one segment, seen before */
        s->words[idx].abbr = (int32_t)s->nabbrs;
        front_set_abbr(s, key, kn, idx);
    }
    term *first = &s->terms[x->seq[0]];
    x->next = first->abbr;
    first->abbr = (int32_t)s->nabbrs;
    s->tmark[x->seq[0]] |= TM_CHAIN;
    /* The abbreviation is met through its expansion as a compound through its parts. */
    uint32_t at = (uint32_t)s->derived.n;
    for (uint8_t i = 0; i < x->nseq && i < 8; i++)
        if (vec_push(&s->derived, x->seq[i]))
            return KT_ENOMEM;
    s->terms[x->term].derived = at;
    s->terms[x->term].nderived = x->nseq < 8 ? x->nseq : 8;
    s->nabbrs++;
    return 0;
}

/* --- the domain vocabulary ------------------------------------------------------------------
 *
 * Text, one group a line: "= label: word, word, a phrase" (one subject by other names) or
 * "~ label: word, ..." (one theme); the label is optional (then the first entry names the
 * group) and is itself an entry. "#" starts a comment. Entries are analysed like item text:
 * stemmed, so "vakantieparken" meets "vakantiepark"; a compound meets through its parts
 * ("vuurwerkvrije" has vuurwerk); an entry of several words is a phrase, met when an item
 * writes its words in that order (stop words aside). */

/* The term of a vocabulary entry: the word's, or a phrase's made of its stems; NO_TERM for an
 * entry of stop words only. */
static int entry_term(kt_similar *s, const char *text, size_t n, uint32_t *out)
{
    char buf[256];
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, text, n);
    buf[n] = 0;
    vec32 entries = {0}, seq = {0};
    analysis a = {.s = s, .field = F_TITLE, .entries = &entries, .seq = &seq};
    kt_text_words(buf, on_word, &a);
    int rc = a.rc;
    *out = NO_TERM;
    if (!rc && seq.n == 1) {
        *out = seq.v[0];
    } else if (!rc && seq.n > 1) {
        char key[512];
        size_t kn = 0;
        for (size_t i = 0; i < seq.n && i < 16; i++) {
            const char *w = kt_strmap_key(&s->terms_map, s->terms[seq.v[i]].key);
            size_t wn = strlen(w);
            if (kn + wn + 2 >= sizeof key)
                break;
            if (i)
                key[kn++] = ' ';
            memcpy(key + kn, w, wn);
            kn += wn;
        }
        size_t before = s->nterms;
        rc = term_get(s, key, kn, out);
        if (!rc && s->nterms > before) { /* a new phrase */
            term *first = &s->terms[seq.v[0]];
            rc = grow((void **)&s->phrases, &s->phrases_cap, s->nphrases + 1, sizeof *s->phrases);
            phrase *x = rc ? NULL : &s->phrases[s->nphrases];
            if (x) {
                x->nseq = (uint8_t)(seq.n < 16 ? seq.n : 16);
                x->seq = malloc(x->nseq * sizeof *x->seq);
                x->term = *out;
                if (!x->seq) {
                    rc = KT_ENOMEM;
                } else {
                    memcpy(x->seq, seq.v, x->nseq * sizeof *x->seq);
                    x->next = first->phrase;
                    first->phrase = (int32_t)s->nphrases++;
                    s->tmark[seq.v[0]] |= TM_CHAIN;
                    term_set_hints(s, *out, HINT_PHRASE);
                    term_set_disp(s, *out, disp_store(s, buf, n));
                    /* met in part through its words, as a compound through its parts */
                    s->terms[*out].derived = (uint32_t)s->derived.n;
                    s->terms[*out].nderived = x->nseq < 8 ? x->nseq : 8;
                    for (uint8_t i = 0; !rc && i < s->terms[*out].nderived; i++)
                        rc = vec_push(&s->derived, x->seq[i]);
                }
            }
        }
    }
    free(entries.v);
    free(seq.v);
    return rc;
}

/* Puts term t in group c (once). A term's groups are one run of s->concept_of: a new group
 * moves the run to the end (the vocabulary is small; this runs at load only). */
static int term_join(kt_similar *s, uint32_t t, uint32_t c)
{
    term *tm = &s->terms[t];
    for (uint8_t k = 0; k < tm->nconcepts; k++)
        if (s->concept_of.v[tm->concepts + k] == c)
            return 0;
    if (tm->nconcepts == UINT8_MAX)
        return 0;
    uint32_t at = (uint32_t)s->concept_of.n;
    for (uint8_t k = 0; k < tm->nconcepts; k++)
        if (vec_push(&s->concept_of, s->concept_of.v[s->terms[t].concepts + k]))
            return KT_ENOMEM;
    if (vec_push(&s->concept_of, c))
        return KT_ENOMEM;
    s->terms[t].concepts = at;
    s->terms[t].nconcepts++;
    s->tmark[t] |= TM_GROUPS;
    return 0;
}

static int load_vocabulary(kt_similar *s, const char *text, size_t *bad_line);

static int load_group(kt_similar *s, const char *line, size_t n)
{
    bool synonym = line[0] == '=';
    const char *p = line + 1, *end = line + n;
    const char *colon = memchr(p, ':', (size_t)(end - p));
    const char *comma = memchr(p, ',', (size_t)(end - p));
    const char *label = p, *label_end = colon && (!comma || colon < comma) ? colon : NULL;
    if (!label_end)
        label_end = comma ? comma : end;
    while (label < label_end && (*label == ' ' || *label == '\t'))
        label++;
    while (label_end > label && (label_end[-1] == ' ' || label_end[-1] == '\t'))
        label_end--;
    if (label == label_end)
        return KT_EINVAL;
    char key[128];
    size_t kn = 0;
    key[kn++] = '#';
    for (const char *q = label; q < label_end && kn < sizeof key - 1; q++)
        key[kn++] = *q >= 'A' && *q <= 'Z' ? (char)(*q - 'A' + 'a') : *q;
    uint32_t gt;
    size_t before = s->nterms;
    int rc = term_get(s, key, kn, &gt);
    if (rc)
        return rc;
    uint32_t c;
    if (s->nterms > before) { /* a new group */
        if (grow((void **)&s->concepts, &s->concepts_cap, s->nconcepts + 1, sizeof *s->concepts))
            return KT_ENOMEM;
        c = (uint32_t)s->nconcepts++;
        s->concepts[c] = (concept){.term = gt, .strength = synonym ? 1.0f : 0.5f};
        term_set_hints(s, gt, HINT_GROUP);
        term_set_disp(s, gt, disp_store(s, label, (size_t)(label_end - label)));
    } else { /* the label again: more words for the same group */
        for (c = 0; c < s->nconcepts && s->concepts[c].term != gt; c++)
            ;
        if (c == s->nconcepts)
            return KT_EINVAL; /* a label that is a word ("#" is not a letter: cannot happen) */
    }
    for (const char *q = p; !rc && q < end;) {
        const char *e = q;
        while (e < end && *e != ',' && *e != ':')
            e++;
        uint32_t t;
        if (e > q) {
            rc = entry_term(s, q, (size_t)(e - q), &t);
            if (!rc && t != NO_TERM)
                rc = term_join(s, t, c);
        }
        q = e + 1;
    }
    return rc;
}

/* Forgets the word cache (surface form -> stem and parts): the words the vocabulary analysed
 * are analysed again when an item writes them, and so get their display forms from items. */
static void forget_words(kt_similar *s)
{
    kt_strmap_free(&s->words_map);
    front_clear(s);
    s->nwords = 0;
}

int kt_similar_load_vocabulary(kt_similar *s, const char *text, size_t *bad_line)
{
    s->vocab_loading = true;
    int rc = load_vocabulary(s, text, bad_line);
    s->vocab_loading = false;
    forget_words(s);
    return rc;
}

static int load_vocabulary(kt_similar *s, const char *text, size_t *bad_line)
{
    size_t line = 0;
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        const char *hash = memchr(p, '#', n);
        if (hash)
            n = (size_t)(hash - p);
        line++;
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
            n--;
        size_t lead = 0;
        while (lead < n && (p[lead] == ' ' || p[lead] == '\t'))
            lead++;
        if (lead < n) {
            int rc =
                p[lead] == '=' || p[lead] == '~' ? load_group(s, p + lead, n - lead) : KT_EINVAL;
            if (rc) {
                if (bad_line)
                    *bad_line = line;
                return rc;
            }
        }
        p = nl ? nl + 1 : NULL;
    }
    return 0;
}

int kt_similar_load_vocabulary_file(kt_similar *s, const char *path, size_t *bad_line)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return KT_EIO;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (grow((void **)&buf, &cap, len + 4097, 1)) {
            rc = KT_ENOMEM;
            break;
        }
        size_t got = fread(buf + len, 1, 4096, f);
        len += got;
        if (got < 4096)
            break;
    }
    if (!rc && ferror(f))
        rc = KT_EIO;
    fclose(f);
    if (!rc) {
        buf[len] = 0;
        rc = kt_similar_load_vocabulary(s, buf, bad_line);
    }
    free(buf);
    return rc;
}

int kt_similar_load_default_vocabulary(kt_similar *s)
{
    return kt_similar_load_vocabulary(s, kt_similar_vocabulary_default, NULL);
}

int kt_similar_set(kt_similar *s, const char *name, double value)
{
    if (!strcmp(name, "syn"))
        s->syn_match = value;
    else if (!strcmp(name, "theme"))
        s->theme_match = value;
    else if (!strcmp(name, "one_word"))
        s->one_word = value;
    else if (!strcmp(name, "co"))
        s->co_match = value;
    else if (!strcmp(name, "co_min"))
        s->co_min = value;
    else if (!strcmp(name, "co_maxdf"))
        s->co_maxdf = value;
    else if (!strcmp(name, "co_gate"))
        s->co_gate = value;
    else if (!strcmp(name, "aspect"))
        s->aspect = value;
    else if (!strcmp(name, "aspect_desc"))
        s->aspect_desc = value;
    else if (!strcmp(name, "head_split") && value >= 0 && value < KT_TEXT_MAX_WORD)
        s->head_split = (size_t)value; /* before any text is read: the word cache keeps splits */
    else if (!strcmp(name, "learn_rate"))
        s->learn_rate = value;
    else if (!strcmp(name, "learn_min"))
        s->learn_min = value;
    else if (!strcmp(name, "learn_specific"))
        s->learn_specific = (float)value;
    else if (!strcmp(name, "learn_aspect"))
        s->learn_aspect = value != 0;
    else if (!strcmp(name, "find_plain"))
        s->find_plain = value != 0;
    else if (!strcmp(name, "post_block") && value >= 1) /* tests: blocks of small loads */
        s->post_block = (size_t)value;
    else
        return KT_EINVAL;
    return 0;
}

size_t kt_similar_vocabulary_groups(const kt_similar *s)
{
    return s->nconcepts;
}

/* --- learning acronyms ----------------------------------------------------------------------
 *
 * Agenda texts often define their acronyms ("Opgaan van ... in het RWC" with "het Regionaal
 * Werkcentrum" in the description). When an item holds an unknown acronym and, anywhere in
 * it, words whose initials spell it (compound parts and stop words may give letters:
 * Regionaal WerkCentrum, Preventie met Gezag), the acronym is learned as if the deployment
 * had taught it. */

#define MAX_LEARNED 65536

/* The letters a logged word offers: its initial, then those of its later compound parts. */
static size_t word_initials(const kt_similar *s, const logged_word *lw,
                            char out[KT_TEXT_MAX_PARTS + 1])
{
    size_t n = 0;
    out[n++] = lw->initial;
    if (lw->word == NO_TERM)
        return n;
    const wordinfo *wi = &s->words[lw->word];
    for (uint8_t i = 1; i < wi->nparts; i++)
        out[n++] = kt_strmap_key(&s->terms_map, s->terms[wi->parts[i]].key)[0];
    return n;
}

/* Matches the letters x[k..] from word j on; returns the index after the last word used, or
 * 0 when the words do not spell them. */
static size_t spell(const kt_similar *s, const wordlog *log, const char *x, size_t xn, size_t k,
                    size_t j, int skips)
{
    if (k == xn)
        return j;
    if (j >= log->n || !log->w[j].initial)
        return 0;
    const logged_word *lw = &log->w[j];
    if (lw->acronym && !strcmp(lw->folded, x))
        return 0;
    char ini[KT_TEXT_MAX_PARTS + 1];
    size_t ni = word_initials(s, lw, ini), m = 0;
    while (m < ni && k + m < xn && ini[m] == x[k + m])
        m++;
    for (; m > 0; m--) { /* use as many of the word's letters as fit, then fewer */
        size_t end = spell(s, log, x, xn, k + m, j + 1, 0);
        if (end)
            return end;
    }
    if (lw->stop && k > 0 && skips < 2)
        return spell(s, log, x, xn, k, j + 1, skips + 1);
    return 0;
}

static int learn_acronym(kt_similar *s, const wordlog *log, const logged_word *acr)
{
    size_t xn = strlen(acr->folded);
    uint32_t known;
    if (xn < 3 || kt_strmap_get(&s->abbr_map, acr->folded, xn, &known) ||
        kt_text_is_stopword(acr->folded) || s->nabbrs >= MAX_LEARNED)
        return 0;
    for (size_t i = 0; i < log->n; i++) {
        if (log->w[i].stop || log->w[i].initial != acr->folded[0])
            continue;
        size_t end = spell(s, log, acr->folded, xn, 0, i, 0);
        size_t content = 0;
        for (size_t j = i; j < end; j++)
            content += !log->w[j].stop;
        if (!end || content < 2)
            continue;
        char expansion[256], abbr[16];
        size_t n = 0;
        for (size_t j = i; j < end && n + log->w[j].orig_len + 2 < sizeof expansion; j++) {
            if (j > i)
                expansion[n++] = ' ';
            memcpy(expansion + n, log->w[j].orig, log->w[j].orig_len);
            n += log->w[j].orig_len;
        }
        expansion[n] = 0;
        size_t an = acr->orig_len < sizeof abbr - 1 ? acr->orig_len : sizeof abbr - 1;
        memcpy(abbr, acr->orig, an);
        abbr[an] = 0;
        int rc = kt_similar_add_abbreviation(s, abbr, expansion);
        return rc == KT_EINVAL ? 0 : rc;
    }
    return 0;
}

static int learn_acronyms(kt_similar *s, const wordlog *log)
{
    for (size_t i = 0; i < log->n; i++) {
        if (!log->w[i].acronym)
            continue;
        int rc = learn_acronym(s, log, &log->w[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* --- the term pool ------------------------------------------------------------------------- */

static size_t pool_size(size_t n)
{
    return n < 2 ? 2 : (n + 1) & ~(size_t)1;
}

static uint32_t *pool_alloc(term_pool *p, size_t n)
{
    size_t k = pool_size(n);
    uint32_t *a = p->free[k];
    if (a) {
        memcpy(&p->free[k], a, sizeof a); /* the next pointer lives in the array */
        return a;
    }
    if (!p->nchunks || p->used + k > p->len) {
        if (p->nchunks == p->chunks_cap) {
            size_t cap = p->chunks_cap ? p->chunks_cap * 2 : 64;
            uint32_t **c = realloc(p->chunks, cap * sizeof *c);
            if (!c)
                return NULL;
            p->chunks = c;
            p->chunks_cap = cap;
        }
        bool huge = p->nchunks >= POOL_HUGE_AFTER;
        size_t len = huge ? KT_HUGE_PAGE / sizeof(uint32_t) : POOL_CHUNK;
        uint32_t *chunk = huge ? kt_huge_alloc(KT_HUGE_PAGE) : malloc(len * sizeof *chunk);
        if (!chunk)
            return NULL;
        p->chunks[p->nchunks++] = chunk;
        p->used = 0;
        p->len = len;
        p->total += len;
    }
    a = p->chunks[p->nchunks - 1] + p->used;
    p->used += k;
    return a;
}

static void pool_free(term_pool *p, uint32_t *a, size_t n)
{
    if (!a)
        return;
    size_t k = pool_size(n);
    memcpy(a, &p->free[k], sizeof a);
    p->free[k] = a;
}

/* --- items --------------------------------------------------------------------------------- */

static posting make_posting(const item *it, uint32_t slot)
{
    posting p = {.slot = slot, .scope = POST_SCOPE_OTHER, .day = POST_DAY_BACKLOG};
    if (it->scope < POST_SCOPE_OTHER)
        p.scope = (uint16_t)it->scope;
    if (it->day != KT_SIM_NO_DATE) {
        int64_t d = (int64_t)it->day - POST_DAY_BASE;
        p.day = d >= 0 && d < POST_DAY_OTHER ? (uint16_t)d : POST_DAY_OTHER;
    }
    return p;
}

/* Gives a term's public list room for cap postings (cap >= df). A list in a block (see
 * post_pending) moves out of it, and the whole pages it leaves go back to the kernel. */
static int post_room(term *t, uint32_t cap)
{
    posting *np = realloc(t->post_block ? NULL : t->post, cap * sizeof *np);
    if (!np)
        return KT_ENOMEM;
    if (t->post_block) {
        memcpy(np, t->post, t->df * sizeof *np);
        kt_huge_release(t->post, t->cap * sizeof *np);
        t->post_block = false;
    }
    t->post = np;
    t->cap = cap;
    return 0;
}

/* A posting list: the public one of a term, or its confidential one (priv). */
static int post_add(term *t, posting p, bool priv)
{
    posting **post = priv ? &t->ppost : &t->post;
    uint32_t *df = priv ? &t->pdf : &t->df, *cap = priv ? &t->pcap : &t->cap;
    if (*df == *cap) {
        uint32_t ncap = *cap ? *cap + *cap / 2 + 1 : 2;
        if (!priv) {
            if (post_room(t, ncap))
                return KT_ENOMEM;
        } else {
            posting *np = realloc(*post, ncap * sizeof *np);
            if (!np)
                return KT_ENOMEM;
            *post = np;
            *cap = ncap;
        }
    }
    (*post)[(*df)++] = p;
    return 0;
}

static void post_del(term *t, uint32_t slot, bool priv)
{
    posting *post = priv ? t->ppost : t->post;
    uint32_t *df = priv ? &t->pdf : &t->df;
    for (uint32_t i = *df; i-- > 0;) {
        if (post[i].slot == slot) {
            post[i] = post[--*df];
            return;
        }
    }
    assert(!"posting missing");
}

/* Room in private_bits for slot's bit. 0 or KT_ENOMEM. */
static int private_room(kt_similar *s, uint32_t slot)
{
    if ((size_t)slot / 64 < s->private_words)
        return 0;
    size_t n = (size_t)slot / 64 + 1 + s->private_words;
    if (resize_zeroed((void **)&s->private_bits, s->private_words, n, sizeof *s->private_bits))
        return KT_ENOMEM;
    s->private_words = n;
    return 0;
}

static void item_unindex(kt_similar *s, uint32_t slot)
{
    item *it = &s->items[slot];
    if (!it->procedural)
        for (uint16_t i = 0; i < it->nterms; i++)
            post_del(&s->terms[it->terms[i] & TERM_MASK], slot, it->private);
    pool_free(&s->pool, it->terms, it->nterms);
    it->terms = NULL;
    it->nterms = 0;
    it->live = false;
    s->nlive--;
    s->npublic -= !it->private;
    if (it->private)
        s->private_bits[slot / 64] &= ~((uint64_t)1 << (slot % 64));
    it->private = false;
}

/* The postings of the items put during a bulk load, appended to their lists in the order of
 * the puts, as the puts would have: counted as they were put (pend_add), so that each list
 * grows once, to its size. 0, or KT_ENOMEM with nothing posted (the lists that grew hold what
 * they held, and the counts stay for the next try). */
static int post_pending(kt_similar *s)
{
    if (!s->pending.n)
        return 0;
    size_t nt = s->nterms < s->pend_cap ? s->nterms : s->pend_cap;
    /* The big lists that are empty so far (at start: all lists are) are placed side by side
     * in one block on huge pages when there are enough of them: at a million items that is
     * ~95 MiB, which in lists of their own was ~24,000 page faults and as many TLB entries
     * for the writes below, scattered over the lists. The small lists are malloc'd as before
     * (most fill memory the build has freed). A list that grows later leaves the block
     * (post_room). */
    size_t fresh = 0, big = s->post_block < sizeof(posting) ? 1 : s->post_block / sizeof(posting);
    for (size_t t = 0; t < nt; t++)
        if (s->pend_add[t] >= big && !s->terms[t].cap)
            fresh += s->pend_add[t];
    posting *block = NULL;
    void **blocks = NULL;
    if (fresh && fresh * sizeof *block >= POST_BLOCK_LISTS * s->post_block &&
        (blocks = realloc(s->blocks, (s->nblocks + 1) * sizeof *blocks))) {
        s->blocks = blocks;
        if ((block = kt_huge_alloc(fresh * sizeof *block)))
            s->blocks[s->nblocks++] = block;
    }
    for (size_t t = 0; block && t < nt; t++) {
        uint32_t add = s->pend_add[t];
        term *tm = &s->terms[t];
        if (add < big || tm->cap)
            continue;
        tm->post = block; /* cap 0: no list was ever allocated */
        tm->cap = add;
        tm->post_block = true;
        block += add;
    }
    for (size_t t = 0; t < nt; t++) { /* each list once */
        uint32_t add = s->pend_add[t];
        term *tm = &s->terms[t];
        if (!add || tm->df + add <= tm->cap)
            continue;
        if (post_room(tm, tm->df + add))
            return KT_ENOMEM;
    }
    /* Where each list's next posting goes, in an array of its own: 8 bytes a term where the
     * terms take 72 (at a million items the writes below missed the cache for the term). */
    posting **tail = malloc(nt * sizeof *tail);
    for (size_t t = 0; tail && t < nt; t++)
        tail[t] = s->terms[t].post + s->terms[t].df;
    for (size_t i = 0; i < s->pending.n; i++) {
        uint32_t slot = s->pending.v[i];
        const item *it = &s->items[slot];
        posting p = make_posting(it, slot);
        for (uint16_t k = 0; tail && k < it->nterms; k++)
            *tail[it->terms[k] & TERM_MASK]++ = p;
        for (uint16_t k = 0; !tail && k < it->nterms; k++) { /* no memory for tail: slower */
            term *tm = &s->terms[it->terms[k] & TERM_MASK];
            tm->post[tm->df++] = p;
        }
    }
    for (size_t t = 0; tail && t < nt; t++) {
        s->terms[t].df += s->pend_add[t];
        assert(tail[t] == s->terms[t].post + s->terms[t].df);
    }
    free(tail);
    memset(s->pend_add, 0, nt * sizeof *s->pend_add);
    s->pending.n = 0;
    return 0;
}

/* Counts (by, +1 or -1) the terms of a pending item in pend_add. 0 or KT_ENOMEM (nothing
 * counted). */
static int pend_count(kt_similar *s, const item *it, size_t n, uint32_t by)
{
    if (s->pend_cap < s->nterms) {
        size_t cap = s->terms_cap > s->nterms ? s->terms_cap : s->nterms;
        if (resize_zeroed((void **)&s->pend_add, s->pend_cap, cap, sizeof *s->pend_add))
            return KT_ENOMEM;
        s->pend_cap = cap;
    }
    for (size_t i = 0; i < n; i++)
        s->pend_add[it->terms[i] & TERM_MASK] += by;
    return 0;
}

int kt_similar_bulk_begin(kt_similar *s)
{
    s->bulk = true;
    return 0;
}

int kt_similar_bulk_end(kt_similar *s)
{
    int rc = post_pending(s);
    if (!rc)
        s->bulk = false;
    return rc;
}

/* Before an indexed item leaves its posting lists: the pending items are posted first, as a
 * removal moves the last posting of a list into the hole (the order puts alone would give). An
 * item that is not indexed (a cancelled one the scan meets) changes no list: nothing to do. */
static int post_pending_of(kt_similar *s, const item *it)
{
    return it ? post_pending(s) : 0;
}

int kt_similar_remove(kt_similar *s, int64_t item_id)
{
    if (post_pending_of(s, item_get(s, item_id)))
        return KT_ENOMEM;
    uint32_t v = id_del(s, item_id);
    if (!v)
        return KT_ENOTFOUND;
    s->generation++;
    item_unindex(s, (uint32_t)(v - 1));
    return vec_push(&s->free_slots, (uint32_t)(v - 1)) ? KT_ENOMEM : 0;
}

/* Room for need slots: the items and the scratch arrays a slot has, grown by half at a time
 * or (exact) to need. 0 or KT_ENOMEM. */
static int slots_room(kt_similar *s, size_t need, bool exact)
{
    size_t cap = s->slots_cap;
    if (exact && need > cap) {
        item *p = realloc(s->items, need * sizeof *p);
        if (!p)
            return KT_ENOMEM;
        kt_huge_advise(p, need * sizeof *p);
        s->items = p;
        cap = need;
    } else if (grow((void **)&s->items, &cap, need, sizeof *s->items)) {
        return KT_ENOMEM;
    }
    if (cap != s->slots_cap) {
        float *acc = realloc(s->acc, cap * sizeof *acc);
        if (acc)
            s->acc = acc;
        uint8_t *st = acc ? realloc(s->state, cap) : NULL;
        if (st)
            s->state = st;
        size_t words = (cap + 63) / 64, had = (s->slots_cap + 63) / 64;
        uint64_t *mark = st ? realloc(s->co_mark, words * sizeof *mark) : NULL;
        if (mark)
            s->co_mark = mark;
        if (!acc || !st || !mark) {
            /* items grew but the scratch did not: shrink our idea of the capacity back */
            return KT_ENOMEM;
        }
        kt_huge_advise(s->acc, cap * sizeof *acc);
        memset(s->acc + s->slots_cap, 0, (cap - s->slots_cap) * sizeof *acc);
        memset(s->state + s->slots_cap, 0, cap - s->slots_cap);
        memset(s->co_mark + had, 0, (words - had) * sizeof *mark);
        s->slots_cap = cap;
    }
    return 0;
}

static int slot_alloc(kt_similar *s, uint32_t *slot)
{
    if (s->free_slots.n) {
        *slot = s->free_slots.v[--s->free_slots.n];
        return 0;
    }
    if (slots_room(s, s->nslots + 1, false))
        return KT_ENOMEM;
    *slot = (uint32_t)s->nslots++;
    return 0;
}

int kt_similar_reserve(kt_similar *s, size_t items)
{
    size_t need = s->nlive + items, slots = s->nslots + items;
    slots = slots > s->free_slots.n ? slots - s->free_slots.n : 0; /* freed slots are reused */
    /* ids are about as many as the items (some items were deleted): room for a quarter more */
    if (dense_grow(s, need + need / 4 + 1024) || slots_room(s, slots, true))
        return KT_ENOMEM;
    if (s->bulk && s->pending.cap < s->pending.n + items) {
        uint32_t *v = realloc(s->pending.v, (s->pending.n + items) * sizeof *v);
        if (!v)
            return KT_ENOMEM;
        s->pending.v = v;
        s->pending.cap = s->pending.n + items;
    }
    return 0;
}

static int scope_id_of(kt_similar *s, const char *scope, uint32_t *id)
{
    size_t n = scope ? strlen(scope) : 0;
    if (kt_strmap_get(&s->scope_ids, n ? scope : "", n, id))
        return 0;
    int rc = kt_scopes_intern(s->scopes, scope, id);
    return rc ? rc : kt_strmap_put(&s->scope_ids, n ? scope : "", n, *id, NULL);
}

int kt_similar_put(kt_similar *s, int64_t item_id, int64_t body_id, const char *scope, int32_t day,
                   const char *title, const char *description)
{
    return kt_similar_put_item(s, item_id, body_id, scope, day, title, description, false);
}

int kt_similar_put_item(kt_similar *s, int64_t item_id, int64_t body_id, const char *scope,
                        int32_t day, const char *title, const char *description, bool confidential)
{
    if (!item_id)
        return KT_EINVAL;
    s->generation++;
    /* Whether the item is indexed already is asked after its text is read, not before: in a
     * map of a million items the id's slot is a cache miss, and reading the text gives the
     * fetch asked for here time to arrive. The text is read the same either way (nothing
     * that reads it looks at the items or their postings). */
#if defined(__GNUC__)
    if (item_id > 0 && (uint64_t)item_id < s->dense_cap)
        __builtin_prefetch(&s->dense[item_id]);
    else
#endif
        kt_imap_prefetch(&s->ids, item_id);
    s->entries.n = 0;
    s->log.n = 0;
    bool subject;
    /* A confidential item teaches the index nothing (no acronym, no place): what it says must
     * not change how other items are read. */
    bool learn = !confidential;
    int rc = analyse_field(s, title, F_TITLE, &s->entries, &s->log, &subject, learn);
    if (s->log.n < sizeof s->log.w / sizeof s->log.w[0])
        s->log.w[s->log.n++] = (logged_word){.initial = 0}; /* definitions stay in one field */
    if (!rc)
        rc = analyse_field(s, description, F_DESC, &s->entries, &s->log, NULL, learn);
    if (!rc && learn)
        rc = learn_acronyms(s, &s->log);
    if (!rc && item_get(s, item_id) && kt_similar_remove(s, item_id) == KT_ENOMEM)
        rc = KT_ENOMEM;

    uint32_t scope_id = 0, slot = 0;
    if (!rc)
        rc = scope_id_of(s, scope, &scope_id);
    if (!rc)
        rc = slot_alloc(s, &slot);
    if (rc)
        return rc;
    if (confidential && private_room(s, slot)) {
        vec_push(&s->free_slots, slot);
        return KT_ENOMEM;
    }
    size_t n = merge_entries(s->entries.v, s->entries.n);
    if (n > MAX_ITEM_TERMS)
        n = MAX_ITEM_TERMS;
    item *it = &s->items[slot];
    *it = (item){.id = item_id,
                 .body = body_id,
                 .scope = scope_id,
                 .day = day,
                 .procedural = !subject && kt_text_is_procedural(title),
                 .live = true,
                 .private = confidential};
    it->terms = pool_alloc(&s->pool, n);
    if (!it->terms)
        goto nomem;
    memcpy(it->terms, s->entries.v, n * sizeof *it->terms);
    /* Procedural items are kept (find and pair_score must know them) but not posted: they are
     * never a candidate. During a bulk load a public item is posted later (post_pending). */
    bool deferred = s->bulk && !confidential && !it->procedural;
    if (deferred && pend_count(s, it, n, 1)) {
        pool_free(&s->pool, it->terms, n);
        goto nomem;
    }
    if (deferred && vec_push(&s->pending, slot)) {
        pend_count(s, it, n, (uint32_t)-1);
        pool_free(&s->pool, it->terms, n);
        goto nomem;
    }
    posting post = make_posting(it, slot);
    for (size_t i = 0; !it->procedural && !deferred && i < n; i++) {
        if (post_add(&s->terms[it->terms[i] & TERM_MASK], post, confidential)) {
            for (size_t j = 0; j < i; j++)
                post_del(&s->terms[it->terms[j] & TERM_MASK], slot, confidential);
            pool_free(&s->pool, it->terms, n);
            goto nomem;
        }
    }
    it->nterms = (uint16_t)n;
    if (confidential)
        s->private_bits[slot / 64] |= (uint64_t)1 << (slot % 64);
    if (id_put(s, item_id, slot)) {
        if (deferred) { /* nothing posted yet */
            s->pending.n--;
            pend_count(s, it, n, (uint32_t)-1);
            pool_free(&s->pool, it->terms, n);
            goto nomem;
        }
        it->live = true;
        s->nlive++;
        s->npublic += !confidential;
        item_unindex(s, slot);
        goto nomem_slot;
    }
    s->nlive++;
    s->npublic += !confidential;
    return 0;
nomem:
    it->terms = NULL;
    it->live = false;
nomem_slot:
    vec_push(&s->free_slots, slot);
    return KT_ENOMEM;
}

int kt_similar_set_private(kt_similar *s, int64_t item_id, bool confidential)
{
    if (post_pending_of(s, item_get(s, item_id)))
        return KT_ENOMEM;
    item *it = item_get(s, item_id);
    if (!it)
        return KT_ENOTFOUND;
    uint32_t slot = (uint32_t)(it - s->items);
    if (it->private == confidential)
        return 0;
    if (confidential && private_room(s, slot))
        return KT_ENOMEM;
    /* Its postings move to the other lists: room first, so that a failure changes nothing. */
    for (uint16_t i = 0; !it->procedural && i < it->nterms; i++) {
        term *t = &s->terms[it->terms[i] & TERM_MASK];
        if (post_add(t, make_posting(it, slot), confidential)) {
            for (uint16_t j = 0; j < i; j++)
                post_del(&s->terms[it->terms[j] & TERM_MASK], slot, confidential);
            return KT_ENOMEM;
        }
    }
    for (uint16_t i = 0; !it->procedural && i < it->nterms; i++)
        post_del(&s->terms[it->terms[i] & TERM_MASK], slot, !confidential);
    s->generation++;
    it->private = confidential;
    s->npublic += confidential ? (size_t)-1 : 1;
    s->private_bits[slot / 64] ^= (uint64_t)1 << (slot % 64);
    return 0;
}

size_t kt_similar_count(const kt_similar *s)
{
    return s->nlive;
}

/* --- explaining ---------------------------------------------------------------------------- */

/* Copies text into buf (n bytes), cut to fit, NUL-terminated: snprintf's "%s" without its
 * cost (the explanation of every hit of a find is written with these). */
static void copy_text(char *buf, size_t n, const char *text)
{
    if (!n)
        return;
    size_t len = strlen(text);
    if (len > n - 1)
        len = n - 1;
    memcpy(buf, text, len);
    buf[len] = 0;
}

static void append(char *buf, size_t n, size_t *len, const char *text)
{
    if (!n || *len + 1 >= n)
        return;
    size_t room = n - *len - 1, w = strlen(text);
    if (w > room)
        w = room;
    memcpy(buf + *len, text, w);
    *len += w;
    buf[*len] = 0;
}

/* A word of `it` whose parts or expansion include t, or NO_TERM. */
static uint32_t source_of(const kt_similar *s, const item *it, uint32_t t)
{
    for (uint16_t i = 0; i < it->nterms; i++) {
        uint32_t e = it->terms[i];
        const term *tm = &s->terms[e & TERM_MASK];
        if (!(e & F_WHOLE))
            continue;
        for (uint8_t k = 0; k < tm->nderived; k++)
            if (s->derived.v[tm->derived + k] == t)
                return e & TERM_MASK;
    }
    return NO_TERM;
}

/* One shared word, as people wrote it: "Damocles", "woningsluitingen ~ sluiting",
 * "PmG ~ Preventie + Gezag". */
static void explain_unit(const kt_similar *s, const item *a, const item *b, uint32_t t, char *buf,
                         size_t n, size_t *len)
{
    append(buf, n, len, term_display(s, t));
    if (item_has(b, t)) {
        uint32_t src = (item_entry(b, t) & F_WHOLE) ? NO_TERM : source_of(s, b, t);
        if (src != NO_TERM) {
            append(buf, n, len, " ~ ");
            append(buf, n, len, term_display(s, src));
        }
        return;
    }
    const term *tm = &s->terms[t];
    const char *sep = " ~ ";
    for (uint8_t k = 0; k < tm->nderived; k++) {
        uint32_t p = s->derived.v[tm->derived + k];
        if (!item_has(b, p))
            continue;
        append(buf, n, len, sep);
        append(buf, n, len, term_display(s, p));
        sep = " + ";
    }
    if (sep[1] == '~') { /* met by spelling */
        uint32_t f = match_unit(s, t, a, b).via;
        if (f != NO_TERM) {
            append(buf, n, len, " ~ ");
            append(buf, n, len, term_display(s, f));
        }
    }
}

/* Writes the words a shares with b, weightiest first. contrib is from score_items. */
static void explain_shared(const kt_similar *s, const item *a, const item *b, const double *contrib,
                           char *buf, size_t n)
{
    size_t len = 0;
    if (n)
        buf[0] = 0;
    uint16_t order[MAX_ITEM_TERMS];
    uint16_t k = 0;
    for (uint16_t i = 0; i < a->nterms; i++)
        if (contrib[i] > 0)
            order[k++] = i;
    for (uint16_t i = 1; i < k; i++) /* insertion sort: a handful of words */
        for (uint16_t j = i; j > 0 && contrib[order[j]] > contrib[order[j - 1]]; j--) {
            uint16_t tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    for (uint16_t i = 0; i < k && i < 8; i++) {
        if (i)
            append(buf, n, &len, ", ");
        explain_unit(s, a, b, a->terms[order[i]] & TERM_MASK, buf, n, &len);
    }
}

/* Whether term x belongs to the vocabulary group whose term is g. */
static bool in_group(const kt_similar *s, uint32_t x, uint32_t g)
{
    const term *tm = &s->terms[x];
    for (uint8_t k = 0; k < tm->nconcepts; k++)
        if (s->concepts[s->concept_of.v[tm->concepts + k]].term == g)
            return true;
    return false;
}

/* How an abbreviation is shown with its expansion ("PmG (Preventie met Gezag)"), or NULL when
 * t is none. */
static const char *abbr_display(const kt_similar *s, uint32_t t)
{
    if (!(s->terms[t].hints & HINT_ABBR))
        return NULL;
    for (size_t i = 0; i < s->nabbrs; i++)
        if (s->abbrs[i].term == t)
            return s->abbrs[i].display;
    return NULL;
}

/* Whether one of two shown words, folded, contains the other ("rekenkamer" in
 * "Rekenkameronderzoek", "ongewenst verhuurgedrag" in "meldpunt ongewenst verhuurgedrag"). */
static bool says_the_same(const char *x, const char *y)
{
    char fx[KT_SIM_SHARED_MAX], fy[KT_SIM_SHARED_MAX];
    kt_text_fold(x, fx, sizeof fx);
    kt_text_fold(y, fy, sizeof fy);
    return strstr(fx, fy) || strstr(fy, fx);
}

/* The shared subject in plain words for people, "x, y en z": for the weightiest words a shares
 * with b, the word both have (the part a compound shares, the abbreviation, the vocabulary
 * group's label), at most three, strongest first. Words that are specific evidence come
 * before the rest: when two items share one, a year, a place or a mild word ("werkgroep",
 * "2027") is not what they are about; nor is a word that brings less than a quarter of what
 * the strongest one does. A word that another shown one contains, or a word of a group whose
 * label is shown, says nothing new; an abbreviation is shown with what it stands for, once
 * ("PmG (Preventie met Gezag)"). */
#define SUBJECT_TAIL 0.25
static void explain_subject(const kt_similar *s, const item *a, const item *b,
                            const double *contrib, char *buf, size_t n)
{
    size_t len = 0;
    if (n)
        buf[0] = 0;
    uint16_t order[MAX_ITEM_TERMS];
    uint16_t k = 0;
    bool any_specific = false;
    for (uint16_t i = 0; i < a->nterms; i++)
        if (contrib[i] > 0 && term_prior(s, a->terms[i] & TERM_MASK) > GENERIC_PRIOR) {
            order[k++] = i;
            any_specific |= specific_term(s, a->terms[i] & TERM_MASK);
        }
    for (uint16_t i = 1; i < k; i++)
        for (uint16_t j = i; j > 0 && contrib[order[j]] > contrib[order[j - 1]]; j--) {
            uint16_t tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    char shown[3][KT_SIM_SHARED_MAX];
    uint32_t shown_term[3];
    int nshown = 0;
    double first = 0;
    for (uint16_t i = 0; i < k && nshown < 3; i++) {
        uint32_t t = a->terms[order[i]] & TERM_MASK;
        if (any_specific && !specific_term(s, t))
            continue;
        if (nshown && contrib[order[i]] < SUBJECT_TAIL * first)
            break;
        unit_match m = match_unit(s, t, a, b);
        uint32_t show = t;
        if (m.via != NO_TERM && (s->terms[m.via].hints & HINT_GROUP))
            show = m.via; /* the group's label: "jaarwisseling" */
        else if (!presence(b, t) && m.via == NO_TERM) {
            const term *tm = &s->terms[t]; /* met through a part: the part both have */
            for (uint8_t d = 0; d < tm->nderived; d++)
                if (presence(b, s->derived.v[tm->derived + d]) > 0) {
                    show = s->derived.v[tm->derived + d];
                    break;
                }
        }
        const char *xa = abbr_display(s, show);
        const char *w = xa ? xa : term_display(s, show);
        while (*w == ' ' || *w == '\t') /* a phrase of the vocabulary as written there */
            w++;
        char cur[KT_SIM_SHARED_MAX];
        copy_text(cur, sizeof cur, w);
        for (size_t l = strlen(cur); l && (cur[l - 1] == ' ' || cur[l - 1] == '\t');)
            cur[--l] = 0;
        if (!cur[0])
            continue;
        bool dup = false;
        for (int j = 0; j < nshown && !dup; j++) {
            dup = says_the_same(shown[j], cur) || in_group(s, show, shown_term[j]) ||
                  in_group(s, shown_term[j], show);
            if (dup && xa && says_the_same(shown[j], cur) && strlen(cur) > strlen(shown[j])) {
                /* "Preventie met Gezag", then PmG: "PmG (Preventie met Gezag)" */
                copy_text(shown[j], sizeof shown[j], cur);
                shown_term[j] = show;
            }
        }
        if (dup)
            continue;
        if (!nshown)
            first = contrib[order[i]];
        copy_text(shown[nshown], sizeof shown[nshown], cur);
        shown_term[nshown++] = show;
    }
    for (int i = 0; i < nshown; i++) {
        if (i)
            append(buf, n, &len, i == nshown - 1 ? " en " : ", ");
        append(buf, n, &len, shown[i]);
    }
}

/* --- finding ------------------------------------------------------------------------------- */

/* Why a pair can never be a finding, or NULL when it can. */
static const char *excluded(kt_similar *s, const item *a, const item *b)
{
    if (a == b)
        return "same item";
    if (a->body == b->body)
        return "same body";
    if (a->procedural || b->procedural)
        return "procedural item";
    if (!kt_scopes_compatible(s->scopes, a->scope, b->scope))
        return "scopes cannot share a subject";
    return NULL;
}

int kt_similar_pair_score(kt_similar *s, int64_t a_id, int64_t b_id, double *score, char *explain,
                          size_t n)
{
    assert(!s->pending.n); /* kt_similar_bulk_end first */
    const item *a = item_get(s, a_id), *b = item_get(s, b_id);
    if (!a || !b)
        return KT_ENOTFOUND;
    const char *why = excluded(s, a, b);
    if (why) {
        *score = 0;
        if (n)
            snprintf(explain, n, "excluded: %s", why);
        return 0;
    }
    double contrib[MAX_ITEM_TERMS];
    if (!s->find_plain)
        weight_cache_begin(s);
    *score = score_items(s, a, b, contrib);
    if (n)
        explain_shared(s, a, b, contrib, explain, n);
    weight_cache_end(s);
    return 0;
}

typedef struct qterm {
    uint32_t term;
    float w;
} qterm;

static int cmp_qterm(const void *a, const void *b)
{
    float x = ((const qterm *)a)->w, y = ((const qterm *)b)->w;
    return x > y ? -1 : x < y;
}

typedef struct cand {
    float rough;
    uint32_t slot;
} cand;

static int cmp_cand(const void *a, const void *b)
{
    float x = ((const cand *)a)->rough, y = ((const cand *)b)->rough;
    return x > y ? -1 : x < y;
}

/* Keeps h among the best max_hits found so far, best first: both find paths choose their hits
 * this one way, so the reference path can only differ from the fast one in what it scores. */
static void keep_hit(kt_similar_hit *hits, size_t *nhits, size_t max_hits, kt_similar_hit h)
{
    size_t at;
    if (*nhits < max_hits)
        at = (*nhits)++;
    else if (h.score > hits[max_hits - 1].score)
        at = max_hits - 1;
    else
        return;
    /* hits stay sorted best first; a new hit goes after the ones that score as well (what a
     * stable sort of the list with h at its end gave): move only the ones it passes */
    size_t to = at;
    while (to > 0 && hits[to - 1].score < h.score)
        to--;
    memmove(hits + to + 1, hits + to, (at - to) * sizeof *hits);
    hits[to] = h;
}

bool kt_similar_hits_equal(const kt_similar_hit *a, int na, const kt_similar_hit *b, int nb)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++)
        if (a[i].item_id != b[i].item_id || a[i].body_id != b[i].body_id ||
            a[i].score != b[i].score || strcmp(a[i].shared, b[i].shared) ||
            strcmp(a[i].subject, b[i].subject))
            return false;
    return true;
}

/* Whether a posting passes the query's scope and window; only then is the item touched. */
static bool posting_admissible(const kt_similar *s, const item *q, const posting *p, int32_t window)
{
    if (!s->row[p->scope])
        return false;
    if (p->scope == POST_SCOPE_OTHER &&
        !kt_scopes_compatible(s->scopes, q->scope, s->items[p->slot].scope))
        return false;
    if (q->day == KT_SIM_NO_DATE || p->day == POST_DAY_BACKLOG)
        return true;
    int64_t d = p->day == POST_DAY_OTHER ? s->items[p->slot].day : (int64_t)p->day + POST_DAY_BASE;
    d -= q->day;
    return d <= window && d >= -(int64_t)window;
}

/* The query's terms, weightiest first, and the scope row of its scope: what both paths of find
 * walk the posting lists with. 0 or KT_ENOMEM. */
static int query_terms(kt_similar *s, const item *q, qterm *qt)
{
    for (uint16_t i = 0; i < q->nterms; i++) {
        uint32_t e = q->terms[i];
        double w = term_weight(s, e & TERM_MASK) * ((e & F_TITLE) ? 1.0 : DESC_WEIGHT);
        qt[i] = (qterm){e & TERM_MASK, (float)(IS_UNIT(e) ? w : w * DERIVED_MATCH)};
    }
    qsort(qt, q->nterms, sizeof *qt, cmp_qterm);
    if (!s->row && !(s->row = malloc((size_t)UINT16_MAX + 1)))
        return KT_ENOMEM;
    size_t nscopes = kt_scopes_count(s->scopes);
    if (s->row_scope != q->scope || s->row_nscopes != nscopes) {
        for (size_t i = 0; i < nscopes && i < POST_SCOPE_OTHER; i++)
            s->row[i] = kt_scopes_compatible(s->scopes, q->scope, (uint32_t)i);
        s->row[POST_SCOPE_OTHER] = 1; /* decided per item */
        s->row_scope = q->scope;
        s->row_nscopes = nscopes;
    }
    return 0;
}

/* --- find: the reference path --------------------------------------------------------------
 *
 * find as it was first written, kept as the reference that the faster path below must agree
 * with exactly (kt_similar_set(s, "find_plain", 1); tests/unit/test_similar.c, bench_similar
 * --check, similar-eval --check-find). Walks the posting lists of q's weightiest terms and
 * accumulates a rough score (the query
 * weight the item shares) for every admissible item met: compatible scope, in the window,
 * another body. priv: the confidential items' lists instead of the others' (each with a budget
 * of its own: the confidential items take nothing from the search among the others). */
static int gather_plain(kt_similar *s, const item *q, uint32_t qslot, int32_t window, bool priv)
{
    qterm qt[MAX_ITEM_TERMS];
    int rc = query_terms(s, q, qt);
    if (rc)
        return rc;
    size_t max_df = (size_t)(SCAN_MAX_SHARE * (double)s->npublic);
    if (max_df < SCAN_MIN_DF)
        max_df = SCAN_MIN_DF;
    size_t budget = SCAN_BUDGET;
    s->state[qslot] = 2;
    if (vec_push(&s->touched, qslot))
        return KT_ENOMEM;
    for (uint16_t i = 0; i < q->nterms && budget; i++) {
        const term *t = &s->terms[qt[i].term];
        if (t->df > max_df || qt[i].w <= 0)
            continue;
        float tw = qt[i].w;
        uint32_t df = priv ? t->pdf : t->df;
        uint32_t n = df < budget ? df : (uint32_t)budget;
        budget -= n;
        for (uint32_t k = 0; k < n; k++) {
            const posting *p = priv ? &t->ppost[k] : &t->post[k];
            if (!posting_admissible(s, q, p, window))
                continue;
            uint32_t slot = p->slot;
            if (!s->state[slot]) {
                s->state[slot] = s->items[slot].body != q->body ? 1 : 2;
                if (vec_push(&s->touched, slot))
                    return KT_ENOMEM;
            }
            if (s->state[slot] == 1)
                s->acc[slot] += tw;
        }
    }
    return 0;
}

static int find_plain(kt_similar *s, int64_t item_id, int32_t window_days, kt_similar_hit *hits,
                      size_t max_hits, bool priv)
{
    const item *q = item_get(s, item_id);
    if (!q)
        return KT_ENOTFOUND;
    if (q->procedural || !q->nterms || !max_hits)
        return 0;
    uint32_t qslot = (uint32_t)(q - s->items);
    s->touched.n = 0;
    int rc = gather_plain(s, q, qslot, window_days, priv);
    /* The candidates: touched items that passed, best rough score first. */
    size_t nc = 0;
    if (!rc && grow((void **)&s->cands, &s->cands_cap, s->touched.n, sizeof *s->cands))
        rc = KT_ENOMEM;
    for (size_t i = 0; !rc && i < s->touched.n; i++) {
        uint32_t slot = s->touched.v[i];
        if (s->state[slot] == 1)
            s->cands[nc++] = (cand){s->acc[slot], slot};
    }
    qsort(s->cands, nc, sizeof *s->cands, cmp_cand);
    size_t nhits = 0;
    for (size_t i = 0; i < nc && i < MAX_CANDIDATES; i++) {
        const item *c = &s->items[s->cands[i].slot];
        double sc = score_items(s, q, c, NULL);
        if (sc < KT_SIM_THRESHOLD)
            continue;
        keep_hit(hits, &nhits, max_hits,
                 (kt_similar_hit){.item_id = c->id, .body_id = c->body, .score = sc});
    }
    /* Reset the scratch for the next query: only what this one touched. */
    for (size_t i = 0; i < s->touched.n; i++) {
        s->acc[s->touched.v[i]] = 0;
        s->state[s->touched.v[i]] = 0;
    }
    s->state[qslot] = 0;
    if (rc)
        return rc;
    double contrib[MAX_ITEM_TERMS];
    for (size_t i = 0; i < nhits; i++) {
        const item *c = item_get(s, hits[i].item_id);
        score_items(s, q, c, contrib);
        explain_shared(s, q, c, contrib, hits[i].shared, sizeof hits[i].shared);
        explain_subject(s, q, c, contrib, hits[i].subject, sizeof hits[i].subject);
    }
    return (int)nhits;
}

/* --- find ------------------------------------------------------------------------------------
 *
 * The same candidates, scores and order as find_plain, with less work where the time went at a
 * million items (bench_similar; bench/README.md):
 * - The walk over the posting lists touches one array per posting (acc; an item is new when its
 *   acc is 0, which a touched item never is, since only terms of positive weight are walked)
 *   and leaves the body check to the items that could be among the best (find_plain reads each
 *   new item's record, a cache miss per item, to skip its body's own items).
 * - The best MAX_CANDIDATES are selected in one pass in the order of find_plain's stable sort
 *   (rough score down, then the order in which the walk met them), not by sorting thousands.
 * - A term's weight is computed once per query (term_weight's cache), and each candidate is
 *   scored once: its contributions are kept for the explanation of a hit. */

/* Walks the posting lists of q's weightiest terms and accumulates a rough score for every
 * admissible item met (compatible scope, in the window); q itself is left out, its body's items
 * are not (yet). priv: the confidential items' lists. */
static int gather(kt_similar *s, const item *q, uint32_t qslot, int32_t window, bool priv)
{
    qterm qt[MAX_ITEM_TERMS];
    int rc = query_terms(s, q, qt);
    if (rc)
        return rc;
    size_t max_df = (size_t)(SCAN_MAX_SHARE * (double)s->npublic);
    if (max_df < SCAN_MIN_DF)
        max_df = SCAN_MIN_DF;
    size_t budget = SCAN_BUDGET;
    float *acc = s->acc;
    for (uint16_t i = 0; i < q->nterms && budget; i++) {
        const term *t = &s->terms[qt[i].term];
        if (t->df > max_df || qt[i].w <= 0)
            continue;
        float tw = qt[i].w;
        uint32_t df = priv ? t->pdf : t->df;
        uint32_t n = df < budget ? df : (uint32_t)budget;
        budget -= n;
        const posting *post = priv ? t->ppost : t->post;
        for (uint32_t k = 0; k < n; k++) {
            const posting *p = &post[k];
            if (!posting_admissible(s, q, p, window))
                continue;
            uint32_t slot = p->slot;
            if (slot == qslot)
                continue;
            if (acc[slot] == 0 && vec_push(&s->touched, slot))
                return KT_ENOMEM;
            acc[slot] += tw;
        }
    }
    return 0;
}

/* The best candidates among the touched items of another body, at most MAX_CANDIDATES, in the
 * order of find_plain's stable sort: rough score down, then the order of the walk. Returns
 * their number. */
static size_t select_candidates(kt_similar *s, const item *q, cand *best)
{
    size_t nb = 0;
    for (size_t i = 0; i < s->touched.n; i++) {
        uint32_t slot = s->touched.v[i];
        float rough = s->acc[slot];
        if (nb == MAX_CANDIDATES && !(rough > best[nb - 1].rough))
            continue; /* an equal score met later comes later */
        if (s->items[slot].body == q->body)
            continue;
        size_t at = nb < MAX_CANDIDATES ? nb : nb - 1;
        while (at > 0 && best[at - 1].rough < rough) {
            best[at] = best[at - 1];
            at--;
        }
        best[at] = (cand){rough, slot};
        if (nb < MAX_CANDIDATES)
            nb++;
    }
    return nb;
}

static int find_fast(kt_similar *s, const item *q, int32_t window_days, kt_similar_hit *hits,
                     size_t max_hits, bool priv)
{
    uint32_t qslot = (uint32_t)(q - s->items);
    s->touched.n = 0;
    int rc = gather(s, q, qslot, window_days, priv);
    cand best[MAX_CANDIDATES];
    size_t nc = rc ? 0 : select_candidates(s, q, best);
    for (size_t i = 0; i < s->touched.n; i++)
        s->acc[s->touched.v[i]] = 0;
    if (rc)
        return rc;
    size_t stride = q->nterms;
    if (grow((void **)&s->contribs, &s->contribs_cap, MAX_CANDIDATES * stride, sizeof(double)))
        return KT_ENOMEM;
    size_t nhits = 0;
    for (size_t i = 0; i < nc; i++) {
        const item *c = &s->items[best[i].slot];
        double sc = score_items(s, q, c, s->contribs + i * stride);
        if (sc < KT_SIM_THRESHOLD)
            continue;
        keep_hit(hits, &nhits, max_hits,
                 (kt_similar_hit){.item_id = c->id, .body_id = c->body, .score = sc});
    }
    for (size_t i = 0; i < nhits; i++) {
        size_t k = 0;
        while (s->items[best[k].slot].id != hits[i].item_id)
            k++;
        const item *c = &s->items[best[k].slot];
        const double *contrib = s->contribs + k * stride;
        explain_shared(s, q, c, contrib, hits[i].shared, sizeof hits[i].shared);
        explain_subject(s, q, c, contrib, hits[i].subject, sizeof hits[i].subject);
    }
    return (int)nhits;
}

static int find_among(kt_similar *s, int64_t item_id, int32_t window_days, kt_similar_hit *hits,
                      size_t max_hits, bool priv)
{
    assert(!s->pending.n); /* kt_similar_bulk_end first */
    const item *q = item_get(s, item_id);
    if (!q)
        return KT_ENOTFOUND;
    if (q->procedural || !q->nterms || !max_hits)
        return 0;
    if (!s->find_plain) /* the reference computes every weight */
        weight_cache_begin(s);
    int rc = s->find_plain ? find_plain(s, item_id, window_days, hits, max_hits, priv)
                           : find_fast(s, q, window_days, hits, max_hits, priv);
    weight_cache_end(s);
    return rc;
}

int kt_similar_find(kt_similar *s, int64_t item_id, int32_t window_days, kt_similar_hit *hits,
                    size_t max_hits)
{
    return find_among(s, item_id, window_days, hits, max_hits, false);
}

int kt_similar_find_confidential(kt_similar *s, int64_t item_id, int32_t window_days,
                                 kt_similar_hit *hits, size_t max_hits)
{
    return find_among(s, item_id, window_days, hits, max_hits, true);
}

/* --- the index as terms ------------------------------------------------------------------- */

/* How strongly an entry holds its term, before rarity and prior (see kt_sim_term); 0 for the
 * words of an abbreviation's expansion that the text does not write ("Bibob" is no mention of
 * "bestuur"): the abbreviation's own term carries it. */
static float entry_weight(uint32_t e)
{
    if (!(e & (F_WHOLE | F_PART)))
        return 0;
    double w = (e & F_TITLE) ? 1.0 : DESC_WEIGHT;
    return (float)(IS_UNIT(e) ? w : w * DERIVED_MATCH);
}

/* As entry_weight, for profiles: the vocabulary's phrases are no words of a text (its words
 * are), and its groups are not either. */
static float profile_entry_weight(const kt_similar *s, uint32_t e)
{
    return (s->terms[e & TERM_MASK].hints & (HINT_PHRASE | HINT_GROUP)) ? 0 : entry_weight(e);
}

int kt_similar_text_terms(kt_similar *s, const char *title, const char *description, bool learn,
                          kt_sim_term *out, size_t max)
{
    s->entries.n = 0;
    s->log.n = 0;
    wordlog *log = learn ? &s->log : NULL;
    s->frozen = !learn;
    int rc = analyse_field(s, title, F_TITLE, &s->entries, log, NULL, learn);
    if (!rc && log && s->log.n < sizeof s->log.w / sizeof s->log.w[0])
        s->log.w[s->log.n++] = (logged_word){.initial = 0};
    if (!rc)
        rc = analyse_field(s, description, F_DESC, &s->entries, log, NULL, learn);
    if (!rc && log)
        rc = learn_acronyms(s, log);
    s->frozen = false;
    if (rc)
        return rc;
    size_t n = merge_entries(s->entries.v, s->entries.n);
    size_t k = 0;
    for (size_t i = 0; i < n && k < max && k < (size_t)INT32_MAX; i++) {
        float w = profile_entry_weight(s, s->entries.v[i]);
        if (w > 0)
            out[k++] = (kt_sim_term){s->entries.v[i] & TERM_MASK, w};
    }
    return (int)k;
}

uint64_t kt_similar_generation(const kt_similar *s)
{
    return s->generation;
}

size_t kt_similar_slot_count(const kt_similar *s)
{
    return s->nslots;
}

bool kt_similar_slot_item(const kt_similar *s, size_t slot, kt_sim_item *it)
{
    if (slot >= s->nslots || !s->items[slot].live)
        return false;
    const item *x = &s->items[slot];
    *it = (kt_sim_item){.id = x->id,
                        .body = x->body,
                        .scope = x->scope,
                        .day = x->day,
                        .procedural = x->procedural};
    return true;
}

int kt_similar_item_slot(const kt_similar *s, int64_t item_id, uint32_t *slot)
{
    const item *it = item_get(s, item_id);
    if (!it)
        return KT_ENOTFOUND;
    *slot = (uint32_t)(it - s->items);
    return 0;
}

size_t kt_similar_slot_terms(const kt_similar *s, size_t slot, kt_sim_term *out, size_t max)
{
    if (slot >= s->nslots || !s->items[slot].live)
        return 0;
    const item *it = &s->items[slot];
    size_t k = 0;
    for (uint16_t i = 0; i < it->nterms && k < max; i++) {
        float w = profile_entry_weight(s, it->terms[i]);
        if (w > 0)
            out[k++] = (kt_sim_term){it->terms[i] & TERM_MASK, w};
    }
    return k;
}

float kt_similar_slot_term_weight(const kt_similar *s, size_t slot, uint32_t t)
{
    if (slot >= s->nslots || !s->items[slot].live)
        return 0;
    uint32_t e = item_entry(&s->items[slot], t);
    return e ? profile_entry_weight(s, e) : 0;
}

size_t kt_similar_term_count(const kt_similar *s)
{
    return s->nterms;
}

float kt_similar_term_prior(const kt_similar *s, uint32_t t, bool where_counts)
{
    if (t >= s->nterms)
        return 1.0f;
    return where_counts ? s->terms[t].prior : term_prior(s, t);
}

const char *kt_similar_term_text(const kt_similar *s, uint32_t t)
{
    return t < s->nterms ? term_display(s, t) : "";
}

/* Public: confidential items are in no count and no list that leaves this file. */
uint32_t kt_similar_term_df(const kt_similar *s, uint32_t t)
{
    assert(!s->pending.n); /* kt_similar_bulk_end first */
    return t < s->nterms ? s->terms[t].df : 0;
}

size_t kt_similar_term_slots(const kt_similar *s, uint32_t t, uint32_t *slots, size_t max)
{
    assert(!s->pending.n); /* kt_similar_bulk_end first */
    if (t >= s->nterms)
        return 0;
    const term *tm = &s->terms[t];
    for (uint32_t i = 0; i < tm->df && i < max; i++)
        slots[i] = tm->post[i].slot;
    return tm->df;
}

int kt_similar_scope(kt_similar *s, const char *name, uint32_t *id)
{
    return scope_id_of(s, name, id);
}

int kt_similar_scope_find(kt_similar *s, const char *name, uint32_t *id)
{
    size_t n = name ? strlen(name) : 0;
    if (kt_strmap_get(&s->scope_ids, n ? name : "", n, id))
        return 0;
    /* a known municipality or region is interned under its normal form (a bounded set);
     * anything else is unknown, and an unknown scope is compatible with everything */
    if (!n || !kt_scopes_is_place(s->scopes, name))
        return KT_ENOTFOUND;
    return kt_scopes_intern(s->scopes, name, id);
}

bool kt_similar_scopes_compatible(kt_similar *s, uint32_t a, uint32_t b)
{
    return kt_scopes_compatible(s->scopes, a, b);
}

size_t kt_similar_scope_count(const kt_similar *s)
{
    return kt_scopes_count(s->scopes);
}

size_t kt_similar_memory(const kt_similar *s)
{
    assert(!s->pending.n); /* kt_similar_bulk_end first */
    size_t m = sizeof *s + kt_strmap_bytes(&s->terms_map) + kt_strmap_bytes(&s->words_map) +
               kt_strmap_bytes(&s->parts_map) + kt_strmap_bytes(&s->abbr_map);
    m += s->terms_cap * sizeof *s->terms + s->words_cap * sizeof *s->words + s->disp_cap;
    m += s->front ? FRONT_BYTES : 0;
    for (size_t i = 0; i < s->nterms; i++)
        m += s->terms[i].cap * sizeof(posting);
    m += s->slots_cap * (sizeof *s->items + sizeof *s->acc + 1);
    m += s->pool.total * sizeof(uint32_t);
    m += s->ids.cap * sizeof *s->ids.slots + s->dense_cap * sizeof *s->dense;
    return m;
}

static uint64_t digest_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull; /* FNV-1a */
    }
    return h;
}

#define DIGEST(h, x) ((h) = digest_bytes((h), &(x), sizeof(x)))

uint64_t kt_similar_digest(const kt_similar *s)
{
    assert(!s->pending.n); /* kt_similar_bulk_end first */
    uint64_t h = 14695981039346656037ull;
    DIGEST(h, s->nterms);
    for (size_t i = 0; i < s->nterms; i++) {
        const term *t = &s->terms[i];
        const char *key = kt_strmap_key(&s->terms_map, t->key),
                   *disp = term_display(s, (uint32_t)i);
        h = digest_bytes(h, key, strlen(key) + 1);
        h = digest_bytes(h, disp, strlen(disp) + 1);
        DIGEST(h, t->df);
        DIGEST(h, t->pdf);
        for (uint32_t k = 0; k < t->df; k++) {
            DIGEST(h, t->post[k].slot);
            DIGEST(h, t->post[k].scope);
            DIGEST(h, t->post[k].day);
        }
        for (uint32_t k = 0; k < t->pdf; k++)
            DIGEST(h, t->ppost[k].slot);
        DIGEST(h, t->prior);
        DIGEST(h, t->learned);
        DIGEST(h, t->abbr);
        DIGEST(h, t->phrase);
        DIGEST(h, t->hints);
        DIGEST(h, t->aspect);
        DIGEST(h, t->nderived);
        for (uint8_t k = 0; k < t->nderived; k++)
            DIGEST(h, s->derived.v[t->derived + k]);
        DIGEST(h, t->nconcepts);
        for (uint8_t k = 0; k < t->nconcepts; k++)
            DIGEST(h, s->concept_of.v[t->concepts + k]);
        /* what tmark mirrors (not digested: it adds nothing the fields do not say) */
        assert((s->tmark[i] & TM_HINTS) == t->hints);
        assert(!(s->tmark[i] & TM_DISP) == !t->disp);
        assert(!(s->tmark[i] & TM_CHAIN) == (t->abbr < 0 && t->phrase < 0));
        assert(!(s->tmark[i] & TM_GROUPS) == !t->nconcepts);
    }
    DIGEST(h, s->nabbrs);
    for (size_t i = 0; i < s->nabbrs; i++)
        DIGEST(h, s->abbrs[i].term);
    DIGEST(h, s->nslots);
    DIGEST(h, s->npublic);
    for (size_t i = 0; i < s->nslots; i++) {
        const item *it = &s->items[i];
        DIGEST(h, it->live);
        if (!it->live)
            continue;
        DIGEST(h, it->id);
        DIGEST(h, it->body);
        DIGEST(h, it->scope);
        DIGEST(h, it->day);
        DIGEST(h, it->procedural);
        DIGEST(h, it->private);
        DIGEST(h, it->nterms);
        h = digest_bytes(h, it->terms, it->nterms * sizeof *it->terms);
    }
    return h;
}

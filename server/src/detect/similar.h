/* similar: finds agenda items of other bodies that treat substantially the same subject
 * (detector 2, duplicate agenda items). Items are indexed by their Dutch terms (see text.h);
 * a new or edited item is compared with the items sharing its rarest terms, and each finding
 * carries its score and the words both items share.
 *
 * What is never a finding: items of the same body, procedural items (opening, rondvraag...),
 * bodies in scopes that cannot share a subject (two municipalities; see regions.h) and dated
 * items outside the time window (backlog items have no date and are always in it).
 *
 * Weighting: a word counts by its rarity in the indexed corpus (document frequency, kept up to
 * date on every put and remove) times a built-in prior that makes generic agenda words count
 * little, times where it stands (title over description). The score of a pair is the lower of
 * the two coverages: the weighted share of one item's words that the other has, as words,
 * compound parts, abbreviations, near spellings or through a group of the domain vocabulary
 * (server/data/vocabulary.txt: "vakantieparken" meets "recreatieparken") or through the
 * deployment's own items (rare words that an item of a third body writes together tie, see
 * kt_similar_set_private); README.md has the details. The server and the evaluator use the
 * same scoring code, the same built-in vocabulary and the same threshold, KT_SIM_THRESHOLD.
 *
 * One kt_similar belongs to one thread (the event loop); nothing here blocks or does I/O
 * except kt_similar_load_lexicon. */
#ifndef KT_DETECT_SIMILAR_H
#define KT_DETECT_SIMILAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The score from which two items are duplicates (scores run from 0 to 1): what similar-eval
 * measures. */
#define KT_SIM_THRESHOLD 0.12
/* The score from which the server raises a signal (a flag that reaches the chairs): fewer,
 * stronger signals. Chosen on the noise of the demo data (bench/demo_noise.py: every planted
 * duplicate found, open signals per body under 3), not on the labelled sets. */
#define KT_SIM_FLAG_THRESHOLD 0.2

/* Day number of an item in the backlog ("te agenderen"): no date, always in the window. */
#define KT_SIM_NO_DATE INT32_MIN
/* The default window: meetings within 8 weeks either side. */
#define KT_SIM_WINDOW_DAYS 56
/* Where Debian's wdutch package puts its word list; kt_similar_load_lexicon reads it. */
#define KT_SIM_DEFAULT_LEXICON "/usr/share/dict/dutch"
/* Room for the shared-terms text of one finding, NUL included. */
#define KT_SIM_SHARED_MAX 160

typedef struct kt_similar kt_similar;

typedef struct kt_similar_hit {
    int64_t item_id;
    int64_t body_id;
    double score;                    /* KT_SIM_THRESHOLD .. 1: the share of each item's
                                        weighted words found in the other, the lower one */
    char shared[KT_SIM_SHARED_MAX];  /* "woningsluitingen ~ sluiting, Damocles, beleidsregel" */
    char subject[KT_SIM_SHARED_MAX]; /* the shared subject in plain words, strongest first:
                                        "sluiting, Damocles en beleidsregel" (no stems, no ~) */
} kt_similar_hit;

/* An empty index with the built-in regions, abbreviations and generic-word prior, or NULL
 * when out of memory. The caller frees it with kt_similar_free. Without a lexicon compounds
 * are not split, so call kt_similar_load_lexicon before the first put. */
kt_similar *kt_similar_new(void);
void kt_similar_free(kt_similar *s);

/* Reads a word list (one word a line, e.g. KT_SIM_DEFAULT_LEXICON from Debian's wdutch) used
 * to split compounds ("woningsluitingen" ~ "sluiting van woningen"). Call before any put:
 * items already indexed keep the terms they had. 0, KT_EIO or KT_ENOMEM. */
int kt_similar_load_lexicon(kt_similar *s, const char *path);

/* Teaches an abbreviation: abbr (e.g. "PmG", "13b") in an item means expansion ("Preventie
 * met Gezag", "artikel 13b Opiumwet"), and an item that writes the expansion out meets one that
 * abbreviates it. Matching ignores case, except that a lower-case stop word ("om") never
 * stands for an abbreviation ("OM"). Call before any put. Strings are copied.
 * 0, KT_EINVAL (empty, or expansion without content words) or KT_ENOMEM. */
int kt_similar_add_abbreviation(kt_similar *s, const char *abbr, const char *expansion);

/* Loads the domain vocabulary: groups of words and phrases that name one subject ("= label:
 * explosie, ontploffing, ...") or one theme ("~ label: jaarwisseling, vuurwerk, ..."), one
 * group a line, "#" comments (the format is in vocabulary.txt). A word of one item then meets
 * another item that has a word of its group. Call before any put; may be called more than once
 * (a deployment's own file after the built-in one: groups with the same label merge).
 * 0, KT_EINVAL (a line that is no group: *bad_line, may be NULL, gets its number) or
 * KT_ENOMEM; the _file variant also KT_EIO. kt_similar_vocabulary_default is the built-in
 * vocabulary (server/data/vocabulary.txt, compiled in). */
int kt_similar_load_vocabulary(kt_similar *s, const char *text, size_t *bad_line);
int kt_similar_load_vocabulary_file(kt_similar *s, const char *path, size_t *bad_line);
size_t kt_similar_vocabulary_groups(const kt_similar *s);
/* Loads the built-in vocabulary; the server and the evaluator both start with it. */
int kt_similar_load_default_vocabulary(kt_similar *s);
/* Sets a scoring constant by name, for experiments (similar-eval --set): "syn", "theme",
 * "one_word", and for the ties through the deployment's items "co" (0: off), "co_min",
 * "co_maxdf" (0: relative), "co_gate". "find_plain" 1 makes kt_similar_find take its
 * reference path (slower, same results: what tests and bench_similar --check compare the
 * fast path with). 0 or KT_EINVAL. */
int kt_similar_set(kt_similar *s, const char *name, double value);
extern const char kt_similar_vocabulary_default[];

/* Adds municipality to region (both created when unknown), for regions the built-in table
 * lacks or gets wrong; kt_similar_reset_region first empties a region to list it anew.
 * Strings are copied. 0, KT_EINVAL or KT_ENOMEM. */
int kt_similar_add_region(kt_similar *s, const char *region, const char *municipality);
int kt_similar_reset_region(kt_similar *s, const char *region);

/* Indexes an agenda item, replacing the item with the same id. item_id and body_id are the
 * caller's ids (item_id != 0); scope is the body's municipality or region (NULL/"" = unknown);
 * day is days since 1970-01-01 or KT_SIM_NO_DATE; title and description are UTF-8 (either may
 * be NULL). Nothing is borrowed: the text is reduced to term ids here.
 * 0, KT_EINVAL (item_id 0) or KT_ENOMEM (the index then lacks the item, old version included). */
int kt_similar_put(kt_similar *s, int64_t item_id, int64_t body_id, const char *scope, int32_t day,
                   const char *title, const char *description);

/* As kt_similar_put, for an item that is confidential or not. A confidential item is kept
 * apart: it is in no corpus statistic (document frequencies, the number of items, the ties of
 * kt_similar_set_private), it teaches nothing (acronyms, places), it is found only by
 * kt_similar_find_confidential and takes nothing from kt_similar_find's work bounds. So no
 * score, finding or ranking among the other items depends on what a confidential item says or
 * whether it exists (issue 11: a flag must be no oracle). */
int kt_similar_put_item(kt_similar *s, int64_t item_id, int64_t body_id, const char *scope,
                        int32_t day, const char *title, const char *description, bool confidential);

/* A bulk load, such as the build of the index from the store: between kt_similar_bulk_begin
 * and kt_similar_bulk_end the items put are indexed, but their places in the posting lists are
 * filled in by bulk_end, counted first, each list grown once to its size (not item by item).
 * The index is the same as one built by puts alone. Until bulk_end, use only puts, removes,
 * kt_similar_set_private and what teaches the index (abbreviations, regions, vocabularies):
 * nothing that reads the lists (find, pair score, learn, term_df/term_slots, digest, memory).
 * bulk_begin returns 0; bulk_end 0 or KT_ENOMEM (the bulk load goes on: call it again or free
 * the index). A remove or set_private during a bulk load can fail with KT_ENOMEM too. */
int kt_similar_bulk_begin(kt_similar *s);
int kt_similar_bulk_end(kt_similar *s);

/* Room for items more items (a hint, such as the number of items a build from the store is
 * about to put): the id map, the items and their scratch arrays are sized once instead of
 * grown on the way, and during a bulk load its list of pending items too. Changes nothing an
 * index answers. 0 or KT_ENOMEM (nothing lost; the puts grow what they need as before). */
int kt_similar_reserve(kt_similar *s, size_t items);

/* Marks an indexed item confidential (or not), as kt_similar_put_item would have put it (only
 * what it learned when it was put as public stays learned). A put clears the mark.
 * 0, KT_ENOTFOUND or KT_ENOMEM (nothing changed). */
int kt_similar_set_private(kt_similar *s, int64_t item_id, bool confidential);

/* Removes an item. 0 or KT_ENOTFOUND. */
int kt_similar_remove(kt_similar *s, int64_t item_id);

/* Number of indexed items. */
size_t kt_similar_count(const kt_similar *s);

/* Whether two answers of a find are the same: the same hits in the same order, with
 * bit-equal scores and the same explanations (how the fast find is checked against its
 * reference path). */
bool kt_similar_hits_equal(const kt_similar_hit *a, int na, const kt_similar_hit *b, int nb);

/* Finds the items that duplicate item_id (which must be indexed), among the items that are not
 * confidential (kt_similar_put_item): other bodies, compatible
 * scopes, not procedural, dated within window_days of it (any date when item_id itself is in
 * the backlog; backlog items always), with a score >= KT_SIM_THRESHOLD. Writes at most
 * max_hits hits into the caller's array, best first; returns their number, or KT_ENOTFOUND. */
int kt_similar_find(kt_similar *s, int64_t item_id, int32_t window_days, kt_similar_hit *hits,
                    size_t max_hits);

/* As kt_similar_find, among the confidential items only, with work bounds of its own. */
int kt_similar_find_confidential(kt_similar *s, int64_t item_id, int32_t window_days,
                                 kt_similar_hit *hits, size_t max_hits);

/* Scores two indexed items exactly as kt_similar_find does, without the window (the evaluator
 * and tests judge pairs whatever their dates). Sets *score (0 for a pair that can never be a
 * finding: same body, procedural, incompatible scopes, only generic words or places shared, or
 * a single word that is no abbreviation) and writes a one-line explanation into explain
 * (n bytes, may be 0): the shared terms, or why the pair is excluded.
 * 0 or KT_ENOTFOUND (either id unknown). */
int kt_similar_pair_score(kt_similar *s, int64_t a, int64_t b, double *score, char *explain,
                          size_t n);

/* Learns from a chair's decision on a pair (both indexed): duplicate (afgestemd, bewust dubbel)
 * or not (geen overlap). The words the pair shared weigh less in this deployment after a
 * dismissal, and regain some after a confirmation (see similar.c). 0 or KT_ENOTFOUND.
 * kt_similar_forget_learning undoes all of it. */
int kt_similar_learn(kt_similar *s, int64_t a, int64_t b, bool duplicate);
void kt_similar_forget_learning(kt_similar *s);

/* Memory held by the index, in bytes (approximate: allocator overhead not included). */
size_t kt_similar_memory(const kt_similar *s);

/* A digest of what the index holds: its terms with their posting lists in order, its
 * abbreviations and its items with their terms. Two indexes that answer alike have the same
 * digest; a change to how the index is built that must not change what it holds (a faster
 * build) keeps it (bench_similar prints it, tests compare it). */
uint64_t kt_similar_digest(const kt_similar *s);

/* --- the index as terms: what body profiles (profiles.h) are built from -------------------
 * Term ids are stable for the life of the index (the vocabulary only grows); slots are where
 * items live, from 0 to kt_similar_slot_count - 1, and are reused after a remove. */

/* A term with its local weight in one text: 1 for a word of the title, less for a word of the
 * description (KT_SIM_DESC_WEIGHT) and for a compound part or a word of a written-out
 * abbreviation (KT_SIM_DERIVED_WEIGHT times that). Rarity and prior not included. The words of
 * an abbreviation's expansion that the text does not write are no terms of it: "Bibob" is
 * one term, not also "openbaar" and "bestuur". */
typedef struct kt_sim_term {
    uint32_t term;
    float weight;
} kt_sim_term;

#define KT_SIM_DESC_WEIGHT    0.4
#define KT_SIM_DERIVED_WEIGHT 0.8

typedef struct kt_sim_item {
    int64_t id, body;
    uint32_t scope; /* see kt_similar_scope */
    int32_t day;    /* or KT_SIM_NO_DATE */
    bool procedural;
} kt_sim_item;

/* Analyses a text exactly as kt_similar_put analyses an item's title and description, without
 * indexing it: writes at most max terms, sorted by term id, each once; returns their number or
 * KT_ENOMEM. With learn, the text may teach acronyms and place names as an item would, and its
 * new words enter the vocabulary (use it for a body's mandate). Without learn (a search text)
 * nothing shared grows: words the index has never seen are left out (they could match nothing),
 * except the known parts of an unknown compound ("woonoverlast": overlast). */
int kt_similar_text_terms(kt_similar *s, const char *title, const char *description, bool learn,
                          kt_sim_term *out, size_t max);

/* Monotonic counter, incremented by every put and remove: tells a profile it is out of date. */
uint64_t kt_similar_generation(const kt_similar *s);

size_t kt_similar_slot_count(const kt_similar *s);
/* The item in a slot; false when the slot is free (slot past the end: false too). */
bool kt_similar_slot_item(const kt_similar *s, size_t slot, kt_sim_item *it);
/* The slot of an indexed item, or KT_ENOTFOUND. */
int kt_similar_item_slot(const kt_similar *s, int64_t item_id, uint32_t *slot);
/* The terms of the item in a slot, sorted by term id, with local weights: writes at most max
 * and returns their number (0 for a free slot; an item has at most 512). */
size_t kt_similar_slot_terms(const kt_similar *s, size_t slot, kt_sim_term *out, size_t max);
/* The local weight of term t in the item in a slot; 0 when absent. */
float kt_similar_slot_term_weight(const kt_similar *s, size_t slot, uint32_t t);

/* Number of terms: ids run from 0 to this - 1. */
size_t kt_similar_term_count(const kt_similar *s);
/* The prior of a term, 0..1: generic agenda words, places and numbers weigh less. With
 * where_counts, a neighbourhood the texts name as a place ("in Crabbehof") weighs as an
 * ordinary word: where a subject is raised says which body it belongs to. */
float kt_similar_term_prior(const kt_similar *s, uint32_t t, bool where_counts);
/* How a term is shown: the word as first written. Borrowed: valid until the next put or
 * kt_similar_text_terms. */
const char *kt_similar_term_text(const kt_similar *s, uint32_t t);
/* Number of indexed items (procedural ones excepted) that have the term. */
uint32_t kt_similar_term_df(const kt_similar *s, uint32_t t);
/* Copies the slots of at most max items that have the term; returns how many have it. */
size_t kt_similar_term_slots(const kt_similar *s, uint32_t t, uint32_t *slots, size_t max);

/* The id of a scope name (NULL or "": unknown, compatible with everything), interned on first
 * use, and whether two scopes can share a subject (regions.h). 0 or KT_ENOMEM. */
int kt_similar_scope(kt_similar *s, const char *name, uint32_t *id);
bool kt_similar_scopes_compatible(kt_similar *s, uint32_t a, uint32_t b);
/* The id of a scope named by a query (a search text's scope): as kt_similar_scope, but a name
 * that is neither in use nor a known municipality or region is not interned, so that queries
 * never grow the index: KT_ENOTFOUND (such a scope is compatible with everything). */
int kt_similar_scope_find(kt_similar *s, const char *name, uint32_t *id);
/* Number of scope ids: they run from 0 to this - 1. */
size_t kt_similar_scope_count(const kt_similar *s);

/* The `ketentafel similar-eval` subcommand (similar_eval.c): argv[0] is the subcommand's name,
 * options follow (--items FILE --pairs FILE [--verbose] [--half 0|1] [--lexicon FILE]).
 * Returns the process exit code: 0, 2 for bad input, 1 when out of memory. */
int kt_similar_eval_main(int argc, char **argv);

#endif

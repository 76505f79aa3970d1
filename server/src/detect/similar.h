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
 * compound parts, abbreviations or near spellings (README.md has the details). The server and
 * the evaluator use the same scoring code and the same threshold, KT_SIM_THRESHOLD.
 *
 * One kt_similar belongs to one thread (the event loop); nothing here blocks or does I/O
 * except kt_similar_load_lexicon. */
#ifndef KT_DETECT_SIMILAR_H
#define KT_DETECT_SIMILAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The score from which two items are reported as duplicates (scores run from 0 to 1). */
#define KT_SIM_THRESHOLD 0.12

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
    double score;                   /* KT_SIM_THRESHOLD .. 1: the share of each item's
                                       weighted words found in the other, the lower one */
    char shared[KT_SIM_SHARED_MAX]; /* "woningsluitingen ~ sluiting, Damocles, beleidsregel" */
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

/* Removes an item. 0 or KT_ENOTFOUND. */
int kt_similar_remove(kt_similar *s, int64_t item_id);

/* Number of indexed items. */
size_t kt_similar_count(const kt_similar *s);

/* Finds the items that duplicate item_id (which must be indexed): other bodies, compatible
 * scopes, not procedural, dated within window_days of it (any date when item_id itself is in
 * the backlog; backlog items always), with a score >= KT_SIM_THRESHOLD. Writes at most
 * max_hits hits into the caller's array, best first; returns their number, or KT_ENOTFOUND. */
int kt_similar_find(kt_similar *s, int64_t item_id, int32_t window_days, kt_similar_hit *hits,
                    size_t max_hits);

/* Scores two indexed items exactly as kt_similar_find does, without the window (the evaluator
 * and tests judge pairs whatever their dates). Sets *score (0 for a pair that can never be a
 * finding: same body, procedural, incompatible scopes, only generic words shared) and writes a
 * one-line explanation into
 * explain (n bytes, may be 0): the shared terms, or why the pair is excluded.
 * 0 or KT_ENOTFOUND (either id unknown). */
int kt_similar_pair_score(kt_similar *s, int64_t a, int64_t b, double *score, char *explain,
                          size_t n);

/* Memory held by the index, in bytes (approximate: allocator overhead not included). */
size_t kt_similar_memory(const kt_similar *s);

/* The `ketentafel similar-eval` subcommand (similar_eval.c): argv[0] is the subcommand's name,
 * options follow (--items FILE --pairs FILE [--verbose] [--half 0|1] [--lexicon FILE]).
 * Returns the process exit code: 0, 2 for bad input, 1 when out of memory. */
int kt_similar_eval_main(int argc, char **argv);

#endif

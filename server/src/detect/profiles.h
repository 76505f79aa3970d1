/* profiles: what each body (gremium) is about, from its name, its mandate and the agenda items
 * it had in a recent period, in the terms of the duplicate index (similar.h), so that there is
 * one Dutch pipeline and no second copy of the agendas. Two uses:
 *  - "Waar hoort dit thuis?": rank the bodies where a short text (a topic, a signal) fits best,
 *    with the words that matched the body's mandate and its past items, and those items;
 *  - the overlap map ("overlegkaart"): how much the agendas of every two bodies overlap, with
 *    the words they share, without comparing every pair.
 *
 * A body's agenda profile is a vector over terms: for each term, log(1 + how often the body's
 * items in the period have it: title words 1, description words 0.4, parts 0.8 of that) times
 * its rarity among bodies, ln(1 + bodies / bodies with the term), times the generic-word prior
 * (similar.h). Procedural items never count; standing items that recur every meeting count
 * sublinearly through the log. The mandate profile is built the same way from the body's name
 * and mandate. Scores are cosines, 0..1.
 *
 * Profiles are a snapshot: kt_profiles_build reads every item of the index once (about 1 s a
 * million items); items put or removed afterwards count from the next build, except that a
 * ranking reads the item postings of rare words live. Names and mandates apply at once.
 * One kt_profiles belongs to the thread that owns its kt_similar. */
#ifndef KT_DETECT_PROFILES_H
#define KT_DETECT_PROFILES_H

#include "detect/similar.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The period a profile covers by default: the agenda items of the last twelve months. */
#define KT_PROF_PERIOD_DAYS 365
/* Room for a list of matched words, NUL included. */
#define KT_PROF_WORDS_MAX 96
/* Past items returned per ranked body. */
#define KT_PROF_ITEMS 3

typedef struct kt_profiles kt_profiles;

/* One body where a text fits. */
typedef struct kt_body_rank {
    int64_t body_id;
    double score;   /* 0..1: KT_PROF_MANDATE_SHARE of mandate, the rest agenda */
    double mandate; /* 0..1: cosine of the text and the body's name and mandate */
    double agenda;  /* 0..1: cosine of the text and the body's past agenda */
    char mandate_words[KT_PROF_WORDS_MAX]; /* words of the text in the name/mandate: "PmG" */
    char agenda_words[KT_PROF_WORDS_MAX];  /* ... in its past items: "PmG, jongerenwerk" */
    int64_t items[KT_PROF_ITEMS];          /* its past items that fit best, best first; 0: none */
    uint32_t matching_items;               /* its past items that share a word with the text */
    double coverage; /* 0..1: the share of the text's weight (its rarer words weigh more) that
                        the body's mandate or past items have: "huiselijk geweld" against a
                        body that only ever said "geweld" fits weakly, whatever its rank */
} kt_body_rank;

/* How well a ranked body fits, by its coverage: KT_PROF_FIT_GOOD and up fits well,
 * below KT_PROF_FIT_WEAK weakly (the body shares a word or two, not the subject). */
#define KT_PROF_FIT_GOOD 0.6
#define KT_PROF_FIT_WEAK 0.35

/* How much a body's mandate counts in kt_body_rank.score: a body whose mandate says it deals
 * with the subject is preferred over one that only happened to discuss it. */
#define KT_PROF_MANDATE_SHARE 0.5

/* Two bodies whose agendas overlap. */
typedef struct kt_body_pair {
    int64_t a, b;                   /* body ids, a < b */
    double score;                   /* 0..1: cosine of their agenda profiles */
    char shared[KT_SIM_SHARED_MAX]; /* the words that weigh most in both: "PmG, jongerenwerk" */
} kt_body_pair;

/* Profiles over the items of s, which is borrowed and must outlive them. NULL when out of
 * memory. Free with kt_profiles_free. Nothing is built yet: see kt_profiles_build. */
kt_profiles *kt_profiles_new(kt_similar *s);
void kt_profiles_free(kt_profiles *p);

/* Items for which exclude(item_id, arg) is true never count in a profile, a ranking or a pair:
 * the server keeps confidential items out, so no word of theirs shows in what a profile tells.
 * Set it before kt_profiles_build; fn may be NULL (everything counts). */
typedef bool (*kt_profiles_exclude_fn)(int64_t item_id, void *arg);
void kt_profiles_set_exclude(kt_profiles *p, kt_profiles_exclude_fn fn, void *arg);

/* Declares a body or replaces its name, scope and mandate (all UTF-8, each may be NULL).
 * Strings are not kept: they are reduced to terms here, and the mandate may teach acronyms
 * ("Regionaal Werkcentrum (RWC)") and place names as an item would. A body that is never
 * declared still gets an agenda profile from its items (scope from its first item).
 * 0, KT_EINVAL (body_id 0) or KT_ENOMEM. */
int kt_profiles_set_body(kt_profiles *p, int64_t body_id, const char *scope, const char *name,
                         const char *mandate);
/* Forgets a body's name, mandate and agenda until its items make it known again at the next
 * build. 0 or KT_ENOTFOUND. */
int kt_profiles_remove_body(kt_profiles *p, int64_t body_id);

/* Builds the agenda profiles from the index: every item of a body dated since since_day (days
 * since 1970-01-01; e.g. today - KT_PROF_PERIOD_DAYS) or in its backlog. Replaces the previous
 * build; on failure the profiles are left empty until a build succeeds. 0 or KT_ENOMEM. */
int kt_profiles_build(kt_profiles *p, int32_t since_day);
/* Whether items were put or removed since the last build (or nothing was built yet). */
bool kt_profiles_stale(const kt_profiles *p);

/* Ranks the bodies where text fits ("waar hoort dit thuis?"), best first: writes at most max
 * into out and returns their number (bodies scoring below KT_PROF_MIN_SCORE are left out),
 * KT_ESTATE when nothing was built, or KT_ENOMEM. With a scope (a municipality or region; NULL
 * or "" for any), bodies whose scope cannot share a subject with it are left out (regions.h).
 * Nothing shared grows: words of the text the index has never seen are left out, and a scope
 * that is no known municipality or region and not in use is taken as any scope. */
#define KT_PROF_MIN_SCORE 0.01
int kt_profiles_rank(kt_profiles *p, const char *text, const char *scope, kt_body_rank *out,
                     size_t max);

/* Every pair of bodies, in scopes that can share a subject, whose agenda profiles have a
 * cosine of at least min_score (> 0), strongest first. The cosine is taken over each body's
 * KT_PROF_SIGNATURE weightiest terms, found through an inverted index, not by comparing all
 * pairs. *out is allocated here (NULL when *n is 0) and freed by the caller with free().
 * 0, KT_EINVAL (min_score <= 0), KT_ESTATE (nothing built) or KT_ENOMEM. */
#define KT_PROF_SIGNATURE 128
int kt_profiles_pairs(kt_profiles *p, double min_score, kt_body_pair **out, size_t *n);

/* Number of bodies known (declared or seen in the last build). */
size_t kt_profiles_count(const kt_profiles *p);
/* Memory held, in bytes (approximate). */
size_t kt_profiles_memory(const kt_profiles *p);

#endif

/* Flags (signaleringen) from the detectors, and the abbreviations a deployment teaches them.
 * What a flag means and who may see it is detect/flags.h's business; this is its storage. */
#ifndef KT_STORE_FLAGS_H
#define KT_STORE_FLAGS_H

#include "util/ivec.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct kt_store;

/* One flag row. note and evidence malloc'd: kt_store_flag_clear(). Sides: [0] = a, [1] = b. */
typedef struct kt_flag_row {
    int64_t id, body[2], meeting[2], item[2], projected_b, lead, resolved_by;
    char kind[16], state[16], fingerprint[512];
    char *note, *evidence;
    double score;
    int64_t created, updated;
} kt_flag_row;
void kt_store_flag_clear(kt_flag_row *r);

/* 0 or KT_ENOTFOUND. */
int kt_store_flag_get(struct kt_store *st, int64_t id, kt_flag_row *out);
/* The flag with key (only id, state, fingerprint and evidence are filled): 0 or KT_ENOTFOUND. */
int kt_store_flag_by_key(struct kt_store *st, const char *key, kt_flag_row *out);

/* A new finding. ids 0: none. */
typedef struct kt_flag_new {
    const char *kind, *key, *evidence, *fingerprint;
    double score;
    int64_t body_a, meeting_a, item_a, body_b, meeting_b, item_b, projected_b;
} kt_flag_new;
int kt_store_flag_insert(struct kt_store *st, const kt_flag_new *f, int64_t now, int64_t *id);
/* New evidence for a known flag; reopen makes it 'open' again. */
int kt_store_flag_refresh(struct kt_store *st, int64_t id, double score, const char *evidence,
                          const char *fingerprint, bool reopen, int64_t now);
/* The finding no longer holds: 'vervallen'. */
int kt_store_flag_lapse(struct kt_store *st, int64_t id, int64_t now);
/* A chair's decision: state (open, afgestemd, bewust_dubbel, geen_overlap), note NULL keeps the old
 * one, lead 0: none. KT_ESTATE when the flag lapsed. */
int kt_store_flag_resolve(struct kt_store *st, int64_t id, const char *state, const char *note,
                          int64_t lead, int64_t by, int64_t now);

/* Flags of kind not lapsed that involve meeting (when not 0) or else item, on either side: at
 * most max ids and keys (keys malloc'd, the caller frees them). By item, other_conf -1 takes all
 * of them, else only those whose other item is marked open (0) or confidential (1). The others
 * are not read at all (the item indexes have the other side's mark): an item's own reaction
 * does the same work whether or not flags with a hidden item exist (issue 11). A flag's marks
 * (conf_a, conf_b: whether each of its items is confidential) are set when it is stored and
 * follow its items' confidentiality (kt_store_flags_item_marks). */
int kt_store_flags_involving(struct kt_store *st, const char *kind, int64_t meeting, int64_t item,
                             int other_conf, int64_t *ids, char **keys, int max, int *n);
/* item's confidentiality is now confidential: its side's mark on its flags follows. With hidden
 * false (the change's own transaction) only on the flags whose other item is marked open, read
 * through the index and no other: so what the change costs does not count the flags the item
 * has with hidden items, which its chair may not know of (issue 11, timing). With hidden true
 * (the confidential batch, whose time is a fixed slot: react/react.h) on all of them. Until the
 * batch, a flag with another confidential item keeps the old mark of this side: only the other
 * item's reaction reads that mark, and takes the flag for one with an open item; it leaves it
 * to the batch when this item is confidential now (detect/flags.c). */
int kt_store_flags_item_marks(struct kt_store *st, int64_t item, bool confidential, bool hidden);

/* The confidential batch ran (react/react.h), at time at (unix seconds), whatever it found: each
 * batch writes and commits this one row, so that a batch that found nothing commits (and syncs)
 * as one that raised flags does (issue 11, timing). In the caller's transaction. 0 or a KT_E*. */
int kt_store_flags_batch_ran(struct kt_store *st, int64_t at);

/* flag.list's page: flags of body on either side (state NULL: all but 'vervallen'), newest
 * change first (updated_at, then id, descending), after the flag (after_at, after_id) of the
 * page before (after_id 0: from the newest): at most max ids with their updated_at. */
int kt_store_flags_page(struct kt_store *st, int64_t body, const char *state, int64_t after_at,
                        int64_t after_id, int max, int64_t *ids, int64_t *ats, int *n);
/* The meetings whose flags were about body's projected meetings. Appended to out. */
int kt_store_flags_projection_dependents(struct kt_store *st, int64_t body, kt_ivec *out);

/* The chairs' decisions on possible duplicates between two items (afgestemd, bewust_dubbel:
 * the same subject; geen_overlap: not), oldest decision first: what the detector learns from. */
typedef void (*kt_flag_decision_fn)(void *arg, int64_t item_a, int64_t item_b, const char *state);
int kt_store_flag_decisions_each(struct kt_store *st, kt_flag_decision_fn fn, void *arg);

/* ---- abbreviations ---- */

/* [{abbr, expansion}] by abbreviation (case-insensitive), appended to arr. */
int kt_store_abbreviations_list(struct kt_store *st, json_t *arr);
/* Sets (expansion NULL: removes) an abbreviation. */
int kt_store_abbreviation_set(struct kt_store *st, const char *abbr, const char *expansion,
                              int64_t now);
/* Calls fn for every abbreviation. */
int kt_store_abbreviations_each(struct kt_store *st,
                                void (*fn)(void *arg, const char *abbr, const char *expansion),
                                void *arg);

#endif

/* Reaction jobs: what the detectors and notifications still have to see of a committed write
 * (react/react.h). A job is recorded in the write's own transaction and deleted in the one that
 * reacts, so a node that dies in between loses nothing and two nodes never react twice. */
#ifndef KT_STORE_REACTIONS_H
#define KT_STORE_REACTIONS_H

#include "util/ivec.h"

#include <stdint.h>

struct kt_store;

/* Records a job (payload: JSON text, not kept) in the open write transaction. */
int kt_store_reaction_add(struct kt_store *st, const char *node, const char *payload, int64_t now,
                          int64_t *id);
/* Deletes job id and hands over its payload (malloc'd) and how often it failed before: 0, or
 * KT_ENOTFOUND when another transaction took it. Needs a write transaction. */
int kt_store_reaction_take(struct kt_store *st, int64_t id, char **payload, int64_t *attempts);
/* Counts a failed attempt at job id; *attempts receives the count. KT_ENOTFOUND when the job is
 * gone. Needs a write transaction (not the one that failed). */
int kt_store_reaction_failed(struct kt_store *st, int64_t id, int64_t *attempts);
/* Ids of jobs recorded before `before`, oldest first, at most limit. */
int kt_store_reactions_stale(struct kt_store *st, int64_t before, int limit, kt_ivec *out);
/* How many jobs wait. */
int kt_store_reactions_waiting(struct kt_store *st, int64_t *n);

#endif

/* Bodies (gremia, overleggen). JSON results are new references. */
#ifndef KT_STORE_BODIES_H
#define KT_STORE_BODIES_H

#include "util/ivec.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kt_store;

/* {id, name, kind, scope, level, cadence, parent, mandate, location, updated_at}: 0 or
 * KT_ENOTFOUND. */
int kt_store_body_get(struct kt_store *st, int64_t id, json_t **out);
int kt_store_body_exists(struct kt_store *st, int64_t id);
/* The body's name into buf ("" and KT_ENOTFOUND when there is none). */
int kt_store_body_name(struct kt_store *st, int64_t id, char *buf, size_t n);
/* The body's parent (0: none): 0 or KT_ENOTFOUND. */
int kt_store_body_parent(struct kt_store *st, int64_t id, int64_t *parent);
/* Bodies by name (then id), each with "role" (person's role, or null) and "member_count": at
 * most limit after the body whose id is after (0: from the first; the caller checks it exists). */
int kt_store_bodies_list(struct kt_store *st, int64_t person, int64_t after, int64_t limit,
                         json_t *arr);
/* The bodies person is a member of, by name, each with "role". */
int kt_store_bodies_of_person(struct kt_store *st, int64_t person, json_t *arr);
/* [{id, name, kind}] of the bodies whose parent is id, by name. */
int kt_store_body_children(struct kt_store *st, int64_t id, json_t *arr);

/* A body's fields: on update NULL leaves a text as it is; set_* say whether the nullable
 * cadence and parent (NULL / 0 = none) are to be set. scope 0: unchanged on update. */
typedef struct kt_body_fields {
    const char *name, *kind, *level, *cadence, *mandate, *location;
    int64_t scope, parent;
    bool set_cadence, set_parent;
} kt_body_fields;

int kt_store_body_insert(struct kt_store *st, const kt_body_fields *f, int64_t now, int64_t *id);
int kt_store_body_update(struct kt_store *st, int64_t id, const kt_body_fields *f, int64_t now);

/* ---- for the detectors and the overlap map ---- */

/* Calls fn(arg, id, scope, name, mandate) for every body (only: just that one), stopping at the
 * first non-zero it returns (which is returned). */
typedef int (*kt_body_profile_fn)(void *arg, int64_t id, const char *scope, const char *name,
                                  const char *mandate);
int kt_store_body_profiles(struct kt_store *st, int64_t only, kt_body_profile_fn fn, void *arg);
/* Every body's id, by name, appended to out. */
int kt_store_bodies_ids(struct kt_store *st, kt_ivec *out);
/* The bodies of a scope, and for a region also those of its municipalities. */
int kt_store_bodies_in_scope(struct kt_store *st, int64_t scope, kt_ivec *out);

#endif

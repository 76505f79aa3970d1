/* Memberships: person x body x role, with the standing substitute and, for a guest, the agenda
 * items they are limited to. JSON results are new references. */
#ifndef KT_STORE_MEMBERSHIPS_H
#define KT_STORE_MEMBERSHIPS_H

#include "util/ivec.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct kt_store;

/* One membership as access control needs it. items: the guest's item ids (malloc'd, the
 * caller frees them), n_items -1 when not limited. */
typedef struct kt_store_member {
    char role[24];
    int64_t *items;
    int n_items;
} kt_store_member;

/* 0 or KT_ENOTFOUND (not a member). */
int kt_store_membership_find(struct kt_store *st, int64_t body, int64_t person,
                             kt_store_member *out);
/* Whether body exists and person's membership of it (role "" and n_items -1 when not a member),
 * in one query (one round trip on PostgreSQL): 0, or KT_ENOTFOUND when there is no such body. */
int kt_store_body_membership_find(struct kt_store *st, int64_t body, int64_t person,
                                  kt_store_member *out);
/* An active person's organisation and administrator flag with their membership of body (role ""
 * and n_items -1 when not a member), in one query: 0, or KT_ENOTFOUND when person is not an
 * active person. */
int kt_store_viewer_find(struct kt_store *st, int64_t body, int64_t person, int64_t *org,
                         bool *admin, kt_store_member *out);
/* {body, person, name, org, org_name, function, role, substitute_for, items}: 0 or
 * KT_ENOTFOUND. */
int kt_store_membership_get(struct kt_store *st, int64_t body, int64_t person, json_t **out);
/* The memberships of body in that shape, by organisation and name: from the offset-th, at most
 * limit. */
int kt_store_members_list(struct kt_store *st, int64_t body, int64_t offset, int limit,
                          json_t *arr);

/* Active members of body, optionally only of org (0: any) and only chairs and secretaries. */
int kt_store_members_ids(struct kt_store *st, int64_t body, int64_t org, bool chairs_only,
                         kt_ivec *out);
/* The chairs and secretaries of body: [{person, name, email, role}]. */
int kt_store_body_contacts(struct kt_store *st, int64_t body, json_t *arr);

/* items_json: the guest's item ids as JSON text (NULL: no limit); sub 0: none. insert records
 * the body's seq as where the member's replay may start (kt_store_membership_since).
 * insert: KT_ECONFLICT when person is a member already; update/delete: KT_ENOTFOUND when not. */
int kt_store_membership_insert(struct kt_store *st, int64_t body, int64_t person, const char *role,
                               int64_t sub, const char *items_json, int64_t now);
int kt_store_membership_update(struct kt_store *st, int64_t body, int64_t person, const char *role,
                               int64_t sub, const char *items_json);
/* Removes the membership and makes whoever stood in for person substitute no one. */
int kt_store_membership_delete(struct kt_store *st, int64_t body, int64_t person);

/* ---- for the detectors and the overlap map ---- */

/* A member of a body as the conflict detector needs them (active persons only). */
typedef struct kt_roster_row {
    int64_t person, org, substitute_for;
    char role[24];
    bool limited; /* a guest limited to some items */
} kt_roster_row;
/* body's active members; *out malloc'd (NULL when none). */
int kt_store_roster(struct kt_store *st, int64_t body, kt_roster_row **out, int *n);

/* Calls fn(arg, a, b, n) for every pair of bodies a < b that share n participating (not
 * observing) active persons. */
int kt_store_body_pairs_by_person(struct kt_store *st,
                                  void (*fn)(void *arg, int64_t a, int64_t b, int64_t n),
                                  void *arg);
/* Calls fn(arg, body, org) for every organisation that takes part in a body (by active,
 * participating members), ordered by body and organisation; stops at the first non-zero. */
int kt_store_body_orgs(struct kt_store *st, int (*fn)(void *arg, int64_t body, int64_t org),
                       void *arg);
/* Up to max names (by name) of the active persons, or organisations, taking part in both a and
 * b, appended to arr. */
int kt_store_shared_person_names(struct kt_store *st, int64_t a, int64_t b, int max, json_t *arr);
int kt_store_shared_org_names(struct kt_store *st, int64_t a, int64_t b, int max, json_t *arr);

/* Takes item out of the item limits of every guest of body (the item was removed): a limit
 * that becomes empty stays a limit (to no items), never "no limit". The persons whose limit
 * changed are added to changed. Needs an open write transaction. 0 or a KT_E*. */
int kt_store_memberships_drop_item(struct kt_store *st, int64_t body, int64_t item,
                                   kt_ivec *changed);

/* The body's seq when person's membership began (replays may not start before it): 0,
 * KT_ENOTFOUND (not a member) or a KT_E*. */
int kt_store_membership_since(struct kt_store *st, int64_t body, int64_t person, int64_t *since);

#endif

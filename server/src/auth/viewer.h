/* A person as the viewer of one body: their role there and, for a guest, the agenda items they
 * are limited to. What kt_acl_visible() (auth/acl.h) judges every event and row against. */
#ifndef KT_VIEWER_H
#define KT_VIEWER_H

#include "auth/acl.h"
#include "auth/session.h"
#include "store/memberships.h"
#include "store/store.h"

#include <stdint.h>

/* Loads p's view of body into v (role KT_ROLE_NONE when not a member); the items v points to
 * go to *storage (the caller frees it). 0 or a KT_E* (a store error, never "not a member"). */
int kt_viewer_load(kt_store *st, int64_t body, const kt_principal *p, kt_viewer *v,
                   int64_t **storage);

/* The viewer of a body that the caller has checked exists, from the membership it read with it
 * (kt_store_body_membership_find: role "" when not a member); m's items pass to *storage. */
void kt_viewer_from_member(const kt_principal *p, kt_store_member *m, kt_viewer *v,
                           int64_t **storage);
/* kt_principal_load() and kt_viewer_load() of person in one query: KT_ENOTFOUND when person
 * is not an active person. */
int kt_viewer_load_person(kt_store *st, int64_t body, int64_t person, kt_viewer *v,
                          int64_t **storage);

#endif

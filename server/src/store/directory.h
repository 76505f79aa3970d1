/* The directory: organisations, persons and scopes (municipalities and regions). JSON results
 * are new references in the protocol's shapes (protocol/schemas/). */
#ifndef KT_STORE_DIRECTORY_H
#define KT_STORE_DIRECTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kt_store;

/* ---- persons ---- */

/* {id, name, email, org, org_name, function, admin, active, has_password}: 0 or KT_ENOTFOUND. */
int kt_store_person_get(struct kt_store *st, int64_t id, json_t **out);
/* The directory lists page by (name, id) (scopes: by kind, name, id): at most limit rows after
 * the row whose id is after (0: from the first), appended to arr. The caller checks that the row
 * after exists. */
/* Persons (org 0: all, else those of org), by name. */
int kt_store_persons_list(struct kt_store *st, int64_t org, int64_t after, int64_t limit,
                          json_t *arr);
/* Active persons whose name, e-mail or organisation contains q (case-insensitive), by name. */
int kt_store_persons_search(struct kt_store *st, const char *q, int64_t limit, json_t *arr);
/* 0 when the person exists (and, with active_only, is active); KT_ENOTFOUND when not. */
int kt_store_person_exists(struct kt_store *st, int64_t id, bool active_only);
/* The person's name into buf ("" and KT_ENOTFOUND when there is none). */
int kt_store_person_name(struct kt_store *st, int64_t id, char *buf, size_t n);

/* A person's fields for insert and update: NULL / 0 / -1 leave a field as it is on update. */
typedef struct kt_person_fields {
    const char *name, *email, *function;
    int64_t org;
    int admin;                 /* 0, 1, or -1: unchanged */
    int active;                /* 0, 1, or -1: unchanged */
    const char *password_hash; /* insert only; NULL: none */
} kt_person_fields;

/* KT_ECONFLICT when the e-mail address is taken. */
int kt_store_person_insert(struct kt_store *st, const kt_person_fields *f, int64_t now,
                           int64_t *id);
int kt_store_person_update(struct kt_store *st, int64_t id, const kt_person_fields *f, int64_t now);
/* Records that administrator `by` changed the e-mail address of person id, when the person has
 * a password (an account in use); kt_store_password_set clears it. A reset link is then sent
 * by another administrator only (four eyes). 0 or a KT_E*. */
int kt_store_person_email_mark(struct kt_store *st, int64_t id, int64_t by);
/* *by: the administrator of kt_store_person_email_mark, or 0. 0, KT_ENOTFOUND or a KT_E*. */
int kt_store_person_email_changed_by(struct kt_store *st, int64_t id, int64_t *by);

/* ---- organisations ---- */

/* {id, name, kind, scope}: 0 or KT_ENOTFOUND. */
int kt_store_org_get(struct kt_store *st, int64_t id, json_t **out);
int kt_store_orgs_list(struct kt_store *st, int64_t after, int64_t limit,
                       json_t *arr); /* by name */
int kt_store_org_exists(struct kt_store *st, int64_t id);
/* KT_ECONFLICT when the name is taken. scope 0: none. */
int kt_store_org_insert(struct kt_store *st, const char *name, const char *kind, int64_t scope,
                        int64_t now, int64_t *id);
/* name/kind NULL: unchanged; set_scope: set scope (0 = none). */
int kt_store_org_update(struct kt_store *st, int64_t id, const char *name, const char *kind,
                        bool set_scope, int64_t scope, int64_t now);
/* The organisation called name (case-insensitive), created with kind when missing. */
int kt_store_org_ensure(struct kt_store *st, const char *name, const char *kind, int64_t now,
                        int64_t *id);

/* ---- scopes ---- */

/* {id, name, kind, includes: [names]}: 0 or KT_ENOTFOUND. */
int kt_store_scope_get(struct kt_store *st, int64_t id, json_t **out);
int kt_store_scopes_list(struct kt_store *st, int64_t after, int64_t limit,
                         json_t *arr); /* by kind, name */
/* Scope name (case-insensitive) -> id: 0 or KT_ENOTFOUND. */
int kt_store_scope_find(struct kt_store *st, const char *name, int64_t *id);
/* KT_ECONFLICT when the name is taken. */
int kt_store_scope_insert(struct kt_store *st, const char *name, const char *kind, int64_t *id);
/* region includes member (idempotent). */
int kt_store_scope_include(struct kt_store *st, int64_t region, int64_t member);

/* The active person's organisation: 0 or KT_ENOTFOUND (unknown or inactive). */
int kt_store_person_org(struct kt_store *st, int64_t id, int64_t *org);
/* Calls fn(arg, region, municipality) for every municipality a region includes (by name). */
int kt_store_regions_each(struct kt_store *st,
                          void (*fn)(void *arg, const char *region, const char *member), void *arg);

/* How many persons there are. */
int kt_store_persons_count(struct kt_store *st, int64_t *n);

#endif

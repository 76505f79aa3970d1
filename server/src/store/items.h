/* Agenda items: on a meeting's agenda or in a body's backlog, with the organisations they are
 * relevant to and, when confidential, who may see them. JSON results are new references.
 *
 * Lists take the viewer and apply kt_acl_sight() (auth/acl.h, the one visibility rule) when
 * they are read, so that snapshots follow the same rule as events. */
#ifndef KT_STORE_ITEMS_H
#define KT_STORE_ITEMS_H

#include "auth/acl.h"
#include "util/ivec.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct kt_store;

/* Where an item is: its body and meeting (0: the backlog). 0 or KT_ENOTFOUND. */
int kt_store_item_place(struct kt_store *st, int64_t item, int64_t *body, int64_t *meeting);
/* Who may see the item (out->item = item; orgs and persons malloc'd: kt_vis_clear). 0 or
 * KT_ENOTFOUND. */
int kt_store_item_vis(struct kt_store *st, int64_t item, kt_vis *out);
/* Whether the item is a standing one (vast agendapunt): 0 or KT_ENOTFOUND (no item). */
int kt_store_item_recurring(struct kt_store *st, int64_t item, bool *recurring);

/* {id, body, meeting, position, title, description, presenter, duration, kind, recurring,
 * confidential, status, created_by, updated_at, attachments, relevant: [{org, org_name,
 * reason}], persons: [ids]}: 0 or KT_ENOTFOUND. */
int kt_store_item_get(struct kt_store *st, int64_t item, json_t **out);
/* What a member outside an item's audience sees of it ("besloten punt"): {id, body, meeting,
 * position, duration, confidential: true, placeholder: true}. item is borrowed. */
json_t *kt_item_placeholder(json_t *item);

/* The items of a meeting's agenda (meeting != 0) or of body's backlog as v may see them
 * (kt_acl_sight), in agenda order, appended to arr: whole, or as a placeholder for an item v
 * sees only as one (positions and numbering the same for every member); nothing of others. */
int kt_store_items_list(struct kt_store *st, int64_t body, int64_t meeting, const kt_viewer *v,
                        json_t *arr);
/* One page of that list: the from-th to the (from+limit-1)-th entry of it as v sees it (counting
 * placeholders, not what v does not see at all), appended to arr; *more: entries follow. The
 * reply of a body with tens of thousands of items stays bounded; cost is one indexed read of
 * the list's ids and flags, then the whole entries of the page only. */
int kt_store_items_page(struct kt_store *st, int64_t body, int64_t meeting, const kt_viewer *v,
                        int64_t from, int limit, json_t *arr, bool *more);
/* The same filter, only [{id, title}]: for feeds that list many meetings. */
int kt_store_items_titles(struct kt_store *st, int64_t meeting, const kt_viewer *v, json_t *arr);
/* One page of the ids of a meeting's items: those above after (0: from the first), in id order,
 * at most limit, appended to out. A meeting's agenda has no length limit: read it all by passing
 * the last id of a full page as the next after, until a page comes back short. */
int kt_store_items_of_meeting(struct kt_store *st, int64_t meeting, int64_t after, int limit,
                              kt_ivec *out);

/* ---- order ---- */

/* One place in a list: the item, its position, and whether it is confidential. */
typedef struct kt_item_slot {
    int64_t id, pos;
    bool confidential;
} kt_item_slot;
/* The whole list (a meeting's agenda, or body's backlog when meeting is 0) in order.
 * *out malloc'd (the caller frees it; NULL when empty). */
int kt_store_item_slots(struct kt_store *st, int64_t body, int64_t meeting, kt_item_slot **out,
                        int *n);
/* The last position in that list (0 when empty), read from an index whatever its length. */
int kt_store_item_last_position(struct kt_store *st, int64_t body, int64_t meeting, int64_t *pos);
/* Puts item at pos in meeting's list (0: the backlog). */
int kt_store_item_set_position(struct kt_store *st, int64_t item, int64_t pos, int64_t meeting);
/* Moves the items of a list (meeting's agenda, else body's backlog) now at positions from..to by
 * `by` places in one statement, parked at the negative of their new position so that the next
 * shift cannot catch them; kt_store_items_settle then makes every parked position positive. */
int kt_store_items_shift(struct kt_store *st, int64_t body, int64_t meeting, int64_t from,
                         int64_t to, int64_t by);
int kt_store_items_settle(struct kt_store *st, int64_t body, int64_t meeting);

/* ---- changes ---- */

/* An item's fields. On update NULL texts, -1 ints and set_presenter false leave a field. */
typedef struct kt_item_fields {
    int64_t body, meeting, position, created_by; /* insert only (meeting 0: backlog) */
    const char *title, *description, *kind, *status;
    bool set_presenter;
    int64_t presenter;           /* 0: none */
    int64_t duration;            /* minutes, -1: unchanged */
    int recurring, confidential; /* 0, 1, or -1: unchanged */
} kt_item_fields;

int kt_store_item_insert(struct kt_store *st, const kt_item_fields *f, int64_t now, int64_t *id);
int kt_store_item_update(struct kt_store *st, int64_t id, const kt_item_fields *f, int64_t now);
int kt_store_item_delete(struct kt_store *st, int64_t id);
/* The attachments as a JSON array text. */
int kt_store_item_attachments_set(struct kt_store *st, int64_t id, const char *json);

/* The organisations the item is relevant to, and why. add: KT_ECONFLICT when listed already. */
int kt_store_item_orgs_clear(struct kt_store *st, int64_t id);
int kt_store_item_org_add(struct kt_store *st, int64_t id, int64_t org, const char *reason);
/* The persons who may see a confidential item (add is idempotent). */
int kt_store_item_persons_clear(struct kt_store *st, int64_t id);
int kt_store_item_person_add(struct kt_store *st, int64_t id, int64_t person);
/* Gives item to the organisations and persons of from's audience as well (a referral keeps an
 * item's confidentiality in the other body). */
int kt_store_item_audience_copy(struct kt_store *st, int64_t from, int64_t to);
/* Moves item to another body's list (meeting 0: its backlog) at pos: 0 or KT_ENOTFOUND. What
 * hangs under it (actions, notes) is the caller's to check first. */
int kt_store_item_rehome(struct kt_store *st, int64_t item, int64_t body, int64_t meeting,
                         int64_t pos, int64_t now);
/* Adds person to those who may see item when it is confidential (else nothing). */
int kt_store_item_keep_author(struct kt_store *st, int64_t id, int64_t person);
/* 0 when actions hang under the item, KT_ENOTFOUND when none do. */
int kt_store_item_has_actions(struct kt_store *st, int64_t id);

/* ---- for the detectors ---- */

/* Organisations a meeting's agenda names as relevant, added to out (each once). */
int kt_store_meeting_relevant_orgs(struct kt_store *st, int64_t meeting, kt_ivec *out);

/* One item as the similarity index reads it. Texts valid until the next row. */
typedef struct kt_index_row {
    int64_t item, body;
    int64_t meeting_start; /* 0: in the backlog */
    bool confidential, cancelled;
    const char *scope, *title, *description;
} kt_index_row;
/* A read through the items for the index: every item (item 0) or one. The cursor may be read on
 * another thread than the one that opened it, as long as nobody else uses the store meanwhile.
 * next(): KT_STORE_ROW with *row filled, 0 at the end, or a KT_E*. */
#define KT_STORE_ROW 1
typedef struct kt_index_cursor kt_index_cursor;
int kt_store_index_open(struct kt_store *st, int64_t item, kt_index_cursor **out);
int kt_store_index_next(kt_index_cursor *c, kt_index_row *row);
void kt_store_index_close(kt_index_cursor *c);

/* The number of items, every one the index read above returns: what an index built from the
 * store can size itself by before it reads them (kt_similar_reserve). */
int kt_store_item_count(struct kt_store *st, int64_t *n);

/* The highest item id (0 when none). */
int kt_store_item_last_id(struct kt_store *st, int64_t *id);

#endif

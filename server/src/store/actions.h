/* Actions, commitments and decisions (actiepunten, toezeggingen, besluiten): the outcomes of a
 * body, most of them recorded at an agenda item of a meeting. An actiepunt or toezegging has an
 * owner (a person, an organisation or both), a due date and a status; a besluit has none of
 * those but the date it was taken (the body that took it is the action's body). The table's
 * CHECK constraints hold that shape, so a row can never be half one and half the other.
 *
 * Visibility is not decided here: an action is seen by whoever may see its origin item
 * (domain/model.h kt_under_item_vis), which callers check on every read. */
#ifndef KT_STORE_ACTIONS_H
#define KT_STORE_ACTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct kt_store;
struct kt_ivec;

/* What an action says. Strings are borrowed (not kept past the call). */
typedef struct kt_store_action_fields {
    const char *kind;       /* "actiepunt", "toezegging" or "besluit" */
    const char *text;       /* non-empty */
    int64_t owner;          /* a person, 0: none (always 0 for a besluit) */
    int64_t owner_org;      /* an organisation, 0: none (always 0 for a besluit) */
    const char *due;        /* "YYYY-MM-DD" or NULL (always NULL for a besluit) */
    const char *status;     /* open/lopend/afgerond/vervallen; NULL exactly for a besluit */
    const char *decided_on; /* "YYYY-MM-DD" for a besluit, else NULL */
} kt_store_action_fields;

/* Records a new action of body. item: the agenda item it comes from (0: none); meeting: the
 * meeting it was recorded at (0: none). *id receives its id (ids are never reused). Needs a
 * write transaction. 0, KT_ECONFLICT (fields break the shape above) or a KT_E*. */
int kt_store_action_insert(struct kt_store *st, int64_t body, const kt_store_action_fields *f,
                           int64_t item, int64_t meeting, int64_t by, int64_t now, int64_t *id);

/* Replaces what action id says by f, changed by person by at now. 0, KT_ENOTFOUND,
 * KT_ECONFLICT (shape) or a KT_E*. */
int kt_store_action_update(struct kt_store *st, int64_t id, const kt_store_action_fields *f,
                           int64_t by, int64_t now);

/* The action as the protocol's action object (new reference) into *out: {id, body, kind, text,
 * owner, owner_org, due, status, decided_on, item, meeting, created_by, created_at, updated_at,
 * updated_by,
 * body_name, item_title, item_meeting}. 0, KT_ENOTFOUND or a KT_E*. The caller decides whether
 * the reader may see it. */
int kt_store_action_get(struct kt_store *st, int64_t id, json_t **out);

/* Which actions action.list looks at, before visibility. */
typedef struct kt_store_action_query {
    int64_t member;      /* only bodies this person is a member of (required) */
    int64_t body;        /* 0: every such body */
    const char *status;  /* NULL: any */
    bool mine;           /* owned by member or by mine_org */
    int64_t mine_org;    /* the member's organisation, with mine */
    int64_t owner;       /* 0: any */
    const char *overdue; /* "YYYY-MM-DD" today: only open/lopend ones due before it; NULL: any */
    /* Keyset paging: only actions after (after_due, after_id) in the list's order; after_id 0:
     * from the first. after_due NULL: the cursor action has no due date. */
    const char *after_due;
    int64_t after_id;
    int limit;
} kt_store_action_query;

/* Appends the ids of the matching actions to ids and their bodies to bodies (same order: by due
 * date, none last, then id), at most limit. 0 or a KT_E*. */
int kt_store_actions_find(struct kt_store *st, const kt_store_action_query *q, struct kt_ivec *ids,
                          struct kt_ivec *bodies);

/* The outcomes of a meeting: actions recorded at it or coming from an item on its agenda, in
 * the order they were recorded. Appends their ids. 0 or a KT_E*. */
int kt_store_actions_of_meeting(struct kt_store *st, int64_t meeting, struct kt_ivec *ids);

/* The open actiepunten and toezeggingen of body (status open or lopend), by due date (none
 * last), then id: what the actielijst of its next meeting goes through. Appends their ids, at
 * most limit. 0 or a KT_E*. */
int kt_store_actions_open_of_body(struct kt_store *st, int64_t body, int limit,
                                  struct kt_ivec *ids);

/* The body and origin item (0: none) of action id: 0, KT_ENOTFOUND or a KT_E*. */
int kt_store_action_where(struct kt_store *st, int64_t id, int64_t *body, int64_t *item);

/* Open actiepunten and toezeggingen (open or lopend) with an owning person and a due date on or
 * before horizon ("YYYY-MM-DD"): their ids and owners, appended side by side. 0 or a KT_E*. */
int kt_store_actions_due(struct kt_store *st, const char *horizon, struct kt_ivec *ids,
                         struct kt_ivec *owners);

#endif

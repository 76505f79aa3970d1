/* Reading the domain out of the store as the JSON the protocol sends. Every loader that returns
 * agenda items, actions or messages takes the viewer and leaves out what kt_acl_visible() denies,
 * so snapshots follow the same rule as events. All returned json_t are new references. */
#ifndef KT_MODEL_H
#define KT_MODEL_H

#include "auth/acl.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>

/* Visibility of an agenda item (KT_ENOTFOUND if it does not exist). */
int kt_item_vis_load(kt_store *st, int64_t item, kt_vis *out);
/* Visibility of whatever hangs under an item (an action, a message): open when item == 0. */
int kt_under_item_vis(kt_store *st, int64_t item, kt_vis *out);

json_t *kt_item_json(kt_store *st, int64_t item); /* NULL if absent */
json_t *kt_items_list(kt_store *st, int64_t body, int64_t meeting, const kt_viewer *v);
/* The same filter, only [{id, title}] in agenda order: for feeds that list many meetings. */
json_t *kt_items_titles(kt_store *st, int64_t meeting, const kt_viewer *v);
json_t *kt_meeting_json(kt_store *st, int64_t meeting); /* NULL if absent */
json_t *kt_meetings_list(kt_store *st, int64_t body, int64_t from, int64_t to);
json_t *kt_attendance_list(kt_store *st, int64_t meeting);
json_t *kt_body_json(kt_store *st, int64_t body); /* NULL if absent */
json_t *kt_members_list(kt_store *st, int64_t body);
json_t *kt_membership_json(kt_store *st, int64_t body, int64_t person); /* NULL if absent */
json_t *kt_person_json(kt_store *st, int64_t person);                   /* NULL if absent */
json_t *kt_org_json(kt_store *st, int64_t org);                         /* NULL if absent */
json_t *kt_action_json(kt_store *st, int64_t action);                   /* NULL if absent */
json_t *kt_message_json(kt_store *st, int64_t message);                 /* NULL if absent */
json_t *kt_scope_json(kt_store *st, int64_t scope);                     /* NULL if absent */

/* Messages in the thread of each item of items (an array of item JSON): {"12": 3}; items
 * without messages are left out. */
json_t *kt_message_counts(kt_store *st, json_t *items);

/* Scope name -> id (KT_ENOTFOUND when unknown). */
int kt_scope_find(kt_store *st, const char *name, int64_t *id);

/* Whether a row exists: SELECT 1 FROM <table> WHERE id = ?. table is a literal. */
bool kt_exists(kt_store *st, const char *sql_select_1_by_id, int64_t id);

#endif

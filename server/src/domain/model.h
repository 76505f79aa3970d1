/* Small domain helpers over the store: an item's visibility, message counts for agendas, and
 * the transitional loaders of old (NULL when absent or unreadable) that modules still on their
 * way to the typed store operations use. New code calls store/<aggregate>.h directly, which
 * tells "not there" from "could not read". All returned json_t are new references. */
#ifndef KT_MODEL_H
#define KT_MODEL_H

#include "auth/acl.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Visibility of an agenda item (KT_ENOTFOUND if it does not exist). */
int kt_item_vis_load(kt_store *st, int64_t item, kt_vis *out);
/* Visibility of whatever hangs under an item (an action, a message): open when item == 0 or the
 * item is gone. */
int kt_under_item_vis(kt_store *st, int64_t item, kt_vis *out);

/* Who may see an agenderingsverzoek (req: its JSON, store/agenda_requests.h) in the body it was
 * made to: its requester, and the chair and secretary, who for a referred item must also be in
 * that item's audience (kt_acl_sight decides). out owned: kt_vis_clear. 0 or a KT_E*. */
int kt_request_vis(kt_store *st, json_t *req, kt_vis *out);
/* Whether v (a viewer of the request's body) may see req: as above, or, once accepted, as
 * whoever may see the item it made. */
bool kt_request_visible(kt_store *st, const kt_viewer *v, json_t *req);
/* Whether v (a viewer of the body a referral came from) may see it: whoever sees the referred
 * item whole, and its requester. */
bool kt_referral_visible(kt_store *st, const kt_viewer *v, json_t *req);

/* Messages in the thread of each item of items (an array of item JSON): {"12": 3}; items
 * without messages are left out. */
/* NULL when the store could not be read (logged). */
json_t *kt_message_counts(kt_store *st, json_t *items);

/* Transitional: use kt_store_item_get / _meeting_get / _body_get. NULL if absent. */
json_t *kt_item_json(kt_store *st, int64_t item);
json_t *kt_meeting_json(kt_store *st, int64_t meeting);
json_t *kt_body_json(kt_store *st, int64_t body);
/* [{id, title}] in agenda order of what v may see (kt_store_items_titles); NULL on error. */
json_t *kt_items_titles(kt_store *st, int64_t meeting, const kt_viewer *v);

#endif

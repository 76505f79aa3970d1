/* Agenderingsverzoeken: a member asks a body to put a topic on its agenda, or another body
 * refers (or moves) one of its items to it ("agenderen bij ..."). The chair or secretary of the
 * receiving body accepts (the item is made, or moved, into its backlog or onto a meeting) or
 * declines with a reason. Rows carry no visibility of their own: who may see a request is
 * decided when it is read (domain/h_request.c, with kt_acl_sight). JSON results are new
 * references. */
#ifndef KT_STORE_AGENDA_REQUESTS_H
#define KT_STORE_AGENDA_REQUESTS_H

#include "util/ivec.h"

#include <jansson.h>
#include <stdint.h>

struct kt_store;

/* A new request. kind: "verzoek", "verwijzing" or "verplaatsing"; meeting 0: no wish;
 * source_body and source_item 0 for a member's request. Texts are not kept. */
typedef struct kt_agenda_request_new {
    int64_t body, requester, meeting, source_body, source_item;
    const char *kind, *title, *description;
} kt_agenda_request_new;

int kt_store_agenda_request_insert(struct kt_store *st, const kt_agenda_request_new *r, int64_t now,
                                   int64_t *id);

/* {id, body, body_name, kind, requester, requester_name, title, description, meeting,
 * meeting_start, source_body, source_body_name, source_item, status, reason, item,
 * item_meeting, decided_by, decided_at, created_at}: 0 or KT_ENOTFOUND. */
int kt_store_agenda_request_get(struct kt_store *st, int64_t id, json_t **out);

/* Requests to body (newest first), appended to arr, at most limit. */
int kt_store_agenda_requests_to(struct kt_store *st, int64_t body, int limit, json_t *arr);
/* Referrals and moves out of body (source_body = body), newest first, appended to arr. */
int kt_store_agenda_requests_from(struct kt_store *st, int64_t body, int limit, json_t *arr);
/* Ids of the requests that name item as their source or as their result. */
int kt_store_agenda_requests_of_item(struct kt_store *st, int64_t item, kt_ivec *out);

/* Records the decision on a request still 'ingediend': status "aanvaard" (item: the item it
 * made or moved) or "afgewezen" (reason). 0, KT_ENOTFOUND, or KT_ESTATE when decided already. */
int kt_store_agenda_request_decide(struct kt_store *st, int64_t id, const char *status,
                                   const char *reason, int64_t item, int64_t by, int64_t now);

/* Whether item is referred or moved to body and still waiting: 0 (yes), KT_ENOTFOUND or a
 * KT_E*. */
int kt_store_agenda_request_pending(struct kt_store *st, int64_t item, int64_t body);

#endif

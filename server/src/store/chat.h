/* Chat messages (berichten) in a body's channel or an agenda item's thread. JSON results are
 * new references; a message under an item shares the item's visibility (the caller checks). */
#ifndef KT_STORE_CHAT_H
#define KT_STORE_CHAT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util/ivec.h"

struct kt_store;

/* item 0: the body's channel. *out: the new message as kt_store_message_get reads it. */
int kt_store_message_insert(struct kt_store *st, int64_t body, int64_t item, int64_t person,
                            const char *text, int64_t now, json_t **out);
/* {id, body, item, person, person_name, text, time, edited, deleted}: 0 or KT_ENOTFOUND. */
int kt_store_message_get(struct kt_store *st, int64_t id, json_t **out);
/* The text of message id (malloc'd): 0 or KT_ENOTFOUND or a KT_E*. */
int kt_store_message_text(struct kt_store *st, int64_t id, char **out);
/* At most limit messages of body (only item's thread when item != 0) with id < before, oldest
 * first, in that shape, appended to arr. */
int kt_store_messages_before(struct kt_store *st, int64_t body, int64_t item, int64_t before,
                             int64_t limit, json_t *arr);
/* The author changes message id: new text, or (text NULL) deletes it (its text becomes "").
 * What it said before is recorded in message_changes with who and when. KT_ENOTFOUND when there
 * is no such message or it is deleted already; 0 or a KT_E*. */
int kt_store_message_change(struct kt_store *st, int64_t id, const char *text, int64_t by,
                            int64_t now);
/* Person has read body's chat up to its newest message now. 0 or a KT_E*. */
int kt_store_chat_read(struct kt_store *st, int64_t person, int64_t body);
/* The unread messages of body for person (newer than what they read, not their own, not
 * deleted, not moved in with an item's thread), at most limit: appends the item of each (0: the
 * channel), for the caller to count only those it may see. 0 or a KT_E*. */
int kt_store_chat_unread(struct kt_store *st, int64_t person, int64_t body, int limit,
                         kt_ivec *items);
/* The number of messages in item's thread. */
int kt_store_message_count(struct kt_store *st, int64_t item, int64_t *n);

/* Members of body whose name starts text (case-insensitive), longest name first: up to max
 * person ids and the byte lengths of their names. *n receives how many. */
int kt_store_mention_candidates(struct kt_store *st, int64_t body, const char *text, int64_t *ids,
                                size_t *lens, int max, int *n);

/* The thread of item goes with it to body (the item was moved there, agenda.refer move): its
 * messages belong to body from now on, for reading, events and search, marked moved at now
 * (they are not new there: kt_store_chat_unread leaves them out). 0 or a KT_E*. */
int kt_store_messages_rehome(struct kt_store *st, int64_t item, int64_t body, int64_t now);

/* Sets when message id was posted (demo data). */
int kt_store_message_backdate(struct kt_store *st, int64_t id, int64_t time);

#endif

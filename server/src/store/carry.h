/* Standing items and carry-over: the part of the agenda items aggregate that makes a new
 * meeting's agenda from an earlier one (vaste agendapunten, "agenda van vorige vergadering
 * overnemen") and marks the agenda's special items (the verslag of the previous meeting, the
 * actielijst). Kept apart from the rest of the items' operations while issue 12 moves those.
 *
 * Nothing here decides visibility: a copy keeps its original's audience (confidential flag,
 * organisations and persons), and the caller checks what a reader may see. */
#ifndef KT_STORE_CARRY_H
#define KT_STORE_CARRY_H

#include <stdbool.h>
#include <stdint.h>

struct kt_store;
struct kt_ivec;

/* The meeting of body an agenda for a new meeting at start is carried from: the latest one
 * that is not cancelled, starts before start, is not meeting `except`, and has items.
 * 0, KT_ENOTFOUND or a KT_E*. */
int kt_store_carry_template(struct kt_store *st, int64_t body, int64_t start, int64_t except,
                            int64_t *meeting);

/* The meeting of body just before start (not cancelled, not `except`), items or not.
 * 0, KT_ENOTFOUND or a KT_E*. */
int kt_store_meeting_before(struct kt_store *st, int64_t body, int64_t start, int64_t except,
                            int64_t *meeting);

/* The meeting of body just after start (not cancelled, not `except`). 0, KT_ENOTFOUND or a
 * KT_E*. */
int kt_store_meeting_after(struct kt_store *st, int64_t body, int64_t start, int64_t except,
                           int64_t *meeting);

/* The item on meeting's agenda that approves the verslag of `of` (special verslag, minutes_of
 * of, or a verslag item without minutes_of): 0, KT_ENOTFOUND or a KT_E*. */
int kt_store_verslag_item(struct kt_store *st, int64_t meeting, int64_t of, int64_t *item);

/* The items of meeting's agenda in order (only its vaste agendapunten with recurring_only):
 * appends their ids. 0 or a KT_E*. */
int kt_store_carry_items(struct kt_store *st, int64_t meeting, bool recurring_only,
                         struct kt_ivec *ids);

/* Whether meeting's agenda has an item carried over from item `from`: 0 (yes), KT_ENOTFOUND or
 * a KT_E*. */
int kt_store_item_carried(struct kt_store *st, int64_t meeting, int64_t from);

/* Whether meeting's agenda has an item of this special kind: 0 (yes), KT_ENOTFOUND or a KT_E*. */
int kt_store_item_special_in(struct kt_store *st, int64_t meeting, const char *special);

/* The last position on meeting's agenda (0 when empty). 0 or a KT_E*. */
int kt_store_agenda_last_position(struct kt_store *st, int64_t meeting, int64_t *pos);

/* Copies item src onto meeting's agenda at position: title, description, presenter, duration,
 * kind, standing, special and audience (confidential, organisations with their reasons,
 * persons); status open, no attachments (stukken are per meeting). minutes_of: for a copied
 * verslag item, the meeting it is about now (0: none). *id: the copy. Needs a write
 * transaction. 0, KT_ENOTFOUND (no src) or a KT_E*. */
int kt_store_item_copy(struct kt_store *st, int64_t src, int64_t meeting, int64_t position,
                       int64_t minutes_of, int64_t by, int64_t now, int64_t *id);

/* A new open item of body on meeting's agenda at position: a special one the server adds
 * itself (the actielijst, the verslag of the previous meeting). 0 or a KT_E*. */
typedef struct kt_store_special_item {
    const char *title, *description, *kind, *special;
    int64_t duration, minutes_of;
    bool recurring;
} kt_store_special_item;
int kt_store_item_add_special(struct kt_store *st, int64_t body, int64_t meeting, int64_t position,
                              const kt_store_special_item *it, int64_t by, int64_t now,
                              int64_t *id);

/* Sets what special item this is (special NULL: none) and, for a verslag item, which meeting's
 * verslag (0: none). 0, KT_ENOTFOUND or a KT_E*. */
int kt_store_item_special_set(struct kt_store *st, int64_t item, const char *special,
                              int64_t minutes_of);

#endif

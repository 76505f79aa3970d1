/* Standing items and carry-over: a new meeting starts with the body's vaste agendapunten and,
 * when the body has open actions, an actielijst; "agenda van vorige vergadering overnemen"
 * copies another meeting's agenda; and the agenda's special items (the verslag of the previous
 * meeting, the actielijst) are known as such. */
#ifndef KT_DOMAIN_CARRY_H
#define KT_DOMAIN_CARRY_H

#include "protocol/ctx.h"

#include <stdbool.h>
#include <stdint.h>

/* Unless the request says standing: false, gives the new meeting (of c->body, starting at
 * start) the vaste agendapunten of the body's latest earlier agenda, in their order, an
 * actielijst when the body has open actions and none came along (agenda.added, carried), and
 * the standing substitutions of the meeting before it (attendance.updated). 0 or -1. */
int kt_carry_standing(kt_ctx *c, int64_t meeting, int64_t start);

/* After agenda.add or agenda.update of item: records which special item it is, from the
 * `special` argument or (on add, without it) from its title ("Verslag vorige vergadering",
 * "Actielijst ..."); a verslag item is about the meeting before its own. 0 or -1. */
int kt_carry_mark_special(kt_ctx *c, int64_t item, bool added);

/* The verslag of meeting `of` went ter vaststelling: the body's next meeting gets (or keeps) an
 * item "Verslag vorige vergadering" about it, after its opening. *next: that meeting (0: none
 * planned yet). 0 or -1. */
int kt_carry_verslag_item(kt_ctx *c, int64_t of, int64_t *next);

/* Moves item (on meeting's agenda) to position pos, moving the others (their agenda.reordered
 * and agenda.updated as agenda.reorder sends them; not the item's own event). h_agenda.c. */
int kt_agenda_place(kt_ctx *c, int64_t meeting, int64_t item, int64_t pos);

/* Closes the gap an item left in body's list (meeting 0: its backlog) when it went to another
 * body: positions 1..n again, announced as agenda.reordered in body's stream. h_agenda.c. */
int kt_agenda_close_gap(kt_ctx *c, int64_t body, int64_t meeting);

/* Guests of body limited to item (removed, or moved to another body) lose it from their limit,
 * which stays a limit (maybe to no item at all); each hears of their changed membership in
 * body's stream. Ids are never given again, so a new item never slips into an old limit, and an
 * item moved away and back does not bring an old limit back to life. h_agenda.c. */
int kt_agenda_drop_guest_limits(kt_ctx *c, int64_t body, int64_t item);

/* The special kind a title names ("verslag", "actielijst") or NULL. */
const char *kt_carry_special_of(const char *title);

#endif

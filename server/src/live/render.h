/* What a subscriber receives for an event, decided when the event is delivered or replayed.
 *
 * An event names what it is about (an agenda item, an action, a message, a flag, a
 * notification); its content is read from the store when it is sent, and the one visibility
 * function (kt_acl_sight) is asked about that thing as it is now. So the past is shown as it
 * may be seen now: an item that became confidential, was removed or whose thread was deleted is
 * no longer readable through an old event, and a replay never shows more than a snapshot.
 *
 * Every event reaches every subscriber of its stream in one of these forms, so that seqs stay
 * gap-free for clients:
 * - as it is (the item, action, message... as it is now),
 * - as a placeholder (an agenda item outside one's audience: "besloten punt", its place and
 *   time slot; actor left out),
 * - as agenda.hidden (a guest's own item they may no longer see: drop it),
 * - as stream.skipped: seq only, nothing else (what the subscriber may not see).
 * Frames are built once per event and form and shared by every connection that gets them. */
#ifndef KT_RENDER_H
#define KT_RENDER_H

#include "auth/acl.h"
#include "live/event.h"
#include "store/store.h"

#include <jansson.h>

/* The frame viewer gets for ev, or NULL when the store could not be read (or out of memory):
 * the subscriber then has to resume later. Borrowed from ev (ref it to keep it). viewer is the
 * subscriber's view of ev's body (for a notification stream: its owner, role none). */
kt_frame *kt_render_frame(kt_store *st, kt_event *ev, const kt_viewer *viewer);

/* stream.skipped for seq of body's stream, for a seq the store no longer holds (a superseded
 * notification event, store/notifications.h): keeps a replay gap-free. New reference. */
kt_frame *kt_render_skipped(int64_t body, int64_t seq);

/* The event's data as its whole audience sees it, for this node's notifications and detectors:
 * the object as it is now, or NULL when it is gone. Borrowed from ev. */
json_t *kt_render_full(kt_store *st, kt_event *ev);

/* What ev is about as the write that emitted it left it, handed over by that write so that the
 * event is not read back from the store when it is sent (a chat message: its row, mentions and
 * audience are what the handler just wrote and answered with). full (taken) is what resolving
 * would make of the stored row; aud (taken: the caller's is cleared) the audience of what it
 * hangs under, as kt_under_item_vis gives it. It is what "as it is now" means only while nothing
 * else has changed since: the dispatcher keeps it for a write committed on its own and forgets it
 * (kt_render_forget) when other writes commit with it, which then reads the store as before. */
void kt_render_known(kt_event *ev, json_t *full, kt_vis *aud);

/* The compact JSON text of data when data is what ev goes out with as it is (its full data:
 * what its write handed over with kt_render_known, or what was read for it), serialised once for
 * ev's frames and for the reply of the write that answered with the same object (chat.post):
 * NULL when data is not that object (nothing resolved, forgotten since) or out of memory.
 * Borrowed from ev. */
kt_frame *kt_render_text_of(kt_event *ev, const json_t *data);

/* Drops what was resolved of ev (kt_render_known) before any frame was made of it: the next
 * delivery reads it from the store as it is then. */
void kt_render_forget(kt_event *ev);

/* The payload to store for an event of type with data (borrowed): what it is about, not its
 * content (the content is read when the event is). New reference. */
json_t *kt_render_stored(const char *type, json_t *data);

#endif

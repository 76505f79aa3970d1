/* The op handlers. Each runs inside the transaction the dispatcher opened, after the op table's
 * argument and permission checks; it validates what only it can (references, states), changes
 * the store, appends events with kt_emit() and sets c->result. Returning non-zero rolls back. */
#ifndef KT_HANDLERS_H
#define KT_HANDLERS_H

#include "protocol/ctx.h"

#include <stdbool.h>
#include <stdint.h>

/* Argument access (arguments are already type-checked). */
bool kt_arg_has(kt_ctx *c, const char *name);   /* present, null or not */
bool kt_arg_given(kt_ctx *c, const char *name); /* present and not null */
int64_t kt_arg_int(kt_ctx *c, const char *name, int64_t dflt);
const char *kt_arg_str(kt_ctx *c, const char *name); /* NULL if absent or null */
bool kt_arg_bool(kt_ctx *c, const char *name, bool dflt);
int64_t kt_arg_time(kt_ctx *c, const char *name); /* 0 if absent */

/* The directory stream: organisations, persons, scopes, the list of bodies. */
#define KT_DIRECTORY 0
int kt_emit_directory(kt_ctx *c, const char *type, json_t *data);

int kt_h_ping(kt_ctx *c);
int kt_h_me_get(kt_ctx *c);
int kt_h_meeting_upcoming(kt_ctx *c);

int kt_h_org_list(kt_ctx *c);
int kt_h_org_create(kt_ctx *c);
int kt_h_org_update(kt_ctx *c);
int kt_h_person_list(kt_ctx *c);
int kt_h_person_search(kt_ctx *c);
int kt_h_person_create(kt_ctx *c);
int kt_h_person_update(kt_ctx *c);
int kt_h_person_reset(kt_ctx *c);
int kt_h_scope_list(kt_ctx *c);
int kt_h_scope_create(kt_ctx *c);

int kt_h_body_list(kt_ctx *c);
int kt_h_body_get(kt_ctx *c);
int kt_h_body_create(kt_ctx *c);
int kt_h_body_update(kt_ctx *c);
int kt_h_membership_add(kt_ctx *c);
int kt_h_membership_update(kt_ctx *c);
int kt_h_membership_remove(kt_ctx *c);

int kt_h_meeting_create(kt_ctx *c);
int kt_h_meeting_series(kt_ctx *c);
int kt_h_meeting_update(kt_ctx *c);
int kt_h_meeting_cancel(kt_ctx *c);
int kt_h_meeting_get(kt_ctx *c);
int kt_h_meeting_list(kt_ctx *c);
int kt_h_attendance_set(kt_ctx *c);
int kt_h_attendance_remove(kt_ctx *c);

int kt_h_search(kt_ctx *c);

int kt_h_agenda_add(kt_ctx *c);
int kt_h_agenda_update(kt_ctx *c);
int kt_h_agenda_remove(kt_ctx *c);
int kt_h_agenda_reorder(kt_ctx *c);
int kt_h_agenda_move(kt_ctx *c);
int kt_h_agenda_publish(kt_ctx *c);
int kt_h_agenda_copy(kt_ctx *c);

/* No reply is unbounded (PROTOCOL.md, paging): a page of a list ends at its count or once it holds
 * KT_PAGE_BYTES of JSON, far below a connection's 4 MiB. kt_page_cut keeps the first elements of
 * arr up to limit and that many bytes (the one that passes the bytes is kept, so a page with
 * limit > 0 is never empty while there is something) and removes the rest: true when it removed
 * any (more follow). */
#define KT_PAGE_BYTES (1024 * 1024)
bool kt_page_cut(json_t *arr, size_t limit);
/* The same with a byte budget of its own (a reply of two lists shares the 1 MiB). */
bool kt_page_cut_to(json_t *arr, size_t limit, size_t max_bytes);
/* The page of arr from index from: drops the elements before it, then keeps at most limit
 * elements and max_bytes of them (strictly: the element that would pass the bytes goes to the
 * next page, unless it is the page's first, so that paging always moves on). True when any
 * were cut off at the end (more follow). */
bool kt_page_slice(json_t *arr, int64_t from, size_t limit, size_t max_bytes);
/* Documents in parts (export.minutes, person.export; PROTOCOL.md "Documents in parts"): the
 * whole document is built, its entries cut into runs and its text into chunks of at most
 * KT_PART_BYTES each, and part k of the reply holds run k and chunk k. Within 1 MiB together with
 * what else a part carries (a text of at most 60,000 characters, the header). */
#define KT_PART_BYTES (KT_PAGE_BYTES / 4)
/* Cuts n entries of the given JSON sizes into consecutive runs: each run holds entries while
 * they stay within max_bytes (at least one entry). Sets [*first, *end) to run `part`'s entries
 * (n, n when there is no such run); returns how many runs there are. */
size_t kt_parts_split(const size_t *sizes, size_t n, size_t part, size_t max_bytes, size_t *first,
                      size_t *end);
/* Cuts text into chunks of at most max_bytes, each ending at a line end (a longer line at a
 * UTF-8 character boundary): the chunks together are the text. Sets *off, *n to chunk `part`
 * (strlen, 0 when there is none); returns how many chunks there are (0 for ""). */
size_t kt_text_part(const char *text, size_t part, size_t max_bytes, size_t *off, size_t *n);
/* Part `part` of a document whose n entries have the given sizes and whose text is text, both
 * cut at KT_PART_BYTES: sets [*first, *end) to its entries and *off, *len to its text (as
 * kt_parts_split and kt_text_part do); returns how many parts the document has (at least 1). */
size_t kt_parts_of(const size_t *sizes, size_t n, const char *text, size_t part, size_t *first,
                   size_t *end, size_t *off, size_t *len);
/* A document's parts kept for a while (PROTOCOL.md, "Documents in parts"): reading part k of
 * a document would otherwise build the whole document again, so reading all its parts would
 * cost parts x document. The parts of a document built for one caller are kept, serialized,
 * under a key of everything the document depends on: the op and its subject, the caller (their
 * person, organisation, admin flag, role and item limits: everything the visibility function
 * reads of a viewer) and stamps of the data (stream heads, see kt_store_stream_head and
 * kt_store_events_generation), which change with every event that changes the data or anyone's
 * visibility. A part is handed out from them only while the key is equal; what is kept is
 * bounded in entries, bytes and age (KT_DOC_CACHE_*). */
#define KT_DOC_CACHE_ENTRIES 8
#define KT_DOC_CACHE_BYTES   (64 * 1024 * 1024)
#define KT_DOC_CACHE_MS      (120 * 1000)
typedef struct kt_doc_key {
    const char *op; /* a static string */
    const void *store;
    int64_t subject, person, org, role, n_items;
    uint64_t items; /* a hash of the viewer's items */
    int64_t stamp[2];
} kt_doc_key;
/* The key of op's document about subject for c's caller (stamps left 0). */
void kt_doc_key_init(kt_doc_key *k, const kt_ctx *c, const char *op, int64_t subject);
/* Part `part` of the document kept under k (a new reference), or NULL; *extra: what the builder
 * kept with it. */
json_t *kt_doc_parts_get(const kt_doc_key *k, size_t part, int *extra);
/* Keeps the n serialized parts (malloc'd; taken over, freed here) of the document under k. */
void kt_doc_parts_put(const kt_doc_key *k, char **parts, size_t n, int extra);
/* Serializes part (NULL: out of memory) into (*all)[p] for kt_doc_parts_put, adding its size to
 * *bytes; false (and everything freed, *all NULL) past KT_DOC_CACHE_BYTES or out of memory. */
bool kt_doc_parts_add(char ***all, size_t n, size_t p, const json_t *part, size_t *bytes);

/* meeting.get's pages: the agenda (with its notes) MEETING_AGENDA_PAGE items by default, at most
 * MEETING_AGENDA_PAGE_MAX; attendance lines and outcomes likewise. Within 1 MiB together: the
 * agenda and notes 3/8 of it, the attendance and the outcomes 1/8 each, the verslag's text
 * (at most 60,000 characters) and the meeting the rest. */
#define MEETING_AGENDA_PAGE     200
#define MEETING_AGENDA_PAGE_MAX 500
#define ATTENDANCE_PAGE         500
#define ATTENDANCE_PAGE_MAX     1000
#define OUTCOME_PAGE            200
#define OUTCOME_PAGE_MAX        500
/* (The maxima are also written as numbers in protocol/ops.c's argument tables, which
 * test_protocol_contract reads.) meeting.list pages: MEETING_PAGE by default, at most
 * MEETING_PAGE_MAX; body.get's members
 * MEMBER_PAGE by default, at most MEMBER_PAGE_MAX; body.get's meetings at most MEETING_PAGE_MAX. */
#define MEETING_PAGE     200
#define MEETING_PAGE_MAX 500
#define MEMBER_PAGE      500
#define MEMBER_PAGE_MAX  1000

/* The directory's lists (scope.list, org.list, person.list, body.list) page the same way by a
 * keyset over their order: `after` (the `next` of the page before: the id of its last row, as
 * text) and `limit` (DIR_PAGE by default, at most DIR_PAGE_MAX) in; `more` and `next` out.
 * kt_dir_page_args reads them (invalid_argument for a cursor that names no row: exists(st, id)
 * is not 0); kt_dir_page_reply cuts arr (read with limit + 1) to the page and sets c->result to
 * {name: arr, more, next} plus the members of extra (stolen; may be NULL). Both return what the
 * handler returns. */
#define DIR_PAGE     500
#define DIR_PAGE_MAX 1000
int kt_dir_page_args(kt_ctx *c, int (*exists)(struct kt_store *, int64_t), int64_t *after,
                     int64_t *limit);
int kt_dir_page_reply(kt_ctx *c, const char *name, int rc, json_t *arr, int64_t after,
                      int64_t limit, json_t *extra);

/* action.list pages (PROTOCOL.md): ACTION_PAGE actions by default, at most ACTION_PAGE_MAX on
 * request; a page also ends once it holds ACTION_PAGE_BYTES of JSON or looked at ACTION_SCAN. */
#define ACTION_PAGE       200
#define ACTION_PAGE_MAX   500
#define ACTION_PAGE_BYTES KT_PAGE_BYTES
#define ACTION_SCAN       2000

/* meeting.upcoming holds at most UPCOMING_MAX meetings (more: the window holds more);
 * abbreviation.list at most ABBREV_MAX abbreviations. */
#define ABBREV_MAX   5000
#define UPCOMING_MAX 500

/* flag.list pages the same way: FLAG_PAGE flags by default, at most FLAG_PAGE_MAX; a request
 * looks at no more than FLAG_SCAN flags (those the caller may not see among them). */
#define FLAG_PAGE     200
#define FLAG_PAGE_MAX 500
#define FLAG_SCAN     2000
int kt_h_action_list(kt_ctx *c);
int kt_h_action_create(kt_ctx *c);
int kt_h_action_update(kt_ctx *c);
int kt_h_action_propose(kt_ctx *c);
int kt_h_audit_body(kt_ctx *c);
int kt_h_audit_history(kt_ctx *c);

int kt_h_minutes_note(kt_ctx *c);
int kt_h_minutes_get(kt_ctx *c);
int kt_h_minutes_version(kt_ctx *c);
int kt_h_minutes_submit(kt_ctx *c);
int kt_h_minutes_amend(kt_ctx *c);
int kt_h_minutes_withdraw(kt_ctx *c);
int kt_h_minutes_approve(kt_ctx *c);

int kt_h_import_preview(kt_ctx *c);
int kt_h_import_commit(kt_ctx *c);
int kt_h_export_minutes(kt_ctx *c);
int kt_h_export_decisions(kt_ctx *c);

int kt_h_chat_post(kt_ctx *c);
int kt_h_chat_history(kt_ctx *c);
int kt_h_chat_edit(kt_ctx *c);
int kt_h_chat_delete(kt_ctx *c);
int kt_h_chat_unread(kt_ctx *c);
int kt_h_chat_read(kt_ctx *c);

/* h_request.c: agenderingsverzoeken and referrals to other bodies */
int kt_h_request_create(kt_ctx *c);
int kt_h_request_list(kt_ctx *c);
int kt_h_request_decide(kt_ctx *c);
int kt_h_agenda_refer(kt_ctx *c);

int kt_h_abbreviation_list(kt_ctx *c);
int kt_h_abbreviation_set(kt_ctx *c);
int kt_h_body_suggest(kt_ctx *c);
int kt_h_overlap_map(kt_ctx *c);
int kt_h_flag_list(kt_ctx *c);
int kt_h_flag_resolve(kt_ctx *c);

int kt_h_notification_list(kt_ctx *c);
int kt_h_notification_read(kt_ctx *c);
int kt_h_notification_subscribe(kt_ctx *c);
int kt_h_preferences_get(kt_ctx *c);
int kt_h_preferences_set(kt_ctx *c);

int kt_h_feed_list(kt_ctx *c);
int kt_h_feed_create(kt_ctx *c);
int kt_h_feed_revoke(kt_ctx *c);

int kt_h_subscribe(kt_ctx *c);
int kt_h_unsubscribe(kt_ctx *c);

/* Person ids mentioned as "@Full Name" in text among the members of body (new array). */
json_t *kt_chat_mentions(kt_store *st, int64_t body, const char *text);

#endif

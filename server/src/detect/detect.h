/* The detectors, run after a change has committed: meeting conflicts for the meetings it
 * touched, duplicate agenda items for the items it touched (see conflicts.h, similar.h).
 * They write flags in a transaction of their own (react/react.h), so a detector can never undo
 * or delay the change itself; their events are published like any other. */
#ifndef KT_DETECT_H
#define KT_DETECT_H

#include "app.h"
#include "live/event.h"
#include "protocol/ctx.h"

typedef struct kt_detect kt_detect;

/* Builds the detectors' state (the similarity index of every agenda item in the store). */
kt_detect *kt_detect_new(kt_app *app);
void kt_detect_free(kt_detect *d);

/* Runs the detectors for what a committed change touched (src->touched_*), writing their flags
 * and events through d, whose write transaction is open (react/react.h runs them as a
 * subscriber of committed changes, never inside the change). 0 or -1 (error recorded in d). */
int kt_detect_react(kt_detect *det, kt_ctx *d, const kt_ctx *src);
/* Whether kt_detect_react has anything to look at for src: it touched meetings, items or
 * bodies. */
bool kt_detect_wants(const kt_ctx *src);

/* The confidential side's findings. An item's change, confidential or not, is compared with the
 * open items in its own reaction, never with the confidential ones: what its reaction does,
 * costs and writes is the same whether or not a hidden item says the same (issue 11). The items
 * changed since are compared with the confidential items here, in one batch that react/react.c
 * runs on a timer of its own (--confidential-check-secs), whoever changed them: raising and
 * letting lapse the flags with a confidential item. Whether any item waits for it: */
bool kt_detect_confidential_pending(const kt_detect *det);
/* Runs the batch through d, whose write transaction is open: the items in the order they
 * changed first, each once, at most 5000, and no new one once slot is used up (NULL: no slot;
 * util/slot.h); the rest wait for the next batch, first. 0 or -1 (error recorded in d). Then
 * kt_detect_confidential_settle says whether its transaction committed: if not, its items wait
 * for the next batch, first. */
struct kt_slot;
int kt_detect_confidential_react(kt_detect *det, kt_ctx *d, struct kt_slot *slot);
void kt_detect_confidential_settle(kt_detect *det, bool committed);

/* Rebuilds the similarity index from the store, on this thread (at start). */
int kt_detect_rebuild(kt_detect *d);
/* The deployment taught the index something (an abbreviation, a region): a new index is built on
 * a thread of its own from a snapshot of the store, while the old one keeps answering; the item
 * changes made meanwhile are replayed onto the new one, which is then swapped in (on the loop
 * thread, in kt_detect_drain). Called for the events abbreviation.updated and scope.created on
 * every node (kt_detect_observe), so each node's index learns. */
void kt_detect_invalidate(kt_detect *d);
/* Loop thread, after the app's wake (kt_app.wake): swaps in an index built aside. */
void kt_detect_drain(kt_detect *d);
/* The loop is about to serve: from now on a taught index is built aside (before, at start and
 * while the demo loads, it is rebuilt in place before its next use). */
void kt_detect_serving(kt_detect *d);
/* Whether an aside build is under way; the number swapped in so far and the last one's time. */
bool kt_detect_building(const kt_detect *d, uint64_t *builds, int64_t *last_ms);

struct kt_body_rank;
struct kt_body_pair;
/* "Waar hoort dit thuis?": the bodies where text fits best (see profiles.h); confidential items
 * never count. Returns the number written to out, or a negative error. */
int kt_detect_suggest(kt_detect *d, const char *text, const char *scope, struct kt_body_rank *out,
                      size_t max);
/* Every pair of bodies whose agendas overlap with at least min_score; *out is malloc'd. */
int kt_detect_pairs(kt_detect *d, double min_score, struct kt_body_pair **out, size_t *n);
/* A body's name, scope or mandate changed. */
void kt_detect_body_changed(kt_detect *d, int64_t body);

/* The similarity index (borrowed; valid until the next rebuild). */
struct kt_similar *kt_detect_similar(kt_detect *d);

/* Keeps the index in step with agenda changes made on any node (called for every event). */
void kt_detect_observe(kt_app *app, const kt_event *ev);

#endif

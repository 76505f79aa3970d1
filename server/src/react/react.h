/* Reactions to committed changes. The write path (protocol/dispatch.c) runs a change in its
 * transaction, records a reaction job in the same transaction (store/reactions.h), commits,
 * answers and publishes; only then does this module, a subscriber of what was committed, run
 * the detectors (detect/detect.h) and derive the notifications (feed/notify.h) for the job, in a
 * transaction of its own that also deletes the job. So the reactions never delay or undo the
 * change, and a node that dies in between loses nothing: whichever node sweeps next finds the
 * job and resumes from the event log it points into.
 *
 * Everything here runs on the loop thread. */
#ifndef KT_REACT_H
#define KT_REACT_H

#include "app.h"

#include <stdint.h>

typedef struct kt_react kt_react;

/* Subscribes to app's commits (app->on_commit). Sweeps for jobs nobody finished every few
 * seconds when app has an event loop. NULL when out of memory. */
kt_react *kt_react_new(kt_app *app);
void kt_react_free(kt_react *r);

/* A job this node committed: run it after the current turn of the loop. */
void kt_react_committed(void *r, int64_t job);
/* Runs every queued job now (tests, shutdown). */
void kt_react_drain(kt_react *r);
/* Takes on jobs recorded more than KT_REACT_STALE_S ago that nobody finished (their node died
 * or their reaction failed): runs them now. */
void kt_react_sweep(kt_react *r);

/* The confidential side's findings of the open items changed since the last time, in a batch
 * of its own (detect.h); on a timer every --confidential-check-secs, and before the node goes
 * (kt_react_free). On the timer it holds the loop thread for a fixed slot of wall time
 * (--confidential-slot-ms; util/slot.h), every period, whatever it finds or whether anything
 * waits: it takes no new item once the slot is used up, and then waits for the slot's end (or,
 * when it ran over, for the end of the slot it ran into). So the moment and the length of the
 * time the node does not answer are the same for a batch that met a hidden item as for one
 * that did not (issue 11, timing). */
void kt_react_confidential(kt_react *r);
/* The same batch with no slot and no wait, all that waits (up to its 5000 items): when nobody is
 * served yet or any more (the demo loaded before the node listens, kt_react_free) and in
 * tests. */
void kt_react_confidential_now(kt_react *r);

#define KT_REACT_CONFIDENTIAL_S 300 /* the timer's default period */
#define KT_REACT_SLOT_MS        100 /* the batch's default slot (--confidential-slot-ms) */
#define KT_REACT_STALE_S        30  /* a job older than this is anybody's */
#define KT_REACT_MAX_ATTEMPT    5   /* a job that failed this often is dropped (logged, counted) */

/* Counts for /metrics. */
typedef struct kt_react_stats {
    uint64_t done, failed, dropped, adopted;
    uint64_t conf_batches, conf_slots; /* confidential batches on the timer, slots they held */
    int64_t waiting;                   /* jobs in the store, -1 when unknown */
} kt_react_stats;
void kt_react_stats_get(kt_react *r, kt_react_stats *out);

#endif

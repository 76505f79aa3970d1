/* A fixed slot of wall time (issue 11, timing). Work whose length must not tell what it found
 * (the confidential batch, react/react.h) holds the loop thread for a whole number of slots on
 * the monotonic clock: it stops taking new parts of its work once the slot is used up, and then
 * waits for the slot's end - or, when it ran over, for the end of the slot it ran into (the
 * next multiple of the length, counted from the start). The clock is injected so that tests can
 * drive it (tests/unit/test_slot.c).
 *
 * The work itself is a queue of ids (kt_slot_queue): each runs once per batch, in the order it
 * first came; what a slot had no room for waits for the next batch, ahead of what came later. */
#ifndef KT_SLOT_H
#define KT_SLOT_H

#include "util/ivec.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kt_slot_clock {
    int64_t (*now_ns)(void *arg);                /* monotonic nanoseconds */
    void (*wait_until_ns)(void *arg, int64_t t); /* returns at now_ns() >= t */
    void *arg;
} kt_slot_clock;

/* CLOCK_MONOTONIC, and clock_nanosleep to an absolute time (the thread sleeps). */
extern const kt_slot_clock kt_slot_mono;

typedef struct kt_slot {
    const kt_slot_clock *clock; /* borrowed */
    int64_t start, len;         /* ns */
} kt_slot;

/* Starts a slot of len_ns (> 0) now. */
void kt_slot_open(kt_slot *s, const kt_slot_clock *clock, int64_t len_ns);
/* Whether the slot is used up: no new part of the work may start. */
bool kt_slot_spent(const kt_slot *s);
/* Where the slot ends for work that ended at now: start + k * len with k >= 1 the smallest for
 * which that is not before now. */
int64_t kt_slot_end(const kt_slot *s, int64_t now);
/* Waits until the slot's end (kt_slot_end of now). Returns k, the number of lengths held: 1, or
 * more when the work ran over. */
int kt_slot_close(kt_slot *s);

typedef struct kt_slot_queue {
    kt_ivec waiting; /* in the order they came; an id may be there twice */
    kt_ivec taken;   /* the ones the last run took, until kt_slot_queue_settle */
} kt_slot_queue;

/* Adds id (not 0) at the end. 0 or KT_ENOMEM. */
int kt_slot_queue_add(kt_slot_queue *q, int64_t id);
bool kt_slot_queue_pending(const kt_slot_queue *q);
/* Runs each(id, arg) for the waiting ids, each once, in the order they first came, at most max
 * of them, while slot s lasts (NULL: no slot). The first always runs, so the work moves on
 * however small the slot. Stops at each()'s first error. The ids it ran are taken (until
 * kt_slot_queue_settle); the others wait, ahead of any added later. *ran: how many ran. 0, the
 * error of each(), or KT_ENOMEM. */
int kt_slot_queue_run(kt_slot_queue *q, kt_slot *s, size_t max, int (*each)(int64_t id, void *arg),
                      void *arg, size_t *ran);
/* The run's outcome: committed, the taken ids are done; if not, they wait again, ahead of the
 * rest and in their order. 0 or KT_ENOMEM (then ids are lost, and said so by the caller). */
int kt_slot_queue_settle(kt_slot_queue *q, bool committed);
void kt_slot_queue_free(kt_slot_queue *q);

#endif

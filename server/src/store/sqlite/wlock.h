/* The write lock among the connections of this process to one SQLite file, taken in turn.
 *
 * SQLite has one write lock per database. A connection that finds it taken waits in its busy
 * handler, which polls: SQLite's default one sleeps longer each time (up to 100 ms), so under a
 * stream of short write transactions of other connections - the loop thread's group commits,
 * the search indexer's batches, a builder's open - a waiter keeps waking while the lock is held,
 * and it is starved until its busy timeout runs out: store_busy, though no one held the lock for
 * long. Within one process the connections therefore queue here before BEGIN IMMEDIATE, first
 * come first served, and wake as soon as the one before them is done; only writers of other
 * processes (nodes sharing the file, tools) are still met in SQLite's busy handler.
 *
 * It also says who holds the lock: a wait or a hold longer than KT_WLOCK_SLOW_MS is logged with
 * the holder's name (kt_store_set_name), thread and the statement it ran last. */
#ifndef KT_STORE_SQLITE_WLOCK_H
#define KT_STORE_SQLITE_WLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define KT_WLOCK_SLOW_MS 1000

typedef struct kt_wlock kt_wlock;

/* The lock of the file dev/ino, shared by every connection of the process to it (kept for the
 * process's life). NULL when out of memory (the connection then relies on SQLite's lock alone). */
kt_wlock *kt_wlock_for(dev_t dev, ino_t ino);

/* Waits for the lock, in turn, up to timeout_ms: 0, or KT_EBUSY (timed out, logged with who
 * holds it). A thread that holds the lock through another connection gets KT_EBUSY at once
 * (it would wait for itself): logged as the error it is. who names the connection (static). */
int kt_wlock_acquire(kt_wlock *l, const char *who, int timeout_ms);
/* What the holder runs now (a static SQL text): said when someone waits long for it. */
void kt_wlock_note(kt_wlock *l, const char *sql);
void kt_wlock_release(kt_wlock *l);

#endif

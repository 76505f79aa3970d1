/* The search indexer: a thread with a store connection of its own that brings the search index up
 * to date from the queue the writes fill (store/search.h), so that no write and nothing on the loop
 * thread pays for tokenising. It works in batches of KT_INDEXER_BATCH changes, each its own short
 * transaction (KT_INDEXER_BATCH changes, or fewer once it has indexed for KT_INDEXER_BATCH_MS or 32
 * KiB of text, or once a writer of the node waits: a writer waiting for the lock waits
 * milliseconds), and lets other writers in between. It starts a round when kicked (after a commit
 * on this node) and every KT_INDEXER_IDLE_MS anyway (writes of other nodes and programs sharing the
 * database), but at most one round per KT_INDEXER_SETTLE_MS: kicks that come meanwhile join the
 * next round, unless KT_INDEXER_BATCH writes came (kt_indexer_kick_writes). Each index commit makes
 * every other connection to the database (the loop thread's) drop its page cache at its next
 * transaction, so a node taking hundreds of writes a second indexes them a few times a second, not
 * once each (bench/README.md, issue 15). A search finds a write of this node within
 * KT_INDEXER_SETTLE_MS of its commit plus a round's time (milliseconds; the first write after a
 * quiet spell at once), another node's within about KT_INDEXER_IDLE_MS; until then it is not found
 * (the words come from the index only; an edit refreshes its row's words in its own transaction,
 * store/search.h). While another process holds the database's lock the indexer does not wait for
 * it: it gives way at once and tries again a round later (store/sqlite/sqlite.c), so this node's
 * writes never queue behind it. Errors are logged and counted; the indexer tries again after
 * KT_INDEXER_IDLE_MS. While the store refuses writes (kt_store_faults_get), each round starts with
 * kt_store_probe_write on the indexer's connection, so that the node notices returning space
 * without the loop thread waiting for the write lock. */
#ifndef KT_STORE_INDEXER_H
#define KT_STORE_INDEXER_H

#include "store/store.h"

#include <stdint.h>

#define KT_INDEXER_BATCH    64
#define KT_INDEXER_BATCH_MS 4 /* and no longer than this: the write lock is held meanwhile */
#define KT_INDEXER_IDLE_MS  1000
/* At most one round this often, unless waited for (kt_indexer_wait) or KT_INDEXER_BATCH writes
 * came meanwhile: each round's commit costs the indexer ~100k instructions however little it
 * indexes (FTS5 writes a segment, SQLite its log) and the loop thread's connection its page cache
 * (bench/README "loop8"). */
#define KT_INDEXER_SETTLE_MS 250

typedef struct kt_indexer kt_indexer;

typedef struct kt_indexer_stats {
    uint64_t indexed; /* changes taken from the queue */
    uint64_t batches;
    uint64_t errors;
    uint64_t busy;   /* rounds that gave way to another process holding the database's lock */
    int64_t pending; /* changes in the queue when last looked */
    double cpu_ms;   /* CPU time the indexer's thread used */
} kt_indexer_stats;

/* Opens a connection of its own with opt (the path the node uses) and starts the thread. *out
 * is owned by the caller: kt_indexer_stop(). 0 or a KT_E*. */
int kt_indexer_start(const kt_store_options *opt, kt_indexer **out);
/* Any thread: there may be something to index now. Cheap; never blocks on the indexer's work. */
void kt_indexer_kick(kt_indexer *ix);
/* The same after a commit of that many writes (a group commit): once KT_INDEXER_BATCH writes
 * have come since the last round started, the next round need not wait for
 * KT_INDEXER_SETTLE_MS. */
void kt_indexer_kick_writes(kt_indexer *ix, int writes);
/* Waits until the queue was seen empty after this call, or timeout_ms passed: 0 or KT_EBUSY.
 * For tests and benchmarks. */
int kt_indexer_wait(kt_indexer *ix, int timeout_ms);
void kt_indexer_get_stats(kt_indexer *ix, kt_indexer_stats *out);
/* Stops the thread after its current batch and closes its connection. ix may be NULL. */
void kt_indexer_stop(kt_indexer *ix);

#endif

/* The search index (issue 13): agenda items, verslagen, actions (actiepunten, toezeggingen,
 * besluiten), chat messages and the notes per item, searched with Dutch stemming (SQLite: FTS5
 * with the "ktdutch" tokenizer, store/sqlite/fts_dutch.h).
 *
 * Off the write path: a write only notes in its own transaction which rows changed (the queue,
 * store/sqlite/migrations.c 19); kt_store_search_index() brings the index up to date from the
 * queue, in small transactions of its own, on the indexer's thread (store/indexer.h). A new row
 * may therefore be found only after the indexer's delay (typically milliseconds, at most
 * KT_INDEXER_IDLE_MS when a kick is missed); an edit of a row (its text, title, body) refreshes
 * that row's words in its own transaction as well (kt_store_search_refresh), so what was just
 * changed is never found or shown as it was.
 *
 * The index is trusted for words only. Whether a candidate still exists, which body, meeting and
 * item it belongs to now, what kind it is now and whether its item is confidential now are read
 * from the rows themselves for every candidate, so a row deleted or made confidential is not
 * found by those who may not see it from the moment of the commit, whatever the index says.
 * Deciding visibility (kt_acl_visible) and ranking over the visible rows happen above
 * (domain/search.c), so a row the reader may not see never counts for anything. */
#ifndef KT_STORE_SEARCH_H
#define KT_STORE_SEARCH_H

#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KT_SEARCH_MAX_TERMS 8

typedef enum kt_search_kind {
    KT_SEARCH_ITEM = 1,    /* an agenda item: title and description */
    KT_SEARCH_MINUTES = 2, /* the verslag of a meeting */
    KT_SEARCH_ACTION = 3,  /* actiepunt, toezegging or besluit */
    KT_SEARCH_MESSAGE = 4, /* a chat message, in a body's channel or an item's thread */
    KT_SEARCH_NOTES = 5,   /* the notes (notulen) of an agenda item */
} kt_search_kind;

typedef struct kt_search_query {
    const char *const *terms; /* folded words, stop words left out; all must occur */
    size_t nterms;            /* 1..KT_SEARCH_MAX_TERMS */
    const int64_t *bodies;    /* only rows of these bodies are candidates */
    size_t nbodies;
    size_t max; /* at most this many candidates, newest first */
} kt_search_query;

typedef struct kt_search_cand {
    int64_t id; /* of the item, meeting, action or message */
    kt_search_kind kind;
    char subkind[16]; /* "agendapunt", "verslag", "actiepunt", "toezegging", "besluit", "chat",
                         "notulen" */
    int64_t body, meeting, item;      /* 0 when none */
    bool confidential;                /* the item the row belongs to is confidential (now) */
    int64_t at;                       /* unix seconds: creation, or the meeting's start */
    uint32_t len;                     /* words in the row */
    uint16_t tf[KT_SEARCH_MAX_TERMS]; /* hits per term (title hits count twice) */
} kt_search_cand;

/* The candidates for q into *out (caller frees), *n of them; *truncated when there were more
 * than q->max. Every field but len and tf is read from the row as it is now; a row that is gone,
 * or is no longer in one of q's bodies, is left out. 0, KT_EINVAL (no terms or bodies) or a
 * store error. */
int kt_store_search_candidates(kt_store *st, const kt_search_query *q, kt_search_cand **out,
                               size_t *n, bool *truncated);

/* What a hit shows: {title, snippet} with the query's words between \x02 and \x03 marks, and
 * its context: body_name, meeting, starts_at, item, item_title, author (chat), status and due
 * (actions). New reference into *out. 0, KT_ENOTFOUND or a store error. */
int kt_store_search_show(kt_store *st, const kt_search_query *q, const kt_search_cand *c,
                         json_t **out);

/* The bodies person is a member of: [{body, role, items}] (items: the guest's item limit or
 * null). New reference into *out. 0 or a store error. */
int kt_store_search_memberships(kt_store *st, int64_t person, json_t **out);

/* Indexes up to max queued changes in one transaction of its own (it must be called outside
 * one): each changed row's words are replaced by the row's words now, or removed when the row
 * is gone. *done: changes taken from the queue; *left (may be NULL): changes still queued
 * after. 0, KT_EBUSY (another writer held the lock too long; nothing done) or a store error. */
int kt_store_search_index(kt_store *st, int max, int *done, int64_t *left);
/* The same, and the batch also ends once it has used budget_us microseconds (0: no bound) of
 * indexing, or (a background connection, kt_store_set_background) when another writer of this
 * process is waiting for the lock; after at least one change: the write lock it holds is held
 * that long at most, plus one change and the commit. What it did not reach stays queued. */
int kt_store_search_index_for(kt_store *st, int max, int64_t budget_us, int *done, int64_t *left);

/* Brings the index's words for (kind, id) up to date now, in the caller's write transaction:
 * for an edit, so that a search right after it finds the row as it now is, with a fresh snippet
 * (the indexer would take up to KT_INDEXER_SETTLE_MS). Only edits call it (an edit is rare next
 * to a post: tokenising one row costs tens of microseconds); new rows wait for the indexer. The
 * change stays queued too, and the indexer's second pass finds the same words. No-op on
 * PostgreSQL, which reads the rows themselves. 0 or a store error. */
int kt_store_search_refresh(kt_store *st, kt_search_kind kind, int64_t id);

/* Queues a new message for the indexer, in the caller's write transaction (SQLite; no-op on
 * PostgreSQL). Items, minutes, actions, notes and a message's edits and deletes are queued by
 * triggers; a new message by its insert (store/chat.c), since a trigger on that insert made
 * SQLite copy each page the insert touched into a statement journal first, six per post
 * (migration 34). Whatever else inserts messages on SQLite queues them too (store/copy.c).
 * 0 or a store error. */
int kt_store_search_queue_message(kt_store *st, int64_t id);

/* Connects st to the index outside any transaction: the first use of the index in a process
 * loads the tokenizer's word list (store/sqlite/fts_dutch.c), seconds under a sanitizer on a
 * loaded machine, which the indexer's first batch did holding the write lock (test_multinode: a
 * node's first batch held it 7.9 s, and both nodes' writes met store_busy). The indexer calls it
 * before its first round. No-op on PostgreSQL. 0 or a store error. */
int kt_store_search_ready(kt_store *st);

/* How many changes wait in the queue: 0 or a store error. */
int kt_store_search_pending(kt_store *st, int64_t *n);

#endif

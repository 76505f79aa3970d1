/* A hash map from int64 keys to pointers: open addressing, linear probing, backward-shift
 * deletion. Keys are never 0 (0 marks an empty slot). Values are borrowed, never freed here. */
#ifndef KT_IMAP_H
#define KT_IMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct kt_imap_slot {
    int64_t key;
    void *val;
} kt_imap_slot;

typedef struct kt_imap {
    kt_imap_slot *slots;
    size_t cap, len; /* cap is 0 or a power of two */
} kt_imap;

void *kt_imap_get(const kt_imap *m, int64_t key);
int kt_imap_put(kt_imap *m, int64_t key, void *val); /* 0 or KT_ENOMEM; replaces */
/* Room for n entries in all, so that the puts up to n grow nothing (a map built to a known
 * size is allocated once, not doubled and rehashed on the way). 0 or KT_ENOMEM (the map as it
 * was). Changes no entry. */
int kt_imap_reserve(kt_imap *m, size_t n);
void *kt_imap_del(kt_imap *m, int64_t key); /* returns the removed value or NULL */
void kt_imap_free(kt_imap *m);
/* Asks the processor to fetch the slot where key's search starts, ahead of a get or put of it
 * that comes later: a big map's slots are far apart in memory. Changes nothing. */
void kt_imap_prefetch(const kt_imap *m, int64_t key);

/* Iterate: for (size_t i = 0; i < m->cap; i++) if (m->slots[i].key) ... */

#endif

#include "util/imap.h"

#include "util/err.h"
#include "util/hugemem.h"

#include <assert.h>
#include <stdlib.h>

static size_t slot_of(int64_t key, size_t cap)
{
    uint64_t h = (uint64_t)key * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 32) & (cap - 1);
}

void *kt_imap_get(const kt_imap *m, int64_t key)
{
    if (!m->cap)
        return NULL;
    for (size_t i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->slots[i].key == key)
            return m->slots[i].val;
        if (!m->slots[i].key)
            return NULL;
    }
}

void kt_imap_prefetch(const kt_imap *m, int64_t key)
{
#if defined(__GNUC__)
    if (m->cap)
        __builtin_prefetch(&m->slots[slot_of(key, m->cap)]);
#else
    (void)m;
    (void)key;
#endif
}

/* Moves the entries to a table of cap slots (a power of two that holds them). */
static int rehash(kt_imap *m, size_t cap)
{
    kt_imap_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return KT_ENOMEM;
    kt_huge_advise(slots, cap * sizeof *slots);   /* a big map is touched all over ... */
    kt_huge_prefault(slots, cap * sizeof *slots); /* ... and a slot is read before written */
    for (size_t j = 0; j < m->cap; j++) {
        if (!m->slots[j].key)
            continue;
        size_t i = slot_of(m->slots[j].key, cap);
        while (slots[i].key)
            i = (i + 1) & (cap - 1);
        slots[i] = m->slots[j];
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

/* The smallest table that holds n entries without growing: at most three quarters full. */
static size_t cap_for(size_t n)
{
    size_t cap = 16;
    while (n * 4 > cap * 3)
        cap *= 2;
    return cap;
}

int kt_imap_reserve(kt_imap *m, size_t n)
{
    size_t cap = cap_for(m->len > n ? m->len : n);
    return cap > m->cap ? rehash(m, cap) : 0;
}

int kt_imap_put(kt_imap *m, int64_t key, void *val)
{
    assert(key != 0);
    if ((m->len + 1) * 4 > m->cap * 3 && rehash(m, m->cap ? m->cap * 2 : 16))
        return KT_ENOMEM;
    size_t i = slot_of(key, m->cap);
    while (m->slots[i].key && m->slots[i].key != key)
        i = (i + 1) & (m->cap - 1);
    if (!m->slots[i].key)
        m->len++;
    m->slots[i].key = key;
    m->slots[i].val = val;
    return 0;
}

void *kt_imap_del(kt_imap *m, int64_t key)
{
    if (!m->cap)
        return NULL;
    size_t i = slot_of(key, m->cap);
    while (m->slots[i].key != key) {
        if (!m->slots[i].key)
            return NULL;
        i = (i + 1) & (m->cap - 1);
    }
    void *val = m->slots[i].val;
    /* Backward shift: pull later entries of the cluster into the hole when that brings them
     * no further from their home slot. */
    size_t hole = i;
    for (size_t j = (i + 1) & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1)) {
        size_t home = slot_of(m->slots[j].key, m->cap);
        if (((j - home) & (m->cap - 1)) >= ((j - hole) & (m->cap - 1))) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole].key = 0;
    m->slots[hole].val = NULL;
    m->len--;
    return val;
}

void kt_imap_free(kt_imap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->len = 0;
}

/* strmap: string keys to uint32 values for the detectors' vocabularies (terms, words, scope
 * names). Keys are copied into one growing buffer owned by the map, so a key costs its bytes
 * plus 12 bytes of table; open addressing with linear probing; no deletion (vocabularies only
 * grow). Keys are byte strings without NULs. */
#ifndef KT_DETECT_STRMAP_H
#define KT_DETECT_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kt_strmap_slot {
    uint32_t off; /* key offset in buf; 0 = empty */
    uint32_t hash;
    uint32_t val;
} kt_strmap_slot;

typedef struct kt_strmap {
    char *buf; /* NUL-terminated keys; byte 0 is a dummy so that offset 0 means empty */
    size_t buf_len, buf_cap;
    kt_strmap_slot *slots;
    size_t cap, len; /* cap is 0 or a power of two */
} kt_strmap;

/* A zeroed kt_strmap is empty and ready. */

/* True and *val set when key is present. */
bool kt_strmap_get(const kt_strmap *m, const char *key, size_t n, uint32_t *val);
/* Inserts key or replaces its value. *key_off (may be NULL) receives the offset of the stored
 * key, valid for kt_strmap_key until the map is freed. 0 or KT_ENOMEM. */
int kt_strmap_put(kt_strmap *m, const char *key, size_t n, uint32_t val, uint32_t *key_off);
/* The stored key at an offset from kt_strmap_put. Borrowed; moves when the map grows, so do
 * not keep the pointer across a put. */
static inline const char *kt_strmap_key(const kt_strmap *m, uint32_t key_off)
{
    return m->buf + key_off;
}
/* Bytes held (table and keys), for memory figures. */
size_t kt_strmap_bytes(const kt_strmap *m);
void kt_strmap_free(kt_strmap *m);

#endif

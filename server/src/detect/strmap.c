#include "detect/strmap.h"

#include "util/err.h"

#include <stdlib.h>
#include <string.h>

/* Keys are short words, looked up once or more per word of every indexed text: read them eight
 * bytes at a time (a multiply per eight bytes, not per byte) and compare them the same way. */
static inline uint64_t load_tail(const char *s, size_t n) /* n < 8 bytes, little or big end */
{
    uint64_t x = 0;
    size_t i = 0;
    if (n & 4) {
        uint32_t v;
        memcpy(&v, s, 4);
        x = v;
        i = 4;
    }
    if (n & 2) {
        uint16_t v;
        memcpy(&v, s + i, 2);
        x |= (uint64_t)v << (8 * i);
        i += 2;
    }
    if (n & 1)
        x |= (uint64_t)(unsigned char)s[i] << (8 * i);
    return x;
}

static inline uint32_t hash_key(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t x;
        memcpy(&x, s, 8);
        h = (h ^ x) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    h = (h ^ load_tail(s, n)) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 32;
    return (uint32_t)h;
}

/* Whether the stored key at k (NUL-terminated) is the n bytes at key. */
static inline bool key_eq(const char *k, const char *key, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, k + i, 8);
        memcpy(&y, key + i, 8);
        if (x != y)
            return false;
    }
    return load_tail(k + i, n - i) == load_tail(key + i, n - i) && k[n] == 0;
}

static inline size_t find(const kt_strmap *m, const char *key, size_t n, uint32_t h)
{
    size_t i = h & (m->cap - 1);
    for (;; i = (i + 1) & (m->cap - 1)) {
        const kt_strmap_slot *sl = &m->slots[i];
        if (!sl->off)
            return i;
        if (sl->hash == h && key_eq(m->buf + sl->off, key, n))
            return i;
    }
}

bool kt_strmap_get(const kt_strmap *m, const char *key, size_t n, uint32_t *val)
{
    if (!m->cap)
        return false;
    const kt_strmap_slot *sl = &m->slots[find(m, key, n, hash_key(key, n))];
    if (!sl->off)
        return false;
    *val = sl->val;
    return true;
}

static int grow_table(kt_strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    kt_strmap_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return KT_ENOMEM;
    for (size_t j = 0; j < m->cap; j++) {
        if (!m->slots[j].off)
            continue;
        size_t i = m->slots[j].hash & (cap - 1);
        while (slots[i].off)
            i = (i + 1) & (cap - 1);
        slots[i] = m->slots[j];
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

static int reserve_buf(kt_strmap *m, size_t more)
{
    if (m->buf_len + more <= m->buf_cap)
        return 0;
    size_t cap = m->buf_cap ? m->buf_cap : 1024;
    while (cap < m->buf_len + more)
        cap *= 2;
    if (cap > UINT32_MAX)
        return KT_ENOMEM; /* offsets are 32-bit */
    char *buf = realloc(m->buf, cap);
    if (!buf)
        return KT_ENOMEM;
    memset(buf + m->buf_cap, 0, cap - m->buf_cap); /* key_eq may read the slack behind a key */
    m->buf = buf;
    m->buf_cap = cap;
    if (!m->buf_len)
        m->buf[m->buf_len++] = 0; /* the dummy byte behind offset 0 */
    return 0;
}

int kt_strmap_put(kt_strmap *m, const char *key, size_t n, uint32_t val, uint32_t *key_off)
{
    if ((m->len + 1) * 4 > m->cap * 3 && grow_table(m))
        return KT_ENOMEM;
    uint32_t h = hash_key(key, n);
    size_t i = find(m, key, n, h);
    kt_strmap_slot *sl = &m->slots[i];
    if (!sl->off) {
        /* 8 bytes of slack stay behind the last key: key_eq reads up to 7 bytes past a NUL */
        if (reserve_buf(m, n + 2 + 8))
            return KT_ENOMEM;
        memcpy(m->buf + m->buf_len, key, n);
        m->buf[m->buf_len + n] = 0;
        sl->off = (uint32_t)m->buf_len;
        sl->hash = h;
        m->buf_len += n + 1;
        m->len++;
    }
    sl->val = val;
    if (key_off)
        *key_off = sl->off;
    return 0;
}

size_t kt_strmap_bytes(const kt_strmap *m)
{
    return m->cap * sizeof *m->slots + m->buf_cap;
}

void kt_strmap_free(kt_strmap *m)
{
    free(m->buf);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

#include "detect/strmap.h"

#include "util/err.h"

#include <stdlib.h>
#include <string.h>

static uint32_t hash_key(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a: keys are short words */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static size_t find(const kt_strmap *m, const char *key, size_t n, uint32_t h)
{
    size_t i = h & (m->cap - 1);
    for (;; i = (i + 1) & (m->cap - 1)) {
        const kt_strmap_slot *sl = &m->slots[i];
        if (!sl->off)
            return i;
        if (sl->hash == h && !memcmp(m->buf + sl->off, key, n) && m->buf[sl->off + n] == 0)
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
        if (reserve_buf(m, n + 2))
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

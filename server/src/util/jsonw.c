/* Compact JSON text of a jansson value, as jansson writes it (see jsonw.h). */
#include "util/jsonw.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { W_OK = 0, W_NOMEM = -1, W_JANSSON = 1 }; /* W_JANSSON: let jansson write it all */

typedef struct out {
    char *buf;
    size_t len, cap, pre;
} out;

/* Room for n more bytes of text and the NUL after them. */
static int room(out *o, size_t n)
{
    size_t need = o->pre + o->len + n + 1;
    if (need <= o->cap)
        return W_OK;
    size_t cap = o->cap ? o->cap : 256;
    while (cap < need)
        cap *= 2;
    char *b = realloc(o->buf, cap);
    if (!b)
        return W_NOMEM;
    o->buf = b;
    o->cap = cap;
    return W_OK;
}

static int put(out *o, const char *s, size_t n)
{
    if (room(o, n))
        return W_NOMEM;
    memcpy(o->buf + o->pre + o->len, s, n);
    o->len += n;
    return W_OK;
}

static int putc1(out *o, char c)
{
    if (room(o, 1))
        return W_NOMEM;
    o->buf[o->pre + o->len++] = c;
    return W_OK;
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), 0 when it is not one: the
 * sequences jansson's decoder accepts (no overlong forms, no surrogates, nothing above
 * U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t k;
    uint32_t v;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        k = 2, v = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 3, v = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 4, v = c & 0x07;
    else
        return 0;
    if (k > n)
        return 0;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if ((k == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
        (k == 4 && (v < 0x10000 || v > 0x10FFFF)))
        return 0;
    return k;
}

static int put_string(out *o, const char *str, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)str;
    if (room(o, n + 2))
        return W_NOMEM;
    o->buf[o->pre + o->len++] = '"';
    size_t i = 0, from = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t k = utf8_seq(s + i, n - i);
            if (!k)
                return W_JANSSON; /* jansson refuses it: its answer, not ours */
            i += k;
            continue;
        }
        if (i > from && put(o, str + from, i - from))
            return W_NOMEM;
        char esc[6] = {'\\', 0};
        size_t el = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u', esc[2] = '0', esc[3] = '0', esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
            el = 6;
        }
        if (put(o, esc, el))
            return W_NOMEM;
        from = ++i;
    }
    if (i > from && put(o, str + from, i - from))
        return W_NOMEM;
    return putc1(o, '"');
}

static int put_int(out *o, json_int_t v)
{
    char tmp[24];
    size_t p = sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--p] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--p] = '-';
    return put(o, tmp + p, sizeof tmp - p);
}

/* A real as jansson writes it (its precision, its exponent form): by jansson. */
static int put_real(out *o, const json_t *j)
{
    char *t = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!t)
        return isfinite(json_real_value(j)) ? W_NOMEM : W_JANSSON;
    int rc = put(o, t, strlen(t));
    free(t);
    return rc;
}

static int value(out *o, const json_t *j, int depth)
{
    if (depth > KT_JSONW_MAX_DEPTH)
        return W_JANSSON;
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        if (putc1(o, '{'))
            return W_NOMEM;
        bool first = true;
        for (void *it = json_object_iter((json_t *)j); it;
             it = json_object_iter_next((json_t *)j, it)) {
            if (!first && putc1(o, ','))
                return W_NOMEM;
            first = false;
            int rc = put_string(o, json_object_iter_key(it), json_object_iter_key_len(it));
            if (!rc)
                rc = putc1(o, ':');
            if (!rc)
                rc = value(o, json_object_iter_value(it), depth + 1);
            if (rc)
                return rc;
        }
        return putc1(o, '}');
    }
    case JSON_ARRAY: {
        if (putc1(o, '['))
            return W_NOMEM;
        size_t n = json_array_size(j);
        for (size_t i = 0; i < n; i++) {
            if (i && putc1(o, ','))
                return W_NOMEM;
            int rc = value(o, json_array_get(j, i), depth + 1);
            if (rc)
                return rc;
        }
        return putc1(o, ']');
    }
    case JSON_STRING:
        return put_string(o, json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        return put_int(o, json_integer_value(j));
    case JSON_REAL:
        return put_real(o, j);
    case JSON_TRUE:
        return put(o, "true", 4);
    case JSON_FALSE:
        return put(o, "false", 5);
    case JSON_NULL:
        return put(o, "null", 4);
    }
    return W_JANSSON;
}

struct sink {
    out *o;
    bool nomem;
};

static int jansson_cb(const char *chunk, size_t size, void *data)
{
    struct sink *s = data;
    if (put(s->o, chunk, size)) {
        s->nomem = true;
        return -1;
    }
    return 0;
}

int kt_jsonw_append(const json_t *j, size_t pre, char **buf, size_t *len, size_t *cap)
{
    if (!json_is_object(j) && !json_is_array(j))
        return -1; /* as json_dumps without JSON_ENCODE_ANY */
    out o = {.buf = *buf, .len = *len, .cap = *cap, .pre = pre};
    size_t start = o.len;
    int rc = value(&o, j, 1);
    if (rc == W_JANSSON) { /* a cycle, or what jansson refuses: whatever jansson does */
        o.len = start;
        struct sink s = {&o, false};
        rc = json_dump_callback(j, jansson_cb, &s, JSON_COMPACT) ? -1 : 0;
    }
    if (!rc && room(&o, 0))
        rc = -1;
    if (!rc)
        o.buf[o.pre + o.len] = 0;
    *buf = o.buf, *len = o.len, *cap = o.cap;
    return rc ? -1 : 0;
}

char *kt_jsonw_dumps(const json_t *j)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (kt_jsonw_append(j, 0, &buf, &len, &cap)) {
        free(buf);
        return NULL;
    }
    return buf;
}

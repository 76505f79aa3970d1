#include "live/frame.h"

#include <assert.h>
#include <libwebsockets.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(KT_FRAME_PRE >= LWS_PRE, "frame headroom must cover LWS_PRE");

kt_frame *kt_frame_from_text(const char *text, size_t len)
{
    kt_frame *f = malloc(sizeof *f + KT_FRAME_PRE + len + 1);
    if (!f)
        return NULL;
    f->refs = 1;
    f->len = len;
    memcpy(f->data + KT_FRAME_PRE, text, len);
    f->data[KT_FRAME_PRE + len] = 0;
    return f;
}

struct sink {
    char *buf;
    size_t len, cap;
};

static int dump_cb(const char *chunk, size_t size, void *data)
{
    struct sink *s = data;
    if (s->len + size > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        while (cap < s->len + size)
            cap *= 2;
        char *b = realloc(s->buf, KT_FRAME_PRE + cap + 1 + sizeof(kt_frame));
        if (!b)
            return -1;
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + sizeof(kt_frame) + KT_FRAME_PRE + s->len, chunk, size);
    s->len += size;
    return 0;
}

/* Serialises straight into the frame's memory: no intermediate string. */
kt_frame *kt_frame_from_json(const json_t *j)
{
    struct sink s = {0};
    if (json_dump_callback(j, dump_cb, &s, JSON_COMPACT) != 0) {
        free(s.buf);
        return NULL;
    }
    if (!s.buf)
        return kt_frame_from_text("", 0);
    kt_frame *f = (kt_frame *)s.buf;
    f->refs = 1;
    f->len = s.len;
    f->data[KT_FRAME_PRE + s.len] = 0;
    return f;
}

kt_frame *kt_frame_with_member(const json_t *envelope, const char *key, const kt_frame *value)
{
    struct sink s = {0};
    if (!json_is_object(envelope) || json_dump_callback(envelope, dump_cb, &s, JSON_COMPACT) != 0)
        goto fail;
    /* s holds "{...}": the member goes before its closing brace, after a comma unless it is
     * the only one. */
    assert(s.len >= 2 && s.buf[sizeof(kt_frame) + KT_FRAME_PRE + s.len - 1] == '}');
    bool first = s.len == 2;
    s.len--;
    if ((!first && dump_cb(",", 1, &s)) || dump_cb("\"", 1, &s) || dump_cb(key, strlen(key), &s) ||
        dump_cb("\":", 2, &s) ||
        dump_cb((const char *)value->data + KT_FRAME_PRE, value->len, &s) || dump_cb("}", 1, &s))
        goto fail;
    kt_frame *f = (kt_frame *)s.buf;
    f->refs = 1;
    f->len = s.len;
    f->data[KT_FRAME_PRE + s.len] = 0;
    return f;
fail:
    free(s.buf);
    return NULL;
}

kt_frame *kt_frame_ref(kt_frame *f)
{
    assert(f->refs > 0);
    f->refs++;
    return f;
}

void kt_frame_unref(kt_frame *f)
{
    if (!f)
        return;
    assert(f->refs > 0);
    if (--f->refs == 0)
        free(f);
}

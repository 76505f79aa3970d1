#include "live/frame.h"
#include "util/jsonw.h"

#include <assert.h>
#include <libwebsockets.h>
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

/* Serialises straight into the frame's memory: no intermediate string (util/jsonw.h: jansson's
 * compact text, written with fewer instructions). */
kt_frame *kt_frame_from_json(const json_t *j)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (kt_jsonw_append(j, sizeof(kt_frame) + KT_FRAME_PRE, &buf, &len, &cap)) {
        free(buf);
        return NULL;
    }
    kt_frame *f = (kt_frame *)buf;
    f->refs = 1;
    f->len = len;
    return f;
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

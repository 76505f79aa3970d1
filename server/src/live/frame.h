/* A frame is one serialised WebSocket text message with LWS_PRE bytes of headroom, shared by
 * reference between the out-queues of every session it goes to: an event is serialised once per
 * node, however many sessions receive it. Single-threaded: refcounts are plain ints. */
#ifndef KT_FRAME_H
#define KT_FRAME_H

#include <jansson.h>
#include <stddef.h>

typedef struct kt_frame {
    int refs;
    size_t len;           /* payload bytes after the headroom */
    unsigned char data[]; /* KT_FRAME_PRE headroom, then len bytes */
} kt_frame;

#define KT_FRAME_PRE 16 /* == LWS_PRE on this platform; checked in frame.c */

/* New frame holding the compact serialisation of j (j is borrowed). refs = 1. */
kt_frame *kt_frame_from_json(const json_t *j);
kt_frame *kt_frame_from_text(const char *text, size_t len);
/* New frame holding the compact serialisation of the object envelope (borrowed) with one more
 * member at its end, key (a plain ASCII name: nothing in it to escape), whose value is the JSON
 * text of value (a frame made by kt_frame_from_json, borrowed): byte for byte what jansson
 * writes for envelope with that member set last (objects keep their insertion order), without
 * serialising the value again. A value that goes out in two messages (a write's reply and its
 * event) is serialised once. NULL when envelope is not an object (or out of memory). refs = 1. */
kt_frame *kt_frame_with_member(const json_t *envelope, const char *key, const kt_frame *value);
kt_frame *kt_frame_ref(kt_frame *f);
void kt_frame_unref(kt_frame *f);

static inline unsigned char *kt_frame_payload(kt_frame *f)
{
    return f->data + KT_FRAME_PRE;
}

#endif

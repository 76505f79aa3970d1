/* An event as it travels from the write path through the bus to the sessions: the stored row
 * (body, seq, type, visibility, payload, actor, time) plus its frame, built once on first use. */
#ifndef KT_EVENT_H
#define KT_EVENT_H

#include "auth/acl.h"
#include "live/frame.h"
#include "store/store.h"

#include <stdint.h>

typedef struct kt_event {
    int refs;
    int64_t body, seq, actor, time;
    char type[40];
    kt_vis vis;      /* owned: the references stored with the event (never an audience) */
    int64_t subject; /* membership.* events: the person whose membership changed; else 0 */
    char *payload;   /* JSON text of "data" as stored (what it is about), owned */
    kt_frame *frame; /* lazily built push frame of the stored data (own membership pushes) */
    /* Read-time rendering (live/render.c), filled when the event is first sent. */
    bool resolved;
    int resolve_rc;
    int kind;
    int64_t about; /* the id of what it is about (item, action, message, flag, notification) */
    kt_vis aud;    /* owned: the audience of its item as it is now */
    json_t *full;  /* owned: the data as its audience sees it now; NULL: it is gone */
    kt_frame *f_full, *f_placeholder, *f_hidden, *f_skip, *f_guest;
    kt_frame *t_full; /* full serialised (kt_render_text_of): its frame's and its write's reply's */
} kt_event;

/* Takes ownership of nothing; copies what it needs. vis_text may be NULL. refs = 1. */
kt_event *kt_event_new(int64_t body, int64_t seq, const char *type, const char *vis_text,
                       const char *payload, int64_t actor, int64_t time);
kt_event *kt_event_from_stored(const kt_stored_event *se);
kt_event *kt_event_ref(kt_event *ev);
void kt_event_unref(kt_event *ev);

/* The push frame {"event","body","seq","data"}; owned by the event (ref it to keep it). */
kt_frame *kt_event_frame(kt_event *ev);

/* Serialisation for the bus between nodes: one JSON text with every field. */
char *kt_event_encode(const kt_event *ev); /* malloc'd */
kt_event *kt_event_decode(const char *text, size_t len);

#endif

#include "live/event.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static int64_t subject_of(const char *type, const char *payload)
{
    if (strncmp(type, "membership.", 11) != 0)
        return 0;
    json_t *j = json_loads(payload, 0, NULL);
    int64_t p = json_integer_value(json_object_get(j, "person"));
    json_decref(j);
    return p;
}

kt_event *kt_event_new(int64_t body, int64_t seq, const char *type, const char *vis_text,
                       const char *payload, int64_t actor, int64_t time)
{
    kt_event *ev = calloc(1, sizeof *ev);
    if (!ev)
        return NULL;
    ev->refs = 1;
    ev->body = body;
    ev->seq = seq;
    ev->actor = actor;
    ev->time = time;
    snprintf(ev->type, sizeof ev->type, "%s", type);
    ev->payload = strdup(payload ? payload : "{}");
    if (!ev->payload || kt_vis_parse(vis_text, &ev->vis) != 0) {
        free(ev->payload);
        free(ev);
        return NULL;
    }
    ev->subject = subject_of(ev->type, ev->payload);
    return ev;
}

kt_event *kt_event_from_stored(const kt_stored_event *se)
{
    return kt_event_new(se->body, se->seq, se->type, se->vis, se->payload, se->actor, se->time);
}

kt_event *kt_event_ref(kt_event *ev)
{
    assert(ev->refs > 0);
    ev->refs++;
    return ev;
}

void kt_event_unref(kt_event *ev)
{
    if (!ev)
        return;
    assert(ev->refs > 0);
    if (--ev->refs)
        return;
    kt_vis_clear(&ev->vis);
    kt_vis_clear(&ev->aud);
    json_decref(ev->full);
    free(ev->payload);
    kt_frame_unref(ev->frame);
    kt_frame *frames[] = {ev->f_full, ev->f_placeholder, ev->f_hidden,
                          ev->f_skip, ev->f_guest,       ev->t_full};
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++)
        kt_frame_unref(frames[i]);
    free(ev);
}

kt_frame *kt_event_frame(kt_event *ev)
{
    if (ev->frame)
        return ev->frame;
    json_t *data = json_loads(ev->payload, 0, NULL);
    /* actor: who made the change (null: the server itself, e.g. a detector). */
    json_t *j = json_pack("{s:s, s:I, s:I, s:o, s:o}", "event", ev->type, "body",
                          (json_int_t)ev->body, "seq", (json_int_t)ev->seq, "actor",
                          ev->actor ? json_integer(ev->actor) : json_null(), "data",
                          data ? data : json_object());
    if (j)
        ev->frame = kt_frame_from_json(j);
    json_decref(j);
    return ev->frame;
}

char *kt_event_encode(const kt_event *ev)
{
    json_t *vis = kt_vis_to_json(&ev->vis);
    json_t *j =
        json_pack("{s:I, s:I, s:s, s:o, s:s, s:I, s:I}", "body", (json_int_t)ev->body, "seq",
                  (json_int_t)ev->seq, "type", ev->type, "vis", vis, "payload", ev->payload,
                  "actor", (json_int_t)ev->actor, "time", (json_int_t)ev->time);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return s;
}

kt_event *kt_event_decode(const char *text, size_t len)
{
    json_t *j = json_loadb(text, len, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    const char *type = json_string_value(json_object_get(j, "type"));
    const char *payload = json_string_value(json_object_get(j, "payload"));
    json_t *vis = json_object_get(j, "vis");
    char *vis_text = json_object_size(vis) ? json_dumps(vis, JSON_COMPACT) : NULL;
    kt_event *ev = NULL;
    if (type && payload)
        ev = kt_event_new(json_integer_value(json_object_get(j, "body")),
                          json_integer_value(json_object_get(j, "seq")), type, vis_text, payload,
                          json_integer_value(json_object_get(j, "actor")),
                          json_integer_value(json_object_get(j, "time")));
    free(vis_text);
    json_decref(j);
    return ev;
}

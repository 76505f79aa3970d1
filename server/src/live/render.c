#include "live/render.h"

#include "domain/handlers.h"
#include "domain/model.h"
#include "domain/views.h"
#include "store/actions.h"
#include "store/agenda_requests.h"
#include "store/chat.h"
#include "store/items.h"
#include "util/err.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

/* What an event is about, by its type. */
enum kind {
    K_PLAIN = 1, /* its stored data is its content (meetings, memberships, the directory...) */
    K_ITEM,      /* agenda.added, agenda.updated: the item as it is now */
    K_ITEM_GONE, /* agenda.removed, agenda.hidden: ids of an item that went */
    K_ORDER,     /* agenda.reordered: positions of several items */
    K_ACTION,    /* action.*: the action as it is now, under its item */
    K_MESSAGE,   /* chat.posted, .edited, .deleted: the message as it is now, under its item */
    K_FLAG,      /* flag.*: the flag as this body's side sees it now */
    K_NOTE,      /* notification.created, .updated: the notification, if it may still be shown */
    K_REQUEST,   /* request.created, .decided: the agenderingsverzoek as it is now */
};

static int kind_of(const char *type)
{
    static const struct {
        const char *type;
        int kind;
    } kinds[] = {
        {"agenda.added", K_ITEM},         {"agenda.updated", K_ITEM},
        {"agenda.removed", K_ITEM_GONE},  {"agenda.hidden", K_ITEM_GONE},
        {"agenda.reordered", K_ORDER},    {"action.created", K_ACTION},
        {"action.updated", K_ACTION},     {"chat.posted", K_MESSAGE},
        {"chat.edited", K_MESSAGE},       {"chat.deleted", K_MESSAGE},
        {"flag.raised", K_FLAG},          {"flag.updated", K_FLAG},
        {"notification.created", K_NOTE}, {"notification.updated", K_NOTE},
        {"request.created", K_REQUEST},   {"request.decided", K_REQUEST},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(type, kinds[i].type) == 0)
            return kinds[i].kind;
    return K_PLAIN;
}

static const char *key_of(int kind)
{
    switch (kind) {
    case K_ITEM:
    case K_ITEM_GONE:
        return "item";
    case K_ACTION:
        return "action";
    case K_MESSAGE:
        return "message";
    case K_FLAG:
        return "flag";
    case K_NOTE:
        return "notification";
    case K_REQUEST:
        return "request";
    default:
        return NULL;
    }
}

/* The id of what data is about: data[key] as an object with "id" (also the old, full form) or
 * as a plain id. */
static int64_t id_in(json_t *data, const char *key)
{
    json_t *x = key ? json_object_get(data, key) : NULL;
    return json_is_object(x) ? json_integer_value(json_object_get(x, "id")) : json_integer_value(x);
}

json_t *kt_render_stored(const char *type, json_t *data)
{
    int kind = kind_of(type);
    if (kind != K_ITEM && kind != K_ACTION && kind != K_MESSAGE && kind != K_FLAG &&
        kind != K_NOTE && kind != K_REQUEST)
        return json_incref(data);
    const char *key = key_of(kind);
    json_t *out = json_pack("{s:{s:I}}", key, "id", (json_int_t)id_in(data, key));
    if (out && kind == K_ACTION) { /* not part of the action: said once, at the change */
        json_object_set(out, "assigned", json_object_get(data, "assigned"));
        /* for telling the owner of a change by someone else (feed/notify.c); never sent */
        static const char *const told[] = {"changed_for", "changed_for_org", "change"};
        for (size_t i = 0; i < sizeof told / sizeof told[0]; i++)
            if (json_object_get(data, told[i]))
                json_object_set(out, told[i], json_object_get(data, told[i]));
    }
    if (out && kind == K_ITEM && json_is_string(json_object_get(data, "carried")))
        json_object_set(out, "carried", json_object_get(data, "carried")); /* how it came */
    return out;
}

/* ---- resolving: what the event is about, as it is now ---- */

static json_t *action_data(kt_store *st, kt_event *ev, int64_t id, int *rc)
{
    json_t *a = NULL;
    if (kt_store_action_get(st, id, &a) == KT_ESTORE)
        *rc = KT_ESTORE;
    if (!a || json_integer_value(json_object_get(a, "body")) != ev->body)
        return json_decref(a), NULL;
    *rc = kt_under_item_vis(st, json_integer_value(json_object_get(a, "item")), &ev->aud);
    json_t *stored = json_loads(ev->payload, 0, NULL);
    json_t *d = json_pack("{s:o, s:O}", "action", a, "assigned",
                          json_is_boolean(json_object_get(stored, "assigned"))
                              ? json_object_get(stored, "assigned")
                              : json_false());
    json_decref(stored);
    return d;
}

static json_t *message_data(kt_store *st, kt_event *ev, int64_t id, int *rc)
{
    json_t *m = NULL;
    if (kt_store_message_get(st, id, &m) == KT_ESTORE)
        *rc = KT_ESTORE;
    if (!m || json_integer_value(json_object_get(m, "body")) != ev->body)
        return json_decref(m), NULL;
    json_object_set_new(
        m, "mentions",
        kt_chat_mentions(st, ev->body, json_string_value(json_object_get(m, "text"))));
    *rc = kt_under_item_vis(st, json_integer_value(json_object_get(m, "item")), &ev->aud);
    return json_pack("{s:o}", "message", m);
}

static json_t *item_data(kt_store *st, kt_event *ev, int64_t id, int *rc)
{
    json_t *it = kt_item_json(st, id);
    if (!it || json_integer_value(json_object_get(it, "body")) != ev->body)
        return json_decref(it), NULL;
    *rc = kt_item_vis_load(st, id, &ev->aud);
    json_t *d = json_pack("{s:o}", "item", it);
    json_t *stored = json_loads(ev->payload, 0, NULL);
    json_t *carried = json_object_get(stored, "carried");
    if (d && json_is_string(carried))
        json_object_set(d, "carried", carried);
    json_decref(stored);
    return d;
}

/* A request in the body it was made to; its audience (domain/model.h, kt_request_vis) as it
 * is now. */
static json_t *request_data(kt_store *st, kt_event *ev, int64_t id, int *rc)
{
    json_t *r = NULL;
    if (kt_store_agenda_request_get(st, id, &r) == KT_ESTORE)
        *rc = KT_ESTORE;
    if (!r || json_integer_value(json_object_get(r, "body")) != ev->body)
        return json_decref(r), NULL;
    kt_vis_clear(&ev->aud);
    *rc = kt_request_vis(st, r, &ev->aud);
    return json_pack("{s:o}", "request", r);
}

/* Loads what ev is about (once per event object). 0, or a KT_E* when the store failed. */
static int resolve(kt_store *st, kt_event *ev)
{
    if (ev->resolved)
        return ev->resolve_rc;
    ev->resolved = true;
    ev->kind = kind_of(ev->type);
    json_t *stored = json_loads(ev->payload, 0, NULL);
    ev->about = id_in(stored, key_of(ev->kind));
    json_decref(stored);
    int rc = 0;
    json_t *full = NULL;
    switch (ev->kind) {
    case K_ITEM:
        full = ev->about ? item_data(st, ev, ev->about, &rc) : NULL;
        break;
    case K_ACTION:
        full = ev->about ? action_data(st, ev, ev->about, &rc) : NULL;
        break;
    case K_MESSAGE:
        full = ev->about ? message_data(st, ev, ev->about, &rc) : NULL;
        break;
    case K_FLAG:
        full = ev->about ? kt_flag_json(st, ev->about, ev->body) : NULL;
        if (full)
            full = json_pack("{s:o}", "flag", full);
        break;
    case K_REQUEST:
        full = ev->about ? request_data(st, ev, ev->about, &rc) : NULL;
        break;
    case K_NOTE:
        if (ev->about && kt_notification_visible(st, -ev->body, ev->about)) {
            json_t *n = kt_notification_json(st, ev->about);
            full = n ? json_pack("{s:o}", "notification", n) : NULL;
        }
        break;
    default:
        full = json_loads(ev->payload, 0, NULL);
        if (!full)
            full = json_object();
        /* Any other event that names an item (minutes.noted, and whatever comes) is about
         * what hangs under that item: seen by its audience as it is now, by nobody once the
         * item is gone. */
        if (ev->kind == K_PLAIN && ev->vis.item) {
            rc = kt_item_vis_load(st, ev->vis.item, &ev->aud);
            ev->aud.under = true;
        }
        break;
    }
    if (rc == KT_ENOTFOUND) { /* what it hangs under went meanwhile */
        rc = 0;
        json_decref(full);
        full = NULL;
    }
    ev->resolve_rc = rc;
    if (!rc) {
        json_decref(ev->full);
        ev->full = full;
    } else {
        json_decref(full);
        kt_warn("event not readable", "body=%lld seq=%lld rc=%d", (long long)ev->body,
                (long long)ev->seq, rc);
    }
    return rc;
}

void kt_render_known(kt_event *ev, json_t *full, kt_vis *aud)
{
    kt_render_forget(ev);
    ev->kind = kind_of(ev->type);
    ev->about = id_in(full, key_of(ev->kind)); /* full has the object with its id */
    ev->resolved = true;
    ev->resolve_rc = 0;
    ev->full = full;
    ev->aud = *aud;
    *aud = (kt_vis){0};
}

void kt_render_forget(kt_event *ev)
{
    ev->resolved = false;
    ev->resolve_rc = 0;
    json_decref(ev->full);
    ev->full = NULL;
    kt_vis_clear(&ev->aud);
    kt_frame **frames[] = {&ev->f_full, &ev->f_placeholder, &ev->f_hidden,
                           &ev->f_skip, &ev->f_guest,       &ev->t_full};
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        kt_frame_unref(*frames[i]);
        *frames[i] = NULL;
    }
}

json_t *kt_render_full(kt_store *st, kt_event *ev)
{
    return resolve(st, ev) ? NULL : ev->full;
}

kt_frame *kt_render_text_of(kt_event *ev, const json_t *data)
{
    if (!data || !ev->resolved || ev->resolve_rc || ev->full != data)
        return NULL;
    if (!ev->t_full)
        ev->t_full = kt_frame_from_json(ev->full);
    return ev->t_full;
}

/* ---- frames ---- */

static kt_frame *make_frame(kt_event *ev, const char *type, json_t *data, bool with_actor)
{
    json_t *j = json_pack("{s:s, s:I, s:I, s:o}", "event", type, "body", (json_int_t)ev->body,
                          "seq", (json_int_t)ev->seq, "actor",
                          with_actor && ev->actor ? json_integer(ev->actor) : json_null());
    /* The full data is serialised once, for every frame and reply that carries it. */
    kt_frame *text = kt_render_text_of(ev, data);
    kt_frame *f = NULL;
    if (j && text)
        f = kt_frame_with_member(j, "data", text);
    else if (j && !json_object_set_new(j, "data", data ? json_incref(data) : json_object()))
        f = kt_frame_from_json(j);
    json_decref(j);
    return f;
}

static kt_frame *cached(kt_frame **slot, kt_frame *made)
{
    if (!*slot)
        *slot = made;
    else
        kt_frame_unref(made);
    return *slot;
}

static kt_frame *skip_frame(kt_event *ev)
{
    if (ev->f_skip)
        return ev->f_skip;
    json_t *empty = json_object();
    kt_frame *f = make_frame(ev, "stream.skipped", empty, false);
    json_decref(empty);
    return cached(&ev->f_skip, f);
}

kt_frame *kt_render_skipped(int64_t body, int64_t seq)
{
    json_t *j = json_pack("{s:s, s:I, s:I, s:n, s:{}}", "event", "stream.skipped", "body",
                          (json_int_t)body, "seq", (json_int_t)seq, "actor", "data");
    kt_frame *f = j ? kt_frame_from_json(j) : NULL;
    json_decref(j);
    return f;
}

static kt_frame *full_frame(kt_event *ev)
{
    if (ev->f_full)
        return ev->f_full;
    return cached(&ev->f_full, make_frame(ev, ev->type, ev->full, true));
}

static kt_frame *placeholder_frame(kt_event *ev)
{
    if (ev->f_placeholder)
        return ev->f_placeholder;
    json_t *data =
        json_pack("{s:o}", "item", kt_item_placeholder(json_object_get(ev->full, "item")));
    kt_frame *f = make_frame(ev, ev->type, data, false);
    json_decref(data);
    return cached(&ev->f_placeholder, f);
}

static kt_frame *hidden_frame(kt_event *ev)
{
    if (ev->f_hidden)
        return ev->f_hidden;
    json_t *data =
        json_pack("{s:I, s:I}", "item", (json_int_t)ev->about, "body", (json_int_t)ev->body);
    kt_frame *f = make_frame(ev, "agenda.hidden", data, false);
    json_decref(data);
    return cached(&ev->f_hidden, f);
}

static bool guest_has(const kt_viewer *v, int64_t item)
{
    for (int i = 0; i < v->n_items; i++)
        if (v->items[i] == item)
            return true;
    return false;
}

/* The positions of a list (a meeting's agenda, else body's backlog) as a guest limited to items
 * sees it, numbered 1..n over their own items (kt_store_items_list): the true positions would
 * show where the items they may not see are. NULL on failure. */
static json_t *guest_list(kt_store *st, int64_t body, int64_t meeting, const kt_viewer *v)
{
    json_t *list = json_array();
    if (list && kt_store_items_list(st, body, meeting, v, list)) {
        json_decref(list);
        return NULL;
    }
    return list;
}

/* item's position in list (guest_list), or NULL. */
static json_t *guest_position(json_t *list, int64_t item)
{
    json_t *x;
    size_t i;
    json_array_foreach(list, i, x) if (json_integer_value(json_object_get(x, "id")) ==
                                       item) return json_object_get(x, "position");
    return NULL;
}

/* A guest limited to items gets their own item with its position as they see it: a frame of
 * its own. */
static kt_frame *item_for_guest(kt_store *st, kt_event *ev, const kt_viewer *v)
{
    json_t *item = json_object_get(ev->full, "item");
    kt_frame *whole = full_frame(ev);
    if (!whole || !json_object_get(item, "position"))
        return whole ? kt_frame_ref(whole) : NULL;
    json_t *list = guest_list(st, json_integer_value(json_object_get(item, "body")),
                              json_integer_value(json_object_get(item, "meeting")), v);
    json_t *pos = list ? guest_position(list, ev->about) : NULL;
    if (!pos) {
        json_decref(list);
        return list ? kt_frame_ref(whole) : NULL;
    }
    json_t *data = json_deep_copy(ev->full);
    json_object_set(json_object_get(data, "item"), "position", pos);
    json_decref(list);
    kt_frame *f = make_frame(ev, ev->type, data, true);
    json_decref(data);
    return f;
}

/* A guest limited to items gets the positions of their own items only, as they see them: a
 * frame of its own. Which of them they may see now is decided once, by guest_list (the list as
 * they read it, kt_store_items_list): an item of theirs they may not see has no position there. */
static kt_frame *order_for_guest(kt_store *st, kt_event *ev, const kt_viewer *v)
{
    json_t *order = json_array(), *x;
    json_t *list = NULL;
    size_t i;
    json_array_foreach(json_object_get(ev->full, "order"), i, x)
    {
        int64_t id = json_integer_value(json_object_get(x, "id"));
        if (!guest_has(v, id))
            continue;
        if (!list)
            list = guest_list(st, json_integer_value(json_object_get(ev->full, "body")),
                              json_integer_value(json_object_get(ev->full, "meeting")), v);
        json_t *pos = guest_position(list, id);
        if (pos)
            json_array_append_new(order,
                                  json_pack("{s:I, s:O}", "id", (json_int_t)id, "position", pos));
    }
    /* A shift names true positions, which the guest may not know: instead they get every item
     * of theirs in the list, as they number it (few: a guest's own items). */
    if (json_array_size(json_object_get(ev->full, "shifts"))) {
        if (!list)
            list = guest_list(st, json_integer_value(json_object_get(ev->full, "body")),
                              json_integer_value(json_object_get(ev->full, "meeting")), v);
        json_t *y;
        size_t k;
        json_array_foreach(list, i, x)
        {
            int64_t id = json_integer_value(json_object_get(x, "id"));
            bool listed = false;
            json_array_foreach(order, k, y) listed =
                listed || json_integer_value(json_object_get(y, "id")) == id;
            if (!listed && guest_has(v, id))
                json_array_append_new(order, json_pack("{s:I, s:O}", "id", (json_int_t)id,
                                                       "position", json_object_get(x, "position")));
        }
    }
    json_decref(list);
    if (!json_array_size(order)) {
        json_decref(order);
        return kt_frame_ref(skip_frame(ev));
    }
    json_t *data = json_deep_copy(ev->full);
    json_object_del(data, "shifts");
    json_object_set_new(data, "order", order);
    kt_frame *f = make_frame(ev, ev->type, data, true);
    json_decref(data);
    return f;
}

/* The frame v gets (borrowed from ev), NULL on failure. */
static kt_frame *choose(kt_store *st, kt_event *ev, const kt_viewer *v)
{
    bool limited = v->n_items >= 0;
    switch (ev->kind) {
    case K_ITEM: {
        if (!ev->full)
            return skip_frame(ev);
        kt_sight s = kt_acl_sight(v, &ev->aud);
        if (s == KT_SIGHT_FULL)
            return full_frame(ev);
        if (s == KT_SIGHT_PLACEHOLDER)
            return placeholder_frame(ev);
        /* A guest's own item they may no longer see: they knew it, they drop it. */
        return v->role != KT_ROLE_NONE && limited && guest_has(v, ev->about) ? hidden_frame(ev)
                                                                             : skip_frame(ev);
    }
    case K_ITEM_GONE:
        /* Members knew the item (at least as a placeholder); a guest only their own. */
        if (!kt_acl_visible(v, NULL) || (limited && !guest_has(v, ev->about)))
            return skip_frame(ev);
        return full_frame(ev);
    case K_ORDER:
        if (!kt_acl_visible(v, NULL))
            return skip_frame(ev);
        return limited ? NULL : full_frame(ev); /* guests: order_for_guest */
    case K_ACTION:
    case K_MESSAGE:
        return ev->full && kt_acl_visible(v, &ev->aud) ? full_frame(ev) : skip_frame(ev);
    case K_FLAG:
        return ev->full && kt_flag_visible(st, ev->about, ev->body, v) ? full_frame(ev)
                                                                       : skip_frame(ev);
    case K_NOTE:
        return ev->full && kt_acl_visible(v, &ev->vis) ? full_frame(ev) : skip_frame(ev);
    case K_REQUEST:
        return ev->full && kt_acl_visible(v, &ev->aud) ? full_frame(ev) : skip_frame(ev);
    default:
        if (ev->kind == K_PLAIN && ev->vis.item) /* about an item: its audience decides */
            return ev->full && kt_acl_visible(v, &ev->aud) ? full_frame(ev) : skip_frame(ev);
        return kt_acl_visible(v, &ev->vis) ? full_frame(ev) : skip_frame(ev);
    }
}

kt_frame *kt_render_frame(kt_store *st, kt_event *ev, const kt_viewer *viewer)
{
    if (resolve(st, ev))
        return NULL;
    /* limited to items: a member (auth/viewer.c gives a non-member no items, n_items -1) */
    bool guest = viewer->n_items >= 0;
    if ((ev->kind == K_ORDER && guest) || (ev->kind == K_ITEM && guest && ev->full &&
                                           kt_acl_sight(viewer, &ev->aud) == KT_SIGHT_FULL)) {
        kt_frame *f =
            ev->kind == K_ORDER ? order_for_guest(st, ev, viewer) : item_for_guest(st, ev, viewer);
        if (f) { /* per viewer: kept on the event until the next one of its kind */
            kt_frame_unref(ev->f_guest);
            ev->f_guest = f;
        }
        return f;
    }
    return choose(st, ev, viewer);
}

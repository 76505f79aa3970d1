#include "domain/audit.h"

#include "domain/model.h"
#include "store/audit.h"
#include "store/items.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

enum shape {
    S_OBJECT, /* data[key] is the record as it is after the change */
    S_GONE,   /* the record went: data names it */
    S_NOTES,  /* minutes.noted: the notes of data["item"] */
    S_RAW,    /* a step of the verslag: the data itself */
};

static const struct {
    const char *type, *kind, *key;
    enum shape shape;
} audited[] = {
    {"action.created", "action", "action", S_OBJECT},
    {"action.updated", "action", "action", S_OBJECT},
    {"agenda.added", "item", "item", S_OBJECT},
    {"agenda.updated", "item", "item", S_OBJECT},
    {"agenda.removed", "item", "item", S_GONE},
    {"meeting.created", "meeting", "meeting", S_OBJECT},
    {"meeting.updated", "meeting", "meeting", S_OBJECT},
    {"membership.added", "membership", "membership", S_OBJECT},
    {"membership.updated", "membership", "membership", S_OBJECT},
    {"membership.removed", "membership", "person", S_GONE},
    {"minutes.noted", "notes", "item", S_NOTES},
    {"minutes.submitted", "minutes", "meeting", S_RAW},
    {"minutes.approved", "minutes", "meeting", S_RAW},
    {"attendance.updated", "attendance", "attendance", S_OBJECT},
    {"attendance.removed", "attendance", "line", S_GONE},
    {"minutes.amended", "amendment", "amendment", S_OBJECT},
    {"minutes.withdrawn", "amendment", "amendment", S_OBJECT},
    /* recorded by the ops themselves (no event of their own says it whole): */
    {"amendment.decided", "amendment", "amendment", S_OBJECT}, /* minutes.approve */
    {"agenda.reorder", "agenda", "meeting", S_RAW},            /* agenda.reorder, a meeting */
    {"backlog.reorder", "backlog", "body", S_RAW},             /* agenda.reorder, the backlog */
};

/* Not part of what a record says (derived, positional or a name that an erasure must be able
 * to remove): left out of the state kept and of what changed. */
static bool noise(const char *key)
{
    static const char *const keys[] = {"updated_at",  "created_at",   "version",    "position",
                                       "name",        "email",        "function",   "seq",
                                       "placeholder", "item_meeting", "item_title", "updated_by"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i]) == 0)
            return true;
    size_t n = strlen(key);
    return n > 5 && strcmp(key + n - 5, "_name") == 0;
}

/* record without the noise, at every depth (a name inside a list of persons too). */
static json_t *state_of(json_t *record)
{
    if (json_is_array(record)) {
        json_t *out = json_array(), *v;
        size_t i;
        json_array_foreach(record, i, v) json_array_append_new(out, state_of(v));
        return out;
    }
    if (!json_is_object(record))
        return json_incref(record);
    json_t *out = json_object(), *v;
    const char *k;
    json_object_foreach(record, k, v) if (!noise(k)) json_object_set_new(out, k, state_of(v));
    return out;
}

/* Fields of after that differ from before, as [{field, before, after}], by field name; a field
 * that after does not have keeps before's value (an event that does not carry it changed it
 * not) and is copied into after. */
static json_t *changes_between(json_t *before, json_t *after)
{
    json_t *out = json_array(), *v;
    const char *k;
    if (after && before)
        json_object_foreach(before, k, v) if (!json_object_get(after, k))
            json_object_set(after, k, v);
    json_t *keys = json_array();
    if (after)
        json_object_foreach(after, k, v) json_array_append_new(keys, json_string(k));
    if (before)
        json_object_foreach(before, k, v) if (!after || !json_object_get(after, k))
            json_array_append_new(keys, json_string(k));
    size_t i;
    json_t *key;
    json_array_foreach(keys, i, key)
    {
        const char *name = json_string_value(key);
        json_t *b = before ? json_object_get(before, name) : NULL;
        json_t *a = after ? json_object_get(after, name) : NULL;
        if (b && a && json_equal(a, b))
            continue;
        if (!b && !a)
            continue;
        json_array_append_new(out, json_pack("{s:s, s:O, s:O}", "field", name, "before",
                                             b ? b : json_null(), "after", a ? a : json_null()));
    }
    json_decref(keys);
    return out;
}

static int64_t id_of(json_t *x)
{
    return json_is_object(x) ? json_integer_value(json_object_get(x, "id")) : json_integer_value(x);
}

int kt_audit_event(kt_ctx *c, int64_t body, const char *type, json_t *data)
{
    size_t i = 0, n = sizeof audited / sizeof audited[0];
    while (i < n && strcmp(audited[i].type, type) != 0)
        i++;
    if (i == n || body <= 0 || !data)
        return 0;
    const char *kind = audited[i].kind;
    json_t *x = json_object_get(data, audited[i].key);
    int64_t subject = 0, item = 0;
    json_t *after = NULL;
    const char *title = NULL;
    switch (audited[i].shape) {
    case S_OBJECT:
        if (strcmp(kind, "membership") == 0)
            subject = json_integer_value(json_object_get(x, "person"));
        else
            subject = id_of(x);
        after = state_of(x);
        if (strcmp(kind, "action") == 0) {
            item = json_integer_value(json_object_get(x, "item"));
            title = json_string_value(json_object_get(x, "text"));
        } else if (strcmp(kind, "item") == 0) {
            item = subject;
            title = json_string_value(json_object_get(x, "title"));
        } else if (strcmp(kind, "amendment") == 0) {
            item = json_integer_value(json_object_get(x, "item"));
            title = json_string_value(json_object_get(x, "text"));
        } else if (strcmp(kind, "meeting") == 0) {
            title = json_string_value(json_object_get(x, "start"));
            if (json_is_string(json_object_get(data, "minutes"))) /* the verslag's text */
                json_object_set(after, "minutes", json_object_get(data, "minutes"));
        }
        break;
    case S_GONE:
        subject = id_of(x);
        if (strcmp(kind, "item") == 0)
            item = subject;
        break;
    case S_NOTES:
        subject = item = id_of(x);
        after = json_pack("{s:O}", "text",
                          json_object_get(json_object_get(data, "notes"), "text")
                              ? json_object_get(json_object_get(data, "notes"), "text")
                              : json_null());
        break;
    case S_RAW:
        subject = id_of(x);
        after = json_deep_copy(data);
        json_object_del(after, audited[i].key);
        break;
    }
    if (!subject) {
        json_decref(after);
        return 0;
    }
    /* A record that was just made has no entry before (ids are never given again); a member
     * added again starts afresh. Saves a lookup per new record (the demo data, imports). */
    bool made = strcmp(type, "action.created") == 0 || strcmp(type, "agenda.added") == 0 ||
                strcmp(type, "meeting.created") == 0 || strcmp(type, "membership.added") == 0;
    json_t *prev = NULL;
    int rc = made ? 0 : kt_store_audit_last_detail(c->st, body, kind, subject, &prev);
    if (rc) {
        json_decref(after);
        return rc;
    }
    json_t *before = json_object_get(prev, "after");
    if (!json_is_object(before))
        before = NULL;
    /* Whether an item was confidential: kept so that entries about an item that is gone are
     * shown to nobody if it was (its audience went with it). */
    bool confidential = json_is_true(json_object_get(after, "confidential"));
    if (!after && strcmp(kind, "item") == 0)
        confidential = !prev || json_is_true(json_object_get(prev, "confidential"));
    if (!title && prev)
        title = json_string_value(json_object_get(prev, "title"));
    /* The first entry of a record changes every field of it from nothing: its changes are not
     * stored, being its state after over again (for a new item, half the entry and most of the
     * write's cost); kt_audit_public() gives them back when it is read. */
    json_t *changes = audited[i].shape == S_RAW ? json_array()
                      : prev                    ? changes_between(before, after)
                                                : NULL;
    json_t *detail =
        json_pack("{s:o, s:b, s:s?, s:o, s:o*, s:b}", "item",
                  item ? json_integer(item) : json_null(), "confidential", confidential, "title",
                  title, "after", after ? after : json_null(), "changes", changes, "first", !prev);
    if (audited[i].shape == S_RAW)
        json_object_set(detail, "step", json_object_get(detail, "after"));
    if (detail && strcmp(kind, "attendance") == 0 &&
        json_is_integer(json_object_get(data, "meeting")))
        /* the meeting's history finds its lines by this, also a line removed since */
        json_object_set(detail, "meeting", json_object_get(data, "meeting"));
    kt_audit_entry e = {.at = kt_now(),
                        .actor = c->me ? c->me->person : 0,
                        .body = body,
                        .subject = subject,
                        .action = type,
                        .subject_kind = kind,
                        .detail = detail};
    rc = detail ? kt_store_audit_append(c->st, &e, NULL) : KT_ENOMEM;
    json_decref(detail);
    json_decref(prev);
    return rc;
}

int kt_audit_visible(kt_store *st, int64_t body, const kt_viewer *v, json_t *e, bool *ok,
                     bool *redact)
{
    *ok = false;
    *redact = false;
    if (v->role == KT_ROLE_NONE) /* a body's log is its members' */
        return 0;
    const char *kind = json_string_value(json_object_get(e, "subject_kind"));
    json_t *detail = json_object_get(e, "detail");
    int64_t item = json_integer_value(json_object_get(detail, "item"));
    kt_vis vis;
    int rc;
    if (kind && strcmp(kind, "action") == 0) {
        /* an action is seen by who may see its item as it is now */
        rc = kt_under_item_vis(st, item, &vis);
        if (rc)
            return rc;
        *ok = kt_acl_visible(v, &vis);
        kt_vis_clear(&vis);
        return 0;
    }
    if (!item) { /* meetings, memberships, the verslag's steps: the body's members (above) */
        *ok = true;
        return 0;
    }
    int64_t where = 0, meeting = 0;
    rc = kt_store_item_place(st, item, &where, &meeting);
    if (rc == KT_ENOTFOUND) {
        /* Gone: nothing of what it said is read any more (as in a replay), but the members see
         * that it was there and who changed or removed it when; a confidential one: nobody. */
        *redact = true;
        json_t *last = NULL; /* the entry of its removal: was it confidential then */
        if ((rc = kt_store_audit_last_detail(st, body, "item", item, &last)))
            return rc;
        *ok = last && !json_is_true(json_object_get(last, "confidential")) && v->n_items < 0;
        json_decref(last);
        return 0;
    }
    if (rc)
        return rc;
    if (where != body) /* moved to another body: told there, not here */
        return 0;
    if ((rc = kt_item_vis_load(st, item, &vis)))
        return rc == KT_ENOTFOUND ? 0 : rc;
    if (kind && (strcmp(kind, "notes") == 0 || strcmp(kind, "amendment") == 0))
        vis.under = true;
    *ok = kt_acl_visible(v, &vis); /* the whole item: a placeholder shows nothing of it */
    kt_vis_clear(&vis);
    return 0;
}

/* The ids of list (a JSON array of item ids; anything else as it is) that v may see as they are
 * now: whole, or (places) also as a placeholder. A new reference. */
static json_t *seen_ids(kt_store *st, const kt_viewer *v, json_t *list, bool places)
{
    if (!json_is_array(list))
        return json_incref(list);
    json_t *out = json_array(), *x;
    size_t i;
    json_array_foreach(list, i, x)
    {
        kt_vis vis;
        if (!json_is_integer(x) || kt_item_vis_load(st, json_integer_value(x), &vis))
            continue; /* gone: nothing to show */
        kt_sight sight = kt_acl_sight(v, &vis);
        if (sight == KT_SIGHT_FULL || (places && sight == KT_SIGHT_PLACEHOLDER))
            json_array_append(out, x);
        kt_vis_clear(&vis);
    }
    return out;
}

static bool is_items(json_t *change)
{
    const char *f = json_string_value(json_object_get(change, "field"));
    return f && strcmp(f, "items") == 0;
}

/* d (a detail, owned) with the item ids in it that v may not see left out: a guest's limit in
 * a membership's entry, the order of an agenda. */
static json_t *seen_detail(kt_store *st, const kt_viewer *v, json_t *d)
{
    json_t *changes = json_object_get(d, "changes"), *ch;
    json_t *step = json_object_get(d, "step");
    bool has_items = false;
    size_t i;
    json_array_foreach(changes, i, ch) has_items = has_items || is_items(ch);
    if (!has_items && !json_object_get(step, "order"))
        return d;
    json_t *out = json_deep_copy(d);
    json_decref(d);
    json_array_foreach(json_object_get(out, "changes"), i, ch)
    {
        if (!is_items(ch))
            continue;
        /* whom a guest may see an item with is part of that item: whole sight only */
        json_object_set_new(ch, "before", seen_ids(st, v, json_object_get(ch, "before"), false));
        json_object_set_new(ch, "after", seen_ids(st, v, json_object_get(ch, "after"), false));
    }
    step = json_object_get(out, "step");
    if (json_object_get(step, "order"))
        json_object_set_new(step, "order", /* placeholders keep their places, as in the agenda */
                            seen_ids(st, v, json_object_get(step, "order"), true));
    return out;
}

/* d (owned) with the changes of a first entry, which are not stored (kt_audit_event): every
 * field of its state after, from null, in its order - as changes_between() would have had them. */
static json_t *first_changes(json_t *d)
{
    json_t *after = json_object_get(d, "after");
    if (json_object_get(d, "changes") || !json_is_true(json_object_get(d, "first")))
        return d;
    json_t *out = json_copy(d), *changes = json_array(), *v;
    json_decref(d);
    const char *k;
    if (json_is_object(after))
        json_object_foreach(after, k, v) json_array_append_new(
            changes, json_pack("{s:s, s:n, s:O}", "field", k, "before", "after", v));
    json_object_set_new(out, "changes", changes);
    return out;
}

json_t *kt_audit_public(kt_store *st, const kt_viewer *v, json_t *e, bool redact)
{
    json_t *d = json_object_get(e, "detail");
    if (redact) /* only that it happened, by whom and when */
        d = json_pack("{s:O}", "item", json_object_get(d, "item"));
    else
        d = seen_detail(st, v, first_changes(json_incref(d)));
    json_t *changes = json_object_get(d, "changes");
    json_t *out = json_pack(
        "{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:o, s:b}", "id", json_object_get(e, "id"),
        "at", json_object_get(e, "at"), "actor", json_object_get(e, "actor"), "actor_name",
        json_object_get(e, "actor_name"), "action", json_object_get(e, "action"), "subject_kind",
        json_object_get(e, "subject_kind"), "subject", json_object_get(e, "subject"), "item",
        json_object_get(d, "item") ? json_object_get(d, "item") : json_null(), "title",
        json_object_get(d, "title") ? json_object_get(d, "title") : json_null(), "changes",
        changes ? json_incref(changes) : json_array(), "first",
        json_is_true(json_object_get(d, "first")));
    if (out && json_object_get(d, "step"))
        json_object_set(out, "step", json_object_get(d, "step"));
    json_decref(d);
    return out;
}

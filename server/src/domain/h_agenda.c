/* Agenda items: on a meeting's agenda or in the body's backlog ("te agenderen").
 *
 * Positions are dense (1..n) per list, the same for every viewer: a member outside a
 * confidential item's audience sees it as a placeholder in its place ("besloten punt"), a guest
 * limited to items sees their own items at their true positions and nothing else. An op that
 * changes the order computes the new order of the whole list, writes only the positions that
 * changed and announces them in one agenda.reordered event. Who sees what of an event is decided
 * when it is sent (live/render.h): an item whose audience changed is one agenda.updated, seen
 * whole by its new audience and as a placeholder by the other members. */
#include "domain/audit.h"
#include "domain/carry.h"
#include "domain/handlers.h"
#include "domain/model.h"
#include "store/directory.h"
#include "store/items.h"
#include "store/meetings.h"
#include "store/memberships.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>

typedef kt_item_slot slot;

typedef struct list {
    int64_t meeting; /* 0: backlog */
    slot *v;
    int n;
} list;

static void list_free(list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static int list_load(kt_ctx *c, int64_t meeting, list *l)
{
    l->meeting = meeting;
    int rc = kt_store_item_slots(c->st, c->body, meeting, &l->v, &l->n);
    return rc ? kt_fail_err(c, rc) : 0;
}

static int list_index(const list *l, int64_t id)
{
    for (int i = 0; i < l->n; i++)
        if (l->v[i].id == id)
            return i;
    return -1;
}

static void list_remove(list *l, int64_t id)
{
    int i = list_index(l, id);
    if (i < 0)
        return;
    memmove(&l->v[i], &l->v[i + 1], (size_t)(l->n - i - 1) * sizeof *l->v);
    l->n--;
}

/* Inserts s at 1-based position pos (clamped to the end). l->v must have room for one more. */
static int list_insert(kt_ctx *c, list *l, slot s, int64_t pos)
{
    slot *v = realloc(l->v, (size_t)(l->n + 1) * sizeof *v);
    if (!v)
        return kt_fail_err(c, KT_ENOMEM);
    l->v = v;
    int at = pos < 1 || pos > l->n ? l->n : (int)pos - 1;
    memmove(&l->v[at + 1], &l->v[at], (size_t)(l->n - at) * sizeof *l->v);
    l->v[at] = s;
    l->n++;
    return 0;
}

static int emit_item(kt_ctx *c, const char *type, int64_t item, json_t **out)
{
    kt_touch_item(c, item);
    json_t *j = NULL;
    kt_vis vis;
    int rc = kt_store_item_get(c->st, item, &j);
    if (!rc && (rc = kt_store_item_vis(c->st, item, &vis)))
        json_decref(j);
    if (rc)
        return kt_fail_err(c, rc);
    rc = kt_emit(c, c->body, type, &vis, json_pack("{s:O}", "item", j));
    kt_vis_clear(&vis);
    if (rc || !out)
        json_decref(j);
    else
        *out = j;
    return rc;
}

/* Writes positions 1..n for l and announces the changes (except for item skip, whose full event
 * the caller emits). */
static int list_store_order(kt_ctx *c, list *l, int64_t skip, json_t **changed);
static int list_store(kt_ctx *c, list *l, int64_t skip)
{
    return list_store_order(c, l, skip, NULL);
}

/* agenda.reordered names each change {id, position} while there are at most ORDER_MAX of them.
 * Beyond that (an item added, removed or moved at the top of a backlog of 40,000 shifts every
 * item after it: 30 bytes each would be a frame over 1 MiB), a run of at least SHIFT_MIN items
 * in a row that all moved by the same step is one {from, to, by} in "shifts": the items now at
 * positions from..to, each moved by `by`. No other op changes more than ORDER_MAX positions but
 * one-step shifts (agenda.reorder with items moves at most 1000 items the caller sees; the rest
 * keep their slots), so the event stays small whatever the list's length (PROTOCOL.md). */
#define ORDER_MAX 1000
#define SHIFT_MIN 16

typedef struct change {
    int64_t id, pos, by;
} change;

/* The length of the run of changes from ch[k]: items in a row that all moved by the same step. */
static int run_at(const change *ch, int n, int k)
{
    int run = 1;
    while (k + run < n && ch[k + run].pos == ch[k].pos + run && ch[k + run].by == ch[k].by)
        run++;
    return run;
}

/* Appends the changes ch[0..n) to order and shifts (see ORDER_MAX). */
static void order_json(const change *ch, int n, json_t *order, json_t *shifts)
{
    for (int k = 0; k < n;) {
        int run = n > ORDER_MAX ? run_at(ch, n, k) : 1;
        if (run >= SHIFT_MIN) {
            json_array_append_new(
                shifts, json_pack("{s:I, s:I, s:I}", "from", (json_int_t)ch[k].pos, "to",
                                  (json_int_t)(ch[k].pos + run - 1), "by", (json_int_t)ch[k].by));
            k += run;
            continue;
        }
        for (int e = k + run; k < e; k++)
            json_array_append_new(order, json_pack("{s:I, s:I}", "id", (json_int_t)ch[k].id,
                                                   "position", (json_int_t)ch[k].pos));
    }
}

static int cmp_pos(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

/* Whether the positions l holds (before the change) are positive and each held once: then a
 * run's old positions (a range, every one of them held by the run) hold no other item, and one
 * statement can move them. */
static bool list_distinct(const list *l)
{
    int64_t *p = malloc(((size_t)l->n + 1) * sizeof *p);
    bool ok = p != NULL;
    for (int i = 0; ok && i < l->n; i++)
        ok = (p[i] = l->v[i].pos) >= 1;
    if (ok)
        qsort(p, (size_t)l->n, sizeof *p, cmp_pos);
    for (int i = 1; ok && i < l->n; i++)
        ok = p[i] != p[i - 1];
    free(p);
    return ok;
}

/* Writes the changes ch[0..n) of l: each run of SHIFT_MIN or more in one statement (an item
 * added at the top of a backlog of 40,000 moves all of them), then the others one by one (by
 * id: after the shifts, so that no shift catches an item already at its new place). */
static int write_changes(kt_ctx *c, const list *l, const change *ch, int n)
{
    bool runs = n >= SHIFT_MIN && list_distinct(l), parked = false;
    int rc = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; !rc && k < n;) {
            int run = runs ? run_at(ch, n, k) : 1;
            if (run >= SHIFT_MIN) {
                if (pass == 0)
                    rc = kt_store_items_shift(c->st, c->body, l->meeting, ch[k].pos - ch[k].by,
                                              ch[k].pos + run - 1 - ch[k].by, ch[k].by);
                parked = true;
                k += run;
                continue;
            }
            for (int e = k + run; !rc && k < e; k++)
                if (pass == 1)
                    rc = kt_store_item_set_position(c->st, ch[k].id, ch[k].pos, l->meeting);
        }
    if (!rc && parked)
        rc = kt_store_items_settle(c->st, c->body, l->meeting);
    return rc;
}

/* The same; *changed (when not NULL): a new reference to the changes announced, {order, shifts}. */
static int list_store_order(kt_ctx *c, list *l, int64_t skip, json_t **changed)
{
    change *ch = malloc(((size_t)l->n + 1) * sizeof *ch),
           *all = malloc(((size_t)l->n + 1) * sizeof *all);
    int n = 0, n_all = 0;
    if (!ch || !all) {
        free(ch);
        free(all);
        return kt_fail_err(c, KT_ENOMEM);
    }
    for (int i = 0; i < l->n; i++) {
        if (l->v[i].pos == i + 1)
            continue;
        change x = {.id = l->v[i].id, .pos = i + 1, .by = i + 1 - l->v[i].pos};
        all[n_all++] = x;
        if (l->v[i].id != skip)
            ch[n++] = x;
    }
    int rc = write_changes(c, l, all, n_all);
    free(all);
    if (rc) {
        free(ch);
        return kt_fail_err(c, rc);
    }
    for (int i = 0; i < l->n; i++)
        l->v[i].pos = i + 1;
    json_t *order = json_array(), *shifts = json_array();
    order_json(ch, n, order, shifts);
    free(ch);
    /* The detectors look again at the items named; a shift moved no content (and touching
     * 40,000 items, each once, would cost the square of that). */
    for (size_t k = 0; k < json_array_size(order); k++)
        kt_touch_item(c, json_integer_value(json_object_get(json_array_get(order, k), "id")));
    kt_vis wide = {.agenda_wide = true}; /* a limited guest gets the positions of their items */
    if (n) {
        json_t *data = json_pack("{s:o, s:I, s:O}", "meeting",
                                 l->meeting ? json_integer(l->meeting) : json_null(), "body",
                                 (json_int_t)c->body, "order", order);
        if (json_array_size(shifts))
            json_object_set(data, "shifts", shifts);
        rc = kt_emit(c, c->body, "agenda.reordered", &wide, data);
    }
    if (changed && !rc)
        *changed = json_pack("{s:o, s:o}", "order", order, "shifts", shifts);
    else
        json_decref(order), json_decref(shifts);
    return rc;
}

/* The meeting an item may go to: of this body and not cancelled. */
static int check_meeting(kt_ctx *c, int64_t meeting)
{
    if (!meeting)
        return 0;
    int64_t body = 0;
    char status[32];
    int rc = kt_store_meeting_state(c->st, meeting, &body, status, sizeof status);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Deze vergadering bestaat niet.");
    if (rc)
        return kt_fail_err(c, rc);
    if (body != c->body)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "Deze vergadering hoort bij een ander overleg.");
    if (strcmp(status, "geannuleerd") == 0)
        return kt_fail(c, KT_C_INVALID_STATE, "Deze vergadering is geannuleerd.");
    return 0;
}

/* A referenced row that must exist: 0, or -1 with not_found (or the store's error) recorded. */
static int must_exist(kt_ctx *c, int rc, const char *not_found, int64_t id)
{
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, not_found, (long long)id);
    return rc ? kt_fail_err(c, rc) : 0;
}

/* relevant: [{org, reason}], persons: [ids] -> replaces the item's lists. */
static int store_audience(kt_ctx *c, int64_t item)
{
    json_t *relevant = json_object_get(c->args, "relevant");
    json_t *persons = json_object_get(c->args, "persons");
    int rc;
    if (json_is_array(relevant)) {
        if ((rc = kt_store_item_orgs_clear(c->st, item)))
            return kt_fail_err(c, rc);
        size_t i;
        json_t *r;
        json_array_foreach(relevant, i, r)
        {
            json_t *org = json_object_get(r, "org"), *reason = json_object_get(r, "reason");
            if (!json_is_object(r) || !json_is_integer(org) ||
                (reason && !json_is_string(reason)) || json_object_size(r) > 2 ||
                (json_object_size(r) == 2 && !reason))
                return kt_fail(c, KT_C_INVALID_ARGUMENT,
                               "'relevant' is een lijst van {org, reason}.");
            if (reason && kt_utf8_length(json_string_value(reason)) > 500)
                return kt_fail(c, KT_C_INVALID_ARGUMENT, "Een reden is hoogstens 500 tekens.");
            int64_t o = json_integer_value(org);
            if (must_exist(c, kt_store_org_exists(c->st, o), "Organisatie %lld bestaat niet.", o))
                return -1;
            rc = kt_store_item_org_add(c->st, item, o, json_string_value(reason));
            if (rc == KT_ECONFLICT)
                return kt_fail(c, KT_C_INVALID_ARGUMENT,
                               "Een organisatie staat dubbel in 'relevant'.");
            if (rc)
                return kt_fail_err(c, rc);
        }
    }
    if (json_is_array(persons)) {
        if ((rc = kt_store_item_persons_clear(c->st, item)))
            return kt_fail_err(c, rc);
        size_t i;
        json_t *p;
        json_array_foreach(persons, i, p)
        {
            int64_t who = json_integer_value(p);
            if (must_exist(c, kt_store_person_exists(c->st, who, false),
                           "Persoon %lld bestaat niet.", who))
                return -1;
            if ((rc = kt_store_item_person_add(c->st, item, who)))
                return kt_fail_err(c, rc);
        }
    }
    return 0;
}

/* attachments: [{title, url}], links to documents (stukken). Only http(s) URLs: whatever the
 * client does with them, a javascript: or data: link never enters. Returns the JSON text to
 * store (malloc'd) or NULL after recording an error. */
static char *attachments_arg(kt_ctx *c)
{
    json_t *list = json_object_get(c->args, "attachments"), *a;
    size_t i;
    json_array_foreach(list, i, a)
    {
        json_t *title = json_object_get(a, "title"), *url = json_object_get(a, "url");
        if (!json_is_object(a) || json_object_size(a) != 2 || !json_is_string(title) ||
            !json_is_string(url)) {
            kt_fail(c, KT_C_INVALID_ARGUMENT, "'attachments' is een lijst van {title, url}.");
            return NULL;
        }
        const char *t = json_string_value(title), *u = json_string_value(url);
        size_t tl = kt_utf8_length(t), ul = strlen(u);
        bool web = strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0;
        for (const char *p = u; web && *p; p++)
            web = (unsigned char)*p > 0x20 && *p != '"' && *p != '<' && *p != '>';
        if (tl == 0 || tl > 200 || !web || ul > 2000 || ul < 10) {
            kt_fail(c, KT_C_INVALID_ARGUMENT,
                    "Een bijlage heeft een titel (tot 200 tekens) en een "
                    "http(s)-adres zonder spaties (tot 2000 tekens).");
            return NULL;
        }
    }
    return json_dumps(list ? list : json_array(), JSON_COMPACT);
}

static int store_attachments(kt_ctx *c, int64_t item)
{
    if (!kt_arg_has(c, "attachments"))
        return 0;
    char *text = attachments_arg(c);
    if (!text)
        return -1;
    int rc = kt_store_item_attachments_set(c->st, item, text);
    free(text);
    return rc ? kt_fail_err(c, rc) : 0;
}

/* Whoever makes or edits a confidential item keeps seeing it. */
static int keep_author(kt_ctx *c, int64_t item)
{
    int rc = kt_store_item_keep_author(c->st, item, c->me->person);
    return rc ? kt_fail_err(c, rc) : 0;
}

static int check_presenter(kt_ctx *c)
{
    int64_t p = kt_arg_int(c, "presenter", 0);
    int rc = p ? kt_store_person_exists(c->st, p, false) : 0;
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "De inbrenger (presenter) bestaat niet.");
    return rc ? kt_fail_err(c, rc) : 0;
}

/* The item's fields from the arguments (add and update take the same ones). */
static kt_item_fields item_fields(kt_ctx *c)
{
    return (kt_item_fields){
        .title = kt_arg_str(c, "title"),
        .description = kt_arg_str(c, "description"),
        .kind = kt_arg_str(c, "kind"),
        .status = kt_arg_str(c, "status"),
        .set_presenter = kt_arg_has(c, "presenter"),
        .presenter = kt_arg_int(c, "presenter", 0),
        .duration = kt_arg_has(c, "duration") ? kt_arg_int(c, "duration", 0) : -1,
        .recurring = kt_arg_has(c, "recurring") ? kt_arg_bool(c, "recurring", false) : -1,
        .confidential = kt_arg_has(c, "confidential") ? kt_arg_bool(c, "confidential", false) : -1,
    };
}

int kt_h_agenda_add(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0), pos = kt_arg_int(c, "position", 0), last = 0;
    if (check_meeting(c, meeting) || check_presenter(c))
        return -1;
    /* At the end (the usual case) nothing else moves: the list is not read, so adding costs
     * the same whatever its length. Elsewhere the items after it move down. */
    int rc = kt_store_item_last_position(c->st, c->body, meeting, &last);
    if (rc)
        return kt_fail_err(c, rc);
    kt_item_fields f = item_fields(c);
    f.body = c->body;
    f.meeting = meeting;
    f.position = last + 1;
    f.created_by = c->me->person;
    int64_t id;
    if ((rc = kt_store_item_insert(c->st, &f, kt_now(), &id)))
        return kt_fail_err(c, rc);
    if (store_audience(c, id) || keep_author(c, id) || store_attachments(c, id) ||
        kt_carry_mark_special(c, id, true))
        return -1;
    if (pos >= 1 && pos <= last) {
        list l;
        if (list_load(c, meeting, &l))
            return -1;
        slot me = l.v[list_index(&l, id)];
        list_remove(&l, id);
        rc = list_insert(c, &l, me, pos) || list_store(c, &l, id);
        list_free(&l);
        if (rc)
            return -1;
    }
    json_t *item = NULL;
    if (emit_item(c, "agenda.added", id, &item))
        return -1;
    c->result = json_pack("{s:o}", "item", item);
    return 0;
}

/* Once a meeting's verslag is vastgesteld, its items keep the titles it was approved with (the
 * verslag and the besluitenlijst name them). */
static int check_title_frozen(kt_ctx *c, int64_t item)
{
    const char *title = kt_arg_str(c, "title");
    if (!title)
        return 0;
    json_t *it = NULL;
    int rc = kt_store_item_get(c->st, item, &it);
    int64_t meeting = json_integer_value(json_object_get(it, "meeting")), body = 0;
    bool same = it && strcmp(json_string_value(json_object_get(it, "title")), title) == 0;
    json_decref(it);
    if (rc)
        return kt_fail_err(c, rc);
    if (same || !meeting)
        return 0;
    char status[32];
    if ((rc = kt_store_meeting_state(c->st, meeting, &body, status, sizeof status)))
        return kt_fail_err(c, rc);
    if (strcmp(status, "verslag_vastgesteld") == 0)
        return kt_fail(c, KT_C_INVALID_STATE,
                       "Het verslag van deze vergadering is vastgesteld: de titel van dit "
                       "agendapunt blijft zoals hij daarin staat.");
    return 0;
}

int kt_h_agenda_update(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "item", 0);
    if (check_presenter(c) || check_title_frozen(c, id))
        return -1;
    kt_vis before;
    int rc = kt_store_item_vis(c->st, id, &before);
    if (rc)
        return kt_fail_err(c, rc);
    kt_item_fields f = item_fields(c);
    rc = kt_store_item_update(c->st, id, &f, kt_now());
    if (rc)
        kt_fail_err(c, rc);
    if (!rc)
        rc = store_audience(c, id) || keep_author(c, id) || store_attachments(c, id) ||
                     kt_carry_mark_special(c, id, false)
                 ? -1
                 : 0;
    /* One agenda.updated: who sees it whole, as a placeholder or not at all is decided when it
     * is sent, against the audience as it is then (live/render.h). */
    kt_vis_clear(&before);
    if (rc)
        return -1;
    json_t *item = NULL;
    if (emit_item(c, "agenda.updated", id, &item))
        return -1;
    c->result = json_pack("{s:o}", "item", item);
    return 0;
}

/* The meeting the item is on (0: the backlog). */
static int item_meeting(kt_ctx *c, int64_t item, int64_t *meeting)
{
    int64_t body = 0;
    *meeting = 0;
    int rc = kt_store_item_place(c->st, item, &body, meeting);
    return rc ? kt_fail_err(c, rc) : 0;
}

int kt_agenda_drop_guest_limits(kt_ctx *c, int64_t body, int64_t item)
{
    kt_ivec changed = {0};
    int rc = kt_store_memberships_drop_item(c->st, body, item, &changed);
    for (size_t i = 0; !rc && i < changed.n; i++) {
        json_t *m = NULL;
        kt_vis subject = {.subject = changed.v[i]};
        kt_touch_body(c, body);
        rc = kt_store_membership_get(c->st, body, changed.v[i], &m);
        if (!rc)
            rc = kt_emit(
                c, body, "membership.updated", &subject,
                json_pack("{s:I, s:o}", "person", (json_int_t)changed.v[i], "membership", m));
    }
    kt_ivec_free(&changed);
    return rc ? (c->code ? -1 : kt_fail_err(c, rc)) : 0;
}

int kt_h_agenda_remove(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "item", 0), meeting;
    if (item_meeting(c, id, &meeting))
        return -1;
    kt_vis vis;
    int rc = kt_store_item_vis(c->st, id, &vis);
    if (rc)
        return kt_fail_err(c, rc);
    /* Actions under a confidential item share its audience; without the item they would
     * become visible to the whole body. */
    rc = vis.confidential ? kt_store_item_has_actions(c->st, id) : KT_ENOTFOUND;
    if (rc != KT_ENOTFOUND) {
        kt_vis_clear(&vis);
        if (rc)
            return kt_fail_err(c, rc);
        return kt_fail(c, KT_C_INVALID_STATE,
                       "Aan dit vertrouwelijke agendapunt hangen actiepunten of besluiten; "
                       "rond die eerst af of verplaats het punt naar de backlog.");
    }
    list l = {0};
    rc = kt_store_item_delete(c->st, id);
    if (rc)
        kt_fail_err(c, rc);
    kt_touch_item(c, id);
    kt_vis ref = {.item = id};
    if (!rc)
        rc = kt_emit(c, c->body, "agenda.removed", &ref,
                     json_pack("{s:I, s:I, s:o}", "item", (json_int_t)id, "body",
                               (json_int_t)c->body, "meeting",
                               meeting ? json_integer(meeting) : json_null()));
    if (!rc) { /* for this node's notifications: who could see it until now (never stored) */
        kt_event *ev = c->events[c->n_events - 1];
        kt_vis_clear(&ev->aud);
        ev->aud = vis;
    } else {
        kt_vis_clear(&vis);
    }
    if (!rc)
        rc = kt_agenda_drop_guest_limits(c, c->body, id);
    if (!rc)
        rc = list_load(c, meeting, &l) || list_store(c, &l, 0);
    list_free(&l);
    if (rc)
        return -1;
    c->result = json_pack("{s:I}", "item", (json_int_t)id);
    return 0;
}

int kt_h_agenda_move(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "item", 0), from;
    int64_t to = kt_arg_int(c, "meeting", 0), pos = kt_arg_int(c, "position", 0);
    if (item_meeting(c, id, &from))
        return -1;
    if (!kt_arg_has(c, "meeting"))
        return kt_fail(c, KT_C_MISSING_ARGUMENT,
                       "Geef 'meeting' op (een vergadering, of null voor de backlog).");
    if (check_meeting(c, to))
        return -1;
    list src = {0}, dst = {0};
    int rc = list_load(c, from, &src);
    if (!rc && to != from)
        rc = list_load(c, to, &dst);
    if (!rc) {
        list *target = to == from ? &src : &dst;
        slot me = src.v[list_index(&src, id)];
        list_remove(&src, id);
        me.pos = to == from ? me.pos : 0; /* 0: forces the write of position and meeting */
        rc = list_insert(c, target, me, pos);
        if (!rc && to != from)
            rc = list_store(c, &src, id);
        if (!rc)
            rc = list_store(c, target, id);
    }
    list_free(&src);
    list_free(&dst);
    json_t *item = NULL;
    if (rc || emit_item(c, "agenda.updated", id, &item))
        return -1;
    c->result = json_pack("{s:o}", "item", item);
    return 0;
}

/* Whether the caller sees slot s whole (a confidential item only with its audience). */
static int slot_visible(kt_ctx *c, const slot *s, bool *visible)
{
    kt_vis vis = {.item = s->id};
    int rc = s->confidential ? kt_store_item_vis(c->st, s->id, &vis) : 0;
    *visible = !rc && kt_acl_visible(&c->viewer, &vis);
    kt_vis_clear(&vis);
    return rc;
}

/* agenda.reorder with item and before / after: one item moves next to another of the same
 * list, whatever part of the list the caller has loaded (a backlog comes in pages). */
static int reorder_one(kt_ctx *c, int64_t meeting)
{
    int64_t item = kt_arg_int(c, "item", 0);
    bool before = kt_arg_given(c, "before");
    int64_t target = kt_arg_int(c, before ? "before" : "after", 0);
    if (before == kt_arg_given(c, "after") || kt_arg_has(c, "items"))
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "Geef 'item' met 'before' of 'after', of alleen 'items'.");
    if (target == item)
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "Een agendapunt kan niet voor of na zichzelf worden gezet.");
    list l;
    if (list_load(c, meeting, &l))
        return -1;
    int i = list_index(&l, item), t = list_index(&l, target), rc = 0;
    bool seen_item = false, seen_target = false;
    if (i >= 0 && t >= 0 && !(rc = slot_visible(c, &l.v[i], &seen_item)))
        rc = slot_visible(c, &l.v[t], &seen_target);
    if (rc) {
        list_free(&l);
        return kt_fail_err(c, rc);
    }
    if (!seen_item || !seen_target) {
        list_free(&l);
        return kt_fail(c, KT_C_NOT_FOUND, "Dit agendapunt staat niet in deze lijst.");
    }
    slot s = l.v[i];
    memmove(&l.v[i], &l.v[i + 1], (size_t)(l.n - i - 1) * sizeof *l.v);
    l.n--;
    t = list_index(&l, target);
    int at = before ? t : t + 1;
    memmove(&l.v[at + 1], &l.v[at], (size_t)(l.n - at) * sizeof *l.v);
    l.v[at] = s;
    l.n++;
    json_t *changed = NULL;
    rc = list_store_order(c, &l, 0, &changed);
    /* the reply: the changes the caller may see (the event says the same to every member); a
     * shift names no item, only positions every member sees (placeholders keep theirs) */
    json_t *order = json_array(), *all = json_object_get(changed, "order");
    for (size_t k = 0; !rc && k < json_array_size(all); k++) {
        json_t *e = json_array_get(all, k);
        int j = list_index(&l, json_integer_value(json_object_get(e, "id")));
        bool visible = false;
        if (j >= 0 && (rc = slot_visible(c, &l.v[j], &visible)))
            kt_fail_err(c, rc);
        else if (visible)
            json_array_append(order, e);
    }
    json_t *shifts = json_incref(json_object_get(changed, "shifts"));
    json_decref(changed);
    list_free(&l);
    json_t *it = NULL;
    if (!rc && (rc = kt_store_item_get(c->st, item, &it)))
        kt_fail_err(c, rc);
    if (rc) {
        json_decref(order);
        json_decref(shifts);
        return -1;
    }
    c->result = json_pack("{s:o, s:o}", "item", it, "order", order);
    if (json_array_size(shifts))
        json_object_set(c->result, "shifts", shifts);
    json_decref(shifts);
    return 0;
}

int kt_h_agenda_reorder(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0);
    if (kt_arg_given(c, "item"))
        return reorder_one(c, meeting);
    json_t *ids = json_object_get(c->args, "items");
    if (!ids || kt_arg_has(c, "before") || kt_arg_has(c, "after"))
        return kt_fail(c, KT_C_MISSING_ARGUMENT,
                       "Geef 'items' (de hele lijst) of 'item' met 'before' of 'after'.");
    list l;
    if (list_load(c, meeting, &l))
        return -1;
    /* The caller orders what they can see; items hidden from them keep their slots. */
    int *visible_slots = calloc((size_t)l.n + 1, sizeof *visible_slots);
    int n_visible = 0, rc = 0;
    if (!visible_slots) {
        list_free(&l);
        return kt_fail_err(c, KT_ENOMEM);
    }
    for (int i = 0; !rc && i < l.n; i++) {
        kt_vis vis = {.item = l.v[i].id};
        if (l.v[i].confidential && (rc = kt_store_item_vis(c->st, l.v[i].id, &vis))) {
            kt_fail_err(c, rc);
            break;
        }
        if (kt_acl_visible(&c->viewer, &vis))
            visible_slots[n_visible++] = i;
        kt_vis_clear(&vis);
    }
    if (!rc && (int)json_array_size(ids) != n_visible)
        rc = kt_fail(c, KT_C_INVALID_ARGUMENT,
                     "'items' moet precies de agendapunten van deze lijst bevatten.");
    slot *order = calloc((size_t)l.n + 1, sizeof *order);
    if (!rc && !order)
        rc = kt_fail_err(c, KT_ENOMEM);
    if (!rc)
        memcpy(order, l.v, (size_t)l.n * sizeof *order);
    for (int k = 0; !rc && k < n_visible; k++) {
        int64_t id = json_integer_value(json_array_get(ids, (size_t)k));
        int i = list_index(&l, id);
        bool ok = i >= 0;
        for (int j = 0; ok && j < k; j++)
            ok = json_integer_value(json_array_get(ids, (size_t)j)) != id;
        for (int j = 0; ok && j < n_visible; j++)
            if (visible_slots[j] == i)
                break;
            else if (j == n_visible - 1)
                ok = false;
        if (!ok)
            rc = kt_fail(c, KT_C_INVALID_ARGUMENT,
                         "'items' moet precies de agendapunten van deze lijst bevatten.");
        else
            order[visible_slots[k]] = l.v[i];
    }
    if (!rc) {
        memcpy(l.v, order, (size_t)l.n * sizeof *order);
        rc = list_store(c, &l, 0);
    }
    if (!rc) { /* the change log: the new order, every item (read through the one visibility) */
        json_t *ids = json_array();
        for (int i = 0; ids && i < l.n; i++)
            json_array_append_new(ids, json_integer(l.v[i].id));
        json_t *data = json_pack("{s:I, s:o}", meeting ? "meeting" : "body",
                                 (json_int_t)(meeting ? meeting : c->body), "order", ids);
        rc = kt_audit_event(c, c->body, meeting ? "agenda.reorder" : "backlog.reorder", data);
        json_decref(data);
        if (rc)
            rc = kt_fail_err(c, rc);
    }
    free(order);
    free(visible_slots);
    list_free(&l);
    if (rc)
        return -1;
    json_t *agenda = json_array();
    if ((rc = kt_store_items_list(c->st, c->body, meeting, &c->viewer, agenda))) {
        json_decref(agenda);
        return kt_fail_err(c, rc);
    }
    /* At most 1000 items the caller sees, but their descriptions can be long: the reply stays
     * within 1 MiB, and agenda_more says the rest is read with meeting.get or body.get. */
    bool more = kt_page_cut(agenda, (size_t)-1);
    c->result = json_pack("{s:o, s:b}", "agenda", agenda, "agenda_more", more);
    return 0;
}

int kt_h_agenda_publish(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0);
    int rc = kt_store_meeting_publish(c->st, meeting, kt_now());
    if (rc == KT_ESTATE)
        return kt_fail(c, KT_C_INVALID_STATE,
                       "Alleen een agenda in concept kan gepubliceerd worden.");
    json_t *m = NULL;
    if (!rc)
        rc = kt_store_meeting_get(c->st, meeting, &m);
    if (rc)
        return kt_fail_err(c, rc);
    if (kt_emit(c, c->body, "meeting.updated", NULL,
                json_pack("{s:O, s:s}", "meeting", m, "change", "published")))
        return json_decref(m), -1;
    c->result = json_pack("{s:o}", "meeting", m);
    return 0;
}

int kt_agenda_place(kt_ctx *c, int64_t meeting, int64_t item, int64_t pos)
{
    list l;
    if (list_load(c, meeting, &l))
        return -1;
    int at = list_index(&l, item);
    if (at < 0) {
        list_free(&l);
        return kt_fail_err(c, KT_ENOTFOUND);
    }
    slot me = l.v[at];
    list_remove(&l, item);
    int rc = list_insert(c, &l, me, pos) || list_store(c, &l, item);
    list_free(&l);
    return rc ? -1 : 0;
}

int kt_agenda_close_gap(kt_ctx *c, int64_t body, int64_t meeting)
{
    int64_t own = c->body; /* the lists of this file are those of c->body */
    c->body = body;
    list l = {0};
    int rc = list_load(c, meeting, &l) || list_store(c, &l, 0);
    list_free(&l);
    c->body = own;
    return rc ? -1 : 0;
}

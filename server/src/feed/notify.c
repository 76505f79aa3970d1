#include "feed/notify.h"

#include "auth/acl.h"
#include "domain/model.h"
#include "domain/views.h"
#include "live/render.h"
#include "protocol/ctx.h"
#include "store/actions.h"
#include "store/bodies.h"
#include "store/chat.h"
#include "store/directory.h"
#include "store/items.h"
#include "store/memberships.h"
#include "store/notifications.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const kt_notify_kinds[] = {"assigned", "due",  "meeting",    "agenda",  "relevant",
                                       "mention",  "flag", "membership", "verslag", NULL};
const char *const kt_notify_modes[] = {"direct", "digest", "off", NULL};

typedef struct note {
    int64_t person, body, meeting, item, action, flag, actor;
    const char *kind;
    char title[300];
    char text[600];
    char link[80];
    char dedupe[80];
    /* A burst: a run of changes by actor to one thing (burst names it, "meeting:m12") is one
     * notification. what says what this change changed; the text is then text_pre, what the
     * whole run changed (the whats, each once, joined by what_sep, ", " when NULL), text_post;
     * title_merged replaces title once the run changed more than one thing. */
    char burst[80];
    char what[300];
    const char *what_sep;
    char text_pre[40];
    char text_post[400];
    char title_merged[300];
} note;

/* ---- reading the store ---- */

static void body_name(kt_store *st, int64_t body, char *buf, size_t n)
{
    kt_store_body_name(st, body, buf, n);
}

static void person_name(kt_store *st, int64_t person, char *buf, size_t n)
{
    if (kt_store_person_name(st, person, buf, n))
        snprintf(buf, n, "iemand");
}

/* Members of body (active persons), optionally only of org or only chairs and secretaries. */
static int members(kt_store *st, int64_t body, int64_t org, bool chairs, kt_ivec *out)
{
    return kt_store_members_ids(st, body, org, chairs, out);
}

/* The one visibility rule: would person see this event of body? */
static bool sees(kt_store *st, int64_t person, int64_t body, const kt_vis *vis)
{
    kt_viewer v;
    int64_t *items = NULL;
    if (kt_viewer_load_person(st, body, person, &v, &items))
        return false;
    bool ok = kt_acl_visible(&v, vis);
    free(items);
    return ok;
}

/* Who may see what ev is about, as it is now (loaded by kt_render_full): the item's current
 * audience for what is bound to an item, else the event's own references. */
static const kt_vis *audience_of(const kt_event *ev)
{
    return ev->aud.item ? &ev->aud : &ev->vis;
}

/* ---- writing ---- */

/* Adds what (wl bytes) to the list all (of size n, items joined by sep) unless it is in it. */
static void what_add_one(char *all, size_t n, const char *what, size_t wl, const char *sep)
{
    size_t sl = strlen(sep);
    for (const char *p = all; *p;) {
        const char *end = strstr(p, sep);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == wl && memcmp(p, what, wl) == 0)
            return;
        p += len + (end ? sl : 0);
    }
    size_t have = strlen(all);
    if (have + (have ? sl : 0) + wl + 1 > n)
        return; /* full: what is there says enough */
    snprintf(all + have, n - have, "%s%.*s", have ? sep : "", (int)wl, what);
}

/* Adds each item of the list what (joined by sep) to the list all that is not in it yet. */
static void what_add(char *all, size_t n, const char *what, const char *sep)
{
    for (const char *p = what; *p;) {
        const char *end = strstr(p, sep);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len)
            what_add_one(all, n, p, len, sep);
        p += len + (end ? strlen(sep) : 0);
    }
}

/* The notification n continues, when a change of the same burst by the same actor was merged
 * into one within --notify-burst-secs: merged into it (*out, *merged true), else stored anew. */
static int store_burst(kt_ctx *c, note *n, kt_note_new *row, json_t **out, bool *merged)
{
    const char *sep = n->what_sep ? n->what_sep : ", ";
    int64_t id = 0;
    char all[300];
    int rc = c->app->cfg.notify_burst_secs > 0
                 ? kt_store_notification_burst(c->st, row, kt_now() - c->app->cfg.notify_burst_secs,
                                               &id, all, sizeof all)
                 : 0;
    if (rc)
        return rc;
    if (!id)
        all[0] = 0;
    what_add(all, sizeof all, n->what, sep);
    char text[sizeof n->text];
    snprintf(text, sizeof text, "%s%s%s", n->text_pre, all, n->text_post);
    row->text = text;
    row->burst_what = all;
    if (n->title_merged[0] && strcmp(all, n->what) != 0)
        row->title = n->title_merged;
    *merged = id != 0;
    return id ? kt_store_notification_merge(c->st, id, row, kt_now(), out)
              : kt_store_notification_deliver(c->st, row, kt_now(), out);
}

/* Stores a notification for one person and pushes it when they want it at once. */
static int deliver(kt_ctx *c, note *n)
{
    if (!n->person || n->person == n->actor)
        return 0; /* nobody is notified of their own actions */
    /* Stored as they want it (direct, digest; nothing when off), and nothing after they left
     * (deactivated, or erased: docs/avg.md), nor twice for one dedupe key. */
    kt_note_new row = {.person = n->person,
                       .body = n->body,
                       .meeting = n->meeting,
                       .item = n->item,
                       .action = n->action,
                       .flag = n->flag,
                       .actor = n->actor,
                       .kind = n->kind,
                       .title = n->title,
                       .text = n->text,
                       .link = n->link,
                       .dedupe = n->dedupe,
                       .burst = n->burst};
    json_t *j = NULL;
    bool merged = false;
    int rc = n->burst[0] && n->actor ? store_burst(c, n, &row, &j, &merged)
                                     : kt_store_notification_deliver(c->st, &row, kt_now(), &j);
    if (rc || !j)
        return rc;
    if (strcmp(json_string_value(json_object_get(j, "delivery")), "direct") != 0) {
        json_decref(j);
        return 0;
    }
    kt_vis vis = {.subject = n->person};
    const char *type = merged ? "notification.updated" : "notification.created";
    int64_t id = json_integer_value(json_object_get(j, "id"));
    if (kt_emit(c, kt_person_stream(n->person), type, &vis, json_pack("{s:o}", "notification", j)))
        return KT_EINVAL;
    if (!merged)
        return 0;
    /* The new event carries the notification as it is now (read when it is sent): the earlier
     * ones of this notification are superseded, so a burst keeps one stored event per
     * recipient, however many changes it took in (PROTOCOL.md, "Your notifications"). */
    int64_t gone = 0;
    return kt_store_notification_supersede(c->st, n->person, id, c->events[c->n_events - 1]->seq,
                                           &gone);
}

/* deliver() to each of persons who may see the event. */
static int deliver_all(kt_ctx *c, note *n, const kt_ivec *persons, const kt_vis *vis)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < persons->n; i++) {
        if (persons->v[i] == n->actor || !sees(c->st, persons->v[i], n->body, vis))
            continue;
        n->person = persons->v[i];
        rc = deliver(c, n);
    }
    return rc;
}

static void excerpt(const char *in, char *out, size_t n)
{
    size_t len = strlen(in);
    if (len < n) {
        memcpy(out, in, len + 1);
        return;
    }
    size_t cut = n - 4;
    while (cut > 0 && ((unsigned char)in[cut] & 0xc0) == 0x80)
        cut--; /* never split a UTF-8 sequence */
    memcpy(out, in, cut);
    memcpy(out + cut, "...", 4);
}

/* ---- per event type ---- */

static int on_membership(kt_ctx *c, kt_event *ev, json_t *data, bool primary)
{
    (void)primary;
    bool added = strcmp(ev->type, "membership.added") == 0;
    note n = {.kind = "membership", .body = ev->body, .actor = ev->actor, .person = ev->subject};
    char body[200];
    body_name(c->st, ev->body, body, sizeof body);
    if (added)
        snprintf(n.title, sizeof n.title, "U bent toegevoegd aan %s als %s", body,
                 json_string_value(json_object_get(json_object_get(data, "membership"), "role")));
    else
        snprintf(n.title, sizeof n.title, "U bent niet langer lid van %s", body);
    snprintf(n.link, sizeof n.link, added ? "#/overleg/%lld" : "#/", (long long)ev->body);
    return deliver(c, &n);
}

static int on_meeting(kt_ctx *c, kt_event *ev, json_t *data, bool primary)
{
    (void)primary;
    const char *change = json_string_value(json_object_get(data, "change"));
    json_t *m = json_object_get(data, "meeting");
    if (!change || !m)
        return 0;
    int64_t start = 0;
    kt_time_parse(json_string_value(json_object_get(m, "start")), &start);
    char when[80], body[200];
    kt_time_dutch(start, true, when, sizeof when);
    body_name(c->st, ev->body, body, sizeof body);
    note n = {.kind = "meeting",
              .body = ev->body,
              .actor = ev->actor,
              .meeting = json_integer_value(json_object_get(m, "id"))};
    const char *loc = json_string_value(json_object_get(m, "location"));
    if (strcmp(change, "series_more") == 0) {
        return 0; /* a series is announced once, with its first meeting */
    } else if (strcmp(change, "series") == 0) {
        snprintf(n.title, sizeof n.title, "Nieuwe reeks vergaderingen van %s, vanaf %s", body,
                 when);
    } else if (strcmp(change, "created") == 0) {
        snprintf(n.title, sizeof n.title, "Nieuwe vergadering van %s: %s", body, when);
    } else if (strcmp(change, "moved") == 0) {
        /* what changed: the time, the place (older events do not say) */
        bool time = false, place = false;
        json_t *x;
        size_t i;
        json_array_foreach(json_object_get(data, "changed"), i, x)
        {
            const char *w = json_string_value(x);
            time = time || (w && strcmp(w, "time") == 0);
            place = place || (w && strcmp(w, "location") == 0);
        }
        json_t *said = json_object_get(data, "changed");
        if (said && !json_array_size(said))
            return 0; /* saved as it was: no news */
        if (!time && !place)
            time = place = true; /* an older event, which does not say */
        snprintf(n.what, sizeof n.what, "%s",
                 time && place ? "datum en tijd, locatie"
                 : time        ? "datum en tijd"
                               : "locatie");
        if (time)
            snprintf(n.title, sizeof n.title, "Vergadering van %s verplaatst naar %s", body, when);
        else
            snprintf(n.title, sizeof n.title, "Andere locatie voor de vergadering van %s, %s", body,
                     when);
        snprintf(n.title_merged, sizeof n.title_merged, "Vergadering van %s gewijzigd: %s", body,
                 when);
        snprintf(n.burst, sizeof n.burst, "meeting:m%lld", (long long)n.meeting);
        snprintf(n.text_pre, sizeof n.text_pre, "Gewijzigd: ");
        if (loc && *loc)
            snprintf(n.text_post, sizeof n.text_post, ". Locatie: %s", loc);
        else
            snprintf(n.text_post, sizeof n.text_post, ".");
    } else if (strcmp(change, "cancelled") == 0) {
        snprintf(n.title, sizeof n.title, "Vergadering van %s op %s is geannuleerd", body, when);
    } else if (strcmp(change, "published") == 0) {
        n.kind = "agenda";
        snprintf(n.title, sizeof n.title, "Agenda gepubliceerd: %s, %s", body, when);
    } else {
        return 0;
    }
    if (loc && *loc)
        snprintf(n.text, sizeof n.text, "Locatie: %s", loc);
    snprintf(n.link, sizeof n.link, "#/vergadering/%lld", (long long)n.meeting);
    kt_ivec people = {0};
    int rc = members(c->st, ev->body, 0, false, &people);
    if (!rc)
        rc = deliver_all(c, &n, &people, audience_of(ev));
    kt_ivec_free(&people);
    return rc;
}

/* Whether person sees at least one of the items of an agenda.reordered event whole. */
static bool sees_one_of(kt_store *st, int64_t person, int64_t body, json_t *order)
{
    json_t *x;
    size_t i;
    json_array_foreach(order, i, x)
    {
        kt_vis vis;
        if (kt_item_vis_load(st, json_integer_value(json_object_get(x, "id")), &vis))
            continue;
        bool ok = sees(st, person, body, &vis);
        kt_vis_clear(&vis);
        if (ok)
            return true;
    }
    return false;
}

/* An agenda that changes after publication: members hear it once a day per meeting - those who
 * may see the change: a change to a confidential item (added, moved, removed) is not announced
 * to anyone outside its audience, not even as "the agenda changed". order: for a reorder of
 * several items, announced to whoever sees one of them. */
static int on_agenda_change(kt_ctx *c, const kt_event *ev, int64_t meeting, json_t *order)
{
    json_t *m = meeting ? kt_meeting_json(c->st, meeting) : NULL;
    const char *status = m ? json_string_value(json_object_get(m, "status")) : NULL;
    if (!status || strcmp(status, "agenda_gepubliceerd") != 0) {
        json_decref(m);
        return 0;
    }
    int64_t start = 0;
    kt_time_parse(json_string_value(json_object_get(m, "start")), &start);
    json_decref(m);
    char when[80], body[200];
    kt_time_dutch(start, true, when, sizeof when);
    body_name(c->st, ev->body, body, sizeof body);
    note n = {.kind = "agenda", .body = ev->body, .actor = ev->actor, .meeting = meeting};
    snprintf(n.title, sizeof n.title, "Agenda gewijzigd na publicatie: %s, %s", body, when);
    snprintf(n.link, sizeof n.link, "#/vergadering/%lld", (long long)meeting);
    /* A run of edits by one person is one notification that says what changed. */
    snprintf(n.burst, sizeof n.burst, "agenda:m%lld", (long long)meeting);
    snprintf(n.what, sizeof n.what, "%s",
             strcmp(ev->type, "agenda.added") == 0       ? "punt toegevoegd"
             : strcmp(ev->type, "agenda.removed") == 0   ? "punt verwijderd"
             : strcmp(ev->type, "agenda.reordered") == 0 ? "volgorde"
                                                         : "punt gewijzigd");
    snprintf(n.text_pre, sizeof n.text_pre, "Gewijzigd: ");
    snprintf(n.text_post, sizeof n.text_post, ".");
    kt_ivec people = {0};
    int rc = members(c->st, ev->body, 0, false, &people);
    if (!rc && order) {
        for (size_t i = 0; !rc && i < people.n; i++) {
            if (people.v[i] == n.actor || !sees_one_of(c->st, people.v[i], ev->body, order))
                continue;
            n.person = people.v[i];
            rc = deliver(c, &n);
        }
    } else if (!rc) {
        rc = deliver_all(c, &n, &people, audience_of(ev));
    }
    kt_ivec_free(&people);
    return rc;
}

/* Members of each relevant organisation hear it once per item and organisation, whether the
 * organisation was there from the start or added later. */
static int on_item_relevant(kt_ctx *c, const kt_event *ev, json_t *item)
{
    int64_t id = json_integer_value(json_object_get(item, "id"));
    int64_t meeting = json_integer_value(json_object_get(item, "meeting"));
    int rc = 0;
    json_t *r;
    size_t i;
    char body[200];
    body_name(c->st, ev->body, body, sizeof body);
    json_array_foreach(json_object_get(item, "relevant"), i, r)
    {
        if (rc)
            break;
        int64_t org = json_integer_value(json_object_get(r, "org"));
        note n = {.kind = "relevant",
                  .body = ev->body,
                  .actor = ev->actor,
                  .item = id,
                  .meeting = meeting};
        snprintf(n.title, sizeof n.title, "%s is relevant bij \"%s\" (%s)",
                 json_string_value(json_object_get(r, "org_name")),
                 json_string_value(json_object_get(item, "title")), body);
        const char *reason = json_string_value(json_object_get(r, "reason"));
        if (reason && *reason)
            snprintf(n.text, sizeof n.text, "Waarom: %s", reason);
        if (meeting)
            snprintf(n.link, sizeof n.link, "#/vergadering/%lld", (long long)meeting);
        else
            snprintf(n.link, sizeof n.link, "#/overleg/%lld", (long long)ev->body);
        snprintf(n.dedupe, sizeof n.dedupe, "relevant:i%lld:o%lld", (long long)id, (long long)org);
        kt_ivec people = {0};
        rc = members(c->st, ev->body, org, false, &people);
        if (!rc)
            rc = deliver_all(c, &n, &people, audience_of(ev));
        kt_ivec_free(&people);
    }
    return rc;
}

static const char *action_word(const char *kind)
{
    return kind && strcmp(kind, "toezegging") == 0 ? "Toezegging"
           : kind && strcmp(kind, "besluit") == 0  ? "Besluit"
                                                   : "Actiepunt";
}

static int due_note(kt_ctx *c, const kt_event *ev, json_t *a, int64_t person, const char *due);

/* The owner of an action (the person, else the members of the owner organisation) hears
 * when someone else changed it, with what changed; only while they may see it (deliver_all). */
static int tell_owner(kt_ctx *c, const kt_event *ev, note *n, int64_t person, int64_t org)
{
    kt_ivec people = {0};
    int rc = person ? kt_ivec_add(&people, person)
             : org  ? members(c->st, ev->body, org, false, &people)
                    : 0;
    if (!rc)
        rc = deliver_all(c, n, &people, audience_of(ev));
    kt_ivec_free(&people);
    return rc;
}

static int on_changed_by_other(kt_ctx *c, const kt_event *ev, json_t *a, const char *word,
                               const char *body, const char *text)
{
    json_t *stored = json_loads(ev->payload, 0, NULL);
    int64_t person = json_integer_value(json_object_get(stored, "changed_for"));
    int64_t org = json_integer_value(json_object_get(stored, "changed_for_org"));
    const char *change = json_string_value(json_object_get(stored, "change"));
    int rc = 0;
    if ((person || org) && change) {
        char who[200];
        person_name(c->st, ev->actor, who, sizeof who);
        note n = {.kind = "assigned",
                  .body = ev->body,
                  .actor = ev->actor,
                  .action = json_integer_value(json_object_get(a, "id")),
                  .item = json_integer_value(json_object_get(a, "item"))};
        (void)word;
        const char *kind = json_string_value(json_object_get(a, "kind"));
        if (person)
            snprintf(n.title, sizeof n.title, "Uw %s is gewijzigd door %s (%s)",
                     kind ? kind : "actiepunt", who, body);
        else
            snprintf(n.title, sizeof n.title, "Een %s van uw organisatie is gewijzigd door %s (%s)",
                     kind ? kind : "actiepunt", who, body);
        /* A run of edits by one person: one notification, every change in it. */
        snprintf(n.burst, sizeof n.burst, "action:a%lld", (long long)n.action);
        snprintf(n.what, sizeof n.what, "%s", change);
        n.what_sep = "; ";
        snprintf(n.text_post, sizeof n.text_post, " — %s", text);
        snprintf(n.link, sizeof n.link, "#/overleg/%lld/acties", (long long)ev->body);
        rc = tell_owner(c, ev, &n, person, org);
    }
    json_decref(stored);
    return rc;
}

/* A proposed change: to the owner (person, else organisation); an action nobody owns and a
 * besluit to the chair and secretary. */
static int on_proposal(kt_ctx *c, kt_event *ev, json_t *data, bool primary)
{
    (void)primary;
    json_t *a = NULL;
    int rc = kt_store_action_get(c->st, json_integer_value(json_object_get(data, "action")), &a);
    if (rc == KT_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    int64_t person = json_integer_value(json_object_get(a, "owner"));
    int64_t org = person ? 0 : json_integer_value(json_object_get(a, "owner_org"));
    const char *kind = json_string_value(json_object_get(a, "kind"));
    const char *word = kind ? kind : "actiepunt";
    char who[200], body[200], text[300];
    person_name(c->st, ev->actor, who, sizeof who);
    body_name(c->st, ev->body, body, sizeof body);
    excerpt(json_string_value(json_object_get(a, "text")), text, sizeof text);
    note n = {.kind = "assigned",
              .body = ev->body,
              .actor = ev->actor,
              .action = json_integer_value(json_object_get(a, "id")),
              .item = json_integer_value(json_object_get(a, "item"))};
    const char *summary = json_string_value(json_object_get(data, "summary"));
    const char *why = json_string_value(json_object_get(data, "note"));
    snprintf(n.text, sizeof n.text, "%s%s%s — %s", summary && *summary ? summary : "",
             summary && *summary && why ? ": " : "", why ? why : "", text);
    snprintf(n.link, sizeof n.link, "#/overleg/%lld/acties", (long long)ev->body);
    if (person || org) {
        snprintf(n.title, sizeof n.title, "Voorstel van %s voor %s %s (%s)", who,
                 person ? "uw" : "een", word, body);
        rc = tell_owner(c, ev, &n, person, org);
    } else {
        snprintf(n.title, sizeof n.title, "Voorstel van %s voor een %s (%s)", who, word, body);
        kt_ivec chairs = {0};
        rc = members(c->st, ev->body, 0, true, &chairs);
        if (!rc)
            rc = deliver_all(c, &n, &chairs, audience_of(ev));
        kt_ivec_free(&chairs);
    }
    json_decref(a);
    return rc;
}

static int on_action(kt_ctx *c, kt_event *ev, json_t *data, bool primary)
{
    (void)primary;
    json_t *a = json_object_get(data, "action");
    int64_t owner = json_integer_value(json_object_get(a, "owner"));
    int64_t org = json_integer_value(json_object_get(a, "owner_org"));
    int rc = 0;
    char body[200], text[300];
    body_name(c->st, ev->body, body, sizeof body);
    excerpt(json_string_value(json_object_get(a, "text")), text, sizeof text);
    note n = {.kind = "assigned",
              .body = ev->body,
              .actor = ev->actor,
              .action = json_integer_value(json_object_get(a, "id")),
              .item = json_integer_value(json_object_get(a, "item"))};
    snprintf(n.text, sizeof n.text, "%s", text);
    snprintf(n.link, sizeof n.link, "#/overleg/%lld/acties", (long long)ev->body);
    const char *word = action_word(json_string_value(json_object_get(a, "kind")));
    if (json_is_true(json_object_get(data, "assigned"))) {
        kt_ivec people = {0};
        if (owner) {
            snprintf(n.title, sizeof n.title, "%s voor u (%s)", word, body);
            rc = kt_ivec_add(&people, owner);
            if (!rc)
                rc = deliver_all(c, &n, &people, audience_of(ev));
        }
        if (!rc && org) {
            json_t *o = NULL;
            rc = kt_store_org_get(c->st, org, &o);
            if (rc == KT_ENOTFOUND)
                rc = 0; /* gone since: told by a name that needs none */
            snprintf(n.title, sizeof n.title, "%s voor %s (%s)", word,
                     o ? json_string_value(json_object_get(o, "name")) : "uw organisatie", body);
            json_decref(o);
            kt_ivec org_people = {0};
            if (!rc)
                rc = members(c->st, ev->body, org, false, &org_people);
            for (size_t i = 0; !rc && i < org_people.n; i++)
                if (org_people.v[i] == owner)
                    org_people.v[i] = 0; /* told already */
            if (!rc)
                rc = deliver_all(c, &n, &org_people, audience_of(ev));
            kt_ivec_free(&org_people);
        }
        kt_ivec_free(&people);
    }
    if (!rc && strcmp(ev->type, "action.updated") == 0)
        rc = on_changed_by_other(c, ev, a, word, body, text);
    const char *due = json_string_value(json_object_get(a, "due"));
    const char *status = json_string_value(json_object_get(a, "status"));
    if (!rc && owner && due && status &&
        (strcmp(status, "open") == 0 || strcmp(status, "lopend") == 0))
        rc = due_note(c, ev, a, owner, due);
    return rc;
}

static int on_mention(kt_ctx *c, kt_event *ev, json_t *data, bool primary)
{
    (void)primary;
    json_t *m = json_object_get(data, "message"), *p;
    size_t i;
    char body[200], who[200], text[300];
    body_name(c->st, ev->body, body, sizeof body);
    person_name(c->st, ev->actor, who, sizeof who);
    excerpt(json_string_value(json_object_get(m, "text")), text, sizeof text);
    note n = {.kind = "mention",
              .body = ev->body,
              .actor = ev->actor,
              .item = json_integer_value(json_object_get(m, "item"))};
    snprintf(n.title, sizeof n.title, "%s noemde u in %s", who, body);
    snprintf(n.text, sizeof n.text, "%s", text);
    snprintf(n.link, sizeof n.link, "#/overleg/%lld/chat", (long long)ev->body);
    kt_ivec people = {0};
    int rc = 0;
    json_array_foreach(json_object_get(m, "mentions"), i, p) if (!rc) rc =
        kt_ivec_add(&people, json_integer_value(p));
    if (!rc)
        rc = deliver_all(c, &n, &people, audience_of(ev));
    kt_ivec_free(&people);
    return rc;
}

static bool flag_seen_by(kt_store *st, int64_t flag, int64_t body, int64_t person)
{
    kt_principal p;
    kt_viewer v;
    int64_t *items = NULL;
    if (kt_principal_load(st, person, &p) || kt_viewer_load(st, body, &p, &v, &items))
        return false;
    bool ok = kt_flag_visible(st, flag, body, &v);
    free(items);
    return ok;
}

static int on_flag(kt_ctx *c, kt_event *ev, json_t *data, bool primary)
{
    (void)primary;
    json_t *f = json_object_get(data, "flag");
    json_t *other = json_object_get(f, "other");
    const char *kind = json_string_value(json_object_get(f, "kind"));
    char body[200];
    body_name(c->st, ev->body, body, sizeof body);
    note n = {.kind = "flag",
              .body = ev->body,
              .actor = 0,
              .flag = json_integer_value(json_object_get(f, "id")),
              .item = json_integer_value(json_object_get(json_object_get(f, "here"), "item")),
              .meeting =
                  json_integer_value(json_object_get(json_object_get(f, "here"), "meeting"))};
    const char *other_name = json_string_value(json_object_get(other, "body_name"));
    if (kind && strcmp(kind, "conflict") == 0)
        snprintf(n.title, sizeof n.title, "Signalering %s: vergadering botst met %s", body,
                 other_name ? other_name : "een ander overleg");
    else
        snprintf(n.title, sizeof n.title, "Signalering %s: mogelijk hetzelfde onderwerp als bij %s",
                 body, other_name ? other_name : "een ander overleg");
    const char *title = json_string_value(json_object_get(other, "title"));
    if (title)
        snprintf(n.text, sizeof n.text, "Daar: \"%s\"", title);
    snprintf(n.link, sizeof n.link, "#/overleg/%lld/signaleringen", (long long)ev->body);
    snprintf(n.dedupe, sizeof n.dedupe, "flag:%lld:%lld", (long long)n.flag, (long long)ev->seq);
    kt_ivec people = {0};
    int rc = members(c->st, ev->body, 0, true, &people);
    for (size_t i = 0; !rc && i < people.n; i++) {
        if (!flag_seen_by(c->st, n.flag, ev->body, people.v[i]))
            continue;
        n.person = people.v[i];
        rc = deliver(c, &n);
    }
    kt_ivec_free(&people);
    return rc;
}

/* The verslag: sent ter vaststelling (every member may propose amendments until the
 * deadline), an amendment proposed (the chair and secretary), and vastgesteld (every member). */
static int on_minutes(kt_ctx *c, kt_event *ev, json_t *data, bool primary)
{
    (void)primary;
    int64_t meeting = json_integer_value(json_object_get(data, "meeting"));
    json_t *am = json_object_get(data, "amendment");
    if (am)
        meeting = json_integer_value(json_object_get(am, "meeting"));
    json_t *m = kt_meeting_json(c->st, meeting);
    int64_t start = 0;
    kt_time_parse(json_string_value(json_object_get(m, "start")), &start);
    json_decref(m);
    char when[80], body[200], text[300];
    kt_time_dutch(start, false, when, sizeof when);
    body_name(c->st, ev->body, body, sizeof body);
    note n = {.kind = "verslag", .body = ev->body, .actor = ev->actor, .meeting = meeting};
    snprintf(n.link, sizeof n.link, "#/vergadering/%lld", (long long)meeting);
    bool chairs = false;
    if (strcmp(ev->type, "minutes.submitted") == 0) {
        snprintf(n.title, sizeof n.title, "Verslag ter vaststelling: %s, %s", body, when);
        snprintf(n.text, sizeof n.text, "Wijzigingen voorstellen kan tot en met %s.",
                 json_string_value(json_object_get(data, "deadline")));
        snprintf(n.dedupe, sizeof n.dedupe, "verslag:m%lld:v%lld", (long long)meeting,
                 (long long)json_integer_value(json_object_get(data, "version")));
    } else if (strcmp(ev->type, "minutes.amended") == 0) {
        char who[200];
        person_name(c->st, ev->actor, who, sizeof who);
        snprintf(n.title, sizeof n.title, "%s stelt een wijziging voor in het verslag van %s, %s",
                 who, body, when);
        excerpt(json_string_value(json_object_get(am, "text")), text, sizeof text);
        snprintf(n.text, sizeof n.text, "%s", text);
        n.item = json_integer_value(json_object_get(am, "item"));
        chairs = true;
    } else {
        snprintf(n.title, sizeof n.title, "Verslag vastgesteld: %s, %s", body, when);
        snprintf(n.text, sizeof n.text, "%s", json_string_value(json_object_get(data, "note")));
    }
    kt_ivec people = {0};
    int rc = members(c->st, ev->body, 0, chairs, &people);
    if (!rc)
        rc = deliver_all(c, &n, &people, audience_of(ev));
    kt_ivec_free(&people);
    return rc;
}

/* Agenderingsverzoeken: a new one goes to the chairs and secretaries of the body that may see
 * it; a decision goes to whoever asked (for a referral: as a member of the body it came from,
 * so that the notification stays as visible as the referred item there). */
static int on_request(kt_ctx *c, kt_event *ev, json_t *data, bool primary)
{
    (void)primary;
    json_t *r = json_object_get(data, "request");
    char title[300], body[200];
    excerpt(json_string_value(json_object_get(r, "title")), title, sizeof title);
    body_name(c->st, ev->body, body, sizeof body);
    int64_t source_body = json_integer_value(json_object_get(r, "source_body"));
    const char *kind = json_string_value(json_object_get(r, "kind"));
    note n = {.kind = "agenda", .body = ev->body, .actor = ev->actor};
    if (strcmp(ev->type, "request.created") == 0) {
        snprintf(n.title, sizeof n.title, "%s: %s",
                 strcmp(kind, "verzoek") == 0      ? "Verzoek om te agenderen"
                 : strcmp(kind, "verwijzing") == 0 ? "Agendapunt verwezen naar dit overleg"
                                                   : "Agendapunt verplaatst naar dit overleg",
                 title);
        snprintf(n.text, sizeof n.text, "%s", body);
        n.item = json_integer_value(json_object_get(r, "source_item"));
        snprintf(n.link, sizeof n.link, "#/overleg/%lld/verzoeken", (long long)ev->body);
        snprintf(n.dedupe, sizeof n.dedupe, "request:%lld",
                 (long long)json_integer_value(json_object_get(r, "id")));
        kt_ivec people = {0};
        int rc = members(c->st, ev->body, 0, true, &people);
        if (!rc)
            rc = deliver_all(c, &n, &people, audience_of(ev));
        kt_ivec_free(&people);
        return rc;
    }
    bool accepted = strcmp(json_string_value(json_object_get(r, "status")), "aanvaard") == 0;
    snprintf(n.title, sizeof n.title, "%s door %s: %s", accepted ? "Geagendeerd" : "Afgewezen",
             body, title);
    if (accepted)
        snprintf(n.text, sizeof n.text, "%s",
                 json_integer_value(json_object_get(r, "item_meeting"))
                     ? "Het onderwerp staat op de agenda van een vergadering."
                     : "Het onderwerp staat op de lijst te agenderen.");
    else
        snprintf(n.text, sizeof n.text, "Reden: %s",
                 json_string_value(json_object_get(r, "reason")));
    n.person = json_integer_value(json_object_get(r, "requester"));
    if (source_body) {
        n.body = source_body;
        n.item = json_integer_value(json_object_get(r, "source_item"));
        snprintf(n.link, sizeof n.link, "#/overleg/%lld/verzoeken", (long long)source_body);
    } else {
        snprintf(n.link, sizeof n.link, "#/overleg/%lld/verzoeken", (long long)ev->body);
    }
    return deliver(c, &n);
}

/* ---- due dates ---- */

#define MAX_DUE_DAYS 30 /* the most days ahead preferences.set accepts (protocol/ops.c) */

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* "YYYY-MM-DD" plus days, into out. */
static void date_plus(const char *date, int days, char *out, size_t n)
{
    int y = 0, m = 0, d = 0;
    if (sscanf(date, "%d-%d-%d", &y, &m, &d) != 3) {
        snprintf(out, n, "%s", date);
        return;
    }
    civil_from_days(days_from_civil(y, m, d) + days, &y, &m, &d);
    snprintf(out, n, "%04d-%02d-%02d", y, m, d);
}

static int due_note(kt_ctx *c, const kt_event *ev, json_t *a, int64_t person, const char *due)
{
    char today[16], horizon[16] = "";
    kt_date_today_local(today, sizeof today);
    int64_t days = 0;
    int rc = kt_store_due_days(c->st, person, &days);
    if (rc && rc != KT_ENOTFOUND)
        return rc;
    if (!rc)
        date_plus(today, (int)days, horizon, sizeof horizon);
    bool overdue = strcmp(due, today) < 0, soon = !overdue && strcmp(due, horizon) <= 0;
    if (!overdue && !soon)
        return 0;
    int64_t body = json_integer_value(json_object_get(a, "body"));
    char text[300], bname[200];
    excerpt(json_string_value(json_object_get(a, "text")), text, sizeof text);
    body_name(c->st, body, bname, sizeof bname);
    note n = {.kind = "due",
              .body = body,
              .actor = 0,
              .person = person,
              .action = json_integer_value(json_object_get(a, "id")),
              .item = json_integer_value(json_object_get(a, "item"))};
    const char *word = action_word(json_string_value(json_object_get(a, "kind")));
    if (overdue)
        snprintf(n.title, sizeof n.title, "%s over de deadline (%s): %s", word, due, bname);
    else
        snprintf(n.title, sizeof n.title, "%s verloopt op %s: %s", word, due, bname);
    snprintf(n.text, sizeof n.text, "%s", text);
    snprintf(n.link, sizeof n.link, "#/overleg/%lld/acties", (long long)body);
    snprintf(n.dedupe, sizeof n.dedupe, "due:%s:a%lld:%s", overdue ? "over" : "soon",
             (long long)n.action, due);
    if (ev) {
        kt_vis vis;
        if (kt_under_item_vis(c->st, n.item, &vis))
            return KT_ESTORE;
        bool ok = sees(c->st, person, body, &vis);
        kt_vis_clear(&vis);
        if (!ok)
            return 0;
    }
    return deliver(c, &n);
}

/* ---- the pass ---- */

static bool is_agenda_change(const char *t)
{
    return strcmp(t, "agenda.added") == 0 || strcmp(t, "agenda.updated") == 0 ||
           strcmp(t, "agenda.removed") == 0;
}

/* One answer per event type. primary: the op changed one item itself (added, updated,
 * removed); the positions that moved because of it are no news of their own. */
typedef int (*answer_fn)(kt_ctx *c, kt_event *ev, json_t *data, bool primary);

static int on_item(kt_ctx *c, kt_event *ev, json_t *data, bool primary)
{
    (void)primary;
    json_t *item = json_object_get(data, "item");
    int rc = on_agenda_change(c, ev, json_integer_value(json_object_get(item, "meeting")), NULL);
    /* A standing item carried to the next meeting is not news to those it concerns. */
    if (!rc && !json_object_get(data, "carried"))
        rc = on_item_relevant(c, ev, item);
    return rc;
}

static int on_item_removed(kt_ctx *c, kt_event *ev, json_t *data, bool primary)
{
    (void)primary;
    return on_agenda_change(c, ev, json_integer_value(json_object_get(data, "meeting")), NULL);
}

static int on_reordered(kt_ctx *c, kt_event *ev, json_t *data, bool primary)
{
    if (primary)
        return 0;
    int64_t meeting = json_integer_value(json_object_get(data, "meeting"));
    json_t *shifts = json_object_get(data, "shifts");
    if (!json_array_size(shifts) || !meeting) /* a backlog's order is announced to no one */
        return on_agenda_change(c, ev, meeting, json_object_get(data, "order"));
    /* A long list's shifts name positions (PROTOCOL.md): the items now at them count too. */
    kt_item_slot *slots = NULL;
    int n = 0;
    int rc = kt_store_item_slots(c->st, ev->body, meeting, &slots, &n);
    if (rc) {
        free(slots);
        return rc;
    }
    json_t *order = json_deep_copy(json_object_get(data, "order")), *s;
    size_t k;
    for (int i = 0; i < n; i++)
        json_array_foreach(shifts, k,
                           s) if (slots[i].pos >= json_integer_value(json_object_get(s, "from")) &&
                                  slots[i].pos <= json_integer_value(json_object_get(s, "to")))
            json_array_append_new(order, json_pack("{s:I}", "id", (json_int_t)slots[i].id));
    free(slots);
    rc = on_agenda_change(c, ev, meeting, order);
    json_decref(order);
    return rc;
}

/* The event types notifications come of. The same table decides whether a write needs a
 * reaction at all (answers()), so a type cannot be handled here and skipped there. */
static const struct {
    const char *type;
    answer_fn fn;
} answer_table[] = {
    {"membership.added", on_membership},
    {"membership.removed", on_membership},
    {"meeting.created", on_meeting},
    {"meeting.updated", on_meeting},
    {"agenda.added", on_item},
    {"agenda.updated", on_item},
    {"agenda.removed", on_item_removed},
    {"agenda.reordered", on_reordered},
    {"action.created", on_action},
    {"action.updated", on_action},
    {"action.proposed", on_proposal},
    {"chat.posted", on_mention},
    {"flag.raised", on_flag},
    {"minutes.submitted", on_minutes},
    {"minutes.amended", on_minutes},
    {"minutes.approved", on_minutes},
    {"request.created", on_request},
    {"request.decided", on_request},
};

static answer_fn answer_for(const char *t)
{
    for (size_t i = 0; i < sizeof answer_table / sizeof answer_table[0]; i++)
        if (strcmp(t, answer_table[i].type) == 0)
            return answer_table[i].fn;
    return NULL;
}

static int notify_one(kt_ctx *c, kt_event *ev, bool primary)
{
    answer_fn fn = answer_for(ev->type);
    if (!fn)
        return 0;
    json_t *data = kt_render_full(c->st, ev); /* what it is about, as it is now (borrowed) */
    if (!data)
        return 0; /* gone already: nothing to tell */
    return fn(c, ev, data, primary);
}

static const kt_principal notifier = {.person = 0, .name = "ketentafel"};

/* Whether notify_one() answers an event of this type. */
static bool answers(const char *t)
{
    return answer_for(t) != NULL;
}

/* The id of the message a chat event is about, from its stored payload ({"message":{"id":N}},
 * kt_render_stored): read without parsing the JSON when it has that shape. 0: none. */
static int64_t message_of(const kt_event *ev)
{
    static const char prefix[] = "{\"message\":{\"id\":";
    if (strncmp(ev->payload, prefix, sizeof prefix - 1) == 0) {
        char *end;
        long long id = strtoll(ev->payload + sizeof prefix - 1, &end, 10);
        if (strcmp(end, "}}") == 0)
            return id;
    }
    json_t *stored = json_loads(ev->payload, 0, NULL);
    json_t *m = json_object_get(stored, "message");
    int64_t id = json_integer_value(json_is_object(m) ? json_object_get(m, "id") : m);
    json_decref(stored);
    return id;
}

/* A chat message can mention someone only with an '@' in it (kt_chat_mentions). Its text is
 * the change's own result when that is the message (chat.post answers with it), else read.
 * When in doubt (the store failed): yes. */
static bool may_mention(kt_store *st, const kt_event *ev, const json_t *result)
{
    int64_t id = message_of(ev);
    const json_t *m = json_object_get(result, "message");
    const char *own = json_string_value(json_object_get(m, "text"));
    if (id && own && json_integer_value(json_object_get(m, "id")) == id)
        return strchr(own, '@');
    char *text = NULL;
    if (!id || kt_store_message_text(st, id, &text))
        return true;
    bool yes = strchr(text, '@');
    free(text);
    return yes;
}

bool kt_notify_wants(kt_store *st, kt_event *const *events, int n, const json_t *result)
{
    for (int i = 0; i < n; i++) {
        const kt_event *ev = events[i];
        if (ev->body < 0 || !answers(ev->type)) /* persons' own streams cause none */
            continue;
        if (strcmp(ev->type, "chat.posted") != 0 || may_mention(st, ev, result))
            return true;
    }
    return false;
}

int kt_notify_react(kt_ctx *c, kt_event *const *events, int n)
{
    int rc = 0;
    /* primary: an item itself changed in this write, so the positions that moved with it are no
     * second announcement */
    bool primary = false;
    for (int i = 0; i < n; i++)
        primary = primary || is_agenda_change(events[i]->type);
    /* Events of persons' own streams (notifications themselves) cause none. */
    for (int i = 0; !rc && i < n; i++)
        if (events[i]->body >= 0)
            rc = notify_one(c, events[i], primary);
    if (rc && c->code == KT_C_NONE)
        kt_fail_err(c, rc);
    return rc ? -1 : 0;
}

void kt_notify_due_scan(kt_app *app)
{
    kt_ctx c;
    kt_ctx_init(&c, app, &notifier, NULL);
    char today[16];
    kt_date_today_local(today, sizeof today);
    /* Everything due within the longest horizon anyone may choose; due_note() holds each
     * action against its owner's own. */
    char horizon[16];
    date_plus(today, MAX_DUE_DAYS, horizon, sizeof horizon);
    kt_ivec ids = {0}, owners = {0};
    int rc = kt_store_begin(c.st);
    if (!rc)
        rc = kt_store_actions_due(c.st, horizon, &ids, &owners);
    for (size_t i = 0; !rc && i < ids.n; i++) {
        json_t *a = NULL;
        rc = kt_store_action_get(c.st, ids.v[i], &a);
        if (rc == KT_ENOTFOUND)
            rc = 0; /* gone since */
        const char *due = a ? json_string_value(json_object_get(a, "due")) : NULL;
        if (due) {
            kt_vis vis;
            rc = kt_under_item_vis(c.st, json_integer_value(json_object_get(a, "item")), &vis);
            bool ok = !rc &&
                      sees(c.st, owners.v[i], json_integer_value(json_object_get(a, "body")), &vis);
            kt_vis_clear(&vis);
            if (ok)
                rc = due_note(&c, NULL, a, owners.v[i], due);
        }
        json_decref(a);
    }
    kt_ivec_free(&ids);
    kt_ivec_free(&owners);
    if (!rc && kt_store_in_txn(c.st))
        rc = kt_store_commit(c.st);
    else
        kt_store_rollback(c.st);
    if (!rc)
        kt_ctx_defer_publish(&c);
    kt_ctx_clear(&c);
}

#include "protocol/dispatch.h"

#include "bus/bus.h"
#include "domain/audit.h"
#include "feed/mail.h"
#include "live/conn.h"
#include "live/render.h"
#include "protocol/ops.h"
#include "store/actions.h"
#include "store/bodies.h"
#include "store/indexer.h"
#include "store/items.h"
#include "store/meetings.h"
#include "store/memberships.h"
#include "store/reactions.h"
#include "store/requests.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- the request context ---- */

void kt_ctx_init(kt_ctx *c, kt_app *app, const kt_principal *me, json_t *args)
{
    memset(c, 0, sizeof *c);
    c->app = app;
    c->st = app->store;
    c->me = me;
    c->args = args;
    c->viewer.person = me ? me->person : 0;
    c->viewer.org = me ? me->org : 0;
    c->viewer.admin = me && me->admin;
    c->viewer.n_items = -1;
}

void kt_touch_meeting(kt_ctx *c, int64_t meeting)
{
    kt_ivec_add(&c->touched_meetings, meeting);
}

void kt_touch_item(kt_ctx *c, int64_t item)
{
    kt_ivec_add(&c->touched_items, item);
}

void kt_touch_body(kt_ctx *c, int64_t body)
{
    kt_ivec_add(&c->touched_bodies, body);
}

void kt_ctx_clear(kt_ctx *c)
{
    kt_ivec_free(&c->touched_meetings);
    kt_ivec_free(&c->touched_items);
    kt_ivec_free(&c->touched_bodies);
    for (int i = 0; i < c->n_events; i++)
        kt_event_unref(c->events[i]);
    free(c->events);
    free(c->guest_items);
    if (c->mail) {
        kt_mail_clear(c->mail);
        free(c->mail);
        c->mail = NULL;
    }
    json_decref(c->result);
    c->events = NULL;
    c->guest_items = NULL;
    c->result = NULL;
    c->n_events = 0;
}

int kt_fail(kt_ctx *c, kt_code code, const char *fmt, ...)
{
    c->code = code;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->message, sizeof c->message, fmt, ap);
        va_end(ap);
    } else {
        snprintf(c->message, sizeof c->message, "%s", kt_code_message(code));
    }
    return -1;
}

int kt_fail_err(kt_ctx *c, int err)
{
    if (c->code != KT_C_NONE)
        return -1;
    switch (err) {
    case KT_ENOTFOUND:
        return kt_fail(c, KT_C_NOT_FOUND, NULL);
    case KT_EFORBIDDEN:
        return kt_fail(c, KT_C_FORBIDDEN, NULL);
    case KT_ECONFLICT:
        return kt_fail(c, KT_C_CONFLICT, NULL);
    case KT_EBUSY:
        return kt_fail(c, KT_C_STORE_BUSY, NULL);
    case KT_EUNAVAIL:
        return kt_fail(c, KT_C_STORE_UNAVAILABLE, NULL);
    case KT_EINVAL:
        return kt_fail(c, KT_C_INVALID_ARGUMENT, NULL);
    case KT_ESTATE:
        return kt_fail(c, KT_C_INVALID_STATE, NULL);
    default:
        return kt_fail(c, KT_C_INTERNAL, NULL);
    }
}

int kt_emit(kt_ctx *c, int64_t body, const char *type, const kt_vis *vis, json_t *data)
{
    /* Stored: what the event is about, not its content; the content is read, and who may see
     * it decided, when the event is sent (live/render.h). */
    json_t *stored = kt_render_stored(type, data);
    char *payload = stored ? json_dumps(stored, JSON_COMPACT) : NULL;
    char *vis_text = kt_vis_dump(vis);
    json_decref(stored);
    /* Who did what: the change log entry of a body's record, in this transaction. */
    int audit_rc = kt_audit_event(c, body, type, data);
    json_decref(data);
    if (audit_rc) {
        free(payload);
        free(vis_text);
        return kt_fail_err(c, audit_rc);
    }
    int64_t seq = 0;
    int rc = payload ? kt_store_event_append(c->st, body, type, vis_text, payload,
                                             c->me ? c->me->person : 0, &seq)
                     : KT_ENOMEM;
    kt_event *ev =
        rc ? NULL
           : kt_event_new(body, seq, type, vis_text, payload, c->me ? c->me->person : 0, kt_now());
    free(payload);
    free(vis_text);
    if (!ev)
        return kt_fail_err(c, rc ? rc : KT_ENOMEM);
    if (c->n_events == c->cap_events) {
        int cap = c->cap_events ? c->cap_events * 2 : 4;
        kt_event **e = realloc(c->events, (size_t)cap * sizeof *e);
        if (!e) {
            kt_event_unref(ev);
            return kt_fail_err(c, KT_ENOMEM);
        }
        c->events = e;
        c->cap_events = cap;
    }
    c->events[c->n_events++] = ev;
    return 0;
}

/* ---- replies ---- */

json_t *kt_reply_error(json_t *id, int code, const char *message)
{
    return json_pack("{s:O?, s:b, s:{s:s, s:s}}", "id", id, "ok", 0, "error", "code",
                     kt_code_name((kt_code)code), "message",
                     message && *message ? message : kt_code_message((kt_code)code));
}

static json_t *reply_ok(json_t *id, json_t *result)
{
    return json_pack("{s:O?, s:b, s:o}", "id", id, "ok", 1, "result",
                     result ? result : json_object());
}

/* The reply to request id once its op ran (ok) or failed (c's error, counted in /metrics): takes
 * c->result. The one place a reply is made of an op's outcome, for a write run the first time
 * and for one run again after its group was rolled back (regroup). New reference. */
static json_t *op_reply(kt_app *app, json_t *id, kt_ctx *c, bool ok)
{
    if (!ok) {
        app->counters.request_errors++;
        return kt_reply_error(id, c->code, c->message);
    }
    json_t *reply = reply_ok(id, c->result);
    c->result = NULL;
    return reply;
}

/* ---- argument validation ---- */

static bool str_trimmed_nonempty(const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return false;
    return !(s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t' ||
             s[n - 1] == '\n');
}

static int check_arg(kt_ctx *c, const kt_argspec *a, json_t *v)
{
    if (json_is_null(v)) {
        if (a->flags & KT_A_NULLABLE)
            return 0;
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "'%s' mag niet leeg (null) zijn.", a->name);
    }
    switch (a->type) {
    case KT_T_ID:
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return kt_fail(c, KT_C_INVALID_ARGUMENT, "'%s' moet een positief geheel getal zijn.",
                           a->name);
        return 0;
    case KT_T_INT:
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            (a->max && json_integer_value(v) > a->max))
            return kt_fail(c, KT_C_INVALID_ARGUMENT,
                           "'%s' moet een geheel getal van 0 tot %d zijn.", a->name, a->max);
        return 0;
    case KT_T_STR:
    case KT_T_TEXT:
        if (!json_is_string(v))
            return kt_fail(c, KT_C_INVALID_ARGUMENT, "'%s' moet tekst zijn.", a->name);
        if (a->type == KT_T_STR && !str_trimmed_nonempty(json_string_value(v)))
            return kt_fail(c, KT_C_INVALID_ARGUMENT,
                           "'%s' mag niet leeg zijn of met spaties beginnen of eindigen.", a->name);
        if (a->max && kt_utf8_length(json_string_value(v)) > (size_t)a->max)
            return kt_fail(c, KT_C_INVALID_ARGUMENT, "'%s' is langer dan %d tekens.", a->name,
                           a->max);
        if (strlen(json_string_value(v)) != json_string_length(v))
            return kt_fail(c, KT_C_INVALID_ARGUMENT, "'%s' bevat een NUL-teken.", a->name);
        return 0;
    case KT_T_BOOL:
        if (!json_is_boolean(v))
            return kt_fail(c, KT_C_INVALID_ARGUMENT, "'%s' moet true of false zijn.", a->name);
        return 0;
    case KT_T_TIME: {
        int64_t t;
        if (!json_is_string(v) || kt_time_parse(json_string_value(v), &t))
            return kt_fail(c, KT_C_INVALID_ARGUMENT,
                           "'%s' moet een tijdstip zijn als 2026-12-01T09:30:00Z.", a->name);
        return 0;
    }
    case KT_T_DATE:
        if (!json_is_string(v) || !kt_date_valid(json_string_value(v)))
            return kt_fail(c, KT_C_INVALID_ARGUMENT, "'%s' moet een datum zijn als 2026-12-01.",
                           a->name);
        return 0;
    case KT_T_ENUM:
        if (json_is_string(v))
            for (const char *const *p = a->values; *p; p++)
                if (strcmp(*p, json_string_value(v)) == 0)
                    return 0;
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "'%s' heeft geen toegestane waarde.", a->name);
    case KT_T_IDS: {
        if (!json_is_array(v) || (a->max && json_array_size(v) > (size_t)a->max))
            return kt_fail(c, KT_C_INVALID_ARGUMENT, "'%s' moet een lijst van ids zijn.", a->name);
        size_t i;
        json_t *x;
        json_array_foreach(
            v, i, x) if (!json_is_integer(x) ||
                         json_integer_value(x) <=
                             0) return kt_fail(c, KT_C_INVALID_ARGUMENT,
                                               "'%s' moet een lijst van positieve ids zijn.",
                                               a->name);
        return 0;
    }
    case KT_T_ARRAY:
        if (!json_is_array(v) || (a->max && json_array_size(v) > (size_t)a->max))
            return kt_fail(c, KT_C_INVALID_ARGUMENT, "'%s' moet een lijst zijn.", a->name);
        return 0;
    case KT_T_OBJECT:
        if (!json_is_object(v) || (a->max && json_object_size(v) > (size_t)a->max))
            return kt_fail(c, KT_C_INVALID_ARGUMENT, "'%s' moet een object zijn.", a->name);
        return 0;
    }
    return kt_fail(c, KT_C_INTERNAL, NULL);
}

static int check_args(kt_ctx *c, const kt_op *op)
{
    const char *key;
    json_t *v;
    json_object_foreach(c->args, key, v)
    {
        if (strcmp(key, "id") == 0 || strcmp(key, "op") == 0 || strcmp(key, "key") == 0)
            continue;
        const kt_argspec *a = op->args;
        while (a->name && strcmp(a->name, key) != 0)
            a++;
        if (!a->name)
            return kt_fail(c, KT_C_UNKNOWN_ARGUMENT, "Onbekend gegeven '%.64s' bij %s.", key,
                           op->name);
        if (check_arg(c, a, v))
            return -1;
    }
    for (const kt_argspec *a = op->args; a->name; a++)
        if ((a->flags & KT_A_REQUIRED) && !json_object_get(c->args, a->name))
            return kt_fail(c, KT_C_MISSING_ARGUMENT, "Het gegeven '%s' ontbreekt.", a->name);
    return 0;
}

/* ---- target body and permission ---- */

int kt_item_vis_load(kt_store *st, int64_t item, kt_vis *out); /* domain/items.c */

static int item_visible(kt_ctx *c, int64_t item, bool *visible)
{
    kt_vis vis;
    int rc = kt_item_vis_load(c->st, item, &vis);
    if (rc)
        return rc;
    *visible = kt_acl_visible(&c->viewer, &vis);
    kt_vis_clear(&vis);
    return 0;
}

static const char *const target_names[] = {
    [KT_TGT_BODY] = "Dit overleg",
    [KT_TGT_MEETING] = "Deze vergadering",
    [KT_TGT_ITEM] = "Dit agendapunt",
    [KT_TGT_ACTION] = "Dit actiepunt",
};

static int resolve_target(kt_ctx *c, const kt_op *op)
{
    kt_target t = op->target;
    if (t == KT_TGT_NONE) {
        if (op->perm == KT_PERM_ADMIN && !c->viewer.admin)
            return kt_fail(c, KT_C_FORBIDDEN, "Alleen een beheerder mag dit.");
        return 0;
    }
    int64_t named_body = 0;
    if (t == KT_TGT_MEETING_OR_BODY) {
        json_t *m = json_object_get(c->args, "meeting");
        t = m && !json_is_null(m) ? KT_TGT_MEETING : KT_TGT_BODY;
        if (t == KT_TGT_BODY && !json_object_get(c->args, "body"))
            return kt_fail(c, KT_C_MISSING_ARGUMENT, "Geef 'meeting' of 'body' op.");
        if (t == KT_TGT_MEETING)
            named_body = json_integer_value(json_object_get(c->args, "body"));
    }
    static const char *const arg[] = {[KT_TGT_BODY] = "body",
                                      [KT_TGT_MEETING] = "meeting",
                                      [KT_TGT_ITEM] = "item",
                                      [KT_TGT_ACTION] = "action"};
    int64_t id = json_integer_value(json_object_get(c->args, arg[t]));
    int64_t item = 0;
    int rc = 0;
    int64_t meeting = 0;
    kt_store_member member;
    bool have_member = false; /* read with the body: one query (a round trip on PostgreSQL) */
    switch (t) {
    case KT_TGT_BODY:
        rc = kt_store_body_membership_find(c->st, id, c->me->person, &member);
        have_member = rc == 0;
        c->body = id;
        break;
    case KT_TGT_MEETING:
        rc = kt_store_meeting_body(c->st, id, &c->body);
        break;
    case KT_TGT_ITEM:
        rc = kt_store_item_place(c->st, id, &c->body, &meeting);
        item = id;
        break;
    case KT_TGT_ACTION:
        rc = kt_store_action_where(c->st, id, &c->body, &item);
        break;
    default:
        break;
    }
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "%s bestaat niet.", target_names[t]);
    if (rc)
        return kt_fail_err(c, rc);
    if (have_member)
        kt_viewer_from_member(c->me, &member, &c->viewer, &c->guest_items);
    else if ((rc = kt_viewer_load(c->st, c->body, c->me, &c->viewer, &c->guest_items)))
        return kt_fail_err(c, rc);
    /* What the caller may not see does not exist for them, whatever they may do: a meeting,
     * item or action of a body they are no member of, or an item (or an action under it)
     * outside their audience, is not_found as an unknown id - a refusal would say that it
     * exists, and in which body. Permission is refused only for what they see. */
    bool visible = t == KT_TGT_BODY || c->viewer.role != KT_ROLE_NONE;
    if (visible && item) {
        rc = item_visible(c, item, &visible); /* not found: visible stays as it is */
        if (rc && rc != KT_ENOTFOUND)
            return kt_fail_err(c, rc);
    }
    if (!visible)
        return kt_fail(c, KT_C_NOT_FOUND, "%s bestaat niet.", target_names[t]);
    if (named_body && named_body != c->body)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "Deze vergadering hoort niet bij 'body'.");
    if (!kt_acl_allows(&c->viewer, op->perm)) {
        if (c->viewer.role == KT_ROLE_NONE && op->perm != KT_PERM_ADMIN &&
            op->perm != KT_PERM_MANAGE)
            return kt_fail(c, KT_C_NOT_MEMBER, NULL);
        return kt_fail(c, KT_C_FORBIDDEN, NULL);
    }
    return 0;
}

/* ---- running an op ---- */

/* Moves the committed events of c to the app's pending list (published by the caller). */
void kt_ctx_defer_publish(kt_ctx *c)
{
    kt_app *app = c->app;
    /* The events waiting are of writes that committed before this one, which may have changed
     * what they are about: what their writes handed over is no longer "as it is now". */
    for (int i = 0; c->n_events && i < app->n_pending; i++)
        kt_render_forget(app->pending[i]);
    if (app->n_pending + c->n_events > app->cap_pending) {
        int cap = app->cap_pending ? app->cap_pending : 16;
        while (cap < app->n_pending + c->n_events)
            cap *= 2;
        kt_event **p = realloc(app->pending, (size_t)cap * sizeof *p);
        if (!p) { /* cannot defer: publish now rather than lose events */
            for (int i = 0; i < c->n_events; i++)
                kt_bus_publish(app->bus, c->events[i]);
            return;
        }
        app->pending = p;
        app->cap_pending = cap;
    }
    for (int i = 0; i < c->n_events; i++)
        app->pending[app->n_pending++] = kt_event_ref(c->events[i]);
}

void kt_dispatch_publish(kt_app *app)
{
    /* Publishing may dispatch nothing new, but be safe against reentry all the same. */
    while (app->n_pending) {
        int n = app->n_pending;
        kt_event **evs = app->pending;
        app->pending = NULL;
        app->n_pending = app->cap_pending = 0;
        for (int i = 0; i < n; i++) {
            kt_bus_publish(app->bus, evs[i]);
            app->counters.events_published++;
            kt_event_unref(evs[i]);
        }
        free(evs);
    }
}

/* A write that carries a request key and was done before: its first result, again.
 * 1 when it was (c->result or the error set), 0 when not, or a negative error. */
static int replayed(kt_ctx *c, const char *key, const kt_op *op)
{
    char *first_op, *result;
    int rc = kt_store_request_find(c->st, c->me->person, key, &first_op, &result);
    if (rc == KT_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (strcmp(first_op, op->name) != 0)
        kt_fail(c, KT_C_CONFLICT, "Deze 'key' hoort bij een andere bewerking.");
    else
        c->result = json_loads(result, 0, NULL);
    free(first_op);
    free(result);
    return 1;
}

static int remember(kt_ctx *c, const char *key, const kt_op *op)
{
    char *text = json_dumps(c->result ? c->result : json_object(), JSON_COMPACT);
    if (!text)
        return kt_fail_err(c, KT_ENOMEM);
    int rc = kt_store_request_remember(c->st, c->me->person, key, op->name, text, kt_now());
    free(text);
    return rc ? kt_fail_err(c, rc) : 0;
}

static json_t *ids_json(const kt_ivec *v)
{
    json_t *a = json_array();
    for (size_t i = 0; i < v->n; i++)
        json_array_append_new(a, json_integer(v->v[i]));
    return a;
}

/* What the reactions (react/react.h: detectors, notifications) must still see of this change:
 * its events on body streams and what it touched. Recorded in the change's own transaction, so
 * that it is there exactly when the change is. *job 0: nothing to react to. */
static int record_reaction(kt_ctx *c, int64_t *job)
{
    *job = 0;
    kt_app *app = c->app;
    if (app->wants_reaction && !app->wants_reaction(app->on_commit_arg, c))
        return 0;
    json_t *events = json_array();
    for (int i = 0; i < c->n_events; i++)
        if (c->events[i]->body > 0)
            json_array_append_new(events, json_pack("[I, I]", (json_int_t)c->events[i]->body,
                                                    (json_int_t)c->events[i]->seq));
    if (!json_array_size(events) && !c->touched_meetings.n && !c->touched_items.n &&
        !c->touched_bodies.n) {
        json_decref(events);
        return 0;
    }
    json_t *payload =
        json_pack("{s:o, s:o, s:o, s:o}", "e", events, "m", ids_json(&c->touched_meetings), "i",
                  ids_json(&c->touched_items), "b", ids_json(&c->touched_bodies));
    char *text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    int rc = text ? kt_store_reaction_add(c->st, c->app->cfg.node_id ? c->app->cfg.node_id : "",
                                          text, kt_now(), job)
                  : KT_ENOMEM;
    free(text);
    return rc ? kt_fail_err(c, rc) : 0;
}

/* What a committed write still has to do: send its mail, and have its reactions run. */
static void after_commit(kt_app *app, struct kt_mail *mail, int64_t job)
{
    if (mail && (!app->send_mail || app->send_mail(app->digest, mail))) {
        kt_mail_clear(mail); /* not taken */
        kt_warn("mail not queued", NULL);
    }
    if (job && app->on_commit)
        app->on_commit(app->on_commit_arg, job); /* after the reply and the publishing */
}

static void regroup(kt_app *app);

static void abandon(kt_ctx *c, bool grouped)
{
    if (!grouped)
        kt_store_rollback(c->st);
    else if (kt_store_group_leave(c->st, false) == KT_EREDO)
        regroup(c->app); /* it changed rows, which only the group's rollback undoes */
}

/* Runs op in its transaction. A grouped write ends in the open group (committed later, by
 * kt_dispatch_flush); every other op commits here. 0 or -1 (error recorded). */
static int run(kt_ctx *c, const kt_op *op)
{
    bool grouped = op->write && c->grouped;
    int rc =
        grouped ? (c->isolated ? kt_store_group_enter_isolated(c->st) : kt_store_group_enter(c->st))
        : op->write ? kt_store_begin(c->st)
                    : kt_store_begin_read(c->st);
    if (rc)
        return kt_fail_err(c, rc);
    const char *key = op->write ? json_string_value(json_object_get(c->args, "key")) : NULL;
    int seen = key ? replayed(c, key, op) : 0;
    if (seen) {
        abandon(c, grouped);
        if (seen < 0)
            return kt_fail_err(c, seen);
        return c->code == KT_C_NONE ? 0 : -1;
    }
    int64_t job = 0;
    if (resolve_target(c, op) || op->fn(c) || (key && !c->secret_result && remember(c, key, op)) ||
        (op->write && record_reaction(c, &job))) {
        abandon(c, grouped);
        if (c->code == KT_C_NONE)
            kt_fail(c, KT_C_INTERNAL, NULL);
        return -1;
    }
    if (grouped) {
        if ((rc = kt_store_group_leave(c->st, true))) {
            if (rc == KT_EREDO) /* a check it deferred failed: the transaction is spoilt */
                regroup(c->app);
            return kt_fail_err(c, rc);
        }
        c->job = job;
        return 0;
    }
    rc = kt_store_commit(c->st);
    if (rc)
        return kt_fail_err(c, rc);
    kt_ctx_defer_publish(c); /* only what is committed is published, after the reply */
    if (op->write)           /* the search index catches up, off the loop thread */
        kt_indexer_kick(c->app->indexer);
    after_commit(c->app, c->mail, job);
    return 0;
}

/* ---- group commit ---- */

/* A write in the open group: its reply, the events it appended and what it does after the
 * commit, all held until the commit; and the request itself, to run it again should the group
 * be rolled back (regroup). */
typedef struct kt_held {
    void *conn; /* NULL once the connection went away */
    json_t *reply;
    bool ok;
    kt_event **events;
    int n_events;
    struct kt_mail *mail;
    int64_t job;
    json_t *req; /* the request (a reference); NULL for an error reply */
    const kt_op *op;
    kt_principal me; /* who asked (a copy: the connection may go before the commit) */
} kt_held;

#define GROUP_MAX 512 /* writes in one group: a longer burst commits in several */

/* Takes c's outcome into h (its events and mail move). */
static void held_take(kt_held *h, kt_ctx *c, json_t *reply, bool ok)
{
    h->reply = reply;
    h->ok = ok;
    h->job = ok ? c->job : 0;
    h->events = NULL;
    h->n_events = 0;
    h->mail = NULL;
    if (ok) {
        h->events = c->events;
        h->n_events = c->n_events;
        h->mail = c->mail;
        c->events = NULL;
        c->n_events = c->cap_events = 0;
        c->mail = NULL;
    }
}

/* Drops what h's run produced (its reply, events and mail), not the request. */
static void held_drop_outcome(kt_held *h)
{
    for (int i = 0; i < h->n_events; i++)
        kt_event_unref(h->events[i]);
    free(h->events);
    h->events = NULL;
    h->n_events = 0;
    if (h->mail) {
        kt_mail_clear(h->mail);
        free(h->mail);
        h->mail = NULL;
    }
    json_decref(h->reply);
    h->reply = NULL;
}

static int hold(kt_app *app, kt_ctx *c, const kt_op *op, json_t *reply, bool ok)
{
    if (app->n_held == app->cap_held) {
        int cap = app->cap_held ? app->cap_held * 2 : 64;
        kt_held *h = realloc(app->held, (size_t)cap * sizeof *h);
        if (!h)
            return KT_ENOMEM;
        app->held = h;
        app->cap_held = cap;
    }
    kt_held *h = &app->held[app->n_held++];
    *h = (kt_held){.conn = c->conn, .op = op};
    if (ok) { /* only a write that stays in the group may have to run again */
        h->req = json_incref(c->args);
        h->me = *c->me;
    }
    held_take(h, c, reply, ok);
    return 0;
}

static void held_clear(kt_held *h)
{
    held_drop_outcome(h);
    json_decref(h->req);
}

/* A write of the open group failed after it had changed rows (SQLite: no savepoint per write,
 * store.h): the group is rolled back, and its writes that had succeeded run again, in their
 * order, each isolated in a savepoint of its own this time, so that a second failure costs only
 * itself. Nothing of them was answered or published yet: their first outcome is dropped and the
 * new one held in its place. Rare (most failures are refusals before anything is written);
 * counted in /metrics (kt_group_redos_total). */
static void regroup(kt_app *app)
{
    kt_store_group_abort(app->store);
    app->counters.group_redos++;
    kt_warn("a write failed after changing rows: its group runs again without it", "writes=%d",
            app->n_held);
    for (int i = 0; i < app->n_held; i++) {
        kt_held *h = &app->held[i];
        if (!h->ok)
            continue;
        json_t *id = json_incref(json_object_get(h->req, "id"));
        held_drop_outcome(h);
        kt_ctx c;
        kt_ctx_init(&c, app, &h->me, h->req);
        c.conn = h->conn;
        c.grouped = c.isolated = true;
        bool ok = run(&c, h->op) == 0;
        json_t *reply = op_reply(app, id, &c, ok);
        json_decref(id);
        held_take(h, &c, reply, ok);
        kt_ctx_clear(&c);
    }
}

/* Sends h's reply. When its result is the very data one of its events goes out with (chat.post
 * answers with the message its event carries), that data's text is made once for both
 * (live/render.h, kt_render_text_of): the reply is its envelope around that text, byte for byte
 * what serialising the whole reply writes. */
static void send_held_reply(kt_held *h)
{
    json_t *result = h->ok ? json_object_get(h->reply, "result") : NULL;
    kt_frame *text = NULL;
    for (int i = 0; result && !text && i < h->n_events; i++)
        text = kt_render_text_of(h->events[i], result);
    json_t *envelope =
        text ? json_pack("{s:O?, s:b}", "id", json_object_get(h->reply, "id"), "ok", 1) : NULL;
    kt_frame *f = envelope ? kt_frame_with_member(envelope, "result", text) : NULL;
    json_decref(envelope);
    if (!f) {
        kt_conn_send_json(h->conn, h->reply);
        return;
    }
    kt_conn_send(h->conn, f);
    kt_frame_unref(f);
}

void kt_dispatch_flush(kt_app *app)
{
    bool open = kt_store_group_open(app->store);
    if (!app->n_held && !open)
        return;
    int rc = kt_store_group_commit(app->store);
    if (rc)
        kt_error("group commit failed; its writes are answered with an error", "writes=%d rc=%d",
                 app->n_held, rc);
    else if (app->n_held && open) {
        app->counters.group_commits++;
        app->counters.group_writes += (uint64_t)app->n_held;
        /* the search index catches up, off the loop thread */
        kt_indexer_kick_writes(app->indexer, app->n_held);
    }
    /* Take the list first: sending and publishing may dispatch nothing, but be safe. */
    kt_held *held = app->held;
    int n = app->n_held;
    app->held = NULL;
    app->n_held = app->cap_held = 0;
    for (int i = 0; i < n; i++) {
        kt_held *h = &held[i];
        if (rc && h->ok) { /* nothing of it is stored: say so */
            json_t *failed = kt_reply_error(json_object_get(h->reply, "id"),
                                            rc == KT_EBUSY      ? KT_C_STORE_BUSY
                                            : rc == KT_EUNAVAIL ? KT_C_STORE_UNAVAILABLE
                                                                : KT_C_INTERNAL,
                                            NULL);
            json_decref(h->reply);
            h->reply = failed;
            app->counters.request_errors++;
        }
        if (h->conn && h->reply)
            send_held_reply(h);
        if (!rc && h->ok) {
            kt_ctx tmp = {.app = app, .events = h->events, .n_events = h->n_events};
            kt_ctx_defer_publish(&tmp);
        }
    }
    kt_dispatch_publish(app);
    for (int i = 0; i < n; i++) {
        if (!rc && held[i].ok)
            after_commit(app, held[i].mail, held[i].job);
        held_clear(&held[i]);
    }
    free(held);
}

void kt_dispatch_forget_conn(kt_app *app, void *conn)
{
    for (int i = 0; i < app->n_held; i++)
        if (app->held[i].conn == conn)
            app->held[i].conn = NULL;
}

static void flush_hook(void *arg)
{
    kt_dispatch_flush(arg);
}

void kt_dispatch_group_commit(kt_app *app, bool on)
{
    app->group_commit = on;
    kt_store_set_group_flush(app->store, on ? flush_hook : NULL, on ? app : NULL);
}

/* Moves what child did into c: its events (in order) and what it touched. */
static int adopt(kt_ctx *c, kt_ctx *child)
{
    for (int i = 0; i < child->n_events; i++) {
        if (c->n_events == c->cap_events) {
            int cap = c->cap_events ? c->cap_events * 2 : 16;
            kt_event **e = realloc(c->events, (size_t)cap * sizeof *e);
            if (!e)
                return KT_ENOMEM;
            c->events = e;
            c->cap_events = cap;
        }
        c->events[c->n_events++] = child->events[i];
        child->events[i] = NULL;
    }
    child->n_events = 0;
    const kt_ivec *from[] = {&child->touched_meetings, &child->touched_items,
                             &child->touched_bodies};
    kt_ivec *to[] = {&c->touched_meetings, &c->touched_items, &c->touched_bodies};
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < from[k]->n; i++)
            if (kt_ivec_add(to[k], from[k]->v[i]))
                return KT_ENOMEM;
    return 0;
}

int kt_dispatch_sub(kt_ctx *c, const char *name, json_t *args, const char *where, json_t **result)
{
    if (result)
        *result = NULL;
    const kt_op *op = kt_op_find(name);
    if (!op || !c->me)
        return kt_fail(c, KT_C_INTERNAL, NULL);
    kt_ctx child;
    kt_ctx_init(&child, c->app, c->me, args);
    child.conn = c->conn;
    int rc = check_args(&child, op) || resolve_target(&child, op) || op->fn(&child) ? -1 : 0;
    if (!rc && child.mail) /* no op made of others sends mail: refuse rather than lose it */
        rc = kt_fail(&child, KT_C_INTERNAL, NULL);
    for (int i = 0; !rc && i < child.n_events; i++) /* c goes on changing after this */
        kt_render_forget(child.events[i]);
    if (!rc && adopt(c, &child))
        rc = kt_fail(&child, KT_C_INTERNAL, NULL);
    if (rc) {
        if (child.code == KT_C_NONE)
            kt_fail(&child, KT_C_INTERNAL, NULL);
        kt_fail(c, child.code, "%s%s", where ? where : "", child.message);
    } else if (result) {
        *result = child.result ? child.result : json_object();
        child.result = NULL;
    }
    kt_ctx_clear(&child);
    return rc;
}

json_t *kt_dispatch(kt_app *app, const kt_principal *me, void *conn, json_t *req)
{
    json_t *id = json_object_get(req, "id");
    const char *name = json_string_value(json_object_get(req, "op"));
    if (!id || !(json_is_integer(id) || (json_is_string(id) && json_string_length(id) <= 64)))
        return kt_reply_error(NULL, KT_C_INVALID_REQUEST,
                              "Elk verzoek heeft een 'id' (getal of tekst tot 64 tekens).");
    if (!name)
        return kt_reply_error(id, KT_C_INVALID_REQUEST, "Het verzoek noemt geen 'op'.");
    const kt_op *op = kt_op_find(name);
    app->counters.requests++;
    json_t *rkey = json_object_get(req, "key");
    if (rkey &&
        (!json_is_string(rkey) || json_string_length(rkey) == 0 || json_string_length(rkey) > 64))
        return kt_reply_error(id, KT_C_INVALID_REQUEST,
                              "'key' is een tekst van 1 tot 64 tekens die een schrijfverzoek "
                              "eenmalig maakt.");
    if (!op) {
        app->counters.request_errors++;
        return kt_reply_error(id, KT_C_UNKNOWN_OP, NULL);
    }
    kt_ctx c;
    kt_ctx_init(&c, app, me, req);
    c.conn = conn;
    /* Writes over a connection join the group commit; the loop commits the group once it has
     * read what arrived (kt_dispatch_flush). A read commits the group first (the store does),
     * so that it sees only what is committed. */
    c.grouped = conn && app->group_commit && op->write;
    if (c.grouped && kt_store_group_size(app->store) >= GROUP_MAX)
        kt_dispatch_flush(app);
    kt_store_stale_take(app->store);
    bool ok = check_args(&c, op) == 0 && run(&c, op) == 0;
    /* A write that went by a membership the store remembered (store/memberships.c), which had
     * changed meanwhile (another node changed it), failed before anything of it committed, and
     * the store forgot what it remembered: it runs once more, reading. */
    if (!ok && op->write && kt_store_stale_take(app->store)) {
        app->counters.stale_reruns++;
        bool grouped = c.grouped;
        kt_ctx_clear(&c);
        kt_ctx_init(&c, app, me, req);
        c.conn = conn;
        c.grouped = grouped;
        ok = check_args(&c, op) == 0 && run(&c, op) == 0;
    }
    json_t *reply = op_reply(app, id, &c, ok);
    /* Held until the group commits (errors too: a connection's replies keep their order). */
    if (c.grouped && (kt_store_group_open(app->store) || app->n_held) &&
        hold(app, &c, op, reply, ok) == 0)
        reply = NULL;
    kt_ctx_clear(&c);
    return reply;
}

json_t *kt_dispatch_text(kt_app *app, const kt_principal *me, void *conn, const char *text,
                         size_t len, int *close_code)
{
    *close_code = 0;
    if (len > KT_MAX_FRAME)
        return kt_reply_error(NULL, KT_C_FRAME_TOO_LARGE, NULL);
    if (!kt_utf8_valid(text, len)) {
        *close_code = KT_CLOSE_INVALID_UTF8;
        return kt_reply_error(NULL, KT_C_INVALID_UTF8, NULL);
    }
    json_error_t err;
    /* Any JSON value decodes; what is not an object is then an invalid request. */
    json_t *req = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    if (!req)
        return kt_reply_error(NULL, KT_C_INVALID_JSON, NULL);
    json_t *reply;
    if (!json_is_object(req))
        reply = kt_reply_error(NULL, KT_C_INVALID_REQUEST, NULL);
    else
        reply = kt_dispatch(app, me, conn, req);
    json_decref(req);
    return reply;
}

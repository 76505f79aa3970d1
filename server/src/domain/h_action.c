/* Actions, commitments and decisions (actiepunten, toezeggingen, besluiten), and chat. Both may
 * hang under an agenda item and then share its visibility. */
#include "domain/handlers.h"
#include "domain/minutes.h"
#include "domain/model.h"
#include "live/render.h"
#include "store/actions.h"
#include "store/bodies.h"
#include "store/chat.h"
#include "store/directory.h"
#include "store/items.h"
#include "store/meetings.h"
#include "util/err.h"
#include "util/ivec.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An item given as origin must be of this body and visible to the caller. */
static int check_item(kt_ctx *c, int64_t item)
{
    if (!item)
        return 0;
    int64_t body = 0, meeting = 0;
    kt_vis vis;
    int rc = kt_store_item_place(c->st, item, &body, &meeting);
    if (!rc && body != c->body)
        rc = KT_ENOTFOUND;
    if (!rc)
        rc = kt_store_item_vis(c->st, item, &vis);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Dit agendapunt bestaat niet in dit overleg.");
    if (rc)
        return kt_fail_err(c, rc);
    bool visible = kt_acl_visible(&c->viewer, &vis);
    kt_vis_clear(&vis);
    return visible ? 0 : kt_fail(c, KT_C_NOT_FOUND, "Dit agendapunt bestaat niet in dit overleg.");
}

static int check_owner(kt_ctx *c)
{
    int64_t owner = kt_arg_int(c, "owner", 0), org = kt_arg_int(c, "owner_org", 0);
    int rc = owner ? kt_store_person_exists(c->st, owner, false) : 0;
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "De eigenaar (owner) bestaat niet.");
    if (!rc && org && (rc = kt_store_org_exists(c->st, org)) == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "De organisatie (owner_org) bestaat niet.");
    return rc ? kt_fail_err(c, rc) : 0;
}

/* assigned: the owner (person or organisation) is new with this change. */
static int emit_action(kt_ctx *c, const char *type, int64_t action, bool assigned, json_t *extra,
                       json_t **out)
{
    json_t *a = NULL;
    kt_vis vis;
    int rc = kt_store_action_get(c->st, action, &a);
    if (!rc &&
        (rc = kt_under_item_vis(c->st, json_integer_value(json_object_get(a, "item")), &vis)))
        json_decref(a);
    if (rc) {
        json_decref(extra);
        return kt_fail_err(c, rc);
    }
    json_t *data = json_pack("{s:O, s:b}", "action", a, "assigned", assigned);
    if (data && extra)
        json_object_update(data, extra);
    json_decref(extra);
    rc = kt_emit(c, c->body, type, &vis, data);
    kt_vis_clear(&vis);
    if (rc)
        return json_decref(a), -1;
    *out = a;
    return 0;
}

/* Who may change an actiepunt or toezegging: its owner; without an owner person, the persons of
 * its owner organisation; without either, whoever recorded it; and always the body's chair and
 * secretary. Every other member who takes part proposes a change instead (action.propose). */
static bool may_change(kt_ctx *c, json_t *a)
{
    if (kt_acl_allows(&c->viewer, KT_PERM_EDIT))
        return true;
    int64_t owner = json_integer_value(json_object_get(a, "owner"));
    int64_t org = json_integer_value(json_object_get(a, "owner_org"));
    if (owner)
        return owner == c->me->person;
    if (org)
        return org == c->me->org;
    return json_integer_value(json_object_get(a, "created_by")) == c->me->person;
}

static void add_part(char *buf, size_t n, const char *fmt, const char *a, const char *b)
{
    size_t len = strlen(buf);
    if (len + 3 >= n)
        return;
    if (len)
        len += (size_t)snprintf(buf + len, n - len, "; ");
    snprintf(buf + len, n - len, fmt, a, b);
}

static bool str_differs(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") != 0;
}

/* What f changes of before, in Dutch words without copying free text ("status: open →
 * afgerond; deadline: 2027-03-01 → geen; omschrijving gewijzigd"); "" when nothing. */
static void describe_change(json_t *before, const kt_store_action_fields *f, char *buf, size_t n)
{
    buf[0] = 0;
    const char *kind = json_string_value(json_object_get(before, "kind"));
    const char *status = json_string_value(json_object_get(before, "status"));
    const char *due = json_string_value(json_object_get(before, "due"));
    if (str_differs(kind, f->kind))
        add_part(buf, n, "soort: %s → %s", kind ? kind : "geen", f->kind ? f->kind : "geen");
    if (str_differs(status, f->status))
        add_part(buf, n, "status: %s → %s", status ? status : "geen",
                 f->status ? f->status : "geen");
    if (str_differs(due, f->due))
        add_part(buf, n, "deadline: %s → %s", due ? due : "geen", f->due ? f->due : "geen");
    if (str_differs(json_string_value(json_object_get(before, "text")), f->text))
        add_part(buf, n, "%s%s", "omschrijving gewijzigd", "");
    if (json_integer_value(json_object_get(before, "owner")) != f->owner)
        add_part(buf, n, "%s%s", "eigenaar gewijzigd", "");
    if (json_integer_value(json_object_get(before, "owner_org")) != f->owner_org)
        add_part(buf, n, "%s%s", "organisatie gewijzigd", "");
}

/* Who the owner of an action is, for telling them of a change by someone else: the owner
 * person, else (none) the owner organisation; both 0: nobody owns it. */
static void owner_of(json_t *a, int64_t *person, int64_t *org)
{
    *person = json_integer_value(json_object_get(a, "owner"));
    *org = *person ? 0 : json_integer_value(json_object_get(a, "owner_org"));
}

static bool is_besluit(const char *kind)
{
    return kind && strcmp(kind, "besluit") == 0;
}

/* The local date of a meeting's start into buf ("YYYY-MM-DD"); today when meeting is 0 or gone.
 * 0, or -1 with the store's error recorded in c. */
static int meeting_day(kt_ctx *c, int64_t meeting, char *buf, size_t n)
{
    json_t *m = NULL;
    int64_t t = 0;
    int rc = meeting ? kt_store_meeting_get(c->st, meeting, &m) : 0;
    if (rc && rc != KT_ENOTFOUND)
        return kt_fail_err(c, rc);
    if (m && kt_time_parse(json_string_value(json_object_get(m, "start")), &t) == 0) {
        int y, mo, d;
        kt_utc_to_local(t, &y, &mo, &d, NULL, NULL, NULL);
        snprintf(buf, n, "%04d-%02d-%02d", y, mo, d);
    } else {
        kt_date_today_local(buf, n);
    }
    json_decref(m);
    return 0;
}

/* The meeting an outcome is recorded at: the meeting of its item, else the meeting argument
 * (which must be of this body). */
static int outcome_meeting(kt_ctx *c, int64_t item, int64_t *meeting)
{
    int64_t given = kt_arg_int(c, "meeting", 0), of_item = 0;
    int64_t item_body = 0, body = 0;
    int rc = item ? kt_store_item_place(c->st, item, &item_body, &of_item) : 0;
    if (!rc && given) {
        rc = kt_store_meeting_body(c->st, given, &body);
        if (rc == KT_ENOTFOUND)
            rc = 0;
    }
    if (rc)
        return kt_fail_err(c, rc);
    if (given) {
        if (body != c->body)
            return kt_fail(c, KT_C_NOT_FOUND, "Deze vergadering bestaat niet in dit overleg.");
        if (item && of_item != given)
            return kt_fail(c, KT_C_INVALID_ARGUMENT,
                           "Het agendapunt staat niet op deze vergadering.");
    }
    *meeting = of_item ? of_item : given;
    return 0;
}

/* A besluit is taken by the body: its chair or secretary records or changes it, and it has a
 * date, not an owner, a deadline or a status. */
static int check_besluit(kt_ctx *c, const kt_store_action_fields *f)
{
    if (!kt_acl_allows(&c->viewer, KT_PERM_EDIT))
        return kt_fail(c, KT_C_FORBIDDEN,
                       "Een besluit legt de voorzitter of de secretaris van het overleg vast.");
    if (f->owner || f->owner_org || f->due || f->status)
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "Een besluit heeft geen eigenaar, deadline of status, wel een datum "
                       "(decided_on).");
    return 0;
}

static int check_not_besluit(kt_ctx *c)
{
    if (kt_arg_given(c, "decided_on"))
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "Alleen een besluit heeft een datum (decided_on); een actiepunt of "
                       "toezegging heeft een deadline (due).");
    return 0;
}

static int store_failed(kt_ctx *c, int rc)
{
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "Een besluit heeft geen eigenaar, deadline of status; een actiepunt of "
                       "toezegging wel een status.");
    return kt_fail_err(c, rc);
}

int kt_h_action_create(kt_ctx *c)
{
    int64_t item = kt_arg_int(c, "item", 0), meeting = 0, id = 0;
    if (check_item(c, item) || check_owner(c) || outcome_meeting(c, item, &meeting) ||
        kt_minutes_frozen(c, meeting))
        return -1;
    char day[16];
    kt_store_action_fields f = {
        .kind = kt_arg_str(c, "kind") ? kt_arg_str(c, "kind") : "actiepunt",
        .text = kt_arg_str(c, "text"),
        .owner = kt_arg_int(c, "owner", 0),
        .owner_org = kt_arg_int(c, "owner_org", 0),
        .due = kt_arg_str(c, "due"),
        .status = kt_arg_str(c, "status"),
    };
    if (is_besluit(f.kind)) {
        if (check_besluit(c, &f) || meeting_day(c, meeting, day, sizeof day))
            return -1;
        f.decided_on = kt_arg_str(c, "decided_on") ? kt_arg_str(c, "decided_on") : day;
    } else {
        if (check_not_besluit(c))
            return -1;
        f.status = f.status ? f.status : "open";
    }
    int rc =
        kt_store_action_insert(c->st, c->body, &f, item, meeting, c->me->person, kt_now(), &id);
    if (rc)
        return store_failed(c, rc);
    json_t *a = NULL;
    if (emit_action(c, "action.created", id, f.owner || f.owner_org, NULL, &a))
        return -1;
    c->result = json_pack("{s:o}", "action", a);
    return 0;
}

/* An argument that may be null (clears) or absent (keeps before's value). */
static int64_t ref_or(kt_ctx *c, const char *name, json_t *before, const char *field)
{
    return kt_arg_has(c, name) ? kt_arg_int(c, name, 0)
                               : json_integer_value(json_object_get(before, field));
}

static const char *str_or(kt_ctx *c, const char *name, json_t *before, const char *field)
{
    return kt_arg_has(c, name) ? kt_arg_str(c, name)
                               : json_string_value(json_object_get(before, field));
}

int kt_h_action_update(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "action", 0);
    if (check_owner(c))
        return -1;
    json_t *before;
    int rc = kt_store_action_get(c->st, id, &before);
    if (rc)
        return kt_fail_err(c, rc);
    /* What a vastgesteld verslag says stays; the progress of an action goes on. */
    bool wording = kt_arg_has(c, "text") || kt_arg_has(c, "kind") || kt_arg_has(c, "decided_on");
    if (wording && kt_minutes_frozen(c, json_integer_value(json_object_get(before, "meeting"))))
        return json_decref(before), -1;
    const char *old_kind = json_string_value(json_object_get(before, "kind"));
    if (!is_besluit(old_kind) && !may_change(c, before)) {
        json_decref(before);
        return kt_fail(c, KT_C_FORBIDDEN,
                       "Alleen de eigenaar, de voorzitter of de secretaris wijzigt dit actiepunt; "
                       "stel anders een wijziging voor.");
    }
    kt_store_action_fields f = {
        .kind = kt_arg_str(c, "kind") ? kt_arg_str(c, "kind") : old_kind,
        .text = kt_arg_str(c, "text") ? kt_arg_str(c, "text")
                                      : json_string_value(json_object_get(before, "text")),
    };
    char day[16];
    if (is_besluit(f.kind)) {
        /* Turning an action into a besluit drops what a besluit does not have. */
        if (!is_besluit(old_kind) && !kt_arg_given(c, "owner") && !kt_arg_given(c, "owner_org") &&
            !kt_arg_given(c, "due") && !kt_arg_given(c, "status")) {
            if (meeting_day(c, json_integer_value(json_object_get(before, "meeting")), day,
                            sizeof day))
                return json_decref(before), -1;
            f.decided_on = day;
        } else {
            f.owner = ref_or(c, "owner", before, "owner");
            f.owner_org = ref_or(c, "owner_org", before, "owner_org");
            f.due = str_or(c, "due", before, "due");
            f.status = str_or(c, "status", before, "status");
            f.decided_on = str_or(c, "decided_on", before, "decided_on");
        }
        if (kt_arg_str(c, "decided_on"))
            f.decided_on = kt_arg_str(c, "decided_on");
        rc = check_besluit(c, &f);
    } else {
        f.owner = ref_or(c, "owner", before, "owner");
        f.owner_org = ref_or(c, "owner_org", before, "owner_org");
        f.due = str_or(c, "due", before, "due");
        f.status = kt_arg_str(c, "status") ? kt_arg_str(c, "status")
                                           : json_string_value(json_object_get(before, "status"));
        f.status = f.status ? f.status : "open"; /* a besluit that becomes an action */
        rc = check_not_besluit(c);
        if (!rc && is_besluit(old_kind) && !kt_acl_allows(&c->viewer, KT_PERM_EDIT))
            rc = kt_fail(c, KT_C_FORBIDDEN,
                         "Een besluit wijzigt alleen de voorzitter of de secretaris.");
    }
    bool assigned =
        (f.owner && f.owner != json_integer_value(json_object_get(before, "owner"))) ||
        (f.owner_org && f.owner_org != json_integer_value(json_object_get(before, "owner_org")));
    /* Someone other than the owner changed it: the owner is told what changed (feed/notify.c),
     * said once with the change and never part of the action itself. */
    json_t *extra = NULL;
    int64_t owner = 0, owner_org = 0;
    owner_of(before, &owner, &owner_org);
    if (!rc && ((owner && owner != c->me->person) || (owner_org && owner_org != c->me->org))) {
        char change[400];
        describe_change(before, &f, change, sizeof change);
        if (change[0])
            extra = json_pack("{s:I, s:I, s:s}", "changed_for", (json_int_t)owner,
                              "changed_for_org", (json_int_t)owner_org, "change", change);
    }
    if (!rc)
        rc = kt_store_action_update(c->st, id, &f, c->me->person, kt_now());
    json_decref(before); /* f's strings from before are no longer needed */
    if (rc) {
        json_decref(extra);
        return c->code ? -1 : store_failed(c, rc);
    }
    json_t *a = NULL;
    if (emit_action(c, "action.updated", id, assigned, extra, &a))
        return -1;
    c->result = json_pack("{s:o}", "action", a);
    return 0;
}

/* A member who may not change an action proposes a change: nothing changes, the proposal is
 * an event of the body (seen by whoever may see the action) and its owner (or, without one,
 * the chair and secretary) is told; they decide by changing the action, or not. */
int kt_h_action_propose(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "action", 0);
    if (check_owner(c))
        return -1;
    json_t *before = NULL;
    int rc = kt_store_action_get(c->st, id, &before);
    if (rc)
        return kt_fail_err(c, rc);
    const char *kind = json_string_value(json_object_get(before, "kind"));
    static const char *const fields[] = {"status", "due", "owner", "owner_org", "text"};
    if (is_besluit(kind) && (kt_arg_has(c, "status") || kt_arg_has(c, "due") ||
                             kt_arg_has(c, "owner") || kt_arg_has(c, "owner_org"))) {
        json_decref(before);
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "Een besluit heeft geen eigenaar, deadline of status; stel een andere "
                       "tekst voor of geef een toelichting.");
    }
    kt_store_action_fields f = {
        .kind = kind,
        .text = str_or(c, "text", before, "text"),
        .owner = ref_or(c, "owner", before, "owner"),
        .owner_org = ref_or(c, "owner_org", before, "owner_org"),
        .due = str_or(c, "due", before, "due"),
        .status = str_or(c, "status", before, "status"),
    };
    char change[400];
    describe_change(before, &f, change, sizeof change);
    const char *note = kt_arg_str(c, "note");
    const char *p = note ? note : "";
    while (*p && isspace((unsigned char)*p))
        p++;
    if (!change[0] && !*p) {
        json_decref(before);
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "Stel een wijziging voor (status, deadline, eigenaar of omschrijving) of "
                       "geef een toelichting.");
    }
    json_t *changes = json_object();
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (kt_arg_has(c, fields[i]))
            json_object_set(changes, fields[i], json_object_get(c->args, fields[i]));
    kt_vis vis;
    rc = kt_under_item_vis(c->st, json_integer_value(json_object_get(before, "item")), &vis);
    if (rc) {
        json_decref(changes);
        json_decref(before);
        return kt_fail_err(c, rc);
    }
    rc = kt_emit(c, c->body, "action.proposed", &vis,
                 json_pack("{s:I, s:I, s:o, s:s, s:s?}", "action", (json_int_t)id, "by",
                           (json_int_t)c->me->person, "changes", changes, "summary", change, "note",
                           *p ? note : NULL));
    kt_vis_clear(&vis);
    if (rc) {
        json_decref(before);
        return -1;
    }
    c->result = json_pack("{s:o, s:s}", "action", before, "summary", change);
    return 0;
}

/* The caller as viewer of body, loaded once per body for a list. */
typedef struct body_view {
    int64_t body;
    kt_viewer v;
    int64_t *items;
} body_view;

static void views_free(body_view *views, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(views[i].items);
    free(views);
}

/* Whether the caller may see action a; 0 or a store error. */
static int action_visible(kt_ctx *c, json_t *a, body_view **views, size_t *n, bool *visible)
{
    int64_t body = json_integer_value(json_object_get(a, "body"));
    body_view *bv = NULL;
    for (size_t i = 0; i < *n && !bv; i++)
        if ((*views)[i].body == body)
            bv = &(*views)[i];
    if (!bv) {
        body_view *grown = realloc(*views, (*n + 1) * sizeof *grown);
        if (!grown)
            return KT_ENOMEM;
        *views = grown;
        bv = &grown[(*n)++];
        bv->body = body;
        int rc = kt_viewer_load(c->st, body, c->me, &bv->v, &bv->items);
        if (rc) {
            (*n)--;
            return rc;
        }
    }
    kt_vis vis;
    int rc = kt_under_item_vis(c->st, json_integer_value(json_object_get(a, "item")), &vis);
    if (rc)
        return rc;
    *visible = kt_acl_visible(&bv->v, &vis);
    kt_vis_clear(&vis);
    return 0;
}

/* action.list's cursor: "<due>~<id>" of the last action a page looked at ("~<id>" when it has
 * no due date). false when text is no such cursor. */
static bool cursor_parse(const char *text, char *due, size_t n, int64_t *id)
{
    const char *tilde = strrchr(text, '~');
    if (!tilde || (size_t)(tilde - text) >= n)
        return false;
    memcpy(due, text, (size_t)(tilde - text));
    due[tilde - text] = '\0';
    if (due[0] && !kt_date_valid(due))
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(tilde + 1, &end, 10);
    if (errno || end == tilde + 1 || *end || v <= 0)
        return false;
    *id = v;
    return true;
}

int kt_h_action_list(kt_ctx *c)
{
    int64_t body = kt_arg_int(c, "body", 0);
    if (body) {
        int rc = kt_store_body_exists(c->st, body);
        if (rc == KT_ENOTFOUND)
            return kt_fail(c, KT_C_NOT_FOUND, "Dit overleg bestaat niet.");
        if (rc)
            return kt_fail_err(c, rc);
        kt_viewer v;
        int64_t *items = NULL;
        rc = kt_viewer_load(c->st, body, c->me, &v, &items);
        free(items);
        if (rc)
            return kt_fail_err(c, rc);
        if (v.role == KT_ROLE_NONE)
            return kt_fail(c, KT_C_NOT_MEMBER, NULL);
    }
    char after_due[16] = "";
    int64_t after_id = 0;
    const char *after = kt_arg_str(c, "after");
    if (after && !cursor_parse(after, after_due, sizeof after_due, &after_id))
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "'after' is geen vervolgpunt van een eerdere pagina ('next').");
    int limit = kt_arg_has(c, "limit") ? (int)kt_arg_int(c, "limit", 0) : ACTION_PAGE;
    char today[16];
    kt_date_today_local(today, sizeof today);
    kt_store_action_query q = {
        .member = c->me->person,
        .body = body,
        .status = kt_arg_str(c, "status"),
        .mine = kt_arg_bool(c, "mine", false),
        .mine_org = c->me->org,
        .owner = kt_arg_int(c, "owner", 0),
        .overdue = kt_arg_bool(c, "overdue", false) ? today : NULL,
        .after_due = after_id && after_due[0] ? after_due : NULL,
        .after_id = after_id,
    };
    /* A page ends at limit actions shown, at ACTION_PAGE_BYTES of them, or after ACTION_SCAN
     * actions looked at (what the caller may not see among them too): every reply stays far
     * below the connection's 4 MiB, and one request costs a bounded amount whatever is hidden.
     * The cursor is the last action looked at, so a page that ends early resumes right there. */
    json_t *out = json_array();
    body_view *views = NULL;
    size_t n_views = 0;
    size_t bytes = 0;
    int scanned = 0, rc = 0;
    bool more = false, end = false;
    while (!rc && !end && !more) {
        kt_ivec ids = {0}, bodies = {0};
        int want = limit - (int)json_array_size(out) + 1;
        if (want > ACTION_SCAN - scanned + 1)
            want = ACTION_SCAN - scanned + 1;
        q.limit = want;
        rc = kt_store_actions_find(c->st, &q, &ids, &bodies);
        end = !rc && ids.n < (size_t)want;
        for (size_t i = 0; !rc && i < ids.n; i++) {
            if ((int)json_array_size(out) >= limit || scanned >= ACTION_SCAN ||
                bytes >= ACTION_PAGE_BYTES) {
                more = true; /* ids.v[i] exists: it is the next page's first candidate */
                break;
            }
            scanned++;
            json_t *a = NULL;
            rc = kt_store_action_get(c->st, ids.v[i], &a);
            if (rc == KT_ENOTFOUND) { /* deleted meanwhile: nothing to look at, and no cursor */
                rc = 0;
                continue;
            }
            bool visible = false;
            if (!rc)
                rc = action_visible(c, a, &views, &n_views, &visible);
            if (!rc) {
                const char *due = json_string_value(json_object_get(a, "due"));
                snprintf(after_due, sizeof after_due, "%s", due ? due : "");
                q.after_due = due ? after_due : NULL;
                q.after_id = ids.v[i];
            }
            if (!rc && visible) {
                bytes += json_dumpb(a, NULL, 0, JSON_COMPACT);
                json_array_append(out, a);
            }
            json_decref(a);
        }
        kt_ivec_free(&ids);
        kt_ivec_free(&bodies);
    }
    views_free(views, n_views);
    if (rc) {
        json_decref(out);
        return kt_fail_err(c, rc);
    }
    json_t *next = json_null();
    if (more) {
        char cur[48];
        snprintf(cur, sizeof cur, "%s~%" PRId64, q.after_due ? q.after_due : "", q.after_id);
        json_decref(next);
        next = json_string(cur);
    }
    c->result = json_pack("{s:o, s:b, s:o}", "actions", out, "more", more, "next", next);
    return 0;
}

/* ---- chat ---- */

static bool name_char(unsigned char ch)
{
    return isalnum(ch) || ch >= 0x80;
}

#define MENTION_CANDIDATES 16

/* The members named after each '@' (longest name first, so "@Jan de Vries" beats "@Jan"),
 * each once. Text without '@' costs nothing; each '@' is one indexed lookup of the body's
 * members whose name starts the text after it, whatever the body's size. */
json_t *kt_chat_mentions(kt_store *st, int64_t body, const char *text)
{
    json_t *out = json_array();
    for (const char *at = strchr(text, '@'); at; at = strchr(at + 1, '@')) {
        int64_t ids[MENTION_CANDIDATES];
        size_t lens[MENTION_CANDIDATES];
        int n = 0;
        if (kt_store_mention_candidates(st, body, at + 1, ids, lens, MENTION_CANDIDATES, &n))
            break;
        int64_t who = 0;
        for (int i = 0; !who && i < n; i++)
            if (!name_char((unsigned char)at[1 + lens[i]]))
                who = ids[i];
        if (!who)
            continue;
        bool seen = false;
        size_t k;
        json_t *x;
        json_array_foreach(out, k, x) seen = seen || json_integer_value(x) == who;
        if (!seen)
            json_array_append_new(out, json_integer(who));
    }
    return out;
}

int kt_h_chat_post(kt_ctx *c)
{
    int64_t item = kt_arg_int(c, "item", 0);
    const char *text = kt_arg_str(c, "text");
    const char *p = text;
    while (*p && isspace((unsigned char)*p))
        p++;
    if (!*p)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "Een bericht mag niet leeg zijn.");
    if (check_item(c, item))
        return -1;
    json_t *m = NULL;
    int rc = kt_store_message_insert(c->st, c->body, item, c->me->person, text, kt_now(), &m);
    kt_vis vis;
    if (!rc && (rc = kt_under_item_vis(c->st, item, &vis)))
        json_decref(m);
    if (rc)
        return kt_fail_err(c, rc);
    json_object_set_new(m, "mentions", kt_chat_mentions(c->st, c->body, text));
    rc = kt_emit(c, c->body, "chat.posted", &vis, json_pack("{s:O}", "message", m));
    if (rc) {
        kt_vis_clear(&vis);
        return json_decref(m), -1;
    }
    /* The event is sent as what was just written (live/render.h: the dispatcher forgets this
     * when other writes commit with it), and the reply is the same object, so that the message
     * is serialised once for both (kt_render_text_of); neither is changed after this. */
    c->result = json_pack("{s:o}", "message", m);
    if (!c->result)
        return kt_vis_clear(&vis), kt_fail_err(c, KT_ENOMEM);
    kt_render_known(c->events[c->n_events - 1], json_incref(c->result), &vis);
    return 0;
}

/* The caller's own message id of this body, which they may see and which is not deleted: *out
 * (new reference) and the visibility of its item in *vis (cleared by the caller). 0 or -1. */
static int own_message(kt_ctx *c, int64_t id, json_t **out, kt_vis *vis)
{
    json_t *m = NULL;
    int rc = kt_store_message_get(c->st, id, &m);
    if (!rc && json_integer_value(json_object_get(m, "body")) != c->body)
        rc = KT_ENOTFOUND;
    if (!rc)
        rc = kt_under_item_vis(c->st, json_integer_value(json_object_get(m, "item")), vis);
    if (rc) {
        json_decref(m);
        return rc == KT_ENOTFOUND ? kt_fail(c, KT_C_NOT_FOUND, "Dit bericht bestaat niet.")
                                  : kt_fail_err(c, rc);
    }
    const char *why = NULL;
    int code = KT_C_NOT_FOUND;
    if (!kt_acl_visible(&c->viewer, vis))
        why = "Dit bericht bestaat niet.";
    else if (json_integer_value(json_object_get(m, "person")) != c->me->person)
        why = "Alleen wie een bericht schreef, kan het wijzigen of verwijderen.",
        code = KT_C_FORBIDDEN;
    else if (json_is_true(json_object_get(m, "deleted")))
        why = "Dit bericht is verwijderd.", code = KT_C_INVALID_STATE;
    if (why) {
        json_decref(m);
        kt_vis_clear(vis);
        return kt_fail(c, code, "%s", why);
    }
    *out = m;
    return 0;
}

/* chat.edit (text) and chat.delete (text NULL): the author's change, recorded, then the message
 * as it now is to everyone who may see it. */
static int change_message(kt_ctx *c, const char *text, const char *type)
{
    int64_t id = kt_arg_int(c, "message", 0);
    json_t *m = NULL;
    kt_vis vis;
    if (own_message(c, id, &m, &vis))
        return -1;
    json_decref(m);
    m = NULL;
    int rc = kt_store_message_change(c->st, id, text, c->me->person, kt_now());
    if (!rc)
        rc = kt_store_message_get(c->st, id, &m);
    if (rc) {
        kt_vis_clear(&vis);
        return kt_fail_err(c, rc);
    }
    json_object_set_new(m, "mentions", kt_chat_mentions(c->st, c->body, text ? text : ""));
    rc = kt_emit(c, c->body, type, &vis, json_pack("{s:O}", "message", m));
    kt_vis_clear(&vis);
    if (rc)
        return json_decref(m), -1;
    c->result = json_pack("{s:o}", "message", m);
    return 0;
}

int kt_h_chat_edit(kt_ctx *c)
{
    const char *text = kt_arg_str(c, "text"), *p = text;
    while (*p && isspace((unsigned char)*p))
        p++;
    if (!*p)
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "Een bericht mag niet leeg zijn; verwijder het anders.");
    const char *type = "chat.edited";
    return change_message(c, text, type);
}

int kt_h_chat_delete(kt_ctx *c)
{
    const char *type = "chat.deleted";
    return change_message(c, NULL, type);
}

#define UNREAD_MAX 500 /* counted up to here; the client shows "500+" */

int kt_h_chat_unread(kt_ctx *c)
{
    kt_ivec items = {0};
    int64_t n = 0;
    int rc = kt_store_chat_unread(c->st, c->me->person, c->body, UNREAD_MAX + 1, &items);
    /* Only what the caller may see counts: a hidden thread's messages change nothing. */
    for (size_t i = 0; !rc && i < items.n; i++) {
        kt_vis vis;
        if ((rc = kt_under_item_vis(c->st, items.v[i], &vis)) != 0)
            break;
        n += kt_acl_visible(&c->viewer, &vis);
        kt_vis_clear(&vis);
    }
    kt_ivec_free(&items);
    if (rc)
        return kt_fail_err(c, rc);
    c->result = json_pack("{s:I, s:b}", "unread", (json_int_t)(n > UNREAD_MAX ? UNREAD_MAX : n),
                          "more", n > UNREAD_MAX);
    return 0;
}

int kt_h_chat_read(kt_ctx *c)
{
    int rc = kt_store_chat_read(c->st, c->me->person, c->body);
    if (rc)
        return kt_fail_err(c, rc);
    c->result = json_pack("{s:I, s:b}", "unread", (json_int_t)0, "more", 0);
    return 0;
}

int kt_h_chat_history(kt_ctx *c)
{
    int64_t before = kt_arg_int(c, "before", INT64_MAX), item = kt_arg_int(c, "item", 0);
    int64_t limit = kt_arg_int(c, "limit", 50);
    if (check_item(c, item))
        return -1; /* a thread of an item that is not there, or not for the caller */
    json_t *out = json_array();
    int rc = kt_store_messages_before(c->st, c->body, item, before, limit, out);
    bool more = limit > 0 && (int64_t)json_array_size(out) == limit;
    for (size_t i = 0; !rc && i < json_array_size(out);) {
        json_t *m = json_array_get(out, i);
        kt_vis vis;
        rc = kt_under_item_vis(c->st, json_integer_value(json_object_get(m, "item")), &vis);
        bool visible = !rc && kt_acl_visible(&c->viewer, &vis);
        kt_vis_clear(&vis);
        if (!visible) {
            json_array_remove(out, i);
            continue;
        }
        json_object_set_new(
            m, "mentions",
            kt_chat_mentions(c->st, c->body, json_string_value(json_object_get(m, "text"))));
        i++;
    }
    if (rc) {
        json_decref(out);
        return kt_fail_err(c, rc);
    }
    /* No more than KT_PAGE_BYTES of messages (4000 characters each can be 16 KB): the newest
     * are kept, the older ones come with the next page (before = the oldest id here). */
    size_t n = json_array_size(out), keep = 0, bytes = 0;
    while (keep < n && bytes < KT_PAGE_BYTES)
        bytes += json_dumpb(json_array_get(out, n - 1 - keep++), NULL, 0, JSON_COMPACT);
    if (keep < n) {
        more = true;
        while (json_array_size(out) > keep)
            json_array_remove(out, 0);
    }
    c->result = json_pack("{s:o, s:b}", "messages", out, "more", more);
    return 0;
}

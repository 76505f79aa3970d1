/* Actions, commitments and decisions (actiepunten, toezeggingen, besluiten), and chat. Both may
 * hang under an agenda item and then share its visibility. */
#include "domain/handlers.h"
#include "domain/model.h"
#include "store/actions.h"
#include "util/err.h"
#include "util/ivec.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An item given as origin must be of this body and visible to the caller. */
static int check_item(kt_ctx *c, int64_t item)
{
    if (!item)
        return 0;
    sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT body_id FROM items WHERE id = ?1");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, item);
    int64_t body = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    kt_vis vis;
    if (body != c->body || kt_item_vis_load(c->st, item, &vis))
        return kt_fail(c, KT_C_NOT_FOUND, "Dit agendapunt bestaat niet in dit overleg.");
    bool visible = kt_acl_visible(&c->viewer, &vis);
    kt_vis_clear(&vis);
    return visible ? 0 : kt_fail(c, KT_C_NOT_FOUND, "Dit agendapunt bestaat niet in dit overleg.");
}

static int check_owner(kt_ctx *c)
{
    int64_t owner = kt_arg_int(c, "owner", 0), org = kt_arg_int(c, "owner_org", 0);
    if (owner && !kt_exists(c->st, "SELECT 1 FROM persons WHERE id = ?1", owner))
        return kt_fail(c, KT_C_NOT_FOUND, "De eigenaar (owner) bestaat niet.");
    if (org && !kt_exists(c->st, "SELECT 1 FROM organisations WHERE id = ?1", org))
        return kt_fail(c, KT_C_NOT_FOUND, "De organisatie (owner_org) bestaat niet.");
    return 0;
}

/* assigned: the owner (person or organisation) is new with this change. */
static int emit_action(kt_ctx *c, const char *type, int64_t action, bool assigned, json_t **out)
{
    json_t *a = kt_action_json(c->st, action);
    kt_vis vis;
    if (!a || kt_under_item_vis(c->st, json_integer_value(json_object_get(a, "item")), &vis)) {
        json_decref(a);
        return kt_fail_err(c, KT_ENOTFOUND);
    }
    int rc =
        kt_emit(c, c->body, type, &vis, json_pack("{s:O, s:b}", "action", a, "assigned", assigned));
    kt_vis_clear(&vis);
    if (rc)
        return json_decref(a), -1;
    *out = a;
    return 0;
}

static bool is_besluit(const char *kind)
{
    return kind && strcmp(kind, "besluit") == 0;
}

/* The local date of a meeting's start into buf ("YYYY-MM-DD"); today when meeting is 0 or gone. */
static void meeting_day(kt_ctx *c, int64_t meeting, char *buf, size_t n)
{
    json_t *m = meeting ? kt_meeting_json(c->st, meeting) : NULL;
    int64_t t = 0;
    if (m && kt_time_parse(json_string_value(json_object_get(m, "start")), &t) == 0) {
        int y, mo, d;
        kt_utc_to_local(t, &y, &mo, &d, NULL, NULL, NULL);
        snprintf(buf, n, "%04d-%02d-%02d", y, mo, d);
    } else {
        kt_date_today_local(buf, n);
    }
    json_decref(m);
}

/* The meeting an outcome is recorded at: the meeting of its item, else the meeting argument
 * (which must be of this body). */
static int outcome_meeting(kt_ctx *c, int64_t item, int64_t *meeting)
{
    int64_t given = kt_arg_int(c, "meeting", 0), of_item = 0;
    if (item) {
        json_t *it = kt_item_json(c->st, item);
        of_item = json_integer_value(json_object_get(it, "meeting"));
        json_decref(it);
    }
    if (given) {
        json_t *m = kt_meeting_json(c->st, given);
        int64_t body = json_integer_value(json_object_get(m, "body"));
        json_decref(m);
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
    if (check_item(c, item) || check_owner(c) || outcome_meeting(c, item, &meeting))
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
        if (check_besluit(c, &f))
            return -1;
        meeting_day(c, meeting, day, sizeof day);
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
    if (emit_action(c, "action.created", id, f.owner || f.owner_org, &a))
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
    json_t *before = kt_action_json(c->st, id);
    if (!before)
        return kt_fail(c, KT_C_NOT_FOUND, NULL);
    const char *old_kind = json_string_value(json_object_get(before, "kind"));
    kt_store_action_fields f = {
        .kind = kt_arg_str(c, "kind") ? kt_arg_str(c, "kind") : old_kind,
        .text = kt_arg_str(c, "text") ? kt_arg_str(c, "text")
                                      : json_string_value(json_object_get(before, "text")),
    };
    char day[16];
    int rc = 0;
    if (is_besluit(f.kind)) {
        /* Turning an action into a besluit drops what a besluit does not have. */
        if (!is_besluit(old_kind) && !kt_arg_given(c, "owner") && !kt_arg_given(c, "owner_org") &&
            !kt_arg_given(c, "due") && !kt_arg_given(c, "status")) {
            meeting_day(c, json_integer_value(json_object_get(before, "meeting")), day, sizeof day);
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
    if (!rc)
        rc = kt_store_action_update(c->st, id, &f, kt_now());
    json_decref(before); /* f's strings from before are no longer needed */
    if (rc)
        return c->code ? -1 : store_failed(c, rc);
    json_t *a = NULL;
    if (emit_action(c, "action.updated", id, assigned, &a))
        return -1;
    c->result = json_pack("{s:o}", "action", a);
    return 0;
}

int kt_h_action_list(kt_ctx *c)
{
    int64_t body = kt_arg_int(c, "body", 0);
    if (body) {
        if (!kt_exists(c->st, "SELECT 1 FROM bodies WHERE id = ?1", body))
            return kt_fail(c, KT_C_NOT_FOUND, "Dit overleg bestaat niet.");
        kt_viewer v;
        int64_t *items = NULL;
        kt_viewer_load(c->st, body, c->me, &v, &items);
        free(items);
        if (v.role == KT_ROLE_NONE)
            return kt_fail(c, KT_C_NOT_MEMBER, NULL);
    }
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
        .limit = 2000,
    };
    kt_ivec ids = {0}, bodies = {0};
    int rc = kt_store_actions_find(c->st, &q, &ids, &bodies);
    json_t *out = json_array();
    for (size_t i = 0; !rc && i < ids.n; i++) {
        json_t *a = kt_action_json(c->st, ids.v[i]);
        if (!a)
            continue;
        kt_viewer v;
        int64_t *items = NULL;
        kt_vis vis;
        kt_viewer_load(c->st, bodies.v[i], c->me, &v, &items);
        rc = kt_under_item_vis(c->st, json_integer_value(json_object_get(a, "item")), &vis);
        if (!rc && kt_acl_visible(&v, &vis))
            json_array_append(out, a);
        kt_vis_clear(&vis);
        free(items);
        json_decref(a);
    }
    kt_ivec_free(&ids);
    kt_ivec_free(&bodies);
    if (rc) {
        json_decref(out);
        return kt_fail_err(c, rc);
    }
    c->result = json_pack("{s:o}", "actions", out);
    return 0;
}

/* ---- chat ---- */

static bool name_char(unsigned char ch)
{
    return isalnum(ch) || ch >= 0x80;
}

/* The members named after each '@' (longest name first, so "@Jan de Vries" beats "@Jan"),
 * each once. Text without '@' costs nothing; each '@' is one indexed lookup of the body's
 * members whose name starts the text after it, whatever the body's size. */
json_t *kt_chat_mentions(kt_store *st, int64_t body, const char *text)
{
    json_t *out = json_array();
    const char *at = strchr(text, '@');
    if (!at)
        return out;
    sqlite3_stmt *s = kt_store_stmt(
        st, "SELECT p.id, length(CAST(p.name AS BLOB)) FROM memberships m JOIN persons p "
            "ON p.id = m.person_id WHERE m.body_id = ?1 AND p.name <> '' AND "
            "substr(?2, 1, length(p.name)) = p.name COLLATE NOCASE "
            "ORDER BY length(CAST(p.name AS BLOB)) DESC");
    if (!s)
        return out;
    for (; at; at = strchr(at + 1, '@')) {
        sqlite3_bind_int64(s, 1, body);
        sqlite3_bind_text(s, 2, at + 1, -1, SQLITE_STATIC);
        int64_t who = 0;
        while (!who && sqlite3_step(s) == SQLITE_ROW) {
            size_t len = (size_t)sqlite3_column_int64(s, 1);
            if (!name_char((unsigned char)at[1 + len]))
                who = sqlite3_column_int64(s, 0);
        }
        sqlite3_reset(s);
        if (!who)
            continue;
        bool seen = false;
        size_t k;
        json_t *x;
        json_array_foreach(out, k, x) seen = seen || json_integer_value(x) == who;
        if (!seen)
            json_array_append_new(out, json_integer(who));
    }
    sqlite3_clear_bindings(s);
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
    sqlite3_stmt *s = kt_store_stmt(c->st, "INSERT INTO messages(body_id, item_id, person_id, "
                                           "text, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, c->body);
    if (item)
        sqlite3_bind_int64(s, 2, item);
    sqlite3_bind_int64(s, 3, c->me->person);
    sqlite3_bind_text(s, 4, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, kt_now());
    int rc = kt_store_step_done(c->st, s);
    if (rc)
        return kt_fail_err(c, rc);
    json_t *m = kt_message_json(c->st, kt_store_last_id(c->st));
    if (!m)
        return kt_fail_err(c, KT_ESTORE);
    json_object_set_new(m, "mentions", kt_chat_mentions(c->st, c->body, text));
    kt_vis vis;
    if (kt_under_item_vis(c->st, item, &vis)) {
        json_decref(m);
        return kt_fail_err(c, KT_ESTORE);
    }
    rc = kt_emit(c, c->body, "chat.posted", &vis, json_pack("{s:O}", "message", m));
    kt_vis_clear(&vis);
    if (rc)
        return json_decref(m), -1;
    c->result = json_pack("{s:o}", "message", m);
    return 0;
}

int kt_h_chat_history(kt_ctx *c)
{
    int64_t before = kt_arg_int(c, "before", INT64_MAX), item = kt_arg_int(c, "item", 0);
    int64_t limit = kt_arg_int(c, "limit", 50);
    if (check_item(c, item))
        return -1; /* a thread of an item that is not there, or not for the caller */
    sqlite3_stmt *s =
        kt_store_stmt(c->st, "SELECT id, item_id FROM messages WHERE body_id = ?1 AND id < ?2 AND "
                             "(?3 IS NULL OR item_id = ?3) ORDER BY id DESC LIMIT ?4");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, c->body);
    sqlite3_bind_int64(s, 2, before);
    if (item)
        sqlite3_bind_int64(s, 3, item);
    sqlite3_bind_int64(s, 4, limit);
    int64_t rows[200][2];
    int n = 0;
    while (n < 200 && sqlite3_step(s) == SQLITE_ROW) {
        rows[n][0] = sqlite3_column_int64(s, 0);
        rows[n][1] = sqlite3_column_int64(s, 1);
        n++;
    }
    sqlite3_reset(s);
    json_t *out = json_array();
    for (int i = n - 1; i >= 0; i--) {
        kt_vis vis;
        if (kt_under_item_vis(c->st, rows[i][1], &vis))
            continue;
        bool visible = kt_acl_visible(&c->viewer, &vis);
        kt_vis_clear(&vis);
        if (!visible)
            continue;
        json_t *m = kt_message_json(c->st, rows[i][0]);
        if (!m)
            continue;
        json_object_set_new(
            m, "mentions",
            kt_chat_mentions(c->st, c->body, json_string_value(json_object_get(m, "text"))));
        json_array_append_new(out, m);
    }
    c->result = json_pack("{s:o, s:b}", "messages", out, "more", limit > 0 && n == limit);
    return 0;
}

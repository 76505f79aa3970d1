/* Bodies (gremia) and their memberships. */
#include "domain/cadence.h"
#include "domain/handlers.h"
#include "domain/model.h"
#include "store/bodies.h"
#include "store/directory.h"
#include "store/items.h"
#include "store/meetings.h"
#include "store/memberships.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int kt_h_body_list(kt_ctx *c)
{
    int64_t after, limit, head = 0;
    if (kt_dir_page_args(c, kt_store_body_exists, &after, &limit))
        return -1;
    json_t *out = json_array();
    int rc = kt_store_bodies_list(c->st, c->me->person, after, limit + 1, out);
    if (!rc)
        rc = kt_store_stream_head(c->st, KT_DIRECTORY, &head);
    return kt_dir_page_reply(c, "bodies", rc, out, after, limit,
                             json_pack("{s:I}", "directory_seq", (json_int_t)head));
}

/* body.get answers with a page of the backlog; a body can hold tens of thousands of items, and
 * a reply over the connection's 4 MiB would close it for good (PROTOCOL.md, paging). */
#define BACKLOG_PAGE 200

bool kt_page_cut(json_t *arr, size_t limit)
{
    return kt_page_cut_to(arr, limit, KT_PAGE_BYTES);
}

bool kt_page_cut_to(json_t *arr, size_t limit, size_t max_bytes)
{
    size_t keep = 0, bytes = 0, n = json_array_size(arr);
    while (keep < n && keep < limit && bytes < max_bytes)
        bytes += json_dumpb(json_array_get(arr, keep++), NULL, 0, JSON_COMPACT);
    bool cut = keep < n;
    while (json_array_size(arr) > keep)
        json_array_remove(arr, json_array_size(arr) - 1);
    return cut;
}

bool kt_page_slice(json_t *arr, int64_t from, size_t limit, size_t max_bytes)
{
    size_t skip = from < 0 ? 0 : (size_t)from, n = json_array_size(arr);
    if (skip > n)
        skip = n;
    for (size_t i = 0; i < skip; i++)
        json_array_remove(arr, 0);
    n -= skip;
    size_t keep = 0, bytes = 0;
    while (keep < n && keep < limit) {
        size_t size = json_dumpb(json_array_get(arr, keep), NULL, 0, JSON_COMPACT);
        if (keep && bytes + size > max_bytes)
            break;
        bytes += size;
        keep++;
    }
    bool cut = keep < n;
    while (json_array_size(arr) > keep)
        json_array_remove(arr, json_array_size(arr) - 1);
    return cut;
}

int kt_h_body_get(kt_ctx *c)
{
    json_t *body = NULL, *parent = json_null(), *members = json_array(), *children = json_array();
    json_t *meetings = json_array(), *backlog = NULL;
    int rc = kt_store_body_get(c->st, c->body, &body);
    json_int_t pid = rc ? 0 : json_integer_value(json_object_get(body, "parent"));
    if (pid) {
        json_t *p;
        rc = kt_store_body_get(c->st, pid, &p);
        if (!rc) {
            json_decref(parent);
            parent = json_pack("{s:I, s:O, s:O}", "id", pid, "name", json_object_get(p, "name"),
                               "kind", json_object_get(p, "kind"));
            json_decref(p);
        } else if (rc == KT_ENOTFOUND) {
            rc = 0;
        }
    }
    int64_t members_from = kt_arg_int(c, "members_from", 0);
    int members_limit =
        kt_arg_has(c, "members_limit") ? (int)kt_arg_int(c, "members_limit", 0) : MEMBER_PAGE;
    if (!rc)
        rc = kt_store_members_list(c->st, c->body, members_from, members_limit + 1, members);
    /* body.get's lists share the reply's 1 MiB: members 1/4, meetings 1/8, the backlog 1/2 */
    bool members_more = !rc && kt_page_cut_to(members, (size_t)members_limit, KT_PAGE_BYTES / 4);
    size_t members_n = json_array_size(members);
    if (!rc)
        rc = kt_store_body_children(c->st, c->body, children);
    int64_t head = 0;
    if (!rc)
        rc = kt_store_stream_head(c->st, c->body, &head);
    if (rc) {
        json_decref(body);
        json_decref(parent);
        json_decref(members);
        json_decref(children);
        json_decref(meetings);
        return kt_fail_err(c, rc);
    }
    bool member = c->viewer.role != KT_ROLE_NONE;
    int64_t now = kt_now();
    if (member && (rc = kt_store_meetings_page(c->st, c->body, now - 180 * 86400, now + 400 * 86400,
                                               0, 0, MEETING_PAGE_MAX + 1, meetings))) {
        json_decref(body);
        json_decref(parent);
        json_decref(members);
        json_decref(children);
        json_decref(meetings);
        return kt_fail_err(c, rc);
    }
    backlog = json_array();
    int64_t from = kt_arg_int(c, "backlog_from", 0);
    int limit =
        kt_arg_has(c, "backlog_limit") ? (int)kt_arg_int(c, "backlog_limit", 0) : BACKLOG_PAGE;
    bool more = false;
    if (member &&
        (rc = kt_store_items_page(c->st, c->body, 0, &c->viewer, from, limit, backlog, &more))) {
        json_decref(body);
        json_decref(parent);
        json_decref(members);
        json_decref(children);
        json_decref(meetings);
        json_decref(backlog);
        return kt_fail_err(c, rc);
    }
    bool meetings_more = kt_page_cut_to(meetings, MEETING_PAGE_MAX, KT_PAGE_BYTES / 8);
    /* The page as asked, and no more than half of KT_PAGE_BYTES of items (descriptions can be
     * long). */
    if (kt_page_cut_to(backlog, (size_t)limit, KT_PAGE_BYTES / 2))
        more = true;
    json_object_set_new(body, "role",
                        member ? json_string(kt_role_name(c->viewer.role)) : json_null());
    c->result = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I}", "body", body, "members", members,
                          "parent", parent, "children", children, "meetings", meetings, "backlog",
                          backlog, "seq", (json_int_t)head);
    json_object_set_new(c->result, "backlog_more", json_boolean(more));
    json_object_set_new(c->result, "meetings_more", json_boolean(meetings_more));
    json_object_set_new(c->result, "members_more", json_boolean(members_more));
    json_object_set_new(c->result, "members_next",
                        members_more ? json_integer((json_int_t)(members_from + (int64_t)members_n))
                                     : json_null());
    json_object_set_new(c->result, "backlog_next",
                        more ? json_integer((json_int_t)(from + (int64_t)json_array_size(backlog)))
                             : json_null());
    json_t *counts = kt_message_counts(c->st, json_object_get(c->result, "backlog"));
    if (!counts) {
        json_decref(c->result);
        c->result = NULL;
        return kt_fail_err(c, KT_ESTORE);
    }
    json_object_set_new(c->result, "message_counts", counts);
    return 0;
}

/* Refuses a parent that does not exist or would make a cycle. */
static int check_parent(kt_ctx *c, int64_t body, int64_t parent)
{
    if (!parent)
        return 0;
    int rc = kt_store_body_exists(c->st, parent);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Het bovenliggende overleg bestaat niet.");
    if (rc)
        return kt_fail_err(c, rc);
    for (int64_t p = parent, depth = 0; p && depth < 64; depth++) {
        if (p == body)
            return kt_fail(c, KT_C_INVALID_ARGUMENT,
                           "Een overleg kan niet onder zichzelf of een eigen werkgroep hangen.");
        rc = kt_store_body_parent(c->st, p, &p);
        if (rc == KT_ENOTFOUND)
            break;
        if (rc)
            return kt_fail_err(c, rc);
    }
    return 0;
}

static int scope_arg(kt_ctx *c, int64_t *scope)
{
    const char *name = kt_arg_str(c, "scope");
    *scope = 0;
    if (!name)
        return 0;
    int rc = kt_store_scope_find(c->st, name, scope);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Onbekend gebied '%s'.", name);
    return rc ? kt_fail_err(c, rc) : 0;
}

/* The body's fields from the arguments (create and update take the same ones). */
static int body_fields(kt_ctx *c, int64_t body, kt_body_fields *f)
{
    const char *cadence = kt_arg_str(c, "cadence");
    if (cadence && !kt_cadence_valid(cadence))
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "'cadence' is een periode als P6W (elke 6 weken) of P1M (maandelijks).");
    *f = (kt_body_fields){.name = kt_arg_str(c, "name"),
                          .kind = kt_arg_str(c, "kind"),
                          .level = kt_arg_str(c, "level"),
                          .cadence = cadence,
                          .mandate = kt_arg_str(c, "mandate"),
                          .location = kt_arg_str(c, "location"),
                          .parent = kt_arg_int(c, "parent", 0),
                          .set_cadence = kt_arg_has(c, "cadence"),
                          .set_parent = kt_arg_has(c, "parent")};
    return scope_arg(c, &f->scope) || check_parent(c, body, f->parent) ? -1 : 0;
}

int kt_h_body_create(kt_ctx *c)
{
    kt_body_fields f;
    int64_t id;
    if (body_fields(c, 0, &f))
        return -1;
    int rc = kt_store_body_insert(c->st, &f, kt_now(), &id);
    json_t *body = NULL;
    if (!rc)
        rc = kt_store_body_get(c->st, id, &body);
    if (rc)
        return kt_fail_err(c, rc);
    if (kt_emit_directory(c, "body.created", json_pack("{s:O}", "body", body)))
        return json_decref(body), -1;
    c->result = json_pack("{s:o}", "body", body);
    return 0;
}

int kt_h_body_update(kt_ctx *c)
{
    kt_body_fields f;
    if (body_fields(c, c->body, &f))
        return -1;
    int rc = kt_store_body_update(c->st, c->body, &f, kt_now());
    json_t *body = NULL;
    if (!rc)
        rc = kt_store_body_get(c->st, c->body, &body);
    if (rc)
        return kt_fail_err(c, rc);
    if (kt_emit(c, c->body, "body.updated", NULL, json_pack("{s:O}", "body", body)) ||
        kt_emit_directory(c, "body.updated", json_pack("{s:O}", "body", body)))
        return json_decref(body), -1;
    c->result = json_pack("{s:o}", "body", body);
    return 0;
}

/* ---- memberships ---- */

/* A member of this body: 0, -1 with not_found recorded, or the store's error. */
static int must_be_member(kt_ctx *c, int64_t person, const char *not_found)
{
    kt_store_member m;
    int rc = kt_store_membership_find(c->st, c->body, person, &m);
    free(m.items);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "%s", not_found);
    return rc ? kt_fail_err(c, rc) : 0;
}

/* Validates role / substitute_for / items together, for add and update. */
static int check_membership(kt_ctx *c, int64_t person, const char *role, int64_t substitute_for,
                            json_t *items)
{
    if (role && strcmp(role, "vaste_vervanger") == 0 && !substitute_for)
        return kt_fail(c, KT_C_MISSING_ARGUMENT,
                       "Een vaste vervanger vervangt iemand: geef 'substitute_for' op.");
    if (substitute_for) {
        if (substitute_for == person)
            return kt_fail(c, KT_C_INVALID_ARGUMENT, "Iemand kan zichzelf niet vervangen.");
        if (must_be_member(c, substitute_for,
                           "De persoon die vervangen wordt is geen lid van dit overleg."))
            return -1;
    }
    if (items && json_array_size(items)) {
        if (!role || strcmp(role, "gast") != 0)
            return kt_fail(c, KT_C_INVALID_ARGUMENT,
                           "Alleen een gast kan tot bepaalde agendapunten beperkt worden.");
        size_t i;
        json_t *x;
        json_array_foreach(items, i, x)
        {
            int64_t body = 0, meeting = 0;
            int rc = kt_store_item_place(c->st, json_integer_value(x), &body, &meeting);
            if (rc && rc != KT_ENOTFOUND)
                return kt_fail_err(c, rc);
            /* An item the caller may not see is answered exactly like one that does not exist:
             * nobody grants sight of what they cannot see themselves. */
            bool visible = false;
            kt_vis vis;
            if (!rc && body == c->body &&
                (rc = kt_item_vis_load(c->st, json_integer_value(x), &vis)) == 0) {
                visible = kt_acl_visible(&c->viewer, &vis);
                kt_vis_clear(&vis);
            }
            if (rc && rc != KT_ENOTFOUND)
                return kt_fail_err(c, rc);
            if (!visible)
                return kt_fail(c, KT_C_NOT_FOUND, "Agendapunt %lld hoort niet bij dit overleg.",
                               (long long)json_integer_value(x));
        }
    }
    return 0;
}

static int emit_membership(kt_ctx *c, const char *type, int64_t person, json_t *data)
{
    kt_touch_body(c, c->body);
    kt_vis vis = {.subject = person};
    return kt_emit(c, c->body, type, &vis, data);
}

/* Writes a membership (added: insert, else update), then tells the body and replies with it. */
static int save_and_emit_membership(kt_ctx *c, bool added, int64_t person, const char *role,
                                    int64_t sub, json_t *items)
{
    char *items_text =
        json_is_array(items) && json_array_size(items) ? json_dumps(items, JSON_COMPACT) : NULL;
    int rc =
        added ? kt_store_membership_insert(c->st, c->body, person, role, sub, items_text, kt_now())
              : kt_store_membership_update(c->st, c->body, person, role, sub, items_text);
    free(items_text);
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_CONFLICT, "Deze persoon is al lid van dit overleg.");
    json_t *m = NULL;
    if (!rc)
        rc = kt_store_membership_get(c->st, c->body, person, &m);
    if (rc)
        return kt_fail_err(c, rc);
    const char *type = added ? "membership.added" : "membership.updated";
    if (emit_membership(c, type, person,
                        json_pack("{s:I, s:O}", "person", (json_int_t)person, "membership", m)))
        return json_decref(m), -1;
    c->result = json_pack("{s:o}", "membership", m);
    return 0;
}

/* Four eyes: administrators manage memberships but do not grant themselves sight. Adding or
 * changing one's own membership needs the body's chair or secretary, or another
 * administrator; leaving (membership.remove) is always one's own choice. */
static int not_self_granted(kt_ctx *c, int64_t person)
{
    if (person == c->me->person && c->viewer.role < KT_ROLE_SECRETARIS)
        return kt_fail(c, KT_C_FORBIDDEN,
                       "Uw eigen lidmaatschap kan alleen de voorzitter, de secretaris of een "
                       "andere beheerder toevoegen of wijzigen.");
    return 0;
}

int kt_h_membership_add(kt_ctx *c)
{
    int64_t person = kt_arg_int(c, "person", 0), sub = kt_arg_int(c, "substitute_for", 0);
    const char *role = kt_arg_str(c, "role");
    json_t *items = json_object_get(c->args, "items");
    if (not_self_granted(c, person))
        return -1;
    int rc = kt_store_person_exists(c->st, person, true);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Deze persoon bestaat niet of is niet actief.");
    if (rc)
        return kt_fail_err(c, rc);
    if (check_membership(c, person, role, sub, items))
        return -1;
    return save_and_emit_membership(c, true, person, role, sub, items);
}

int kt_h_membership_update(kt_ctx *c)
{
    int64_t person = kt_arg_int(c, "person", 0);
    if (not_self_granted(c, person))
        return -1;
    json_t *current;
    int rc = kt_store_membership_get(c->st, c->body, person, &current);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Deze persoon is geen lid van dit overleg.");
    if (rc)
        return kt_fail_err(c, rc);
    char role[24];
    snprintf(role, sizeof role, "%s",
             kt_arg_str(c, "role") ? kt_arg_str(c, "role")
                                   : json_string_value(json_object_get(current, "role")));
    int64_t sub = kt_arg_has(c, "substitute_for")
                      ? kt_arg_int(c, "substitute_for", 0)
                      : json_integer_value(json_object_get(current, "substitute_for"));
    json_t *items = json_incref(kt_arg_has(c, "items") ? json_object_get(c->args, "items")
                                                       : json_object_get(current, "items"));
    json_decref(current);
    if (strcmp(role, "vaste_vervanger") != 0 && !kt_arg_has(c, "substitute_for"))
        sub = 0;
    if (strcmp(role, "gast") != 0 && !kt_arg_has(c, "items")) {
        json_decref(items);
        items = NULL;
    }
    rc = check_membership(c, person, role, sub, json_is_array(items) ? items : NULL);
    if (!rc)
        rc = save_and_emit_membership(c, false, person, role, sub, items);
    json_decref(items);
    return rc;
}

int kt_h_membership_remove(kt_ctx *c)
{
    int64_t person = kt_arg_int(c, "person", 0);
    int rc = kt_store_membership_delete(c->st, c->body, person);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Deze persoon is geen lid van dit overleg.");
    if (rc)
        return kt_fail_err(c, rc);
    if (emit_membership(
            c, "membership.removed", person,
            json_pack("{s:I, s:I}", "person", (json_int_t)person, "body", (json_int_t)c->body)))
        return -1;
    c->result = json_pack("{s:I, s:I}", "body", (json_int_t)c->body, "person", (json_int_t)person);
    return 0;
}

/* Agenderingsverzoeken and referrals ("agenderen bij ...").
 *
 * A member asks their body to put a topic on its agenda (request.create), or a body's chair or
 * secretary refers one of its items to another body, or moves it there (agenda.refer). Either
 * way the receiving body's chair or secretary decides (request.decide): accepted, the topic
 * becomes an item in its backlog or on a chosen meeting (a moved item itself changes body);
 * declined, with a reason. The requester hears the outcome (feed/notify.c).
 *
 * Confidentiality on both sides: a referred confidential item stays confidential with the same
 * audience in the other body, and only when someone there who decides (chair or secretary) is
 * in that audience; a request about it is seen only by that audience (domain/model.h,
 * kt_request_vis), and the link each body keeps names the other body and an id, never a title
 * the reader could not see otherwise. */
#include "auth/session.h"
#include "domain/carry.h"
#include "domain/handlers.h"
#include "domain/model.h"
#include "store/agenda_requests.h"
#include "store/bodies.h"
#include "store/chat.h"
#include "store/items.h"
#include "store/meetings.h"
#include "store/memberships.h"
#include "store/minutes.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

#define LIST_MAX 500

/* The meeting a request may name or an item may go to: of body, neither cancelled nor with its
 * verslag vastgesteld. */
static int check_meeting(kt_ctx *c, int64_t body, int64_t meeting)
{
    if (!meeting)
        return 0;
    int64_t of = 0;
    char status[32];
    int rc = kt_store_meeting_state(c->st, meeting, &of, status, sizeof status);
    if (rc == KT_ENOTFOUND || (!rc && of != body))
        return kt_fail(c, KT_C_NOT_FOUND, "Deze vergadering bestaat niet in dit overleg.");
    if (rc)
        return kt_fail_err(c, rc);
    if (strcmp(status, "geannuleerd") == 0 || strcmp(status, "verslag_vastgesteld") == 0)
        return kt_fail(c, KT_C_INVALID_STATE,
                       "Op deze vergadering kan niets meer geagendeerd worden.");
    return 0;
}

/* Appends request.created or request.decided for request id to body's stream. */
static int emit_request(kt_ctx *c, const char *type, int64_t body, int64_t requester, int64_t id)
{
    kt_vis vis = {.subject = requester, .min_role = KT_ROLE_SECRETARIS};
    return kt_emit(c, body, type, &vis, json_pack("{s:{s:I}}", "request", "id", (json_int_t)id));
}

/* Appends agenda.referred or referral.decided to the stream of the body the item came from:
 * seen by whoever may see the item there. */
static int emit_link(kt_ctx *c, const char *type, json_t *req)
{
    int64_t item = json_integer_value(json_object_get(req, "source_item"));
    kt_vis vis = {.item = item, .under = true};
    json_t *data = json_pack(
        "{s:I, s:I, s:O, s:O, s:O, s:O, s:O, s:O}", "item", (json_int_t)item, "request",
        json_integer_value(json_object_get(req, "id")), "kind", json_object_get(req, "kind"), "to",
        json_object_get(req, "body"), "to_name", json_object_get(req, "body_name"), "status",
        json_object_get(req, "status"), "reason", json_object_get(req, "reason"), "new_item",
        json_object_get(req, "item"));
    return kt_emit(c, json_integer_value(json_object_get(req, "source_body")), type, &vis, data);
}

static int load_request(kt_ctx *c, int64_t id, json_t **out)
{
    int rc = kt_store_agenda_request_get(c->st, id, out);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Dit verzoek bestaat niet.");
    return rc ? kt_fail_err(c, rc) : 0;
}

int kt_h_request_create(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0), id = 0;
    if (check_meeting(c, c->body, meeting))
        return -1;
    kt_agenda_request_new r = {.body = c->body,
                               .requester = c->me->person,
                               .meeting = meeting,
                               .kind = "verzoek",
                               .title = kt_arg_str(c, "title"),
                               .description = kt_arg_str(c, "description")};
    int rc = kt_store_agenda_request_insert(c->st, &r, kt_now(), &id);
    if (rc)
        return kt_fail_err(c, rc);
    json_t *req = NULL;
    if (load_request(c, id, &req))
        return -1;
    if (emit_request(c, "request.created", c->body, c->me->person, id))
        return json_decref(req), -1;
    c->result = json_pack("{s:o}", "request", req);
    return 0;
}

int kt_h_request_list(kt_ctx *c)
{
    json_t *to = json_array(), *from = json_array(), *in = json_array(), *out = json_array(), *r;
    int rc = kt_store_agenda_requests_to(c->st, c->body, LIST_MAX + 1, to);
    if (!rc)
        rc = kt_store_agenda_requests_from(c->st, c->body, LIST_MAX + 1, from);
    int64_t open = 0;
    size_t i;
    json_array_foreach(to, i, r)
    {
        if (rc || i >= LIST_MAX || !kt_request_visible(c->st, &c->viewer, r))
            continue;
        json_array_append(in, r);
        open += strcmp(json_string_value(json_object_get(r, "status")), "ingediend") == 0;
    }
    json_array_foreach(from, i, r)
    {
        if (!rc && i < LIST_MAX && kt_referral_visible(c->st, &c->viewer, r))
            json_array_append(out, r);
    }
    /* At most LIST_MAX of each looked at, and the reply within 1 MiB (a request's description
     * runs to 4000 characters): more says something was left out (PROTOCOL.md). */
    bool more = json_array_size(to) > LIST_MAX || json_array_size(from) > LIST_MAX;
    more = kt_page_cut_to(in, LIST_MAX, KT_PAGE_BYTES * 3 / 4) || more;
    more = kt_page_cut_to(out, LIST_MAX, KT_PAGE_BYTES / 4) || more;
    json_decref(to);
    json_decref(from);
    if (rc) {
        json_decref(in);
        json_decref(out);
        return kt_fail_err(c, rc);
    }
    c->result = json_pack("{s:o, s:o, s:I, s:b}", "requests", in, "referrals", out, "open",
                          (json_int_t)open, "more", more);
    return 0;
}

/* ---- deciding ---- */

/* A new item in c->body from req (a member's request, or a copy of a referred item that keeps
 * its confidentiality and audience). */
static int make_item(kt_ctx *c, json_t *req, int64_t meeting, int64_t *id)
{
    int64_t source = json_integer_value(json_object_get(req, "source_item")), last = 0;
    json_t *src = NULL;
    if (source && kt_store_item_get(c->st, source, &src) == KT_ENOTFOUND)
        return kt_fail(c, KT_C_INVALID_STATE,
                       "Het verwezen agendapunt bestaat niet meer in het andere overleg.");
    int rc = kt_store_item_last_position(c->st, c->body, meeting, &last);
    bool confidential = src && json_is_true(json_object_get(src, "confidential"));
    kt_item_fields f = {
        .body = c->body,
        .meeting = meeting,
        .position = last + 1,
        .created_by = c->me->person,
        .title = json_string_value(json_object_get(req, "title")),
        .description = json_string_value(json_object_get(req, "description")),
        .kind = src ? json_string_value(json_object_get(src, "kind")) : "bespreking",
        .duration = src ? json_integer_value(json_object_get(src, "duration")) : 0,
        .recurring = 0,
        .confidential = confidential,
    };
    if (!rc)
        rc = kt_store_item_insert(c->st, &f, kt_now(), id);
    if (!rc && src)
        rc = kt_store_item_audience_copy(c->st, source, *id);
    json_decref(src);
    return rc ? kt_fail_err(c, rc) : 0;
}

/* A moved item itself goes to c->body (its list: meeting, 0 the backlog); its old body's list
 * closes the gap and hears it went. Its chat thread goes with it: from now on it is read, sent
 * and found in c->body, by those who may see the item there, and its old events in the other
 * body's stream resolve to nothing (live/render.c reads the message's body now). Guests of the
 * old body lose the item from their limit: a limit grants only within its own body, and must not
 * come back to life if the item is ever moved back. */
static int move_item(kt_ctx *c, json_t *req, int64_t meeting, int64_t *id)
{
    int64_t item = json_integer_value(json_object_get(req, "source_item"));
    int64_t from = json_integer_value(json_object_get(req, "source_body"));
    int64_t body = 0, old_meeting = 0, last = 0;
    int rc = kt_store_item_place(c->st, item, &body, &old_meeting);
    if (rc == KT_ENOTFOUND || (!rc && body != from))
        return kt_fail(c, KT_C_INVALID_STATE,
                       "Het agendapunt staat niet meer in het overleg dat het verplaatste.");
    if (!rc)
        rc = kt_store_item_last_position(c->st, c->body, meeting, &last);
    if (!rc)
        rc = kt_store_item_rehome(c->st, item, c->body, meeting, last + 1, kt_now());
    if (!rc)
        rc = kt_store_messages_rehome(c->st, item, c->body, kt_now());
    if (rc)
        return kt_fail_err(c, rc);
    kt_touch_item(c, item);
    kt_vis ref = {.item = item};
    if (kt_emit(c, from, "agenda.removed", &ref,
                json_pack("{s:I, s:I, s:o, s:b}", "item", (json_int_t)item, "body",
                          (json_int_t)from, "meeting",
                          old_meeting ? json_integer(old_meeting) : json_null(), "moved", 1)) ||
        kt_agenda_close_gap(c, from, old_meeting) || kt_agenda_drop_guest_limits(c, from, item))
        return -1;
    *id = item;
    return 0;
}

static int emit_added(kt_ctx *c, int64_t item)
{
    kt_touch_item(c, item);
    kt_vis vis;
    int rc = kt_store_item_vis(c->st, item, &vis);
    if (rc)
        return kt_fail_err(c, rc);
    rc = kt_emit(c, c->body, "agenda.added", &vis,
                 json_pack("{s:{s:I}}", "item", "id", (json_int_t)item));
    kt_vis_clear(&vis);
    return rc;
}

int kt_h_request_decide(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "request", 0), meeting = kt_arg_int(c, "meeting", 0), item = 0;
    const char *decision = kt_arg_str(c, "decision"), *reason = kt_arg_str(c, "reason");
    bool accept = strcmp(decision, "aanvaarden") == 0;
    json_t *req = NULL;
    if (load_request(c, id, &req))
        return -1;
    int rc = 0;
    if (json_integer_value(json_object_get(req, "body")) != c->body ||
        !kt_request_visible(c->st, &c->viewer, req))
        rc = kt_fail(c, KT_C_NOT_FOUND, "Dit verzoek bestaat niet.");
    else if (strcmp(json_string_value(json_object_get(req, "status")), "ingediend") != 0)
        rc = kt_fail(c, KT_C_INVALID_STATE, "Over dit verzoek is al besloten.");
    else if (!accept && (!reason || !*reason))
        rc = kt_fail(c, KT_C_MISSING_ARGUMENT, "Geef een reden waarom het verzoek is afgewezen.");
    else if (accept && check_meeting(c, c->body, meeting))
        rc = -1;
    const char *kind = json_string_value(json_object_get(req, "kind"));
    if (!rc && accept)
        rc = strcmp(kind, "verplaatsing") == 0 ? move_item(c, req, meeting, &item)
                                               : make_item(c, req, meeting, &item);
    if (!rc && accept && strcmp(kind, "verplaatsing") != 0) {
        int k = kt_store_item_keep_author(c->st, item, c->me->person);
        rc = k ? kt_fail_err(c, k) : kt_carry_mark_special(c, item, true);
    }
    if (!rc && accept)
        rc = emit_added(c, item);
    if (!rc) {
        int d =
            kt_store_agenda_request_decide(c->st, id, accept ? "aanvaard" : "afgewezen",
                                           accept ? NULL : reason, item, c->me->person, kt_now());
        rc = d == KT_ESTATE ? kt_fail(c, KT_C_INVALID_STATE, "Over dit verzoek is al besloten.")
             : d            ? kt_fail_err(c, d)
                            : 0;
    }
    json_decref(req);
    req = NULL;
    if (!rc)
        rc = load_request(c, id, &req);
    if (!rc)
        rc = emit_request(c, "request.decided", c->body,
                          json_integer_value(json_object_get(req, "requester")), id);
    if (!rc && json_integer_value(json_object_get(req, "source_body")))
        rc = emit_link(c, "referral.decided", req);
    if (rc)
        return json_decref(req), -1;
    c->result = json_pack("{s:o}", "request", req);
    return 0;
}

/* ---- referring ---- */

/* Someone who decides on requests in body (chair or secretary) may see an item with vis. */
static int someone_decides(kt_ctx *c, int64_t body, const kt_vis *vis, bool *found)
{
    kt_ivec people = {0};
    *found = false;
    int rc = kt_store_members_ids(c->st, body, 0, true, &people);
    for (size_t i = 0; !rc && !*found && i < people.n; i++) {
        kt_principal p;
        if (kt_principal_load(c->st, people.v[i], &p))
            continue;
        *found = kt_acl_in_audience(p.person, p.org, vis);
    }
    kt_ivec_free(&people);
    return rc;
}

/* What may not be moved: an item with outcomes or notes of its body, or on a meeting that was
 * held (its verslag is the body's record). */
static int check_movable(kt_ctx *c, int64_t item, int64_t meeting)
{
    int rc = kt_store_item_has_actions(c->st, item);
    json_t *notes = NULL;
    if (rc == KT_ENOTFOUND)
        rc = kt_store_item_notes_get(c->st, item, &notes) == 0 &&
                     json_string_length(json_object_get(notes, "text")) > 0
                 ? 0
                 : KT_ENOTFOUND;
    json_decref(notes);
    if (rc != KT_ENOTFOUND)
        return rc ? kt_fail_err(c, rc)
                  : kt_fail(c, KT_C_INVALID_STATE,
                            "Bij dit agendapunt zijn al uitkomsten of notulen vastgelegd; verwijs "
                            "het door in plaats van het te verplaatsen.");
    if (!meeting)
        return 0;
    int64_t body = 0;
    char status[32];
    if ((rc = kt_store_meeting_state(c->st, meeting, &body, status, sizeof status)))
        return kt_fail_err(c, rc);
    if (strcmp(status, "concept") != 0 && strcmp(status, "agenda_gepubliceerd") != 0)
        return kt_fail(c, KT_C_INVALID_STATE,
                       "Dit punt stond op een vergadering die al gehouden is; verwijs het door "
                       "in plaats van het te verplaatsen.");
    return 0;
}

int kt_h_agenda_refer(kt_ctx *c)
{
    int64_t item = kt_arg_int(c, "item", 0), to = kt_arg_int(c, "to", 0), id = 0;
    bool move = kt_arg_bool(c, "move", false);
    if (to == c->body)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "Kies een ander overleg dan dit.");
    int rc = kt_store_body_exists(c->st, to);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Dit overleg bestaat niet.");
    json_t *it = NULL;
    kt_vis vis = {0};
    if (!rc)
        rc = kt_store_item_get(c->st, item, &it);
    if (!rc)
        rc = kt_store_item_vis(c->st, item, &vis);
    if (rc) {
        json_decref(it);
        return kt_fail_err(c, rc);
    }
    /* The item is one the caller sees whole: dispatch answers any other as not found (the
     * op's target; scripts/prove-matrix op-target-item). */
    bool found = false;
    if (json_is_string(json_object_get(it, "special")))
        rc = kt_fail(c, KT_C_INVALID_STATE,
                     "Het verslag en de actielijst horen bij dit overleg en worden niet verwezen.");
    else if ((rc = kt_store_agenda_request_pending(c->st, item, to)) != KT_ENOTFOUND)
        rc = rc ? kt_fail_err(c, rc)
                : kt_fail(c, KT_C_CONFLICT, "Dit punt ligt al bij dat overleg ter beslissing.");
    else if (move && check_movable(c, item, json_integer_value(json_object_get(it, "meeting"))))
        rc = -1;
    else if ((rc = someone_decides(c, to, &vis, &found)))
        rc = kt_fail_err(c, rc);
    else if (!found)
        rc = kt_fail(c, KT_C_INVALID_STATE,
                     vis.confidential
                         ? "Niemand die in het andere overleg over verzoeken beslist, mag dit "
                           "vertrouwelijke punt zien; het blijft vertrouwelijk en kan daarom "
                           "niet verwezen worden."
                         : "Het andere overleg heeft geen voorzitter of secretaris die kan "
                           "beslissen.");
    kt_vis_clear(&vis);
    if (!rc) {
        const char *note = kt_arg_str(c, "note");
        kt_agenda_request_new r = {
            .body = to,
            .requester = c->me->person,
            .source_body = c->body,
            .source_item = item,
            .kind = move ? "verplaatsing" : "verwijzing",
            .title = json_string_value(json_object_get(it, "title")),
            .description =
                note && *note ? note : json_string_value(json_object_get(it, "description"))};
        rc = kt_store_agenda_request_insert(c->st, &r, kt_now(), &id);
        if (rc)
            rc = kt_fail_err(c, rc);
    }
    json_decref(it);
    json_t *req = NULL;
    if (!rc)
        rc = load_request(c, id, &req);
    if (!rc)
        rc = emit_request(c, "request.created", to, c->me->person, id);
    if (!rc)
        rc = emit_link(c, "agenda.referred", req);
    if (rc)
        return json_decref(req), -1;
    c->result = json_pack("{s:o}", "request", req);
    return 0;
}

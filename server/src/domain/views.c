#include "domain/views.h"

#include "domain/model.h"
#include "store/actions.h"
#include "store/memberships.h"
#include "store/notifications.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

json_t *kt_body_contacts(kt_store *st, int64_t body)
{
    json_t *out = json_array();
    kt_store_body_contacts(st, body, out);
    return out;
}

static json_t *time_json(int64_t t)
{
    if (!t)
        return json_null();
    char buf[32];
    kt_time_format(t, buf, sizeof buf);
    return json_string(buf);
}

/* One side of a flag: the body, its meeting (or projected meeting) and item. The item's title is
 * given only when hide is false. */
static json_t *side_json(kt_store *st, int64_t body, int64_t meeting, int64_t item,
                         int64_t projected, bool hide)
{
    json_t *b = kt_body_json(st, body);
    json_t *j = json_pack("{s:I, s:O}", "body", (json_int_t)body, "body_name",
                          b ? json_object_get(b, "name") : json_null());
    json_object_set(j, "scope", b ? json_object_get(b, "scope") : json_null());
    json_decref(b);
    json_t *m = meeting ? kt_meeting_json(st, meeting) : NULL;
    json_object_set_new(j, "meeting", meeting ? json_integer(meeting) : json_null());
    json_object_set(j, "start", m ? json_object_get(m, "start") : json_null());
    json_object_set(j, "end", m ? json_object_get(m, "end") : json_null());
    json_object_set(j, "location", m ? json_object_get(m, "location") : json_null());
    json_decref(m);
    json_object_set_new(j, "projected", json_boolean(projected != 0));
    if (projected)
        json_object_set_new(j, "start", time_json(projected));
    json_t *it = item && !hide ? kt_item_json(st, item) : NULL;
    json_object_set_new(j, "item", item && !hide ? json_integer(item) : json_null());
    json_object_set(j, "title", it ? json_object_get(it, "title") : json_null());
    json_decref(it);
    json_object_set_new(j, "hidden", json_boolean(hide));
    return j;
}

json_t *kt_flag_row_json(kt_store *st, const kt_flag_row *r, int64_t body)
{
    int here = r->body[0] == body ? 0 : 1, other = 1 - here;
    json_t *evidence = json_loads(r->evidence, 0, NULL);
    if (!evidence)
        evidence = json_object();
    /* Only those who may see the other side's item get the flag at all (kt_flag_visible). */
    json_t *other_side = side_json(st, r->body[other], r->meeting[other], r->item[other],
                                   other == 1 ? r->projected_b : 0, false);
    json_object_set_new(other_side, "contacts", kt_body_contacts(st, r->body[other]));
    char created[32], updated[32];
    kt_time_format(r->created, created, sizeof created);
    kt_time_format(r->updated, updated, sizeof updated);
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:f, s:s, s:s, s:o, s:o, s:o, s:o}", "id",
                     (json_int_t)r->id, "kind", r->kind, "state", r->state, "note", r->note,
                     "lead_body", r->lead ? json_integer(r->lead) : json_null(), "score", r->score,
                     "created_at", created, "updated_at", updated, "resolved_by",
                     r->resolved_by ? json_integer(r->resolved_by) : json_null(), "here",
                     side_json(st, r->body[here], r->meeting[here], r->item[here],
                               here == 1 ? r->projected_b : 0, false),
                     "other", other_side, "evidence", evidence);
}

bool kt_flag_visible(kt_store *st, int64_t flag, int64_t body, const kt_viewer *v)
{
    kt_flag_row r;
    if (v->role < KT_ROLE_SECRETARIS)
        return false;
    if (kt_store_flag_get(st, flag, &r)) {
        kt_store_flag_clear(&r);
        return false;
    }
    int here = r.body[0] == body ? 0 : r.body[1] == body ? 1 : -1;
    bool ok = here >= 0;
    /* An item that is gone shows nothing (the flag is vervallen): it blocks nothing. */
    kt_vis vis;
    int rc;
    if (ok && r.item[here]) { /* their own side's item, whole */
        rc = kt_item_vis_load(st, r.item[here], &vis);
        ok = rc == KT_ENOTFOUND || (rc == 0 && kt_acl_visible(v, &vis));
        kt_vis_clear(&vis);
    }
    if (ok && r.item[1 - here]) {
        /* A confidential item on the other side: a possible duplicate is told to its own side
         * only, never graded or revealed to this one - unless v is of that item's audience. */
        rc = kt_item_vis_load(st, r.item[1 - here], &vis);
        ok = rc == KT_ENOTFOUND || (rc == 0 && kt_acl_in_audience(v->person, v->org, &vis));
        kt_vis_clear(&vis);
    }
    kt_store_flag_clear(&r);
    return ok;
}

json_t *kt_flag_json(kt_store *st, int64_t flag, int64_t body)
{
    kt_flag_row r;
    if (kt_store_flag_get(st, flag, &r)) {
        kt_store_flag_clear(&r);
        return NULL;
    }
    json_t *j = r.body[0] == body || r.body[1] == body ? kt_flag_row_json(st, &r, body) : NULL;
    kt_store_flag_clear(&r);
    return j;
}

json_t *kt_notification_json(kt_store *st, int64_t id)
{
    json_t *j = NULL;
    kt_store_notification_get(st, id, &j);
    return j;
}

bool kt_notification_visible(kt_store *st, int64_t person, int64_t id)
{
    kt_note_about a;
    if (kt_store_notification_about(st, id, person, &a))
        return false;
    if (strcmp(a.kind, "membership") == 0 || !a.body)
        return true; /* about one's own membership, or about nothing of a body */
    /* Decided now, by the one visibility function: still a member, and what it is about (its
     * item, the action's item as it is now, the flag) still visible. */
    kt_principal p;
    kt_viewer v;
    int64_t *items = NULL;
    if (kt_principal_load(st, person, &p) || kt_viewer_load(st, a.body, &p, &v, &items))
        return false;
    bool ok = v.role != KT_ROLE_NONE;
    int64_t item = a.item;
    if (ok && a.action) {
        json_t *act = NULL;
        ok = kt_store_action_get(st, a.action, &act) == 0 && act;
        if (ok)
            item = json_integer_value(json_object_get(act, "item"));
        json_decref(act);
    }
    if (ok && item) {
        kt_vis vis;
        ok = kt_item_vis_load(st, item, &vis) == 0 && kt_acl_visible(&v, &vis);
        kt_vis_clear(&vis);
    }
    if (ok && a.flag)
        ok = kt_flag_visible(st, a.flag, a.body, &v);
    free(items);
    return ok;
}

#include "auth/acl.h"

#include "util/err.h"

#include <stdlib.h>
#include <string.h>

static const char *const role_names[] = {
    [KT_ROLE_NONE] = "",
    [KT_ROLE_WAARNEMER] = "waarnemer",
    [KT_ROLE_GAST] = "gast",
    [KT_ROLE_LID] = "lid",
    [KT_ROLE_VASTE_VERVANGER] = "vaste_vervanger",
    [KT_ROLE_SECRETARIS] = "secretaris",
    [KT_ROLE_VOORZITTER] = "voorzitter",
};

const char *kt_role_name(kt_role role)
{
    return (unsigned)role <= KT_ROLE_VOORZITTER ? role_names[role] : "";
}

kt_role kt_role_parse(const char *name)
{
    if (!name)
        return KT_ROLE_NONE;
    for (int r = KT_ROLE_WAARNEMER; r <= KT_ROLE_VOORZITTER; r++)
        if (strcmp(name, role_names[r]) == 0)
            return (kt_role)r;
    return KT_ROLE_NONE;
}

bool kt_acl_allows(const kt_viewer *v, kt_perm perm)
{
    switch (perm) {
    case KT_PERM_AUTH:
        return v->person != 0;
    case KT_PERM_READ:
        return v->role != KT_ROLE_NONE;
    case KT_PERM_READ_ADMIN:
        return v->role != KT_ROLE_NONE || v->admin;
    case KT_PERM_PARTICIPATE:
        return v->role >= KT_ROLE_GAST;
    case KT_PERM_CHAIR:
        return v->role == KT_ROLE_VOORZITTER;
    case KT_PERM_EDIT:
        return v->role >= KT_ROLE_SECRETARIS;
    case KT_PERM_MANAGE:
        return v->admin || v->role >= KT_ROLE_SECRETARIS;
    case KT_PERM_ADMIN:
        return v->admin;
    }
    return false;
}

static bool contains(const int64_t *a, int n, int64_t x)
{
    for (int i = 0; i < n; i++)
        if (a[i] == x)
            return true;
    return false;
}

bool kt_acl_in_audience(int64_t person, int64_t org, const kt_vis *vis)
{
    if (!vis || !vis->confidential)
        return true;
    return contains(vis->orgs, vis->n_orgs, org) || contains(vis->persons, vis->n_persons, person);
}

kt_sight kt_acl_sight(const kt_viewer *v, const kt_vis *vis)
{
    if (!v->person)
        return KT_SIGHT_NONE;
    if (vis && (vis->directory || (vis->subject && vis->subject == v->person)))
        return KT_SIGHT_FULL;
    if (v->role == KT_ROLE_NONE)
        return KT_SIGHT_NONE;
    if (!vis)
        return KT_SIGHT_FULL;
    if (vis->min_role && v->role < vis->min_role)
        return KT_SIGHT_NONE;
    bool limited = v->n_items >= 0;
    if (limited && (vis->agenda_wide || (vis->item && !contains(v->items, v->n_items, vis->item))))
        return KT_SIGHT_NONE;
    if (kt_acl_in_audience(v->person, v->org, vis))
        return KT_SIGHT_FULL;
    /* Outside the audience: members see that the item is there, guests nothing at all. */
    return vis->item && !vis->under && !limited ? KT_SIGHT_PLACEHOLDER : KT_SIGHT_NONE;
}

bool kt_acl_visible(const kt_viewer *v, const kt_vis *vis)
{
    return kt_acl_sight(v, vis) == KT_SIGHT_FULL;
}

void kt_vis_clear(kt_vis *vis)
{
    free(vis->orgs);
    free(vis->persons);
    memset(vis, 0, sizeof *vis);
}

int kt_vis_parse(const char *text, kt_vis *out)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return 0;
    json_t *j = json_loads(text, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return KT_EINVAL;
    }
    /* Only references: an audience stored by older versions ("confidential", "orgs",
     * "persons") is ignored, the item's audience is read when the event is. */
    out->item = json_integer_value(json_object_get(j, "item"));
    out->under = json_is_true(json_object_get(j, "under"));
    out->directory = json_is_true(json_object_get(j, "directory"));
    out->subject = json_integer_value(json_object_get(j, "subject"));
    out->min_role = kt_role_parse(json_string_value(json_object_get(j, "min_role")));
    out->agenda_wide = json_is_true(json_object_get(j, "agenda_wide"));
    json_decref(j);
    return 0;
}

json_t *kt_vis_to_json(const kt_vis *vis)
{
    json_t *j = json_object();
    if (vis->item)
        json_object_set_new(j, "item", json_integer(vis->item));
    if (vis->item && vis->under)
        json_object_set_new(j, "under", json_true());
    if (vis->directory)
        json_object_set_new(j, "directory", json_true());
    if (vis->subject)
        json_object_set_new(j, "subject", json_integer(vis->subject));
    if (vis->min_role)
        json_object_set_new(j, "min_role", json_string(kt_role_name(vis->min_role)));
    if (vis->agenda_wide)
        json_object_set_new(j, "agenda_wide", json_true());
    return j;
}

char *kt_vis_dump(const kt_vis *vis)
{
    if (!vis ||
        (!vis->item && !vis->directory && !vis->subject && !vis->min_role && !vis->agenda_wide))
        return NULL;
    json_t *j = kt_vis_to_json(vis);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

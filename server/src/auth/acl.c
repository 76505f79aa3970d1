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

bool kt_acl_visible(const kt_viewer *v, const kt_vis *vis)
{
    if (!v->person)
        return false;
    if (vis && (vis->directory || (vis->subject && vis->subject == v->person)))
        return true;
    if (v->role == KT_ROLE_NONE)
        return false;
    if (!vis)
        return true;
    if (vis->min_role && v->role < vis->min_role)
        return false;
    if (vis->item && v->n_items >= 0 && !contains(v->items, v->n_items, vis->item))
        return false;
    if (vis->agenda_wide && v->n_items >= 0)
        return false;
    if (vis->confidential)
        return contains(vis->orgs, vis->n_orgs, v->org) ||
               contains(vis->persons, vis->n_persons, v->person);
    return true;
}

void kt_vis_clear(kt_vis *vis)
{
    free(vis->orgs);
    free(vis->persons);
    memset(vis, 0, sizeof *vis);
}

static int ids_from_json(json_t *arr, int64_t **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return KT_EINVAL;
    size_t len = json_array_size(arr);
    if (!len)
        return 0;
    *out = calloc(len, sizeof **out);
    if (!*out)
        return KT_ENOMEM;
    for (size_t i = 0; i < len; i++) {
        json_t *x = json_array_get(arr, i);
        if (!json_is_integer(x))
            return KT_EINVAL;
        (*out)[i] = json_integer_value(x);
    }
    *n = (int)len;
    return 0;
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
    out->item = json_integer_value(json_object_get(j, "item"));
    out->confidential = json_is_true(json_object_get(j, "confidential"));
    out->directory = json_is_true(json_object_get(j, "directory"));
    out->subject = json_integer_value(json_object_get(j, "subject"));
    out->min_role = kt_role_parse(json_string_value(json_object_get(j, "min_role")));
    out->agenda_wide = json_is_true(json_object_get(j, "agenda_wide"));
    int rc = ids_from_json(json_object_get(j, "orgs"), &out->orgs, &out->n_orgs);
    if (!rc)
        rc = ids_from_json(json_object_get(j, "persons"), &out->persons, &out->n_persons);
    json_decref(j);
    if (rc)
        kt_vis_clear(out);
    return rc;
}

json_t *kt_vis_to_json(const kt_vis *vis)
{
    json_t *j = json_object();
    if (vis->item)
        json_object_set_new(j, "item", json_integer(vis->item));
    if (vis->directory)
        json_object_set_new(j, "directory", json_true());
    if (vis->subject)
        json_object_set_new(j, "subject", json_integer(vis->subject));
    if (vis->min_role)
        json_object_set_new(j, "min_role", json_string(kt_role_name(vis->min_role)));
    if (vis->agenda_wide)
        json_object_set_new(j, "agenda_wide", json_true());
    if (vis->confidential) {
        json_t *orgs = json_array(), *persons = json_array();
        for (int i = 0; i < vis->n_orgs; i++)
            json_array_append_new(orgs, json_integer(vis->orgs[i]));
        for (int i = 0; i < vis->n_persons; i++)
            json_array_append_new(persons, json_integer(vis->persons[i]));
        json_object_set_new(j, "confidential", json_true());
        json_object_set_new(j, "orgs", orgs);
        json_object_set_new(j, "persons", persons);
    }
    return j;
}

char *kt_vis_dump(const kt_vis *vis)
{
    if (!vis || (!vis->item && !vis->confidential && !vis->directory && !vis->subject &&
                 !vis->min_role && !vis->agenda_wide))
        return NULL;
    json_t *j = kt_vis_to_json(vis);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

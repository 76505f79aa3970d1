#include "auth/viewer.h"

#include "store/memberships.h"
#include "util/err.h"

#include <stddef.h>
#include <stdlib.h>

int kt_viewer_load(kt_store *st, int64_t body, const kt_principal *p, kt_viewer *v,
                   int64_t **storage)
{
    v->person = p->person;
    v->org = p->org;
    v->admin = p->admin;
    v->role = KT_ROLE_NONE;
    v->n_items = -1;
    v->items = NULL;
    *storage = NULL;
    kt_store_member m;
    int rc = kt_store_membership_find(st, body, p->person, &m);
    if (rc == KT_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    v->role = kt_role_parse(m.role);
    v->items = *storage = m.items;
    v->n_items = m.n_items;
    return 0;
}

void kt_viewer_from_member(const kt_principal *p, kt_store_member *m, kt_viewer *v,
                           int64_t **storage)
{
    v->person = p->person;
    v->org = p->org;
    v->admin = p->admin;
    v->role = m->role[0] ? kt_role_parse(m->role) : KT_ROLE_NONE;
    v->items = *storage = m->role[0] ? m->items : NULL;
    v->n_items = m->role[0] ? m->n_items : -1;
    if (!m->role[0])
        free(m->items);
}

int kt_viewer_load_person(kt_store *st, int64_t body, int64_t person, kt_viewer *v,
                          int64_t **storage)
{
    kt_store_member m;
    int64_t org = 0;
    bool admin = false;
    *storage = NULL;
    int rc = kt_store_viewer_find(st, body, person, &org, &admin, &m);
    if (rc)
        return rc;
    v->person = person;
    v->org = org;
    v->admin = admin;
    v->role = m.role[0] ? kt_role_parse(m.role) : KT_ROLE_NONE;
    v->items = *storage = m.items;
    v->n_items = m.role[0] ? m.n_items : -1;
    return 0;
}

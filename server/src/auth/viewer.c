#include "auth/viewer.h"

#include "store/memberships.h"
#include "util/err.h"

#include <stddef.h>

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

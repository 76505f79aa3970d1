#include "domain/model.h"

#include "store/bodies.h"
#include "store/chat.h"
#include "store/items.h"
#include "store/meetings.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kt_item_vis_load(kt_store *st, int64_t item, kt_vis *out)
{
    return kt_store_item_vis(st, item, out);
}

int kt_under_item_vis(kt_store *st, int64_t item, kt_vis *out)
{
    memset(out, 0, sizeof *out);
    if (!item)
        return 0;
    int rc = kt_store_item_vis(st, item, out);
    out->under = true; /* what hangs under an item: all of it or nothing, no placeholder */
    return rc == KT_ENOTFOUND ? 0 : rc;
}

int kt_request_vis(kt_store *st, json_t *req, kt_vis *out)
{
    memset(out, 0, sizeof *out);
    int64_t source = json_integer_value(json_object_get(req, "source_item"));
    int64_t made = json_integer_value(json_object_get(req, "item"));
    int rc = 0;
    /* A referred item's audience goes with it; when it went meanwhile, the item the decision
     * made (which kept that audience) speaks for it, and failing that nobody but the requester
     * sees the request (better nothing than something one may not see). */
    if (source && (rc = kt_store_item_vis(st, source, out)) == KT_ENOTFOUND && made)
        rc = kt_store_item_vis(st, made, out);
    if (rc == KT_ENOTFOUND) {
        memset(out, 0, sizeof *out);
        out->item = source;
        out->confidential = true; /* an audience of nobody */
        rc = 0;
    }
    out->under = true; /* a request shows the item's content, never a placeholder of it */
    out->min_role = KT_ROLE_SECRETARIS;
    out->subject = json_integer_value(json_object_get(req, "requester"));
    return rc;
}

bool kt_request_visible(kt_store *st, const kt_viewer *v, json_t *req)
{
    kt_vis vis;
    if (kt_request_vis(st, req, &vis))
        return false;
    bool ok = kt_acl_visible(v, &vis);
    kt_vis_clear(&vis);
    /* Once accepted, it is the history of the item it made: seen by whoever sees that item. */
    int64_t made = json_integer_value(json_object_get(req, "item"));
    if (!ok && made && kt_store_item_vis(st, made, &vis) == 0) {
        vis.under = true;
        ok = kt_acl_visible(v, &vis);
        kt_vis_clear(&vis);
    }
    return ok;
}

bool kt_referral_visible(kt_store *st, const kt_viewer *v, json_t *req)
{
    kt_vis vis;
    int64_t source = json_integer_value(json_object_get(req, "source_item"));
    if (!source || kt_store_item_vis(st, source, &vis))
        return false; /* the item went: nothing to say about it */
    vis.under = true;
    vis.subject = json_integer_value(json_object_get(req, "requester"));
    bool ok = kt_acl_visible(v, &vis);
    kt_vis_clear(&vis);
    return ok;
}

json_t *kt_item_json(kt_store *st, int64_t item)
{
    json_t *j = NULL;
    kt_store_item_get(st, item, &j);
    return j;
}

json_t *kt_items_titles(kt_store *st, int64_t meeting, const kt_viewer *v)
{
    json_t *out = json_array();
    if (kt_store_items_titles(st, meeting, v, out)) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *kt_meeting_json(kt_store *st, int64_t meeting)
{
    json_t *j = NULL;
    kt_store_meeting_get(st, meeting, &j);
    return j;
}

json_t *kt_body_json(kt_store *st, int64_t body)
{
    json_t *j = NULL;
    kt_store_body_get(st, body, &j);
    return j;
}

json_t *kt_message_counts(kt_store *st, json_t *agenda)
{
    json_t *out = json_object(), *it;
    size_t i;
    json_array_foreach(agenda, i, it)
    {
        if (json_is_true(json_object_get(it, "placeholder")))
            continue; /* the thread of a besloten punt is not there for this viewer */
        json_int_t id = json_integer_value(json_object_get(it, "id"));
        int64_t n = 0;
        if (kt_store_message_count(st, id, &n)) { /* logged; counts left out would look true */
            json_decref(out);
            return NULL;
        }
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)id);
        if (n)
            json_object_set_new(out, key, json_integer(n));
    }
    return out;
}

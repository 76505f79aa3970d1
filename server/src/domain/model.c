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
        if (kt_store_message_count(st, id, &n))
            break;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)id);
        if (n)
            json_object_set_new(out, key, json_integer(n));
    }
    return out;
}

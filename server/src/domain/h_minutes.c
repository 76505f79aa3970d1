/* The verslag per agenda item: the secretary's notes under each item, live for everyone who
 * may see the item. */
#include "domain/handlers.h"
#include "domain/minutes.h"
#include "domain/model.h"
#include "store/actions.h"
#include "store/minutes.h"
#include "util/err.h"
#include "util/ivec.h"
#include "util/timeutil.h"

#include <stdio.h>

json_t *kt_minutes_notes(kt_ctx *c, json_t *agenda)
{
    json_t *out = json_object(), *it;
    size_t i;
    json_array_foreach(agenda, i, it)
    {
        json_int_t id = json_integer_value(json_object_get(it, "id"));
        json_t *n = NULL;
        if (kt_store_item_notes_get(c->st, id, &n))
            continue;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)id);
        json_object_set_new(out, key, n);
    }
    return out;
}

/* Whether c->viewer may see what hangs under item (0: nothing, always). */
static int sees_under(kt_ctx *c, int64_t item, bool *visible)
{
    kt_vis vis;
    int rc = kt_under_item_vis(c->st, item, &vis);
    if (rc)
        return rc;
    *visible = kt_acl_visible(&c->viewer, &vis);
    kt_vis_clear(&vis);
    return 0;
}

int kt_minutes_outcomes(kt_ctx *c, int64_t meeting, json_t **out)
{
    kt_ivec ids = {0};
    *out = json_array();
    int rc = kt_store_actions_of_meeting(c->st, meeting, &ids);
    for (size_t i = 0; !rc && i < ids.n; i++) {
        json_t *a = NULL;
        bool visible = false;
        rc = kt_store_action_get(c->st, ids.v[i], &a);
        if (!rc)
            rc = sees_under(c, json_integer_value(json_object_get(a, "item")), &visible);
        if (!rc && visible)
            json_array_append(*out, a);
        json_decref(a);
    }
    kt_ivec_free(&ids);
    if (rc) {
        json_decref(*out);
        *out = NULL;
        return kt_fail_err(c, rc);
    }
    return 0;
}

int kt_h_minutes_note(kt_ctx *c)
{
    int64_t item = kt_arg_int(c, "item", 0), rev = 0;
    json_t *it = kt_item_json(c->st, item);
    if (!it)
        return kt_fail(c, KT_C_NOT_FOUND, "Dit agendapunt bestaat niet.");
    int64_t meeting = json_integer_value(json_object_get(it, "meeting"));
    json_decref(it);
    if (!meeting)
        return kt_fail(c, KT_C_INVALID_STATE,
                       "Notulen horen bij een agendapunt van een vergadering, niet bij een punt "
                       "dat nog geagendeerd moet worden.");
    int rc = kt_store_item_notes_set(c->st, item, kt_arg_str(c, "text"), c->me->person, kt_now(),
                                     kt_arg_int(c, "rev", -1), &rev);
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_CONFLICT,
                       "De notulen van dit punt zijn intussen door iemand anders opgeslagen; "
                       "laad ze opnieuw en voeg uw tekst toe.");
    if (rc)
        return kt_fail_err(c, rc);
    json_t *notes = NULL;
    kt_vis vis;
    if (kt_store_item_notes_get(c->st, item, &notes) || kt_item_vis_load(c->st, item, &vis)) {
        json_decref(notes);
        return kt_fail_err(c, KT_ESTORE);
    }
    rc = kt_emit(c, c->body, "minutes.noted", &vis,
                 json_pack("{s:I, s:I, s:O}", "item", (json_int_t)item, "meeting",
                           (json_int_t)meeting, "notes", notes));
    kt_vis_clear(&vis);
    if (rc)
        return json_decref(notes), -1;
    c->result = json_pack("{s:o}", "notes", notes);
    return 0;
}

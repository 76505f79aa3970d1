/* subscribe / unsubscribe: attach a connection to a body's event stream (or the directory
 * stream, body 0) from a given seq. The replay itself happens in the hub, paced by the
 * connection's out-queue. */
#include "domain/handlers.h"
#include "domain/model.h"
#include "live/hub.h"
#include "store/bodies.h"
#include "store/memberships.h"
#include "util/err.h"

#include <stdlib.h>

int kt_h_subscribe(kt_ctx *c)
{
    kt_conn *conn = c->conn;
    int64_t body = kt_arg_int(c, "body", 0);
    int64_t since = kt_arg_has(c, "since") ? kt_arg_int(c, "since", 0) : -1;
    if (!conn || !c->app->hub)
        return kt_fail(c, KT_C_INVALID_STATE, "Abonneren kan alleen over een WebSocket.");
    kt_viewer v = c->viewer;
    int64_t *items = NULL;
    if (body != KT_DIRECTORY) {
        int rc = kt_store_body_exists(c->st, body);
        if (rc == KT_ENOTFOUND)
            return kt_fail(c, KT_C_NOT_FOUND, "Dit overleg bestaat niet.");
        if (!rc)
            rc = kt_viewer_load(c->st, body, c->me, &v, &items);
        if (rc)
            return kt_fail_err(c, rc);
        if (!kt_acl_allows(&v, KT_PERM_READ)) {
            free(items);
            return kt_fail(c, KT_C_NOT_MEMBER, NULL);
        }
        /* Replay is bounded: not from before the membership began (the new member has no
         * snapshot of then, and what happened before is not theirs to replay). */
        int64_t floor = 0;
        rc = since >= 0 ? kt_store_membership_since(c->st, body, c->me->person, &floor) : 0;
        if (rc && rc != KT_ENOTFOUND) {
            free(items);
            return kt_fail_err(c, rc);
        }
        if (since >= 0 && since < floor) {
            free(items);
            return kt_fail(c, KT_C_RESYNC,
                           "Wat er gebeurde voordat u lid werd (tot en met wijziging %lld) kunt "
                           "u niet opnieuw ophalen; haal de actuele stand op en abonneer vanaf "
                           "die.",
                           (long long)floor);
        }
    }
    int64_t head;
    int rc = kt_hub_subscribe(c->app->hub, conn, body, since, &v, items, &head);
    if (rc == KT_EINVAL)
        return kt_fail(c, KT_C_INVALID_SINCE,
                       "'since' (%lld) ligt voorbij de laatste wijziging "
                       "(%lld).",
                       (long long)since, (long long)head);
    if (rc == KT_ERANGE) /* retention cut the log: as before one's membership, a fresh start */
        return kt_fail(c, KT_C_RESYNC,
                       "'since' (%lld) ligt voor de oudste bewaarde wijziging; haal het overzicht "
                       "opnieuw op.",
                       (long long)since);
    if (rc == KT_EFULL)
        return kt_fail(c, KT_C_TOO_MANY_SUBSCRIPTIONS, NULL);
    if (rc)
        return kt_fail_err(c, rc);
    c->result = json_pack("{s:I, s:I, s:I}", "body", (json_int_t)body, "since",
                          (json_int_t)(since < 0 ? head : since), "head", (json_int_t)head);
    return 0;
}

int kt_h_unsubscribe(kt_ctx *c)
{
    int64_t body = kt_arg_int(c, "body", 0);
    if (!c->conn || !c->app->hub)
        return kt_fail(c, KT_C_INVALID_STATE, "Abonneren kan alleen over een WebSocket.");
    if (kt_hub_unsubscribe(c->app->hub, c->conn, body))
        return kt_fail(c, KT_C_NOT_FOUND, "U bent niet geabonneerd op dit overleg.");
    c->result = json_pack("{s:I}", "body", (json_int_t)body);
    return 0;
}

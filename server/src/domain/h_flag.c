/* Flags (signaleringen) for chairs and secretaries: list them per body, resolve them. */
#include "auth/acl.h"
#include "detect/flags.h"
#include "domain/handlers.h"
#include "domain/model.h"
#include "store/flags.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

int kt_h_flag_list(kt_ctx *c)
{
    c->result = json_pack("{s:o, s:I}", "flags",
                          kt_flags_of_body(c->st, c->body, &c->viewer, kt_arg_str(c, "state")),
                          "seq", (json_int_t)kt_store_stream_seq(c->st, c->body));
    return 0;
}

/* The side of flag the caller may act for: a body where they chair or keep the secretariat and
 * whose item (if any) they may see. */
static int acting_side(kt_ctx *c, int64_t flag, int64_t *body, int64_t *other)
{
    kt_flag_row r;
    int rc = kt_store_flag_get(c->st, flag, &r);
    kt_store_flag_clear(&r);
    if (rc && rc != KT_ENOTFOUND)
        return kt_fail_err(c, rc);
    for (int k = 0; !rc && k < 2; k++) {
        kt_viewer v;
        int64_t *items = NULL;
        if ((rc = kt_viewer_load(c->st, r.body[k], c->me, &v, &items))) {
            free(items);
            return kt_fail_err(c, rc);
        }
        bool ok = kt_flag_visible(c->st, flag, r.body[k], &v);
        free(items);
        if (ok) {
            *body = r.body[k];
            *other = r.body[1 - k];
            return 0;
        }
    }
    /* Not yours or not there: the same answer, so flags cannot be probed. */
    return kt_fail(c, KT_C_NOT_FOUND, "Deze signalering bestaat niet.");
}

int kt_h_flag_resolve(kt_ctx *c)
{
    int64_t flag = kt_arg_int(c, "flag", 0), body = 0, other = 0;
    const char *state = kt_arg_str(c, "state");
    if (acting_side(c, flag, &body, &other))
        return -1;
    int64_t lead = kt_arg_int(c, "lead_body", 0);
    if (lead && lead != body && lead != other)
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "Het leidende overleg moet een van de twee betrokken overleggen zijn.");
    if (strcmp(state, "afgestemd") == 0 && !lead)
        return kt_fail(c, KT_C_MISSING_ARGUMENT,
                       "Geef bij 'afgestemd' aan welk overleg leidt (lead_body).");
    if (strcmp(state, "geen_overlap") == 0) {
        kt_flag_row r;
        int grc = kt_store_flag_get(c->st, flag, &r);
        bool dup = !grc && strcmp(r.kind, "duplicate") == 0;
        kt_store_flag_clear(&r);
        if (grc)
            return kt_fail_err(c, grc);
        if (!dup)
            return kt_fail(c, KT_C_INVALID_ARGUMENT,
                           "'Geen overlap' past alleen bij een mogelijk dubbel agendapunt.");
    }
    /* A decision on a possible duplicate teaches the detector (detect.c, on flag.updated). */
    int rc = kt_store_flag_resolve(c->st, flag, state, kt_arg_str(c, "note"), lead, c->me->person,
                                   kt_now());
    if (rc == KT_ESTATE)
        return kt_fail(c, KT_C_INVALID_STATE, "Deze signalering is vervallen.");
    if (rc)
        return kt_fail_err(c, rc);
    if (kt_flag_announce(c, flag, "flag.updated"))
        return -1;
    c->result = json_pack("{s:o}", "flag", kt_flag_json(c->st, flag, body));
    return 0;
}

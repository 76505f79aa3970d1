/* Flags (signaleringen) for chairs and secretaries: list them per body, resolve them. */
#include "auth/acl.h"
#include "detect/flags.h"
#include "domain/handlers.h"
#include "domain/model.h"
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
    sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT body_a, item_a, body_b, item_b FROM flags "
                                           "WHERE id = ?1");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, flag);
    int64_t b[2] = {0}, it[2] = {0};
    bool found = sqlite3_step(s) == SQLITE_ROW;
    if (found)
        for (int k = 0; k < 2; k++) {
            b[k] = sqlite3_column_int64(s, 2 * k);
            it[k] = sqlite3_column_int64(s, 2 * k + 1);
        }
    sqlite3_reset(s);
    for (int k = 0; found && k < 2; k++) {
        kt_viewer v;
        int64_t *items = NULL;
        kt_vis vis;
        if (kt_viewer_load(c->st, b[k], c->me, &v, &items) ||
            kt_under_item_vis(c->st, it[k], &vis)) {
            free(items);
            return kt_fail_err(c, KT_ESTORE);
        }
        vis.min_role = KT_ROLE_SECRETARIS;
        bool ok = kt_acl_visible(&v, &vis);
        kt_vis_clear(&vis);
        free(items);
        if (ok) {
            *body = b[k];
            *other = b[1 - k];
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
    sqlite3_stmt *s = kt_store_stmt(
        c->st, "UPDATE flags SET state = ?2, note = coalesce(?3, note), lead_body_id = ?4, "
               "resolved_by = CASE WHEN ?2 = 'open' THEN NULL ELSE ?5 END, resolved_at = ?6, "
               "updated_at = ?6 WHERE id = ?1 AND state <> 'vervallen'");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, flag);
    sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
    if (kt_arg_str(c, "note"))
        sqlite3_bind_text(s, 3, kt_arg_str(c, "note"), -1, SQLITE_STATIC);
    if (lead)
        sqlite3_bind_int64(s, 4, lead);
    sqlite3_bind_int64(s, 5, c->me->person);
    sqlite3_bind_int64(s, 6, kt_now());
    int rc = kt_store_step_done(c->st, s);
    if (rc)
        return kt_fail_err(c, rc);
    if (sqlite3_changes(kt_store_db(c->st)) == 0)
        return kt_fail(c, KT_C_INVALID_STATE, "Deze signalering is vervallen.");
    if (kt_flag_announce(c, flag, "flag.updated"))
        return -1;
    c->result = json_pack("{s:o}", "flag", kt_flag_json(c->st, flag, body));
    return 0;
}

/* Flags (signaleringen) for chairs and secretaries: list them per body, resolve them. */
#include "auth/acl.h"
#include "detect/flags.h"
#include "domain/handlers.h"
#include "domain/model.h"
#include "domain/views.h"
#include "store/flags.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* flag.list's cursor: "<updated_at, seconds since 1970>~<id>" of the last flag a page looked at.
 * false when text is no such cursor. */
static bool flag_cursor(const char *text, int64_t *at, int64_t *id)
{
    long long a, i;
    int n = 0;
    if (sscanf(text, "%lld~%lld%n", &a, &i, &n) != 2 || text[n] || i <= 0 || a < 0)
        return false;
    *at = a;
    *id = i;
    return true;
}

int kt_h_flag_list(kt_ctx *c)
{
    int64_t after_at = 0, after_id = 0;
    const char *after = kt_arg_str(c, "after");
    if (after && !flag_cursor(after, &after_at, &after_id))
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "'after' is geen vervolgpunt van een eerdere pagina ('next').");
    int64_t limit = kt_arg_has(c, "limit") ? kt_arg_int(c, "limit", 0) : FLAG_PAGE;
    json_t *out = json_array();
    int64_t *ids = calloc(FLAG_SCAN, sizeof *ids), *ats = calloc(FLAG_SCAN, sizeof *ats);
    int n = 0, rc = ids && ats ? 0 : KT_ENOMEM;
    if (!rc && c->viewer.role >= KT_ROLE_SECRETARIS) /* chairs and secretaries (else none) */
        rc = kt_store_flags_page(c->st, c->body, kt_arg_str(c, "state"), after_at, after_id,
                                 FLAG_SCAN, ids, ats, &n);
    /* A page ends at limit flags or 1 MiB of them; more only when a flag the caller may see
     * follows (looked for within the FLAG_SCAN a request looks at), so no hidden flag shows as
     * a "more" with nothing after it. The cursor is the last flag looked at. */
    size_t bytes = 0;
    bool more = false;
    int i = 0;
    for (; !rc && i < n; i++) {
        if (!kt_flag_visible(c->st, ids[i], c->body, &c->viewer))
            continue;
        if ((int64_t)json_array_size(out) >= limit || bytes >= KT_PAGE_BYTES) {
            more = true;
            break;
        }
        json_t *j = kt_flag_json(c->st, ids[i], c->body);
        if (j) {
            bytes += json_dumpb(j, NULL, 0, JSON_COMPACT);
            json_array_append_new(out, j);
        }
        after_at = ats[i];
        after_id = ids[i];
    }
    if (!rc && !more && n == FLAG_SCAN) { /* looked at all a request may: perhaps more */
        more = true;
        after_at = ats[n - 1];
        after_id = ids[n - 1];
    }
    free(ids);
    free(ats);
    int64_t head = 0;
    if (!rc)
        rc = kt_store_stream_head(c->st, c->body, &head);
    if (rc) {
        json_decref(out);
        return kt_fail_err(c, rc);
    }
    json_t *next = json_null();
    if (more && after_id) {
        char cur[48];
        snprintf(cur, sizeof cur, "%lld~%lld", (long long)after_at, (long long)after_id);
        next = json_string(cur);
    }
    c->result = json_pack("{s:o, s:I, s:b, s:o}", "flags", out, "seq", (json_int_t)head, "more",
                          more && after_id, "next", next);
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

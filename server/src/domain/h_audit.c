/* Reading a body's change log (domain/audit.h): the whole log of a body for its chair and
 * secretary (audit.body), and the history of one action, agenda item or meeting for whoever may
 * see it (audit.history). Every entry passes the one visibility function when it is read. */
#include "domain/audit.h"
#include "domain/handlers.h"
#include "domain/model.h"
#include "store/actions.h"
#include "store/audit.h"
#include "store/items.h"
#include "store/meetings.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

#define SCAN_MAX 2000 /* entries looked at per request, whatever is hidden among them */
/* audit.history: HISTORY_PAGE entries by default, at most HISTORY_PAGE_MAX (ops.c's table) */
#define HISTORY_PAGE     100
#define HISTORY_PAGE_MAX 400

/* Appends to out the entries of rows that v may see, up to limit and up to KT_PAGE_BYTES of them
 * (*bytes: so far; a verslag's text before and after makes one entry up to 400 KB); *last: the
 * id of the last row looked at; *full: the page ended with rows left. 0 or a KT_E*. */
static int keep_visible(kt_ctx *c, int64_t body, const kt_viewer *v, json_t *rows, json_t *out,
                        int64_t limit, int64_t *last, bool *full, size_t *bytes)
{
    size_t i;
    json_t *e;
    *full = false;
    json_array_foreach(rows, i, e)
    {
        if ((int64_t)json_array_size(out) >= limit || *bytes >= KT_PAGE_BYTES) {
            *full = true;
            return 0;
        }
        *last = json_integer_value(json_object_get(e, "id"));
        bool ok = false, redact = false;
        int rc = kt_audit_visible(c->st, body, v, e, &ok, &redact);
        if (rc)
            return rc;
        if (ok) {
            json_t *pub = kt_audit_public(c->st, v, e, redact);
            *bytes += json_dumpb(pub, NULL, 0, JSON_COMPACT);
            json_array_append_new(out, pub);
        }
    }
    return 0;
}

static int newest_first(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "id"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "id"));
    return x < y ? 1 : x > y ? -1 : 0;
}

int kt_h_audit_body(kt_ctx *c)
{
    int64_t before = kt_arg_int(c, "before", 0), limit = kt_arg_int(c, "limit", 0);
    if (limit <= 0)
        limit = 50;
    json_t *out = json_array();
    int64_t scanned = 0, cursor = before;
    size_t bytes = 0;
    bool more = true, full = false;
    int rc = 0;
    while (!rc && more && !full && scanned < SCAN_MAX) {
        json_t *rows = json_array();
        int64_t want = limit + 1;
        rc = kt_store_audit_list(c->st, c->body, cursor, want, rows);
        more = !rc && (int64_t)json_array_size(rows) == want;
        scanned += (int64_t)json_array_size(rows);
        if (!rc)
            rc = keep_visible(c, c->body, &c->viewer, rows, out, limit, &cursor, &full, &bytes);
        if (!rc && !full && !more)
            cursor = 0;
        json_decref(rows);
    }
    if (rc) {
        json_decref(out);
        return kt_fail_err(c, rc);
    }
    /* next: pass it as before for the next page (null: nothing older) */
    bool has_next = full || more;
    c->result = json_pack("{s:o, s:b, s:o}", "entries", out, "more", has_next, "next",
                          has_next && cursor ? json_integer(cursor) : json_null());
    return 0;
}

int kt_h_audit_history(kt_ctx *c)
{
    static const char *const kinds[] = {"action", "item", "meeting"};
    const char *kind = NULL;
    int given = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kt_arg_given(c, kinds[i]))
            kind = kinds[i], given++;
    if (given != 1)
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "Geef precies één van 'action', 'item' of 'meeting'.");
    int64_t id = kt_arg_int(c, kind, 0), body = 0, item = 0, meeting = 0;
    int rc = strcmp(kind, "action") == 0 ? kt_store_action_where(c->st, id, &body, &item)
             : strcmp(kind, "item") == 0 ? kt_store_item_place(c->st, id, &body, &meeting)
                                         : kt_store_meeting_body(c->st, id, &body);
    if (strcmp(kind, "item") == 0)
        item = id;
    const char *missing = strcmp(kind, "action") == 0 ? "Dit actiepunt bestaat niet."
                          : strcmp(kind, "item") == 0 ? "Dit agendapunt bestaat niet."
                                                      : "Deze vergadering bestaat niet.";
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "%s", missing);
    if (rc)
        return kt_fail_err(c, rc);
    kt_viewer v;
    int64_t *items = NULL;
    if ((rc = kt_viewer_load(c->st, body, c->me, &v, &items)))
        return kt_fail_err(c, rc);
    /* What may not be seen does not exist: the same answer as for an unknown id, to a
     * non-member (a body's content is its members') as to a member outside the audience. */
    kt_vis vis;
    bool visible = v.role != KT_ROLE_NONE;
    if (visible && item) {
        rc = strcmp(kind, "action") == 0 ? kt_under_item_vis(c->st, item, &vis)
                                         : kt_item_vis_load(c->st, item, &vis);
        if (!rc) {
            visible = kt_acl_visible(&v, &vis);
            kt_vis_clear(&vis);
        }
    }
    /* A page: the item's own entries and its notes' together, newest first, after before. */
    int64_t before = kt_arg_int(c, "before", 0), last = 0;
    int64_t limit = kt_arg_has(c, "limit") ? kt_arg_int(c, "limit", 0) : HISTORY_PAGE;
    json_t *rows = json_array(), *out = json_array();
    if (!rc && visible) {
        rc = kt_store_audit_of_subject(c->st, body, kind, id, before, limit + 1, rows);
        /* an item's notes and redactievoorstellen belong to its history; a meeting's
         * attendance, agenda order, verslag and its redactievoorstellen to the meeting's */
        if (!rc && strcmp(kind, "item") == 0)
            rc = kt_store_audit_of_subject(c->st, body, "notes", id, before, limit + 1, rows);
        if (!rc && strcmp(kind, "item") == 0)
            rc = kt_store_audit_of_item_amendments(c->st, body, id, before, limit + 1, rows);
        if (!rc && strcmp(kind, "meeting") == 0)
            rc = kt_store_audit_of_meeting_parts(c->st, body, id, before, limit + 1, rows);
    }
    size_t n = json_array_size(rows), bytes = 0;
    json_t **sorted = calloc(n ? n : 1, sizeof *sorted);
    if (!rc && !sorted)
        rc = KT_ENOMEM;
    json_t *merged = json_array();
    if (!rc) {
        for (size_t i = 0; i < n; i++)
            sorted[i] = json_array_get(rows, i);
        qsort(sorted, n, sizeof *sorted, newest_first);
        for (size_t i = 0; i < n && i < (size_t)limit + 1; i++)
            json_array_append(merged, sorted[i]);
    }
    free(sorted);
    bool full = false, more = !rc && n > (size_t)limit; /* rows follow what was looked at */
    if (!rc && visible)
        rc = keep_visible(c, body, &v, merged, out, limit, &last, &full, &bytes);
    free(items);
    json_decref(rows);
    json_decref(merged);
    if (rc || !visible) {
        json_decref(out);
        return rc ? kt_fail_err(c, rc) : kt_fail(c, KT_C_NOT_FOUND, "%s", missing);
    }
    more = more || full;
    /* next: pass it as before (the last entry looked at; limit 0: the before asked with) */
    int64_t next = last ? last : before;
    c->result = json_pack("{s:o, s:b, s:o}", "entries", out, "more", more, "next",
                          more && next ? json_integer(next) : json_null());
    return 0;
}

#include "detect/flags.h"

#include "domain/model.h"
#include "store/flags.h"
#include "store/items.h"
#include "store/memberships.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

json_t *kt_body_contacts(kt_store *st, int64_t body)
{
    json_t *out = json_array();
    kt_store_body_contacts(st, body, out);
    return out;
}

typedef kt_flag_row flag_row;

static void row_free(flag_row *r)
{
    kt_store_flag_clear(r);
}

static int row_load(kt_store *st, int64_t id, flag_row *r)
{
    return kt_store_flag_get(st, id, r);
}

static json_t *time_json(int64_t t)
{
    if (!t)
        return json_null();
    char buf[32];
    kt_time_format(t, buf, sizeof buf);
    return json_string(buf);
}

/* One side of a flag: the body, its meeting (or projected meeting) and item. The item's title is
 * given only when hide is false. */
static json_t *side_json(kt_store *st, int64_t body, int64_t meeting, int64_t item,
                         int64_t projected, bool hide)
{
    json_t *b = kt_body_json(st, body);
    json_t *j = json_pack("{s:I, s:O}", "body", (json_int_t)body, "body_name",
                          b ? json_object_get(b, "name") : json_null());
    json_object_set(j, "scope", b ? json_object_get(b, "scope") : json_null());
    json_decref(b);
    json_t *m = meeting ? kt_meeting_json(st, meeting) : NULL;
    json_object_set_new(j, "meeting", meeting ? json_integer(meeting) : json_null());
    json_object_set(j, "start", m ? json_object_get(m, "start") : json_null());
    json_object_set(j, "end", m ? json_object_get(m, "end") : json_null());
    json_object_set(j, "location", m ? json_object_get(m, "location") : json_null());
    json_decref(m);
    json_object_set_new(j, "projected", json_boolean(projected != 0));
    if (projected)
        json_object_set_new(j, "start", time_json(projected));
    json_t *it = item && !hide ? kt_item_json(st, item) : NULL;
    json_object_set_new(j, "item", item && !hide ? json_integer(item) : json_null());
    json_object_set(j, "title", it ? json_object_get(it, "title") : json_null());
    json_decref(it);
    json_object_set_new(j, "hidden", json_boolean(hide));
    return j;
}

static bool item_confidential(kt_store *st, int64_t item)
{
    kt_vis vis;
    if (!item || kt_store_item_vis(st, item, &vis))
        return false;
    bool confidential = vis.confidential;
    kt_vis_clear(&vis);
    return confidential;
}

static json_t *row_json(kt_store *st, const flag_row *r, int64_t body)
{
    int here = r->body[0] == body ? 0 : 1, other = 1 - here;
    json_t *evidence = json_loads(r->evidence, 0, NULL);
    if (!evidence)
        evidence = json_object();
    /* Only those who may see the other side's item get the flag at all (kt_flag_visible). */
    json_t *other_side = side_json(st, r->body[other], r->meeting[other], r->item[other],
                                   other == 1 ? r->projected_b : 0, false);
    json_object_set_new(other_side, "contacts", kt_body_contacts(st, r->body[other]));
    char created[32], updated[32];
    kt_time_format(r->created, created, sizeof created);
    kt_time_format(r->updated, updated, sizeof updated);
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:f, s:s, s:s, s:o, s:o, s:o, s:o}", "id",
                     (json_int_t)r->id, "kind", r->kind, "state", r->state, "note", r->note,
                     "lead_body", r->lead ? json_integer(r->lead) : json_null(), "score", r->score,
                     "created_at", created, "updated_at", updated, "resolved_by",
                     r->resolved_by ? json_integer(r->resolved_by) : json_null(), "here",
                     side_json(st, r->body[here], r->meeting[here], r->item[here],
                               here == 1 ? r->projected_b : 0, false),
                     "other", other_side, "evidence", evidence);
}

bool kt_flag_visible(kt_store *st, int64_t flag, int64_t body, const kt_viewer *v)
{
    flag_row r;
    if (v->role < KT_ROLE_SECRETARIS)
        return false;
    if (row_load(st, flag, &r)) {
        row_free(&r);
        return false;
    }
    int here = r.body[0] == body ? 0 : r.body[1] == body ? 1 : -1;
    bool ok = here >= 0;
    /* An item that is gone shows nothing (the flag is vervallen): it blocks nothing. */
    kt_vis vis;
    int rc;
    if (ok && r.item[here]) { /* their own side's item, whole */
        rc = kt_item_vis_load(st, r.item[here], &vis);
        ok = rc == KT_ENOTFOUND || (rc == 0 && kt_acl_visible(v, &vis));
        kt_vis_clear(&vis);
    }
    if (ok && r.item[1 - here]) {
        /* A confidential item on the other side: a possible duplicate is told to its own side
         * only, never graded or revealed to this one - unless v is of that item's audience. */
        rc = kt_item_vis_load(st, r.item[1 - here], &vis);
        ok = rc == KT_ENOTFOUND || (rc == 0 && kt_acl_in_audience(v->person, v->org, &vis));
        kt_vis_clear(&vis);
    }
    row_free(&r);
    return ok;
}

json_t *kt_flag_json(kt_store *st, int64_t flag, int64_t body)
{
    flag_row r;
    if (row_load(st, flag, &r)) {
        row_free(&r);
        return NULL;
    }
    json_t *j = r.body[0] == body || r.body[1] == body ? row_json(st, &r, body) : NULL;
    row_free(&r);
    return j;
}

/* Who on body's side may see the flag: chairs and secretaries who may see their own item. */
static int side_vis(kt_store *st, int64_t item, kt_vis *vis)
{
    int rc = kt_under_item_vis(st, item, vis);
    vis->min_role = KT_ROLE_SECRETARIS;
    return rc;
}

int kt_flag_announce(kt_ctx *c, int64_t flag, const char *type)
{
    flag_row r;
    int rc = row_load(c->st, flag, &r);
    if (rc) {
        row_free(&r);
        return kt_fail_err(c, rc);
    }
    for (int k = 0; k < 2 && !rc; k++) {
        if (k == 1 && r.body[1] == r.body[0])
            break;
        /* Not even a seq on a side that may not know: the other side's item is confidential.
         * (A member of its audience there sees the flag in flag.list.) */
        if (item_confidential(c->st, r.item[1 - k]))
            continue;
        kt_vis vis;
        if (side_vis(c->st, r.item[k], &vis)) {
            rc = kt_fail_err(c, KT_ESTORE);
            break;
        }
        rc = kt_emit(c, r.body[k], type, &vis,
                     json_pack("{s:o}", "flag", row_json(c->st, &r, r.body[k])));
        kt_vis_clear(&vis);
    }
    row_free(&r);
    return rc ? -1 : 0;
}

/* Fingerprints are comma-separated parts; a resolved flag reopens when fewer than half of the
 * parts of the new one were in the old one. */
static bool materially_changed(const char *old_fp, const char *new_fp)
{
    if (strcmp(old_fp, new_fp) == 0)
        return false;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", new_fp);
    int parts = 0, kept = 0;
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        parts++;
        size_t n = strlen(p);
        for (const char *q = strstr(old_fp, p); q; q = strstr(q + 1, p))
            if ((q == old_fp || q[-1] == ',') && (q[n] == ',' || q[n] == 0)) {
                kept++;
                break;
            }
    }
    return parts == 0 || kept * 2 < parts;
}

/* Whether new_fp has a part that old_fp does not: for clashes, where fewer people needed at both
 * (the agreed substitute went) is no reason to reopen, and someone or something new is. */
static bool adds_parts(const char *old_fp, const char *new_fp)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", new_fp);
    if (!strchr(old_fp, ',')) { /* stored before clashes had parts: compare times and places */
        size_t n = strcspn(buf, ",");
        return strncmp(old_fp, buf, n) || (old_fp[n] != ';' && old_fp[n] != 0);
    }
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        size_t n = strlen(p);
        bool found = false;
        for (const char *q = strstr(old_fp, p); q && !found; q = strstr(q + 1, p))
            found = (q == old_fp || q[-1] == ',') && (q[n] == ',' || q[n] == 0);
        if (!found)
            return true;
    }
    return false;
}

int kt_flag_raise(kt_ctx *c, kt_finding *f, int64_t *id_out)
{
    char *evidence = json_dumps(f->evidence, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(f->evidence);
    f->evidence = NULL;
    if (!evidence)
        return kt_fail_err(c, KT_ENOMEM);
    flag_row known;
    int rc = kt_store_flag_by_key(c->st, f->key, &known);
    if (rc && rc != KT_ENOTFOUND) {
        free(evidence);
        return kt_fail_err(c, rc);
    }
    int64_t now = kt_now(), id = known.id;
    const char *type = NULL;
    if (rc == KT_ENOTFOUND) {
        kt_flag_new n = {.kind = f->kind,
                         .key = f->key,
                         .evidence = evidence,
                         .fingerprint = f->fingerprint,
                         .score = f->score,
                         .body_a = f->body_a,
                         .meeting_a = f->meeting_a,
                         .item_a = f->item_a,
                         .body_b = f->body_b,
                         .meeting_b = f->meeting_b,
                         .item_b = f->item_b,
                         .projected_b = f->projected_b};
        rc = kt_store_flag_insert(c->st, &n, now, &id);
        type = "flag.raised";
    } else {
        bool same_evidence = strcmp(known.evidence, evidence) == 0;
        const char *fp = known.fingerprint;
        bool resolved = strcmp(known.state, "afgestemd") == 0 ||
                        strcmp(known.state, "bewust_dubbel") == 0 ||
                        strcmp(known.state, "geen_overlap") == 0;
        bool expired = strcmp(known.state, "vervallen") == 0;
        bool conflict = strcmp(f->kind, "conflict") == 0;
        bool reopen = expired || (resolved && (conflict ? adds_parts(fp, f->fingerprint)
                                                        : materially_changed(fp, f->fingerprint)));
        /* A resolved clash that stays resolved keeps what was agreed on as its measure. */
        const char *keep_fp = resolved && !reopen && conflict ? fp : f->fingerprint;
        if (!reopen && same_evidence && strcmp(fp, keep_fp) == 0) {
            free(evidence);
            kt_store_flag_clear(&known);
            if (id_out)
                *id_out = id;
            return 0; /* nothing new */
        }
        rc = kt_store_flag_refresh(c->st, id, f->score, evidence, keep_fp, reopen, now);
        type = reopen ? "flag.raised" : resolved ? NULL : "flag.updated";
    }
    kt_store_flag_clear(&known);
    free(evidence);
    if (rc)
        return kt_fail_err(c, rc);
    if (id_out)
        *id_out = id;
    return type ? kt_flag_announce(c, id, type) : 0;
}

static bool key_kept(const char *key, const char *const *keep, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(key, keep[i]) == 0)
            return true;
    return false;
}

#define MAX_EXPIRE 256

static bool dismissed(kt_store *st, int64_t id)
{
    kt_flag_row r;
    bool yes = kt_store_flag_get(st, id, &r) == 0 && strcmp(r.state, "geen_overlap") == 0;
    kt_store_flag_clear(&r);
    return yes;
}

static int expire_some(kt_ctx *c, const char *kind, int64_t meeting, int64_t item,
                       bool confidential, const char *const *keep, int n_keep, bool keep_dismissed,
                       kt_flags_side which)
{
    int64_t ids[MAX_EXPIRE];
    char *keys[MAX_EXPIRE];
    int n = 0;
    /* The store reads the flags of the side asked for only (store/flags.h): the others cost
     * nothing here, however many there are. */
    int secret = which == KT_FLAGS_ANY ? -1 : confidential + (which == KT_FLAGS_CONFIDENTIAL_OTHER);
    int rc =
        kt_store_flags_involving(c->st, kind, meeting, item, secret, ids, keys, MAX_EXPIRE, &n);
    if (rc)
        return kt_fail_err(c, rc);
    for (int i = 0; i < n; i++) {
        if (!rc && !key_kept(keys[i], keep, n_keep) &&
            !(keep_dismissed && dismissed(c->st, ids[i]))) {
            rc = kt_store_flag_lapse(c->st, ids[i], kt_now());
            if (rc)
                kt_fail_err(c, rc);
            else if (kt_flag_announce(c, ids[i], "flag.updated"))
                rc = -1;
        }
        free(keys[i]);
    }
    return rc ? -1 : 0;
}

int kt_flags_expire(kt_ctx *c, const char *kind, int64_t meeting, int64_t item,
                    const char *const *keep, int n_keep, bool keep_dismissed)
{
    return expire_some(c, kind, meeting, item, false, keep, n_keep, keep_dismissed, KT_FLAGS_ANY);
}

int kt_flags_expire_item(kt_ctx *c, int64_t item, bool confidential, const char *const *keep,
                         int n_keep, bool keep_dismissed, kt_flags_side which)
{
    return expire_some(c, "duplicate", 0, item, confidential, keep, n_keep, keep_dismissed, which);
}

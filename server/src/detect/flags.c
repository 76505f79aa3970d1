#include "detect/flags.h"

#include "domain/model.h"
#include "domain/views.h"
#include "store/flags.h"
#include "store/items.h"
#include "store/memberships.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

typedef kt_flag_row flag_row;

static void row_free(flag_row *r)
{
    kt_store_flag_clear(r);
}

static int row_load(kt_store *st, int64_t id, flag_row *r)
{
    return kt_store_flag_get(st, id, r);
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
                     json_pack("{s:o}", "flag", kt_flag_row_json(c->st, &r, r.body[k])));
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

/* A flag the store took for one whose other item (than item) is open, but that item is
 * confidential now: its side's mark waits for the confidential batch (store/flags.h,
 * kt_store_flags_item_marks), which is where such a flag is kept or lets lapse. */
static bool other_now_confidential(kt_store *st, int64_t id, int64_t item)
{
    kt_flag_row r;
    if (kt_store_flag_get(st, id, &r))
        return false;
    int64_t other = r.item[0] == item ? r.item[1] : r.item[0];
    kt_store_flag_clear(&r);
    return item_confidential(st, other);
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
    (void)confidential; /* the store reads by the other side's mark, whatever this side is */
    int other = which == KT_FLAGS_ANY ? -1 : which == KT_FLAGS_CONFIDENTIAL_OTHER;
    int rc = kt_store_flags_involving(c->st, kind, meeting, item, other, ids, keys, MAX_EXPIRE, &n);
    if (rc)
        return kt_fail_err(c, rc);
    for (int i = 0; i < n; i++) {
        if (!rc && !key_kept(keys[i], keep, n_keep) &&
            !(keep_dismissed && dismissed(c->st, ids[i])) &&
            !(which == KT_FLAGS_OPEN_OTHER && other_now_confidential(c->st, ids[i], item))) {
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

#include "detect/flags.h"

#include "domain/model.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

json_t *kt_body_contacts(kt_store *st, int64_t body)
{
    sqlite3_stmt *s = kt_store_stmt(
        st, "SELECT p.id, p.name, p.email, m.role FROM memberships m JOIN persons p ON p.id = "
            "m.person_id WHERE m.body_id = ?1 AND m.role IN ('voorzitter', 'secretaris') "
            "ORDER BY m.role DESC, p.name");
    json_t *out = json_array();
    if (!s)
        return out;
    sqlite3_bind_int64(s, 1, body);
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(
            out, json_pack("{s:I, s:o, s:o, s:o}", "person", (json_int_t)sqlite3_column_int64(s, 0),
                           "name", kt_col_json_text(s, 1), "email", kt_col_json_text(s, 2), "role",
                           kt_col_json_text(s, 3)));
    sqlite3_reset(s);
    return out;
}

typedef struct flag_row {
    int64_t id, body[2], meeting[2], item[2], projected_b, lead, resolved_by;
    char kind[16], state[16], fingerprint[512];
    char *note, *evidence;
    double score;
    int64_t created, updated;
} flag_row;

static void row_free(flag_row *r)
{
    free(r->note);
    free(r->evidence);
}

static int row_load(kt_store *st, int64_t id, flag_row *r)
{
    memset(r, 0, sizeof *r);
    sqlite3_stmt *s = kt_store_stmt(
        st, "SELECT id, kind, state, note, lead_body_id, score, evidence, fingerprint, body_a, "
            "meeting_a, item_a, body_b, meeting_b, item_b, projected_b, created_at, updated_at, "
            "resolved_by FROM flags WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return KT_ENOTFOUND;
    }
    r->id = sqlite3_column_int64(s, 0);
    snprintf(r->kind, sizeof r->kind, "%s", sqlite3_column_text(s, 1));
    snprintf(r->state, sizeof r->state, "%s", sqlite3_column_text(s, 2));
    r->note = strdup((const char *)sqlite3_column_text(s, 3));
    r->lead = sqlite3_column_int64(s, 4);
    r->score = sqlite3_column_double(s, 5);
    r->evidence = strdup((const char *)sqlite3_column_text(s, 6));
    snprintf(r->fingerprint, sizeof r->fingerprint, "%s", sqlite3_column_text(s, 7));
    for (int k = 0; k < 2; k++) {
        r->body[k] = sqlite3_column_int64(s, 8 + 3 * k);
        r->meeting[k] = sqlite3_column_int64(s, 9 + 3 * k);
        r->item[k] = sqlite3_column_int64(s, 10 + 3 * k);
    }
    r->projected_b = sqlite3_column_int64(s, 14);
    r->created = sqlite3_column_int64(s, 15);
    r->updated = sqlite3_column_int64(s, 16);
    r->resolved_by = sqlite3_column_int64(s, 17);
    sqlite3_reset(s);
    return r->note && r->evidence ? 0 : KT_ENOMEM;
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
    return item && kt_exists(st, "SELECT 1 FROM items WHERE id = ?1 AND confidential = 1", item);
}

static json_t *row_json(kt_store *st, const flag_row *r, int64_t body)
{
    int here = r->body[0] == body ? 0 : 1, other = 1 - here;
    bool hide = item_confidential(st, r->item[other]);
    json_t *evidence = json_loads(r->evidence, 0, NULL);
    if (!evidence)
        evidence = json_object();
    if (hide) { /* the shared words would tell what the hidden item is about */
        json_object_del(evidence, "shared");
        json_object_del(evidence, "subject");
    }
    json_t *other_side = side_json(st, r->body[other], r->meeting[other], r->item[other],
                                   other == 1 ? r->projected_b : 0, hide);
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

static int bind_opt(sqlite3_stmt *s, int col, int64_t v)
{
    return v ? sqlite3_bind_int64(s, col, v) : sqlite3_bind_null(s, col);
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
    sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT id, state, fingerprint, evidence FROM flags "
                                           "WHERE key = ?1");
    if (!s) {
        free(evidence);
        return kt_fail_err(c, KT_ESTORE);
    }
    sqlite3_bind_text(s, 1, f->key, -1, SQLITE_STATIC);
    int64_t id = 0;
    char state[16] = "", fp[512] = "";
    bool same_evidence = false;
    if (sqlite3_step(s) == SQLITE_ROW) {
        id = sqlite3_column_int64(s, 0);
        snprintf(state, sizeof state, "%s", sqlite3_column_text(s, 1));
        snprintf(fp, sizeof fp, "%s", sqlite3_column_text(s, 2));
        same_evidence = strcmp((const char *)sqlite3_column_text(s, 3), evidence) == 0;
    }
    sqlite3_reset(s);
    int64_t now = kt_now();
    const char *type = NULL;
    int rc = 0;
    if (!id) {
        s = kt_store_stmt(c->st,
                          "INSERT INTO flags(kind, key, score, evidence, fingerprint, body_a, "
                          "meeting_a, item_a, body_b, meeting_b, item_b, projected_b, created_at, "
                          "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                          "?13, ?13)");
        if (!s) {
            free(evidence);
            return kt_fail_err(c, KT_ESTORE);
        }
        sqlite3_bind_text(s, 1, f->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, f->key, -1, SQLITE_STATIC);
        sqlite3_bind_double(s, 3, f->score);
        sqlite3_bind_text(s, 4, evidence, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 5, f->fingerprint, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 6, f->body_a);
        bind_opt(s, 7, f->meeting_a);
        bind_opt(s, 8, f->item_a);
        sqlite3_bind_int64(s, 9, f->body_b);
        bind_opt(s, 10, f->meeting_b);
        bind_opt(s, 11, f->item_b);
        bind_opt(s, 12, f->projected_b);
        sqlite3_bind_int64(s, 13, now);
        rc = kt_store_step_done(c->st, s);
        id = kt_store_last_id(c->st);
        type = "flag.raised";
    } else {
        bool resolved = strcmp(state, "afgestemd") == 0 || strcmp(state, "bewust_dubbel") == 0;
        bool expired = strcmp(state, "vervallen") == 0;
        bool conflict = strcmp(f->kind, "conflict") == 0;
        bool reopen = expired || (resolved && (conflict ? adds_parts(fp, f->fingerprint)
                                                        : materially_changed(fp, f->fingerprint)));
        /* A resolved clash that stays resolved keeps what was agreed on as its measure. */
        const char *keep_fp = resolved && !reopen && conflict ? fp : f->fingerprint;
        if (!reopen && same_evidence && strcmp(fp, keep_fp) == 0) {
            free(evidence);
            if (id_out)
                *id_out = id;
            return 0; /* nothing new */
        }
        s = kt_store_stmt(c->st, "UPDATE flags SET score = ?2, evidence = ?3, fingerprint = ?4, "
                                 "state = CASE WHEN ?5 THEN 'open' ELSE state END, "
                                 "resolved_by = CASE WHEN ?5 THEN NULL ELSE resolved_by END, "
                                 "updated_at = ?6 WHERE id = ?1");
        if (!s) {
            free(evidence);
            return kt_fail_err(c, KT_ESTORE);
        }
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_double(s, 2, f->score);
        sqlite3_bind_text(s, 3, evidence, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, keep_fp, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 5, reopen);
        sqlite3_bind_int64(s, 6, now);
        rc = kt_store_step_done(c->st, s);
        type = reopen ? "flag.raised" : resolved ? NULL : "flag.updated";
    }
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

int kt_flags_expire(kt_ctx *c, const char *kind, int64_t meeting, int64_t item,
                    const char *const *keep, int n_keep)
{
    /* Two statements, so each can use its indexes (an OR of parameters would scan). */
    sqlite3_stmt *s =
        meeting ? kt_store_stmt(c->st, "SELECT id, key FROM flags WHERE meeting_a = ?2 AND kind = "
                                       "?1 AND state <> 'vervallen' UNION SELECT id, key FROM "
                                       "flags WHERE meeting_b = ?2 AND kind = ?1 AND state <> "
                                       "'vervallen'")
                : kt_store_stmt(c->st, "SELECT id, key FROM flags WHERE item_a = ?2 AND kind = ?1 "
                                       "AND state <> 'vervallen' UNION SELECT id, key FROM flags "
                                       "WHERE item_b = ?2 AND kind = ?1 AND state <> 'vervallen'");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, meeting ? meeting : item);
    int64_t ids[256];
    int n = 0;
    while (n < 256 && sqlite3_step(s) == SQLITE_ROW)
        if (!key_kept((const char *)sqlite3_column_text(s, 1), keep, n_keep))
            ids[n++] = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    for (int i = 0; i < n; i++) {
        s = kt_store_stmt(c->st, "UPDATE flags SET state = 'vervallen', updated_at = ?2 WHERE "
                                 "id = ?1");
        if (!s)
            return kt_fail_err(c, KT_ESTORE);
        sqlite3_bind_int64(s, 1, ids[i]);
        sqlite3_bind_int64(s, 2, kt_now());
        if (kt_store_step_done(c->st, s) || kt_flag_announce(c, ids[i], "flag.updated"))
            return -1;
    }
    return 0;
}

json_t *kt_flags_of_body(kt_store *st, int64_t body, const kt_viewer *v, const char *state)
{
    json_t *out = json_array();
    if (v->role < KT_ROLE_SECRETARIS)
        return out;
    sqlite3_stmt *s = kt_store_stmt(
        st, "SELECT id, CASE WHEN body_a = ?1 THEN item_a ELSE item_b END FROM flags "
            "WHERE (body_a = ?1 OR body_b = ?1) AND (?2 IS NULL AND state <> 'vervallen' OR "
            "state = ?2) ORDER BY updated_at DESC LIMIT 500");
    if (!s)
        return out;
    sqlite3_bind_int64(s, 1, body);
    if (state)
        sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
    int64_t rows[500][2];
    int n = 0;
    while (n < 500 && sqlite3_step(s) == SQLITE_ROW) {
        rows[n][0] = sqlite3_column_int64(s, 0);
        rows[n][1] = sqlite3_column_int64(s, 1);
        n++;
    }
    sqlite3_reset(s);
    for (int i = 0; i < n; i++) {
        kt_vis vis;
        if (side_vis(st, rows[i][1], &vis))
            continue;
        bool ok = kt_acl_visible(v, &vis);
        kt_vis_clear(&vis);
        json_t *j = ok ? kt_flag_json(st, rows[i][0], body) : NULL;
        if (j)
            json_array_append_new(out, j);
    }
    return out;
}

/* Agenda items: on a meeting's agenda or in the body's backlog ("te agenderen").
 *
 * Positions are dense (1..n) per list. An op that changes the order computes the new order of
 * the whole list and writes only the positions that changed. Events respect confidentiality per
 * item: the positions of open items travel together in one agenda.reordered event, a
 * confidential item's new position only in its own agenda.updated event, so nobody learns about
 * an item they may not see. When an item's audience changes, agenda.hidden goes to the old
 * audience first and agenda.updated to the new one. */
#include "domain/handlers.h"
#include "domain/model.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
    int64_t id, pos;
    bool confidential;
} slot;

typedef struct list {
    int64_t meeting; /* 0: backlog */
    slot *v;
    int n;
} list;

static void list_free(list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static int list_load(kt_ctx *c, int64_t meeting, list *l)
{
    l->meeting = meeting;
    l->v = NULL;
    l->n = 0;
    sqlite3_stmt *s =
        meeting ? kt_store_stmt(c->st, "SELECT id, position, confidential FROM items WHERE "
                                       "meeting_id = ?1 ORDER BY position, id")
                : kt_store_stmt(c->st, "SELECT id, position, confidential FROM items WHERE "
                                       "body_id = ?1 AND meeting_id IS NULL ORDER BY position, id");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, meeting ? meeting : c->body);
    int cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (l->n == cap) {
            cap = cap ? cap * 2 : 16;
            slot *v = realloc(l->v, (size_t)cap * sizeof *v);
            if (!v) {
                sqlite3_reset(s);
                return kt_fail_err(c, KT_ENOMEM);
            }
            l->v = v;
        }
        l->v[l->n++] = (slot){sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
                              sqlite3_column_int(s, 2) != 0};
    }
    sqlite3_reset(s);
    return 0;
}

static int list_index(const list *l, int64_t id)
{
    for (int i = 0; i < l->n; i++)
        if (l->v[i].id == id)
            return i;
    return -1;
}

static void list_remove(list *l, int64_t id)
{
    int i = list_index(l, id);
    if (i < 0)
        return;
    memmove(&l->v[i], &l->v[i + 1], (size_t)(l->n - i - 1) * sizeof *l->v);
    l->n--;
}

/* Inserts s at 1-based position pos (clamped to the end). l->v must have room for one more. */
static int list_insert(kt_ctx *c, list *l, slot s, int64_t pos)
{
    slot *v = realloc(l->v, (size_t)(l->n + 1) * sizeof *v);
    if (!v)
        return kt_fail_err(c, KT_ENOMEM);
    l->v = v;
    int at = pos < 1 || pos > l->n ? l->n : (int)pos - 1;
    memmove(&l->v[at + 1], &l->v[at], (size_t)(l->n - at) * sizeof *l->v);
    l->v[at] = s;
    l->n++;
    return 0;
}

static int emit_item(kt_ctx *c, const char *type, int64_t item, json_t **out)
{
    kt_touch_item(c, item);
    json_t *j = kt_item_json(c->st, item);
    kt_vis vis;
    if (!j || kt_item_vis_load(c->st, item, &vis)) {
        json_decref(j);
        return kt_fail_err(c, KT_ENOTFOUND);
    }
    int rc = kt_emit(c, c->body, type, &vis, json_pack("{s:O}", "item", j));
    kt_vis_clear(&vis);
    if (rc || !out)
        json_decref(j);
    else
        *out = j;
    return rc;
}

/* Writes positions 1..n for l and announces the changes (except for item skip, whose full event
 * the caller emits). */
static int list_store(kt_ctx *c, list *l, int64_t skip)
{
    json_t *order = json_array();
    int64_t *conf = calloc((size_t)l->n + 1, sizeof *conf);
    int n_conf = 0;
    if (!conf)
        return json_decref(order), kt_fail_err(c, KT_ENOMEM);
    for (int i = 0; i < l->n; i++) {
        if (l->v[i].pos == i + 1)
            continue;
        sqlite3_stmt *s = kt_store_stmt(c->st, "UPDATE items SET position = ?2, meeting_id = ?3 "
                                               "WHERE id = ?1");
        if (!s)
            goto fail;
        sqlite3_bind_int64(s, 1, l->v[i].id);
        sqlite3_bind_int64(s, 2, i + 1);
        if (l->meeting)
            sqlite3_bind_int64(s, 3, l->meeting);
        if (kt_store_step_done(c->st, s))
            goto fail;
        l->v[i].pos = i + 1;
        if (l->v[i].id == skip)
            continue;
        if (l->v[i].confidential)
            conf[n_conf++] = l->v[i].id;
        else
            json_array_append_new(order, json_pack("{s:I, s:I}", "id", (json_int_t)l->v[i].id,
                                                   "position", (json_int_t)(i + 1)));
    }
    int rc = 0;
    kt_vis wide = {.agenda_wide = true}; /* ids of items a limited guest may not know about */
    if (json_array_size(order))
        rc = kt_emit(c, c->body, "agenda.reordered", &wide,
                     json_pack("{s:o, s:I, s:O}", "meeting",
                               l->meeting ? json_integer(l->meeting) : json_null(), "body",
                               (json_int_t)c->body, "order", order));
    for (int i = 0; !rc && i < n_conf; i++)
        rc = emit_item(c, "agenda.updated", conf[i], NULL);
    json_decref(order);
    free(conf);
    return rc;
fail:
    json_decref(order);
    free(conf);
    return kt_fail_err(c, KT_ESTORE);
}

/* The meeting an item may go to: of this body and not cancelled. */
static int check_meeting(kt_ctx *c, int64_t meeting)
{
    if (!meeting)
        return 0;
    sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT body_id, status FROM meetings WHERE id = ?1");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, meeting);
    int rc = 0;
    if (sqlite3_step(s) != SQLITE_ROW)
        rc = kt_fail(c, KT_C_NOT_FOUND, "Deze vergadering bestaat niet.");
    else if (sqlite3_column_int64(s, 0) != c->body)
        rc = kt_fail(c, KT_C_INVALID_ARGUMENT, "Deze vergadering hoort bij een ander overleg.");
    else if (strcmp((const char *)sqlite3_column_text(s, 1), "geannuleerd") == 0)
        rc = kt_fail(c, KT_C_INVALID_STATE, "Deze vergadering is geannuleerd.");
    sqlite3_reset(s);
    return rc;
}

/* relevant: [{org, reason}], persons: [ids] -> replaces the item's lists. */
static int store_audience(kt_ctx *c, int64_t item)
{
    json_t *relevant = json_object_get(c->args, "relevant");
    json_t *persons = json_object_get(c->args, "persons");
    if (json_is_array(relevant)) {
        sqlite3_stmt *s = kt_store_stmt(c->st, "DELETE FROM item_orgs WHERE item_id = ?1");
        if (!s)
            return kt_fail_err(c, KT_ESTORE);
        sqlite3_bind_int64(s, 1, item);
        if (kt_store_step_done(c->st, s))
            return kt_fail_err(c, KT_ESTORE);
        size_t i;
        json_t *r;
        json_array_foreach(relevant, i, r)
        {
            json_t *org = json_object_get(r, "org"), *reason = json_object_get(r, "reason");
            if (!json_is_object(r) || !json_is_integer(org) ||
                (reason && !json_is_string(reason)) || json_object_size(r) > 2 ||
                (json_object_size(r) == 2 && !reason))
                return kt_fail(c, KT_C_INVALID_ARGUMENT,
                               "'relevant' is een lijst van {org, reason}.");
            if (reason && kt_utf8_length(json_string_value(reason)) > 500)
                return kt_fail(c, KT_C_INVALID_ARGUMENT, "Een reden is hoogstens 500 tekens.");
            if (!kt_exists(c->st, "SELECT 1 FROM organisations WHERE id = ?1",
                           json_integer_value(org)))
                return kt_fail(c, KT_C_NOT_FOUND, "Organisatie %lld bestaat niet.",
                               (long long)json_integer_value(org));
            s = kt_store_stmt(c->st, "INSERT INTO item_orgs(item_id, org_id, reason) VALUES "
                                     "(?1, ?2, ?3)");
            if (!s)
                return kt_fail_err(c, KT_ESTORE);
            sqlite3_bind_int64(s, 1, item);
            sqlite3_bind_int64(s, 2, json_integer_value(org));
            sqlite3_bind_text(s, 3, reason ? json_string_value(reason) : "", -1, SQLITE_STATIC);
            int rc = kt_store_step_done(c->st, s);
            if (rc == KT_ECONFLICT)
                return kt_fail(c, KT_C_INVALID_ARGUMENT,
                               "Een organisatie staat dubbel in "
                               "'relevant'.");
            if (rc)
                return kt_fail_err(c, rc);
        }
    }
    if (json_is_array(persons)) {
        sqlite3_stmt *s = kt_store_stmt(c->st, "DELETE FROM item_persons WHERE item_id = ?1");
        if (!s)
            return kt_fail_err(c, KT_ESTORE);
        sqlite3_bind_int64(s, 1, item);
        if (kt_store_step_done(c->st, s))
            return kt_fail_err(c, KT_ESTORE);
        size_t i;
        json_t *p;
        json_array_foreach(persons, i, p)
        {
            if (!kt_exists(c->st, "SELECT 1 FROM persons WHERE id = ?1", json_integer_value(p)))
                return kt_fail(c, KT_C_NOT_FOUND, "Persoon %lld bestaat niet.",
                               (long long)json_integer_value(p));
            s = kt_store_stmt(c->st, "INSERT OR IGNORE INTO item_persons(item_id, person_id) "
                                     "VALUES (?1, ?2)");
            if (!s)
                return kt_fail_err(c, KT_ESTORE);
            sqlite3_bind_int64(s, 1, item);
            sqlite3_bind_int64(s, 2, json_integer_value(p));
            if (kt_store_step_done(c->st, s))
                return kt_fail_err(c, KT_ESTORE);
        }
    }
    return 0;
}

/* attachments: [{title, url}], links to documents (stukken). Only http(s) URLs: whatever the
 * client does with them, a javascript: or data: link never enters. Returns the JSON text to
 * store (malloc'd) or NULL after recording an error. */
static char *attachments_arg(kt_ctx *c)
{
    json_t *list = json_object_get(c->args, "attachments"), *a;
    size_t i;
    json_array_foreach(list, i, a)
    {
        json_t *title = json_object_get(a, "title"), *url = json_object_get(a, "url");
        if (!json_is_object(a) || json_object_size(a) != 2 || !json_is_string(title) ||
            !json_is_string(url)) {
            kt_fail(c, KT_C_INVALID_ARGUMENT, "'attachments' is een lijst van {title, url}.");
            return NULL;
        }
        const char *t = json_string_value(title), *u = json_string_value(url);
        size_t tl = kt_utf8_length(t), ul = strlen(u);
        bool web = strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0;
        for (const char *p = u; web && *p; p++)
            web = (unsigned char)*p > 0x20 && *p != '"' && *p != '<' && *p != '>';
        if (tl == 0 || tl > 200 || !web || ul > 2000 || ul < 10) {
            kt_fail(c, KT_C_INVALID_ARGUMENT,
                    "Een bijlage heeft een titel (tot 200 tekens) en een "
                    "http(s)-adres zonder spaties (tot 2000 tekens).");
            return NULL;
        }
    }
    return json_dumps(list ? list : json_array(), JSON_COMPACT);
}

static int store_attachments(kt_ctx *c, int64_t item)
{
    if (!kt_arg_has(c, "attachments"))
        return 0;
    char *text = attachments_arg(c);
    if (!text)
        return -1;
    sqlite3_stmt *s = kt_store_stmt(c->st, "UPDATE items SET attachments = ?2 WHERE id = ?1");
    if (!s) {
        free(text);
        return kt_fail_err(c, KT_ESTORE);
    }
    sqlite3_bind_int64(s, 1, item);
    sqlite3_bind_text(s, 2, text, -1, SQLITE_TRANSIENT);
    free(text);
    return kt_store_step_done(c->st, s) ? kt_fail_err(c, KT_ESTORE) : 0;
}

/* Whoever makes or edits a confidential item keeps seeing it. */
static int keep_author(kt_ctx *c, int64_t item)
{
    sqlite3_stmt *s = kt_store_stmt(c->st, "INSERT OR IGNORE INTO item_persons(item_id, "
                                           "person_id) SELECT id, ?2 FROM items WHERE id = ?1 AND "
                                           "confidential = 1");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, item);
    sqlite3_bind_int64(s, 2, c->me->person);
    return kt_store_step_done(c->st, s) ? kt_fail_err(c, KT_ESTORE) : 0;
}

static int check_presenter(kt_ctx *c)
{
    int64_t p = kt_arg_int(c, "presenter", 0);
    if (p && !kt_exists(c->st, "SELECT 1 FROM persons WHERE id = ?1", p))
        return kt_fail(c, KT_C_NOT_FOUND, "De inbrenger (presenter) bestaat niet.");
    return 0;
}

int kt_h_agenda_add(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0);
    if (check_meeting(c, meeting) || check_presenter(c))
        return -1;
    list l;
    if (list_load(c, meeting, &l))
        return -1;
    sqlite3_stmt *s = kt_store_stmt(
        c->st, "INSERT INTO items(body_id, meeting_id, position, title, description, "
               "presenter_id, duration_min, kind, recurring, confidential, created_by, created_at, "
               "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)");
    if (!s) {
        list_free(&l);
        return kt_fail_err(c, KT_ESTORE);
    }
    const char *desc = kt_arg_str(c, "description"), *kind = kt_arg_str(c, "kind");
    sqlite3_bind_int64(s, 1, c->body);
    if (meeting)
        sqlite3_bind_int64(s, 2, meeting);
    sqlite3_bind_int64(s, 3, l.n + 1);
    sqlite3_bind_text(s, 4, kt_arg_str(c, "title"), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, desc ? desc : "", -1, SQLITE_STATIC);
    if (kt_arg_int(c, "presenter", 0))
        sqlite3_bind_int64(s, 6, kt_arg_int(c, "presenter", 0));
    sqlite3_bind_int64(s, 7, kt_arg_int(c, "duration", 0));
    sqlite3_bind_text(s, 8, kind ? kind : "bespreking", -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 9, kt_arg_bool(c, "recurring", false));
    sqlite3_bind_int(s, 10, kt_arg_bool(c, "confidential", false));
    sqlite3_bind_int64(s, 11, c->me->person);
    sqlite3_bind_int64(s, 12, kt_now());
    int rc = kt_store_step_done(c->st, s);
    if (rc) {
        list_free(&l);
        return kt_fail_err(c, rc);
    }
    int64_t id = kt_store_last_id(c->st);
    slot me = {id, l.n + 1, kt_arg_bool(c, "confidential", false)};
    json_t *item = NULL;
    rc = store_audience(c, id) || keep_author(c, id) || store_attachments(c, id) ||
         list_insert(c, &l, me, kt_arg_int(c, "position", 0)) || list_store(c, &l, id) ||
         emit_item(c, "agenda.added", id, &item);
    list_free(&l);
    if (rc)
        return -1;
    c->result = json_pack("{s:o}", "item", item);
    return 0;
}

int kt_h_agenda_update(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "item", 0);
    if (check_presenter(c))
        return -1;
    kt_vis before;
    int rc = kt_item_vis_load(c->st, id, &before);
    if (rc)
        return kt_fail_err(c, rc);
    sqlite3_stmt *s = kt_store_stmt(
        c->st, "UPDATE items SET title = coalesce(?2, title), description = coalesce(?3, "
               "description), presenter_id = CASE WHEN ?10 THEN ?4 ELSE presenter_id END, "
               "duration_min = coalesce(?5, duration_min), kind = coalesce(?6, kind), "
               "recurring = coalesce(?7, recurring), confidential = coalesce(?8, confidential), "
               "status = coalesce(?9, status), updated_at = ?11 WHERE id = ?1");
    if (!s) {
        kt_vis_clear(&before);
        return kt_fail_err(c, KT_ESTORE);
    }
    sqlite3_bind_int64(s, 1, id);
    static const char *const texts[] = {"title", "description"};
    for (int i = 0; i < 2; i++)
        if (kt_arg_str(c, texts[i]))
            sqlite3_bind_text(s, 2 + i, kt_arg_str(c, texts[i]), -1, SQLITE_STATIC);
    if (kt_arg_int(c, "presenter", 0))
        sqlite3_bind_int64(s, 4, kt_arg_int(c, "presenter", 0));
    if (kt_arg_has(c, "duration"))
        sqlite3_bind_int64(s, 5, kt_arg_int(c, "duration", 0));
    if (kt_arg_str(c, "kind"))
        sqlite3_bind_text(s, 6, kt_arg_str(c, "kind"), -1, SQLITE_STATIC);
    if (kt_arg_has(c, "recurring"))
        sqlite3_bind_int(s, 7, kt_arg_bool(c, "recurring", false));
    if (kt_arg_has(c, "confidential"))
        sqlite3_bind_int(s, 8, kt_arg_bool(c, "confidential", false));
    if (kt_arg_str(c, "status"))
        sqlite3_bind_text(s, 9, kt_arg_str(c, "status"), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 10, kt_arg_has(c, "presenter"));
    sqlite3_bind_int64(s, 11, kt_now());
    rc = kt_store_step_done(c->st, s);
    if (!rc)
        rc = store_audience(c, id) || keep_author(c, id) || store_attachments(c, id) ? -1 : 0;
    kt_vis after = {0};
    if (!rc)
        rc = kt_item_vis_load(c->st, id, &after);
    if (!rc) {
        char *b = kt_vis_dump(&before), *a = kt_vis_dump(&after);
        bool changed = strcmp(b ? b : "", a ? a : "") != 0;
        free(b);
        free(a);
        /* The old audience drops the item; the new audience receives it below. */
        if (changed && (before.confidential || after.confidential))
            rc = kt_emit(
                c, c->body, "agenda.hidden", &before,
                json_pack("{s:I, s:I}", "item", (json_int_t)id, "body", (json_int_t)c->body));
    }
    kt_vis_clear(&before);
    kt_vis_clear(&after);
    if (rc)
        return c->code ? -1 : kt_fail_err(c, rc);
    json_t *item = NULL;
    if (emit_item(c, "agenda.updated", id, &item))
        return -1;
    c->result = json_pack("{s:o}", "item", item);
    return 0;
}

static int64_t item_meeting(kt_ctx *c, int64_t item)
{
    sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT meeting_id FROM items WHERE id = ?1");
    if (!s)
        return 0;
    sqlite3_bind_int64(s, 1, item);
    int64_t m = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return m;
}

int kt_h_agenda_remove(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "item", 0), meeting = item_meeting(c, id);
    kt_vis vis;
    int rc = kt_item_vis_load(c->st, id, &vis);
    if (rc)
        return kt_fail_err(c, rc);
    /* Actions under a confidential item share its audience; without the item they would
     * become visible to the whole body. */
    if (vis.confidential &&
        kt_exists(c->st, "SELECT 1 FROM actions WHERE origin_item_id = ?1 LIMIT 1", id)) {
        kt_vis_clear(&vis);
        return kt_fail(c, KT_C_INVALID_STATE,
                       "Aan dit vertrouwelijke agendapunt hangen actiepunten of besluiten; "
                       "rond die eerst af of verplaats het punt naar de backlog.");
    }
    list l = {0};
    sqlite3_stmt *s = kt_store_stmt(c->st, "DELETE FROM items WHERE id = ?1");
    if (!s) {
        kt_vis_clear(&vis);
        return kt_fail_err(c, KT_ESTORE);
    }
    sqlite3_bind_int64(s, 1, id);
    rc = kt_store_step_done(c->st, s) ? kt_fail_err(c, KT_ESTORE) : 0;
    kt_touch_item(c, id);
    if (!rc)
        rc = kt_emit(c, c->body, "agenda.removed", &vis,
                     json_pack("{s:I, s:I, s:o}", "item", (json_int_t)id, "body",
                               (json_int_t)c->body, "meeting",
                               meeting ? json_integer(meeting) : json_null()));
    kt_vis_clear(&vis);
    if (!rc)
        rc = list_load(c, meeting, &l) || list_store(c, &l, 0);
    list_free(&l);
    if (rc)
        return -1;
    c->result = json_pack("{s:I}", "item", (json_int_t)id);
    return 0;
}

int kt_h_agenda_move(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "item", 0), from = item_meeting(c, id);
    int64_t to = kt_arg_int(c, "meeting", 0), pos = kt_arg_int(c, "position", 0);
    if (!kt_arg_has(c, "meeting"))
        return kt_fail(c, KT_C_MISSING_ARGUMENT,
                       "Geef 'meeting' op (een vergadering, of null voor de backlog).");
    if (check_meeting(c, to))
        return -1;
    list src = {0}, dst = {0};
    int rc = list_load(c, from, &src);
    if (!rc && to != from)
        rc = list_load(c, to, &dst);
    if (!rc) {
        list *target = to == from ? &src : &dst;
        slot me = src.v[list_index(&src, id)];
        list_remove(&src, id);
        me.pos = to == from ? me.pos : 0; /* 0: forces the write of position and meeting */
        rc = list_insert(c, target, me, pos);
        if (!rc && to != from)
            rc = list_store(c, &src, id);
        if (!rc)
            rc = list_store(c, target, id);
    }
    list_free(&src);
    list_free(&dst);
    json_t *item = NULL;
    if (rc || emit_item(c, "agenda.updated", id, &item))
        return -1;
    c->result = json_pack("{s:o}", "item", item);
    return 0;
}

int kt_h_agenda_reorder(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0);
    json_t *ids = json_object_get(c->args, "items");
    list l;
    if (list_load(c, meeting, &l))
        return -1;
    /* The caller orders what they can see; items hidden from them keep their slots. */
    int *visible_slots = calloc((size_t)l.n + 1, sizeof *visible_slots);
    int n_visible = 0, rc = 0;
    if (!visible_slots) {
        list_free(&l);
        return kt_fail_err(c, KT_ENOMEM);
    }
    for (int i = 0; i < l.n; i++) {
        kt_vis vis;
        if (kt_item_vis_load(c->st, l.v[i].id, &vis) == 0) {
            if (kt_acl_visible(&c->viewer, &vis))
                visible_slots[n_visible++] = i;
            kt_vis_clear(&vis);
        }
    }
    if ((int)json_array_size(ids) != n_visible)
        rc = kt_fail(c, KT_C_INVALID_ARGUMENT,
                     "'items' moet precies de agendapunten van deze lijst bevatten.");
    slot *order = calloc((size_t)l.n + 1, sizeof *order);
    if (!rc && !order)
        rc = kt_fail_err(c, KT_ENOMEM);
    if (!rc)
        memcpy(order, l.v, (size_t)l.n * sizeof *order);
    for (int k = 0; !rc && k < n_visible; k++) {
        int64_t id = json_integer_value(json_array_get(ids, (size_t)k));
        int i = list_index(&l, id);
        bool ok = i >= 0;
        for (int j = 0; ok && j < k; j++)
            ok = json_integer_value(json_array_get(ids, (size_t)j)) != id;
        for (int j = 0; ok && j < n_visible; j++)
            if (visible_slots[j] == i)
                break;
            else if (j == n_visible - 1)
                ok = false;
        if (!ok)
            rc = kt_fail(c, KT_C_INVALID_ARGUMENT,
                         "'items' moet precies de agendapunten van deze lijst bevatten.");
        else
            order[visible_slots[k]] = l.v[i];
    }
    if (!rc) {
        memcpy(l.v, order, (size_t)l.n * sizeof *order);
        rc = list_store(c, &l, 0);
    }
    free(order);
    free(visible_slots);
    list_free(&l);
    if (rc)
        return -1;
    c->result = json_pack("{s:o}", "agenda", kt_items_list(c->st, c->body, meeting, &c->viewer));
    return 0;
}

int kt_h_agenda_publish(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0);
    sqlite3_stmt *s = kt_store_stmt(c->st, "UPDATE meetings SET status = 'agenda_gepubliceerd', "
                                           "version = version + 1, updated_at = ?2 WHERE id = ?1 "
                                           "AND status = 'concept'");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, meeting);
    sqlite3_bind_int64(s, 2, kt_now());
    if (kt_store_step_done(c->st, s))
        return kt_fail_err(c, KT_ESTORE);
    if (sqlite3_changes(kt_store_db(c->st)) == 0)
        return kt_fail(c, KT_C_INVALID_STATE,
                       "Alleen een agenda in concept kan gepubliceerd worden.");
    json_t *m = kt_meeting_json(c->st, meeting);
    if (kt_emit(c, c->body, "meeting.updated", NULL,
                json_pack("{s:O, s:s}", "meeting", m, "change", "published")))
        return json_decref(m), -1;
    c->result = json_pack("{s:o}", "meeting", m);
    return 0;
}

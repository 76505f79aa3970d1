/* Exporting (issue 13): the verslag of a meeting (export.minutes) and a body's besluitenlijst
 * (export.decisions), as a document the client prints and as Markdown in the shape of the
 * seeds' verslagen (archive/export.h) that import.preview reads back.
 *
 * What goes in is decided here, when the export is read, by the one visibility function
 * (kt_acl_visible) for the reader: an item the reader may not see is a placeholder ("besloten
 * punt", its place kept) for a member, and absent for a guest limited to some items; what hangs
 * under it (notes, outcomes) is never there. Guests limited to items get no agenda-wide text. */
#include "archive/export.h"
#include "domain/handlers.h"
#include "domain/model.h"
#include "store/actions.h"
#include "store/archive.h"
#include "store/events.h"
#include "store/meetings.h"
#include "store/minutes.h"
#include "util/err.h"
#include "util/ivec.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const months[] = {"januari",   "februari", "maart",    "april",
                                     "mei",       "juni",     "juli",     "augustus",
                                     "september", "oktober",  "november", "december"};

/* "2027-07-01" -> "1 juli 2027"; NULL when not a date. */
static json_t *day_text(const char *ymd)
{
    int y, m, d;
    if (!ymd || sscanf(ymd, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12)
        return json_null();
    char buf[40];
    snprintf(buf, sizeof buf, "%d %s %d", d, months[m - 1], y);
    return json_string(buf);
}

/* "13.30", local time, of an instant written as the protocol writes them. */
static json_t *clock_text(const char *iso)
{
    int64_t t;
    if (!iso || kt_time_parse(iso, &t))
        return json_null();
    int y, mo, d, h, mi;
    kt_utc_to_local(t, &y, &mo, &d, &h, &mi, NULL);
    char buf[8];
    snprintf(buf, sizeof buf, "%02d.%02d", h, mi);
    return json_string(buf);
}

static json_t *long_day_text(const char *iso)
{
    int64_t t;
    if (!iso || kt_time_parse(iso, &t))
        return json_null();
    char buf[64];
    kt_time_dutch(t, false, buf, sizeof buf);
    return json_string(buf);
}

/* "verslag-stuurgroep-stadspartners-2023-05-24.md" */
static json_t *filename(const char *kind, const char *name, const char *ymd)
{
    char slug[80];
    size_t n = 0;
    bool dash = true;
    for (const unsigned char *p = (const unsigned char *)(name ? name : ""); *p && n < 60; p++) {
        if (isalnum(*p) && *p < 0x80) {
            slug[n++] = (char)tolower(*p);
            dash = false;
        } else if (!dash && *p < 0x80) {
            slug[n++] = '-';
            dash = true;
        }
    }
    while (n && slug[n - 1] == '-')
        n--;
    slug[n] = 0;
    char buf[128];
    snprintf(buf, sizeof buf, "%s%s%s%s%s.md", kind, n ? "-" : "", slug, ymd ? "-" : "",
             ymd ? ymd : "");
    return json_string(buf);
}

/* The number of item as the reader knows it: its position, or for a guest limited to items its
 * place among their own items of its meeting (see agenda). NULL for no item. */
static json_t *reader_position(kt_ctx *c, int64_t item)
{
    json_t *it = item ? kt_item_json(c->st, item) : NULL;
    json_t *pos = it ? json_incref(json_object_get(it, "position")) : NULL;
    int64_t meeting = json_integer_value(json_object_get(it, "meeting"));
    json_decref(it);
    if (!pos || c->viewer.n_items < 0)
        return pos ? pos : json_null();
    json_decref(pos);
    json_t *slots = NULL;
    if (!meeting || kt_store_archive_agenda(c->st, meeting, &slots)) {
        json_decref(slots);
        return json_null();
    }
    json_int_t shown = 0, mine = 0;
    size_t i;
    json_t *s;
    json_array_foreach(slots, i, s)
    {
        int64_t id = json_integer_value(json_object_get(s, "id"));
        kt_vis vis;
        if (kt_item_vis_load(c->st, id, &vis))
            continue;
        shown += kt_acl_visible(&c->viewer, &vis);
        kt_vis_clear(&vis);
        if (id == item) {
            mine = shown;
            break;
        }
    }
    json_decref(slots);
    return mine ? json_integer(mine) : json_null();
}

/* Whether c->viewer may see what hangs under item (0: the whole body's). */
static int sees_under(kt_ctx *c, int64_t item, bool *ok)
{
    kt_vis vis;
    int rc = kt_under_item_vis(c->st, item, &vis);
    if (rc)
        return rc;
    *ok = kt_acl_visible(&c->viewer, &vis);
    kt_vis_clear(&vis);
    return 0;
}

static int name_of(kt_ctx *c, int64_t person, int64_t org, json_t **out)
{
    char *s = NULL;
    int rc = person ? kt_store_archive_person_name(c->st, person, &s) : 0;
    if (!rc && !s && org)
        rc = kt_store_archive_org_name(c->st, org, &s);
    *out = s ? json_string(s) : json_null();
    free(s);
    return rc == KT_ENOTFOUND ? 0 : rc;
}

/* An action as an outcome of the export: what the reader sees of it, with names and dates
 * written out. */
static int outcome(kt_ctx *c, json_t *a, json_t **out)
{
    int64_t owner = json_integer_value(json_object_get(a, "owner"));
    int64_t org = json_integer_value(json_object_get(a, "owner_org"));
    json_t *owner_name = NULL, *org_name = NULL;
    int rc = name_of(c, owner, org, &owner_name);
    if (!rc)
        rc = name_of(c, 0, org, &org_name);
    if (rc) {
        json_decref(owner_name);
        json_decref(org_name);
        return rc;
    }
    const char *due = json_string_value(json_object_get(a, "due"));
    *out = json_pack("{s:O, s:O, s:O, s:O, s:o, s:O, s:o, s:O, s:o, s:O, s:O}", "id",
                     json_object_get(a, "id"), "kind", json_object_get(a, "kind"), "text",
                     json_object_get(a, "text"), "owner", json_object_get(a, "owner"), "owner_name",
                     owner_name, "owner_org", json_object_get(a, "owner_org"), "owner_org_name",
                     org_name, "due", json_object_get(a, "due"), "due_text", day_text(due),
                     "decided_on", json_object_get(a, "decided_on"), "status",
                     json_object_get(a, "status"));
    return *out ? 0 : KT_ENOMEM;
}

/* The agenda as the reader may see it: items whole, placeholders, or left out. A guest limited
 * to items gets theirs numbered 1, 2, ... in agenda order: the true positions would tell how
 * many items they may not see, and where. */
static int agenda(kt_ctx *c, int64_t meeting, json_t *items)
{
    json_t *slots = NULL;
    int rc = kt_store_archive_agenda(c->st, meeting, &slots);
    size_t i;
    json_t *s;
    json_int_t shown = 0;
    json_array_foreach(slots, i, s)
    {
        if (rc)
            break;
        int64_t id = json_integer_value(json_object_get(s, "id"));
        kt_vis vis;
        if ((rc = kt_item_vis_load(c->st, id, &vis)))
            break;
        bool visible = kt_acl_visible(&c->viewer, &vis);
        kt_vis_clear(&vis);
        if (!visible && c->viewer.n_items >= 0)
            continue; /* a guest limited to items sees only theirs */
        shown++;
        json_t *e = json_pack("{s:o, s:O, s:b, s:o, s:o, s:s, s:o}", "position",
                              c->viewer.n_items >= 0 ? json_integer(shown)
                                                     : json_incref(json_object_get(s, "position")),
                              "duration", json_object_get(s, "duration"), "placeholder", !visible,
                              "item", visible ? json_integer(id) : json_null(), "title",
                              json_null(), "notes", "", "outcomes", json_array());
        if (visible) {
            json_t *it = kt_item_json(c->st, id), *notes = NULL;
            json_object_set(e, "title", json_object_get(it, "title"));
            json_object_set(e, "kind", json_object_get(it, "kind"));
            json_object_set(e, "confidential", json_object_get(it, "confidential"));
            json_decref(it);
            int n = kt_store_item_notes_get(c->st, id, &notes);
            if (!n)
                json_object_set(e, "notes", json_object_get(notes, "text"));
            else if (n != KT_ENOTFOUND)
                rc = n;
            json_decref(notes);
        }
        json_array_append_new(items, e);
    }
    json_decref(slots);
    return rc;
}

/* The outcomes of meeting the reader may see, under their items or among the others. */
static int outcomes(kt_ctx *c, int64_t meeting, json_t *items, json_t *other)
{
    kt_ivec ids = {0};
    json_t *under_item = json_object(), *e; /* item id -> its outcomes array */
    size_t k;
    json_array_foreach(items, k, e)
    {
        json_int_t id = json_integer_value(json_object_get(e, "item"));
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)id);
        if (id)
            json_object_set(under_item, key, json_object_get(e, "outcomes"));
    }
    int rc = kt_store_actions_of_meeting(c->st, meeting, &ids);
    for (size_t i = 0; !rc && i < ids.n; i++) {
        json_t *a = NULL, *o = NULL;
        bool ok = false;
        rc = kt_store_action_get(c->st, ids.v[i], &a);
        int64_t item = json_integer_value(json_object_get(a, "item"));
        if (!rc)
            rc = sees_under(c, item, &ok);
        if (!rc && ok)
            rc = outcome(c, a, &o);
        json_decref(a);
        if (rc || !ok)
            continue;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)item);
        json_t *under = item ? json_object_get(under_item, key) : NULL;
        json_array_append_new(under ? under : other, o);
    }
    kt_ivec_free(&ids);
    json_decref(under_item);
    return rc;
}

/* ---- export.minutes in parts ---- */

static size_t json_size(const json_t *x)
{
    return json_dumpb(x, NULL, 0, JSON_COMPACT) + 1; /* and its comma */
}

/* An item of the export without its outcomes: for a part that holds it (outcomes: those of
 * the part), or, with continued, for the next part that holds the rest of its outcomes. */
static json_t *item_head(json_t *it, bool continued)
{
    json_t *e = json_deep_copy(it);
    json_object_set_new(e, "outcomes", json_array());
    if (continued) {
        json_object_set_new(e, "notes", json_string(""));
        json_object_set_new(e, "continued", json_true());
    }
    return e;
}

/* The verslag doc with its Markdown md, and the JSON sizes of its entries (attendance lines,
 * then per item the item and its outcomes, then the other outcomes) by which it is cut. */
typedef struct minutes_doc {
    json_t *doc, *name;
    const char *md;
    size_t *sizes, n;
} minutes_doc;

static int minutes_sizes(minutes_doc *d)
{
    json_t *att = json_object_get(d->doc, "attendance"), *items = json_object_get(d->doc, "items"),
           *other = json_object_get(d->doc, "other_outcomes"), *x, *o;
    size_t n = json_array_size(att) + json_array_size(other), i, k, at = 0;
    json_array_foreach(items, i, x) n += 1 + json_array_size(json_object_get(x, "outcomes"));
    size_t *sizes = malloc((n ? n : 1) * sizeof *sizes);
    if (!sizes)
        return KT_ENOMEM;
    json_array_foreach(att, i, x) sizes[at++] = json_size(x);
    json_array_foreach(items, i, x)
    {
        json_t *outs = json_object_get(x, "outcomes");
        size_t all = json_size(x), under = 0;
        json_array_foreach(outs, k, o) under += sizes[at + 1 + k] = json_size(o);
        sizes[at] = all > under ? all - under : 1;
        at += 1 + json_array_size(outs);
    }
    json_array_foreach(other, i, x) sizes[at++] = json_size(x);
    d->sizes = sizes;
    d->n = n;
    return 0;
}

/* Part `part` of the verslag (PROTOCOL.md, export.minutes) as the reply's result, or NULL (out
 * of memory): its entries cut into runs and its Markdown into chunks of KT_PART_BYTES each;
 * part k holds run k and chunk k, the verslag's text (in the document) part 0. *parts: how many
 * parts there are. */
static json_t *minutes_part(const minutes_doc *d, size_t part, size_t *parts)
{
    json_t *att = json_object_get(d->doc, "attendance"), *items = json_object_get(d->doc, "items"),
           *other = json_object_get(d->doc, "other_outcomes"), *x, *o;
    size_t i, k, at = 0, first, end, off, len;
    *parts = kt_parts_of(d->sizes, d->n, d->md, part, &first, &end, &off, &len);

    /* the part's document: the header, and the entries of the run */
    json_t *p = json_copy(d->doc), *patt = json_array(), *pitems = json_array(),
           *pother = json_array();
    json_array_foreach(att, i, x)
    {
        if (at >= first && at < end)
            json_array_append(patt, x);
        at++;
    }
    json_array_foreach(items, i, x)
    {
        json_t *outs = json_object_get(x, "outcomes"), *e = NULL;
        if (at < end && at + 1 + json_array_size(outs) > first) {
            if (at >= first)
                e = item_head(x, false);
            at++;
            json_array_foreach(outs, k, o)
            {
                if (at >= first && at < end) {
                    if (!e)
                        e = item_head(x, true);
                    json_array_append(json_object_get(e, "outcomes"), o);
                }
                at++;
            }
        } else
            at += 1 + json_array_size(outs);
        if (e)
            json_array_append_new(pitems, e);
    }
    json_array_foreach(other, i, x)
    {
        if (at >= first && at < end)
            json_array_append(pother, x);
        at++;
    }
    json_object_set_new(p, "attendance", patt);
    json_object_set_new(p, "items", pitems);
    json_object_set_new(p, "other_outcomes", pother);
    if (part > 0)
        json_object_set_new(p, "minutes", json_string(""));
    bool more = part + 1 < *parts;
    return json_pack("{s:o, s:s%, s:O, s:I, s:I, s:b, s:o}", "document", p, "markdown", d->md + off,
                     len, "filename", d->name, "part", (json_int_t)part, "parts",
                     (json_int_t)*parts, "more", more, "next_part",
                     more ? json_integer((json_int_t)part + 1) : json_null());
}

/* Sets c->result to part `part` of the verslag, and keeps all its parts for the parts still to
 * be read (kt_doc_parts_put under key; not when key is NULL). */
static int minutes_parts(kt_ctx *c, minutes_doc *d, size_t part, const kt_doc_key *key)
{
    int rc = minutes_sizes(d);
    if (rc)
        return rc;
    size_t parts = 0, bytes = 0;
    json_t *r = minutes_part(d, part, &parts);
    char **all = key && part < parts ? calloc(parts, sizeof *all) : NULL;
    for (size_t p = 0, n; all && p < parts; p++) {
        json_t *one = p == part ? json_incref(r) : minutes_part(d, p, &n);
        kt_doc_parts_add(&all, parts, p, one, &bytes); /* (drops all: out of memory or room) */
        json_decref(one);
    }
    if (all)
        kt_doc_parts_put(key, all, parts, 0);
    free(d->sizes);
    c->result = r;
    return r ? 0 : KT_ENOMEM;
}

int kt_h_export_minutes(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0);
    json_t *m = kt_meeting_json(c->st, meeting);
    if (!m)
        return kt_fail(c, KT_C_NOT_FOUND, NULL);
    /* the parts of this verslag built for this reader a moment ago, while nothing in the body
     * (its items, their audiences, the members and their roles, outcomes, notes, attendance)
     * nor in the directory (names, organisations) changed since: not built again */
    size_t part = (size_t)kt_arg_int(c, "part", 0);
    kt_doc_key key;
    kt_doc_key_init(&key, c, "export.minutes", meeting);
    bool stamped = !kt_store_stream_head(c->st, c->body, &key.stamp[0]) &&
                   !kt_store_stream_head(c->st, 0, &key.stamp[1]);
    int kept;
    if (stamped && (c->result = kt_doc_parts_get(&key, part, &kept))) {
        json_decref(m);
        return 0;
    }
    const char *start = json_string_value(json_object_get(m, "start"));
    const char *body_name = json_string_value(json_object_get(m, "body_name"));
    char title[256], ymd[16] = "";
    snprintf(title, sizeof title, "Verslag %s", body_name ? body_name : "");
    int64_t t;
    if (start && !kt_time_parse(start, &t)) {
        int y, mo, d;
        kt_utc_to_local(t, &y, &mo, &d, NULL, NULL, NULL);
        snprintf(ymd, sizeof ymd, "%04d-%02d-%02d", y, mo, d);
    }
    json_t *items = json_array(), *other = json_array();
    int rc = agenda(c, meeting, items);
    if (!rc)
        rc = outcomes(c, meeting, items, other);
    char *minutes = NULL;
    if (!rc && c->viewer.n_items < 0) /* a verslag speaks of every item */
        rc = kt_store_archive_minutes_text(c->st, meeting, &minutes);
    if (rc) {
        json_decref(items);
        json_decref(other);
        json_decref(m);
        free(minutes);
        return kt_fail_err(c, rc);
    }
    const char *end = json_string_value(json_object_get(m, "end"));
    json_t *att = json_array();
    if (!att || kt_store_attendance_list(c->st, meeting, att)) {
        json_decref(att);
        json_decref(items);
        json_decref(other);
        json_decref(m);
        free(minutes);
        return kt_fail_err(c, KT_ESTORE);
    }
    json_t *doc = json_pack(
        "{s:s, s:{s:I, s:s}, s:O, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s}", "title", title, "body",
        "id", (json_int_t)c->body, "name", body_name ? body_name : "", "meeting", m, "date",
        ymd[0] ? json_string(ymd) : json_null(), "date_text", long_day_text(start), "start_text",
        clock_text(start), "end_text", clock_text(end), "attendance", att, "items", items,
        "other_outcomes", other, "minutes", minutes ? minutes : "");
    free(minutes);
    json_decref(m);
    if (!doc)
        return kt_fail_err(c, KT_ENOMEM);
    char *md = kt_export_minutes_md(doc);
    if (!md) {
        json_decref(doc);
        return kt_fail_err(c, KT_ENOMEM);
    }
    minutes_doc d = {
        .doc = doc, .md = md, .name = filename("verslag", body_name, ymd[0] ? ymd : NULL)};
    rc = minutes_parts(c, &d, part, stamped ? &key : NULL);
    json_decref(doc);
    json_decref(d.name);
    free(md);
    return rc ? kt_fail_err(c, rc) : 0;
}

/* ---- the besluitenlijst ---- */

/* The group of list for a besluit of meeting (0: none) on day: found or appended. */
static json_t *group_for(kt_ctx *c, json_t *list, int64_t meeting, const char *day)
{
    size_t i;
    json_t *g;
    json_array_foreach(list, i, g)
    {
        int64_t gm = json_integer_value(json_object_get(g, "meeting"));
        const char *gd = json_string_value(json_object_get(g, "date"));
        if (gm == meeting && (meeting || (gd && day && !strcmp(gd, day))))
            return g;
    }
    json_t *m = meeting ? kt_meeting_json(c->st, meeting) : NULL;
    const char *start = json_string_value(json_object_get(m, "start"));
    char heading[128];
    json_t *when = start ? long_day_text(start) : day_text(day);
    snprintf(heading, sizeof heading, "%s %s", start ? "Vergadering van" : "Besloten op",
             json_string_value(when) ? json_string_value(when) : "");
    json_decref(when);
    g = json_pack("{s:o, s:s?, s:s, s:o}", "meeting", meeting ? json_integer(meeting) : json_null(),
                  "date", day, "heading", heading, "decisions", json_array());
    json_decref(m);
    if (g)
        json_array_append_new(list, g);
    return g;
}

/* A besluitenlijst holds at most this much JSON of besluiten (its Markdown about as much again),
 * ending at a day: a body's whole history is asked for by default, and a reply over a
 * connection's 4 MiB would close it. `more` and `next_from` say where the rest starts. */
#define DECISIONS_BYTES (KT_PAGE_BYTES / 3)

int kt_h_export_decisions(kt_ctx *c)
{
    kt_ivec ids = {0};
    size_t bytes = 0;
    char last_day[16] = "", next_from[16] = "";
    bool more = false;
    const char *from = kt_arg_str(c, "from"), *to = kt_arg_str(c, "to");
    json_t *body = kt_body_json(c->st, c->body), *list = json_array();
    const char *name = json_string_value(json_object_get(body, "name"));
    int rc = kt_store_archive_decisions(c->st, c->body, from, to, &ids);
    for (size_t i = 0; !rc && i < ids.n; i++) {
        json_t *a = NULL;
        bool ok = false;
        rc = kt_store_action_get(c->st, ids.v[i], &a);
        int64_t item = json_integer_value(json_object_get(a, "item"));
        if (!rc)
            rc = sees_under(c, item, &ok);
        if (!rc && ok) {
            const char *day = json_string_value(json_object_get(a, "decided_on"));
            /* full: end before a new day (a day's besluiten stay together, up to twice the
             * bound; past that a day is cut too, and continues from that day) */
            if (bytes >= DECISIONS_BYTES &&
                (strcmp(day ? day : "", last_day) != 0 || bytes >= 2 * DECISIONS_BYTES)) {
                more = true;
                snprintf(next_from, sizeof next_from, "%s", day ? day : "");
                json_decref(a);
                break;
            }
            snprintf(last_day, sizeof last_day, "%s", day ? day : "");
            json_t *g = group_for(c, list, json_integer_value(json_object_get(a, "meeting")), day);
            json_t *d = json_pack(
                "{s:O, s:O, s:O, s:o, s:O, s:O, s:o}", "id", json_object_get(a, "id"), "text",
                json_object_get(a, "text"), "decided_on", json_object_get(a, "decided_on"),
                "decided_text", day_text(day), "item", json_object_get(a, "item"), "item_title",
                json_object_get(a, "item_title"), "item_position", reader_position(c, item));
            if (!g || !d)
                rc = KT_ENOMEM;
            else {
                bytes += json_dumpb(d, NULL, 0, JSON_COMPACT);
                json_array_append_new(json_object_get(g, "decisions"), d);
            }
        }
        json_decref(a);
    }
    kt_ivec_free(&ids);
    char title[256];
    snprintf(title, sizeof title, "Besluitenlijst %s", name ? name : "");
    json_t *doc = rc ? NULL
                     : json_pack("{s:s, s:{s:I, s:s}, s:o, s:o, s:o}", "title", title, "body", "id",
                                 (json_int_t)c->body, "name", name ? name : "", "from",
                                 from ? json_string(from) : json_null(), "to",
                                 to ? json_string(to) : json_null(), "meetings", list);
    if (!doc) {
        if (rc)
            json_decref(list);
        json_decref(body);
        return kt_fail_err(c, rc ? rc : KT_ENOMEM);
    }
    char *md = kt_export_decisions_md(doc);
    if (!md) {
        json_decref(doc);
        json_decref(body);
        return kt_fail_err(c, KT_ENOMEM);
    }
    c->result = json_pack("{s:o, s:s, s:o, s:b, s:o}", "document", doc, "markdown", md, "filename",
                          filename("besluitenlijst", name, NULL), "more", more, "next_from",
                          more && next_from[0] ? json_string(next_from) : json_null());
    json_decref(body); /* name was borrowed from it */
    free(md);
    return c->result ? 0 : kt_fail_err(c, KT_ENOMEM);
}

/* The verslag per agenda item: the secretary's notes under each item, live for everyone who
 * may see the item. */
#include "domain/audit.h"
#include "domain/carry.h"
#include "domain/handlers.h"
#include "domain/minutes.h"
#include "domain/model.h"
#include "store/actions.h"
#include "store/carry.h"
#include "store/items.h"
#include "store/meetings.h"
#include "store/minutes.h"
#include "util/err.h"
#include "util/ivec.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *kt_minutes_notes(kt_ctx *c, json_t *agenda)
{
    json_t *out = json_object(), *it;
    size_t i;
    json_array_foreach(agenda, i, it)
    {
        if (json_is_true(json_object_get(it, "placeholder")))
            continue; /* the notes of a besloten punt are its audience's */
        json_int_t id = json_integer_value(json_object_get(it, "id"));
        json_t *n = NULL;
        if (kt_store_item_notes_get(c->st, id, &n))
            continue;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)id);
        json_object_set_new(out, key, n);
    }
    return out;
}

/* Whether c->viewer may see what hangs under item (0: nothing, always). */
static int sees_under(kt_ctx *c, int64_t item, bool *visible)
{
    kt_vis vis;
    int rc = kt_under_item_vis(c->st, item, &vis);
    if (rc)
        return rc;
    *visible = kt_acl_visible(&c->viewer, &vis);
    kt_vis_clear(&vis);
    return 0;
}

int kt_minutes_outcomes(kt_ctx *c, int64_t meeting, json_t **out)
{
    kt_ivec ids = {0};
    *out = json_array();
    int rc = kt_store_actions_of_meeting(c->st, meeting, &ids);
    for (size_t i = 0; !rc && i < ids.n; i++) {
        json_t *a = NULL;
        bool visible = false;
        rc = kt_store_action_get(c->st, ids.v[i], &a);
        if (!rc)
            rc = sees_under(c, json_integer_value(json_object_get(a, "item")), &visible);
        if (!rc && visible)
            json_array_append(*out, a);
        json_decref(a);
    }
    kt_ivec_free(&ids);
    if (rc) {
        json_decref(*out);
        *out = NULL;
        return kt_fail_err(c, rc);
    }
    return 0;
}

int kt_h_minutes_note(kt_ctx *c)
{
    int64_t item = kt_arg_int(c, "item", 0), rev = 0;
    json_t *it = kt_item_json(c->st, item);
    if (!it)
        return kt_fail(c, KT_C_NOT_FOUND, "Dit agendapunt bestaat niet.");
    int64_t meeting = json_integer_value(json_object_get(it, "meeting"));
    json_decref(it);
    if (!meeting)
        return kt_fail(c, KT_C_INVALID_STATE,
                       "Notulen horen bij een agendapunt van een vergadering, niet bij een punt "
                       "dat nog geagendeerd moet worden.");
    if (kt_minutes_frozen(c, meeting))
        return -1;
    int rc = kt_store_item_notes_set(c->st, item, kt_arg_str(c, "text"), c->me->person, kt_now(),
                                     kt_arg_int(c, "rev", -1), &rev);
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_CONFLICT,
                       "De notulen van dit punt zijn intussen door iemand anders opgeslagen; "
                       "laad ze opnieuw en voeg uw tekst toe.");
    if (rc)
        return kt_fail_err(c, rc);
    json_t *notes = NULL;
    kt_vis vis;
    if (kt_store_item_notes_get(c->st, item, &notes) || kt_item_vis_load(c->st, item, &vis)) {
        json_decref(notes);
        return kt_fail_err(c, KT_ESTORE);
    }
    rc = kt_emit(c, c->body, "minutes.noted", &vis,
                 json_pack("{s:I, s:I, s:O}", "item", (json_int_t)item, "meeting",
                           (json_int_t)meeting, "notes", notes));
    kt_vis_clear(&vis);
    if (rc)
        return json_decref(notes), -1;
    c->result = json_pack("{s:o}", "notes", notes);
    return 0;
}

/* ---- the verslag as one document, and its approval ---- */

int kt_minutes_frozen(kt_ctx *c, int64_t meeting)
{
    if (!meeting)
        return 0;
    int64_t body = 0;
    char status[32];
    int rc = kt_store_meeting_state(c->st, meeting, &body, status, sizeof status);
    if (rc)
        return rc == KT_ENOTFOUND ? 0 : kt_fail_err(c, rc);
    if (strcmp(status, "verslag_vastgesteld") == 0)
        return kt_fail(c, KT_C_INVALID_STATE,
                       "Het verslag van deze vergadering is vastgesteld en verandert niet meer.");
    return 0;
}

/* The stage of a meeting's verslag from its status. */
static const char *stage_of(const char *status)
{
    return strcmp(status, "verslag_vastgesteld") == 0        ? "vastgesteld"
           : strcmp(status, "verslag_ter_vaststelling") == 0 ? "ter_vaststelling"
                                                             : "concept";
}

/* Everything of the verslag of meeting, for a snapshot: the meeting, the general text, the
 * attendance, every item with its notes and outcomes and (as "_vis") who may see it, and the
 * outcomes recorded at no item. New reference into *out; 0 or a KT_E*. */
static int document_all(kt_ctx *c, int64_t meeting, json_t **out)
{
    json_t *doc = json_object(), *m = NULL, *minutes = NULL, *att = json_array(),
           *items = json_array(), *loose = json_array(), *byitem = json_object();
    kt_ivec ids = {0}, acts = {0};
    kt_item_slot *slots = NULL;
    int nslots = 0;
    json_object_set_new(doc, "attendance", att);
    json_object_set_new(doc, "items", items);
    json_object_set_new(doc, "outcomes", loose);
    int rc = kt_store_meeting_get(c->st, meeting, &m);
    if (!rc)
        rc = kt_store_minutes_get(c->st, meeting, &minutes);
    if (!rc) {
        json_object_set_new(doc, "meeting", m);
        json_object_set(doc, "minutes", json_object_get(minutes, "minutes"));
        rc = kt_store_attendance_list(c->st, meeting, att);
    }
    if (!rc)
        rc = kt_store_actions_of_meeting(c->st, meeting, &acts);
    for (size_t i = 0; !rc && i < acts.n; i++) {
        json_t *a = NULL;
        rc = kt_store_action_get(c->st, acts.v[i], &a);
        if (rc)
            break;
        json_int_t item = json_integer_value(json_object_get(a, "item"));
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)item);
        json_t *list = json_object_get(byitem, key);
        if (!list && item)
            json_object_set_new(byitem, key, list = json_array());
        json_array_append_new(item ? list : loose, a);
    }
    /* every item of the agenda, in agenda order: a verslag leaves none out, however long */
    if (!rc)
        rc = kt_store_item_slots(c->st, 0, meeting, &slots, &nslots);
    for (int i = 0; !rc && i < nslots; i++)
        if (kt_ivec_push(&ids, slots[i].id))
            rc = KT_ENOMEM;
    free(slots);
    for (size_t i = 0; !rc && i < ids.n; i++) {
        json_t *it = NULL, *notes = NULL;
        kt_vis vis;
        rc = kt_store_item_get(c->st, ids.v[i], &it);
        if (!rc && (rc = kt_item_vis_load(c->st, ids.v[i], &vis)) == 0) {
            char *v = kt_vis_dump(&vis);
            json_object_set_new(it, "_vis", v ? json_string(v) : json_null());
            free(v);
            kt_vis_clear(&vis);
        }
        if (!rc && kt_store_item_notes_get(c->st, ids.v[i], &notes) == 0)
            json_object_set(it, "notes", json_object_get(notes, "text"));
        else if (!rc)
            json_object_set_new(it, "notes", json_null());
        json_decref(notes);
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)ids.v[i]);
        json_t *outs = json_object_get(byitem, key);
        if (it)
            json_object_set_new(it, "outcomes", outs ? json_incref(outs) : json_array());
        if (it)
            json_array_append_new(items, it);
        json_object_del(byitem, key); /* placed */
    }
    /* outcomes of items that are no longer on this agenda stay with the verslag */
    const char *key;
    json_t *outs;
    json_object_foreach(byitem, key, outs) json_array_extend(loose, outs);
    json_decref(minutes);
    json_decref(byitem);
    kt_ivec_free(&ids);
    kt_ivec_free(&acts);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

/* Whether c->viewer may see an item of a snapshot: by the item's audience now, or the one it had
 * when the snapshot was taken if the item is gone. */
static int sees_item(kt_ctx *c, json_t *it, bool *visible)
{
    kt_vis vis;
    int rc = kt_item_vis_load(c->st, json_integer_value(json_object_get(it, "id")), &vis);
    if (rc == KT_ENOTFOUND)
        rc = kt_vis_parse(json_string_value(json_object_get(it, "_vis")), &vis);
    if (rc)
        return rc;
    *visible = kt_acl_visible(&c->viewer, &vis);
    kt_vis_clear(&vis);
    return 0;
}

/* What of doc c->viewer may see (new reference): items they may not see are left out with
 * their notes and outcomes, and so are loose outcomes from such items. A guest limited to items
 * gets theirs numbered 1, 2, ... in agenda order (as everywhere they read the agenda): the true
 * positions would tell how many items they may not see lie before, and where. */
static int document_for(kt_ctx *c, json_t *doc, json_t **out)
{
    json_t *copy = json_deep_copy(doc), *items = json_array(), *loose = json_array(), *x;
    size_t i;
    int rc = 0;
    json_array_foreach(json_object_get(copy, "items"), i, x)
    {
        bool visible = false;
        if ((rc = sees_item(c, x, &visible)))
            break;
        json_object_del(x, "_vis");
        if (visible && c->viewer.n_items >= 0)
            json_object_set_new(x, "position",
                                json_integer((json_int_t)json_array_size(items) + 1));
        if (visible)
            json_array_append(items, x);
    }
    json_array_foreach(json_object_get(copy, "outcomes"), i, x)
    {
        bool visible = false;
        if (!rc && (rc = sees_under(c, json_integer_value(json_object_get(x, "item")), &visible)))
            break;
        if (visible)
            json_array_append(loose, x);
    }
    json_object_set_new(copy, "items", items);
    json_object_set_new(copy, "outcomes", loose);
    if (rc) {
        json_decref(copy);
        return rc;
    }
    *out = copy;
    return 0;
}

/* The amendments of meeting that c->viewer may see (those about an item: its audience). */
static int amendments_for(kt_ctx *c, int64_t meeting, json_t **out)
{
    json_t *all = json_array(), *x;
    *out = json_array();
    int rc = kt_store_amendments_list(c->st, meeting, all);
    size_t i;
    json_array_foreach(all, i, x)
    {
        bool visible = false;
        if (!rc && (rc = sees_under(c, json_integer_value(json_object_get(x, "item")), &visible)))
            break;
        if (visible)
            json_array_append(*out, x);
    }
    json_decref(all);
    return rc;
}

/* Cuts arr (a list of the verslag as the caller sees it) to its page from index from, within
 * max_bytes (at least one entry while there is one): sets <name>_more and <name>_next (the
 * <name>_from of the next page, or null after the last) in result (PROTOCOL.md, the verslag in
 * pages). */
static void list_page(json_t *arr, int64_t from, size_t max_bytes, json_t *result, const char *name)
{
    size_t skip = from < 0 ? 0 : (size_t)from;
    if (skip > json_array_size(arr))
        skip = json_array_size(arr);
    bool more = kt_page_slice(arr, (int64_t)skip, (size_t)-1, max_bytes);
    char key[32];
    snprintf(key, sizeof key, "%s_more", name);
    json_object_set_new(result, key, json_boolean(more));
    snprintf(key, sizeof key, "%s_next", name);
    json_object_set_new(
        result, key, more ? json_integer((json_int_t)(skip + json_array_size(arr))) : json_null());
}

/* minutes.get and minutes.version page the document's items (PROTOCOL.md): a verslag of a
 * meeting with a huge agenda, each item with its notes and outcomes, would pass the
 * connection's 4 MiB. items_from is an index into the items the caller sees (the document is
 * already filtered by their sight: no index tells of a hidden item); a page ends before the item
 * that would pass 3/8 MiB. One item's outcomes are not bounded in number either: the first item
 * of a page that alone passes 3/8 MiB comes with as many of its outcomes as fit (at least one),
 * and the next page starts at the same item (items_next) and outcome (item_outcomes_next), the
 * item again with continued: true and the rest of its outcomes. The document's attendance and its
 * outcomes at no item come in pages of 1/8 and 1/16 MiB from attendance_from and outcomes_from
 * (attendance_more/_next, outcomes_more/_next; a version's are a snapshot, so meeting.get cannot
 * give them); with the verslag's text (at most 60,000 characters) the reply stays within 1 MiB.
 * Sets the marks in result. */
static void document_page(kt_ctx *c, json_t *doc, json_t *result)
{
    const size_t budget = KT_PAGE_BYTES * 3 / 8;
    int64_t from = kt_arg_int(c, "items_from", 0), sub = kt_arg_int(c, "item_outcomes_from", 0);
    json_t *items = json_object_get(doc, "items");
    size_t skip = from < 0 ? 0 : (size_t)from, n = json_array_size(items), keep = 0, bytes = 0;
    size_t split = 0; /* outcomes of the page's first item given, when it is cut; 0: not cut */
    if (skip > n)
        skip = n;
    for (size_t i = 0; i < skip; i++)
        json_array_remove(items, 0);
    n -= skip;
    json_t *first = json_array_get(items, 0), *outs = json_object_get(first, "outcomes");
    if (first && sub > 0) { /* the rest of the outcomes of an item begun on the page before */
        size_t drop = (size_t)sub < json_array_size(outs) ? (size_t)sub : json_array_size(outs);
        for (size_t i = 0; i < drop; i++)
            json_array_remove(outs, 0);
        json_object_set_new(first, "continued", json_true());
    }
    while (keep < n) {
        json_t *it = json_array_get(items, keep);
        size_t size = json_dumpb(it, NULL, 0, JSON_COMPACT);
        if (keep && bytes + size > budget)
            break;
        if (!keep && size > budget) { /* one item beyond the page: as many outcomes as fit */
            json_t *o = json_object_get(it, "outcomes");
            size_t no = json_array_size(o), k = 0;
            size_t shell = size;
            for (size_t i = 0; i < no; i++)
                shell -= json_dumpb(json_array_get(o, i), NULL, 0, JSON_COMPACT) + (i > 0);
            bytes = shell;
            while (k < no) {
                size_t one = json_dumpb(json_array_get(o, k), NULL, 0, JSON_COMPACT) + 1;
                if (k && bytes + one > budget)
                    break;
                bytes += one;
                k++;
            }
            if (k < no) {
                while (json_array_size(o) > k)
                    json_array_remove(o, json_array_size(o) - 1);
                split = k + (first == it && sub > 0 ? (size_t)sub : 0);
                keep = 1;
                break;
            }
        }
        bytes += size;
        keep++;
    }
    bool more = split || keep < n;
    while (json_array_size(items) > keep)
        json_array_remove(items, json_array_size(items) - 1);
    json_object_set_new(result, "items_more", json_boolean(more));
    json_object_set_new(result, "items_next",
                        more ? json_integer((json_int_t)(skip + keep - (split ? 1 : 0)))
                             : json_null());
    json_object_set_new(result, "item_outcomes_next",
                        split ? json_integer((json_int_t)split) : json_null());
    list_page(json_object_get(doc, "attendance"), kt_arg_int(c, "attendance_from", 0),
              KT_PAGE_BYTES / 8, result, "attendance");
    list_page(json_object_get(doc, "outcomes"), kt_arg_int(c, "outcomes_from", 0),
              KT_PAGE_BYTES / 16, result, "outcomes");
}

/* The page of am (the amendments the caller sees, oldest first) from index from, within 1/16 MiB
 * (PROTOCOL.md, the verslag in pages): minutes.get and minutes.approve. A verslag ter vaststelling
 * takes amendments of up to 20,000 characters from every member, as many as they like. Sets
 * amendments_more and amendments_next (the amendments_from of the next page, or null) in result. */
static void amendments_page(json_t *am, int64_t from, json_t *result)
{
    list_page(am, from, KT_PAGE_BYTES / 16, result, "amendments");
}

/* Whether amendments may still be proposed: ter vaststelling and not past the deadline. */
static bool open_for_amendments(const char *stage, const char *deadline)
{
    char today[16];
    kt_date_today_local(today, sizeof today);
    return strcmp(stage, "ter_vaststelling") == 0 && (!*deadline || strcmp(today, deadline) <= 0);
}

int kt_h_minutes_get(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0), body = 0;
    char status[32], deadline[16];
    json_t *doc = NULL, *mine = NULL, *versions = json_array(), *amendments = NULL;
    int rc = kt_store_meeting_state(c->st, meeting, &body, status, sizeof status);
    if (!rc)
        rc = kt_store_minutes_deadline(c->st, meeting, deadline, sizeof deadline);
    if (!rc)
        rc = document_all(c, meeting, &doc);
    if (!rc)
        rc = document_for(c, doc, &mine);
    if (!rc)
        rc = kt_store_minutes_versions(c->st, meeting, versions);
    if (!rc)
        rc = amendments_for(c, meeting, &amendments);
    json_decref(doc);
    if (rc) {
        json_decref(mine);
        json_decref(versions);
        json_decref(amendments);
        return kt_fail_err(c, rc);
    }
    const char *stage = stage_of(status);
    c->result = json_pack("{s:s, s:o, s:o, s:o, s:o, s:b, s:I}", "stage", stage, "deadline",
                          *deadline ? json_string(deadline) : json_null(), "document", mine,
                          "versions", versions, "amendments", amendments, "can_amend",
                          open_for_amendments(stage, deadline) &&
                              kt_acl_allows(&c->viewer, KT_PERM_PARTICIPATE),
                          "seq", (json_int_t)kt_store_stream_seq(c->st, c->body));
    document_page(c, mine, c->result);
    /* a page of the versions, newest first from versions_from, and of the amendments, within
     * 1/16 MiB each */
    json_t *vs = json_object_get(c->result, "versions");
    { /* given oldest first: the page is counted from the newest */
        json_t *rev = json_array();
        for (size_t i = json_array_size(vs); i-- > 0;)
            json_array_append(rev, json_array_get(vs, i));
        list_page(rev, kt_arg_int(c, "versions_from", 0), KT_PAGE_BYTES / 16, c->result,
                  "versions");
        json_array_clear(vs);
        for (size_t i = json_array_size(rev); i-- > 0;)
            json_array_append(vs, json_array_get(rev, i));
        json_decref(rev);
    }
    amendments_page(json_object_get(c->result, "amendments"), kt_arg_int(c, "amendments_from", 0),
                    c->result);
    return 0;
}

int kt_h_minutes_version(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0), version = kt_arg_int(c, "version", 0);
    json_t *doc = NULL, *mine = NULL, *versions = json_array(), *meta = NULL, *v;
    int rc = kt_store_minutes_version_document(c->st, meeting, version, &doc);
    if (rc == KT_ENOTFOUND) {
        json_decref(versions);
        return kt_fail(c, KT_C_NOT_FOUND, "Deze versie van het verslag bestaat niet.");
    }
    if (!rc)
        rc = document_for(c, doc, &mine);
    if (!rc)
        rc = kt_store_minutes_versions(c->st, meeting, versions);
    size_t i;
    json_array_foreach(versions, i, v) if (json_integer_value(json_object_get(v, "version")) ==
                                           version) meta = json_incref(v);
    json_decref(versions);
    json_decref(doc);
    if (rc || !meta) {
        json_decref(mine);
        json_decref(meta);
        return kt_fail_err(c, rc ? rc : KT_ESTORE);
    }
    c->result = json_pack("{s:o, s:o}", "version", meta, "document", mine);
    document_page(c, mine, c->result);
    return 0;
}

/* meeting.updated for a status change of the verslag, with the meeting as it now is. */
static int emit_status(kt_ctx *c, int64_t meeting)
{
    json_t *m = NULL;
    int rc = kt_store_meeting_get(c->st, meeting, &m);
    if (rc)
        return kt_fail_err(c, rc);
    kt_touch_meeting(c, meeting);
    return kt_emit(c, c->body, "meeting.updated", NULL,
                   json_pack("{s:o, s:s}", "meeting", m, "change", "status"));
}

/* A snapshot of the verslag as it now is, as the next version. */
static int snapshot(kt_ctx *c, int64_t meeting, const char *stage, const char *deadline,
                    const char *note, int64_t approved_in, int64_t *version)
{
    json_t *doc = NULL;
    int rc = document_all(c, meeting, &doc);
    char *text = rc ? NULL : json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!rc && !text)
        rc = KT_ENOMEM;
    if (!rc)
        rc = kt_store_minutes_version_add(c->st, meeting, stage, text, deadline, note, approved_in,
                                          c->me->person, kt_now(), version);
    free(text);
    return rc ? kt_fail_err(c, rc) : 0;
}

int kt_h_minutes_submit(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0), body = 0, version = 0, next = 0;
    const char *deadline = kt_arg_str(c, "deadline");
    char status[32], today[16];
    int rc = kt_store_meeting_state(c->st, meeting, &body, status, sizeof status);
    if (rc)
        return kt_fail_err(c, rc);
    json_t *m = kt_meeting_json(c->st, meeting);
    int64_t start = 0;
    kt_time_parse(json_string_value(json_object_get(m, "start")), &start);
    json_decref(m);
    kt_date_today_local(today, sizeof today);
    if (strcmp(status, "verslag_vastgesteld") == 0 || strcmp(status, "geannuleerd") == 0)
        return kt_fail(c, KT_C_INVALID_STATE,
                       strcmp(status, "geannuleerd") == 0
                           ? "Deze vergadering is geannuleerd."
                           : "Het verslag van deze vergadering is al vastgesteld.");
    if (start > kt_now())
        return kt_fail(c, KT_C_INVALID_STATE,
                       "Een verslag gaat pas ter vaststelling als de vergadering is begonnen.");
    if (strcmp(deadline, today) < 0)
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "De termijn voor wijzigingsvoorstellen ligt niet in het verleden.");
    if (snapshot(c, meeting, "ter_vaststelling", deadline, kt_arg_str(c, "note"), 0, &version))
        return -1;
    rc = kt_store_minutes_deadline_set(c->st, meeting, deadline);
    if (!rc)
        rc = kt_store_meeting_status_set(c->st, meeting, "verslag_ter_vaststelling", kt_now());
    if (rc)
        return kt_fail_err(c, rc);
    if (emit_status(c, meeting) || kt_carry_verslag_item(c, meeting, &next))
        return -1;
    if (kt_emit(c, c->body, "minutes.submitted", NULL,
                json_pack("{s:I, s:I, s:s, s:o}", "meeting", (json_int_t)meeting, "version",
                          (json_int_t)version, "deadline", deadline, "next_meeting",
                          next ? json_integer(next) : json_null())))
        return -1;
    c->result = json_pack("{s:I, s:I, s:s, s:o}", "meeting", (json_int_t)meeting, "version",
                          (json_int_t)version, "deadline", deadline, "next_meeting",
                          next ? json_integer(next) : json_null());
    return 0;
}

int kt_h_minutes_amend(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0), item = kt_arg_int(c, "item", 0), body = 0;
    char status[32], deadline[16];
    int rc = kt_store_meeting_state(c->st, meeting, &body, status, sizeof status);
    if (!rc)
        rc = kt_store_minutes_deadline(c->st, meeting, deadline, sizeof deadline);
    if (rc)
        return kt_fail_err(c, rc);
    if (!open_for_amendments(stage_of(status), deadline))
        return kt_fail(c, KT_C_INVALID_STATE,
                       *deadline && strcmp(stage_of(status), "ter_vaststelling") == 0
                           ? "De termijn voor wijzigingsvoorstellen is verstreken."
                           : "Dit verslag ligt niet ter vaststelling.");
    kt_vis vis = {0};
    if (item) {
        json_t *it = kt_item_json(c->st, item);
        bool ours = it && json_integer_value(json_object_get(it, "meeting")) == meeting;
        json_decref(it);
        bool visible = false;
        if (ours && (rc = kt_item_vis_load(c->st, item, &vis)) == 0)
            visible = kt_acl_visible(&c->viewer, &vis);
        if (rc || !ours || !visible) {
            kt_vis_clear(&vis);
            return rc && rc != KT_ENOTFOUND
                       ? kt_fail_err(c, rc)
                       : kt_fail(c, KT_C_NOT_FOUND,
                                 "Dit agendapunt staat niet op deze vergadering.");
        }
    }
    json_t *versions = json_array(), *a = NULL;
    rc = kt_store_minutes_versions(c->st, meeting, versions);
    int64_t version = json_integer_value(
        json_object_get(json_array_get(versions, json_array_size(versions) - 1), "version"));
    json_decref(versions);
    int64_t id = 0;
    if (!rc)
        rc = kt_store_amendment_add(c->st, meeting, version, item, c->me->person, c->me->org,
                                    kt_arg_str(c, "text"), kt_now(), &id);
    if (!rc)
        rc = kt_store_amendment_get(c->st, id, &a);
    if (rc) {
        kt_vis_clear(&vis);
        return kt_fail_err(c, rc);
    }
    rc = kt_emit(c, c->body, "minutes.amended", item ? &vis : NULL,
                 json_pack("{s:O}", "amendment", a));
    kt_vis_clear(&vis);
    if (rc)
        return json_decref(a), -1;
    c->result = json_pack("{s:o}", "amendment", a);
    return 0;
}

/* The author withdraws their own amendment while the verslag is still ter vaststelling (also
 * after the deadline: until the chair has decided on it). */
int kt_h_minutes_withdraw(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0), id = kt_arg_int(c, "amendment", 0), body = 0;
    char status[32];
    json_t *a = NULL;
    int rc = kt_store_meeting_state(c->st, meeting, &body, status, sizeof status);
    if (!rc)
        rc = kt_store_amendment_get(c->st, id, &a);
    if (!rc && json_integer_value(json_object_get(a, "meeting")) != meeting)
        rc = KT_ENOTFOUND;
    int64_t item = json_integer_value(json_object_get(a, "item"));
    kt_vis vis = {0};
    if (!rc && item && (rc = kt_under_item_vis(c->st, item, &vis)) == 0 &&
        !kt_acl_visible(&c->viewer, &vis))
        rc = KT_ENOTFOUND; /* about an item one may not see: as if it were not there */
    bool mine = a && json_integer_value(json_object_get(a, "person")) == c->me->person;
    bool open = a && strcmp(stage_of(status), "ter_vaststelling") == 0 &&
                strcmp(json_string_value(json_object_get(a, "status")), "ingediend") == 0;
    json_decref(a);
    a = NULL;
    if (rc == KT_ENOTFOUND)
        kt_fail(c, KT_C_NOT_FOUND, "Dit voorstel bestaat niet bij dit verslag.");
    else if (rc)
        kt_fail_err(c, rc);
    else if (!mine)
        kt_fail(c, KT_C_FORBIDDEN, "Alleen wie een voorstel deed, kan het intrekken.");
    else if (!open)
        kt_fail(c, KT_C_INVALID_STATE,
                "Dit voorstel kan niet meer worden ingetrokken: er is al over besloten.");
    else if ((rc = kt_store_amendment_decide(c->st, meeting, id, "ingetrokken", c->me->person,
                                             kt_now())) ||
             (rc = kt_store_amendment_get(c->st, id, &a)))
        kt_fail_err(c, rc);
    else if (kt_emit(c, c->body, "minutes.withdrawn", item ? &vis : NULL,
                     json_pack("{s:O}", "amendment", a)) == 0)
        c->result = json_pack("{s:O}", "amendment", a);
    kt_vis_clear(&vis);
    json_decref(a);
    return c->result ? 0 : -1;
}

/* "Tekstuele wijzigingen van A (Org) en B (Org) zijn verwerkt." from the taken amendments that
 * everyone may know of; "" when there are none (not "without changes": a taken amendment to a
 * confidential item is not to be told apart from none). */
static void approval_note(json_t *taken, char *buf, size_t n)
{
    *buf = 0;
    if (!json_array_size(taken))
        return;
    size_t len = (size_t)snprintf(buf, n, "Tekstuele wijzigingen van ");
    json_t *names = json_array(), *a;
    size_t i;
    json_array_foreach(taken, i, a)
    {
        char who[300];
        const char *org = json_string_value(json_object_get(a, "org_name"));
        snprintf(who, sizeof who, org ? "%s (%s)" : "%s",
                 json_string_value(json_object_get(a, "person_name")), org);
        bool seen = false;
        size_t k;
        json_t *x;
        json_array_foreach(names, k, x) seen = seen || strcmp(json_string_value(x), who) == 0;
        if (!seen)
            json_array_append_new(names, json_string(who));
    }
    size_t count = json_array_size(names);
    for (i = 0; i < count && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s",
                                i == 0           ? ""
                                : i == count - 1 ? " en "
                                                 : ", ",
                                json_string_value(json_array_get(names, i)));
    if (len < n)
        snprintf(buf + len, n - len, " zijn verwerkt.");
    json_decref(names);
}

/* The besluit that records the approval, on the verslag item of the meeting it happened at. */
static int record_approval(kt_ctx *c, int64_t meeting, int64_t at, const char *note)
{
    int64_t item = 0, id = 0;
    int rc = at ? kt_store_verslag_item(c->st, at, meeting, &item) : KT_ENOTFOUND;
    if (rc == KT_ENOTFOUND)
        return 0;
    if (rc)
        return kt_fail_err(c, rc);
    json_t *m = kt_meeting_json(c->st, meeting), *held = kt_meeting_json(c->st, at);
    int64_t start = 0, when = 0;
    kt_time_parse(json_string_value(json_object_get(m, "start")), &start);
    kt_time_parse(json_string_value(json_object_get(held, "start")), &when);
    json_decref(m);
    json_decref(held);
    char day[64], text[600], decided[16];
    kt_time_dutch(start, false, day, sizeof day);
    int y, mo, d;
    kt_utc_to_local(when, &y, &mo, &d, NULL, NULL, NULL);
    snprintf(decided, sizeof decided, "%04d-%02d-%02d", y, mo, d);
    snprintf(text, sizeof text, "Het verslag van de vergadering van %s wordt vastgesteld.%s%s", day,
             *note ? " " : "", note);
    kt_store_action_fields f = {.kind = "besluit", .text = text, .decided_on = decided};
    rc = kt_store_action_insert(c->st, c->body, &f, item, at, c->me->person, kt_now(), &id);
    json_t *a = NULL;
    if (!rc)
        rc = kt_store_action_get(c->st, id, &a);
    kt_vis vis;
    if (!rc && (rc = kt_under_item_vis(c->st, item, &vis)) == 0) {
        rc = kt_emit(c, c->body, "action.created", &vis,
                     json_pack("{s:O, s:b}", "action", a, "assigned", 0))
                 ? KT_ESTORE
                 : 0;
        kt_vis_clear(&vis);
    }
    json_decref(a);
    return rc ? (c->code ? -1 : kt_fail_err(c, rc)) : 0;
}

int kt_h_minutes_approve(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0), body = 0, at = kt_arg_int(c, "at", 0);
    int64_t version = 0;
    char status[32];
    int rc = kt_store_meeting_state(c->st, meeting, &body, status, sizeof status);
    if (rc)
        return kt_fail_err(c, rc);
    if (strcmp(status, "verslag_ter_vaststelling") != 0)
        return kt_fail(
            c, KT_C_INVALID_STATE,
            strcmp(status, "verslag_vastgesteld") == 0
                ? "Het verslag van deze vergadering is al vastgesteld."
                : "Een verslag wordt vastgesteld nadat het ter vaststelling is gestuurd.");
    if (at) {
        int64_t at_body = 0;
        char at_status[32];
        rc = kt_store_meeting_state(c->st, at, &at_body, at_status, sizeof at_status);
        if (rc == KT_ENOTFOUND || (!rc && at_body != c->body))
            return kt_fail(c, KT_C_NOT_FOUND, "De vergadering 'at' bestaat niet in dit overleg.");
        if (rc)
            return kt_fail_err(c, rc);
    } else {
        /* at the next meeting, when it has the verslag on its agenda */
        json_t *m = kt_meeting_json(c->st, meeting);
        int64_t start = 0, next = 0, item = 0;
        kt_time_parse(json_string_value(json_object_get(m, "start")), &start);
        json_decref(m);
        if (kt_store_meeting_after(c->st, c->body, start, meeting, &next) == 0 &&
            kt_store_verslag_item(c->st, next, meeting, &item) == 0)
            at = next;
    }
    /* the amendments taken: of this verslag and still open */
    json_t *all = json_array(), *taken = json_array(), *named = json_array(), *a;
    json_t *ids = json_object_get(c->args, "taken");
    rc = kt_store_amendments_list(c->st, meeting, all);
    size_t i, k;
    json_t *id;
    json_array_foreach(ids, k, id)
    {
        bool ok = false;
        json_array_foreach(
            all, i,
            a) if (json_integer_value(json_object_get(a, "id")) == json_integer_value(id) &&
                   strcmp(json_string_value(json_object_get(a, "status")), "ingediend") == 0)
        {
            ok = true;
            json_array_append(taken, a);
            /* Who proposed a change to a confidential item is not named in the verslag. */
            kt_vis vis;
            if (kt_under_item_vis(c->st, json_integer_value(json_object_get(a, "item")), &vis) ==
                0) {
                if (!vis.confidential)
                    json_array_append(named, a);
                kt_vis_clear(&vis);
            }
        }
        if (!ok && !rc)
            rc = kt_fail(c, KT_C_INVALID_ARGUMENT,
                         "'taken' noemt een voorstel dat niet (meer) bij dit verslag openstaat.");
    }
    json_array_foreach(all, i, a)
    {
        if (rc || strcmp(json_string_value(json_object_get(a, "status")), "ingediend") != 0)
            continue;
        bool took = false;
        json_array_foreach(ids, k, id) took =
            took || json_integer_value(id) == json_integer_value(json_object_get(a, "id"));
        const char *decided = took ? "overgenomen" : "niet_overgenomen";
        rc = kt_store_amendment_decide(c->st, meeting, json_integer_value(json_object_get(a, "id")),
                                       decided, c->me->person, kt_now());
        if (!rc) { /* the change log: taken or not, by whom (no event says it per amendment) */
            json_t *after = json_deep_copy(a);
            json_object_set_new(after, "status", json_string(decided));
            json_object_set_new(after, "decided_by", json_integer(c->me->person));
            json_t *data = json_pack("{s:o}", "amendment", after);
            rc = kt_audit_event(c, c->body, "amendment.decided", data);
            json_decref(data);
        }
    }
    char note[1200];
    approval_note(named, note, sizeof note);
    json_decref(all);
    json_decref(taken);
    json_decref(named);
    if (rc)
        return c->code ? -1 : kt_fail_err(c, rc);
    if (snapshot(c, meeting, "vastgesteld", NULL, note, at, &version))
        return -1;
    rc = kt_store_meeting_status_set(c->st, meeting, "verslag_vastgesteld", kt_now());
    if (!rc)
        rc = kt_store_minutes_deadline_set(c->st, meeting, NULL);
    if (rc)
        return kt_fail_err(c, rc);
    if (emit_status(c, meeting) || record_approval(c, meeting, at, note))
        return -1;
    json_t *mine = NULL;
    if ((rc = amendments_for(c, meeting, &mine)))
        return json_decref(mine), kt_fail_err(c, rc);
    /* No ids or counts of the amendments here: some may be about items not everyone sees. */
    if (kt_emit(c, c->body, "minutes.approved", NULL,
                json_pack("{s:I, s:I, s:s, s:o}", "meeting", (json_int_t)meeting, "version",
                          (json_int_t)version, "note", note, "approved_in",
                          at ? json_integer(at) : json_null())))
        return json_decref(mine), -1;
    c->result = json_pack("{s:I, s:I, s:s, s:o, s:o}", "meeting", (json_int_t)meeting, "version",
                          (json_int_t)version, "note", note, "approved_in",
                          at ? json_integer(at) : json_null(), "amendments", mine);
    amendments_page(mine, 0, c->result); /* the rest: minutes.get with amendments_from */
    return 0;
}

int kt_minutes_keep_approved(kt_ctx *c, int64_t meeting, const char *note)
{
    int64_t version = 0;
    if (snapshot(c, meeting, "vastgesteld", NULL, note, 0, &version))
        return -1;
    int rc = kt_store_meeting_status_set(c->st, meeting, "verslag_vastgesteld", kt_now());
    if (rc)
        return kt_fail_err(c, rc);
    if (emit_status(c, meeting))
        return -1;
    return kt_emit(c, c->body, "minutes.approved", NULL,
                   json_pack("{s:I, s:I, s:s, s:n}", "meeting", (json_int_t)meeting, "version",
                             (json_int_t)version, "note", note, "approved_in"));
}

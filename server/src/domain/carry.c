/* Standing items and carry-over (domain/carry.h). */
#include "domain/carry.h"

#include "domain/handlers.h"
#include "domain/model.h"
#include "store/actions.h"
#include "store/carry.h"
#include "store/items.h"
#include "store/meetings.h"
#include "util/err.h"
#include "util/ivec.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* An agenda.added for an item the server put there (carried: "vast" for a standing item on a
 * new meeting, "overgenomen" for one copied from another agenda, "actielijst" for the
 * actielijst it adds itself, "verslag" for the item that approves a verslag sent ter
 * vaststelling). */
static int emit_added(kt_ctx *c, int64_t item, const char *carried)
{
    kt_touch_item(c, item);
    json_t *j = kt_item_json(c->st, item);
    kt_vis vis;
    if (!j || kt_item_vis_load(c->st, item, &vis)) {
        json_decref(j);
        return kt_fail_err(c, KT_ESTORE);
    }
    int rc = kt_emit(c, c->body, "agenda.added", &vis,
                     json_pack("{s:o, s:s}", "item", j, "carried", carried));
    kt_vis_clear(&vis);
    return rc;
}

/* Whether text starts with word (ASCII, case-insensitive) followed by a non-letter. */
static bool starts(const char *text, const char *word)
{
    size_t n = strlen(word);
    return strncasecmp(text, word, n) == 0 && !isalpha((unsigned char)text[n]);
}

const char *kt_carry_special_of(const char *title)
{
    if (!title)
        return NULL;
    /* "2. Verslag vorige keer", "3 Actielijst": skip a number in front */
    while (isdigit((unsigned char)*title) || *title == '.' || *title == ' ' || *title == ')')
        title++;
    static const char *const verslag[] = {"verslag vorige",         "verslag van de vorige",
                                          "verslag vorig overleg",  "notulen vorige",
                                          "notulen van de vorige",  "vaststellen verslag",
                                          "vaststelling verslag",   "verslag en actielijst",
                                          "verslag en actiepunten", NULL};
    for (const char *const *p = verslag; *p; p++)
        if (starts(title, *p))
            return "verslag";
    if (starts(title, "actielijst") || starts(title, "actiepuntenlijst") ||
        starts(title, "actiepunten") || starts(title, "lijst van acties"))
        return "actielijst";
    return NULL;
}

static int64_t meeting_start(kt_ctx *c, int64_t meeting)
{
    json_t *m = kt_meeting_json(c->st, meeting);
    int64_t t = 0;
    kt_time_parse(json_string_value(json_object_get(m, "start")), &t);
    json_decref(m);
    return t;
}

/* The meeting a verslag item on meeting's agenda is about: the one before it (0: none). */
static int64_t previous_of(kt_ctx *c, int64_t meeting, int64_t start)
{
    int64_t prev = 0;
    return kt_store_meeting_before(c->st, c->body, start, meeting, &prev) ? 0 : prev;
}

int kt_carry_mark_special(kt_ctx *c, int64_t item, bool added)
{
    const char *special = NULL;
    if (kt_arg_has(c, "special"))
        special = kt_arg_str(c, "special");
    else if (added)
        special = kt_carry_special_of(kt_arg_str(c, "title"));
    else
        return 0;
    if (added && !special) /* a new item has none: nothing to read or write */
        return 0;
    json_t *it = kt_item_json(c->st, item);
    int64_t meeting = json_integer_value(json_object_get(it, "meeting"));
    json_decref(it);
    int64_t of = 0;
    if (special && strcmp(special, "verslag") == 0 && meeting)
        of = previous_of(c, meeting, meeting_start(c, meeting));
    int rc = kt_store_item_special_set(c->st, item, special, of);
    return rc ? kt_fail_err(c, rc) : 0;
}

/* Where the actielijst goes on a new agenda: after the verslag of the previous meeting, else
 * after an opening, else first (index into the list of what is carried). */
static size_t actielijst_place(kt_ctx *c, const kt_ivec *items)
{
    size_t at = 0;
    for (size_t i = 0; i < items->n; i++) {
        json_t *it = kt_item_json(c->st, items->v[i]);
        const char *title = json_string_value(json_object_get(it, "title"));
        const char *special = json_string_value(json_object_get(it, "special"));
        if (special && strcmp(special, "verslag") == 0)
            at = i + 1;
        else if (i == 0 && title && (starts(title, "opening") || starts(title, "welkom")))
            at = 1;
        json_decref(it);
    }
    return at;
}

/* A standing substitution ("langdurig afwezig en wordt vervangen door") holds for the next
 * meeting too: the lines of prev with a vast substitute, on meeting. */
static int carry_substitutes(kt_ctx *c, int64_t meeting, int64_t prev)
{
    json_t *lines = json_array(), *l;
    size_t i;
    int rc = prev ? kt_store_attendance_standing(c->st, prev, lines) : 0;
    json_array_foreach(lines, i, l)
    {
        if (rc)
            break;
        kt_store_attendance a = {
            .person = json_integer_value(json_object_get(l, "person")),
            .name = json_string_value(json_object_get(l, "name")),
            .org = json_integer_value(json_object_get(l, "org")),
            .org_name = json_string_value(json_object_get(l, "org_name")),
            .status = "vervangen",
            .notice = json_string_value(json_object_get(l, "notice")),
            .substitute = json_integer_value(json_object_get(l, "substitute")),
            .substitute_kind = "vast",
            .note = "",
        };
        int64_t id = 0;
        json_t *att = NULL;
        rc = kt_store_attendance_set(c->st, meeting, &a, c->me->person, kt_now(), &id);
        if (!rc)
            rc = kt_store_attendance_by_id(c->st, meeting, id, &att);
        if (!rc &&
            kt_emit(c, c->body, "attendance.updated", NULL,
                    json_pack("{s:I, s:O}", "meeting", (json_int_t)meeting, "attendance", att)))
            rc = KT_ESTORE;
        json_decref(att);
    }
    json_decref(lines);
    return rc;
}

int kt_carry_standing(kt_ctx *c, int64_t meeting, int64_t start)
{
    if (!kt_arg_bool(c, "standing", true))
        return 0;
    int64_t from = 0, prev = previous_of(c, meeting, start);
    kt_ivec items = {0}, open = {0};
    int rc = kt_store_carry_template(c->st, c->body, start, meeting, &from);
    if (rc == KT_ENOTFOUND)
        rc = 0;
    else if (!rc)
        rc = kt_store_carry_items(c->st, from, true, &items);
    bool has_actielijst = false;
    for (size_t i = 0; !rc && i < items.n; i++) {
        json_t *it = kt_item_json(c->st, items.v[i]);
        const char *special = json_string_value(json_object_get(it, "special"));
        has_actielijst = has_actielijst || (special && strcmp(special, "actielijst") == 0);
        json_decref(it);
    }
    if (!rc && !has_actielijst)
        rc = kt_store_actions_open_of_body(c->st, c->body, 1, &open);
    size_t at = !rc && open.n ? actielijst_place(c, &items) : (size_t)-1;
    int64_t pos = 0, id = 0;
    for (size_t i = 0; !rc && i <= items.n; i++) {
        if (i == at) {
            kt_store_special_item a = {.title = "Actielijst",
                                       .description = "De openstaande actiepunten en toezeggingen "
                                                      "van het overleg.",
                                       .kind = "bespreking",
                                       .special = "actielijst",
                                       .duration = 10,
                                       .recurring = true};
            rc = kt_store_item_add_special(c->st, c->body, meeting, ++pos, &a, c->me->person,
                                           kt_now(), &id);
            if (!rc)
                rc = emit_added(c, id, "actielijst") ? KT_ESTORE : 0;
        }
        if (rc || i == items.n)
            break;
        rc = kt_store_item_copy(c->st, items.v[i], meeting, ++pos, prev, c->me->person, kt_now(),
                                &id);
        if (!rc)
            rc = emit_added(c, id, "vast") ? KT_ESTORE : 0;
    }
    kt_ivec_free(&items);
    kt_ivec_free(&open);
    if (!rc)
        rc = carry_substitutes(c, meeting, prev);
    return rc ? (c->code ? -1 : kt_fail_err(c, rc)) : 0;
}

/* agenda.copy: "agenda van vorige vergadering overnemen". */
int kt_h_agenda_copy(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0), from = kt_arg_int(c, "from", 0);
    json_t *src = kt_meeting_json(c->st, from), *dst = kt_meeting_json(c->st, meeting);
    int64_t src_body = json_integer_value(json_object_get(src, "body"));
    bool cancelled = strcmp(json_string_value(json_object_get(dst, "status")), "geannuleerd") == 0;
    json_decref(src);
    json_decref(dst);
    if (!src || src_body != c->body)
        return kt_fail(c, KT_C_NOT_FOUND,
                       "De vergadering om van over te nemen bestaat niet in "
                       "dit overleg.");
    if (from == meeting)
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "Kies een andere vergadering om van over te "
                       "nemen.");
    if (cancelled)
        return kt_fail(c, KT_C_INVALID_STATE, "Deze vergadering is geannuleerd.");
    kt_ivec items = {0};
    int64_t pos = 0, id = 0, prev = previous_of(c, meeting, meeting_start(c, meeting)), added = 0;
    int rc = kt_store_carry_items(c->st, from, false, &items);
    if (!rc)
        rc = kt_store_agenda_last_position(c->st, meeting, &pos);
    for (size_t i = 0; !rc && i < items.n; i++) {
        kt_vis vis;
        rc = kt_item_vis_load(c->st, items.v[i], &vis);
        bool visible = !rc && kt_acl_visible(&c->viewer, &vis);
        kt_vis_clear(&vis);
        if (rc || !visible) /* what the caller may not see, they do not copy */
            continue;
        rc = kt_store_item_carried(c->st, meeting, items.v[i]);
        if (rc == 0) /* there already */
            continue;
        if (rc != KT_ENOTFOUND)
            break;
        rc = kt_store_item_copy(c->st, items.v[i], meeting, ++pos, prev, c->me->person, kt_now(),
                                &id);
        if (!rc)
            rc = emit_added(c, id, "overgenomen") ? KT_ESTORE : 0;
        added++;
    }
    kt_ivec_free(&items);
    json_t *agenda = json_array();
    if (!rc)
        rc = kt_store_items_list(c->st, c->body, meeting, &c->viewer, agenda);
    if (rc) {
        json_decref(agenda);
        return c->code ? -1 : kt_fail_err(c, rc);
    }
    /* An agenda is not bounded in items, nor are their descriptions: the reply stays within
     * 1 MiB, and agenda_more says the rest is read with meeting.get (as agenda.reorder). */
    bool more = kt_page_cut(agenda, (size_t)-1);
    c->result = json_pack("{s:I, s:o, s:b}", "added", (json_int_t)added, "agenda", agenda,
                          "agenda_more", more);
    return 0;
}

int kt_carry_verslag_item(kt_ctx *c, int64_t of, int64_t *next_out)
{
    int64_t next = 0, item = 0, start = meeting_start(c, of), pos = 0;
    *next_out = 0;
    int rc = kt_store_meeting_after(c->st, c->body, start, of, &next);
    if (rc == KT_ENOTFOUND)
        return 0; /* no next meeting yet: it gets the item when it is planned */
    if (!rc)
        rc = kt_store_verslag_item(c->st, next, of, &item);
    *next_out = next;
    if (!rc) { /* there: make sure it is about this verslag */
        rc = kt_store_item_special_set(c->st, item, "verslag", of);
        if (!rc) {
            kt_touch_item(c, item);
            json_t *j = kt_item_json(c->st, item);
            kt_vis vis;
            if (!j || kt_item_vis_load(c->st, item, &vis)) {
                json_decref(j);
                return kt_fail_err(c, KT_ESTORE);
            }
            rc = kt_emit(c, c->body, "agenda.updated", &vis, json_pack("{s:o}", "item", j));
            kt_vis_clear(&vis);
            return rc;
        }
    }
    if (rc != KT_ENOTFOUND)
        return kt_fail_err(c, rc);
    kt_ivec items = {0};
    rc = kt_store_carry_items(c->st, next, false, &items);
    json_t *first = !rc && items.n ? kt_item_json(c->st, items.v[0]) : NULL;
    const char *title = json_string_value(json_object_get(first, "title"));
    int64_t at = title && (starts(title, "opening") || starts(title, "welkom")) ? 2 : 1;
    json_decref(first);
    kt_ivec_free(&items);
    kt_store_special_item v = {.title = "Verslag vorige vergadering",
                               .description =
                                   "Vaststellen van het verslag van de vorige vergadering.",
                               .kind = "besluitvorming",
                               .special = "verslag",
                               .duration = 5,
                               .minutes_of = of,
                               .recurring = true};
    if (!rc)
        rc = kt_store_agenda_last_position(c->st, next, &pos);
    if (!rc)
        rc = kt_store_item_add_special(c->st, c->body, next, pos + 1, &v, c->me->person, kt_now(),
                                       &item);
    if (rc)
        return kt_fail_err(c, rc);
    if (at <= pos && kt_agenda_place(c, next, item, at))
        return -1;
    return emit_added(c, item, "verslag");
}

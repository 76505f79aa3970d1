/* Meetings (vergaderingen) and attendance. */
#include "domain/cadence.h"
#include "domain/carry.h"
#include "domain/handlers.h"
#include "domain/minutes.h"
#include "domain/model.h"
#include "store/bodies.h"
#include "store/directory.h"
#include "store/items.h"
#include "store/meetings.h"
#include "store/memberships.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MEETING_SECONDS (24 * 3600)

static int check_times(kt_ctx *c, int64_t start, int64_t end)
{
    if (end <= start)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "Het einde moet na het begin liggen.");
    if (end - start > MAX_MEETING_SECONDS)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "Een vergadering duurt hoogstens 24 uur.");
    return 0;
}

/* change says what happened, for clients and notifications: created, moved (time or place),
 * cancelled, published, status. With minutes among the arguments the event carries them. */
static int emit_meeting(kt_ctx *c, const char *type, int64_t meeting, const char *change,
                        json_t *changed, json_t **out)
{
    json_t *m, *minutes = NULL;
    int rc = kt_store_meeting_get(c->st, meeting, &m);
    if (!rc && kt_arg_str(c, "minutes") && (rc = kt_store_minutes_get(c->st, meeting, &minutes)))
        json_decref(m);
    if (rc) {
        json_decref(changed);
        return kt_fail_err(c, rc);
    }
    json_t *data = json_pack("{s:O, s:s}", "meeting", m, "change", change);
    if (changed) /* what moved: the time, the place, or both */
        json_object_set_new(data, "changed", changed);
    if (minutes)
        json_object_update_new(data, minutes);
    if (kt_emit(c, c->body, type, NULL, data)) {
        json_decref(m);
        return -1;
    }
    *out = m;
    return 0;
}

int kt_h_meeting_create(kt_ctx *c)
{
    int64_t start = kt_arg_time(c, "start"), end = kt_arg_time(c, "end"), id;
    if (check_times(c, start, end))
        return -1;
    int rc = kt_store_meeting_insert(c->st, c->body, start, end, kt_arg_str(c, "location"),
                                     kt_arg_str(c, "status"), kt_now(), &id);
    if (rc)
        return kt_fail_err(c, rc);
    json_t *m = NULL;
    if (emit_meeting(c, "meeting.created", id, "created", NULL, &m) ||
        kt_carry_standing(c, id, start)) {
        json_decref(m);
        return -1;
    }
    kt_touch_meeting(c, id);
    c->result = json_pack("{s:o}", "meeting", m);
    return 0;
}

int kt_h_meeting_series(kt_ctx *c)
{
    int64_t start = kt_arg_time(c, "start"), end = kt_arg_time(c, "end");
    int count = (int)kt_arg_int(c, "count", 1);
    if (check_times(c, start, end))
        return -1;
    if (count < 1)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "'count' moet minstens 1 zijn.");
    json_t *body;
    int rc = kt_store_body_get(c->st, c->body, &body);
    if (rc)
        return kt_fail_err(c, rc);
    const char *cadence = json_string_value(json_object_get(body, "cadence"));
    if (!cadence) {
        json_decref(body);
        return kt_fail(c, KT_C_INVALID_STATE,
                       "Dit overleg heeft geen vaste frequentie; plan vergaderingen los in.");
    }
    json_t *list = json_array();
    for (int k = 0; k < count; k++) {
        int64_t s = kt_cadence_step(start, cadence, k), e = s + (end - start), id;
        json_t *m = NULL;
        rc = kt_store_meeting_insert(c->st, c->body, s, e, kt_arg_str(c, "location"), NULL,
                                     kt_now(), &id);
        if (rc)
            kt_fail_err(c, rc);
        if (rc ||
            emit_meeting(c, "meeting.created", id, k == 0 ? "series" : "series_more", NULL, &m) ||
            kt_carry_standing(c, id, s)) {
            json_decref(m);
            json_decref(body);
            json_decref(list);
            return -1;
        }
        kt_touch_meeting(c, id);
        json_array_append_new(list, m);
    }
    json_decref(body);
    c->result = json_pack("{s:o}", "meetings", list);
    return 0;
}

int kt_h_meeting_update(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "meeting", 0);
    json_t *cur;
    int rc = kt_store_meeting_get(c->st, id, &cur);
    if (rc)
        return kt_fail_err(c, rc);
    int64_t start, end;
    kt_time_parse(json_string_value(json_object_get(cur, "start")), &start);
    kt_time_parse(json_string_value(json_object_get(cur, "end")), &end);
    const char *was_at = json_string_value(json_object_get(cur, "location"));
    /* a location given that differs from the one it had (the client sends it with every save) */
    bool new_place =
        kt_arg_str(c, "location") && strcmp(kt_arg_str(c, "location"), was_at ? was_at : "") != 0;
    json_decref(cur);
    int64_t nstart = kt_arg_given(c, "start") ? kt_arg_time(c, "start") : start;
    int64_t nend = kt_arg_given(c, "end") ? kt_arg_time(c, "end") : end;
    if (kt_arg_given(c, "start") && !kt_arg_given(c, "end"))
        nend = nstart + (end - start); /* moving keeps the length */
    if (check_times(c, nstart, nend))
        return -1;
    const char *status = kt_arg_str(c, "status");
    /* The verslag's own steps go through minutes.submit and minutes.approve. */
    if (status && (strcmp(status, "verslag_ter_vaststelling") == 0 ||
                   strcmp(status, "verslag_vastgesteld") == 0))
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "Een verslag gaat ter vaststelling met minutes.submit en wordt vastgesteld "
                       "door de voorzitter met minutes.approve.");
    if ((status || kt_arg_has(c, "minutes")) && kt_minutes_frozen(c, id))
        return -1;
    bool moved = nstart != start || nend != end || kt_arg_str(c, "location");
    rc = kt_store_meeting_update(c->st, id, nstart, nend, kt_arg_str(c, "location"), status,
                                 moved || status, kt_now());
    /* With minutes_rev the editor says which revision they started from: if someone saved
     * since, nothing is overwritten. */
    if (!rc && kt_arg_has(c, "minutes"))
        rc = kt_store_minutes_save(c->st, id, kt_arg_str(c, "minutes"), c->me->person,
                                   kt_arg_int(c, "minutes_rev", -1), kt_now());
    if (rc == KT_ECONFLICT)
        return kt_fail(c, KT_C_CONFLICT,
                       "Het verslag is intussen door iemand anders opgeslagen; "
                       "laad het opnieuw en voeg uw wijzigingen toe.");
    if (rc)
        return kt_fail_err(c, rc);
    const char *change = moved                                        ? "moved"
                         : !status && kt_arg_has(c, "minutes")        ? "minutes"
                         : !status                                    ? "none"
                         : strcmp(status, "geannuleerd") == 0         ? "cancelled"
                         : strcmp(status, "agenda_gepubliceerd") == 0 ? "published"
                                                                      : "status";
    json_t *m = NULL, *changed = NULL;
    if (moved) {
        changed = json_array();
        if (nstart != start || nend != end)
            json_array_append_new(changed, json_string("time"));
        if (new_place)
            json_array_append_new(changed, json_string("location"));
    }
    if (emit_meeting(c, "meeting.updated", id, change, changed, &m))
        return -1;
    kt_touch_meeting(c, id);
    c->result = json_pack("{s:o}", "meeting", m);
    return 0;
}

int kt_h_meeting_cancel(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "meeting", 0);
    int rc = kt_store_meeting_cancel(c->st, id, kt_now());
    if (rc == KT_ESTATE)
        return kt_fail(c, KT_C_INVALID_STATE, "Deze vergadering is al geannuleerd.");
    if (rc)
        return kt_fail_err(c, rc);
    json_t *m = NULL;
    if (emit_meeting(c, "meeting.updated", id, "cancelled", NULL, &m))
        return -1;
    kt_touch_meeting(c, id);
    c->result = json_pack("{s:o}", "meeting", m);
    return 0;
}

/* Sets name_more and name_next (the from of the next page, or null) in c->result. */
static void page_marks(kt_ctx *c, const char *name, bool more, int64_t from, json_t *page)
{
    char key[32];
    snprintf(key, sizeof key, "%s_more", name);
    json_object_set_new(c->result, key, json_boolean(more));
    snprintf(key, sizeof key, "%s_next", name);
    json_object_set_new(c->result, key,
                        more ? json_integer((json_int_t)(from + (int64_t)json_array_size(page)))
                             : json_null());
}

/* A meeting's snapshot comes in pages (PROTOCOL.md): a huge agenda, its notes, a long
 * attendance list or many outcomes would otherwise pass the connection's 4 MiB. Each list
 * pages by an index into it as the caller sees it (placeholders counted, what they may not see
 * at all not), so no cursor or count tells of a hidden item. */
int kt_h_meeting_get(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "meeting", 0), head = 0;
    int64_t agenda_from = kt_arg_int(c, "agenda_from", 0);
    int64_t att_from = kt_arg_int(c, "attendance_from", 0);
    int64_t out_from = kt_arg_int(c, "outcomes_from", 0);
    int agenda_limit =
        kt_arg_has(c, "agenda_limit") ? (int)kt_arg_int(c, "agenda_limit", 0) : MEETING_AGENDA_PAGE;
    int att_limit = kt_arg_has(c, "attendance_limit") ? (int)kt_arg_int(c, "attendance_limit", 0)
                                                      : ATTENDANCE_PAGE;
    int out_limit =
        kt_arg_has(c, "outcomes_limit") ? (int)kt_arg_int(c, "outcomes_limit", 0) : OUTCOME_PAGE;
    json_t *m = NULL, *minutes = NULL, *attendance = json_array(), *agenda = json_array();
    json_t *outcomes = NULL, *notes = NULL;
    bool agenda_more = false;
    int rc = kt_store_meeting_get(c->st, id, &m);
    if (!rc)
        rc = kt_store_minutes_get(c->st, id, &minutes);
    if (!rc)
        rc = kt_store_attendance_list(c->st, id, attendance);
    if (!rc)
        rc = kt_store_stream_head(c->st, c->body, &head);
    if (!rc)
        rc = kt_store_items_page(c->st, c->body, id, &c->viewer, agenda_from, agenda_limit, agenda,
                                 &agenda_more);
    if (rc)
        kt_fail_err(c, rc);
    if (!rc) { /* the agenda page ends at its share of the MiB, each item with its notes */
        notes = kt_minutes_notes(c, agenda);
        size_t keep = 0, bytes = 0;
        for (; keep < json_array_size(agenda); keep++) {
            json_t *it = json_array_get(agenda, keep);
            char key[24];
            snprintf(key, sizeof key, "%lld",
                     (long long)json_integer_value(json_object_get(it, "id")));
            json_t *n = json_object_get(notes, key);
            size_t size = json_dumpb(it, NULL, 0, JSON_COMPACT) +
                          (n ? json_dumpb(n, NULL, 0, JSON_COMPACT) : 0);
            if (keep && bytes + size > KT_PAGE_BYTES * 3 / 8)
                break;
            bytes += size;
        }
        for (size_t k = keep; k < json_array_size(agenda); k++) {
            char key[24];
            snprintf(
                key, sizeof key, "%lld",
                (long long)json_integer_value(json_object_get(json_array_get(agenda, k), "id")));
            json_object_del(notes, key);
        }
        if (keep < json_array_size(agenda))
            agenda_more = true;
        while (json_array_size(agenda) > keep)
            json_array_remove(agenda, json_array_size(agenda) - 1);
    }
    json_t *counts = rc ? NULL : kt_message_counts(c->st, agenda);
    if (!rc && !counts)
        rc = kt_fail_err(c, KT_ESTORE);
    if (rc || kt_minutes_outcomes(c, id, &outcomes)) {
        json_decref(m);
        json_decref(minutes);
        json_decref(attendance);
        json_decref(agenda);
        json_decref(counts);
        json_decref(notes);
        return -1;
    }
    bool att_more = kt_page_slice(attendance, att_from, (size_t)att_limit, KT_PAGE_BYTES / 8);
    bool out_more = kt_page_slice(outcomes, out_from, (size_t)out_limit, KT_PAGE_BYTES / 8);
    c->result = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I}", "meeting", m, "agenda", agenda,
                          "attendance", attendance, "message_counts", counts, "notes", notes,
                          "outcomes", outcomes, "seq", (json_int_t)head);
    json_object_update_new(c->result, minutes);
    page_marks(c, "agenda", agenda_more, agenda_from, agenda);
    page_marks(c, "attendance", att_more, att_from, attendance);
    page_marks(c, "outcomes", out_more, out_from, outcomes);
    return 0;
}

/* meeting.list's cursor: "<start, seconds since 1970>~<id>" of the last meeting of a page (id 0:
 * before the first). */
static bool meeting_cursor(const char *text, int64_t *start, int64_t *id)
{
    long long s, i;
    int n = 0;
    if (sscanf(text, "%lld~%lld%n", &s, &i, &n) != 2 || text[n] || i < 0)
        return false;
    *start = s;
    *id = i;
    return true;
}

int kt_h_meeting_list(kt_ctx *c)
{
    int64_t from = kt_arg_given(c, "from") ? kt_arg_time(c, "from") : 0;
    int64_t to = kt_arg_given(c, "to") ? kt_arg_time(c, "to") : INT64_MAX / 2, head = 0;
    int64_t after_start = 0, after_id = 0;
    const char *after = kt_arg_str(c, "after");
    if (after && !meeting_cursor(after, &after_start, &after_id))
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "'after' is geen vervolgpunt van een eerdere pagina ('next').");
    int limit = kt_arg_has(c, "limit") ? (int)kt_arg_int(c, "limit", 0) : MEETING_PAGE;
    json_t *list = json_array();
    int rc =
        kt_store_meetings_page(c->st, c->body, from, to, after_start, after_id, limit + 1, list);
    if (!rc)
        rc = kt_store_stream_head(c->st, c->body, &head);
    if (rc) {
        json_decref(list);
        return kt_fail_err(c, rc);
    }
    bool more = kt_page_cut(list, (size_t)limit);
    json_t *next = json_null();
    if (more) {
        char cur[48];
        json_t *last = json_array_get(list, json_array_size(list) - 1);
        int64_t start = 0;
        if (last)
            kt_time_parse(json_string_value(json_object_get(last, "start")), &start);
        else
            start = after_start;
        /* limit 0: the cursor asked with ("0~0" from the first) */
        int64_t id = last ? json_integer_value(json_object_get(last, "id")) : after_id;
        snprintf(cur, sizeof cur, "%" PRId64 "~%" PRId64, start, id);
        json_decref(next);
        next = json_string(cur);
    }
    c->result = json_pack("{s:o, s:I, s:b, s:o}", "meetings", list, "seq", (json_int_t)head, "more",
                          more, "next", next);
    return 0;
}

/* 0 when person is a member of this body, KT_ENOTFOUND when not, or the store's error. */
static int membership_of(kt_ctx *c, int64_t person)
{
    kt_store_member m;
    int rc = kt_store_membership_find(c->st, c->body, person, &m);
    free(m.items);
    return rc;
}

/* An optional string argument, or (absent) the value it had. */
static const char *str_kept(kt_ctx *c, const char *name, json_t *before, const char *field)
{
    return kt_arg_has(c, name) ? kt_arg_str(c, name)
                               : json_string_value(json_object_get(before, field));
}

static int emit_attendance(kt_ctx *c, int64_t meeting, json_t *att)
{
    return kt_emit(c, c->body, "attendance.updated", NULL,
                   json_pack("{s:I, s:O}", "meeting", (json_int_t)meeting, "attendance", att));
}

/* Who a line is about: a person of the directory (a member; others only by the chair or
 * secretary), or someone who is not in it, by name (only by the chair or secretary). */
static int attendee(kt_ctx *c, bool editor, int64_t *person, const char **name)
{
    *name = kt_arg_str(c, "name");
    *person = *name ? 0 : kt_arg_int(c, "person", c->me->person);
    if (*name && kt_arg_given(c, "person"))
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "Geef 'person' of 'name', niet allebei.");
    if ((*name || *person != c->me->person) && !editor)
        return kt_fail(c, KT_C_FORBIDDEN,
                       "Alleen de voorzitter of secretaris legt aanwezigheid van anderen vast.");
    if (!*person)
        return 0;
    int rc = membership_of(c, *person);
    if (rc == KT_ENOTFOUND && editor)
        rc = kt_store_person_exists(c->st, *person, true);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND,
                       editor ? "Deze persoon bestaat niet."
                              : "Deze persoon is geen lid van dit overleg.");
    return rc ? kt_fail_err(c, rc) : 0;
}

/* The substitute of a line that says vervangen: someone else, of the directory. */
static int check_substitute(kt_ctx *c, const kt_store_attendance *a)
{
    if (a->substitute && strcmp(a->status, "vervangen") != 0)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "Een vervanger hoort bij de status 'vervangen'.");
    if (!a->substitute)
        return 0;
    if (a->substitute == a->person)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "De vervanger moet iemand anders zijn.");
    int rc = kt_store_person_exists(c->st, a->substitute, true);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "De vervanger bestaat niet.");
    return rc ? kt_fail_err(c, rc) : 0;
}

/* Lines of other attendees that lost role to the line just set (one chair, one minute-taker). */
static int take_role(kt_ctx *c, int64_t meeting, const char *role, int64_t id)
{
    if (!role)
        return 0;
    kt_ivec cleared = {0};
    int rc = kt_store_attendance_role_clear(c->st, meeting, role, id, &cleared);
    for (size_t i = 0; !rc && i < cleared.n; i++) {
        json_t *att = NULL;
        rc = kt_store_attendance_by_id(c->st, meeting, cleared.v[i], &att);
        if (!rc)
            rc = emit_attendance(c, meeting, att) ? KT_ESTORE : 0;
        json_decref(att);
    }
    kt_ivec_free(&cleared);
    return rc ? (c->code ? -1 : kt_fail_err(c, rc)) : 0;
}

int kt_h_attendance_set(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0), person = 0, id = 0;
    bool editor = kt_acl_allows(&c->viewer, KT_PERM_EDIT);
    const char *name = NULL;
    if (kt_minutes_frozen(c, meeting) || attendee(c, editor, &person, &name))
        return -1;
    if (!editor && (kt_arg_has(c, "role") || kt_arg_has(c, "org") || kt_arg_has(c, "org_name")))
        return kt_fail(c, KT_C_FORBIDDEN,
                       "Alleen de voorzitter of secretaris legt de rol of organisatie vast.");
    json_t *before = NULL, *att = NULL;
    int rc = kt_store_attendance_get(c->st, meeting, person, name, &before);
    if (rc && rc != KT_ENOTFOUND)
        return kt_fail_err(c, rc);
    rc = 0; /* a first line for this person is no error */
    const char *status = kt_arg_str(c, "status");
    bool absent = strcmp(status, "afwezig") == 0 || strcmp(status, "vervangen") == 0;
    kt_store_attendance a = {
        .person = person,
        .name = name,
        .status = status,
        .notice = absent ? str_kept(c, "notice", before, "notice") : NULL,
        .leaves_early = kt_arg_has(c, "leaves_early")
                            ? kt_arg_bool(c, "leaves_early", false)
                            : json_is_true(json_object_get(before, "leaves_early")),
        .role = str_kept(c, "role", before, "role"),
        .note = str_kept(c, "note", before, "note"),
    };
    if (kt_arg_given(c, "notice") && !absent)
        rc = kt_fail(c, KT_C_INVALID_ARGUMENT,
                     "Met of zonder bericht hoort bij afwezig of vervangen.");
    /* Who reports their own absence gives notice by doing so. */
    if (absent && !a.notice && person == c->me->person)
        a.notice = "met_bericht";
    if (strcmp(status, "vervangen") == 0) {
        a.substitute = kt_arg_has(c, "substitute")
                           ? kt_arg_int(c, "substitute", 0)
                           : json_integer_value(json_object_get(before, "substitute"));
        a.substitute_kind = str_kept(c, "substitute_kind", before, "substitute_kind");
        /* A substitute an imported verslag names as written stays until one is given. */
        if (!kt_arg_has(c, "substitute") && !a.substitute)
            a.substitute_name = json_string_value(json_object_get(before, "substitute_name"));
    } else if (kt_arg_given(c, "substitute")) {
        a.substitute = kt_arg_int(c, "substitute", 0); /* refused below */
    }
    /* The organisation someone came for: given, or the person's own. */
    a.org = kt_arg_has(c, "org") ? kt_arg_int(c, "org", 0)
                                 : json_integer_value(json_object_get(before, "org"));
    a.org_name = str_kept(c, "org_name", before, "org_name");
    if (!rc && person && !kt_arg_has(c, "org"))
        rc = kt_store_person_org(c->st, person, &a.org);
    if (!rc && a.org && kt_arg_has(c, "org")) {
        rc = kt_store_org_exists(c->st, a.org);
        if (rc == KT_ENOTFOUND)
            rc = kt_fail(c, KT_C_NOT_FOUND, "Deze organisatie bestaat niet.");
    }
    if (!rc)
        rc = check_substitute(c, &a);
    if (!rc)
        rc = kt_store_attendance_set(c->st, meeting, &a, c->me->person, kt_now(), &id);
    json_decref(before);
    if (!rc)
        rc = kt_store_attendance_by_id(c->st, meeting, id, &att);
    if (rc)
        return c->code ? -1 : kt_fail_err(c, rc);
    kt_touch_meeting(c, meeting);
    if (take_role(c, meeting, json_string_value(json_object_get(att, "role")), id) ||
        emit_attendance(c, meeting, att))
        return json_decref(att), -1;
    c->result = json_pack("{s:I, s:o}", "meeting", (json_int_t)meeting, "attendance", att);
    return 0;
}

int kt_h_attendance_remove(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0), id = kt_arg_int(c, "line", 0);
    if (kt_minutes_frozen(c, meeting))
        return -1;
    json_t *att = NULL;
    int rc = kt_store_attendance_by_id(c->st, meeting, id, &att);
    if (!rc)
        rc = kt_store_attendance_remove(c->st, meeting, id);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Deze regel van de presentielijst bestaat niet.");
    if (rc)
        return kt_fail_err(c, rc);
    kt_touch_meeting(c, meeting);
    rc = kt_emit(c, c->body, "attendance.removed", NULL,
                 json_pack("{s:I, s:I, s:O}", "meeting", (json_int_t)meeting, "line",
                           (json_int_t)id, "person", json_object_get(att, "person")));
    json_decref(att);
    if (rc)
        return -1;
    c->result = json_pack("{s:I, s:I}", "meeting", (json_int_t)meeting, "line", (json_int_t)id);
    return 0;
}

/* Meetings (vergaderingen) and attendance. */
#include "domain/cadence.h"
#include "domain/handlers.h"
#include "domain/minutes.h"
#include "domain/model.h"
#include "util/err.h"
#include "util/timeutil.h"

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
 * cancelled, published, status. */
static json_t *meeting_minutes(kt_ctx *c, int64_t meeting);

static int emit_meeting(kt_ctx *c, const char *type, int64_t meeting, const char *change,
                        json_t **out)
{
    json_t *m = kt_meeting_json(c->st, meeting);
    if (!m)
        return kt_fail_err(c, KT_ENOTFOUND);
    json_t *data = json_pack("{s:O, s:s}", "meeting", m, "change", change);
    if (kt_arg_str(c, "minutes"))
        json_object_update_new(data, meeting_minutes(c, meeting));
    if (kt_emit(c, c->body, type, NULL, data)) {
        json_decref(m);
        return -1;
    }
    *out = m;
    return 0;
}

static int insert_meeting(kt_ctx *c, int64_t start, int64_t end, const char *location,
                          const char *status, int64_t *id)
{
    sqlite3_stmt *s = kt_store_stmt(
        c->st, "INSERT INTO meetings(body_id, starts_at, ends_at, location, status, created_at, "
               "updated_at) VALUES (?1, ?2, ?3, coalesce(?4, (SELECT location FROM bodies WHERE "
               "id = ?1)), ?5, ?6, ?6)");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, c->body);
    sqlite3_bind_int64(s, 2, start);
    sqlite3_bind_int64(s, 3, end);
    if (location)
        sqlite3_bind_text(s, 4, location, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, status ? status : "concept", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, kt_now());
    int rc = kt_store_step_done(c->st, s);
    if (rc)
        return kt_fail_err(c, rc);
    *id = kt_store_last_id(c->st);
    return 0;
}

int kt_h_meeting_create(kt_ctx *c)
{
    int64_t start = kt_arg_time(c, "start"), end = kt_arg_time(c, "end"), id;
    if (check_times(c, start, end) ||
        insert_meeting(c, start, end, kt_arg_str(c, "location"), kt_arg_str(c, "status"), &id))
        return -1;
    json_t *m = NULL;
    if (emit_meeting(c, "meeting.created", id, "created", &m))
        return -1;
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
    json_t *body = kt_body_json(c->st, c->body);
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
        if (insert_meeting(c, s, e, kt_arg_str(c, "location"), NULL, &id) ||
            emit_meeting(c, "meeting.created", id, k == 0 ? "series" : "series_more", &m)) {
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

/* Saves the minutes (verslag). With minutes_rev the editor says which revision they started
 * from: if someone saved since, nothing is overwritten (conflict). */
static int save_minutes(kt_ctx *c, int64_t id)
{
    sqlite3_stmt *u = kt_store_stmt(
        c->st, "UPDATE meetings SET minutes = ?2, minutes_by = ?3, minutes_at = ?4, minutes_rev = "
               "minutes_rev + 1, updated_at = ?4 WHERE id = ?1 AND (?5 < 0 OR minutes_rev = ?5)");
    if (!u)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(u, 1, id);
    sqlite3_bind_text(u, 2, kt_arg_str(c, "minutes"), -1, SQLITE_STATIC);
    sqlite3_bind_int64(u, 3, c->me->person);
    sqlite3_bind_int64(u, 4, kt_now());
    sqlite3_bind_int64(u, 5, kt_arg_int(c, "minutes_rev", -1));
    int rc = kt_store_step_done(c->st, u);
    if (rc)
        return kt_fail_err(c, rc);
    if (sqlite3_changes(kt_store_db(c->st)) == 0)
        return kt_fail(c, KT_C_CONFLICT,
                       "Het verslag is intussen door iemand anders opgeslagen; "
                       "laad het opnieuw en voeg uw wijzigingen toe.");
    return 0;
}

int kt_h_meeting_update(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "meeting", 0);
    json_t *cur = kt_meeting_json(c->st, id);
    if (!cur)
        return kt_fail(c, KT_C_NOT_FOUND, NULL);
    int64_t start, end;
    kt_time_parse(json_string_value(json_object_get(cur, "start")), &start);
    kt_time_parse(json_string_value(json_object_get(cur, "end")), &end);
    json_decref(cur);
    int64_t nstart = kt_arg_given(c, "start") ? kt_arg_time(c, "start") : start;
    int64_t nend = kt_arg_given(c, "end") ? kt_arg_time(c, "end") : end;
    if (kt_arg_given(c, "start") && !kt_arg_given(c, "end"))
        nend = nstart + (end - start); /* moving keeps the length */
    if (check_times(c, nstart, nend))
        return -1;
    bool moved = nstart != start || nend != end || kt_arg_str(c, "location");
    sqlite3_stmt *s = kt_store_stmt(
        c->st, "UPDATE meetings SET starts_at = ?2, ends_at = ?3, location = coalesce(?4, "
               "location), status = coalesce(?5, status), version = version + ?6, "
               "updated_at = ?7 WHERE id = ?1");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, nstart);
    sqlite3_bind_int64(s, 3, nend);
    if (kt_arg_str(c, "location"))
        sqlite3_bind_text(s, 4, kt_arg_str(c, "location"), -1, SQLITE_STATIC);
    if (kt_arg_str(c, "status"))
        sqlite3_bind_text(s, 5, kt_arg_str(c, "status"), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 6, moved || kt_arg_str(c, "status"));
    sqlite3_bind_int64(s, 7, kt_now());
    int rc = kt_store_step_done(c->st, s);
    if (rc)
        return kt_fail_err(c, rc);
    const char *status = kt_arg_str(c, "status");
    if (kt_arg_has(c, "minutes") && save_minutes(c, id))
        return -1;
    const char *change = moved                                        ? "moved"
                         : !status && kt_arg_has(c, "minutes")        ? "minutes"
                         : !status                                    ? "none"
                         : strcmp(status, "geannuleerd") == 0         ? "cancelled"
                         : strcmp(status, "agenda_gepubliceerd") == 0 ? "published"
                                                                      : "status";
    json_t *m = NULL;
    if (emit_meeting(c, "meeting.updated", id, change, &m))
        return -1;
    kt_touch_meeting(c, id);
    c->result = json_pack("{s:o}", "meeting", m);
    return 0;
}

int kt_h_meeting_cancel(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "meeting", 0);
    sqlite3_stmt *s = kt_store_stmt(c->st, "UPDATE meetings SET status = 'geannuleerd', version "
                                           "= version + 1, updated_at = ?2 WHERE id = ?1 AND "
                                           "status <> 'geannuleerd'");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, kt_now());
    int rc = kt_store_step_done(c->st, s);
    if (rc)
        return kt_fail_err(c, rc);
    if (sqlite3_changes(kt_store_db(c->st)) == 0)
        return kt_fail(c, KT_C_INVALID_STATE, "Deze vergadering is al geannuleerd.");
    json_t *m = NULL;
    if (emit_meeting(c, "meeting.updated", id, "cancelled", &m))
        return -1;
    kt_touch_meeting(c, id);
    c->result = json_pack("{s:o}", "meeting", m);
    return 0;
}

/* The minutes with who saved them last, when, and their revision. */
static json_t *meeting_minutes(kt_ctx *c, int64_t meeting)
{
    sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT minutes, minutes_by, minutes_at, minutes_rev "
                                           "FROM meetings WHERE id = ?1");
    if (!s)
        return json_object();
    sqlite3_bind_int64(s, 1, meeting);
    json_t *j = json_object();
    if (sqlite3_step(s) == SQLITE_ROW) {
        json_object_set_new(j, "minutes", kt_col_json_text(s, 0));
        json_object_set_new(j, "minutes_by", kt_col_json_int(s, 1));
        json_object_set_new(j, "minutes_at", kt_col_json_time(s, 2));
        json_object_set_new(j, "minutes_rev", json_integer(sqlite3_column_int64(s, 3)));
    }
    sqlite3_reset(s);
    return j;
}

int kt_h_meeting_get(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "meeting", 0);
    json_t *m = kt_meeting_json(c->st, id);
    if (!m)
        return kt_fail(c, KT_C_NOT_FOUND, NULL);
    json_t *agenda = kt_items_list(c->st, c->body, id, &c->viewer), *outcomes = NULL;
    if (kt_minutes_outcomes(c, id, &outcomes)) {
        json_decref(m);
        json_decref(agenda);
        return -1;
    }
    c->result =
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I}", "meeting", m, "agenda", agenda,
                  "attendance", kt_attendance_list(c->st, id), "message_counts",
                  kt_message_counts(c->st, agenda), "notes", kt_minutes_notes(c, agenda),
                  "outcomes", outcomes, "seq", (json_int_t)kt_store_stream_seq(c->st, c->body));
    json_object_update_new(c->result, meeting_minutes(c, id));
    return 0;
}

int kt_h_meeting_list(kt_ctx *c)
{
    int64_t from = kt_arg_given(c, "from") ? kt_arg_time(c, "from") : 0;
    int64_t to = kt_arg_given(c, "to") ? kt_arg_time(c, "to") : INT64_MAX / 2;
    c->result = json_pack("{s:o, s:I}", "meetings", kt_meetings_list(c->st, c->body, from, to),
                          "seq", (json_int_t)kt_store_stream_seq(c->st, c->body));
    return 0;
}

static bool is_member(kt_ctx *c, int64_t person)
{
    sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT 1 FROM memberships WHERE body_id = ?1 AND "
                                           "person_id = ?2");
    if (!s)
        return false;
    sqlite3_bind_int64(s, 1, c->body);
    sqlite3_bind_int64(s, 2, person);
    bool ok = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_reset(s);
    return ok;
}

int kt_h_attendance_set(kt_ctx *c)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0);
    int64_t person = kt_arg_int(c, "person", c->me->person);
    int64_t substitute = kt_arg_int(c, "substitute", 0);
    const char *status = kt_arg_str(c, "status");
    if (person != c->me->person && !kt_acl_allows(&c->viewer, KT_PERM_EDIT))
        return kt_fail(c, KT_C_FORBIDDEN,
                       "Alleen de voorzitter of secretaris legt aanwezigheid van anderen vast.");
    if (!is_member(c, person))
        return kt_fail(c, KT_C_NOT_FOUND, "Deze persoon is geen lid van dit overleg.");
    if (substitute && strcmp(status, "vervangen") != 0)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "Een vervanger hoort bij de status 'vervangen'.");
    if (substitute && (substitute == person || !is_member(c, substitute)))
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "De vervanger moet een ander lid van dit overleg zijn.");
    sqlite3_stmt *s = kt_store_stmt(
        c->st, "INSERT INTO attendance(meeting_id, person_id, status, substitute_id, note) "
               "VALUES (?1, ?2, ?3, ?4, coalesce(?5, '')) ON CONFLICT(meeting_id, person_id) DO "
               "UPDATE SET status = ?3, substitute_id = ?4, note = coalesce(?5, note)");
    if (!s)
        return kt_fail_err(c, KT_ESTORE);
    sqlite3_bind_int64(s, 1, meeting);
    sqlite3_bind_int64(s, 2, person);
    sqlite3_bind_text(s, 3, status, -1, SQLITE_STATIC);
    if (substitute)
        sqlite3_bind_int64(s, 4, substitute);
    if (kt_arg_str(c, "note"))
        sqlite3_bind_text(s, 5, kt_arg_str(c, "note"), -1, SQLITE_STATIC);
    int rc = kt_store_step_done(c->st, s);
    if (rc)
        return kt_fail_err(c, rc);
    json_t *att = NULL, *all = kt_attendance_list(c->st, meeting), *x;
    size_t i;
    json_array_foreach(all, i, x) if (json_integer_value(json_object_get(x, "person")) == person)
        att = json_incref(x);
    json_decref(all);
    if (!att)
        return kt_fail_err(c, KT_ESTORE);
    kt_touch_meeting(c, meeting);
    if (kt_emit(c, c->body, "attendance.updated", NULL,
                json_pack("{s:I, s:O}", "meeting", (json_int_t)meeting, "attendance", att)))
        return json_decref(att), -1;
    c->result = json_pack("{s:I, s:o}", "meeting", (json_int_t)meeting, "attendance", att);
    return 0;
}

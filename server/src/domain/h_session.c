/* Ops about the caller: liveness, who am I, my bodies and my next meetings. */
#include "domain/handlers.h"
#include "domain/model.h"
#include "util/timeutil.h"

int kt_h_ping(kt_ctx *c)
{
    char now[32];
    kt_time_format(kt_now(), now, sizeof now);
    c->result = json_pack("{s:s}", "time", now);
    return 0;
}

static json_t *my_bodies(kt_ctx *c)
{
    sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT m.body_id, m.role FROM memberships m "
                                           "JOIN bodies b ON b.id = m.body_id "
                                           "WHERE m.person_id = ?1 ORDER BY b.name");
    json_t *out = json_array();
    if (!s)
        return out;
    sqlite3_bind_int64(s, 1, c->me->person);
    int64_t ids[512];
    char roles[512][24];
    int n = 0;
    while (n < 512 && sqlite3_step(s) == SQLITE_ROW) {
        ids[n] = sqlite3_column_int64(s, 0);
        snprintf(roles[n], sizeof roles[n], "%s", (const char *)sqlite3_column_text(s, 1));
        n++;
    }
    sqlite3_reset(s);
    for (int i = 0; i < n; i++) {
        json_t *b = kt_body_json(c->st, ids[i]);
        if (!b)
            continue;
        json_object_set_new(b, "role", json_string(roles[i]));
        json_array_append_new(out, b);
    }
    return out;
}

int kt_h_me_get(kt_ctx *c)
{
    json_t *person = kt_person_json(c->st, c->me->person);
    if (!person)
        return kt_fail(c, KT_C_NOT_FOUND, NULL);
    char expires[32];
    kt_time_format(c->me->expires_at, expires, sizeof expires);
    c->result = json_pack("{s:o, s:o, s:s, s:I}", "person", person, "bodies", my_bodies(c),
                          "session_expires", expires, "directory_seq",
                          (json_int_t)kt_store_stream_seq(c->st, KT_DIRECTORY));
    return 0;
}

int kt_h_meeting_upcoming(kt_ctx *c)
{
    int64_t from = kt_arg_given(c, "from") ? kt_arg_time(c, "from") : kt_now();
    int64_t days = kt_arg_int(c, "days", 90);
    sqlite3_stmt *s = kt_store_stmt(
        c->st, "SELECT m.id, ms.role FROM meetings m JOIN memberships ms ON ms.body_id = "
               "m.body_id AND ms.person_id = ?1 WHERE m.ends_at > ?2 AND m.starts_at < ?3 "
               "ORDER BY m.starts_at, m.id LIMIT 500");
    if (!s)
        return kt_fail_err(c, -6);
    sqlite3_bind_int64(s, 1, c->me->person);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, from + days * 86400);
    int64_t ids[500];
    char roles[500][24];
    int n = 0;
    while (n < 500 && sqlite3_step(s) == SQLITE_ROW) {
        ids[n] = sqlite3_column_int64(s, 0);
        snprintf(roles[n], sizeof roles[n], "%s", (const char *)sqlite3_column_text(s, 1));
        n++;
    }
    sqlite3_reset(s);
    json_t *out = json_array(), *seqs = json_object();
    for (int i = 0; i < n; i++) {
        json_t *m = kt_meeting_json(c->st, ids[i]);
        if (!m)
            continue;
        json_object_set_new(m, "role", json_string(roles[i]));
        char key[24];
        snprintf(key, sizeof key, "%lld",
                 (long long)json_integer_value(json_object_get(m, "body")));
        if (!json_object_get(seqs, key))
            json_object_set_new(seqs, key,
                                json_integer(kt_store_stream_seq(
                                    c->st, json_integer_value(json_object_get(m, "body")))));
        json_array_append_new(out, m);
    }
    /* The snapshot's seq per body, to subscribe from exactly there. */
    c->result = json_pack("{s:o, s:o}", "meetings", out, "seqs", seqs);
    return 0;
}

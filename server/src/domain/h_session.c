/* Ops about the caller: liveness, who am I, my bodies and my next meetings. */
#include "domain/handlers.h"
#include "domain/model.h"
#include "store/bodies.h"
#include "store/directory.h"
#include "store/meetings.h"
#include "util/timeutil.h"

int kt_h_ping(kt_ctx *c)
{
    char now[32];
    kt_time_format(kt_now(), now, sizeof now);
    c->result = json_pack("{s:s}", "time", now);
    return 0;
}

int kt_h_me_get(kt_ctx *c)
{
    json_t *person;
    int rc = kt_store_person_get(c->st, c->me->person, &person);
    if (rc)
        return kt_fail_err(c, rc);
    json_t *bodies = json_array();
    int64_t head = 0;
    rc = kt_store_bodies_of_person(c->st, c->me->person, bodies);
    if (!rc)
        rc = kt_store_stream_head(c->st, KT_DIRECTORY, &head);
    if (rc) {
        json_decref(person);
        json_decref(bodies);
        return kt_fail_err(c, rc);
    }
    char expires[32];
    kt_time_format(c->me->expires_at, expires, sizeof expires);
    c->result = json_pack("{s:o, s:o, s:s, s:I}", "person", person, "bodies", bodies,
                          "session_expires", expires, "directory_seq", (json_int_t)head);
    return 0;
}

int kt_h_meeting_upcoming(kt_ctx *c)
{
    int64_t from = kt_arg_given(c, "from") ? kt_arg_time(c, "from") : kt_now();
    int64_t days = kt_arg_int(c, "days", 90);
    json_t *out = json_array(), *seqs = json_object(), *m;
    int rc = kt_store_meetings_upcoming(c->st, c->me->person, from, from + days * 86400,
                                        UPCOMING_MAX + 1, out);
    bool more = !rc && kt_page_cut(out, UPCOMING_MAX); /* the window holds more: a shorter one */
    size_t i;
    /* The snapshot's seq per body, to subscribe from exactly there. */
    json_array_foreach(out, i, m)
    {
        int64_t body = json_integer_value(json_object_get(m, "body")), head = 0;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)body);
        if (rc || json_object_get(seqs, key))
            continue;
        rc = kt_store_stream_head(c->st, body, &head);
        json_object_set_new(seqs, key, json_integer(head));
    }
    if (rc) {
        json_decref(out);
        json_decref(seqs);
        return kt_fail_err(c, rc);
    }
    c->result = json_pack("{s:o, s:o, s:b}", "meetings", out, "seqs", seqs, "more", more);
    return 0;
}

#include "detect/conflicts.h"

#include "detect/flags.h"
#include "domain/cadence.h"
#include "domain/model.h"
#include "util/err.h"
#include "util/ivec.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MEETING_SECONDS (24 * 3600)
#define MAX_PROJECTED       60

typedef struct mtg {
    int64_t id, body, start, end, projected; /* projected: 0, or the start of an expected one */
    char location[200];
} mtg;

/* ---- expected attendance ---- */

static int cmp_attendee(const void *a, const void *b)
{
    const kt_attendee *x = a, *y = b;
    return x->person < y->person ? -1 : x->person > y->person;
}

static int add_attendee(kt_attendee **v, int *n, int *cap, int64_t person, int64_t org)
{
    for (int i = 0; i < *n; i++)
        if ((*v)[i].person == person)
            return 0;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        kt_attendee *a = realloc(*v, (size_t)*cap * sizeof *a);
        if (!a)
            return KT_ENOMEM;
        *v = a;
    }
    (*v)[(*n)++] = (kt_attendee){person, org};
    return 0;
}

typedef struct att {
    int64_t person, substitute;
    char status[16];
} att;

/* Whether the attendance list says person will not come (absent, or replaced). */
static bool registered_absent(const att *atts, int n, int64_t person)
{
    for (int i = 0; i < n; i++)
        if (atts[i].person == person &&
            (strcmp(atts[i].status, "afwezig") == 0 || strcmp(atts[i].status, "vervangen") == 0))
            return true;
    return false;
}

static int org_of(kt_store *st, int64_t person, int64_t *org)
{
    sqlite3_stmt *o = kt_store_stmt(st, "SELECT org_id FROM persons WHERE id = ?1 AND active = 1");
    if (!o)
        return KT_ESTORE;
    sqlite3_bind_int64(o, 1, person);
    *org = sqlite3_step(o) == SQLITE_ROW ? sqlite3_column_int64(o, 0) : 0;
    sqlite3_reset(o);
    return 0;
}

int kt_conflicts_expected(kt_store *st, int64_t body, int64_t meeting, kt_attendee **out, int *n)
{
    *out = NULL;
    *n = 0;
    int cap = 0, n_att = 0, cap_att = 0, rc = 0;
    att *atts = NULL;
    if (meeting) {
        sqlite3_stmt *s = kt_store_stmt(st, "SELECT person_id, status, substitute_id FROM "
                                            "attendance WHERE meeting_id = ?1");
        if (!s)
            return KT_ESTORE;
        sqlite3_bind_int64(s, 1, meeting);
        while (!rc && sqlite3_step(s) == SQLITE_ROW) {
            if (n_att == cap_att) {
                cap_att = cap_att ? cap_att * 2 : 16;
                att *a = realloc(atts, (size_t)cap_att * sizeof *a);
                if (!a) {
                    rc = KT_ENOMEM;
                    break;
                }
                atts = a;
            }
            atts[n_att].person = sqlite3_column_int64(s, 0);
            snprintf(atts[n_att].status, sizeof atts[n_att].status, "%s",
                     sqlite3_column_text(s, 1));
            atts[n_att].substitute = sqlite3_column_int64(s, 2);
            n_att++;
        }
        sqlite3_reset(s);
    }
    sqlite3_stmt *s = rc ? NULL
                         : kt_store_stmt(st, "SELECT m.person_id, p.org_id, m.role, "
                                             "m.substitute_for, m.items IS NOT NULL FROM "
                                             "memberships m JOIN persons p ON p.id = m.person_id "
                                             "WHERE m.body_id = ?1 AND p.active = 1");
    if (!rc && !s)
        rc = KT_ESTORE;
    struct sub {
        int64_t person, org, for_person;
    } *subs = NULL;
    int n_subs = 0, cap_subs = 0;
    if (s) {
        sqlite3_bind_int64(s, 1, body);
        while (!rc && sqlite3_step(s) == SQLITE_ROW) {
            int64_t person = sqlite3_column_int64(s, 0), org = sqlite3_column_int64(s, 1);
            const char *role = (const char *)sqlite3_column_text(s, 2);
            if (strcmp(role, "vaste_vervanger") == 0) {
                if (n_subs == cap_subs) {
                    cap_subs = cap_subs ? cap_subs * 2 : 8;
                    struct sub *v = realloc(subs, (size_t)cap_subs * sizeof *v);
                    if (!v) {
                        rc = KT_ENOMEM;
                        break;
                    }
                    subs = v;
                }
                subs[n_subs++] = (struct sub){person, org, sqlite3_column_int64(s, 3)};
                continue;
            }
            bool attends = strcmp(role, "voorzitter") == 0 || strcmp(role, "secretaris") == 0 ||
                           strcmp(role, "lid") == 0 ||
                           (strcmp(role, "gast") == 0 && !sqlite3_column_int(s, 4));
            if (attends && !registered_absent(atts, n_att, person))
                rc = add_attendee(out, n, &cap, person, org);
        }
        sqlite3_reset(s);
    }
    /* Someone who will not come is replaced by the substitute they named, or else by their
     * standing substitutes (vaste vervangers) - unless those registered their own absence. */
    for (int i = 0; !rc && i < n_att; i++) {
        bool away =
            strcmp(atts[i].status, "afwezig") == 0 || strcmp(atts[i].status, "vervangen") == 0;
        if (!away)
            continue;
        int64_t named = strcmp(atts[i].status, "vervangen") == 0 ? atts[i].substitute : 0;
        if (named) {
            int64_t org = 0;
            rc = org_of(st, named, &org);
            if (!rc && org && !registered_absent(atts, n_att, named))
                rc = add_attendee(out, n, &cap, named, org);
            continue;
        }
        for (int k = 0; !rc && k < n_subs; k++)
            if (subs[k].for_person == atts[i].person &&
                !registered_absent(atts, n_att, subs[k].person))
                rc = add_attendee(out, n, &cap, subs[k].person, subs[k].org);
    }
    free(atts);
    free(subs);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    if (*n > 1)
        qsort(*out, (size_t)*n, sizeof **out, cmp_attendee);
    return 0;
}

/* ---- candidates ---- */

static void norm_location(const char *in, char *out, size_t n)
{
    size_t o = 0;
    bool space = false;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 1 < n; p++) {
        if (isspace(*p) || *p == ',') {
            space = o > 0;
            continue;
        }
        if (space && o + 2 < n)
            out[o++] = ' ';
        space = false;
        out[o++] = (char)tolower(*p);
    }
    out[o] = 0;
}

static bool virtual_location(const char *norm)
{
    static const char *const words[] = {"online", "teams", "digitaal", "zoom",
                                        "webex",  "video", "hybride"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strstr(norm, words[i]))
            return true;
    return !*norm;
}

static int load_meeting(kt_store *st, int64_t id, mtg *m, bool *cancelled)
{
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT body_id, starts_at, ends_at, location, status "
                                        "FROM meetings WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    int rc = KT_ENOTFOUND;
    if (sqlite3_step(s) == SQLITE_ROW) {
        memset(m, 0, sizeof *m);
        m->id = id;
        m->body = sqlite3_column_int64(s, 0);
        m->start = sqlite3_column_int64(s, 1);
        m->end = sqlite3_column_int64(s, 2);
        snprintf(m->location, sizeof m->location, "%s", sqlite3_column_text(s, 3));
        *cancelled = strcmp((const char *)sqlite3_column_text(s, 4), "geannuleerd") == 0;
        rc = 0;
    }
    sqlite3_reset(s);
    return rc;
}

typedef struct cands {
    mtg *v;
    int n, cap;
} cands;

static int cand_add(cands *c, const mtg *m)
{
    for (int i = 0; i < c->n; i++)
        if (c->v[i].id == m->id && c->v[i].projected == m->projected && c->v[i].body == m->body)
            return 0;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        mtg *v = realloc(c->v, (size_t)c->cap * sizeof *v);
        if (!v)
            return KT_ENOMEM;
        c->v = v;
    }
    c->v[c->n++] = *m;
    return 0;
}

/* The bodies that share a participating member with body: where a conflict over people can come
 * from (an organisation clash too: it needs one person in both). */
#define SHARING_BODIES                                                                             \
    "SELECT m2.body_id FROM memberships m1 JOIN memberships m2 ON m2.person_id = m1.person_id "    \
    "WHERE m1.body_id = ?1 AND m2.body_id <> ?1 AND m1.role <> 'waarnemer' AND "                   \
    "m2.role <> 'waarnemer'"

/* Planned meetings of those bodies in [from, to). */
static int real_candidates(kt_store *st, int64_t body, int64_t from, int64_t to, cands *out)
{
    sqlite3_stmt *s = kt_store_stmt(
        st, "SELECT id, body_id, starts_at, ends_at, location FROM meetings WHERE body_id IN "
            "(" SHARING_BODIES ") AND starts_at < ?2 AND ends_at > ?3 AND "
            "status <> 'geannuleerd'");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, body);
    sqlite3_bind_int64(s, 2, to);
    sqlite3_bind_int64(s, 3, from);
    int rc = 0;
    while (!rc && sqlite3_step(s) == SQLITE_ROW) {
        mtg m = {.id = sqlite3_column_int64(s, 0),
                 .body = sqlite3_column_int64(s, 1),
                 .start = sqlite3_column_int64(s, 2),
                 .end = sqlite3_column_int64(s, 3)};
        snprintf(m.location, sizeof m.location, "%s", sqlite3_column_text(s, 4));
        rc = cand_add(out, &m);
    }
    sqlite3_reset(s);
    return rc;
}

/* Whether body called off a meeting near t on purpose. */
static bool called_off(kt_store *st, int64_t body, int64_t t)
{
    sqlite3_stmt *c = kt_store_stmt(st, "SELECT 1 FROM meetings WHERE body_id = ?1 AND status = "
                                        "'geannuleerd' AND starts_at BETWEEN ?2 AND ?3");
    if (!c)
        return false;
    sqlite3_bind_int64(c, 1, body);
    sqlite3_bind_int64(c, 2, t - 86400);
    sqlite3_bind_int64(c, 3, t + 86400);
    bool off = sqlite3_step(c) == SQLITE_ROW;
    sqlite3_reset(c);
    return off;
}

/* Meetings the sharing bodies are expected to hold (from their cadence, after their last planned
 * meeting) that fall in [from, to). Only bodies whose last planned meeting starts before `to`
 * can have one. */
static int projected_candidates(kt_store *st, int64_t body, int64_t from, int64_t to, cands *out)
{
    sqlite3_stmt *s = kt_store_stmt(
        st, "SELECT b.id, b.cadence, b.location, m.starts_at, m.ends_at FROM bodies b "
            "JOIN meetings m ON m.id = (SELECT id FROM meetings WHERE body_id = b.id AND status "
            "<> 'geannuleerd' ORDER BY starts_at DESC LIMIT 1) WHERE b.id IN (" SHARING_BODIES
            ") AND b.cadence IS NOT NULL AND m.starts_at < ?2");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, body);
    sqlite3_bind_int64(s, 2, to);
    struct last {
        int64_t body, start, end;
        char cadence[16], location[200];
    } lasts[64];
    int n = 0;
    while (n < 64 && sqlite3_step(s) == SQLITE_ROW) {
        lasts[n].body = sqlite3_column_int64(s, 0);
        snprintf(lasts[n].cadence, sizeof lasts[n].cadence, "%s", sqlite3_column_text(s, 1));
        snprintf(lasts[n].location, sizeof lasts[n].location, "%s", sqlite3_column_text(s, 2));
        lasts[n].start = sqlite3_column_int64(s, 3);
        lasts[n].end = sqlite3_column_int64(s, 4);
        n++;
    }
    sqlite3_reset(s);
    int64_t now = kt_now(), horizon = now + (int64_t)KT_PROJECTION_DAYS * 86400;
    for (int i = 0; i < n; i++) {
        if (!kt_cadence_valid(lasts[i].cadence))
            continue;
        /* Jump close to the window instead of stepping through every occurrence. */
        int64_t period = kt_cadence_seconds(lasts[i].cadence);
        int k0 = from > lasts[i].start ? (int)((from - lasts[i].start) / period) - 1 : 1;
        for (int k = k0 < 1 ? 1 : k0; k <= k0 + 3 && k <= MAX_PROJECTED * 4; k++) {
            int64_t t = kt_cadence_step(lasts[i].start, lasts[i].cadence, k);
            int64_t e = t + (lasts[i].end - lasts[i].start);
            if (t >= to || t > horizon)
                break;
            if (e <= from || t < now || called_off(st, lasts[i].body, t))
                continue;
            mtg m = {.id = 0, .body = lasts[i].body, .start = t, .end = e, .projected = t};
            snprintf(m.location, sizeof m.location, "%s", lasts[i].location);
            int rc = cand_add(out, &m);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int location_candidates(kt_store *st, const mtg *me, cands *out)
{
    sqlite3_stmt *s = kt_store_stmt(
        st, "SELECT id, body_id, starts_at, ends_at, location FROM meetings WHERE "
            "starts_at < ?1 AND starts_at > ?2 AND ends_at > ?3 AND body_id <> ?4 AND "
            "status <> 'geannuleerd' AND location = ?5 COLLATE NOCASE");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, me->end);
    sqlite3_bind_int64(s, 2, me->start - MAX_MEETING_SECONDS);
    sqlite3_bind_int64(s, 3, me->start);
    sqlite3_bind_int64(s, 4, me->body);
    sqlite3_bind_text(s, 5, me->location, -1, SQLITE_STATIC);
    int rc = 0;
    while (!rc && sqlite3_step(s) == SQLITE_ROW) {
        mtg m = {.id = sqlite3_column_int64(s, 0),
                 .body = sqlite3_column_int64(s, 1),
                 .start = sqlite3_column_int64(s, 2),
                 .end = sqlite3_column_int64(s, 3)};
        snprintf(m.location, sizeof m.location, "%s", sqlite3_column_text(s, 4));
        rc = cand_add(out, &m);
    }
    sqlite3_reset(s);
    return rc;
}

/* ---- evaluation ---- */

static json_t *person_json_short(kt_store *st, int64_t person)
{
    json_t *p = kt_person_json(st, person);
    json_t *j = json_pack("{s:I, s:O, s:O}", "id", (json_int_t)person, "name",
                          p ? json_object_get(p, "name") : json_null(), "org_name",
                          p ? json_object_get(p, "org_name") : json_null());
    json_decref(p);
    return j;
}

/* Organisations a meeting needs: those of its expected people, and those its agenda names as
 * relevant ("waarom zit ik hier"). */
static int needed_orgs(kt_store *st, int64_t meeting, const kt_attendee *att, int n, kt_ivec *out)
{
    int rc = 0;
    for (int i = 0; !rc && i < n; i++)
        rc = kt_ivec_add(out, att[i].org);
    if (rc || !meeting)
        return rc;
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT DISTINCT io.org_id FROM items i JOIN item_orgs "
                                        "io ON io.item_id = i.id WHERE i.meeting_id = ?1");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, meeting);
    while (!rc && sqlite3_step(s) == SQLITE_ROW)
        rc = kt_ivec_add(out, sqlite3_column_int64(s, 0));
    sqlite3_reset(s);
    return rc;
}

/* The one person of org expected at either meeting, or 0 when there are none or several. */
static int64_t only_person(int64_t org, const kt_attendee *a, int na, const kt_attendee *b, int nb)
{
    int64_t found = 0;
    const kt_attendee *lists[2] = {a, b};
    int ns[2] = {na, nb};
    for (int l = 0; l < 2; l++)
        for (int i = 0; i < ns[l]; i++) {
            if (lists[l][i].org != org)
                continue;
            if (found && found != lists[l][i].person)
                return 0;
            found = lists[l][i].person;
        }
    return found;
}

typedef struct ctxdata {
    kt_ctx *c;
    const mtg *me;
    kt_attendee *mine;
    int n_mine;
    kt_ivec my_orgs; /* organisations this meeting needs */
    int64_t buffer;
    char **keys;
    int n_keys, cap_keys;
} ctxdata;

static int keep_key(ctxdata *d, const char *key)
{
    if (d->n_keys == d->cap_keys) {
        d->cap_keys = d->cap_keys ? d->cap_keys * 2 : 16;
        char **k = realloc(d->keys, (size_t)d->cap_keys * sizeof *k);
        if (!k)
            return KT_ENOMEM;
        d->keys = k;
    }
    d->keys[d->n_keys] = strdup(key);
    return d->keys[d->n_keys++] ? 0 : KT_ENOMEM;
}

static int evaluate(ctxdata *d, const mtg *other)
{
    kt_store *st = d->c->st;
    const mtg *me = d->me;
    char la[200], lb[200];
    norm_location(me->location, la, sizeof la);
    norm_location(other->location, lb, sizeof lb);
    bool same_place = strcmp(la, lb) == 0 && !virtual_location(la);
    bool strict = other->start < me->end && me->start < other->end;
    bool buffered = other->start < me->end + d->buffer && me->start < other->end + d->buffer;
    bool people_clash_window = strict || (buffered && !same_place);
    if (!strict && !people_clash_window)
        return 0;

    kt_attendee *theirs;
    int n_theirs;
    int rc = kt_conflicts_expected(st, other->body, other->id, &theirs, &n_theirs);
    if (rc)
        return rc;
    json_t *persons = json_array(), *orgs = json_array();
    char ids[200] = "";
    size_t ip = 0;
    if (people_clash_window)
        for (int i = 0, j = 0; i < d->n_mine && j < n_theirs;) {
            if (d->mine[i].person < theirs[j].person) {
                i++;
            } else if (d->mine[i].person > theirs[j].person) {
                j++;
            } else {
                json_array_append_new(persons, person_json_short(st, d->mine[i].person));
                if (ip < sizeof ids - 24)
                    ip += (size_t)snprintf(ids + ip, sizeof ids - ip, ",p%lld",
                                           (long long)d->mine[i].person);
                i++, j++;
            }
        }
    if (people_clash_window) {
        kt_ivec their_orgs = {0};
        rc = needed_orgs(st, other->id, theirs, n_theirs, &their_orgs);
        for (size_t i = 0; !rc && i < d->my_orgs.n; i++) {
            int64_t org = d->my_orgs.v[i];
            if (!kt_ivec_has(&their_orgs, org))
                continue;
            /* Needed at both, with one person for both: unless that person is already named
             * as expected at both (a person conflict says it), the organisation clashes. */
            int64_t one = only_person(org, d->mine, d->n_mine, theirs, n_theirs);
            bool already = false;
            for (size_t k = 0; k < json_array_size(persons); k++)
                already = already || json_integer_value(
                                         json_object_get(json_array_get(persons, k), "id")) == one;
            if (!one || already)
                continue;
            json_t *o = kt_org_json(st, org);
            json_array_append_new(orgs, json_pack("{s:I, s:O, s:o}", "id", (json_int_t)org, "name",
                                                  o ? json_object_get(o, "name") : json_null(),
                                                  "only_person", person_json_short(st, one)));
            json_decref(o);
            if (ip < sizeof ids - 24)
                ip += (size_t)snprintf(ids + ip, sizeof ids - ip, ",o%lld", (long long)org);
        }
        kt_ivec_free(&their_orgs);
    }
    free(theirs);
    bool place = same_place && strict;
    if (rc || (!json_array_size(persons) && !json_array_size(orgs) && !place)) {
        json_decref(persons);
        json_decref(orgs);
        return rc;
    }
    kt_finding f = {.kind = "conflict"};
    bool me_first = other->projected || me->id < other->id;
    const mtg *a = me_first ? me : other, *b = me_first ? other : me;
    if (other->projected)
        snprintf(f.key, sizeof f.key, "conflict:m%lld:p%lld:%lld", (long long)me->id,
                 (long long)other->body, (long long)other->projected);
    else
        snprintf(f.key, sizeof f.key, "conflict:m%lld:m%lld", (long long)a->id, (long long)b->id);
    f.body_a = a->body;
    f.meeting_a = a->id;
    f.body_b = b->body;
    f.meeting_b = b->id;
    f.projected_b = b->projected;
    int64_t ov_start = me->start > other->start ? me->start : other->start;
    int64_t ov_end = me->end < other->end ? me->end : other->end;
    char s1[32], s2[32];
    kt_time_format(ov_start, s1, sizeof s1);
    kt_time_format(ov_end, s2, sizeof s2);
    f.score = 1.0;
    f.evidence =
        json_pack("{s:o, s:o, s:o, s:b, s:s, s:s, s:I}", "persons", persons, "orgs", orgs,
                  "location", place ? json_string(me->location) : json_null(), "overlap", strict,
                  "from", s1, "until", s2, "travel_buffer_min", (json_int_t)(d->buffer / 60));
    /* Parts: the times and places (one part: any change there is material), then each person
     * and organisation needed at both, and the shared room. A resolved clash reopens only when
     * a part appears that it did not have: a remedy that happens (a substitute goes, so fewer
     * people are needed at both) is no news; a new time or someone new is (flags.c). */
    snprintf(f.fingerprint, sizeof f.fingerprint, "a%lld-%lld@%.60s;b%lld-%lld@%.60s",
             (long long)a->start, (long long)a->end, a->location, (long long)b->start,
             (long long)b->end, b->location);
    for (char *p = f.fingerprint; *p; p++)
        if (*p == ',')
            *p = ' ';
    size_t fl = strlen(f.fingerprint);
    snprintf(f.fingerprint + fl, sizeof f.fingerprint - fl, "%.200s%s", ids, place ? ",place" : "");
    rc = keep_key(d, f.key);
    if (rc) {
        json_decref(f.evidence);
        return rc;
    }
    return kt_flag_raise(d->c, &f, NULL) ? KT_EINVAL : 0;
}

int kt_conflicts_check(kt_ctx *c, int64_t meeting, int64_t buffer_s)
{
    mtg me;
    bool cancelled = false;
    int rc = load_meeting(c->st, meeting, &me, &cancelled);
    if (rc == KT_ENOTFOUND)
        return kt_flags_expire(c, "conflict", meeting, 0, NULL, 0);
    if (rc)
        return kt_fail_err(c, rc);
    if (cancelled)
        return kt_flags_expire(c, "conflict", meeting, 0, NULL, 0);
    ctxdata d = {.c = c, .me = &me, .buffer = buffer_s};
    cands cs = {0};
    int64_t from = me.start - buffer_s, to = me.end + buffer_s;
    rc = kt_conflicts_expected(c->st, me.body, meeting, &d.mine, &d.n_mine);
    if (!rc)
        rc = needed_orgs(c->st, meeting, d.mine, d.n_mine, &d.my_orgs);
    if (!rc)
        rc = real_candidates(c->st, me.body, from, to, &cs);
    if (!rc)
        rc = projected_candidates(c->st, me.body, from, to, &cs);
    char norm[200];
    norm_location(me.location, norm, sizeof norm);
    if (!rc && !virtual_location(norm))
        rc = location_candidates(c->st, &me, &cs);
    for (int i = 0; !rc && i < cs.n; i++)
        rc = evaluate(&d, &cs.v[i]);
    if (!rc)
        rc = kt_flags_expire(c, "conflict", meeting, 0, (const char *const *)d.keys, d.n_keys);
    for (int i = 0; i < d.n_keys; i++)
        free(d.keys[i]);
    free(d.keys);
    free(d.mine);
    free(cs.v);
    kt_ivec_free(&d.my_orgs);
    if (rc && c->code == KT_C_NONE)
        return kt_fail_err(c, rc);
    return rc ? -1 : 0;
}

int kt_conflicts_projection_dependents(kt_ctx *c, int64_t body, kt_ivec *out)
{
    sqlite3_stmt *s = kt_store_stmt(c->st, "SELECT DISTINCT meeting_a FROM flags WHERE body_b = "
                                           "?1 AND projected_b IS NOT NULL AND state <> "
                                           "'vervallen'");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, body);
    int rc = 0;
    while (!rc && sqlite3_step(s) == SQLITE_ROW)
        rc = kt_ivec_add(out, sqlite3_column_int64(s, 0));
    sqlite3_reset(s);
    return rc;
}

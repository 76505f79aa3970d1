#include "detect/conflicts.h"

#include "detect/flags.h"
#include "domain/cadence.h"
#include "domain/model.h"
#include "store/directory.h"
#include "store/flags.h"
#include "store/items.h"
#include "store/meetings.h"
#include "store/memberships.h"
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

/* Attendees are gathered in the order they are found, then sorted by person with that order
 * as the tie-break so that the first mention of a person (and its organisation) is the one kept:
 * a check per addition made a body of a few hundred members cost its square at every meeting. */
typedef struct found {
    kt_attendee a;
    int seq;
} found;

static int cmp_found(const void *a, const void *b)
{
    const found *x = a, *y = b;
    if (x->a.person != y->a.person)
        return x->a.person < y->a.person ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int add_attendee(found **v, int *n, int *cap, int64_t person, int64_t org)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        found *a = realloc(*v, (size_t)*cap * sizeof *a);
        if (!a)
            return KT_ENOMEM;
        *v = a;
    }
    (*v)[*n] = (found){{person, org}, *n};
    (*n)++;
    return 0;
}

typedef kt_attendance_row att;

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
    *org = 0;
    int rc = kt_store_person_org(st, person, org);
    return rc == KT_ENOTFOUND ? 0 : rc;
}

int kt_conflicts_expected(kt_store *st, int64_t body, int64_t meeting, kt_attendee **out, int *n)
{
    *out = NULL;
    *n = 0;
    int cap = 0, n_att = 0, n_roster = 0, rc = 0, nf = 0;
    found *f = NULL;
    att *atts = NULL;
    kt_roster_row *roster = NULL;
    if (meeting)
        rc = kt_store_attendance_rows(st, meeting, &atts, &n_att);
    if (!rc)
        rc = kt_store_roster(st, body, &roster, &n_roster);
    for (int i = 0; !rc && i < n_roster; i++) {
        const kt_roster_row *r = &roster[i];
        if (strcmp(r->role, "vaste_vervanger") == 0)
            continue;
        bool attends = strcmp(r->role, "voorzitter") == 0 || strcmp(r->role, "secretaris") == 0 ||
                       strcmp(r->role, "lid") == 0 || (strcmp(r->role, "gast") == 0 && !r->limited);
        if (attends && !registered_absent(atts, n_att, r->person))
            rc = add_attendee(&f, &nf, &cap, r->person, r->org);
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
                rc = add_attendee(&f, &nf, &cap, named, org);
            continue;
        }
        for (int k = 0; !rc && k < n_roster; k++)
            if (strcmp(roster[k].role, "vaste_vervanger") == 0 &&
                roster[k].substitute_for == atts[i].person &&
                !registered_absent(atts, n_att, roster[k].person))
                rc = add_attendee(&f, &nf, &cap, roster[k].person, roster[k].org);
    }
    free(atts);
    free(roster);
    if (!rc && nf) {
        qsort(f, (size_t)nf, sizeof *f, cmp_found);
        *out = malloc((size_t)nf * sizeof **out);
        if (!*out)
            rc = KT_ENOMEM;
        for (int i = 0; !rc && i < nf; i++)
            if (i == 0 || f[i].a.person != f[i - 1].a.person)
                (*out)[(*n)++] = f[i].a;
    }
    free(f);
    return rc;
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
    kt_meeting_slot slot;
    int rc = kt_store_meeting_slot(st, id, &slot);
    if (rc)
        return rc;
    memset(m, 0, sizeof *m);
    m->id = id;
    m->body = slot.body;
    m->start = slot.start;
    m->end = slot.end;
    snprintf(m->location, sizeof m->location, "%s", slot.location);
    *cancelled = slot.cancelled;
    return 0;
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

/* Collects the store's meeting slots as candidates. */
typedef struct collect {
    cands *out;
    int rc;
} collect;

static void collect_slot(void *arg, const kt_meeting_slot *slot)
{
    collect *c = arg;
    mtg m = {.id = slot->id, .body = slot->body, .start = slot->start, .end = slot->end};
    snprintf(m.location, sizeof m.location, "%s", slot->location);
    if (!c->rc)
        c->rc = cand_add(c->out, &m);
}

/* Planned meetings in [from, to) of the bodies that share a participating member with body:
 * where a conflict over people can come from (an organisation clash too: it needs one person in
 * both). */
static int real_candidates(kt_store *st, int64_t body, int64_t from, int64_t to, cands *out)
{
    collect c = {out, 0};
    int rc = kt_store_meetings_sharing(st, body, from, to, collect_slot, &c);
    return rc ? rc : c.rc;
}

/* Whether body called off a meeting near t on purpose. */
static bool called_off(kt_store *st, int64_t body, int64_t t)
{
    return kt_store_meeting_called_off(st, body, t - 86400, t + 86400) == 0;
}

/* Meetings the sharing bodies are expected to hold (from their cadence, after their last planned
 * meeting) that fall in [from, to). Only bodies whose last planned meeting starts before `to`
 * can have one. */
static int projected_candidates(kt_store *st, int64_t body, int64_t from, int64_t to, cands *out)
{
    kt_cadence_last lasts[64];
    int n = 0;
    int rc = kt_store_cadence_lasts(st, body, to, lasts, 64, &n);
    if (rc)
        return rc;
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
            rc = cand_add(out, &m);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int location_candidates(kt_store *st, const mtg *me, cands *out)
{
    collect c = {out, 0};
    int rc = kt_store_meetings_at(st, me->location, me->start - MAX_MEETING_SECONDS, me->end,
                                  me->start, me->body, collect_slot, &c);
    return rc ? rc : c.rc;
}

/* ---- evaluation ---- */

static json_t *person_json_short(kt_store *st, int64_t person)
{
    json_t *p = NULL;
    kt_store_person_get(st, person, &p);
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
    return kt_store_meeting_relevant_orgs(st, meeting, out);
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
            json_t *o = NULL;
            kt_store_org_get(st, org, &o);
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
        return kt_flags_expire(c, "conflict", meeting, 0, NULL, 0, false);
    if (rc)
        return kt_fail_err(c, rc);
    if (cancelled)
        return kt_flags_expire(c, "conflict", meeting, 0, NULL, 0, false);
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
        rc = kt_flags_expire(c, "conflict", meeting, 0, (const char *const *)d.keys, d.n_keys,
                             false);
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
    return kt_store_flags_projection_dependents(c->st, body, out);
}

#include "feed/ical.h"

#include "auth/acl.h"
#include "domain/model.h"
#include "feed/strbuf.h"
#include "protocol/ctx.h"
#include "store/bodies.h"
#include "store/meetings.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"

#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

#define TZ_NAME "Europe/Amsterdam"
#define DAY     86400

typedef kt_cal_meeting meeting;

/* One body's view, loaded once per calendar. */
typedef struct view {
    int64_t body;
    kt_viewer v;
    int64_t *items;
} view;

typedef struct views {
    view *v;
    size_t n;
} views;

/* The meetings of p's bodies (or of body) in [from, to): the KT_ICAL_MAX_EVENTS nearest to now. */
static int load_meetings(kt_store *st, int64_t person, int64_t body, int64_t from, int64_t to,
                         int64_t now, meeting **out, size_t *n_out)
{
    return kt_store_cal_meetings(st, person, body, from, to, now, KT_ICAL_MAX_EVENTS, out, n_out);
}

static void meetings_free(meeting *m, size_t n)
{
    kt_store_cal_meetings_free(m, n);
}

static const kt_viewer *view_of(kt_store *st, views *vs, const kt_principal *p, int64_t body)
{
    for (size_t i = 0; i < vs->n; i++)
        if (vs->v[i].body == body)
            return &vs->v[i].v;
    view *grown = realloc(vs->v, (vs->n + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    vs->v = grown;
    view *x = &vs->v[vs->n];
    x->body = body;
    if (kt_viewer_load(st, body, p, &x->v, &x->items))
        return NULL;
    vs->n++;
    return &x->v;
}

static void views_free(views *vs)
{
    for (size_t i = 0; i < vs->n; i++)
        free(vs->v[i].items);
    free(vs->v);
}

/* ---- time ---- */

static struct icaltimetype utc_time(int64_t t)
{
    return icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
}

/* Local wall-clock time in tz, written with our own TZID parameter (libical's zones carry a
 * "/freeassociation.sourceforge.net/" prefix that calendar clients do not know). */
static icalproperty *local_prop(icalproperty *(*make)(struct icaltimetype), int64_t t,
                                icaltimezone *tz)
{
    if (!tz)
        return make(utc_time(t));
    struct icaltimetype tt = icaltime_from_timet_with_zone((time_t)t, 0, tz);
    tt.zone = NULL;
    icalproperty *p = make(tt);
    icalproperty_add_parameter(p, icalparameter_new_tzid(TZ_NAME));
    return p;
}

/* The zone's VTIMEZONE without the observances that ended before from: what remains still
 * defines every local time the calendar uses, at a tenth of the size. */
static bool observance_ended(icalcomponent *obs, int64_t from)
{
    icalproperty *rr = icalcomponent_get_first_property(obs, ICAL_RRULE_PROPERTY);
    if (rr) {
        struct icalrecurrencetype r = icalproperty_get_rrule(rr);
        return !icaltime_is_null_time(r.until) && icaltime_as_timet(r.until) < from;
    }
    int64_t last = icaltime_as_timet(icalcomponent_get_dtstart(obs));
    for (icalproperty *rd = icalcomponent_get_first_property(obs, ICAL_RDATE_PROPERTY); rd;
         rd = icalcomponent_get_next_property(obs, ICAL_RDATE_PROPERTY)) {
        struct icaldatetimeperiodtype d = icalproperty_get_rdate(rd);
        int64_t t = icaltime_as_timet(d.time);
        if (t > last)
            last = t;
    }
    return last < from;
}

static icalcomponent *vtimezone(icaltimezone *tz, int64_t from)
{
    icalcomponent *vtz = icalcomponent_new_clone(icaltimezone_get_component(tz));
    if (!vtz)
        return NULL;
    icalproperty *id = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
    if (id)
        icalproperty_set_tzid(id, TZ_NAME);
    icalcomponent *drop[64];
    int n_drop = 0, n_keep = 0;
    for (icalcomponent *c = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
        if (observance_ended(c, from) && n_drop < 64)
            drop[n_drop++] = c;
        else
            n_keep++;
    }
    for (int i = 0; n_keep > 0 && i < n_drop; i++) {
        icalcomponent_remove_component(vtz, drop[i]);
        icalcomponent_free(drop[i]);
    }
    return vtz;
}

static icaltimezone *amsterdam(void)
{
    static bool warned;
    icaltimezone *tz = icaltimezone_get_builtin_timezone(TZ_NAME);
    if (!tz && !warned) {
        warned = true;
        kt_warn("no time zone data for " TZ_NAME ": calendars use UTC", NULL);
    }
    return tz;
}

/* ---- events ---- */

static void meeting_url(const kt_app *app, int64_t id, char *buf, size_t n)
{
    const char *base = app->cfg.public_url ? app->cfg.public_url : "";
    size_t len = strlen(base);
    while (len > 0 && base[len - 1] == '/')
        len--;
    snprintf(buf, n, "%.*s/#/vergadering/%lld", (int)len, base, (long long)id);
}

/* The agenda titles v may see, numbered as v sees them (numbers with gaps would tell that
 * something is hidden). */
static char *description(kt_store *st, const meeting *m, const kt_viewer *v, const char *url)
{
    kt_strbuf b = {0};
    if (strcmp(m->status, "geannuleerd") == 0)
        kt_sb_add(&b, "Deze vergadering is geannuleerd.\n\n");
    json_t *items = v ? kt_items_titles(st, m->id, v) : json_array();
    size_t i;
    json_t *it;
    if (json_array_size(items) == 0) {
        kt_sb_add(&b, "Nog geen agendapunten.\n");
    } else {
        kt_sb_add(&b, "Agenda:\n");
        json_array_foreach(items, i, it)
        {
            if (i == KT_ICAL_MAX_TITLES) {
                kt_sb_addf(&b, "... en nog %zu punten\n", json_array_size(items) - i);
                break;
            }
            kt_sb_addf(&b, "%zu. %s\n", i + 1, json_string_value(json_object_get(it, "title")));
        }
    }
    json_decref(items);
    kt_sb_addf(&b, "\nIn ketentafel: %s", url);
    return kt_sb_take(&b);
}

static icalcomponent *vevent(kt_app *app, const meeting *m, const kt_viewer *v, icaltimezone *tz)
{
    char uid[64], url[512];
    snprintf(uid, sizeof uid, "meeting-%lld@ketentafel", (long long)m->id);
    meeting_url(app, m->id, url, sizeof url);
    char *desc = description(app->store, m, v, url);
    if (!desc)
        return NULL;
    bool cancelled = strcmp(m->status, "geannuleerd") == 0;
    /* A meeting still in concept may yet move: a calendar shows it as tentative. */
    bool tentative = strcmp(m->status, "concept") == 0;
    char summary[300];
    snprintf(summary, sizeof summary, cancelled ? "%s (geannuleerd)" : "%s", m->body_name);
    icalcomponent *ev = icalcomponent_vanew(
        ICAL_VEVENT_COMPONENT, icalproperty_new_uid(uid),
        icalproperty_new_dtstamp(utc_time(m->updated)),
        icalproperty_new_created(utc_time(m->created)),
        icalproperty_new_lastmodified(utc_time(m->updated)),
        icalproperty_new_sequence((int)m->version),
        local_prop(icalproperty_new_dtstart, m->start, tz),
        local_prop(icalproperty_new_dtend, m->end, tz), icalproperty_new_summary(summary),
        icalproperty_new_status(cancelled   ? ICAL_STATUS_CANCELLED
                                : tentative ? ICAL_STATUS_TENTATIVE
                                            : ICAL_STATUS_CONFIRMED),
        icalproperty_new_url(url), icalproperty_new_description(desc), (void *)0);
    free(desc);
    if (ev && m->location[0])
        icalcomponent_add_property(ev, icalproperty_new_location(m->location));
    return ev;
}

static icalproperty *x_prop(const char *name, const char *value)
{
    icalproperty *p = icalproperty_new_x(value);
    icalproperty_set_x_name(p, name);
    return p;
}

static icalcomponent *vcalendar(const char *name)
{
    icalcomponent *cal = icalcomponent_vanew(
        ICAL_VCALENDAR_COMPONENT, icalproperty_new_prodid("-//ketentafel//ketentafel//NL"),
        icalproperty_new_version("2.0"), icalproperty_new_calscale("GREGORIAN"),
        icalproperty_new_method(ICAL_METHOD_PUBLISH), (void *)0);
    if (!cal)
        return NULL;
    icalcomponent_add_property(cal, x_prop("X-WR-CALNAME", name));
    icalcomponent_add_property(cal, x_prop("X-WR-TIMEZONE", TZ_NAME));
    icalcomponent_add_property(cal, x_prop("X-PUBLISHED-TTL", "PT1H"));
    return cal;
}

/* A meeting's place in a calendar cut at its bytes: the meetings nearest to now first, then by
 * start, then id. */
typedef struct nearness {
    int64_t distance, start, id;
    size_t i;
} nearness;

static int by_distance(const void *a, const void *b)
{
    const nearness *x = a, *y = b;
    if (x->distance != y->distance)
        return x->distance < y->distance ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static void calendar_name(kt_store *st, const kt_principal *p, int64_t body, char *buf, size_t n)
{
    char name[256];
    if (body && kt_store_body_name(st, body, name, sizeof name) == 0)
        snprintf(buf, n, "%s (ketentafel)", name);
    else
        snprintf(buf, n, "Vergaderingen van %s (ketentafel)", p->name);
}

char *kt_ical_render(kt_app *app, const kt_principal *p, int64_t body, int64_t now)
{
    int64_t from = now - (int64_t)KT_ICAL_PAST_DAYS * DAY;
    int64_t to = now + (int64_t)KT_ICAL_AHEAD_DAYS * DAY;
    meeting *ms;
    size_t n;
    if (load_meetings(app->store, p->person, body, from, to, now, &ms, &n))
        return NULL;
    char name[300];
    calendar_name(app->store, p, body, name, sizeof name);
    icaltimezone *tz = amsterdam();
    icalcomponent *cal = vcalendar(name);
    bool ok = cal != NULL;
    if (ok && tz) {
        icalcomponent *vtz = vtimezone(tz, from);
        ok = vtz != NULL;
        if (ok)
            icalcomponent_add_component(cal, vtz);
    }
    /* The meetings nearest to now first, while their events stay within KT_ICAL_EVENT_BYTES;
     * then put in the calendar in start order. */
    views vs = {0};
    nearness *order = n ? malloc(n * sizeof *order) : NULL;
    icalcomponent **evs = n ? calloc(n, sizeof *evs) : NULL;
    ok = ok && (!n || (order && evs));
    for (size_t i = 0; ok && i < n; i++)
        order[i] = (nearness){ms[i].start > now ? ms[i].start - now : now - ms[i].start,
                              ms[i].start, ms[i].id, i};
    if (ok && n)
        qsort(order, n, sizeof *order, by_distance);
    size_t bytes = 0;
    for (size_t k = 0; ok && k < n; k++) {
        const meeting *m = &ms[order[k].i];
        icalcomponent *ev = vevent(app, m, view_of(app->store, &vs, p, m->body), tz);
        char *text = ev ? icalcomponent_as_ical_string_r(ev) : NULL;
        ok = text != NULL;
        size_t len = text ? strlen(text) : 0;
        if (text)
            icalmemory_free_buffer(text);
        if (ok && k > 0 && bytes + len > KT_ICAL_EVENT_BYTES) {
            icalcomponent_free(ev);
            kt_debug("calendar cut", "person=%lld body=%lld meetings=%zu of %zu",
                     (long long)p->person, (long long)body, k, n);
            break;
        }
        if (ev)
            evs[order[k].i] = ev;
        bytes += len;
    }
    for (size_t i = 0; i < n && evs; i++)
        if (evs[i]) {
            if (ok)
                icalcomponent_add_component(cal, evs[i]);
            else
                icalcomponent_free(evs[i]);
        }
    free(evs);
    free(order);
    views_free(&vs);
    meetings_free(ms, n);
    char *text = ok ? icalcomponent_as_ical_string_r(cal) : NULL;
    if (cal)
        icalcomponent_free(cal);
    if (!text)
        return NULL;
    char *out = strdup(text);
    icalmemory_free_buffer(text);
    return out;
}

void kt_ical_shutdown(void)
{
    icaltimezone_free_builtin_timezones();
    icalmemory_free_ring();
}

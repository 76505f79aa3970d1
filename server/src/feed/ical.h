/* Calendars in iCalendar (RFC 5545), built with libical: one VEVENT per meeting with a stable
 * UID (meeting-<id>@ketentafel), SEQUENCE from the meeting's version (bumped on every move or
 * status change), STATUS:CANCELLED for cancelled meetings, TENTATIVE for those in concept,
 * CONFIRMED for the others, local times in Europe/Amsterdam
 * with its VTIMEZONE, and the agenda titles the reader may see in the description. */
#ifndef KT_ICAL_H
#define KT_ICAL_H

#include "app.h"
#include "auth/session.h"

#include <stdint.h>

/* Meetings from 90 days before now to 400 days after it; rendering runs on the event loop, so
 * it is bounded: at most 1000 meetings (about 50 ms) and 100 agenda titles per meeting. */
#define KT_ICAL_PAST_DAYS  90
#define KT_ICAL_AHEAD_DAYS 400
#define KT_ICAL_MAX_EVENTS 1000
#define KT_ICAL_MAX_TITLES 100
/* A calendar program fetches the whole calendar (it knows no pages), so its size is bounded
 * instead: the meetings nearest to now, while their events stay within 1 MiB (the one that
 * passes it left out; the zone and header are a few KB more). */
#define KT_ICAL_EVENT_BYTES (1024 * 1024)

/* The calendar of p: the meetings of every body p is a member of (body 0), or of that one body
 * (the caller has checked the membership). Agenda titles pass kt_acl_visible() for p's view of
 * each body. Returns malloc'd text (the caller frees it) or NULL when out of memory. */
char *kt_ical_render(kt_app *app, const kt_principal *p, int64_t body, int64_t now);

/* Frees libical's cache of zones (at exit). */
void kt_ical_shutdown(void);

#endif

/* Meetings (vergaderingen), their attendance and minutes. JSON results are new references. */
#ifndef KT_STORE_MEETINGS_H
#define KT_STORE_MEETINGS_H

#include "util/ivec.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kt_store;

/* The body a meeting belongs to: 0 or KT_ENOTFOUND. */
int kt_store_meeting_body(struct kt_store *st, int64_t meeting, int64_t *body);
/* Its body and status (e.g. "concept", "geannuleerd"): 0 or KT_ENOTFOUND. */
int kt_store_meeting_state(struct kt_store *st, int64_t meeting, int64_t *body, char *status,
                           size_t n);

/* {id, body, start, end, location, status, version, updated_at, body_name}: 0 or KT_ENOTFOUND. */
int kt_store_meeting_get(struct kt_store *st, int64_t id, json_t **out);
/* body's meetings that overlap [from, to), by start, appended to arr. */
int kt_store_meetings_list(struct kt_store *st, int64_t body, int64_t from, int64_t to,
                           json_t *arr);
/* The same, a page: only meetings after (after_start, after_id) in that order (after_id 0: from
 * the first), at most limit. */
int kt_store_meetings_page(struct kt_store *st, int64_t body, int64_t from, int64_t to,
                           int64_t after_start, int64_t after_id, int limit, json_t *arr);
/* At most limit meetings of person's bodies overlapping [from, to), by start, each with the
 * person's "role" there. */
int kt_store_meetings_upcoming(struct kt_store *st, int64_t person, int64_t from, int64_t to,
                               int limit, json_t *arr);

/* A meeting as calendars need it. Strings malloc'd: kt_store_cal_meetings_free(). */
typedef struct kt_cal_meeting {
    int64_t id, body, start, end, version, created, updated;
    char *body_name, *location;
    char status[32];
} kt_cal_meeting;
/* The max meetings nearest to now (by the distance of their start; then by start, id) of
 * person's bodies (or only body, when not 0) that start in [from, to), by start: a person with
 * more meetings in the window gets those around now, not the oldest. Read through the (body,
 * start) index within the window, never the history before it. *out malloc'd. */
int kt_store_cal_meetings(struct kt_store *st, int64_t person, int64_t body, int64_t from,
                          int64_t to, int64_t now, size_t max, kt_cal_meeting **out, size_t *n);
void kt_store_cal_meetings_free(kt_cal_meeting *m, size_t n);

/* location NULL: the body's usual place; status NULL: "concept". */
int kt_store_meeting_insert(struct kt_store *st, int64_t body, int64_t start, int64_t end,
                            const char *location, const char *status, int64_t now, int64_t *id);
/* Sets the times; location/status NULL leave them; bump raises the version (a change people
 * must hear about). */
int kt_store_meeting_update(struct kt_store *st, int64_t id, int64_t start, int64_t end,
                            const char *location, const char *status, bool bump, int64_t now);
/* Sets the status alone (the version goes up). 0 or KT_ENOTFOUND. */
int kt_store_meeting_status_set(struct kt_store *st, int64_t id, const char *status, int64_t now);
/* KT_ESTATE when the meeting is cancelled already. */
int kt_store_meeting_cancel(struct kt_store *st, int64_t id, int64_t now);
/* concept -> agenda_gepubliceerd; KT_ESTATE from any other status. */
int kt_store_meeting_publish(struct kt_store *st, int64_t id, int64_t now);

/* Saves the minutes. rev >= 0: only when the stored revision is still rev (else KT_ECONFLICT). */
int kt_store_minutes_save(struct kt_store *st, int64_t meeting, const char *text, int64_t by,
                          int64_t rev, int64_t now);
/* {minutes, minutes_by, minutes_at, minutes_rev}: 0 or KT_ENOTFOUND. */
int kt_store_minutes_get(struct kt_store *st, int64_t meeting, json_t **out);

/* ---- attendance ---- */

/* One line of a meeting's attendance. A person of the directory (person), or someone who is
 * not in it, by name (person 0). Strings borrowed. */
typedef struct kt_store_attendance {
    int64_t person;
    const char *name;     /* with person 0: who (unique within the meeting) */
    int64_t org;          /* the organisation they came for (0: none, see org_name) */
    const char *org_name; /* with org 0: as text (may be NULL) */
    const char *status;   /* aanwezig, afwezig, vervangen (absent, substitute goes), later */
    const char *notice;   /* absent: met_bericht / zonder_bericht, or NULL */
    bool leaves_early;
    int64_t substitute;          /* with vervangen: who goes instead (0: none named) */
    const char *substitute_name; /* with vervangen and substitute 0: a name as written, or NULL */
    const char *substitute_kind; /* eenmalig (default) or vast */
    const char *role;            /* voorzitter, notulist, gast (an import's), or NULL */
    const char *note;
} kt_store_attendance;

/* Sets (inserts or replaces) a line of meeting's attendance; *id: the line. */
int kt_store_attendance_set(struct kt_store *st, int64_t meeting, const kt_store_attendance *a,
                            int64_t by, int64_t now, int64_t *id);
/* [{id, person, name, org, org_name, status, notice, leaves_early, substitute, substitute_name,
 * substitute_org_name, substitute_kind, role, note}] by name. */
int kt_store_attendance_list(struct kt_store *st, int64_t meeting, json_t *arr);
/* One line in that shape, of a person (person != 0) or by name: 0 or KT_ENOTFOUND. */
int kt_store_attendance_get(struct kt_store *st, int64_t meeting, int64_t person, const char *name,
                            json_t **out);
/* Removes line id of meeting: 0 or KT_ENOTFOUND. */
int kt_store_attendance_remove(struct kt_store *st, int64_t meeting, int64_t id);
/* Line id of meeting in that shape: 0 or KT_ENOTFOUND. */
int kt_store_attendance_by_id(struct kt_store *st, int64_t meeting, int64_t id, json_t **out);
/* Takes role (voorzitter, notulist) from every line of meeting but line except; appends the
 * lines it was taken from to cleared. */
int kt_store_attendance_role_clear(struct kt_store *st, int64_t meeting, const char *role,
                                   int64_t except, kt_ivec *cleared);
/* The lines of meeting with a standing substitute (substitute_kind vast), appended to arr. */
int kt_store_attendance_standing(struct kt_store *st, int64_t meeting, json_t *arr);

/* ---- for the detectors ---- */

/* A meeting's place in time, as the conflict detector sees it. */
typedef struct kt_meeting_slot {
    int64_t id, body, start, end;
    bool cancelled;
    char location[200];
} kt_meeting_slot;
typedef void (*kt_meeting_slot_fn)(void *arg, const kt_meeting_slot *m);

/* 0 or KT_ENOTFOUND. */
int kt_store_meeting_slot(struct kt_store *st, int64_t id, kt_meeting_slot *out);
/* Not cancelled meetings overlapping [from, to) of the bodies that share a participating (not
 * observing) member with body: fn(arg, slot) for each. */
int kt_store_meetings_sharing(struct kt_store *st, int64_t body, int64_t from, int64_t to,
                              kt_meeting_slot_fn fn, void *arg);
/* Not cancelled meetings of other bodies than body at location (case-insensitive) that start in
 * (start_after, start_before) and end after ends_after. */
int kt_store_meetings_at(struct kt_store *st, const char *location, int64_t start_after,
                         int64_t start_before, int64_t ends_after, int64_t body,
                         kt_meeting_slot_fn fn, void *arg);
/* 0 when body cancelled a meeting that starts in [from, to], KT_ENOTFOUND when not. */
int kt_store_meeting_called_off(struct kt_store *st, int64_t body, int64_t from, int64_t to);
/* Not cancelled meetings of body overlapping [from, to), by start, at most limit: ids. */
int kt_store_meetings_coming(struct kt_store *st, int64_t body, int64_t from, int64_t to, int limit,
                             kt_ivec *out);

/* The last planned meeting of a body with a cadence. */
typedef struct kt_cadence_last {
    int64_t body, start, end;
    char cadence[16], location[200];
} kt_cadence_last;
/* For the bodies sharing a participating member with body that have a cadence and whose last
 * planned meeting starts before `to`: at most max of them. */
int kt_store_cadence_lasts(struct kt_store *st, int64_t body, int64_t to, kt_cadence_last *out,
                           int max, int *n);

/* A line of a meeting's attendance list. */
typedef struct kt_attendance_row {
    int64_t person, substitute;
    char status[16];
} kt_attendance_row;
/* *out malloc'd (NULL when none). */
int kt_store_attendance_rows(struct kt_store *st, int64_t meeting, kt_attendance_row **out, int *n);

/* Calls fn(arg, body, start) for every meeting not cancelled that starts in [from, to). */
int kt_store_meeting_starts(struct kt_store *st, int64_t from, int64_t to,
                            void (*fn)(void *arg, int64_t body, int64_t start), void *arg);

/* The highest meeting id (0 when none). */
int kt_store_meeting_last_id(struct kt_store *st, int64_t *id);

#endif

/* Notifications (meldingen) per person, their preferences, and the daily digests. Whether a
 * person may still see what a notification is about is decided when it is read (its item can
 * have become confidential since): kt_store_notification_about() gives what to check. */
#ifndef KT_STORE_NOTIFICATIONS_H
#define KT_STORE_NOTIFICATIONS_H

#include "util/ivec.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kt_store;

/* A notification to store. ids 0: none. dedupe NULL or "": no once-only key. burst NULL or "":
 * not one of a run of changes (kt_store_notification_burst); burst_what: what changed so far. */
typedef struct kt_note_new {
    int64_t person, body, meeting, item, action, flag, actor;
    const char *kind, *delivery, *title, *text, *link, *dedupe, *burst, *burst_what;
} kt_note_new;
/* Stores n at now: *id = the new id, or 0 when its dedupe key was used before (nothing stored). */
int kt_store_notification_insert(struct kt_store *st, const kt_note_new *n, int64_t now,
                                 int64_t *id);
/* {id, kind, title, text, link, body, meeting, item, action, flag, actor, actor_name, created_at,
 * read, delivery, body_name}: 0 or KT_ENOTFOUND. */
int kt_store_notification_get(struct kt_store *st, int64_t id, json_t **out);
/* Delivers n to n->person at now as that person wants it (n->delivery is not read): stores it
 * with delivery "direct" or "digest" from their preference for n->kind, and sets *out to the
 * stored notification in kt_store_notification_get's shape. *out NULL and 0 when nothing was
 * stored: the person is not active (deactivated, erased), turned the kind off, or the dedupe
 * key was used before. One round trip on PostgreSQL. */
int kt_store_notification_deliver(struct kt_store *st, const kt_note_new *n, int64_t now,
                                  json_t **out);
/* The notification a change by n->actor continues: person n->person's newest one of burst
 * n->burst (same kind, body and actor) whose last change was at or after since and that is not
 * in a digest yet. *id 0 when there is none; else what changed so far into what (size n). */
int kt_store_notification_burst(struct kt_store *st, const kt_note_new *n, int64_t since,
                                int64_t *id, char *what, size_t size);
/* Merges a change into notification id at now: its title, text and burst_what become n's, it is
 * unread again, and *out is the stored notification (kt_store_notification_get's shape). */
int kt_store_notification_merge(struct kt_store *st, int64_t id, const kt_note_new *n, int64_t now,
                                json_t **out);
/* A notification's events on its person's stream (-person) before seq, superseded by the one at
 * seq that carries it as it is now (a merged change, feed/notify.c): deleted, so a run of
 * changes keeps one stored event per notification, not one per change. The stream's lowest
 * kept event stays (it marks how far retention has cut: live/hub.c answers a since below it
 * with invalid_since); the seqs removed replay as stream.skipped. *n: how many went. */
int kt_store_notification_supersede(struct kt_store *st, int64_t person, int64_t id, int64_t seq,
                                    int64_t *n);
/* Everything a notification is about, to decide when it is read whether person may still
 * see it: 0 or KT_ENOTFOUND (not theirs or not there). */
typedef struct kt_note_about {
    int64_t body, item, action, flag; /* 0: none */
    char kind[16];
} kt_note_about;
int kt_store_notification_about(struct kt_store *st, int64_t id, int64_t person,
                                kt_note_about *out);
/* Ids of person's notifications with id < before (only unread ones when unread), newest first,
 * at most limit. */
int kt_store_notifications_ids(struct kt_store *st, int64_t person, int64_t before, bool unread,
                               int64_t limit, kt_ivec *out);
/* Marks person's notification id (KT_ENOTFOUND when not theirs), or all of them, read at now. */
int kt_store_notification_read(struct kt_store *st, int64_t person, int64_t id, int64_t now);
int kt_store_notifications_read_all(struct kt_store *st, int64_t person, int64_t now);

/* ---- preferences ---- */

/* Sets kind -> mode in obj for every preference person set. */
int kt_store_prefs_get(struct kt_store *st, int64_t person, json_t *obj);
int kt_store_pref_set(struct kt_store *st, int64_t person, const char *kind, const char *mode);
/* How many days ahead person wants to hear of due dates. */
int kt_store_due_days(struct kt_store *st, int64_t person, int64_t *days);
int kt_store_due_days_set(struct kt_store *st, int64_t person, int64_t days);

/* ---- the daily digest ---- */

/* Active persons with digest notifications created before cutoff and no digest claimed for day,
 * at most limit. */
int kt_store_digest_pending(struct kt_store *st, int64_t cutoff, const char *day, int limit,
                            kt_ivec *out);
/* Claims person's digest of day for node: *claimed false when another node has it. */
int kt_store_digest_claim(struct kt_store *st, int64_t person, const char *day, const char *node,
                          bool *claimed);
/* Releases an unsent claim (nothing was tried). */
int kt_store_digest_release(struct kt_store *st, int64_t person, const char *day);
/* Records the outcome: sent at sent_at, or error (then sent_at 0). */
int kt_store_digest_record(struct kt_store *st, int64_t person, const char *day, int64_t sent_at,
                           const char *error);
/* person's undigested digest notifications created before cutoff, oldest first. */
int kt_store_digest_notes(struct kt_store *st, int64_t person, int64_t cutoff, int limit,
                          kt_ivec *out);
/* person's unread direct notifications created in [from, to), newest first. */
int kt_store_unread_direct(struct kt_store *st, int64_t person, int64_t from, int64_t to, int limit,
                           kt_ivec *out);
/* Marks notification id digested at now (once). */
int kt_store_notification_digested(struct kt_store *st, int64_t id, int64_t now);

/* Marks every unread notification of everyone read at now (demo data starts quiet). */
int kt_store_notifications_read_everyone(struct kt_store *st, int64_t now);

#endif

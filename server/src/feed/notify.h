/* Notifications (meldingen): what concerns a person, derived from committed events after the
 * change itself has committed (never for one's own actions, never about what the person may
 * not see), stored per person, pushed live on the person's stream (-person) when they chose
 * "direct", collected for the daily digest when they chose "digest", dropped when "off". */
#ifndef KT_NOTIFY_H
#define KT_NOTIFY_H

#include "app.h"
#include "live/event.h"
#include "store/store.h"

#include <jansson.h>

/* A change merges into the notification of an earlier change of the same burst (the same person
 * changing the same meeting, published agenda or action) while the last change merged into it is
 * at most --notify-burst-secs (kt_config.notify_burst_secs: 600 by default, at most 3600; 0:
 * never) old (kt_now()), and it is not in a digest yet. */

/* The kinds a person can set a preference for, NULL-terminated. */
extern const char *const kt_notify_kinds[];
extern const char *const kt_notify_modes[];

/* The stream of a person's notifications (an event stream like a body's). */
static inline int64_t kt_person_stream(int64_t person)
{
    return -person;
}

/* Derives and stores the notifications of committed events through c, whose write transaction
 * is open (react/react.h runs this after the change committed). 0 or -1 (error recorded in c). */
struct kt_ctx;
int kt_notify_react(struct kt_ctx *c, kt_event *const *events, int n);
/* Whether kt_notify_react could notify anyone of these events (read through st, in the write's
 * own transaction): false only when it certainly would not, e.g. for a chat message that
 * mentions nobody. result: the change's own result (may be NULL); a message in it is not read
 * again. */
bool kt_notify_wants(kt_store *st, kt_event *const *events, int n, const json_t *result);

/* Actions due soon (per the owner's due_days) or overdue: once per action and due date. Commits
 * and queues the events (kt_ctx_defer_publish); the caller publishes them (kt_dispatch_publish). */
void kt_notify_due_scan(kt_app *app);

#endif

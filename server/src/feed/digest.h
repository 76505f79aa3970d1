/* The daily digest by e-mail: once a day, from the configured hour (Europe/Amsterdam), every
 * person with notifications they chose to get as a digest receives one message in Dutch
 * (text and HTML, grouped by body, absolute links) through the SMTP relay.
 *
 * What goes in: the person's undigested 'digest' notifications, and, in a short second part,
 * their unread 'direct' notifications of the past day (whoever gets a digest anyway should not
 * have to open the app to see what they missed). A person with no 'digest' notifications gets
 * no mail: 'direct' means "in the app". Everything passes kt_notification_visible().
 *
 * One message per person per day, across nodes: a pass claims digests(person, day) with
 * INSERT OR IGNORE before composing, so of several nodes exactly one sends. A failed send is
 * recorded (digests.error) and not retried that day; its notifications stay undigested and go
 * with the next day's digest. Composing reads the store on the loop thread, in batches;
 * sending runs on the digest's own worker thread, so a slow relay never stalls the loop or the
 * logins. Without a relay (no --smtp-url) nothing runs and /healthz says so. */
#ifndef KT_DIGEST_H
#define KT_DIGEST_H

#include "app.h"

#include <jansson.h>
#include <stdbool.h>

typedef struct kt_digest kt_digest;

/* Starts the daily schedule on app->lws (after kt_server_start). NULL when no relay is
 * configured, or on failure (logged). Release with kt_digest_stop() before the server goes. */
kt_digest *kt_digest_start(kt_app *app);

/* Loop thread, after a wake-up: records the sends that finished. */
void kt_digest_drain(kt_digest *d);

/* Aborts a send in progress, records what finished, releases today's unsent claims. */
void kt_digest_stop(kt_digest *d);

/* Sends one message (a password link) through the relay on the digest's worker thread; takes
 * the contents of m (left empty). kt_digest_start() sets it as app->send_mail, through which
 * protocol/dispatch.c (a layer below) sends a committed write's mail. KT_EINVAL when no relay is
 * configured (d NULL). A failure is logged and shown in /healthz, like a digest's. */
struct kt_mail;
int kt_digest_mail(kt_digest *d, struct kt_mail *m);

/* {"configured": false} or the schedule and the last pass's counts (new reference). */
json_t *kt_digest_health(const kt_app *app);

/* The `digest` command: one pass now, synchronously (any_hour: also before the digest hour).
 * Returns 0 when every message went out (or there was nothing to send), KT_EINVAL when no
 * relay is configured, KT_EIO when a send failed. */
int kt_digest_run_once(kt_app *app, bool any_hour, int *sent, int *failed);

#endif

/* Retention enforced by the server: every kind of data (store/retention.h) goes when the period
 * set for it (--retain-*-days) has passed. The server runs this at start and hourly from its
 * housekeeping; `ketentafel retention` runs it once. Loop thread (or a command's only thread). */
#ifndef KT_PRIVACY_RETENTION_H
#define KT_PRIVACY_RETENTION_H

#include "app.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* One pass at now (unix seconds): for each kind with a period, removes in batches of at most
 * 1000 rows, one transaction each, up to 20,000 rows a kind. *more (may be NULL) is set when a
 * kind had more than that left (the caller runs it again soon). When anything went, the pass is
 * written to the audit log ("retention.run", actor: the server). *report (may be NULL) receives
 * {at, kinds: [{kind, days, cutoff, removed}]} (new reference). 0 or a KT_E* (what went before
 * the error stays gone). */
int kt_retention_run(kt_app *app, int64_t now, bool *more, json_t **report);

/* The policy as administrators see it (retention.get): [{kind, days, cutoff, oldest}] with
 * cutoff and oldest as ISO 8601 times or null, and the last run from the audit log. New
 * reference, or NULL on a store error. */
json_t *kt_retention_status(kt_app *app, int64_t now);

#endif

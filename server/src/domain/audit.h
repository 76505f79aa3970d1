/* The change log of a body's records (issue 11, "who did what"). Every change of an action or
 * besluit, an agenda item, a meeting, a membership, the notes of an item and the verslag's
 * versions becomes an entry of the audit log (store/audit.h), written in the transaction of the
 * change: who, when, what (the event type and its subject), the state after it and each field
 * that changed with its value before and after. It is derived from the events the ops emit:
 * kt_emit() calls kt_audit_event() for every event of a body, so no op changes these records
 * without an entry. The state before is the state after of the entry before about the same
 * subject (none: the first entry, "first": true, e.g. for records older than the log).
 *
 * Entries are read through kt_audit_visible(): the one visibility function, at read time, with
 * the subject as it is now (an action or notes by their item's audience, an item by its own;
 * an item that is gone by whether it was confidential when it went: then by nobody, else the
 * members see that it was changed and removed, by whom and when, and nothing of what it said). */
#ifndef KT_DOMAIN_AUDIT_H
#define KT_DOMAIN_AUDIT_H

#include "protocol/ctx.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Records the entry for an event of body (data borrowed: the event's full data as the op
 * emitted it). Events that change none of the records above record nothing. 0 or a KT_E*. */
int kt_audit_event(kt_ctx *c, int64_t body, const char *type, json_t *data);

/* Whether viewer v of body may see entry e (a row of kt_store_audit_list); *ok receives it,
 * *redact whether only the fact may be shown (about an item that is gone). 0 or a KT_E*. */
int kt_audit_visible(kt_store *st, int64_t body, const kt_viewer *v, json_t *e, bool *ok,
                     bool *redact);

/* The entry as clients get it: {id, at, actor, actor_name, action, subject_kind, subject, item,
 * title, changes, first} (new reference), as v may see it now: item ids v may not see (a
 * guest's limit, an agenda's order) left out; redact: title null and no changes. */
json_t *kt_audit_public(kt_store *st, const kt_viewer *v, json_t *e, bool redact);

#endif

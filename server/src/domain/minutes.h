/* The verslag of a meeting as readers see it: the notes under each agenda item and the
 * outcomes (besluiten, toezeggingen, actiepunten) recorded at it. Every function here reads at
 * the time of the call and leaves out what the viewer may not see (kt_acl_visible), so a
 * confidential item's notes and outcomes only reach its audience. */
#ifndef KT_DOMAIN_MINUTES_H
#define KT_DOMAIN_MINUTES_H

#include "protocol/ctx.h"

#include <jansson.h>
#include <stdint.h>

/* The notes of the items of agenda (an array of item JSON the viewer may see): {"12": {item,
 * text, by, at, rev}}; items without notes are left out. New reference. */
json_t *kt_minutes_notes(kt_ctx *c, json_t *agenda);

/* The outcomes of meeting that c->viewer may see (array of action JSON). 0 or -1 (error
 * recorded in c); *out a new reference. */
int kt_minutes_outcomes(kt_ctx *c, int64_t meeting, json_t **out);

/* Fails with invalid_state (and returns -1) when meeting's verslag is vastgesteld: its notes,
 * outcomes and attendance no longer change. 0 otherwise (also for meeting 0). */
int kt_minutes_frozen(kt_ctx *c, int64_t meeting);

/* A verslag that was vastgesteld before it was imported (import.commit with that status): kept
 * as its vastgesteld version, with note, and read-only from now on (minutes.approved, with no
 * meeting it was approved at). 0 or -1 (error recorded in c). */
int kt_minutes_keep_approved(kt_ctx *c, int64_t meeting, const char *note);

#endif

/* Retention: what goes when its period has passed (the AVG's storage limitation). One kind at a
 * time, in batches, inside the caller's transaction; privacy/retention.c decides the periods
 * and the schedule. What each kind covers:
 *   CHAT           chat messages (channels and item threads), by when they were posted
 *   MINUTES        verslagen: a meeting's minutes text (blanked), the notes per agenda item, and
 *                  the besluiten of that meeting, by the meeting's start (besluiten by their date)
 *   ACTIONS        actiepunten and toezeggingen that are done (afgerond, vervallen), by their
 *                  last change
 *   NOTIFICATIONS  meldingen, read or not, by when they were made
 *   EVENTS         the event log of every stream, by when the event was written; a stream's
 *                  head (its last seq) stays, so seqs are never given twice
 *   AUDIT          the audit log, by when the entry was written */
#ifndef KT_STORE_RETENTION_H
#define KT_STORE_RETENTION_H

#include <stdint.h>

struct kt_store;

typedef enum kt_retention_kind {
    KT_RET_CHAT,
    KT_RET_MINUTES,
    KT_RET_ACTIONS,
    KT_RET_NOTIFICATIONS,
    KT_RET_EVENTS,
    KT_RET_AUDIT,
    KT_RET__COUNT
} kt_retention_kind;

/* "chat", "verslagen", "acties", "meldingen", "events", "auditlog": the kind's name in the
 * protocol, the logs and the docs. */
const char *kt_retention_kind_name(kt_retention_kind kind);

/* Removes at most limit expired rows of kind (older than cutoff, unix seconds) and puts how many
 * went into *n (fewer than limit: nothing expired is left). 0 or a KT_E*. */
int kt_store_retention_expire(struct kt_store *st, kt_retention_kind kind, int64_t cutoff,
                              int limit, int64_t *n);

/* The time of the oldest row of kind still kept (0: none). 0 or a KT_E*. */
int kt_store_retention_oldest(struct kt_store *st, kt_retention_kind kind, int64_t *t);

/* The lowest seq still kept of body's stream (0: the stream has no events). 0 or a KT_E*. */
int kt_store_stream_floor(struct kt_store *st, int64_t body, int64_t *seq);

#endif

/* The event log: per stream (a body; 0 the directory; -person a person's notifications) a
 * gap-free sequence of events, each appended in the same transaction as the change it reports. */
#ifndef KT_STORE_EVENTS_H
#define KT_STORE_EVENTS_H

#include <stdint.h>

struct kt_store;

/* Appends an event to body's stream inside the current write transaction and returns its seq.
 * vis and payload are JSON texts (vis may be NULL: visible to every member); not kept. */
int kt_store_event_append(struct kt_store *st, int64_t body, const char *type, const char *vis,
                          const char *payload, int64_t actor, int64_t *seq_out);

/* The last seq of body's stream into *seq (0 when it has none): 0 or a KT_E*. */
int kt_store_stream_head(struct kt_store *st, int64_t body, int64_t *seq);
/* The same, 0 on error (logged); for replies where the seq is a hint. */
int64_t kt_store_stream_seq(struct kt_store *st, int64_t body);

/* The sum of every stream's last seq into *gen: it grows with every event appended anywhere
 * (by any node), so two equal readings mean no event was appended in between. 0 or a KT_E*. */
int kt_store_events_generation(struct kt_store *st, int64_t *gen);

/* One stored event; strings owned by the caller (free with kt_store_event_clear). */
typedef struct kt_stored_event {
    int64_t body, seq, actor, time;
    char *type, *vis, *payload;
} kt_stored_event;
void kt_store_event_clear(kt_stored_event *ev);

/* Reads up to max events of body with seq > after, in seq order, into out[]. Returns how many
 * (>= 0) or a negative error; on error nothing is left in out[]. Fewer than max means the end
 * of the stream was reached. */
int kt_store_events_after(struct kt_store *st, int64_t body, int64_t after, kt_stored_event *out,
                          int max);

#endif

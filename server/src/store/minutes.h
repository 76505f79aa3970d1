/* The verslag (minutes) of meetings: notes per agenda item as the secretary takes them. The
 * notes of an item are seen by whoever may see the item; callers check that on every read. */
#ifndef KT_STORE_MINUTES_H
#define KT_STORE_MINUTES_H

#include <jansson.h>
#include <stdint.h>

struct kt_store;

/* Sets the notes of item to text (may be empty). base_rev: the revision the writer started
 * from, or -1 to overwrite whatever is there. *rev receives the new revision (1 for the first
 * notes). Needs a write transaction. 0, KT_ECONFLICT (someone saved since base_rev) or a KT_E*. */
int kt_store_item_notes_set(struct kt_store *st, int64_t item, const char *text, int64_t by,
                            int64_t now, int64_t base_rev, int64_t *rev);

/* The notes of item as {item, text, by, at, rev} (new reference) into *out: 0, KT_ENOTFOUND
 * (none written) or a KT_E*. */
int kt_store_item_notes_get(struct kt_store *st, int64_t item, json_t **out);

#endif

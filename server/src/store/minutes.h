/* The verslag (minutes) of meetings: notes per agenda item as the secretary takes them, the
 * versions a verslag goes through on its way to being vastgesteld (ter vaststelling, vastgesteld;
 * each a snapshot of the whole verslag), and the amendments members propose meanwhile. The notes
 * of an item, an amendment about an item and the parts of a snapshot about an item are seen by
 * whoever may see that item: callers check that on every read. */
#ifndef KT_STORE_MINUTES_H
#define KT_STORE_MINUTES_H

#include <jansson.h>
#include <stddef.h>
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

/* ---- versions ---- */

/* Adds version (the next number) of meeting's verslag: stage "ter_vaststelling" or
 * "vastgesteld", document a JSON text (the snapshot; not kept), deadline "YYYY-MM-DD" or NULL,
 * note, approved_in (the meeting it was vastgesteld at, 0: none). *version receives its number.
 * 0 or a KT_E*. */
int kt_store_minutes_version_add(struct kt_store *st, int64_t meeting, const char *stage,
                                 const char *document, const char *deadline, const char *note,
                                 int64_t approved_in, int64_t by, int64_t now, int64_t *version);

/* The versions of meeting, oldest first, without their documents: [{version, stage, deadline,
 * note, approved_in, created_by, created_by_name, created_at}] appended to arr. 0 or a KT_E*. */
int kt_store_minutes_versions(struct kt_store *st, int64_t meeting, json_t *arr);

/* The document of one version (JSON, new reference): 0, KT_ENOTFOUND or a KT_E*. */
int kt_store_minutes_version_document(struct kt_store *st, int64_t meeting, int64_t version,
                                      json_t **out);

/* The deadline for amendments ("YYYY-MM-DD", "" when none) into buf. 0, KT_ENOTFOUND or a
 * KT_E*. */
int kt_store_minutes_deadline(struct kt_store *st, int64_t meeting, char *buf, size_t n);
/* Sets it (NULL: none). */
int kt_store_minutes_deadline_set(struct kt_store *st, int64_t meeting, const char *deadline);

/* ---- amendments (voorstellen tot wijziging) ---- */

/* A new amendment to version of meeting's verslag by person (of org), about item (0: the
 * verslag as a whole). *id receives its id. 0 or a KT_E*. */
int kt_store_amendment_add(struct kt_store *st, int64_t meeting, int64_t version, int64_t item,
                           int64_t person, int64_t org, const char *text, int64_t now, int64_t *id);
/* {id, meeting, version, item, item_title, person, person_name, org, org_name, text, status,
 * decided_by, decided_at, created_at}: 0, KT_ENOTFOUND or a KT_E*. */
int kt_store_amendment_get(struct kt_store *st, int64_t id, json_t **out);
/* The amendments of meeting in that shape, oldest first, appended to arr. */
int kt_store_amendments_list(struct kt_store *st, int64_t meeting, json_t *arr);
/* Sets the status of an amendment of meeting (overgenomen, niet_overgenomen, ingetrokken) and
 * who decided it, when. 0, KT_ENOTFOUND or a KT_E*. */
int kt_store_amendment_decide(struct kt_store *st, int64_t meeting, int64_t id, const char *status,
                              int64_t by, int64_t now);

#endif

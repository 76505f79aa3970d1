/* What importing and exporting verslagen (issue 13) read beyond the other aggregates: the
 * directory as the importer matches names against it, and the record of what was imported
 * (imports). JSON results are new references. */
#ifndef KT_STORE_ARCHIVE_H
#define KT_STORE_ARCHIVE_H

#include <jansson.h>
#include <stdint.h>

struct kt_store;

/* The active persons of the directory as [{id, name, org_id, member}] (member: of body) and the
 * organisations as [{id, name}], the shapes kt_import_recognise() takes. 0 or a KT_E*; on error
 * nothing is returned. */
int kt_store_archive_directory(struct kt_store *st, int64_t body, json_t **persons, json_t **orgs);

/* Whether a person (any, active or not) or an organisation with this id exists: 0,
 * KT_ENOTFOUND or a KT_E*. */
int kt_store_archive_person_exists(struct kt_store *st, int64_t id);
int kt_store_archive_org_exists(struct kt_store *st, int64_t id);

/* Every item on meeting's agenda, visible or not, as [{id, position, duration, confidential}]
 * in agenda order: the export decides per item what the reader sees (the item, a placeholder,
 * or nothing). 0 or a KT_E*. */
int kt_store_archive_agenda(struct kt_store *st, int64_t meeting, json_t **out);

/* The verslag text of a meeting as one box (meetings.minutes; "" when none) into *out
 * (malloc'd). 0, KT_ENOTFOUND or a KT_E*. */
int kt_store_archive_minutes_text(struct kt_store *st, int64_t meeting, char **out);

/* The besluiten of body decided on a day in [from, to] ("YYYY-MM-DD"; NULL: no bound), by day
 * then id: their ids appended to ids. 0 or a KT_E*. */
struct kt_ivec;
int kt_store_archive_decisions(struct kt_store *st, int64_t body, const char *from, const char *to,
                               struct kt_ivec *ids);

/* The name of a person or organisation (malloc'd) into *out: 0, KT_ENOTFOUND or a KT_E*. */
int kt_store_archive_person_name(struct kt_store *st, int64_t id, char **out);
int kt_store_archive_org_name(struct kt_store *st, int64_t id, char **out);

/* Records that import.commit took a verslag into meeting of body (in the caller's
 * transaction): fingerprint is the hex BLAKE2b-256 of its normalised text, or NULL. 0 or a
 * KT_E*. */
int kt_store_import_record(struct kt_store *st, int64_t body, int64_t meeting,
                           const char *fingerprint, int64_t by, int64_t at);

/* The earlier imports of body that a new one would repeat, oldest first, appended to out as
 * [{meeting, start, imported_at, imported_by, imported_by_name, same_text}]: those with the
 * same fingerprint (when not NULL), into a meeting that starts in [from, to) (when to > from),
 * or into meeting (when not 0). An import into a meeting since cancelled does not count. 0 or
 * a KT_E*. */
int kt_store_imports_find(struct kt_store *st, int64_t body, const char *fingerprint, int64_t from,
                          int64_t to, int64_t meeting, json_t *out);

#endif

/* What importing and exporting verslagen (issue 13) read beyond the other aggregates: the
 * directory as the importer matches names against it. JSON results are new references. */
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

#endif

/* The audit log: who did what, when, to what. One table for every kind of entry: the AVG
 * processing log (a person's data exported or erased, a retention run) is here, and so are
 * entries about a body's records (body set). Entries are never changed; they go only when the
 * retention period of the audit log has passed (store/retention.h). */
#ifndef KT_STORE_AUDIT_H
#define KT_STORE_AUDIT_H

#include <jansson.h>
#include <stdint.h>

struct kt_store;

/* One entry. action: "person.export", "person.erase", "retention.run", ...; actor 0: the server
 * itself; body 0: not about one body; subject_kind/subject: what it is about ("person", 17), or
 * NULL/0; detail: a JSON object (borrowed; NULL: {}). Inside the caller's transaction. */
typedef struct kt_audit_entry {
    int64_t at, actor, body, subject;
    const char *action, *subject_kind;
    json_t *detail;
} kt_audit_entry;

int kt_store_audit_append(struct kt_store *st, const kt_audit_entry *e, int64_t *id);

/* Up to limit entries not about a body (body 0) or about body, with id < before (0: the
 * newest), newest first, appended to arr as {id, at, actor, actor_name, action, body, subject_kind,
 * subject, detail}. actor_name is the person's name now (pseudonymised after an erasure). */
int kt_store_audit_list(struct kt_store *st, int64_t body, int64_t before, int64_t limit,
                        json_t *arr);

/* The newest entry with this action that is about no body: 0, KT_ENOTFOUND or a KT_E*. */
int kt_store_audit_last(struct kt_store *st, const char *action, json_t **out);

/* Entries about a person: subject ("person", person) or actor person, oldest first, appended to
 * arr in the shape above; entries of a body's change log without their detail (null). */
int kt_store_audit_of_person(struct kt_store *st, int64_t person, json_t *arr);

/* The detail of the newest entry about subject_kind/subject of body (new reference into *detail,
 * NULL when there is none): where a body's change log takes the state before a change from.
 * 0 or a KT_E*. */
int kt_store_audit_last_detail(struct kt_store *st, int64_t body, const char *subject_kind,
                               int64_t subject, json_t **detail);

/* Up to limit entries of body with id < before (0: the newest) about what belongs to meeting
 * besides the meeting itself, newest first, in the shape of kt_store_audit_list: its attendance
 * lines (also those removed since: their entries name the meeting), its agenda's order, its
 * verslag's steps and its redactievoorstellen. */
int kt_store_audit_of_meeting_parts(struct kt_store *st, int64_t body, int64_t meeting,
                                    int64_t before, int64_t limit, json_t *arr);

/* Up to limit entries of body with id < before (0: the newest) about the redactievoorstellen
 * (amendments) of item, newest first, in the shape of kt_store_audit_list. */
int kt_store_audit_of_item_amendments(struct kt_store *st, int64_t body, int64_t item,
                                      int64_t before, int64_t limit, json_t *arr);

/* Up to limit entries of body about subject_kind/subject with id < before (0: the newest),
 * newest first, appended to arr in the shape of kt_store_audit_list. */
int kt_store_audit_of_subject(struct kt_store *st, int64_t body, const char *subject_kind,
                              int64_t subject, int64_t before, int64_t limit, json_t *arr);

#endif

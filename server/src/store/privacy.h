/* A person's data across the store, for the AVG rights: what is kept about whom (the registry),
 * everything about one person (export), and erasure of a person who has left. The registry
 * names every column that refers to a person and what erasure does to its rows; the unit test
 * test_privacy fails when a table gains such a column without a row here, so a new kind of
 * personal data cannot go unnoticed. */
#ifndef KT_STORE_PRIVACY_H
#define KT_STORE_PRIVACY_H

#include "store/db.h"

#include <jansson.h>
#include <stdint.h>

typedef enum kt_privacy_fate {
    KT_PRIV_DELETE, /* the row is the person's own: it goes */
    KT_PRIV_KEEP,   /* the row is part of others' records: it stays and shows the pseudonym */
} kt_privacy_fate;

typedef struct kt_privacy_ref {
    const char *table, *column; /* the column that holds the person's id */
    const char *key;            /* the export's key for these rows ("memberships") */
    const char *label;          /* Dutch, for the readable summary ("Lidmaatschappen") */
    kt_privacy_fate fate;
    const char *why;       /* English: why it goes or stays (docs/avg.md says the same) */
    const char *select;    /* the rows, ?1 = the person */
    const kt_db_col *cols; /* their columns in the export; a column "item" ties a row to
                              an agenda item (the exporter applies its visibility) */
    const char *erase;     /* KT_PRIV_DELETE: the delete, ?1 = the person */
} kt_privacy_ref;

extern const kt_privacy_ref kt_privacy_refs[];
extern const int kt_n_privacy_refs;

/* {"person": {id, name, email, function, org, org_name, admin, active, created, updated},
 *  <key>: [rows], ...} for every registry entry, plus "audit": the audit log's entries about or
 * by the person. Password hashes and token hashes are never exported. New reference in *out: 0,
 * KT_ENOTFOUND (no such person) or a KT_E*. */
int kt_store_person_export(kt_store *st, int64_t person, json_t **out);

/* The bodies person is a member of, appended to out: 0 or a KT_E*. */
int kt_store_person_bodies(kt_store *st, int64_t person, kt_ivec *out);

/* Erases person in the caller's transaction: the person row keeps its id but gets pseudonym as
 * its name, an address that cannot receive mail, no password, no function, inactive; the rows
 * of every KT_PRIV_DELETE entry go, and with them the person's notification stream; the
 * person's former name and address are replaced by the pseudonym wherever the event log and
 * others' notifications hold them as a value. *report (new reference) counts what went and
 * what was rewritten. 0, KT_ENOTFOUND or a KT_E*. */
int kt_store_person_erase(kt_store *st, int64_t person, int64_t now, const char *pseudonym,
                          json_t **report);

#endif

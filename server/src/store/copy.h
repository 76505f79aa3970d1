/* Moving a deployment's data from one store to another (ketentafel copy-store): every table,
 * row for row with its ids, into an empty store of the same schema version, in one transaction;
 * then a check that nothing was lost (row counts of every table, and the whole event log field
 * by field). Either backend on either side: SQLite to PostgreSQL is what it is for. */
#ifndef KT_STORE_COPY_H
#define KT_STORE_COPY_H

#include <stdio.h>

struct kt_store;

/* Copies from into to (which must be empty), reporting per table on report (may be NULL).
 * 0, KT_ESTATE (to is not empty, or the two are at different schema versions, or from has a
 * table this binary does not know), KT_ECONFLICT (the check found a difference) or a KT_E*. */
int kt_store_copy(struct kt_store *from, struct kt_store *to, FILE *report);

/* The check alone: row counts of every table and the event logs compared. 0 when equal,
 * KT_ECONFLICT when not (differences on report), or a KT_E*. */
int kt_store_compare(struct kt_store *a, struct kt_store *b, FILE *report);

#endif

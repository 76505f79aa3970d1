/* Bulk rows for benchmarks (bench/bench_search.c) and tests: plain inserts without events,
 * checks or notifications, inside the caller's transaction. Not used by the server. */
#ifndef KT_STORE_FIXTURE_H
#define KT_STORE_FIXTURE_H

#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

/* Each inserts one row and returns its id in *id: 0 or a KT_E*. Strings are not kept. */
int kt_store_fixture_scope(kt_store *st, const char *name, int64_t *id);
int kt_store_fixture_org(kt_store *st, const char *name, int64_t scope, int64_t *id);
int kt_store_fixture_person(kt_store *st, int64_t org, const char *name, const char *email,
                            int64_t *id);
int kt_store_fixture_body(kt_store *st, const char *name, int64_t scope, int64_t *id);
int kt_store_fixture_member(kt_store *st, int64_t body, int64_t person, const char *role);
int kt_store_fixture_meeting(kt_store *st, int64_t body, int64_t starts_at, int64_t *id);
/* An agenda item; confidential ones list org (the only organisation that may see them). */
int kt_store_fixture_item(kt_store *st, int64_t body, int64_t meeting, const char *title,
                          const char *description, bool confidential, int64_t org,
                          int64_t created_at, int64_t *id);

/* For measuring what the search index costs a write: drops the index, its queue and the
 * triggers that fill the queue from this database (SQLite). 0 or a KT_E*. */
int kt_store_fixture_drop_search(kt_store *st);

#endif

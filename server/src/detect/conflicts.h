/* Detector 1: meeting conflicts. Two meetings of different bodies whose time ranges overlap
 * (half-open; plus a travel buffer when they are at different places) conflict when they need
 * the same person (members who are expected, after registered absences and substitutes), the
 * same organisation when it has fewer than two people for both, or the same room. A body's
 * cadence projects its next meetings (after its last planned one) so clashes show before the
 * secretary plans them. */
#ifndef KT_CONFLICTS_H
#define KT_CONFLICTS_H

#include "protocol/ctx.h"
#include "util/ivec.h"

#include <stdint.h>

#define KT_PROJECTION_DAYS 182 /* how far cadences are projected */

/* Re-checks meeting (creating, updating and expiring its conflict flags). buffer_s is the
 * travel buffer in seconds. 0 or -1 (error recorded in c). */
int kt_conflicts_check(kt_ctx *c, int64_t meeting, int64_t buffer_s);

/* The meetings whose flags were about body's projected meetings (they need a re-check when the
 * body's real meetings change). Appended to out. */
int kt_conflicts_projection_dependents(kt_ctx *c, int64_t body, kt_ivec *out);

/* Expected persons of a meeting (or of a projected meeting of body when meeting == 0), with
 * their organisations, sorted by person. Exposed for tests. */
typedef struct kt_attendee {
    int64_t person, org;
} kt_attendee;
int kt_conflicts_expected(kt_store *st, int64_t body, int64_t meeting, kt_attendee **out, int *n);

#endif

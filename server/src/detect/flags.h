/* Flags (signaleringen): findings of the detectors, stored with their evidence and announced on
 * the streams of both bodies involved, to their chairs and secretaries only. Each side sees the
 * flag from its own point of view ("here" and "other"). When the other side's agenda item is
 * confidential the flag does not exist for this side at all (kt_flag_visible, domain/views.h: how
 * a flag reads and who may see it, below the readers).
 *
 * A finding has a stable key. Raising a known key updates its evidence; a flag that chairs
 * resolved (afgestemd, bewust_dubbel, geen_overlap) stays resolved unless its fingerprint - what
 * makes the finding materially what it is - changes. Findings that no longer hold become
 * 'vervallen'. */
#ifndef KT_FLAGS_H
#define KT_FLAGS_H

#include "protocol/ctx.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct kt_finding {
    const char *kind; /* "conflict" or "duplicate" */
    char key[128];
    int64_t body_a, meeting_a, item_a;
    int64_t body_b, meeting_b, item_b, projected_b;
    double score;
    json_t *evidence; /* owned by the finding until kt_flag_raise takes it */
    char fingerprint[512];
} kt_finding;

/* Stores f and announces it when it is new, reopened or changed. Takes f->evidence.
 * *id receives the flag's id (may be NULL). 0 or -1 (error recorded in c). */
int kt_flag_raise(kt_ctx *c, kt_finding *f, int64_t *id);

/* Marks the open or resolved flags of kind that involve column = value (e.g. "meeting_a", 12)
 * and whose key is not in keep[] as 'vervallen', announcing each. keep_dismissed: a flag a chair
 * dismissed as 'geen_overlap' stays so (its items are still there; the pair scoring lower after
 * the detector learned from the dismissal must not undo the decision). */
int kt_flags_expire(kt_ctx *c, const char *kind, int64_t meeting, int64_t item,
                    const char *const *keep, int n_keep, bool keep_dismissed);

/* As kt_flags_expire for the duplicate flags of item (confidential or not), only those whose
 * other item is open (KT_FLAGS_OPEN_OTHER) or confidential (KT_FLAGS_CONFIDENTIAL_OTHER): an
 * item's own reaction never touches, nor reads, a flag with another confidential item
 * (detect.c, the confidential batch; store/flags.h kt_store_flags_involving). */
typedef enum kt_flags_side {
    KT_FLAGS_ANY,
    KT_FLAGS_OPEN_OTHER,
    KT_FLAGS_CONFIDENTIAL_OTHER
} kt_flags_side;
int kt_flags_expire_item(kt_ctx *c, int64_t item, bool confidential, const char *const *keep,
                         int n_keep, bool keep_dismissed, kt_flags_side which);

/* Announces flag's current state to both sides as type ("flag.raised", "flag.updated"). */
int kt_flag_announce(kt_ctx *c, int64_t flag, const char *type);

#endif

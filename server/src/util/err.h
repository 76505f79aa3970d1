/* Internal error numbers. Functions return 0 or one of these (negative); what crosses the wire
 * is mapped to a stable snake_case code by protocol/errors.h. */
#ifndef KT_ERR_H
#define KT_ERR_H

enum {
    KT_OK = 0,
    KT_ENOMEM = -1,    /* allocation failed */
    KT_EINVAL = -2,    /* argument out of range or malformed */
    KT_ENOTFOUND = -3, /* the thing does not exist (or may not be known to the caller) */
    KT_EFORBIDDEN = -4,
    KT_ECONFLICT = -5, /* unique constraint, or state does not allow it */
    KT_ESTORE = -6,    /* the database failed */
    KT_EBUSY = -7,     /* the database stayed locked */
    KT_EIO = -8,
    KT_ESTATE = -9,    /* operation not allowed in the current state */
    KT_EFULL = -10,    /* a bounded queue is full */
    KT_ERANGE = -11,   /* before what is kept (a replay from a seq retention removed) */
    KT_EUNAVAIL = -12, /* the store cannot be reached or written (disk full, connection lost) */
    KT_EREDO = -13,    /* a group commit's write failed after it changed rows, with no savepoint
                          of its own to undo them: roll the group back and run its others again */
    KT_ESTALE = -14,   /* what the store remembered of an earlier transaction (a membership) was
                          no longer so when its write ran: that write runs again
                          (kt_store_stale_take) */
};

#endif

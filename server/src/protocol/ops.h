/* The op table: op name -> handler, argument schema, required permission and target body.
 * The dispatcher validates arguments and permission from here before a handler runs, so a
 * handler only ever sees well-typed arguments of a request it is allowed to serve. */
#ifndef KT_OPS_H
#define KT_OPS_H

#include "auth/acl.h"
#include "protocol/ctx.h"

#include <stdbool.h>

typedef enum kt_argtype {
    KT_T_ID,   /* positive integer id */
    KT_T_INT,  /* integer in [0, max] */
    KT_T_STR,  /* non-empty trimmed string of at most max characters */
    KT_T_TEXT, /* string, may be empty, at most max code points */
    KT_T_BOOL,
    KT_T_TIME,  /* ISO 8601 with zone */
    KT_T_DATE,  /* YYYY-MM-DD */
    KT_T_ENUM,  /* one of values[] */
    KT_T_IDS,   /* array of positive ids, at most max */
    KT_T_ARRAY, /* array of anything; the handler checks the elements */
    KT_T_OBJECT /* object of at most max members; the handler checks them */
} kt_argtype;

enum { KT_A_REQUIRED = 1, KT_A_NULLABLE = 2 };

typedef struct kt_argspec {
    const char *name;
    kt_argtype type;
    unsigned flags;
    int max;
    const char *const *values; /* KT_T_ENUM: NULL-terminated */
} kt_argspec;

typedef enum kt_target {
    KT_TGT_NONE,
    KT_TGT_BODY,            /* arg "body" */
    KT_TGT_MEETING,         /* arg "meeting" */
    KT_TGT_ITEM,            /* arg "item" (must be visible to the caller) */
    KT_TGT_ACTION,          /* arg "action" (its origin item must be visible) */
    KT_TGT_MEETING_OR_BODY, /* "meeting" when given and not null, else "body" */
} kt_target;

typedef int (*kt_handler)(kt_ctx *c);

typedef struct kt_op {
    const char *name;
    kt_handler fn;
    kt_perm perm;
    kt_target target;
    bool write;
    const kt_argspec *args; /* terminated by {NULL} */
} kt_op;

const kt_op *kt_op_find(const char *name);
const kt_op *kt_op_table(int *count);

#endif

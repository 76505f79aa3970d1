/* The AVG (GDPR) in ketentafel: a person's rights (export, erasure) as administrator ops, and
 * the readable summary that goes with an export. docs/avg.md says what is kept, where, for how
 * long and who can see it; store/privacy.h is the registry of where a person's data lives. */
#ifndef KT_PRIVACY_H
#define KT_PRIVACY_H

#include "protocol/ctx.h"

#include <jansson.h>
#include <stdint.h>

int kt_h_person_export(kt_ctx *c);
int kt_h_person_erase(kt_ctx *c);
int kt_h_retention_get(kt_ctx *c);
int kt_h_audit_list(kt_ctx *c);

/* A readable Dutch summary (plain text) of an export (kt_store_person_export's shape), made at
 * `at` by `by`; hidden: how many rows were withheld as confidential. malloc'd, NULL when out of
 * memory. */
char *kt_privacy_summary(json_t *export, const char *by, int64_t at, int hidden);

#endif

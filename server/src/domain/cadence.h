/* Cadences: an ISO-8601 period of whole weeks or months, 1..52 ("P6W", "P1M"). Steps are taken
 * in local (Europe/Amsterdam) wall-clock time, so a series stays at 09:30 across DST. */
#ifndef KT_CADENCE_H
#define KT_CADENCE_H

#include <stdbool.h>
#include <stdint.h>

bool kt_cadence_valid(const char *cadence);
/* The k-th occurrence after t (k = 0 is t itself). Month steps clamp to the month's end. */
int64_t kt_cadence_step(int64_t t, const char *cadence, int k);
/* The cadence's nominal length in seconds (a month counts 30 days). */
int64_t kt_cadence_seconds(const char *cadence);

#endif

#include "domain/cadence.h"

#include "util/timeutil.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool kt_cadence_valid(const char *s)
{
    if (!s || s[0] != 'P' || !isdigit((unsigned char)s[1]))
        return false;
    char *end;
    long n = strtol(s + 1, &end, 10);
    return n >= 1 && n <= 52 && (end[0] == 'W' || end[0] == 'M') && end[1] == 0;
}

int64_t kt_cadence_step(int64_t t, const char *cadence, int k)
{
    int n = atoi(cadence + 1);
    char unit = cadence[strlen(cadence) - 1];
    int y, mo, d, h, mi;
    kt_utc_to_local(t, &y, &mo, &d, &h, &mi, NULL);
    if (unit == 'W')
        return kt_local_to_utc(y, mo, d + 7 * n * k, h, mi); /* mktime normalises the day */
    int months = mo - 1 + n * k;
    y += months / 12;
    mo = months % 12 + 1;
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int last = dm[mo - 1] + (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return kt_local_to_utc(y, mo, d > last ? last : d, h, mi);
}

int64_t kt_cadence_seconds(const char *cadence)
{
    int n = atoi(cadence + 1);
    return (int64_t)n * (cadence[strlen(cadence) - 1] == 'W' ? 7 : 30) * 86400;
}

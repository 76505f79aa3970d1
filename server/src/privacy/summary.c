/* The readable side of an export: every part of the JSON, in the registry's Dutch labels, one
 * line a row. */
#include "feed/strbuf.h"
#include "privacy/privacy.h"
#include "store/privacy.h"
#include "util/timeutil.h"

#include <stdbool.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 200 /* per part; the JSON has everything */

static void value_text(json_t *v, char *buf, size_t n)
{
    if (json_is_string(v))
        snprintf(buf, n, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_true(v))
        snprintf(buf, n, "ja");
    else if (json_is_false(v))
        snprintf(buf, n, "nee");
    else
        buf[0] = 0;
}

/* "body: 3, role: lid, since: 2026-..." */
static void row_line(kt_strbuf *b, json_t *row)
{
    const char *key;
    json_t *v;
    bool first = true;
    kt_sb_add(b, "  -");
    json_object_foreach(row, key, v)
    {
        char text[320];
        value_text(v, text, sizeof text);
        if (!text[0])
            continue;
        if (strlen(text) > 300)
            strcpy(text + 297, "...");
        kt_sb_addf(b, "%s %s: %s", first ? "" : ";", key, text);
        first = false;
    }
    kt_sb_add(b, "\n");
}

static void part(kt_strbuf *b, const char *label, json_t *rows)
{
    size_t n = json_array_size(rows);
    kt_sb_addf(b, "\n%s (%zu)\n", label, n);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        if (i == MAX_LINES) {
            kt_sb_addf(b, "  ... en nog %zu (zie de JSON)\n", n - MAX_LINES);
            break;
        }
        row_line(b, row);
    }
}

char *kt_privacy_summary(json_t *export, const char *by, int64_t at, int hidden)
{
    kt_strbuf b = {0};
    json_t *p = json_object_get(export, "person");
    char when[96];
    kt_time_dutch(at, true, when, sizeof when);
    kt_sb_addf(&b, "Gegevens die ketentafel bewaart over %s <%s>\n",
               json_string_value(json_object_get(p, "name")),
               json_string_value(json_object_get(p, "email")));
    kt_sb_addf(&b, "Opgesteld op %s door %s.\n\nPersoon\n", when, by && *by ? by : "?");
    json_t *one = json_array();
    json_array_append(one, p);
    part(&b, "Persoonsgegevens", one);
    json_decref(one);
    for (int i = 0; i < kt_n_privacy_refs; i++) {
        const kt_privacy_ref *r = &kt_privacy_refs[i];
        json_t *rows = r->cols ? json_object_get(export, r->key) : NULL;
        if (rows)
            part(&b, r->label, rows);
    }
    part(&b, "Auditlog (inzage, wissen en andere handelingen)", json_object_get(export, "audit"));
    kt_sb_add(&b, "\nNiet in dit overzicht: het wachtwoord (ketentafel bewaart alleen een "
                  "onomkeerbare afgeleide) en de sleutels van sessies en links (alleen "
                  "afgeleiden).\n");
    if (hidden)
        kt_sb_addf(&b,
                   "%d regel(s) horen bij vertrouwelijke agendapunten die de beheerder niet "
                   "mag inzien; hun inhoud staat er als [vertrouwelijk]. De voorzitter of "
                   "secretaris van het overleg kan die inhoud verstrekken.\n",
                   hidden);
    return kt_sb_take(&b);
}

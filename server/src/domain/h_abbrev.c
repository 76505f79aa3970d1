/* Abbreviations the deployment teaches the duplicate detector ("PmG" = "Preventie met Gezag").
 * Everyone may read the list; administrators change it. A change rebuilds the index, aside, when
 * its event reaches the detectors (kt_detect_observe), on every node. */
#include "domain/handlers.h"
#include "store/flags.h"
#include "util/err.h"
#include "util/timeutil.h"

int kt_h_abbreviation_list(kt_ctx *c)
{
    json_t *out = json_array();
    int rc = kt_store_abbreviations_list(c->st, out);
    if (rc) {
        json_decref(out);
        return kt_fail_err(c, rc);
    }
    /* at most ABBREV_MAX, within 1 MiB: more says some were left out (PROTOCOL.md) */
    bool more = kt_page_cut(out, ABBREV_MAX);
    c->result = json_pack("{s:o, s:b}", "abbreviations", out, "more", more);
    return 0;
}

int kt_h_abbreviation_set(kt_ctx *c)
{
    const char *abbr = kt_arg_str(c, "abbr"), *expansion = kt_arg_str(c, "expansion");
    int rc = kt_store_abbreviation_set(c->st, abbr, expansion, kt_now());
    if (rc)
        return kt_fail_err(c, rc);
    if (kt_emit_directory(c, "abbreviation.updated",
                          json_pack("{s:s, s:s?}", "abbr", abbr, "expansion", expansion)))
        return -1;
    c->result = json_pack("{s:s, s:s?}", "abbr", abbr, "expansion", expansion);
    return 0;
}

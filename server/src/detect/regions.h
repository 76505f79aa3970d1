/* regions: which body scopes can share a subject. A scope is a municipality ("Dordrecht") or a
 * region ("Zuid-Holland Zuid", "RIEC Rotterdam", "Regio Rotterdam"). Two different
 * municipalities never share a local subject; a region shares with its own municipalities and
 * with regions it overlaps. A built-in table knows the 342 municipalities of 2024 (through
 * the 25 veiligheidsregio's), the 10 RIEC regions, the 12 provinces and common cooperation
 * regions; the deployment adds or overrides regions. Whatever is unknown stays compatible with
 * everything, so the rule only ever removes pairs it is sure about. */
#ifndef KT_DETECT_REGIONS_H
#define KT_DETECT_REGIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kt_scopes kt_scopes;

/* A table loaded with the built-in regions, or NULL when out of memory. The caller frees it
 * with kt_scopes_free. Not thread-safe. */
kt_scopes *kt_scopes_new(void);
void kt_scopes_free(kt_scopes *sc);

/* Adds municipality to region, creating either when unknown (a new municipality becomes known,
 * so it is incompatible with other municipalities from then on). Names are matched folded:
 * case, diacritics, hyphens and "gemeente " do not matter. 0, KT_EINVAL (empty name) or
 * KT_ENOMEM. */
int kt_scopes_add_region(kt_scopes *sc, const char *region, const char *municipality);
/* Forgets the members of region (built-in or not), so the deployment can list them anew.
 * Until it does the region is compatible with everything. 0 or KT_ENOMEM. */
int kt_scopes_reset_region(kt_scopes *sc, const char *region);

/* The id of a scope name, interned on first use (ids are small and dense, from 0). NULL or ""
 * is a valid scope: compatible with everything. 0 or KT_ENOMEM. */
int kt_scopes_intern(kt_scopes *sc, const char *scope, uint32_t *id);
/* Number of interned scopes: ids run from 0 to this - 1. */
size_t kt_scopes_count(const kt_scopes *sc);
/* Whether a word or name is a known municipality or region ("Dordrecht", "Drechtsteden"):
 * in agenda text such names say where, not what. */
bool kt_scopes_is_place(const kt_scopes *sc, const char *name);
/* Number of known municipalities (built-in and added). */
size_t kt_scopes_municipality_count(const kt_scopes *sc);
/* Whether bodies with these scopes can share a subject (see the top of this file). */
bool kt_scopes_compatible(kt_scopes *sc, uint32_t a, uint32_t b);
/* The same for two names, without interning them. */
bool kt_scopes_compatible_names(kt_scopes *sc, const char *a, const char *b);

#endif

/* archive/import: reads a verslag (minutes) written in Markdown or plain text, in the shape Dutch
 * secretaries write them (a title, Datum/Locatie/Aanvang lines, Aanwezig/Afwezig lists of
 * "Naam (Organisatie)", Voorzitter and Notulist lines, numbered items), and says what it found:
 * the meeting's facts, the attendance with substitutions and late arrivals, the items with their
 * notes, and *proposed* besluiten, toezeggingen and actiepunten found in the text.
 *
 * Pure: no store, no clock, no globals; the caller hands in the text and, for recognition, the
 * directory (persons and organisations) to match names against. Nothing here is saved: the
 * secretary confirms or corrects the proposal first. The result is a JSON document whose shape
 * protocol/schemas/import.preview.json describes; archive/export.h writes the same shape back. */
#ifndef KT_ARCHIVE_IMPORT_H
#define KT_ARCHIVE_IMPORT_H

#include <jansson.h>
#include <stddef.h>

/* Largest verslag taken in (a long verslag is 50 KiB; this leaves room for pasted annexes). */
#define KT_IMPORT_MAX_BYTES (1024 * 1024)
/* Bounds that make a text "too complex" rather than slow: real verslagen stay far below. */
#define KT_IMPORT_MAX_ITEMS    200
#define KT_IMPORT_MAX_PEOPLE   500
#define KT_IMPORT_MAX_OUTCOMES 1000

typedef enum kt_import_status {
    KT_IMPORT_OK = 0,
    KT_IMPORT_EMPTY,        /* nothing but white space */
    KT_IMPORT_TOO_LARGE,    /* over KT_IMPORT_MAX_BYTES */
    KT_IMPORT_NOT_TEXT,     /* NUL bytes or control characters: a binary file */
    KT_IMPORT_UNRECOGNISED, /* text, but neither items nor attendance */
    KT_IMPORT_TOO_COMPLEX,  /* more items, people or outcomes than the bounds above */
    KT_IMPORT_NOMEM,
} kt_import_status;

/* The stable wire code ("import_empty", ...) and a Dutch message for a status. Static. */
const char *kt_import_status_code(kt_import_status s);
const char *kt_import_status_message(kt_import_status s);

/* Parses len bytes of text (need not be NUL-terminated; UTF-8, or Windows-1252 which is
 * converted with a warning). On KT_IMPORT_OK *out is a new reference to the document:
 *   {format, title, body_name, date, location, start, end, attendance[], items[], warnings[],
 *    counts{}}
 * with attendance entries {name, org, function, role, status, notice, late, leaves_early,
 * substitute, substitute_kind, substitutes_for, line} and items {number, title, notes, line,
 * previous_minutes, outcomes[{kind, text, source, trigger, confidence, owner, due}]}.
 * Nothing is matched against a directory yet (see kt_import_recognise). Never reads past len. */
kt_import_status kt_import_parse(const char *text, size_t len, json_t **out);

/* Matches the document's people and organisations against a directory and fills in, per
 * attendance entry, person_id/person_match/person_name and org_id/org_match/org_name, and per
 * outcome owner_person_id/owner_org_id. persons: [{id, name, org_id, member?}], orgs:
 * [{id, name}] (borrowed). person_match is "exact", "approx" (spelling differs a little),
 * "ambiguous" (several candidates, listed in "candidates") or "none". Recomputes counts.
 * 0, KT_EINVAL (doc is not a parsed document) or KT_ENOMEM. */
int kt_import_recognise(json_t *doc, const json_t *persons, const json_t *orgs);

/* (Re)computes doc.counts from its contents: present, absent, matched, unmatched, items,
 * besluiten, toezeggingen, acties. 0 or KT_ENOMEM. */
int kt_import_count(json_t *doc);

#endif

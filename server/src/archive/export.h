/* archive/export: writes a verslag, and a body's besluitenlijst, as Markdown in the shape of the
 * seeds' verslagen (seed 004): a title, Datum/Locatie/Aanvang lines, Aanwezig and Afwezig
 * lists of "Naam (Organisatie)" with the chair and minute-taker, substitutions and late arrivals
 * as sentences, numbered items with their notes, and the outcomes as explicit lines ("- Besluit:
 * ...", "- Actie (Naam, 1 juli 2027): ..."). The text opens with the marker
 * "<!-- ketentafel-export v1 -->", by which archive/import.h takes only those lines as outcomes,
 * so export then import gives the same attendance, items and outcomes.
 *
 * Pure: no store, no clock; the caller hands in a document it built from what the reader may
 * see (domain/h_export.c), with dates already written out in Dutch. */
#ifndef KT_ARCHIVE_EXPORT_H
#define KT_ARCHIVE_EXPORT_H

#include <jansson.h>

#define KT_EXPORT_MARKER "<!-- ketentafel-export v1 -->"

/* The verslag of doc as Markdown (malloc'd; NULL only when out of memory). doc:
 *   {title, date_text, start_text, end_text, meeting: {location}, minutes,
 *    attendance: [attendance objects (protocol/PROTOCOL.md)],
 *    items: [{position, title, placeholder, notes, outcomes: [outcome]}], other_outcomes: [...]}
 * outcome: {kind, text, owner_name, due_text}. Missing members are left out of the text. */
char *kt_export_minutes_md(const json_t *doc);

/* A body's besluitenlijst as Markdown (malloc'd; NULL only when out of memory). doc:
 *   {title, meetings: [{heading, decisions: [{text, item_position, item_title}]}]} */
char *kt_export_decisions_md(const json_t *doc);

#endif

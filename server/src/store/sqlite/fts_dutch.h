/* The Dutch full-text tokenizer for SQLite FTS5 ("ktdutch") and the auxiliary function the
 * search ranks with ("kt_hits"). Words are those of detect/text.h: folded (case, diacritics),
 * stop words left out, Snowball Dutch stems (libstemmer) with the detector's corrections, and in
 * documents the parts of compounds colocated with the whole ("woningsluitingen" also indexes
 * "woning" and "sluiting"), so "sluiting" finds it. Words with digits are kept as they are
 * ("13b", "2025-2026"). Only store/sqlite/ uses this. */
#ifndef KT_STORE_SQLITE_FTS_DUTCH_H
#define KT_STORE_SQLITE_FTS_DUTCH_H

#include <sqlite3.h>

/* Registers "ktdutch" and kt_hits() on db. Must run before any FTS5 table using it is touched
 * (before migrations). SQLITE_OK or an SQLite error code. */
int kt_fts_dutch_register(sqlite3 *db);

#endif

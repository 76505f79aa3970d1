/* The search index's operations on PostgreSQL (store/search.h): the same words as SQLite's
 * "ktdutch" tokenizer (detect/text.h: folding, stop words, Snowball Dutch stems, compound parts),
 * computed here in C. SQL only narrows the rows down (the reader's bodies, and every term's
 * stem somewhere in the folded text); the tokenizer then decides, counts the hits and marks
 * them, so both backends find, rank and mark the same. Only store/search.c calls these. */
#ifndef KT_STORE_PG_SEARCH_H
#define KT_STORE_PG_SEARCH_H

#include "store/search.h"

int kt_pg_search_candidates(kt_store *st, const kt_search_query *q, kt_search_cand **out, size_t *n,
                            bool *truncated);
/* Sets "title" and "snippet" (words marked with \x02 ... \x03) on show, from the row as it is
 * now. SQLite's search uses it too (plain SQL, either backend). */
int kt_pg_search_marks(kt_store *st, const kt_search_query *q, const kt_search_cand *c,
                       json_t *show);

#endif

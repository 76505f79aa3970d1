/* Search across agenda items, verslagen, actions and chat (issue 13): the words of a question,
 * the reader's bodies, visibility at read time (kt_acl_visible) and BM25 over what the reader may
 * see. The op handler (kt_h_search) and bench/bench_search.c both run it. */
#ifndef KT_DOMAIN_SEARCH_H
#define KT_DOMAIN_SEARCH_H

#include "auth/session.h"
#include "store/store.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Besides 0 and KT_E*: the question has no word to look for; body given but not a member. */
enum { KT_SEARCH_EMPTY = -100, KT_SEARCH_NOT_MEMBER = -101 };

/* Runs the search op for me: q as typed, only (0: every body of mine), a page of limit hits (0:
 * 20) after offset. *out: the op's result (new reference). 0, KT_SEARCH_EMPTY,
 * KT_SEARCH_NOT_MEMBER or a store error. */
int kt_search_run(kt_store *st, const kt_principal *me, const char *q, int64_t only, size_t limit,
                  size_t offset, json_t **out);

#endif

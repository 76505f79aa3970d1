/* Login sessions. A session is a random 256-bit token handed to the client (an HttpOnly cookie
 * for browsers, the same string as a bearer token for other clients); the store keeps only its
 * SHA-256, so a copy of the database does not yield usable sessions. Setup tokens (a link to set
 * one's own password) use the same scheme. */
#ifndef KT_SESSION_H
#define KT_SESSION_H

#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

#define KT_TOKEN_LEN 43 /* base64url of 32 bytes, no padding */

typedef struct kt_principal {
    int64_t person;
    int64_t org;
    bool admin;
    int64_t expires_at; /* unix seconds; the session ends here */
    char name[128];
} kt_principal;

/* Creates a session for person valid for ttl seconds; writes the token (KT_TOKEN_LEN + 1 bytes).
 * Runs its own write transaction. */
int kt_session_create(kt_store *st, int64_t person, int64_t ttl, char token[KT_TOKEN_LEN + 1],
                      int64_t *expires_at);

/* Resolves a token to its person. KT_ENOTFOUND when unknown, expired, or the person is inactive. */
int kt_session_lookup(kt_store *st, const char *token, kt_principal *out);

/* Ends the session (idempotent). Runs its own write transaction. */
int kt_session_delete(kt_store *st, const char *token);

/* Removes expired sessions and setup tokens in a transaction of its own; returns how many or a
 * negative error. */
int kt_session_purge(kt_store *st);

/* Setup tokens: a link to set one's password. A person has at most one live link: create()
 * voids any earlier one. Needs an open write transaction. */
int kt_setup_token_create(kt_store *st, int64_t person, int64_t ttl, char token[KT_TOKEN_LEN + 1]);
/* Consumes the token (deletes it, used or not) and returns its person: KT_ENOTFOUND when it is
 * unknown, expired or its person is deactivated. Needs an open write transaction. */
int kt_setup_token_consume(kt_store *st, const char *token, int64_t *person);
/* Voids every link of person (deactivated, password set). Needs an open write transaction. */
int kt_setup_tokens_void(kt_store *st, int64_t person);

/* Other secret links (feeds) use the same scheme. kt_token_new writes a fresh token
 * (KT_TOKEN_LEN + 1 bytes) and its SHA-256; kt_token_hash hashes a token a client sent and is
 * false (hash untouched) when the text does not have a token's shape. */
void kt_token_new(char token[KT_TOKEN_LEN + 1], unsigned char hash[32]);
bool kt_token_hash(const char *token, unsigned char hash[32]);

/* Loads the principal of a person by id (for login). KT_ENOTFOUND if absent or inactive. */
int kt_principal_load(kt_store *st, int64_t person, kt_principal *out);

#endif

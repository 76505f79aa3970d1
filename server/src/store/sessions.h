/* Sessions, setup tokens and passwords: what login needs from the store. Tokens are never
 * stored, only their SHA-256 (auth/session.h makes and hashes them). */
#ifndef KT_STORE_SESSIONS_H
#define KT_STORE_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kt_store;

#define KT_TOKEN_HASH_LEN 32

/* Writes need an open write transaction; reads work in or outside one. */
int kt_store_session_insert(struct kt_store *st, const unsigned char hash[KT_TOKEN_HASH_LEN],
                            int64_t person, int64_t created_at, int64_t expires_at);
/* The session's person and end: 0 or KT_ENOTFOUND (expiry is the caller's to judge). */
int kt_store_session_find(struct kt_store *st, const unsigned char hash[KT_TOKEN_HASH_LEN],
                          int64_t *person, int64_t *expires_at);
int kt_store_session_delete(struct kt_store *st, const unsigned char hash[KT_TOKEN_HASH_LEN]);
/* Ends every session of person. */
int kt_store_sessions_end_person(struct kt_store *st, int64_t person);
/* Deletes sessions and setup tokens that expired at or before now; *n (may be NULL) receives
 * how many. */
int kt_store_sessions_purge(struct kt_store *st, int64_t now, int64_t *n);

int kt_store_setup_token_insert(struct kt_store *st, const unsigned char hash[KT_TOKEN_HASH_LEN],
                                int64_t person, int64_t expires_at);
/* Deletes the token (used or not) and returns its person when it was still valid at now and
 * the person is active; KT_ENOTFOUND when it is unknown, expired or the person deactivated. */
int kt_store_setup_token_consume(struct kt_store *st, const unsigned char hash[KT_TOKEN_HASH_LEN],
                                 int64_t now, int64_t *person);
/* Deletes every setup token of person (a newer link, a password set, deactivation). */
int kt_store_setup_tokens_void(struct kt_store *st, int64_t person);
/* Forgets every setup token (demo data: passwords are set there instead). */
int kt_store_setup_tokens_clear(struct kt_store *st);

/* An active person as login sees them. */
typedef struct kt_store_login {
    int64_t person, org;
    bool admin;
    char name[128];
    char hash[256]; /* the password hash, "" when none is set */
} kt_store_login;

/* By id or by e-mail (case-insensitive); only active persons. 0 or KT_ENOTFOUND. */
int kt_store_login_by_id(struct kt_store *st, int64_t person, kt_store_login *out);
int kt_store_login_by_email(struct kt_store *st, const char *email, kt_store_login *out);

/* Sets person's password hash (NULL: none) at now. */
int kt_store_password_set(struct kt_store *st, int64_t person, const char *hash, int64_t now);
/* Sets the same password hash for every person (demo data). */
int kt_store_password_set_all(struct kt_store *st, const char *hash);

#endif

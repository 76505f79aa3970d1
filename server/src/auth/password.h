/* Password hashing with libsodium's argon2id (crypto_pwhash_str). Hashing costs ~64 MiB and tens
 * of milliseconds by design: never call these on the event loop, use the worker (util/worker.h). */
#ifndef KT_PASSWORD_H
#define KT_PASSWORD_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>

#define KT_PASSWORD_HASH_MAX crypto_pwhash_STRBYTES
#define KT_PASSWORD_MIN_LEN  10
#define KT_PASSWORD_MAX_LEN  256

/* Initialises libsodium once; 0 or KT_EIO. */
int kt_password_init(void);

/* Writes an argon2id hash string of password into out (KT_PASSWORD_HASH_MAX bytes).
 * 0, KT_EINVAL (length out of bounds) or KT_ENOMEM. */
int kt_password_hash(const char *password, char out[KT_PASSWORD_HASH_MAX]);

/* True when password matches hash. A NULL or malformed hash never matches. */
bool kt_password_verify(const char *hash, const char *password);

/* Whether a new password is acceptable; on false *why gets a Dutch explanation (static). */
bool kt_password_acceptable(const char *password, const char **why);

#endif

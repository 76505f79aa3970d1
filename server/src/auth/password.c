#include "auth/password.h"

#include "util/err.h"

#include <string.h>

int kt_password_init(void)
{
    return sodium_init() < 0 ? KT_EIO : 0;
}

bool kt_password_acceptable(const char *password, const char **why)
{
    size_t n = password ? strlen(password) : 0;
    if (n < KT_PASSWORD_MIN_LEN) {
        *why = "Het wachtwoord moet minstens 10 tekens lang zijn.";
        return false;
    }
    if (n > KT_PASSWORD_MAX_LEN) {
        *why = "Het wachtwoord mag hoogstens 256 tekens lang zijn.";
        return false;
    }
    return true;
}

int kt_password_hash(const char *password, char out[KT_PASSWORD_HASH_MAX])
{
    size_t n = strlen(password);
    if (n == 0 || n > KT_PASSWORD_MAX_LEN)
        return KT_EINVAL;
    if (crypto_pwhash_str(out, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return KT_ENOMEM;
    return 0;
}

bool kt_password_verify(const char *hash, const char *password)
{
    if (!hash || !password || !*hash)
        return false;
    size_t n = strlen(password);
    if (n > KT_PASSWORD_MAX_LEN)
        return false;
    /* crypto_pwhash_str_verify wants a NUL-terminated string within STRBYTES. */
    if (strnlen(hash, KT_PASSWORD_HASH_MAX) >= KT_PASSWORD_HASH_MAX)
        return false;
    return crypto_pwhash_str_verify(hash, password, n) == 0;
}

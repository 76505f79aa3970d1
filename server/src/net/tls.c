/* TLS through libwebsockets and OpenSSL: the policy, the check of the files, and the reload. */
#include "net/tls.h"

#include "util/err.h"
#include "util/log.h"

#include <libwebsockets.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Mozilla's "intermediate" configuration (TLS 1.2 part) without the DHE suites: forward secret
 * and authenticated encryption only. TLS 1.3 keeps OpenSSL's three suites. */
static const char cipher_list[] = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                  "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                  "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
static const char tls13_suites[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

static SSL_CTX *live_ctx; /* the public vhost's, owned by lws */
static volatile sig_atomic_t reload_asked;

bool kt_tls_enabled(const kt_config *cfg)
{
    return cfg->tls_cert && cfg->tls_key;
}

void kt_tls_creation_info(const kt_config *cfg, struct lws_context_creation_info *info,
                          bool context)
{
    if (!kt_tls_enabled(cfg))
        return;
    info->options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    if (context)
        return;
    info->ssl_cert_filepath = cfg->tls_cert;
    info->ssl_private_key_filepath = cfg->tls_key;
    info->ssl_cipher_list = cipher_list;
    info->tls1_3_plus_cipher_list = tls13_suites;
    info->ssl_options_set = (long)(SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 |
                                   SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    /* HTTP/1.1 only: the WebSocket code speaks RFC 6455 upgrades, not RFC 8441 over h2. */
    info->alpn = "http/1.1";
}

int kt_tls_vhost_ready(void *ssl_ctx)
{
    SSL_CTX *ctx = ssl_ctx;
    if (!ctx)
        return 0;
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
        kt_error("tls: cannot set the protocol floor", NULL);
        return -1;
    }
    live_ctx = ctx;
    return 0;
}

/* The reason OpenSSL gave last, for a log line or a message. */
static int fail(char *why, size_t n, const char *what, const char *path)
{
    unsigned long e = ERR_peek_last_error();
    char reason[160];
    ERR_error_string_n(e, reason, sizeof reason);
    snprintf(why, n, "%s %s: %s", what, path, e ? reason : "unreadable");
    ERR_clear_error();
    return KT_EINVAL;
}

static int load_pair(SSL_CTX *ctx, const char *cert, const char *key, char *why, size_t n)
{
    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
        return fail(why, n, "certificate", cert);
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        bool mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
        return fail(why, n, mismatch ? "key does not belong to the certificate:" : "key", key);
    }
    if (SSL_CTX_check_private_key(ctx) != 1)
        return fail(why, n, "key does not belong to the certificate:", key);
    return 0;
}

static void describe(SSL_CTX *ctx, char *what, size_t n)
{
    X509 *x = SSL_CTX_get0_certificate(ctx);
    char subject[256] = "?", until[64] = "?";
    if (x) {
        X509_NAME_oneline(X509_get_subject_name(x), subject, sizeof subject);
        BIO *b = BIO_new(BIO_s_mem());
        if (b && ASN1_TIME_print(b, X509_get0_notAfter(x)) == 1) {
            int len = BIO_read(b, until, (int)sizeof until - 1);
            until[len > 0 ? len : 0] = 0;
        }
        BIO_free(b);
    }
    snprintf(what, n, "subject %s, valid until %s", subject, until);
}

int kt_tls_check_files(const char *cert, const char *key, char *what, size_t n)
{
    SSL_CTX *scratch = SSL_CTX_new(TLS_server_method());
    if (!scratch) {
        snprintf(what, n, "OpenSSL could not make a context");
        return KT_EINVAL;
    }
    int rc = load_pair(scratch, cert, key, what, n);
    if (!rc)
        describe(scratch, what, n);
    SSL_CTX_free(scratch);
    return rc;
}

void kt_tls_request_reload(void)
{
    reload_asked = 1;
}

int kt_tls_reload_if_requested(const kt_config *cfg)
{
    if (!reload_asked)
        return 0;
    reload_asked = 0;
    if (!kt_tls_enabled(cfg) || !live_ctx) {
        kt_info("reload asked: no TLS to reload", NULL);
        return 0;
    }
    char what[512];
    /* Both files are checked on their own first: a half-replaced pair never goes live. */
    if (kt_tls_check_files(cfg->tls_cert, cfg->tls_key, what, sizeof what) ||
        load_pair(live_ctx, cfg->tls_cert, cfg->tls_key, what, sizeof what)) {
        kt_error("tls: reload refused, the previous certificate stays", "reason=\"%s\"", what);
        return KT_EINVAL;
    }
    describe(live_ctx, what, sizeof what);
    kt_info("tls: certificate reloaded", "cert=\"%s\" certificate=\"%s\"", cfg->tls_cert, what);
    return 1;
}

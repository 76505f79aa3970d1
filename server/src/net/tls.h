/* TLS on the public listener: Debian's OpenSSL through libwebsockets. TLS 1.2 and 1.3 only,
 * forward-secret AEAD ciphers (Mozilla's "intermediate" policy), HTTP/1.1 only. The
 * certificate and key are read again on SIGHUP: new handshakes use the new pair, sessions
 * already open keep theirs. Everything here runs on the loop thread, except
 * kt_tls_request_reload (a signal handler's). */
#ifndef KT_TLS_H
#define KT_TLS_H

#include "app.h"

#include <stdbool.h>
#include <stddef.h>

struct lws_context_creation_info;

/* Whether the node serves TLS itself (--tls-cert and --tls-key given). */
bool kt_tls_enabled(const kt_config *cfg);

/* Adds what TLS needs to the creation info of the context (context true) or of the public
 * vhost (false). Nothing when TLS is off. */
void kt_tls_creation_info(const kt_config *cfg, struct lws_context_creation_info *info,
                          bool context);

/* lws hands the vhost's OpenSSL SSL_CTX over once it is set up (LWS_CALLBACK_OPENSSL_LOAD_
 * EXTRA_SERVER_VERIFY_CERTS): applies the protocol floor and remembers it for reloads. The
 * context is lws's; 0 or -1. */
int kt_tls_vhost_ready(void *ssl_ctx);

/* Checks that cert (PEM, with its chain) and key load and belong together; on success writes a
 * description ("subject ..., valid until ...") into what, on failure the reason. 0 or
 * KT_EINVAL. */
int kt_tls_check_files(const char *cert, const char *key, char *what, size_t n);

/* Async-signal-safe: asks for a reload at the loop's next wake-up. */
void kt_tls_request_reload(void);
/* Loop thread: when a reload was asked for, reads the files again and, only if they are good,
 * moves new handshakes onto them (logged either way). 1 when reloaded, 0 when nothing was
 * asked, <0 when the files were refused and the old pair stays. */
int kt_tls_reload_if_requested(const kt_config *cfg);

#endif

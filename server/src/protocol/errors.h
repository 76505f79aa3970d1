/* The stable error codes of the wire protocol (protocol/PROTOCOL.md lists each), with a default
 * Dutch message. Handlers may give a more specific message; the code never changes meaning. */
#ifndef KT_ERRORS_H
#define KT_ERRORS_H

typedef enum kt_code {
    KT_C_NONE = 0,
    KT_C_INVALID_JSON,
    KT_C_INVALID_UTF8,
    KT_C_FRAME_TOO_LARGE,
    KT_C_BINARY_NOT_SUPPORTED,
    KT_C_INVALID_REQUEST,
    KT_C_UNKNOWN_OP,
    KT_C_MISSING_ARGUMENT,
    KT_C_INVALID_ARGUMENT,
    KT_C_UNKNOWN_ARGUMENT,
    KT_C_NOT_FOUND,
    KT_C_FORBIDDEN,
    KT_C_NOT_MEMBER,
    KT_C_CONFLICT,
    KT_C_INVALID_STATE,
    KT_C_INVALID_SINCE,
    KT_C_RESYNC,
    KT_C_TOO_MANY_SUBSCRIPTIONS,
    KT_C_RATE_LIMITED,
    KT_C_UNAUTHENTICATED,
    KT_C_INVALID_CREDENTIALS,
    KT_C_SESSION_EXPIRED,
    KT_C_STORE_BUSY,
    KT_C_STORE_UNAVAILABLE,
    KT_C_TLS_REQUIRED,
    KT_C_INTERNAL,
    KT_C_SEARCH_QUERY_EMPTY,
    KT_C_IMPORT_EMPTY,
    KT_C_IMPORT_TOO_LARGE,
    KT_C_IMPORT_NOT_TEXT,
    KT_C_IMPORT_UNRECOGNISED,
    KT_C_IMPORT_TOO_COMPLEX,
    KT_C_IMPORT_DUPLICATE,
    KT_C__COUNT
} kt_code;

const char *kt_code_name(kt_code code);
const char *kt_code_message(kt_code code); /* default Dutch message */

/* WebSocket close codes the server uses (4000-4999 is the application range). */
enum {
    KT_CLOSE_SLOW_CONSUMER = 4008, /* out-queue overflowed: resume with subscribe since */
    KT_CLOSE_SESSION_ENDED = 4401, /* session expired or logged out */
    KT_CLOSE_INVALID_UTF8 = 1007,  /* RFC 6455: a text frame was not UTF-8 */
    KT_CLOSE_SHUTDOWN = 1001,      /* server going away */
    KT_CLOSE_STORE_ERROR = 1011,   /* the store could not be read (or memory ran out) */
};

#endif

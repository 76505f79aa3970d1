/* Sending one e-mail through an SMTP relay with libcurl: multipart/alternative (text/plain and
 * text/html, UTF-8, quoted-printable), RFC 2047 encoded-words where a header is not ASCII.
 * kt_mail_send blocks on the network: call it from a worker thread or a command-line tool,
 * never from the event loop. It touches neither the store nor the environment. */
#ifndef KT_MAIL_H
#define KT_MAIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* A composed message; every string is owned by the struct (kt_mail_clear frees them). */
typedef struct kt_mail {
    char *to_addr;        /* bare address, checked with kt_mail_address_ok */
    char *to_name;        /* display name, any UTF-8 */
    char *subject;        /* any UTF-8 */
    char *text, *html;    /* the two renderings of the body */
    char message_id[200]; /* "<...@...>" */
    char date[64];        /* RFC 5322 date */
} kt_mail;

/* Process-wide libcurl set-up and tear-down: on the main thread, before and after any send. */
int kt_mail_global_init(void);
void kt_mail_global_cleanup(void);

/* Whether addr can go into a header and an SMTP envelope unchanged: one '@', printable ASCII,
 * no spaces, quotes, angle brackets or commas. */
bool kt_mail_address_ok(const char *addr);

/* Fills m->date with now and m->message_id with a random id in the domain of from_addr. */
void kt_mail_stamp(kt_mail *m, const char *from_addr);

/* Sends m through the relay at url (smtp://host:port, smtps://...; user:password@ in the URL
 * if the relay wants it) from from_addr. stop, when non-NULL, is polled during the transfer
 * and aborts it once true. Returns 0, or KT_EIO with a one-line reason in err. */
int kt_mail_send(const char *url, const char *from_addr, const kt_mail *m, const atomic_bool *stop,
                 char *err, size_t errlen);

void kt_mail_clear(kt_mail *m);

#endif

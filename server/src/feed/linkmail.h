/* The e-mail that brings a person the link to set their password (a new account, or a reset
 * an administrator asked for): the link goes to the person, not to the administrator. */
#ifndef KT_LINKMAIL_H
#define KT_LINKMAIL_H

#include "feed/mail.h"

#include <stdbool.h>

/* Composes the message for name <email> with url into m (cleared first). reset: a new link for
 * an existing account. ttl_days: how long the link lasts. 0, KT_EINVAL (email unusable in a
 * header) or KT_ENOMEM. */
int kt_link_mail(kt_mail *m, const char *name, const char *email, const char *url, bool reset,
                 int ttl_days);

#endif

/* A person's notifications as an Atom feed (RFC 4287), written with libxml2's xmlTextWriter so
 * every text is escaped. Entries are the person's latest notifications that
 * kt_notification_visible() still allows, with stable ids (urn:ketentafel:notification:<id>). */
#ifndef KT_ATOM_H
#define KT_ATOM_H

#include "app.h"
#include "auth/session.h"

#define KT_ATOM_ENTRIES 100

/* The feed of p; self_url is the feed's own address. Returns malloc'd text (the caller frees
 * it) or NULL when out of memory. */
char *kt_atom_render(kt_app *app, const kt_principal *p, const char *self_url);

/* Releases libxml2's global state (at exit). */
void kt_atom_shutdown(void);

#endif

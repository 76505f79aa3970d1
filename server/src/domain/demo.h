/* Demo data (--demo): loads server/demo/demo.json through the real op handlers, so the demo
 * obeys every rule the protocol enforces and fills the event log like real use would. */
#ifndef KT_DEMO_H
#define KT_DEMO_H

#include "app.h"

/* Loads path into an empty database; does nothing (returns 0) when persons already exist.
 * Prints the showcase logins to stdout. 0 or a negative error (message logged). */
int kt_demo_load(kt_app *app, const char *path);

/* Prints the showcase logins of an already loaded demo. */
void kt_demo_print_logins(kt_app *app, const char *path);

#endif

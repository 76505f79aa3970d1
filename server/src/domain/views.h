/* What a reader sees of a flag or a notification: the row as the protocol sends it, and whether
 * a viewer may see it, decided at read time by the one visibility function (auth/acl.h). Below
 * the writers (detect/flags.c raises and announces flags, feed/notify.c writes notifications) and
 * the readers (live/render.c, the handlers, the feeds and the digest), so that no reader reaches
 * up into detect/ or feed/ (server/src/README.md). */
#ifndef KT_VIEWS_H
#define KT_VIEWS_H

#include "auth/viewer.h"
#include "store/flags.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Whether viewer v (their view of body, one of the flag's two sides) may see the flag: a chair
 * or secretary who sees their own side's item, and - when the other side's item is
 * confidential - belongs to that item's audience. A possible duplicate of a confidential item
 * is told to the confidential side only: the other side gets no flag, no score, no seq. */
bool kt_flag_visible(kt_store *st, int64_t flag, int64_t body, const kt_viewer *v);

/* The flag as seen from body (one of its two sides), or NULL. */
json_t *kt_flag_json(kt_store *st, int64_t flag, int64_t body);

/* The same of a loaded row r; body is one of its two sides. */
json_t *kt_flag_row_json(kt_store *st, const kt_flag_row *r, int64_t body);

/* The chairs and secretaries of body: [{person, name, email, role}] */
json_t *kt_body_contacts(kt_store *st, int64_t body);

/* A notification as the protocol sends it, or NULL. */
json_t *kt_notification_json(kt_store *st, int64_t id);

/* Whether person may still see what notification id is about (its item may have become
 * confidential since). */
bool kt_notification_visible(kt_store *st, int64_t person, int64_t id);

#endif

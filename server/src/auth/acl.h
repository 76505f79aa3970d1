/* Who may do what on which body, and who may see what.
 *
 * kt_acl_sight() is THE visibility function: snapshots, live delivery, replay, notifications,
 * flags, suggestions, the overlap map, feeds, the digest and the audit log all ask it, so a
 * confidential item cannot leak through one path and not another. It is evaluated when data is
 * read, against the item's audience as it is now (kt_item_vis_load reads it from the store):
 * what was visible when something was written decides nothing. */
#ifndef KT_ACL_H
#define KT_ACL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum kt_role {
    KT_ROLE_NONE = 0, /* not a member */
    KT_ROLE_WAARNEMER,
    KT_ROLE_GAST,
    KT_ROLE_LID,
    KT_ROLE_VASTE_VERVANGER,
    KT_ROLE_SECRETARIS,
    KT_ROLE_VOORZITTER,
} kt_role;

/* Wire names ("voorzitter", ...). kt_role_parse returns KT_ROLE_NONE for unknown names. */
const char *kt_role_name(kt_role role);
kt_role kt_role_parse(const char *name);

typedef enum kt_perm {
    KT_PERM_AUTH,        /* any logged-in person */
    KT_PERM_READ,        /* any member of the body, observers included */
    KT_PERM_READ_ADMIN,  /* members, and administrators (who manage memberships) */
    KT_PERM_PARTICIPATE, /* members who take part: everyone but observers */
    KT_PERM_EDIT,        /* chair and secretary: agenda, meetings */
    KT_PERM_CHAIR,       /* the chair only: approving the verslag */
    KT_PERM_MANAGE,      /* memberships: chair, secretary or administrator */
    KT_PERM_ADMIN,       /* administrators only */
} kt_perm;

/* Who is looking, as far as one body is concerned. items/n_items restrict a guest to certain
 * agenda items (n_items < 0: no restriction). The arrays are borrowed. */
typedef struct kt_viewer {
    int64_t person;
    int64_t org;
    bool admin;
    kt_role role;
    int n_items;
    const int64_t *items;
} kt_viewer;

/* What a piece of data demands of its viewer. item = 0: not bound to an agenda item; under:
 * the data hangs under the item (an action, a message) rather than being the item itself.
 * confidential, orgs, persons: the item's audience, loaded from the store when the data is read
 * (kt_item_vis_load); never taken from what was stored with an event. Arrays owned as the
 * creator documents (kt_item_vis_load, kt_vis_parse: owned, release with kt_vis_clear). */
typedef struct kt_vis {
    int64_t item;
    bool under;
    bool confidential;
    bool directory;   /* the directory stream (body 0): every logged-in person */
    int64_t subject;  /* also visible to this person, member or not (their own membership) */
    kt_role min_role; /* only members with at least this role (flags: chair and secretary) */
    bool agenda_wide; /* about many items at once: not for guests limited to some items */
    int n_orgs, n_persons;
    int64_t *orgs, *persons;
} kt_vis;

/* What a viewer may see of something: nothing, a placeholder (that an agenda item exists, its
 * place and its time slot: "besloten punt"), or all of it. */
typedef enum kt_sight { KT_SIGHT_NONE = 0, KT_SIGHT_PLACEHOLDER, KT_SIGHT_FULL } kt_sight;

bool kt_acl_allows(const kt_viewer *v, kt_perm perm);

/* THE visibility function; vis NULL: content of v's body not bound to an item.
 * - The directory, and one's own membership: every logged-in person.
 * - Anything else of a body: its members only (administrators get no exception).
 * - A guest limited to items (n_items >= 0) sees of item-bound content only those items and
 *   what hangs under them, and nothing about several items at once (agenda_wide); nothing of a
 *   confidential item outside its audience, not even a placeholder.
 * - A confidential item is seen by the organisations and persons of its audience; every other
 *   member sees a placeholder of the item itself and nothing of what hangs under it. */
kt_sight kt_acl_sight(const kt_viewer *v, const kt_vis *vis);
/* kt_acl_sight(v, vis) == KT_SIGHT_FULL. */
bool kt_acl_visible(const kt_viewer *v, const kt_vis *vis);
/* Whether person (of org) belongs to the audience of vis' item: everyone for an open item.
 * For those who are no member of the item's body (the other side of a flag). */
bool kt_acl_in_audience(int64_t person, int64_t org, const kt_vis *vis);

/* JSON text <-> kt_vis: the references stored with each event (item, under, directory,
 * subject, min_role, agenda_wide) and never an audience; NULL means open to members. Old rows
 * that stored an audience are read without it. */
int kt_vis_parse(const char *text, kt_vis *out);
char *kt_vis_dump(const kt_vis *vis); /* malloc'd text, or NULL for an open vis */
json_t *kt_vis_to_json(const kt_vis *vis);
void kt_vis_clear(kt_vis *vis);

#endif

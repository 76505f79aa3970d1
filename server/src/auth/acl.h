/* Who may do what on which body, and who may see which event or row.
 *
 * kt_acl_visible() is THE visibility function: delivery, replay, snapshots, search, feeds and
 * exports all ask it, so a confidential item cannot leak through one path and not another. */
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

/* What an event or row demands of its viewer. item = 0: not bound to an agenda item.
 * confidential: only the listed organisations and persons may see it. Arrays borrowed or owned
 * as the creator documents (kt_vis_parse: owned, release with kt_vis_clear). */
typedef struct kt_vis {
    int64_t item;
    bool confidential;
    bool directory;   /* the directory stream (body 0): every logged-in person */
    int64_t subject;  /* also visible to this person, member or not (their own membership) */
    kt_role min_role; /* only members with at least this role (flags: chair and secretary) */
    bool agenda_wide; /* about many items at once: not for guests limited to some items */
    int n_orgs, n_persons;
    int64_t *orgs, *persons;
} kt_vis;

bool kt_acl_allows(const kt_viewer *v, kt_perm perm);
bool kt_acl_visible(const kt_viewer *v, const kt_vis *vis);

/* JSON text <-> kt_vis. The text form is stored with each event; NULL means open to members. */
int kt_vis_parse(const char *text, kt_vis *out);
char *kt_vis_dump(const kt_vis *vis); /* malloc'd text, or NULL for an open vis */
json_t *kt_vis_to_json(const kt_vis *vis);
void kt_vis_clear(kt_vis *vis);

#endif

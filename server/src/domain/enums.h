/* The closed vocabularies of the domain, as they appear on the wire (NULL-terminated lists for
 * the op table's KT_T_ENUM). Dutch, because they are the users' own words. */
#ifndef KT_ENUMS_H
#define KT_ENUMS_H

extern const char *const kt_org_kinds[];
extern const char *const kt_body_kinds[];
extern const char *const kt_levels[];
extern const char *const kt_roles[];
extern const char *const kt_meeting_statuses[];
extern const char *const kt_item_kinds[];
extern const char *const kt_item_statuses[];
extern const char *const kt_item_specials[];
extern const char *const kt_action_kinds[];
extern const char *const kt_action_statuses[];
extern const char *const kt_attendance_statuses[];
extern const char *const kt_attendance_notices[];
extern const char *const kt_substitute_kinds[];
extern const char *const kt_attendance_roles[];
extern const char *const kt_scope_kinds[];
extern const char *const kt_flag_states[];
extern const char *const kt_flag_resolutions[];
extern const char *const kt_feed_kinds[];
/* The statuses a meeting may get from an imported verslag (approving it is minutes.approve's). */
extern const char *const kt_import_statuses[];
extern const char *const kt_request_decisions[];

#endif

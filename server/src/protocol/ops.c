/* The op table. protocol/PROTOCOL.md and protocol/schemas/ describe the same ops; the
 * integration tests check that every op here is documented there. */
#include "protocol/ops.h"

#include "domain/enums.h"
#include "domain/handlers.h"
#include "privacy/privacy.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define REQ KT_A_REQUIRED
#define NUL KT_A_NULLABLE
#define END                                                                                        \
    {                                                                                              \
        NULL, 0, 0, 0, NULL                                                                        \
    }

#define TITLE_MAX    200
#define NAME_MAX     200
#define TEXT_MAX     4000
#define LONGTEXT_MAX 20000
/* The page limits below are numbers (test_protocol_contract reads this table): kept equal to
 * domain/handlers.h's. */
_Static_assert(ACTION_PAGE_MAX == 500 && MEETING_PAGE_MAX == 500 && MEMBER_PAGE_MAX == 1000 &&
                   DIR_PAGE_MAX == 1000 && FLAG_PAGE_MAX == 500,
               "the page limits in the argument tables");

static const kt_argspec a_none[] = {END};
/* The directory's lists: a page after a cursor (handlers.h, DIR_PAGE_MAX). */
static const kt_argspec a_dir_page[] = {
    {"after", KT_T_STR, 0, 40, NULL}, {"limit", KT_T_INT, 0, 1000, NULL}, END};

static const kt_argspec a_upcoming[] = {
    {"from", KT_T_TIME, 0, 0, NULL}, {"days", KT_T_INT, 0, 400, NULL}, END};

static const kt_argspec a_scope_create[] = {{"name", KT_T_STR, REQ, NAME_MAX, NULL},
                                            {"kind", KT_T_ENUM, REQ, 0, kt_scope_kinds},
                                            {"includes", KT_T_ARRAY, 0, 1000, NULL},
                                            END};

static const kt_argspec a_org_create[] = {{"name", KT_T_STR, REQ, NAME_MAX, NULL},
                                          {"kind", KT_T_ENUM, REQ, 0, kt_org_kinds},
                                          {"scope", KT_T_STR, NUL, NAME_MAX, NULL},
                                          END};
static const kt_argspec a_org_update[] = {{"org", KT_T_ID, REQ, 0, NULL},
                                          {"name", KT_T_STR, 0, NAME_MAX, NULL},
                                          {"kind", KT_T_ENUM, 0, 0, kt_org_kinds},
                                          {"scope", KT_T_STR, NUL, NAME_MAX, NULL},
                                          END};

static const kt_argspec a_person_list[] = {{"org", KT_T_ID, 0, 0, NULL},
                                           {"after", KT_T_STR, 0, 40, NULL},
                                           {"limit", KT_T_INT, 0, 1000, NULL},
                                           END};
static const kt_argspec a_person_search[] = {
    {"q", KT_T_STR, REQ, 100, NULL}, {"limit", KT_T_INT, 0, 100, NULL}, END};
static const kt_argspec a_person_create[] = {
    {"name", KT_T_STR, REQ, NAME_MAX, NULL}, {"email", KT_T_STR, REQ, 254, NULL},
    {"org", KT_T_ID, REQ, 0, NULL},          {"function", KT_T_TEXT, 0, NAME_MAX, NULL},
    {"admin", KT_T_BOOL, 0, 0, NULL},        END};
static const kt_argspec a_person_update[] = {
    {"person", KT_T_ID, REQ, 0, NULL},          {"name", KT_T_STR, 0, NAME_MAX, NULL},
    {"email", KT_T_STR, 0, 254, NULL},          {"org", KT_T_ID, 0, 0, NULL},
    {"function", KT_T_TEXT, 0, NAME_MAX, NULL}, {"admin", KT_T_BOOL, 0, 0, NULL},
    {"active", KT_T_BOOL, 0, 0, NULL},          END};
static const kt_argspec a_person_reset[] = {{"person", KT_T_ID, REQ, 0, NULL}, END};

static const kt_argspec a_person_export[] = {
    {"person", KT_T_ID, REQ, 0, NULL}, {"part", KT_T_INT, 0, 0, NULL}, END};
static const kt_argspec a_person_erase[] = {
    {"person", KT_T_ID, REQ, 0, NULL}, {"confirm", KT_T_STR, REQ, 254, NULL}, END};
static const kt_argspec a_audit_list[] = {
    {"before", KT_T_ID, 0, 0, NULL}, {"limit", KT_T_INT, 0, 200, NULL}, END};

static const kt_argspec a_audit_body[] = {{"body", KT_T_ID, REQ, 0, NULL},
                                          {"before", KT_T_ID, 0, 0, NULL},
                                          {"limit", KT_T_INT, 0, 200, NULL},
                                          END};
static const kt_argspec a_audit_history[] = {
    {"action", KT_T_ID, 0, 0, NULL},   {"item", KT_T_ID, 0, 0, NULL},
    {"meeting", KT_T_ID, 0, 0, NULL},  {"before", KT_T_ID, 0, 0, NULL},
    {"limit", KT_T_INT, 0, 400, NULL}, END};

static const kt_argspec a_body[] = {{"body", KT_T_ID, REQ, 0, NULL}, END};
static const kt_argspec a_body_get[] = {{"body", KT_T_ID, REQ, 0, NULL},
                                        {"backlog_from", KT_T_INT, 0, 0, NULL},
                                        {"backlog_limit", KT_T_INT, 0, 500, NULL},
                                        {"members_from", KT_T_INT, 0, 0, NULL},
                                        {"members_limit", KT_T_INT, 0, 1000, NULL},
                                        END};
static const kt_argspec a_body_create[] = {{"name", KT_T_STR, REQ, NAME_MAX, NULL},
                                           {"kind", KT_T_ENUM, REQ, 0, kt_body_kinds},
                                           {"scope", KT_T_STR, REQ, NAME_MAX, NULL},
                                           {"level", KT_T_ENUM, REQ, 0, kt_levels},
                                           {"cadence", KT_T_STR, NUL, 8, NULL},
                                           {"parent", KT_T_ID, NUL, 0, NULL},
                                           {"mandate", KT_T_TEXT, 0, LONGTEXT_MAX, NULL},
                                           {"location", KT_T_TEXT, 0, NAME_MAX, NULL},
                                           END};
static const kt_argspec a_body_update[] = {{"body", KT_T_ID, REQ, 0, NULL},
                                           {"name", KT_T_STR, 0, NAME_MAX, NULL},
                                           {"kind", KT_T_ENUM, 0, 0, kt_body_kinds},
                                           {"scope", KT_T_STR, 0, NAME_MAX, NULL},
                                           {"level", KT_T_ENUM, 0, 0, kt_levels},
                                           {"cadence", KT_T_STR, NUL, 8, NULL},
                                           {"parent", KT_T_ID, NUL, 0, NULL},
                                           {"mandate", KT_T_TEXT, 0, LONGTEXT_MAX, NULL},
                                           {"location", KT_T_TEXT, 0, NAME_MAX, NULL},
                                           END};

static const kt_argspec a_member_add[] = {
    {"body", KT_T_ID, REQ, 0, NULL},       {"person", KT_T_ID, REQ, 0, NULL},
    {"role", KT_T_ENUM, REQ, 0, kt_roles}, {"substitute_for", KT_T_ID, NUL, 0, NULL},
    {"items", KT_T_IDS, NUL, 200, NULL},   END};
static const kt_argspec a_member_update[] = {
    {"body", KT_T_ID, REQ, 0, NULL},     {"person", KT_T_ID, REQ, 0, NULL},
    {"role", KT_T_ENUM, 0, 0, kt_roles}, {"substitute_for", KT_T_ID, NUL, 0, NULL},
    {"items", KT_T_IDS, NUL, 200, NULL}, END};
static const kt_argspec a_member_remove[] = {
    {"body", KT_T_ID, REQ, 0, NULL}, {"person", KT_T_ID, REQ, 0, NULL}, END};

static const kt_argspec a_meeting_create[] = {{"body", KT_T_ID, REQ, 0, NULL},
                                              {"start", KT_T_TIME, REQ, 0, NULL},
                                              {"end", KT_T_TIME, REQ, 0, NULL},
                                              {"location", KT_T_TEXT, 0, NAME_MAX, NULL},
                                              {"status", KT_T_ENUM, 0, 0, kt_meeting_statuses},
                                              {"standing", KT_T_BOOL, 0, 0, NULL},
                                              END};
static const kt_argspec a_meeting_series[] = {{"body", KT_T_ID, REQ, 0, NULL},
                                              {"start", KT_T_TIME, REQ, 0, NULL},
                                              {"end", KT_T_TIME, REQ, 0, NULL},
                                              {"count", KT_T_INT, REQ, 52, NULL},
                                              {"location", KT_T_TEXT, 0, NAME_MAX, NULL},
                                              {"standing", KT_T_BOOL, 0, 0, NULL},
                                              END};
static const kt_argspec a_meeting_update[] = {{"meeting", KT_T_ID, REQ, 0, NULL},
                                              {"minutes", KT_T_TEXT, 0, 50000, NULL},
                                              {"minutes_rev", KT_T_INT, 0, 0, NULL},
                                              {"start", KT_T_TIME, 0, 0, NULL},
                                              {"end", KT_T_TIME, 0, 0, NULL},
                                              {"location", KT_T_TEXT, 0, NAME_MAX, NULL},
                                              {"status", KT_T_ENUM, 0, 0, kt_meeting_statuses},
                                              END};
static const kt_argspec a_meeting[] = {{"meeting", KT_T_ID, REQ, 0, NULL}, END};
static const kt_argspec a_export_minutes[] = {
    {"meeting", KT_T_ID, REQ, 0, NULL}, {"part", KT_T_INT, 0, 0, NULL}, END};
static const kt_argspec a_meeting_get[] = {{"meeting", KT_T_ID, REQ, 0, NULL},
                                           {"agenda_from", KT_T_INT, 0, 0, NULL},
                                           {"agenda_limit", KT_T_INT, 0, 500, NULL},
                                           {"attendance_from", KT_T_INT, 0, 0, NULL},
                                           {"attendance_limit", KT_T_INT, 0, 1000, NULL},
                                           {"outcomes_from", KT_T_INT, 0, 0, NULL},
                                           {"outcomes_limit", KT_T_INT, 0, 500, NULL},
                                           END};
static const kt_argspec a_meeting_list[] = {
    {"body", KT_T_ID, REQ, 0, NULL},   {"from", KT_T_TIME, 0, 0, NULL},
    {"to", KT_T_TIME, 0, 0, NULL},     {"after", KT_T_STR, 0, 40, NULL},
    {"limit", KT_T_INT, 0, 500, NULL}, END};
static const kt_argspec a_attendance[] = {
    {"meeting", KT_T_ID, REQ, 0, NULL},
    {"person", KT_T_ID, NUL, 0, NULL},
    {"name", KT_T_STR, 0, NAME_MAX, NULL},
    {"org", KT_T_ID, NUL, 0, NULL},
    {"org_name", KT_T_TEXT, NUL, NAME_MAX, NULL},
    {"status", KT_T_ENUM, REQ, 0, kt_attendance_statuses},
    {"notice", KT_T_ENUM, NUL, 0, kt_attendance_notices},
    {"leaves_early", KT_T_BOOL, 0, 0, NULL},
    {"substitute", KT_T_ID, NUL, 0, NULL},
    {"substitute_kind", KT_T_ENUM, NUL, 0, kt_substitute_kinds},
    {"role", KT_T_ENUM, NUL, 0, kt_attendance_roles},
    {"note", KT_T_TEXT, 0, 500, NULL},
    END};
static const kt_argspec a_attendance_remove[] = {
    {"meeting", KT_T_ID, REQ, 0, NULL}, {"line", KT_T_ID, REQ, 0, NULL}, END};

/* clang-format off */
#define ITEM_FIELDS                                                                                \
    {"description", KT_T_TEXT, 0, LONGTEXT_MAX, NULL},                                             \
    {"presenter", KT_T_ID, NUL, 0, NULL},                                                          \
    {"duration", KT_T_INT, 0, 600, NULL},                                                          \
    {"kind", KT_T_ENUM, 0, 0, kt_item_kinds},                                                      \
    {"recurring", KT_T_BOOL, 0, 0, NULL},                                                          \
    {"confidential", KT_T_BOOL, 0, 0, NULL},                                                       \
    {"relevant", KT_T_ARRAY, 0, 100, NULL},                                                        \
    {"persons", KT_T_IDS, 0, 200, NULL},                                                           \
    {"attachments", KT_T_ARRAY, 0, 20, NULL},                                                      \
    {"special", KT_T_ENUM, NUL, 0, kt_item_specials}
/* clang-format on */

static const kt_argspec a_agenda_add[] = {{"meeting", KT_T_ID, NUL, 0, NULL},
                                          {"body", KT_T_ID, 0, 0, NULL},
                                          {"title", KT_T_STR, REQ, TITLE_MAX, NULL},
                                          {"position", KT_T_INT, 0, 10000, NULL},
                                          ITEM_FIELDS,
                                          END};
static const kt_argspec a_agenda_update[] = {{"item", KT_T_ID, REQ, 0, NULL},
                                             {"title", KT_T_STR, 0, TITLE_MAX, NULL},
                                             {"status", KT_T_ENUM, 0, 0, kt_item_statuses},
                                             ITEM_FIELDS,
                                             END};
static const kt_argspec a_item[] = {{"item", KT_T_ID, REQ, 0, NULL}, END};
static const kt_argspec a_agenda_move[] = {{"item", KT_T_ID, REQ, 0, NULL},
                                           {"meeting", KT_T_ID, REQ | NUL, 0, NULL},
                                           {"position", KT_T_INT, 0, 10000, NULL},
                                           END};
static const kt_argspec a_agenda_copy[] = {
    {"meeting", KT_T_ID, REQ, 0, NULL}, {"from", KT_T_ID, REQ, 0, NULL}, END};
static const kt_argspec a_agenda_reorder[] = {{"meeting", KT_T_ID, NUL, 0, NULL},
                                              {"body", KT_T_ID, 0, 0, NULL},
                                              {"items", KT_T_IDS, 0, 1000, NULL},
                                              {"item", KT_T_ID, 0, 0, NULL},
                                              {"before", KT_T_ID, 0, 0, NULL},
                                              {"after", KT_T_ID, 0, 0, NULL},
                                              END};

static const kt_argspec a_request_create[] = {{"body", KT_T_ID, REQ, 0, NULL},
                                              {"title", KT_T_STR, REQ, TITLE_MAX, NULL},
                                              {"description", KT_T_TEXT, 0, TEXT_MAX, NULL},
                                              {"meeting", KT_T_ID, NUL, 0, NULL},
                                              END};
static const kt_argspec a_request_decide[] = {{"body", KT_T_ID, REQ, 0, NULL},
                                              {"request", KT_T_ID, REQ, 0, NULL},
                                              {"decision", KT_T_ENUM, REQ, 0, kt_request_decisions},
                                              {"meeting", KT_T_ID, NUL, 0, NULL},
                                              {"reason", KT_T_TEXT, 0, TEXT_MAX, NULL},
                                              END};
static const kt_argspec a_agenda_refer[] = {{"item", KT_T_ID, REQ, 0, NULL},
                                            {"to", KT_T_ID, REQ, 0, NULL},
                                            {"move", KT_T_BOOL, 0, 0, NULL},
                                            {"note", KT_T_TEXT, 0, TEXT_MAX, NULL},
                                            END};

static const kt_argspec a_action_list[] = {{"body", KT_T_ID, 0, 0, NULL},
                                           {"mine", KT_T_BOOL, 0, 0, NULL},
                                           {"status", KT_T_ENUM, 0, 0, kt_action_statuses},
                                           {"owner", KT_T_ID, 0, 0, NULL},
                                           {"overdue", KT_T_BOOL, 0, 0, NULL},
                                           {"after", KT_T_STR, 0, 40, NULL},
                                           {"limit", KT_T_INT, 0, 500, NULL},
                                           END};
static const kt_argspec a_action_create[] = {{"body", KT_T_ID, REQ, 0, NULL},
                                             {"kind", KT_T_ENUM, 0, 0, kt_action_kinds},
                                             {"text", KT_T_STR, REQ, TEXT_MAX, NULL},
                                             {"owner", KT_T_ID, NUL, 0, NULL},
                                             {"owner_org", KT_T_ID, NUL, 0, NULL},
                                             {"due", KT_T_DATE, NUL, 0, NULL},
                                             {"status", KT_T_ENUM, 0, 0, kt_action_statuses},
                                             {"item", KT_T_ID, NUL, 0, NULL},
                                             {"meeting", KT_T_ID, NUL, 0, NULL},
                                             {"decided_on", KT_T_DATE, NUL, 0, NULL},
                                             END};
static const kt_argspec a_action_update[] = {{"action", KT_T_ID, REQ, 0, NULL},
                                             {"kind", KT_T_ENUM, 0, 0, kt_action_kinds},
                                             {"text", KT_T_STR, 0, TEXT_MAX, NULL},
                                             {"owner", KT_T_ID, NUL, 0, NULL},
                                             {"owner_org", KT_T_ID, NUL, 0, NULL},
                                             {"due", KT_T_DATE, NUL, 0, NULL},
                                             {"status", KT_T_ENUM, 0, 0, kt_action_statuses},
                                             {"decided_on", KT_T_DATE, NUL, 0, NULL},
                                             END};

static const kt_argspec a_action_propose[] = {
    {"action", KT_T_ID, REQ, 0, NULL},  {"text", KT_T_STR, 0, TEXT_MAX, NULL},
    {"owner", KT_T_ID, NUL, 0, NULL},   {"owner_org", KT_T_ID, NUL, 0, NULL},
    {"due", KT_T_DATE, NUL, 0, NULL},   {"status", KT_T_ENUM, 0, 0, kt_action_statuses},
    {"note", KT_T_TEXT, 0, 1000, NULL}, END};

static const kt_argspec a_minutes_note[] = {{"item", KT_T_ID, REQ, 0, NULL},
                                            {"text", KT_T_TEXT, REQ, LONGTEXT_MAX, NULL},
                                            {"rev", KT_T_INT, 0, 0, NULL},
                                            END};

static const kt_argspec a_minutes_version[] = {{"meeting", KT_T_ID, REQ, 0, NULL},
                                               {"version", KT_T_ID, REQ, 0, NULL},
                                               {"items_from", KT_T_INT, 0, 0, NULL},
                                               {"item_outcomes_from", KT_T_INT, 0, 0, NULL},
                                               {"attendance_from", KT_T_INT, 0, 0, NULL},
                                               {"outcomes_from", KT_T_INT, 0, 0, NULL},
                                               END};
static const kt_argspec a_minutes_get[] = {
    {"meeting", KT_T_ID, REQ, 0, NULL},           {"items_from", KT_T_INT, 0, 0, NULL},
    {"item_outcomes_from", KT_T_INT, 0, 0, NULL}, {"attendance_from", KT_T_INT, 0, 0, NULL},
    {"outcomes_from", KT_T_INT, 0, 0, NULL},      {"versions_from", KT_T_INT, 0, 0, NULL},
    {"amendments_from", KT_T_INT, 0, 0, NULL},    END};
static const kt_argspec a_minutes_submit[] = {{"meeting", KT_T_ID, REQ, 0, NULL},
                                              {"deadline", KT_T_DATE, REQ, 0, NULL},
                                              {"note", KT_T_TEXT, 0, TEXT_MAX, NULL},
                                              END};
static const kt_argspec a_minutes_amend[] = {{"meeting", KT_T_ID, REQ, 0, NULL},
                                             {"text", KT_T_STR, REQ, TEXT_MAX, NULL},
                                             {"item", KT_T_ID, NUL, 0, NULL},
                                             END};
static const kt_argspec a_minutes_withdraw[] = {
    {"meeting", KT_T_ID, REQ, 0, NULL}, {"amendment", KT_T_ID, REQ, 0, NULL}, END};
static const kt_argspec a_minutes_approve[] = {{"meeting", KT_T_ID, REQ, 0, NULL},
                                               {"taken", KT_T_IDS, 0, 500, NULL},
                                               {"at", KT_T_ID, NUL, 0, NULL},
                                               END};
/* A verslag to import: at most 60000 code points, so that it fits in one 64 KiB message. */
static const kt_argspec a_import_preview[] = {
    {"body", KT_T_ID, REQ, 0, NULL}, {"text", KT_T_TEXT, REQ, 60000, NULL}, END};
static const kt_argspec a_import_commit[] = {{"body", KT_T_ID, REQ, 0, NULL},
                                             {"meeting", KT_T_ID, NUL, 0, NULL},
                                             {"date", KT_T_DATE, 0, 0, NULL},
                                             {"start_time", KT_T_STR, 0, 5, NULL},
                                             {"end_time", KT_T_STR, 0, 5, NULL},
                                             {"location", KT_T_TEXT, 0, NAME_MAX, NULL},
                                             {"status", KT_T_ENUM, 0, 0, kt_import_statuses},
                                             {"attendance", KT_T_ARRAY, 0, 500, NULL},
                                             {"items", KT_T_ARRAY, 0, 200, NULL},
                                             {"fingerprint", KT_T_STR, 0, 64, NULL},
                                             {"same_day", KT_T_BOOL, 0, 0, NULL},
                                             END};

static const kt_argspec a_export_decisions[] = {{"body", KT_T_ID, REQ, 0, NULL},
                                                {"from", KT_T_DATE, 0, 0, NULL},
                                                {"to", KT_T_DATE, 0, 0, NULL},
                                                END};

static const kt_argspec a_chat_post[] = {{"body", KT_T_ID, REQ, 0, NULL},
                                         {"text", KT_T_TEXT, REQ, TEXT_MAX, NULL},
                                         {"item", KT_T_ID, NUL, 0, NULL},
                                         END};
static const kt_argspec a_chat_edit[] = {{"body", KT_T_ID, REQ, 0, NULL},
                                         {"message", KT_T_ID, REQ, 0, NULL},
                                         {"text", KT_T_TEXT, REQ, TEXT_MAX, NULL},
                                         END};
static const kt_argspec a_chat_delete[] = {
    {"body", KT_T_ID, REQ, 0, NULL}, {"message", KT_T_ID, REQ, 0, NULL}, END};
static const kt_argspec a_chat_history[] = {{"body", KT_T_ID, REQ, 0, NULL},
                                            {"before", KT_T_ID, 0, 0, NULL},
                                            {"item", KT_T_ID, 0, 0, NULL},
                                            {"limit", KT_T_INT, 0, 200, NULL},
                                            END};

static const kt_argspec a_abbreviation_set[] = {
    {"abbr", KT_T_STR, REQ, 40, NULL}, {"expansion", KT_T_STR, REQ | NUL, NAME_MAX, NULL}, END};

static const kt_argspec a_body_suggest[] = {{"text", KT_T_STR, REQ, 1000, NULL},
                                            {"scope", KT_T_STR, NUL, NAME_MAX, NULL},
                                            {"limit", KT_T_INT, 0, 20, NULL},
                                            END};
static const kt_argspec a_overlap_map[] = {{"days", KT_T_INT, 0, 366, NULL},
                                           {"scope", KT_T_STR, 0, NAME_MAX, NULL},
                                           {"limit", KT_T_INT, 0, 5000, NULL},
                                           {"body", KT_T_ID, 0, 0, NULL},
                                           END};

static const kt_argspec a_search[] = {{"q", KT_T_STR, REQ, 200, NULL},
                                      {"body", KT_T_ID, 0, 0, NULL},
                                      {"limit", KT_T_INT, 0, 50, NULL},
                                      {"offset", KT_T_INT, 0, 1000, NULL},
                                      END};

static const kt_argspec a_flag_list[] = {{"body", KT_T_ID, REQ, 0, NULL},
                                         {"state", KT_T_ENUM, 0, 0, kt_flag_states},
                                         {"after", KT_T_STR, 0, 40, NULL},
                                         {"limit", KT_T_INT, 0, 500, NULL},
                                         END};
static const kt_argspec a_flag_resolve[] = {{"flag", KT_T_ID, REQ, 0, NULL},
                                            {"state", KT_T_ENUM, REQ, 0, kt_flag_resolutions},
                                            {"note", KT_T_TEXT, 0, TEXT_MAX, NULL},
                                            {"lead_body", KT_T_ID, NUL, 0, NULL},
                                            END};

static const kt_argspec a_notification_list[] = {{"before", KT_T_ID, 0, 0, NULL},
                                                 {"limit", KT_T_INT, 0, 200, NULL},
                                                 {"unread", KT_T_BOOL, 0, 0, NULL},
                                                 END};
static const kt_argspec a_notification_read[] = {
    {"ids", KT_T_IDS, 0, 500, NULL}, {"all", KT_T_BOOL, 0, 0, NULL}, END};
static const kt_argspec a_since[] = {{"since", KT_T_INT, 0, 0, NULL}, END};
static const kt_argspec a_preferences_set[] = {
    {"prefs", KT_T_OBJECT, 0, 20, NULL}, {"due_days", KT_T_INT, 0, 30, NULL}, END};

static const kt_argspec a_feed_create[] = {
    {"kind", KT_T_ENUM, REQ, 0, kt_feed_kinds}, {"body", KT_T_ID, NUL, 0, NULL}, END};
static const kt_argspec a_feed_revoke[] = {{"feed", KT_T_ID, REQ, 0, NULL}, END};

static const kt_argspec a_subscribe[] = {
    {"body", KT_T_INT, REQ, 0, NULL}, {"since", KT_T_INT, 0, 0, NULL}, END};
static const kt_argspec a_unsubscribe[] = {{"body", KT_T_INT, REQ, 0, NULL}, END};

#define R  false /* reads */
#define W  true  /* writes */
#define NT KT_TGT_NONE

static const kt_op ops[] = {
    {"ping", kt_h_ping, KT_PERM_AUTH, NT, R, a_none},
    {"me.get", kt_h_me_get, KT_PERM_AUTH, NT, R, a_none},
    {"meeting.upcoming", kt_h_meeting_upcoming, KT_PERM_AUTH, NT, R, a_upcoming},

    {"scope.list", kt_h_scope_list, KT_PERM_AUTH, NT, R, a_dir_page},
    {"scope.create", kt_h_scope_create, KT_PERM_ADMIN, NT, W, a_scope_create},
    {"org.list", kt_h_org_list, KT_PERM_AUTH, NT, R, a_dir_page},
    {"org.create", kt_h_org_create, KT_PERM_ADMIN, NT, W, a_org_create},
    {"org.update", kt_h_org_update, KT_PERM_ADMIN, NT, W, a_org_update},
    {"person.list", kt_h_person_list, KT_PERM_AUTH, NT, R, a_person_list},
    {"person.search", kt_h_person_search, KT_PERM_AUTH, NT, R, a_person_search},
    {"person.create", kt_h_person_create, KT_PERM_ADMIN, NT, W, a_person_create},
    {"person.update", kt_h_person_update, KT_PERM_ADMIN, NT, W, a_person_update},
    {"person.reset", kt_h_person_reset, KT_PERM_ADMIN, NT, W, a_person_reset},
    {"person.export", kt_h_person_export, KT_PERM_ADMIN, NT, W, a_person_export},
    {"person.erase", kt_h_person_erase, KT_PERM_ADMIN, NT, W, a_person_erase},
    {"retention.get", kt_h_retention_get, KT_PERM_ADMIN, NT, R, a_none},
    {"audit.list", kt_h_audit_list, KT_PERM_ADMIN, NT, R, a_audit_list},
    {"audit.body", kt_h_audit_body, KT_PERM_EDIT, KT_TGT_BODY, R, a_audit_body},
    {"audit.history", kt_h_audit_history, KT_PERM_AUTH, NT, R, a_audit_history},

    {"body.list", kt_h_body_list, KT_PERM_AUTH, NT, R, a_dir_page},
    {"body.get", kt_h_body_get, KT_PERM_READ_ADMIN, KT_TGT_BODY, R, a_body_get},
    {"body.create", kt_h_body_create, KT_PERM_ADMIN, NT, W, a_body_create},
    {"body.update", kt_h_body_update, KT_PERM_ADMIN, KT_TGT_BODY, W, a_body_update},
    {"membership.add", kt_h_membership_add, KT_PERM_MANAGE, KT_TGT_BODY, W, a_member_add},
    {"membership.update", kt_h_membership_update, KT_PERM_MANAGE, KT_TGT_BODY, W, a_member_update},
    {"membership.remove", kt_h_membership_remove, KT_PERM_MANAGE, KT_TGT_BODY, W, a_member_remove},

    {"meeting.create", kt_h_meeting_create, KT_PERM_EDIT, KT_TGT_BODY, W, a_meeting_create},
    {"meeting.series", kt_h_meeting_series, KT_PERM_EDIT, KT_TGT_BODY, W, a_meeting_series},
    {"meeting.update", kt_h_meeting_update, KT_PERM_EDIT, KT_TGT_MEETING, W, a_meeting_update},
    {"meeting.cancel", kt_h_meeting_cancel, KT_PERM_EDIT, KT_TGT_MEETING, W, a_meeting},
    {"meeting.get", kt_h_meeting_get, KT_PERM_READ, KT_TGT_MEETING, R, a_meeting_get},
    {"meeting.list", kt_h_meeting_list, KT_PERM_READ, KT_TGT_BODY, R, a_meeting_list},
    {"attendance.set", kt_h_attendance_set, KT_PERM_PARTICIPATE, KT_TGT_MEETING, W, a_attendance},
    {"attendance.remove", kt_h_attendance_remove, KT_PERM_EDIT, KT_TGT_MEETING, W,
     a_attendance_remove},

    {"agenda.add", kt_h_agenda_add, KT_PERM_EDIT, KT_TGT_MEETING_OR_BODY, W, a_agenda_add},
    {"agenda.update", kt_h_agenda_update, KT_PERM_EDIT, KT_TGT_ITEM, W, a_agenda_update},
    {"agenda.remove", kt_h_agenda_remove, KT_PERM_EDIT, KT_TGT_ITEM, W, a_item},
    {"agenda.move", kt_h_agenda_move, KT_PERM_EDIT, KT_TGT_ITEM, W, a_agenda_move},
    {"agenda.reorder", kt_h_agenda_reorder, KT_PERM_EDIT, KT_TGT_MEETING_OR_BODY, W,
     a_agenda_reorder},
    {"agenda.publish", kt_h_agenda_publish, KT_PERM_EDIT, KT_TGT_MEETING, W, a_meeting},
    {"agenda.copy", kt_h_agenda_copy, KT_PERM_EDIT, KT_TGT_MEETING, W, a_agenda_copy},

    {"agenda.refer", kt_h_agenda_refer, KT_PERM_EDIT, KT_TGT_ITEM, W, a_agenda_refer},
    {"request.create", kt_h_request_create, KT_PERM_PARTICIPATE, KT_TGT_BODY, W, a_request_create},
    {"request.list", kt_h_request_list, KT_PERM_READ, KT_TGT_BODY, R, a_body},
    {"request.decide", kt_h_request_decide, KT_PERM_EDIT, KT_TGT_BODY, W, a_request_decide},

    {"action.list", kt_h_action_list, KT_PERM_AUTH, NT, R, a_action_list},
    {"action.create", kt_h_action_create, KT_PERM_PARTICIPATE, KT_TGT_BODY, W, a_action_create},
    {"action.update", kt_h_action_update, KT_PERM_PARTICIPATE, KT_TGT_ACTION, W, a_action_update},
    {"action.propose", kt_h_action_propose, KT_PERM_PARTICIPATE, KT_TGT_ACTION, W,
     a_action_propose},

    {"minutes.note", kt_h_minutes_note, KT_PERM_EDIT, KT_TGT_ITEM, W, a_minutes_note},
    {"minutes.get", kt_h_minutes_get, KT_PERM_READ, KT_TGT_MEETING, R, a_minutes_get},
    {"minutes.version", kt_h_minutes_version, KT_PERM_READ, KT_TGT_MEETING, R, a_minutes_version},
    {"minutes.submit", kt_h_minutes_submit, KT_PERM_EDIT, KT_TGT_MEETING, W, a_minutes_submit},
    {"minutes.amend", kt_h_minutes_amend, KT_PERM_PARTICIPATE, KT_TGT_MEETING, W, a_minutes_amend},
    {"minutes.withdraw", kt_h_minutes_withdraw, KT_PERM_PARTICIPATE, KT_TGT_MEETING, W,
     a_minutes_withdraw},
    {"minutes.approve", kt_h_minutes_approve, KT_PERM_CHAIR, KT_TGT_MEETING, W, a_minutes_approve},
    {"import.preview", kt_h_import_preview, KT_PERM_EDIT, KT_TGT_BODY, R, a_import_preview},
    {"import.commit", kt_h_import_commit, KT_PERM_EDIT, KT_TGT_BODY, W, a_import_commit},
    {"export.minutes", kt_h_export_minutes, KT_PERM_READ, KT_TGT_MEETING, R, a_export_minutes},
    {"export.decisions", kt_h_export_decisions, KT_PERM_READ, KT_TGT_BODY, R, a_export_decisions},

    {"chat.post", kt_h_chat_post, KT_PERM_PARTICIPATE, KT_TGT_BODY, W, a_chat_post},
    {"chat.history", kt_h_chat_history, KT_PERM_READ, KT_TGT_BODY, R, a_chat_history},
    {"chat.edit", kt_h_chat_edit, KT_PERM_PARTICIPATE, KT_TGT_BODY, W, a_chat_edit},
    {"chat.delete", kt_h_chat_delete, KT_PERM_PARTICIPATE, KT_TGT_BODY, W, a_chat_delete},
    {"chat.unread", kt_h_chat_unread, KT_PERM_READ, KT_TGT_BODY, R, a_body},
    {"chat.read", kt_h_chat_read, KT_PERM_READ, KT_TGT_BODY, W, a_body},

    {"abbreviation.list", kt_h_abbreviation_list, KT_PERM_AUTH, NT, R, a_none},
    {"abbreviation.set", kt_h_abbreviation_set, KT_PERM_ADMIN, NT, W, a_abbreviation_set},
    {"body.suggest", kt_h_body_suggest, KT_PERM_AUTH, NT, R, a_body_suggest},
    {"overlap.map", kt_h_overlap_map, KT_PERM_AUTH, NT, R, a_overlap_map},
    {"search", kt_h_search, KT_PERM_AUTH, NT, R, a_search},
    {"flag.list", kt_h_flag_list, KT_PERM_EDIT, KT_TGT_BODY, R, a_flag_list},
    {"flag.resolve", kt_h_flag_resolve, KT_PERM_AUTH, NT, W, a_flag_resolve},

    {"notification.list", kt_h_notification_list, KT_PERM_AUTH, NT, R, a_notification_list},
    {"notification.read", kt_h_notification_read, KT_PERM_AUTH, NT, W, a_notification_read},
    {"notification.subscribe", kt_h_notification_subscribe, KT_PERM_AUTH, NT, R, a_since},
    {"preferences.get", kt_h_preferences_get, KT_PERM_AUTH, NT, R, a_none},
    {"preferences.set", kt_h_preferences_set, KT_PERM_AUTH, NT, W, a_preferences_set},

    {"feed.list", kt_h_feed_list, KT_PERM_AUTH, NT, R, a_none},
    {"feed.create", kt_h_feed_create, KT_PERM_AUTH, NT, W, a_feed_create},
    {"feed.revoke", kt_h_feed_revoke, KT_PERM_AUTH, NT, W, a_feed_revoke},

    {"subscribe", kt_h_subscribe, KT_PERM_AUTH, NT, R, a_subscribe},
    {"unsubscribe", kt_h_unsubscribe, KT_PERM_AUTH, NT, R, a_unsubscribe},
};

#define N_OPS (sizeof ops / sizeof ops[0])

/* The ops by name, sorted once: every request looks its op up, and comparing the name with each
 * of the table's ~80 in turn cost ~4,700 instructions for chat.post (bench/README, loop10). */
static const kt_op *by_name[N_OPS];
static pthread_once_t by_name_once = PTHREAD_ONCE_INIT;

static int op_cmp(const void *a, const void *b)
{
    return strcmp((*(const kt_op *const *)a)->name, (*(const kt_op *const *)b)->name);
}

static void sort_by_name(void)
{
    for (size_t i = 0; i < N_OPS; i++)
        by_name[i] = &ops[i];
    qsort(by_name, N_OPS, sizeof by_name[0], op_cmp);
}

const kt_op *kt_op_find(const char *name)
{
    pthread_once(&by_name_once, sort_by_name);
    size_t lo = 0, hi = N_OPS;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, by_name[mid]->name);
        if (c == 0)
            return by_name[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const kt_op *kt_op_table(int *count)
{
    *count = (int)(sizeof ops / sizeof ops[0]);
    return ops;
}

#include "domain/enums.h"

#include <stddef.h>

const char *const kt_org_kinds[] = {"gemeente",
                                    "politie",
                                    "om",
                                    "riec",
                                    "belastingdienst",
                                    "omgevingsdienst",
                                    "sociale_dienst",
                                    "woningcorporatie",
                                    "jongerenwerk",
                                    "onderwijs",
                                    "zorg",
                                    "veiligheidshuis",
                                    "rijk",
                                    "overig",
                                    NULL};
const char *const kt_body_kinds[] = {
    "regiegroep", "stuurgroep", "casusoverleg", "leefbaarheidsoverleg", "werkgroep",
    "overig",     NULL};
const char *const kt_levels[] = {"strategisch", "tactisch", "operationeel", NULL};
const char *const kt_roles[] = {"voorzitter", "secretaris", "lid", "vaste_vervanger",
                                "gast",       "waarnemer",  NULL};
const char *const kt_meeting_statuses[] = {"concept",
                                           "agenda_gepubliceerd",
                                           "gehouden",
                                           "verslag_concept",
                                           "verslag_ter_vaststelling",
                                           "verslag_vastgesteld",
                                           "geannuleerd",
                                           NULL};
const char *const kt_item_kinds[] = {"informatie", "bespreking", "besluitvorming", NULL};
const char *const kt_item_specials[] = {"verslag", "actielijst", NULL};
const char *const kt_item_statuses[] = {"open", "behandeld", "aangehouden", NULL};
const char *const kt_action_kinds[] = {"actiepunt", "toezegging", "besluit", NULL};
const char *const kt_action_statuses[] = {"open", "lopend", "afgerond", "vervallen", NULL};
const char *const kt_attendance_statuses[] = {"aanwezig", "afwezig", "vervangen", "later", NULL};
const char *const kt_attendance_notices[] = {"met_bericht", "zonder_bericht", NULL};
const char *const kt_substitute_kinds[] = {"eenmalig", "vast", NULL};
const char *const kt_attendance_roles[] = {"voorzitter", "notulist", NULL};
const char *const kt_scope_kinds[] = {"gemeente", "regio", NULL};
const char *const kt_flag_states[] = {"open",         "afgestemd", "bewust_dubbel",
                                      "geen_overlap", "vervallen", NULL};
const char *const kt_flag_resolutions[] = {"open", "afgestemd", "bewust_dubbel", "geen_overlap",
                                           NULL};
const char *const kt_feed_kinds[] = {"ical", "atom", "body_ical", NULL};
const char *const kt_import_statuses[] = {"gehouden", "verslag_concept", "verslag_vastgesteld",
                                          NULL};
const char *const kt_request_decisions[] = {"aanvaarden", "afwijzen", NULL};

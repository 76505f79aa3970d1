#include "protocol/errors.h"

static const struct {
    const char *name, *message;
} codes[KT_C__COUNT] = {
    [KT_C_NONE] = {"", ""},
    [KT_C_INVALID_JSON] = {"invalid_json", "Het bericht is geen geldige JSON."},
    [KT_C_INVALID_UTF8] = {"invalid_utf8", "Het bericht is geen geldige UTF-8-tekst."},
    [KT_C_FRAME_TOO_LARGE] = {"frame_too_large", "Het bericht is groter dan 64 KiB."},
    [KT_C_BINARY_NOT_SUPPORTED] = {"binary_not_supported",
                                   "Alleen tekstberichten (JSON) worden ondersteund."},
    [KT_C_INVALID_REQUEST] = {"invalid_request",
                              "Een verzoek is een JSON-object met een id en een op."},
    [KT_C_UNKNOWN_OP] = {"unknown_op", "Deze bewerking bestaat niet."},
    [KT_C_MISSING_ARGUMENT] = {"missing_argument", "Er ontbreekt een verplicht gegeven."},
    [KT_C_INVALID_ARGUMENT] = {"invalid_argument", "Een gegeven heeft een ongeldige waarde."},
    [KT_C_UNKNOWN_ARGUMENT] = {"unknown_argument", "Het verzoek bevat een onbekend gegeven."},
    [KT_C_NOT_FOUND] = {"not_found", "Dit bestaat niet (meer)."},
    [KT_C_FORBIDDEN] = {"forbidden", "U hebt geen toestemming voor deze bewerking."},
    [KT_C_NOT_MEMBER] = {"not_member", "U bent geen lid van dit overleg."},
    [KT_C_CONFLICT] = {"conflict", "Dit botst met wat er al is."},
    [KT_C_INVALID_STATE] = {"invalid_state", "Dit kan niet in de huidige status."},
    [KT_C_INVALID_SINCE] = {"invalid_since", "Dit volgnummer ligt voorbij de laatste wijziging."},
    [KT_C_RESYNC] = {"resync", "Deze wijzigingen zijn niet meer na te spelen; haal de actuele "
                               "stand opnieuw op."},
    [KT_C_TOO_MANY_SUBSCRIPTIONS] = {"too_many_subscriptions",
                                     "Te veel gelijktijdige abonnementen op deze verbinding."},
    [KT_C_RATE_LIMITED] = {"rate_limited", "Te veel pogingen; probeer het later opnieuw."},
    [KT_C_UNAUTHENTICATED] = {"unauthenticated", "U bent niet ingelogd."},
    [KT_C_INVALID_CREDENTIALS] = {"invalid_credentials",
                                  "Onbekend e-mailadres of onjuist wachtwoord."},
    [KT_C_SESSION_EXPIRED] = {"session_expired", "Uw sessie is verlopen; log opnieuw in."},
    [KT_C_STORE_BUSY] = {"store_busy", "De opslag is tijdelijk bezet; probeer het opnieuw."},
    [KT_C_STORE_UNAVAILABLE] = {"store_unavailable",
                                "De opslag van de server kan nu niet schrijven (schijf vol of "
                                "defect); er is niets bewaard. Probeer het later opnieuw."},
    [KT_C_TLS_REQUIRED] = {"tls_required",
                           "Aanmelden kan alleen over een beveiligde verbinding (https)."},
    [KT_C_INTERNAL] = {"internal_error", "Er ging iets mis op de server."},
    [KT_C_SEARCH_QUERY_EMPTY] = {"search_query_empty",
                                 "Geef een zoekterm: een woord van minstens twee letters."},
    [KT_C_IMPORT_EMPTY] = {"import_empty", "Het verslag is leeg."},
    [KT_C_IMPORT_TOO_LARGE] = {"import_too_large", "Het verslag is te groot."},
    [KT_C_IMPORT_NOT_TEXT] = {"import_not_text",
                              "Dit is geen tekst. Plak het verslag als tekst of Markdown."},
    [KT_C_IMPORT_UNRECOGNISED] = {"import_unrecognised",
                                  "In deze tekst zijn geen agendapunten en geen aanwezigen "
                                  "herkend."},
    [KT_C_IMPORT_TOO_COMPLEX] = {"import_too_complex",
                                 "Het verslag heeft te veel agendapunten, personen of "
                                 "uitkomsten om in één keer in te lezen."},
    [KT_C_IMPORT_DUPLICATE] = {"import_duplicate",
                               "Dit verslag is al geïmporteerd; het wordt niet nog eens "
                               "opgeslagen."},
};

const char *kt_code_name(kt_code code)
{
    return (unsigned)code < KT_C__COUNT ? codes[code].name : "internal_error";
}

const char *kt_code_message(kt_code code)
{
    return (unsigned)code < KT_C__COUNT ? codes[code].message : codes[KT_C_INTERNAL].message;
}

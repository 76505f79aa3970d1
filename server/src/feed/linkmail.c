#include "feed/linkmail.h"

#include "feed/strbuf.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

int kt_link_mail(kt_mail *m, const char *name, const char *email, const char *url, bool reset,
                 int ttl_days)
{
    memset(m, 0, sizeof *m);
    if (!kt_mail_address_ok(email))
        return KT_EINVAL;
    const char *why = reset ? "Er is een nieuwe link aangevraagd om uw wachtwoord voor ketentafel "
                              "in te stellen."
                            : "Er is een account voor u aangemaakt in ketentafel.";
    kt_strbuf text = {0}, html = {0};
    kt_sb_addf(&text,
               "Beste %s,\n\n%s Met deze link stelt u zelf een wachtwoord in:\n\n%s\n\n"
               "De link werkt één keer en is %d dagen geldig. Een eerdere link werkt niet meer.\n"
               "Heeft u dit niet verwacht? Neem dan contact op met de beheerder.\n",
               name, why, url, ttl_days);
    kt_sb_add(&html, "<p>Beste ");
    kt_sb_add_html(&html, name);
    kt_sb_add(&html, ",</p><p>");
    kt_sb_add_html(&html, why);
    kt_sb_add(&html, " Met deze link stelt u zelf een wachtwoord in:</p><p><a href=\"");
    kt_sb_add_html(&html, url);
    kt_sb_add(&html, "\">Wachtwoord instellen</a></p>");
    kt_sb_addf(&html,
               "<p>De link werkt één keer en is %d dagen geldig. Een eerdere link werkt niet "
               "meer. Heeft u dit niet verwacht? Neem dan contact op met de beheerder.</p>",
               ttl_days);
    m->to_addr = strdup(email);
    m->to_name = strdup(name);
    m->subject =
        strdup(reset ? "Nieuwe link voor uw wachtwoord in ketentafel" : "Uw account in ketentafel");
    m->text = kt_sb_take(&text);
    m->html = kt_sb_take(&html);
    if (!m->to_addr || !m->to_name || !m->subject || !m->text || !m->html) {
        kt_mail_clear(m);
        return KT_ENOMEM;
    }
    return 0;
}

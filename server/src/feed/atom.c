#include "feed/atom.h"

#include "domain/views.h"
#include "store/notifications.h"
#include "store/store.h"
#include "util/ivec.h"
#include "util/timeutil.h"

#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>

#define ATOM_NS "http://www.w3.org/2005/Atom"
/* Notifications looked at to find KT_ATOM_ENTRIES that may still be shown. */
#define SCAN_MAX (4 * KT_ATOM_ENTRIES)

typedef xmlTextWriterPtr writer;

/* XML 1.0 cannot carry most C0 control characters, even escaped: they become spaces. The input
 * is valid UTF-8 (checked where it entered). Returns malloc'd text or NULL. */
static char *xml_clean(const char *s)
{
    char *out = strdup(s ? s : "");
    for (char *p = out; p && *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
            *p = ' ';
    return out;
}

static int elem(writer w, const char *name, const char *text)
{
    char *clean = xml_clean(text);
    if (!clean)
        return -1;
    int rc = xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST clean);
    free(clean);
    return rc < 0 ? -1 : 0;
}

static int atom_link(writer w, const char *rel, const char *type, const char *href)
{
    if (xmlTextWriterStartElement(w, BAD_CAST "link") < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST rel) < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST type) < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST href) < 0)
        return -1;
    return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static int author(writer w, const char *name)
{
    if (xmlTextWriterStartElement(w, BAD_CAST "author") < 0 || elem(w, "name", name))
        return -1;
    return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static void base_url(const kt_app *app, char *buf, size_t n)
{
    const char *base = app->cfg.public_url ? app->cfg.public_url : "";
    size_t len = strlen(base);
    while (len > 0 && base[len - 1] == '/')
        len--;
    snprintf(buf, n, "%.*s", (int)len, base);
}

static const char *kind_label(const char *kind)
{
    static const char *const labels[][2] = {
        {"assigned", "Actie voor u"},    {"due", "Deadline"},
        {"meeting", "Vergadering"},      {"agenda", "Agenda"},
        {"relevant", "Relevant voor u"}, {"mention", "Genoemd"},
        {"flag", "Signalering"},         {"membership", "Lidmaatschap"},
        {"verslag", "Verslag"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (kind && strcmp(labels[i][0], kind) == 0)
            return labels[i][1];
    return "Melding";
}

static int entry(writer w, const char *base, json_t *n)
{
    char id[64], href[700], summary[1200];
    snprintf(id, sizeof id, "urn:ketentafel:notification:%lld",
             (long long)json_integer_value(json_object_get(n, "id")));
    snprintf(href, sizeof href, "%s/%s", base, json_string_value(json_object_get(n, "link")));
    const char *title = json_string_value(json_object_get(n, "title"));
    const char *text = json_string_value(json_object_get(n, "text"));
    const char *body = json_string_value(json_object_get(n, "body_name"));
    const char *kind = json_string_value(json_object_get(n, "kind"));
    const char *when = json_string_value(json_object_get(n, "created_at"));
    const char *actor = json_string_value(json_object_get(n, "actor_name"));
    int full = snprintf(summary, sizeof summary, "%s%s%s%s", text && *text ? text : title,
                        body ? "\n" : "", body ? "Overleg: " : "", body ? body : "");
    if (full >= (int)sizeof summary) { /* cut: not inside a UTF-8 sequence (XML must be UTF-8) */
        size_t len = sizeof summary - 1, lead = len;
        while (lead > 0 && ((unsigned char)summary[lead - 1] & 0xc0) == 0x80)
            lead--;
        unsigned char c = lead ? (unsigned char)summary[lead - 1] : 0;
        size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        if (lead && len - (lead - 1) < need)
            summary[lead - 1] = 0; /* the last character lost its tail */
    }
    if (xmlTextWriterStartElement(w, BAD_CAST "entry") < 0 || elem(w, "id", id) ||
        elem(w, "title", title) || elem(w, "updated", when) || elem(w, "published", when) ||
        atom_link(w, "alternate", "text/html", href) || author(w, actor ? actor : "ketentafel"))
        return -1;
    if (xmlTextWriterStartElement(w, BAD_CAST "category") < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "term", BAD_CAST(kind ? kind : "")) < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "label", BAD_CAST kind_label(kind)) < 0 ||
        xmlTextWriterEndElement(w) < 0)
        return -1;
    if (xmlTextWriterStartElement(w, BAD_CAST "summary") < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "text") < 0)
        return -1;
    char *clean = xml_clean(summary);
    int rc = clean ? xmlTextWriterWriteString(w, BAD_CAST clean) : -1;
    free(clean);
    if (rc < 0 || xmlTextWriterEndElement(w) < 0)
        return -1;
    return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

/* The newest notifications of person that may still be shown, newest first (new array). */
static json_t *visible_notifications(kt_store *st, int64_t person)
{
    json_t *out = json_array();
    kt_ivec ids = {0};
    kt_store_notifications_ids(st, person, INT64_MAX, false, SCAN_MAX, &ids);
    for (size_t i = 0; i < ids.n && json_array_size(out) < KT_ATOM_ENTRIES; i++) {
        if (!kt_notification_visible(st, person, ids.v[i]))
            continue;
        json_t *j = kt_notification_json(st, ids.v[i]);
        if (j)
            json_array_append_new(out, j);
    }
    kt_ivec_free(&ids);
    return out;
}

static int feed(writer w, kt_app *app, const kt_principal *p, const char *self_url, json_t *list)
{
    char base[512], feed_id[80], title[300], updated[32], home[600];
    base_url(app, base, sizeof base);
    snprintf(feed_id, sizeof feed_id, "urn:ketentafel:person:%lld:notifications",
             (long long)p->person);
    snprintf(title, sizeof title, "Meldingen voor %s (ketentafel)", p->name);
    snprintf(home, sizeof home, "%s/#/", base);
    json_t *newest = json_array_get(list, 0);
    if (newest)
        snprintf(updated, sizeof updated, "%s",
                 json_string_value(json_object_get(newest, "created_at")));
    else
        kt_time_format(kt_now(), updated, sizeof updated);
    if (xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
        xmlTextWriterStartElement(w, BAD_CAST "feed") < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST ATOM_NS) < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "xml:lang", BAD_CAST "nl") < 0 ||
        elem(w, "id", feed_id) || elem(w, "title", title) || elem(w, "updated", updated) ||
        atom_link(w, "self", "application/atom+xml", self_url) ||
        atom_link(w, "alternate", "text/html", home) || author(w, "ketentafel") ||
        elem(w, "generator", "ketentafel"))
        return -1;
    size_t i;
    json_t *n;
    json_array_foreach(list, i, n) if (entry(w, base, n)) return -1;
    return xmlTextWriterEndDocument(w) < 0 ? -1 : 0;
}

char *kt_atom_render(kt_app *app, const kt_principal *p, const char *self_url)
{
    xmlBufferPtr buf = xmlBufferCreate();
    writer w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    if (!w) {
        if (buf)
            xmlBufferFree(buf);
        return NULL;
    }
    xmlTextWriterSetIndent(w, 1);
    json_t *list = visible_notifications(app->store, p->person);
    int rc = feed(w, app, p, self_url, list);
    json_decref(list);
    xmlFreeTextWriter(w); /* flushes into buf */
    char *out = rc ? NULL : strdup((const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    return out;
}

void kt_atom_shutdown(void)
{
    xmlCleanupParser();
}

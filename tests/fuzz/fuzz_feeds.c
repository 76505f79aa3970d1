/* libFuzzer: the iCalendar and Atom writers. The input becomes the texts that end up in a feed
 * (a meeting's location, an item's title, a body's name, a notification's title through a chat
 * mention); then the member's calendar and Atom feed are written and parsed back: the calendar
 * must be one VCALENDAR libical reads, the Atom feed well-formed XML, whatever the texts hold. */
#include "feed/atom.h"
#include "feed/ical.h"
#include "util/timeutil.h"
#include "world.h"

#include <libical/ical.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

static void op(fuzz_world *w, const kt_principal *me, json_t *req)
{
    json_object_set_new(req, "id", json_integer(1));
    json_decref(fuzz_request(w, me, req));
    json_decref(req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_world *w = fuzz_world_get();
    char *text = fuzz_text(data, size, 190);
    if (!text)
        return 0;
    op(w, &w->chair,
       json_pack("{s:s, s:I, s:s}", "op", "meeting.update", "meeting", (json_int_t)w->meeting,
                 "location", text));
    op(w, &w->chair,
       json_pack("{s:s, s:I, s:s, s:s}", "op", "agenda.update", "item", (json_int_t)w->item,
                 "title", *text ? text : "leeg", "description", text));
    op(w, &w->admin,
       json_pack("{s:s, s:I, s:s}", "op", "body.update", "body", (json_int_t)w->body, "name",
                 *text ? text : "leeg"));
    char mention[300];
    snprintf(mention, sizeof mention, "@Leo Lid %s", text);
    op(w, &w->chair,
       json_pack("{s:s, s:I, s:s}", "op", "chat.post", "body", (json_int_t)w->body, "text",
                 mention));
    free(text);

    char *ics = kt_ical_render(&w->app, &w->member, 0, kt_now());
    if (!ics)
        abort();
    icalcomponent *cal = icalparser_parse_string(ics);
    if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT)
        abort();
    icalcomponent_free(cal);
    free(ics);

    char *atom = kt_atom_render(&w->app, &w->member, "http://ketentafel.test/feeds/atom/x.xml");
    if (!atom)
        abort();
    xmlDocPtr doc = xmlReadMemory(atom, (int)strlen(atom), "atom.xml", "UTF-8", XML_PARSE_NONET);
    if (!doc)
        abort();
    xmlFreeDoc(doc);
    free(atom);
    return 0;
}

/* Scope compatibility and the built-in table of Dutch regions; see regions.h. */
#include "detect/regions.h"

#include "detect/strmap.h"
#include "detect/text.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

/* --- the built-in table ------------------------------------------------------------------ */

/* Names are '|'-separated aliases (the first is the canonical one); members are municipality
 * names or "@alias" of a region defined above. Membership as of 2024 (342 municipalities):
 * the 25 veiligheidsregio's partition the country, so they also define which names are
 * municipalities. Where a name is used for two regions ("Regio Rotterdam": the Rijnmond safety
 * region or the RIEC/police unit that adds Zuid-Holland Zuid) it maps to the larger one,
 * because a wrong "compatible" costs a reviewable flag and a wrong "incompatible" a missed one. */
typedef struct region_def {
    const char *names;
    const char *members;
} region_def;

static const region_def builtin_regions[] = {
    /* The 25 veiligheidsregio's. */
    {"veiligheidsregio groningen|vr groningen|regio groningen",
     "Eemsdelta|Groningen|Het Hogeland|Midden-Groningen|Oldambt|Pekela|Stadskanaal|Veendam|"
     "Westerkwartier|Westerwolde"},
    {"fryslan|friesland|veiligheidsregio fryslan|provincie fryslan|provincie friesland",
     "Achtkarspelen|Ameland|Dantumadiel|De Fryske Marren|Harlingen|Heerenveen|Leeuwarden|"
     "Noardeast-Fryslan|Ooststellingwerf|Opsterland|Schiermonnikoog|Smallingerland|"
     "Sudwest-Fryslan|Terschelling|Tytsjerksteradiel|Vlieland|Waadhoeke|Weststellingwerf"},
    {"drenthe|veiligheidsregio drenthe|provincie drenthe",
     "Aa en Hunze|Assen|Borger-Odoorn|Coevorden|De Wolden|Emmen|Hoogeveen|Meppel|"
     "Midden-Drenthe|Noordenveld|Tynaarlo|Westerveld"},
    {"ijsselland|veiligheidsregio ijsselland",
     "Dalfsen|Deventer|Hardenberg|Kampen|Olst-Wijhe|Ommen|Raalte|Staphorst|Steenwijkerland|"
     "Zwartewaterland|Zwolle"},
    {"twente|veiligheidsregio twente|regio twente",
     "Almelo|Borne|Dinkelland|Enschede|Haaksbergen|Hellendoorn|Hengelo|Hof van Twente|Losser|"
     "Oldenzaal|Rijssen-Holten|Tubbergen|Twenterand|Wierden"},
    {"noord- en oost-gelderland|noord en oost gelderland|vnog",
     "Aalten|Apeldoorn|Berkelland|Bronckhorst|Brummen|Doetinchem|Elburg|Epe|Ermelo|Harderwijk|"
     "Hattem|Heerde|Lochem|Montferland|Nunspeet|Oldebroek|Oost Gelre|Oude IJsselstreek|Putten|"
     "Voorst|Winterswijk|Zutphen"},
    {"gelderland-midden|vggm",
     "Arnhem|Barneveld|Doesburg|Duiven|Ede|Lingewaard|Nijkerk|Overbetuwe|Renkum|Rheden|"
     "Rozendaal|Scherpenzeel|Wageningen|Westervoort|Zevenaar"},
    {"gelderland-zuid|vrgz",
     "Berg en Dal|Beuningen|Buren|Culemborg|Druten|Heumen|Maasdriel|Neder-Betuwe|Nijmegen|Tiel|"
     "West Betuwe|West Maas en Waal|Wijchen|Zaltbommel"},
    {"veiligheidsregio utrecht|vru|regio utrecht|provincie utrecht",
     "Amersfoort|Baarn|Bunnik|Bunschoten|De Bilt|De Ronde Venen|Eemnes|Houten|IJsselstein|"
     "Leusden|Lopik|Montfoort|Nieuwegein|Oudewater|Renswoude|Rhenen|Soest|Stichtse Vecht|"
     "Utrecht|Utrechtse Heuvelrug|Veenendaal|Vijfheerenlanden|Wijk bij Duurstede|Woerden|"
     "Woudenberg|Zeist"},
    {"noord-holland-noord|noord holland noord|vrnhn",
     "Alkmaar|Bergen (NH)|Castricum|Den Helder|Dijk en Waard|Drechterland|Enkhuizen|Heiloo|"
     "Hollands Kroon|Hoorn|Koggenland|Medemblik|Opmeer|Schagen|Stede Broec|Texel"},
    {"zaanstreek-waterland|vrzw",
     "Edam-Volendam|Landsmeer|Oostzaan|Purmerend|Waterland|Wormerland|Zaanstad"},
    {"kennemerland|veiligheidsregio kennemerland|vrk",
     "Beverwijk|Bloemendaal|Haarlem|Haarlemmermeer|Heemskerk|Heemstede|Uitgeest|Velsen|"
     "Zandvoort"},
    {"amsterdam-amstelland|vraa|riec amsterdam-amstelland|eenheid amsterdam|regio "
     "amsterdam-amstelland",
     "Aalsmeer|Amstelveen|Amsterdam|Diemen|Ouder-Amstel|Uithoorn"},
    {"gooi en vechtstreek|regio gooi en vechtstreek",
     "Blaricum|Gooise Meren|Hilversum|Huizen|Laren|Wijdemeren"},
    {"haaglanden|veiligheidsregio haaglanden|vrh|regio haaglanden",
     "Delft|Den Haag|Leidschendam-Voorburg|Midden-Delfland|Pijnacker-Nootdorp|Rijswijk|"
     "Wassenaar|Westland|Zoetermeer"},
    {"hollands midden|veiligheidsregio hollands midden|vrhm",
     "Alphen aan den Rijn|Bodegraven-Reeuwijk|Gouda|Hillegom|Kaag en Braassem|Katwijk|"
     "Krimpenerwaard|Leiden|Leiderdorp|Lisse|Nieuwkoop|Noordwijk|Oegstgeest|Teylingen|"
     "Voorschoten|Waddinxveen|Zoeterwoude|Zuidplas"},
    {"rotterdam-rijnmond|rijnmond|veiligheidsregio rotterdam-rijnmond|vrr|regio rijnmond",
     "Albrandswaard|Barendrecht|Capelle aan den IJssel|Goeree-Overflakkee|"
     "Krimpen aan den IJssel|Lansingerland|Maassluis|Nissewaard|Ridderkerk|Rotterdam|Schiedam|"
     "Vlaardingen|Voorne aan Zee"},
    {"zuid-holland zuid|zuid-holland-zuid|zhz|vrzhz|veiligheidsregio zuid-holland zuid",
     "Alblasserdam|Dordrecht|Gorinchem|Hardinxveld-Giessendam|Hendrik-Ido-Ambacht|"
     "Hoeksche Waard|Molenlanden|Papendrecht|Sliedrecht|Zwijndrecht"},
    {"zeeland|veiligheidsregio zeeland|provincie zeeland",
     "Borsele|Goes|Hulst|Kapelle|Middelburg|Noord-Beveland|Reimerswaal|Schouwen-Duiveland|Sluis|"
     "Terneuzen|Tholen|Veere|Vlissingen"},
    {"midden- en west-brabant|midden en west brabant|vrmwb",
     "Alphen-Chaam|Altena|Baarle-Nassau|Bergen op Zoom|Breda|Dongen|Drimmelen|Etten-Leur|"
     "Geertruidenberg|Gilze en Rijen|Goirle|Halderberge|Hilvarenbeek|Loon op Zand|Moerdijk|"
     "Oisterwijk|Oosterhout|Roosendaal|Rucphen|Steenbergen|Tilburg|Waalwijk|Woensdrecht|"
     "Zundert"},
    {"brabant-noord|noordoost-brabant|vrbn",
     "Bernheze|Boekel|Boxtel|'s-Hertogenbosch|Heusden|Land van Cuijk|Maashorst|Meierijstad|Oss|"
     "Sint-Michielsgestel|Vught"},
    {"brabant-zuidoost|zuidoost-brabant|metropoolregio eindhoven|vrbzo",
     "Asten|Bergeijk|Best|Bladel|Cranendonck|Deurne|Eersel|Eindhoven|Geldrop-Mierlo|"
     "Gemert-Bakel|Heeze-Leende|Helmond|Laarbeek|Nuenen|Oirschot|Reusel-De Mierden|Someren|"
     "Son en Breugel|Valkenswaard|Veldhoven|Waalre"},
    {"limburg-noord|noord-limburg|vrln",
     "Beesel|Bergen (L)|Echt-Susteren|Gennep|Horst aan de Maas|Leudal|Maasgouw|"
     "Mook en Middelaar|Nederweert|Peel en Maas|Roerdalen|Roermond|Venlo|Venray|Weert"},
    {"zuid-limburg|veiligheidsregio zuid-limburg|vrzl",
     "Beek|Beekdaelen|Brunssum|Eijsden-Margraten|Gulpen-Wittem|Heerlen|Kerkrade|Landgraaf|"
     "Maastricht|Meerssen|Simpelveld|Sittard-Geleen|Stein|Vaals|Valkenburg aan de Geul|"
     "Voerendaal"},
    {"flevoland|veiligheidsregio flevoland|provincie flevoland",
     "Almere|Dronten|Lelystad|Noordoostpolder|Urk|Zeewolde"},

    /* The 10 RIEC regions, the same as the police units. */
    {"riec noord-nederland|noord-nederland|eenheid noord-nederland",
     "@veiligheidsregio groningen|@fryslan|@drenthe"},
    {"riec oost-nederland|oost-nederland|eenheid oost-nederland",
     "@ijsselland|@twente|@noord- en oost-gelderland|@gelderland-midden|@gelderland-zuid"},
    {"riec midden-nederland|midden-nederland|eenheid midden-nederland",
     "@veiligheidsregio utrecht|@gooi en vechtstreek|@flevoland"},
    {"riec noord-holland|eenheid noord-holland",
     "@noord-holland-noord|@zaanstreek-waterland|@kennemerland"},
    {"riec den haag|riec haaglanden|eenheid den haag|regio den haag",
     "@haaglanden|@hollands midden"},
    {"riec rotterdam|eenheid rotterdam|regio rotterdam|riec rotterdam-rijnmond",
     "@rotterdam-rijnmond|@zuid-holland zuid"},
    {"riec zeeland-west-brabant|zeeland-west-brabant|eenheid zeeland-west-brabant",
     "@zeeland|@midden- en west-brabant"},
    {"riec oost-brabant|oost-brabant|eenheid oost-brabant", "@brabant-noord|@brabant-zuidoost"},
    {"riec limburg|eenheid limburg|limburg|provincie limburg", "@limburg-noord|@zuid-limburg"},

    /* Provinces not defined above. */
    {"provincie groningen", "@veiligheidsregio groningen"},
    {"overijssel|provincie overijssel", "@ijsselland|@twente"},
    {"gelderland|provincie gelderland",
     "@noord- en oost-gelderland|@gelderland-midden|@gelderland-zuid"},
    {"noord-holland|provincie noord-holland",
     "@noord-holland-noord|@zaanstreek-waterland|@kennemerland|@amsterdam-amstelland|"
     "@gooi en vechtstreek"},
    {"zuid-holland|provincie zuid-holland",
     "@haaglanden|@hollands midden|@rotterdam-rijnmond|@zuid-holland zuid"},
    {"noord-brabant|brabant|provincie noord-brabant",
     "@midden- en west-brabant|@brabant-noord|@brabant-zuidoost"},

    /* Cooperation regions that bodies are often scoped to. */
    {"drechtsteden|regio drechtsteden",
     "Alblasserdam|Dordrecht|Hardinxveld-Giessendam|Hendrik-Ido-Ambacht|Papendrecht|"
     "Sliedrecht|Zwijndrecht"},
    {"metropoolregio rotterdam den haag|mrdh",
     "Albrandswaard|Barendrecht|Capelle aan den IJssel|Delft|Den Haag|Krimpen aan den IJssel|"
     "Lansingerland|Leidschendam-Voorburg|Maassluis|Midden-Delfland|Nissewaard|"
     "Pijnacker-Nootdorp|Ridderkerk|Rijswijk|Rotterdam|Schiedam|Vlaardingen|Voorne aan Zee|"
     "Wassenaar|Westland|Zoetermeer"},
    {"holland rijnland",
     "Alphen aan den Rijn|Hillegom|Kaag en Braassem|Katwijk|Leiden|Leiderdorp|Lisse|Nieuwkoop|"
     "Noordwijk|Oegstgeest|Teylingen|Voorschoten|Zoeterwoude"},
    {"midden-holland", "Bodegraven-Reeuwijk|Gouda|Krimpenerwaard|Waddinxveen|Zuidplas"},
    {"hart van brabant|midden-brabant",
     "Dongen|Gilze en Rijen|Goirle|Heusden|Hilvarenbeek|Loon op Zand|Oisterwijk|Tilburg|"
     "Waalwijk"},
    {"west-brabant",
     "Alphen-Chaam|Altena|Baarle-Nassau|Bergen op Zoom|Breda|Drimmelen|Etten-Leur|"
     "Geertruidenberg|Halderberge|Moerdijk|Oosterhout|Roosendaal|Rucphen|Steenbergen|"
     "Woensdrecht|Zundert"},
    {"parkstad|parkstad limburg",
     "Beekdaelen|Brunssum|Heerlen|Kerkrade|Landgraaf|Simpelveld|Voerendaal"},
    {"westelijke mijnstreek", "Beek|Sittard-Geleen|Stein"},
    {"maastricht-heuvelland",
     "Eijsden-Margraten|Gulpen-Wittem|Maastricht|Meerssen|Vaals|Valkenburg aan de Geul"},
    {"achterhoek",
     "Aalten|Berkelland|Bronckhorst|Doetinchem|Montferland|Oost Gelre|Oude IJsselstreek|"
     "Winterswijk"},
    {"foodvalley|regio foodvalley",
     "Barneveld|Ede|Nijkerk|Renswoude|Rhenen|Scherpenzeel|Veenendaal|Wageningen"},
    {"rivierenland|regio rivierenland",
     "Buren|Culemborg|Maasdriel|Neder-Betuwe|Tiel|West Betuwe|West Maas en Waal|Zaltbommel"},
    {"stedendriehoek|cleantech regio", "Apeldoorn|Brummen|Deventer|Epe|Lochem|Voorst|Zutphen"},
    {"noord-veluwe", "Elburg|Ermelo|Harderwijk|Nunspeet|Oldebroek|Putten"},
    {"west-friesland", "Drechterland|Enkhuizen|Hoorn|Koggenland|Medemblik|Opmeer|Stede Broec"},
    {"kop van noord-holland", "Den Helder|Hollands Kroon|Schagen|Texel"},
    {"ijmond", "Beverwijk|Heemskerk|Velsen"},
    {"zuid-kennemerland", "Bloemendaal|Haarlem|Heemstede|Zandvoort"},
    {"voorne-putten", "Nissewaard|Voorne aan Zee"},
};

/* Other names for municipalities, including those merged since 2015 (a body scoped to
 * "Hellevoetsluis" still sits in Voorne aan Zee). */
static const char *const builtin_aliases[][2] = {
    {"'s-Gravenhage", "Den Haag"},
    {"Den Bosch", "'s-Hertogenbosch"},
    {"Nuenen, Gerwen en Nederwetten", "Nuenen"},
    {"Nuenen c.a.", "Nuenen"},
    {"Bergen NH", "Bergen (NH)"},
    {"Bergen L", "Bergen (L)"},
    {"Brielle", "Voorne aan Zee"},
    {"Hellevoetsluis", "Voorne aan Zee"},
    {"Westvoorne", "Voorne aan Zee"},
    {"Heerhugowaard", "Dijk en Waard"},
    {"Langedijk", "Dijk en Waard"},
    {"Beemster", "Purmerend"},
    {"Weesp", "Amsterdam"},
    {"Boxmeer", "Land van Cuijk"},
    {"Cuijk", "Land van Cuijk"},
    {"Grave", "Land van Cuijk"},
    {"Mill en Sint Hubert", "Land van Cuijk"},
    {"Sint Anthonis", "Land van Cuijk"},
    {"Uden", "Maashorst"},
    {"Landerd", "Maashorst"},
    {"Appingedam", "Eemsdelta"},
    {"Delfzijl", "Eemsdelta"},
    {"Loppersum", "Eemsdelta"},
    {"Hoogezand-Sappemeer", "Midden-Groningen"},
    {"Menterwolde", "Midden-Groningen"},
    {"Slochteren", "Midden-Groningen"},
    {"Bedum", "Het Hogeland"},
    {"De Marne", "Het Hogeland"},
    {"Eemsmond", "Het Hogeland"},
    {"Winsum", "Het Hogeland"},
    {"Grootegast", "Westerkwartier"},
    {"Leek", "Westerkwartier"},
    {"Marum", "Westerkwartier"},
    {"Zuidhorn", "Westerkwartier"},
    {"Haren", "Groningen"},
    {"Ten Boer", "Groningen"},
    {"Vlagtwedde", "Westerwolde"},
    {"Bellingwedde", "Westerwolde"},
    {"Dongeradeel", "Noardeast-Fryslan"},
    {"Ferwerderadiel", "Noardeast-Fryslan"},
    {"Kollumerland en Nieuwkruisland", "Noardeast-Fryslan"},
    {"Leerdam", "Vijfheerenlanden"},
    {"Zederik", "Vijfheerenlanden"},
    {"Vianen", "Vijfheerenlanden"},
    {"Giessenlanden", "Molenlanden"},
    {"Molenwaard", "Molenlanden"},
    {"Binnenmaas", "Hoeksche Waard"},
    {"Cromstrijen", "Hoeksche Waard"},
    {"Korendijk", "Hoeksche Waard"},
    {"Oud-Beijerland", "Hoeksche Waard"},
    {"Strijen", "Hoeksche Waard"},
    {"Geldermalsen", "West Betuwe"},
    {"Lingewaal", "West Betuwe"},
    {"Neerijnen", "West Betuwe"},
    {"Noordwijkerhout", "Noordwijk"},
    {"Haarlemmerliede en Spaarnwoude", "Haarlemmermeer"},
    {"Aalburg", "Altena"},
    {"Werkendam", "Altena"},
    {"Woudrichem", "Altena"},
    {"Nuth", "Beekdaelen"},
    {"Onderbanken", "Beekdaelen"},
    {"Schinnen", "Beekdaelen"},
    {"Groesbeek", "Berg en Dal"},
    {"Millingen aan de Rijn", "Berg en Dal"},
    {"Ubbergen", "Berg en Dal"},
    {"Bussum", "Gooise Meren"},
    {"Naarden", "Gooise Meren"},
    {"Muiden", "Gooise Meren"},
    {"Rijnwaarden", "Zevenaar"},
    {"Schijndel", "Meierijstad"},
    {"Sint-Oedenrode", "Meierijstad"},
    {"Veghel", "Meierijstad"},
    {"Zeevang", "Edam-Volendam"},
    {"Leeuwarderadeel", "Leeuwarden"},
    {"Franekeradeel", "Waadhoeke"},
    {"Het Bildt", "Waadhoeke"},
    {"Menameradiel", "Waadhoeke"},
    {"Skarsterlan", "De Fryske Marren"},
    {"Gaasterlan-Sleat", "De Fryske Marren"},
    {"Lemsterland", "De Fryske Marren"},
};

/* Words that introduce a region rather than name a place: "Regio Twente" is Twente, and an
 * unknown "Regio X" is a region whose members we do not know. */
static const char *const region_prefixes[] = {
    "veiligheidsregio ", "regio ",   "provincie ", "riec ",     "politie eenheid ",
    "politie-eenheid ",  "eenheid ", "vr ",        "district ", "metropoolregio ",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* --- state ------------------------------------------------------------------------------- */

enum { KIND_UNKNOWN, KIND_MUNI, KIND_REGION };

typedef struct region {
    uint32_t *members; /* municipality ids, sorted, unique */
    size_t n, cap;
} region;

typedef struct scope {
    uint32_t key_off;  /* normalised name in sc->scope_keys */
    uint32_t resolved; /* sc->version when kind/index were computed */
    uint8_t kind;
    uint32_t index;
} scope;

struct kt_scopes {
    kt_strmap names; /* normalised name -> (kind << 28) | index */
    size_t nmunis;
    region *regions;
    size_t nregions, regions_cap;
    kt_strmap scope_keys; /* normalised scope -> scope id */
    scope *scopes;
    size_t nscopes, scopes_cap;
    uint32_t version; /* bumped whenever names or memberships change */
};

#define PACK(kind, index) (((uint32_t)(kind) << 28) | (index))

/* Folds a name and keeps letters and digits separated by single spaces: "Zuid-Holland Zuid",
 * "zuid holland  zuid" and "ZUID-HOLLAND-ZUID" all become "zuid holland zuid". */
static size_t normalise(const char *name, char *out, size_t cap)
{
    char folded[256];
    kt_text_fold(name ? name : "", folded, sizeof folded);
    size_t o = 0;
    bool space = false;
    for (const char *p = folded; *p && o + 2 < cap; p++) {
        bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (*p & 0x80);
        if (!alnum) {
            space = o > 0;
            continue;
        }
        if (space)
            out[o++] = ' ';
        space = false;
        out[o++] = *p;
    }
    out[o] = 0;
    return o;
}

static bool lookup(const kt_scopes *sc, const char *key, uint8_t *kind, uint32_t *index)
{
    uint32_t v;
    if (!kt_strmap_get(&sc->names, key, strlen(key), &v))
        return false;
    *kind = (uint8_t)(v >> 28);
    *index = v & 0x0FFFFFFF;
    return true;
}

static int new_region(kt_scopes *sc, uint32_t *index)
{
    if (sc->nregions == sc->regions_cap) {
        size_t cap = sc->regions_cap ? sc->regions_cap * 2 : 64;
        region *r = realloc(sc->regions, cap * sizeof *r);
        if (!r)
            return KT_ENOMEM;
        sc->regions = r;
        sc->regions_cap = cap;
    }
    sc->regions[sc->nregions] = (region){0};
    *index = (uint32_t)sc->nregions++;
    return 0;
}

static int region_add_member(region *r, uint32_t muni)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->members[mid] < muni)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < r->n && r->members[lo] == muni)
        return 0;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        uint32_t *m = realloc(r->members, cap * sizeof *m);
        if (!m)
            return KT_ENOMEM;
        r->members = m;
        r->cap = cap;
    }
    memmove(r->members + lo + 1, r->members + lo, (r->n - lo) * sizeof *r->members);
    r->members[lo] = muni;
    r->n++;
    return 0;
}

static bool region_has(const region *r, uint32_t muni)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->members[mid] == muni)
            return true;
        if (r->members[mid] < muni)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static bool regions_overlap(const region *a, const region *b)
{
    size_t i = 0, j = 0;
    while (i < a->n && j < b->n) {
        if (a->members[i] == b->members[j])
            return true;
        if (a->members[i] < b->members[j])
            i++;
        else
            j++;
    }
    return false;
}

/* The municipality id or region index (kind) for a name, registering it when new: a new
 * region starts empty. A name known as the other kind is refused (KT_EINVAL): one name, one
 * meaning. */
static int scope_name_id(kt_scopes *sc, const char *name, uint8_t kind, uint32_t *id)
{
    char key[256];
    if (!normalise(name, key, sizeof key))
        return KT_EINVAL;
    uint8_t known;
    uint32_t index;
    if (lookup(sc, key, &known, &index))
        return known == kind ? (*id = index, 0) : KT_EINVAL;
    if (kind == KIND_MUNI)
        *id = (uint32_t)sc->nmunis;
    else if (new_region(sc, id))
        return KT_ENOMEM;
    if (kt_strmap_put(&sc->names, key, strlen(key), PACK(kind, *id), NULL))
        return KT_ENOMEM;
    if (kind == KIND_MUNI)
        sc->nmunis++;
    sc->version++;
    return 0;
}

/* Copies the '|'-separated item at *p into buf and advances *p; false at the end. */
static bool next_item(const char **p, char *buf, size_t cap)
{
    if (!**p)
        return false;
    size_t n = strcspn(*p, "|");
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, *p, n);
    buf[n] = 0;
    *p += strcspn(*p, "|");
    if (**p == '|')
        (*p)++;
    return true;
}

static int load_region(kt_scopes *sc, const region_def *def)
{
    char name[128];
    const char *p = def->names;
    uint32_t id;
    int rc =
        next_item(&p, name, sizeof name) ? scope_name_id(sc, name, KIND_REGION, &id) : KT_EINVAL;
    if (rc)
        return rc;
    while (next_item(&p, name, sizeof name)) {
        char key[256];
        normalise(name, key, sizeof key);
        if (kt_strmap_put(&sc->names, key, strlen(key), PACK(KIND_REGION, id), NULL))
            return KT_ENOMEM;
    }
    for (p = def->members; next_item(&p, name, sizeof name);) {
        if (name[0] == '@') {
            char key[256];
            uint8_t kind;
            uint32_t other;
            normalise(name + 1, key, sizeof key);
            if (!lookup(sc, key, &kind, &other) || kind != KIND_REGION)
                return KT_EINVAL; /* a typo in the table above */
            for (size_t i = 0; i < sc->regions[other].n; i++)
                if (region_add_member(&sc->regions[id], sc->regions[other].members[i]))
                    return KT_ENOMEM;
            continue;
        }
        uint32_t m;
        rc = scope_name_id(sc, name, KIND_MUNI, &m);
        if (rc)
            return rc;
        if (region_add_member(&sc->regions[id], m))
            return KT_ENOMEM;
    }
    return 0;
}

static int load_builtin(kt_scopes *sc)
{
    for (size_t i = 0; i < COUNT(builtin_regions); i++) {
        int rc = load_region(sc, &builtin_regions[i]);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < COUNT(builtin_aliases); i++) {
        uint32_t m;
        char key[256];
        if (scope_name_id(sc, builtin_aliases[i][1], KIND_MUNI, &m))
            return KT_ENOMEM;
        normalise(builtin_aliases[i][0], key, sizeof key);
        if (kt_strmap_put(&sc->names, key, strlen(key), PACK(KIND_MUNI, m), NULL))
            return KT_ENOMEM;
    }
    return 0;
}

kt_scopes *kt_scopes_new(void)
{
    kt_scopes *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    if (load_builtin(sc)) {
        kt_scopes_free(sc);
        return NULL;
    }
    return sc;
}

void kt_scopes_free(kt_scopes *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->nregions; i++)
        free(sc->regions[i].members);
    free(sc->regions);
    free(sc->scopes);
    kt_strmap_free(&sc->names);
    kt_strmap_free(&sc->scope_keys);
    free(sc);
}

int kt_scopes_add_region(kt_scopes *sc, const char *region_name, const char *municipality)
{
    uint32_t r, m;
    int rc = scope_name_id(sc, region_name, KIND_REGION, &r);
    if (!rc)
        rc = scope_name_id(sc, municipality, KIND_MUNI, &m);
    if (rc)
        return rc;
    sc->version++;
    return region_add_member(&sc->regions[r], m);
}

int kt_scopes_reset_region(kt_scopes *sc, const char *region_name)
{
    uint32_t r;
    int rc = scope_name_id(sc, region_name, KIND_REGION, &r);
    if (rc)
        return rc;
    sc->regions[r].n = 0;
    sc->version++;
    return 0;
}

/* --- resolving and comparing scopes ------------------------------------------------------- */

static void resolve_key(const kt_scopes *sc, const char *key, uint8_t *kind, uint32_t *index)
{
    *kind = KIND_UNKNOWN;
    *index = 0;
    if (!key[0] || lookup(sc, key, kind, index))
        return;
    if (!strncmp(key, "gemeente ", 9)) {
        if (lookup(sc, key + 9, kind, index) && *kind != KIND_MUNI)
            *kind = KIND_UNKNOWN;
        return;
    }
    for (size_t i = 0; i < COUNT(region_prefixes); i++) {
        size_t n = strlen(region_prefixes[i]);
        if (!strncmp(key, region_prefixes[i], n)) {
            /* "Regio Twente" is Twente; "Regio Tilburg" is a region we do not know. */
            if (!lookup(sc, key + n, kind, index) || *kind != KIND_REGION)
                *kind = KIND_UNKNOWN;
            return;
        }
    }
}

static scope *get_scope(kt_scopes *sc, uint32_t id)
{
    scope *s = &sc->scopes[id];
    if (s->resolved != sc->version) {
        resolve_key(sc, kt_strmap_key(&sc->scope_keys, s->key_off), &s->kind, &s->index);
        s->resolved = sc->version;
    }
    return s;
}

int kt_scopes_intern(kt_scopes *sc, const char *name, uint32_t *id)
{
    char key[256];
    size_t n = normalise(name, key, sizeof key);
    if (kt_strmap_get(&sc->scope_keys, key, n, id))
        return 0;
    if (sc->nscopes == sc->scopes_cap) {
        size_t cap = sc->scopes_cap ? sc->scopes_cap * 2 : 64;
        scope *s = realloc(sc->scopes, cap * sizeof *s);
        if (!s)
            return KT_ENOMEM;
        sc->scopes = s;
        sc->scopes_cap = cap;
    }
    uint32_t off;
    *id = (uint32_t)sc->nscopes;
    if (kt_strmap_put(&sc->scope_keys, key, n, *id, &off))
        return KT_ENOMEM;
    sc->scopes[*id] = (scope){.key_off = off, .resolved = sc->version - 1};
    sc->nscopes++;
    return 0;
}

bool kt_scopes_is_place(const kt_scopes *sc, const char *name)
{
    char key[256];
    uint8_t kind;
    uint32_t index;
    return normalise(name, key, sizeof key) && lookup(sc, key, &kind, &index);
}

size_t kt_scopes_count(const kt_scopes *sc)
{
    return sc->nscopes;
}

size_t kt_scopes_municipality_count(const kt_scopes *sc)
{
    return sc->nmunis;
}

static bool compatible_resolved(const kt_scopes *sc, uint8_t ka, uint32_t ia, uint8_t kb,
                                uint32_t ib)
{
    if (ka == KIND_UNKNOWN || kb == KIND_UNKNOWN)
        return true;
    if (ka == KIND_MUNI && kb == KIND_MUNI)
        return ia == ib;
    if (ka == KIND_REGION && kb == KIND_REGION) {
        const region *a = &sc->regions[ia], *b = &sc->regions[ib];
        return ia == ib || !a->n || !b->n || regions_overlap(a, b);
    }
    const region *r = &sc->regions[ka == KIND_REGION ? ia : ib];
    return !r->n || region_has(r, ka == KIND_MUNI ? ia : ib);
}

bool kt_scopes_compatible(kt_scopes *sc, uint32_t a, uint32_t b)
{
    if (a == b)
        return true;
    const scope *sa = get_scope(sc, a), *sb = get_scope(sc, b);
    return compatible_resolved(sc, sa->kind, sa->index, sb->kind, sb->index);
}

bool kt_scopes_compatible_names(kt_scopes *sc, const char *a, const char *b)
{
    char ka[256], kb[256];
    normalise(a, ka, sizeof ka);
    normalise(b, kb, sizeof kb);
    if (!strcmp(ka, kb))
        return true;
    uint8_t kinda, kindb;
    uint32_t ia, ib;
    resolve_key(sc, ka, &kinda, &ia);
    resolve_key(sc, kb, &kindb, &ib);
    return compatible_resolved(sc, kinda, ia, kindb, ib);
}

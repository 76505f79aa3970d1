#include "feed/mail.h"

#include "feed/strbuf.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CONNECT_TIMEOUT_S 15
#define SEND_TIMEOUT_S    60

int kt_mail_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : KT_EIO;
}

void kt_mail_global_cleanup(void)
{
    curl_global_cleanup();
}

bool kt_mail_address_ok(const char *addr)
{
    if (!addr)
        return false;
    const char *at = strchr(addr, '@');
    if (!at || at == addr || !at[1] || strchr(at + 1, '@') || strlen(addr) > 254)
        return false;
    for (const char *p = addr; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("<>\"(),;:[]\\", *p))
            return false;
    return true;
}

void kt_mail_stamp(kt_mail *m, const char *from_addr)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t now = (time_t)kt_now();
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(m->date, sizeof m->date, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
             tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    unsigned char raw[12];
    char hex[sizeof raw * 2 + 1];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    const char *at = from_addr ? strchr(from_addr, '@') : NULL;
    snprintf(m->message_id, sizeof m->message_id, "<%lld.%s@%s>", (long long)now, hex,
             at && at[1] ? at + 1 : "ketentafel.invalid");
}

void kt_mail_clear(kt_mail *m)
{
    free(m->to_addr);
    free(m->to_name);
    free(m->subject);
    free(m->text);
    free(m->html);
    memset(m, 0, sizeof *m);
}

/* ---- headers ---- */

static bool plain_ascii(const char *s)
{
    for (; *s; s++)
        if (*s < 0x20 || *s >= 0x7f)
            return false;
    return true;
}

/* RFC 2047 B encoding in encoded-words of at most 45 input bytes (75 characters each),
 * never splitting a UTF-8 sequence. */
static void encoded_words(kt_strbuf *b, const char *s)
{
    size_t len = strlen(s);
    for (size_t at = 0; at < len;) {
        size_t n = len - at < 45 ? len - at : 45;
        while (n > 1 && at + n < len && ((unsigned char)s[at + n] & 0xc0) == 0x80)
            n--;
        char b64[64];
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)s + at, n,
                          sodium_base64_VARIANT_ORIGINAL);
        kt_sb_addf(b, "%s=?UTF-8?B?%s?=", at ? " " : "", b64);
        at += n;
    }
}

/* "Name <addr>": a quoted display name when it is ASCII, encoded-words when not. */
static void mailbox(kt_strbuf *b, const char *name, const char *addr)
{
    if (name && *name && plain_ascii(name)) {
        kt_sb_add(b, "\"");
        for (const char *p = name; *p; p++) {
            if (*p == '"' || *p == '\\')
                kt_sb_add(b, "\\");
            kt_sb_addn(b, p, 1);
        }
        kt_sb_add(b, "\" ");
    } else if (name && *name) {
        encoded_words(b, name);
        kt_sb_add(b, " ");
    }
    kt_sb_addf(b, "<%s>", addr);
}

static struct curl_slist *add_header(struct curl_slist *list, kt_strbuf *b, bool *failed)
{
    char *line = kt_sb_take(b);
    struct curl_slist *l = line ? curl_slist_append(list, line) : NULL;
    free(line);
    if (!l) {
        *failed = true;
        return list;
    }
    return l;
}

static struct curl_slist *headers(const kt_mail *m, const char *from_addr, bool *failed)
{
    struct curl_slist *h = NULL;
    kt_strbuf b = {0};
    kt_sb_addf(&b, "Date: %s", m->date);
    h = add_header(h, &b, failed);
    kt_sb_add(&b, "From: ");
    mailbox(&b, "ketentafel", from_addr);
    h = add_header(h, &b, failed);
    kt_sb_add(&b, "To: ");
    mailbox(&b, m->to_name, m->to_addr);
    h = add_header(h, &b, failed);
    kt_sb_add(&b, "Subject: ");
    if (plain_ascii(m->subject))
        kt_sb_add(&b, m->subject);
    else
        encoded_words(&b, m->subject);
    h = add_header(h, &b, failed);
    kt_sb_addf(&b, "Message-ID: %s", m->message_id);
    h = add_header(h, &b, failed);
    static const char *const fixed[] = {
        "Content-Type: multipart/alternative", /* curl adds the boundary */
        "Content-Language: nl",
        "Auto-Submitted: auto-generated", /* RFC 3834: no vacation replies to a digest */
        "X-Auto-Response-Suppress: All",
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        kt_sb_add(&b, fixed[i]);
        h = add_header(h, &b, failed);
    }
    return h;
}

/* ---- sending ---- */

static int progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                    curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const atomic_bool *stop = arg;
    return stop && atomic_load(stop) ? 1 : 0;
}

/* Mail lines end in CRLF; quoted-printable would otherwise encode a bare LF as =0A. */
static char *crlf(const char *s)
{
    kt_strbuf b = {0};
    for (const char *p = s; *p; p++) {
        if (*p == '\n' && (p == s || p[-1] != '\r'))
            kt_sb_add(&b, "\r");
        kt_sb_addn(&b, p, 1);
    }
    return kt_sb_take(&b);
}

static bool add_part(curl_mime *mime, const char *data, const char *type)
{
    char *text = crlf(data);
    curl_mimepart *part = text ? curl_mime_addpart(mime) : NULL;
    bool ok = part && curl_mime_data(part, text, CURL_ZERO_TERMINATED) == CURLE_OK &&
              curl_mime_type(part, type) == CURLE_OK &&
              curl_mime_encoder(part, "quoted-printable") == CURLE_OK;
    free(text);
    return ok;
}

int kt_mail_send(const char *url, const char *from_addr, const kt_mail *m, const atomic_bool *stop,
                 char *err, size_t errlen)
{
    char curl_err[CURL_ERROR_SIZE] = "";
    char envelope_from[300], envelope_to[300];
    if (!kt_mail_address_ok(from_addr) || !kt_mail_address_ok(m->to_addr)) {
        snprintf(err, errlen, "ongeldig e-mailadres");
        return KT_EINVAL;
    }
    snprintf(envelope_from, sizeof envelope_from, "<%s>", from_addr);
    snprintf(envelope_to, sizeof envelope_to, "<%s>", m->to_addr);
    bool failed = false;
    CURL *c = curl_easy_init();
    curl_mime *mime = c ? curl_mime_init(c) : NULL;
    struct curl_slist *rcpt = curl_slist_append(NULL, envelope_to);
    struct curl_slist *hdr = headers(m, from_addr, &failed);
    if (!c || !mime || !rcpt || failed || !add_part(mime, m->text, "text/plain; charset=utf-8") ||
        !add_part(mime, m->html, "text/html; charset=utf-8")) {
        snprintf(err, errlen, "geen geheugen");
        curl_mime_free(mime);
        curl_slist_free_all(rcpt);
        curl_slist_free_all(hdr);
        curl_easy_cleanup(c);
        return KT_ENOMEM;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, envelope_from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY); /* STARTTLS when offered */
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*"); /* and no proxy variables read on this thread */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)SEND_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)stop);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        snprintf(err, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
    curl_mime_free(mime);
    curl_slist_free_all(rcpt);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    return rc == CURLE_OK ? 0 : KT_EIO;
}

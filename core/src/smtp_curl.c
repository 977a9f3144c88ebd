/* libro: the SMTP client adapter (libcurl), for reminders. With http_curl.c the only files that
 * include curl/curl.h; libcurl is loaded on first use (libro/dl_int.h), as there.
 *
 * Threat model: the relay and the path to it are outside libro's control. So: the URL is
 * parsed once (curl_url) and handed to the transfer as that object; only its own scheme is
 * enabled; TLS (1.2+, verified) is required except to a loopback address; credentials come
 * from the caller, never from netrc or the URL; the server's words reach the error message
 * only through curl's bounded error buffer, made printable. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "http_int.h"
#include "libro/dl_int.h"
#include "libro/smtp.h"
#include "libro/util.h"

#define SMTP_CONNECT_TIMEOUT_MS 10000L

libro_code
libro_email_check(const char *s, size_t len, libro_error *err)
{
    size_t at = len;
    size_t i;

    if (s == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "e-mail address: missing");
    }
    if (len < 3 || len > LIBRO_EMAIL_MAX_BYTES) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "e-mail address: want 3 to %u bytes, got %zu", LIBRO_EMAIL_MAX_BYTES,
                               len);
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s[i];

        if (c < 0x21 || c > 0x7e) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                   "e-mail address: byte %zu is a space, a control character "
                                   "(CR, LF, ...) or not ASCII",
                                   i + 1);
        }
        if (strchr("\"()<>[]\\,;:", c) != NULL) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                   "e-mail address: '%c' is not allowed", (char) c);
        }
        if (c == '@') {
            if (at != len) {
                return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                       "e-mail address: more than one '@'");
            }
            at = i;
        }
    }
    if (at == len) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "e-mail address: no '@'");
    }
    if (at == 0 || at > LIBRO_EMAIL_MAX_LOCAL_BYTES) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "e-mail address: want 1 to %u bytes before '@'",
                               LIBRO_EMAIL_MAX_LOCAL_BYTES);
    }
    if (at + 1 == len || s[at + 1] == '.' || s[len - 1] == '.') {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "e-mail address: the domain is empty or starts or ends with '.'");
    }
    for (i = at + 1; i + 1 < len; i++) {
        if (s[i] == '.' && s[i + 1] == '.') {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                   "e-mail address: '..' in the domain");
        }
    }
    return LIBRO_OK;
}

/* Parse opt->url into `u`: smtp or smtps, a host, nothing but a port beside it. Sets *tls
 * (smtps) and *loopback. */
static libro_code
plan_url(const struct libro_http__curl *sc, CURLU *u, bool *tls, bool *loopback, const char *url,
         libro_error *err)
{
    static const CURLUPart absent[] = {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS,
                                       CURLUPART_QUERY, CURLUPART_FRAGMENT};
    char *scheme = NULL;
    char *host = NULL;
    char *path = NULL;
    libro_code rc = LIBRO_OK;
    size_t i;

    if (strnlen(url, LIBRO_SMTP_MAX_URL_BYTES + 1) > LIBRO_SMTP_MAX_URL_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "smtp url: over %u bytes",
                               LIBRO_SMTP_MAX_URL_BYTES);
    }
    if (sc->url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        sc->url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        sc->url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                             "smtp url: not a URL (want smtp://host[:port] or smtps://...)");
        goto out;
    }
    if (strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "smtp url: want smtp:// or smtps://");
        goto out;
    }
    for (i = 0; i < LIBRO_NELEM(absent); i++) {
        char *v = NULL;
        bool present = sc->url_get(u, absent[i], &v, 0) == CURLUE_OK && v != NULL;

        sc->free(v);
        if (present) {
            rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                 "smtp url: only a host and a port (credentials come from "
                                 "--smtp-auth-file)");
            goto out;
        }
    }
    if (sc->url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK && path != NULL &&
        strcmp(path, "/") != 0 && path[0] != '\0') {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "smtp url: only a host and a port");
        goto out;
    }
    *tls = strcmp(scheme, "smtps") == 0;
    *loopback = libro_http__is_loopback_host(host);
out:
    sc->free(scheme);
    sc->free(host);
    sc->free(path);
    return rc;
}

struct upload {
    const char *p;
    size_t left;
};

static size_t
on_read(char *buf, size_t size, size_t nitems, void *ctx)
{
    struct upload *u = ctx;
    size_t room = size * nitems;
    size_t n = u->left < room ? u->left : room;

    memcpy(buf, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

static libro_code
send_error(const struct libro_http__curl *sc, CURLcode cc, char *errbuf, libro_error *err)
{
    const char *why;

    errbuf[CURL_ERROR_SIZE - 1] = '\0';
    libro_http__scrub(errbuf);
    why = errbuf[0] != '\0' ? errbuf : sc->easy_strerror(cc);
    switch (cc) {
    case CURLE_OUT_OF_MEMORY:
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    case CURLE_LOGIN_DENIED:
        return libro_error_set(err, LIBRO_ERR_DENIED, "smtp: authentication refused: %.160s", why);
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_NOT_BUILT_IN:
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "smtp: %.160s", why);
    default:
        return libro_error_set(err, LIBRO_ERR_NETWORK, "smtp: %.200s", why);
    }
}

libro_code
libro_smtp_send(const libro_smtp_options *opt, const char *message, size_t len, libro_error *err)
{
    char errbuf[CURL_ERROR_SIZE];
    char from[LIBRO_EMAIL_MAX_BYTES + 3];
    char to[LIBRO_EMAIL_MAX_BYTES + 3];
    struct curl_slist *rcpt = NULL;
    struct upload up = {message, len};
    CURLU *u = NULL;
    CURL *h = NULL;
    bool tls = false;
    bool loopback = false;
    long timeout_ms;
    CURLcode cc = CURLE_OK;
    const struct libro_http__curl *sc = NULL;
    libro_code rc;

    if (opt == NULL || opt->version != LIBRO_SMTP_OPTIONS_VERSION || opt->url == NULL ||
        message == NULL || (opt->user == NULL) != (opt->password == NULL)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "smtp: bad options");
    }
    if (len > LIBRO_SMTP_MAX_MESSAGE_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "smtp: message over %u bytes",
                               LIBRO_SMTP_MAX_MESSAGE_BYTES);
    }
    if ((rc = libro_email_check(opt->from, opt->from != NULL ? strlen(opt->from) : 0, err)) !=
            LIBRO_OK ||
        (rc = libro_email_check(opt->to, opt->to != NULL ? strlen(opt->to) : 0, err)) != LIBRO_OK) {
        return rc;
    }
    rc = libro_http__curl(&sc, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    /* Checked addresses carry no '<', '>' or control character: the brackets are ours. */
    (void) snprintf(from, sizeof from, "<%s>", opt->from);
    (void) snprintf(to, sizeof to, "<%s>", opt->to);
    u = sc->url();
    h = sc->easy_init();
    if (u == NULL || h == NULL || (rcpt = sc->slist_append(NULL, to)) == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = plan_url(sc, u, &tls, &loopback, opt->url, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    errbuf[0] = '\0';
    timeout_ms =
        opt->timeout_ms != 0 ? (long) opt->timeout_ms : (long) LIBRO_SMTP_DEFAULT_TIMEOUT_MS;
    {
        const CURLcode set[] = {
            sc->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf),
            sc->easy_setopt(h, CURLOPT_CURLU, u),
            sc->easy_setopt(h, CURLOPT_PROTOCOLS_STR, tls ? "smtps" : "smtp"),
            sc->easy_setopt(h, CURLOPT_NOSIGNAL, 1L),
            sc->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, SMTP_CONNECT_TIMEOUT_MS),
            sc->easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms),
            sc->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L),
            sc->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L),
            sc->easy_setopt(h, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2),
            sc->easy_setopt(h, CURLOPT_USE_SSL,
                            (long) (tls || !loopback ? CURLUSESSL_ALL : CURLUSESSL_NONE)),
            sc->easy_setopt(h, CURLOPT_NETRC, (long) CURL_NETRC_IGNORED),
            sc->easy_setopt(h, CURLOPT_NOPROXY, "*"),
            sc->easy_setopt(h, CURLOPT_FORBID_REUSE, 1L),
            sc->easy_setopt(h, CURLOPT_MAIL_FROM, from),
            sc->easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt),
            sc->easy_setopt(h, CURLOPT_UPLOAD, 1L),
            sc->easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t) len),
            sc->easy_setopt(h, CURLOPT_READFUNCTION, on_read),
            sc->easy_setopt(h, CURLOPT_READDATA, &up),
        };
        size_t i;

        for (i = 0; i < LIBRO_NELEM(set) && cc == CURLE_OK; i++) {
            cc = set[i];
        }
    }
    if (cc == CURLE_OK && opt->ca_file != NULL) {
        cc = sc->easy_setopt(h, CURLOPT_CAINFO, opt->ca_file);
        if (cc == CURLE_OK) {
            cc = sc->easy_setopt(h, CURLOPT_CAPATH, NULL);
        }
    }
    if (cc == CURLE_OK && opt->user != NULL) {
        cc = sc->easy_setopt(h, CURLOPT_USERNAME, opt->user);
        if (cc == CURLE_OK) {
            cc = sc->easy_setopt(h, CURLOPT_PASSWORD, opt->password);
        }
    }
    if (cc != CURLE_OK) {
        /* This libcurl lacks something relied on: refuse rather than send weaker. */
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "smtp: libcurl refused an option: %.120s",
                             sc->easy_strerror(cc));
        goto out;
    }
    cc = sc->easy_perform(h);
    if (cc != CURLE_OK) {
        rc = send_error(sc, cc, errbuf, err);
        goto out;
    }
    rc = LIBRO_OK;
out:
    if (h != NULL) {
        /* libcurl keeps its own copy of the password: clear it before the handle goes. */
        (void) sc->easy_setopt(h, CURLOPT_PASSWORD, "");
        sc->easy_cleanup(h);
    }
    sc->slist_free_all(rcpt);
    if (u != NULL) {
        sc->url_cleanup(u);
    }
    return rc;
}

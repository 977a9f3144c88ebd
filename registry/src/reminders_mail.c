/* libro_registry: the e-mail of a reminder (RFC 5322, plain text UTF-8). Header values are
 * checked, not cleaned: a CR or LF there would let a stored value add headers or recipients,
 * so anything but printable ASCII refuses the message. The body is the holder's to read:
 * names keep their UTF-8, and control characters become '?'. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/reminders.h"
#include "libro/smtp.h"
#include "libro/time.h"
#include "registry_int.h"

#define DAY INT64_C(86400)
/* Printable ASCII only: what may stand in a header. */
static libro_code
header_value_check(const char *what, const char *v, libro_error *err)
{
    size_t i;

    for (i = 0; v[i] != '\0'; i++) {
        unsigned char c = (unsigned char) v[i];

        if (c == '\r' || c == '\n') {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                   "reminder: a CR or LF in the %s header", what);
        }
        if (c < 0x20 || c > 0x7e) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                   "reminder: a byte that is not printable ASCII in the %s header",
                                   what);
        }
    }
    return LIBRO_OK;
}

/* The date part of `t` ("2027-01-01"). */
static void
date_of(char out[LIBRO_TIME_TEXT_MAX], int64_t t)
{
    if (libro_time_format(out, t, NULL) != LIBRO_OK) {
        (void) snprintf(out, LIBRO_TIME_TEXT_MAX, "?");
        return;
    }
    out[10] = '\0';
}

/* `s` for the body: control characters (a CR or LF of a stored name) become '?'. */
static libro_code
append_text(libro_buf *b, const char *s, libro_error *err)
{
    size_t start = b->len;
    libro_code rc = libro_buf_append_str(b, s, err);
    size_t i;

    for (i = start; rc == LIBRO_OK && i < b->len; i++) {
        if (b->data[i] < 0x20 || b->data[i] == 0x7f) {
            b->data[i] = '?';
        }
    }
    return rc;
}

libro_code
libro_reminder_subject(libro_buf *out, const libro_reminder *rem, libro_error *err)
{
    char due[LIBRO_TIME_TEXT_MAX];

    if (out == NULL || rem == NULL || rem->subject == NULL || rem->what == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "reminder: NULL argument");
    }
    date_of(due, rem->due);
    switch (rem->kind) {
    case LIBRO_REMIND_LICENSE:
        if (rem->threshold == LIBRO_REMINDER_WINDOW) {
            return libro_buf_printf(out, err, "Renewal of license %.64s is open (it expires on %s)",
                                    rem->subject, due);
        }
        return libro_buf_printf(out, err, "License %.64s expires on %s", rem->subject, due);
    case LIBRO_REMIND_MANDATE:
        return libro_buf_printf(out, err, "Your term as %.32s ends on %s", rem->what, due);
    case LIBRO_REMIND_LAW_REVIEWS:
        return libro_buf_printf(out, err, "Law review due on %s: %.200s", due, rem->subject);
    }
    return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "reminder: unknown kind");
}

/* RFC 5322 date-time in UTC, "Sun, 06 Dec 2026 17:30:00 +0000", without the locale. */
static libro_code
append_date(libro_buf *b, int64_t now, libro_error *err)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t) now;
    struct tm tm;

    if ((int64_t) t != now || gmtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 ||
        tm.tm_mon < 0 || tm.tm_mon > 11) {
        return libro_error_set(err, LIBRO_ERR_TIME, "reminder: the time is out of range");
    }
    return libro_buf_printf(b, err, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
                            days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
                            tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static libro_code
append_body(libro_buf *b, const libro_reminder *rem, int64_t now, libro_error *err)
{
    char due[LIBRO_TIME_TEXT_MAX];
    char from[LIBRO_TIME_TEXT_MAX];
    int64_t left = rem->due > now ? (rem->due - now + DAY - 1) / DAY : 0;
    libro_code rc;

    date_of(due, rem->due);
    date_of(from, rem->renew_from);
    if ((rc = libro_buf_append_str(b, "Hello ", err)) != LIBRO_OK ||
        (rc = append_text(b, rem->name[0] != '\0' ? rem->name : "there", err)) != LIBRO_OK ||
        (rc = libro_buf_append_str(b, ",\r\n\r\n", err)) != LIBRO_OK) {
        return rc;
    }
    switch (rem->kind) {
    case LIBRO_REMIND_LICENSE:
        rc = libro_buf_printf(
            b, err, "your license %.64s (type %.64s) expires on %s, in %lld day%s.\r\n\r\n",
            rem->subject, rem->what, due, (long long) left, left == 1 ? "" : "s");
        if (rc == LIBRO_OK) {
            rc = rem->renew_from <= now
                     ? libro_buf_printf(b, err, "Renewal is open now, until it expires on %s.\r\n",
                                        due)
                     : libro_buf_printf(b, err,
                                        "You can renew it from %s until it expires on %s.\r\n",
                                        from, due);
        }
        if (rc == LIBRO_OK) {
            rc = rem->requirements[0] != '\0'
                     ? libro_buf_printf(b, err, "Renewal requires recorded evidence: %.600s.\r\n",
                                        rem->requirements)
                     : libro_buf_append_str(b, "Renewal requires no recorded evidence.\r\n", err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b,
                                      "Ask the board that issued it to renew it; once it has "
                                      "expired it can no longer be\r\nused, and after its grace "
                                      "period it lapses and cannot be renewed.\r\n",
                                      err);
        }
        break;
    case LIBRO_REMIND_MANDATE:
        rc = libro_buf_printf(b, err,
                              "your term as %.32s (mandate %.80s) ends on %s, in %lld day%s.\r\n"
                              "Its successor is to be elected or appointed before then.\r\n",
                              rem->what, rem->subject, due, (long long) left, left == 1 ? "" : "s");
        break;
    case LIBRO_REMIND_LAW_REVIEWS:
        rc = libro_buf_append_str(b, "the law \"", err);
        if (rc == LIBRO_OK) {
            rc = append_text(b, rem->name, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_printf(b, err,
                                  "\" (%.200s) is due for review on %s, in %lld day%s.\r\n"
                                  "Its review starts a new consent process (libro law step).\r\n",
                                  rem->subject, due, (long long) left, left == 1 ? "" : "s");
        }
        break;
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(
            b, err,
            "\r\n-- \r\nSent once by the registry's reminders (libro reminders): this "
            "address is the\r\ncontact recorded for this %s.\r\n",
            libro_reminder_kind_name(rem->kind));
    }
    return rc;
}

libro_code
libro_reminder_message(libro_buf *out, const libro_reminder *rem, const char *from, int64_t now,
                       libro_error *err)
{
    libro_buf subject = LIBRO_BUF_INIT;
    libro_buf id = LIBRO_BUF_INIT;
    unsigned char random[16];
    const char *domain;
    libro_code rc;

    if (out == NULL || rem == NULL || from == NULL || rem->name == NULL ||
        rem->requirements == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "reminder: NULL argument");
    }
    if (rem->to == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "reminder: no contact to send to");
    }
    if ((rc = libro_email_check(from, strlen(from), err)) != LIBRO_OK ||
        (rc = libro_email_check(rem->to, strlen(rem->to), err)) != LIBRO_OK) {
        goto out;
    }
    rc = libro_reminder_subject(&subject, rem, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&subject, "", 1, err); /* NUL-terminated */
    }
    if (rc == LIBRO_OK) {
        rc = header_value_check("Subject", (const char *) subject.data, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_random_bytes(random, sizeof random, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_hex_encode(&id, random, sizeof random, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    domain = strchr(from, '@') + 1; /* libro_email_check: exactly one '@', a domain after */
    if ((rc = append_date(out, now, err)) != LIBRO_OK ||
        (rc = libro_buf_printf(out, err, "From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n", from, rem->to,
                               (const char *) subject.data)) != LIBRO_OK ||
        (rc = libro_buf_printf(out, err, "Message-ID: <%.*s@%s>\r\n", (int) id.len,
                               (const char *) id.data, domain)) != LIBRO_OK ||
        (rc = libro_buf_append_str(out,
                                   "MIME-Version: 1.0\r\n"
                                   "Content-Type: text/plain; charset=UTF-8\r\n"
                                   "Content-Transfer-Encoding: 8bit\r\n\r\n",
                                   err)) != LIBRO_OK) {
        goto out;
    }
    rc = append_body(out, rem, now, err);
out:
    libro_buf_free(&subject);
    libro_buf_free(&id);
    return rc;
}

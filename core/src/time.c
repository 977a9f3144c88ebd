/* libro: RFC 3339 date-times <-> int64 seconds since the epoch, with our own calendar
 * arithmetic. mktime/timegm read TZ and the locale's idea of time, and their range depends on
 * the platform's time_t; a verifier must give the same answer on every machine. */
#include <time.h>

#include "libro/limits.h"
#include "libro/time.h"

#define SECS_PER_DAY INT64_C(86400)
/* Days from 0001-01-01 to 1970-01-01 in the proleptic Gregorian calendar. */
#define DAYS_0001_TO_1970 INT64_C(719162)
/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the instants four-digit years can name. */
#define TIME_MIN (-DAYS_0001_TO_1970 * SECS_PER_DAY)
#define TIME_MAX INT64_C(253402300799)

/* Days in a 400-, 100- (not ending in a 400th year), 4- and 1-year run of the calendar. */
#define DAYS_400Y 146097
#define DAYS_100Y 36524
#define DAYS_4Y 1461
#define DAYS_1Y 365

/* Days of a common year before each month. */
static const unsigned days_before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

static bool
is_leap(unsigned y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static unsigned
days_in_month(unsigned y, unsigned m)
{
    static const unsigned dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days before month m of year y, counting a leap day once February is over. */
static unsigned
days_before_month(unsigned y, unsigned m)
{
    return days_before[m - 1] + (m > 2 && is_leap(y) ? 1 : 0);
}

/* Days from 1970-01-01 to y-m-d, for a valid date with 1 <= y <= 9999. Counting whole years
 * since 0001 keeps every division on non-negative numbers. */
static int64_t
days_from_civil(unsigned y, unsigned m, unsigned d)
{
    int64_t py = (int64_t) y - 1;
    int64_t days = py * DAYS_1Y + py / 4 - py / 100 + py / 400;

    days += days_before_month(y, m) + d - 1;
    return days - DAYS_0001_TO_1970;
}

/* The inverse, for 0 <= n < days up to 9999-12-31, where n counts from 0001-01-01. */
static void
civil_from_days(int64_t n, unsigned *y, unsigned *m, unsigned *d)
{
    unsigned q400 = (unsigned) (n / DAYS_400Y);
    unsigned r = (unsigned) (n % DAYS_400Y);
    unsigned q100 = r / DAYS_100Y;
    unsigned q4;
    unsigned q1;
    unsigned month;

    /* The last century of a 400-year run has the extra leap day: its 36525th day is
     * still in that century, not a fifth one. Likewise for the fourth year of four. */
    if (q100 == 4) {
        q100 = 3;
    }
    r -= q100 * DAYS_100Y;
    q4 = r / DAYS_4Y;
    r -= q4 * DAYS_4Y;
    q1 = r / DAYS_1Y;
    if (q1 == 4) {
        q1 = 3;
    }
    r -= q1 * DAYS_1Y;
    *y = q400 * 400 + q100 * 100 + q4 * 4 + q1 + 1;
    month = 12;
    while (days_before_month(*y, month) > r) {
        month--;
    }
    *m = month;
    *d = r - days_before_month(*y, month) + 1;
}

/* A cursor over the untrusted text. */
struct scan {
    const unsigned char *p;
    size_t len;
    size_t i;
};

static libro_code
scan_digits(struct scan *s, unsigned n, unsigned *value, libro_error *err)
{
    unsigned v = 0;
    unsigned k;

    for (k = 0; k < n; k++) {
        if (s->i >= s->len) {
            return libro_error_set(err, LIBRO_ERR_TIME, "timestamp: truncated at offset %zu", s->i);
        }
        if (s->p[s->i] < '0' || s->p[s->i] > '9') {
            return libro_error_set(err, LIBRO_ERR_TIME, "timestamp: expected a digit at offset %zu",
                                   s->i);
        }
        v = v * 10 + (unsigned) (s->p[s->i] - '0');
        s->i++;
    }
    *value = v;
    return LIBRO_OK;
}

/* Accept `upper`, or its lowercase form when `lower` is not NUL (RFC 3339 §5.6 NOTE). */
static libro_code
scan_char(struct scan *s, char upper, char lower, libro_error *err)
{
    if (s->i >= s->len) {
        return libro_error_set(err, LIBRO_ERR_TIME, "timestamp: truncated at offset %zu", s->i);
    }
    if (s->p[s->i] != (unsigned char) upper &&
        (lower == '\0' || s->p[s->i] != (unsigned char) lower)) {
        return libro_error_set(err, LIBRO_ERR_TIME, "timestamp: expected '%c' at offset %zu", upper,
                               s->i);
    }
    s->i++;
    return LIBRO_OK;
}

/* RFC 3339 §5.7: the ranges of a full-date. */
static libro_code
check_date(unsigned year, unsigned month, unsigned day, libro_error *err)
{
    if (year == 0) {
        return libro_error_set(err, LIBRO_ERR_TIME, "timestamp: year 0000 out of range");
    }
    if (month < 1 || month > 12) {
        return libro_error_set(err, LIBRO_ERR_TIME, "timestamp: month %02u out of range", month);
    }
    if (day < 1 || day > days_in_month(year, month)) {
        return libro_error_set(err, LIBRO_ERR_TIME,
                               "timestamp: day %02u out of range for %04u-%02u", day, year, month);
    }
    return LIBRO_OK;
}

libro_code
libro_time_parse(int64_t *out, const char *p, size_t len, libro_error *err)
{
    struct scan s = {(const unsigned char *) p, len, 0};
    unsigned year = 0;
    unsigned month = 0;
    unsigned day = 0;
    unsigned hour = 0;
    unsigned minute = 0;
    unsigned second = 0;
    unsigned off_hour = 0;
    unsigned off_minute = 0;
    int off_sign = 0;
    int64_t off_secs;
    int64_t t;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "timestamp: NULL argument");
    }
    *out = 0;
    if (len > LIBRO_MAX_TIMESTAMP_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "timestamp: longer than %u bytes",
                               LIBRO_MAX_TIMESTAMP_BYTES);
    }
    if (len == 0) {
        return libro_error_set(err, LIBRO_ERR_TIME, "timestamp: empty");
    }
    /* RFC 3339 §5.6: full-date "T" partial-time time-offset, every field fixed-width. */
    if ((rc = scan_digits(&s, 4, &year, err)) != LIBRO_OK ||
        (rc = scan_char(&s, '-', '\0', err)) != LIBRO_OK ||
        (rc = scan_digits(&s, 2, &month, err)) != LIBRO_OK ||
        (rc = scan_char(&s, '-', '\0', err)) != LIBRO_OK ||
        (rc = scan_digits(&s, 2, &day, err)) != LIBRO_OK ||
        (rc = scan_char(&s, 'T', 't', err)) != LIBRO_OK ||
        (rc = scan_digits(&s, 2, &hour, err)) != LIBRO_OK ||
        (rc = scan_char(&s, ':', '\0', err)) != LIBRO_OK ||
        (rc = scan_digits(&s, 2, &minute, err)) != LIBRO_OK ||
        (rc = scan_char(&s, ':', '\0', err)) != LIBRO_OK ||
        (rc = scan_digits(&s, 2, &second, err)) != LIBRO_OK) {
        return rc;
    }
    /* time-secfrac = "." 1*DIGIT. Fractions are non-negative, so dropping them is the
     * floor: the result is the whole second the instant falls in. */
    if (s.i < len && s.p[s.i] == '.') {
        s.i++;
        if (s.i >= len || s.p[s.i] < '0' || s.p[s.i] > '9') {
            return libro_error_set(err, LIBRO_ERR_TIME,
                                   "timestamp: expected a digit after '.' at offset %zu", s.i);
        }
        while (s.i < len && s.p[s.i] >= '0' && s.p[s.i] <= '9') {
            s.i++;
        }
    }
    /* time-offset = "Z" / time-numoffset. A VC dateTimeStamp requires it: a local time
     * without an offset names no instant. */
    if (s.i >= len) {
        return libro_error_set(err, LIBRO_ERR_TIME,
                               "timestamp: missing UTC offset ('Z' or +hh:mm) at offset %zu", s.i);
    }
    if (s.p[s.i] == 'Z' || s.p[s.i] == 'z') {
        s.i++;
    } else if (s.p[s.i] == '+' || s.p[s.i] == '-') {
        /* "-00:00" (RFC 3339 §4.3, UTC with an unknown local offset) is the same instant. */
        off_sign = s.p[s.i] == '+' ? 1 : -1;
        s.i++;
        if ((rc = scan_digits(&s, 2, &off_hour, err)) != LIBRO_OK ||
            (rc = scan_char(&s, ':', '\0', err)) != LIBRO_OK ||
            (rc = scan_digits(&s, 2, &off_minute, err)) != LIBRO_OK) {
            return rc;
        }
    } else {
        return libro_error_set(err, LIBRO_ERR_TIME,
                               "timestamp: expected 'Z' or +hh:mm at offset %zu", s.i);
    }
    if (s.i != len) {
        return libro_error_set(err, LIBRO_ERR_TIME, "timestamp: trailing bytes at offset %zu", s.i);
    }

    /* RFC 3339 §5.7 ranges. */
    if ((rc = check_date(year, month, day, err)) != LIBRO_OK) {
        return rc;
    }
    if (hour > 23) {
        return libro_error_set(err, LIBRO_ERR_TIME, "timestamp: hour %02u out of range", hour);
    }
    if (minute > 59) {
        return libro_error_set(err, LIBRO_ERR_TIME, "timestamp: minute %02u out of range", minute);
    }
    if (second > 60) {
        return libro_error_set(err, LIBRO_ERR_TIME, "timestamp: second %02u out of range", second);
    }
    if (off_hour > 23) {
        return libro_error_set(err, LIBRO_ERR_TIME, "timestamp: offset hour %02u out of range",
                               off_hour);
    }
    if (off_minute > 59) {
        return libro_error_set(err, LIBRO_ERR_TIME, "timestamp: offset minute %02u out of range",
                               off_minute);
    }
    off_secs = off_sign * ((int64_t) off_hour * 3600 + (int64_t) off_minute * 60);
    /* A leap second is inserted at the end of a UTC day, so ":60" is only possible where
     * the UTC time is 23:59 (RFC 3339 §5.7). We do not consult a leap-second table: POSIX
     * time has no slot for it, and counting it as the next second (00:00:00 of the next
     * UTC day) keeps ordering and never extends a validity window. */
    if (second == 60) {
        int64_t utc_minute = ((int64_t) hour * 60 + minute - off_secs / 60) % 1440;

        if (utc_minute < 0) {
            utc_minute += 1440;
        }
        if (utc_minute != 23 * 60 + 59) {
            return libro_error_set(err, LIBRO_ERR_TIME,
                                   "timestamp: leap second allowed only at 23:59:60 UTC");
        }
    }
    t = days_from_civil(year, month, day) * SECS_PER_DAY + (int64_t) hour * 3600 +
        (int64_t) minute * 60 + second - off_secs;
    /* An offset can carry a local 0001 or 9999 date outside what we can write back. */
    if (t < TIME_MIN || t > TIME_MAX) {
        return libro_error_set(err, LIBRO_ERR_TIME,
                               "timestamp: instant outside 0001-01-01T00:00:00Z to "
                               "9999-12-31T23:59:59Z");
    }
    *out = t;
    return LIBRO_OK;
}

/* The length of "YYYY-MM-DD". */
#define DATE_LEN 10u

libro_code
libro_time_parse_input(int64_t *out, const char *p, size_t len, libro_error *err)
{
    struct scan s = {(const unsigned char *) p, len, 0};
    unsigned year = 0;
    unsigned month = 0;
    unsigned day = 0;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "timestamp: NULL argument");
    }
    *out = 0;
    if (len > DATE_LEN) {
        return libro_time_parse(out, p, len, err);
    }
    if (len == 0) {
        return libro_error_set(err, LIBRO_ERR_TIME, "timestamp: empty");
    }
    /* A plain date: the syntax first (any fault is the same one: not this shape), then the
     * ranges, each with its own message. */
    if (len != DATE_LEN || scan_digits(&s, 4, &year, NULL) != LIBRO_OK ||
        scan_char(&s, '-', '\0', NULL) != LIBRO_OK ||
        scan_digits(&s, 2, &month, NULL) != LIBRO_OK ||
        scan_char(&s, '-', '\0', NULL) != LIBRO_OK || scan_digits(&s, 2, &day, NULL) != LIBRO_OK) {
        return libro_error_set(err, LIBRO_ERR_TIME,
                               "timestamp: want a date YYYY-MM-DD or an RFC 3339 time such as "
                               "2027-01-01T09:00:00Z");
    }
    rc = check_date(year, month, day, err);
    if (rc == LIBRO_OK) {
        *out = days_from_civil(year, month, day) * SECS_PER_DAY;
    }
    return rc;
}

static void
put_digits(char *w, unsigned v, unsigned n)
{
    while (n > 0) {
        n--;
        w[n] = (char) ('0' + v % 10);
        v /= 10;
    }
}

libro_code
libro_time_format(char out[LIBRO_TIME_TEXT_MAX], int64_t t, libro_error *err)
{
    int64_t days;
    unsigned secs;
    unsigned y;
    unsigned m;
    unsigned d;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "time: NULL argument");
    }
    out[0] = '\0';
    if (t < TIME_MIN || t > TIME_MAX) {
        return libro_error_set(err, LIBRO_ERR_TIME, "time: %lld is outside years 0001-9999",
                               (long long) t);
    }
    /* Floor division: before 1970, the second of day must still be non-negative. */
    days = t / SECS_PER_DAY;
    if (t % SECS_PER_DAY < 0) {
        days--;
    }
    secs = (unsigned) (t - days * SECS_PER_DAY);
    civil_from_days(days + DAYS_0001_TO_1970, &y, &m, &d);
    put_digits(out, y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    out[10] = 'T';
    put_digits(out + 11, secs / 3600, 2);
    out[13] = ':';
    put_digits(out + 14, secs / 60 % 60, 2);
    out[16] = ':';
    put_digits(out + 17, secs % 60, 2);
    out[19] = 'Z';
    out[20] = '\0';
    return LIBRO_OK;
}

int64_t
libro_time_now(void)
{
    return libro_time_now_ms() / 1000;
}

libro_code
libro_time_parse_ms(int64_t *out, const char *p, size_t len, libro_error *err)
{
    int64_t secs = 0;
    int64_t frac = 0;
    libro_code rc;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "timestamp: NULL argument");
    }
    *out = 0;
    rc = libro_time_parse(&secs, p, len, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    /* Every field before the fraction is fixed-width (checked above): a '.' can only be at
     * offset 19, and at least one digit follows it. */
    if (len > 19 && p[19] == '.') {
        size_t i = 20;

        for (int digit = 0; digit < 3; digit++) {
            frac *= 10;
            if (i < len && p[i] >= '0' && p[i] <= '9') {
                frac += p[i] - '0';
                i++;
            }
        }
    }
    *out = secs * 1000 + frac;
    return LIBRO_OK;
}

libro_code
libro_time_format_ms(char out[LIBRO_TIME_MS_TEXT_MAX], int64_t ms, libro_error *err)
{
    int64_t secs = ms / 1000;
    int64_t frac = ms % 1000;
    libro_code rc;

    if (frac < 0) {
        frac += 1000;
        secs--;
    }
    rc = libro_time_format(out, secs, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    out[19] = '.';
    put_digits(out + 20, (unsigned) frac, 3);
    out[23] = 'Z';
    out[24] = '\0';
    return LIBRO_OK;
}

int64_t
libro_time_now_ms(void)
{
    struct timespec ts;

    /* CLOCK_REALTIME cannot fail on Linux with a valid pointer; should it ever, 0 (1970)
     * fails closed: every credential then reads as not yet valid. */
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
        return 0;
    }
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

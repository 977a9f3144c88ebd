/* Suite for core/src/time.c: RFC 3339 parsing (RFC 3339 §5.8 examples, calendar edges,
 * every rejection with its code and message), formatting, and round trips checked against
 * the C library's gmtime_r as an independent calendar. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libro/limits.h"
#include "libro/time.h"
#include "test_util.h"

#define T_MIN INT64_C(-62135596800) /* 0001-01-01T00:00:00Z */
#define T_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

static const struct {
    const char *text;
    int64_t want;
} good[] = {
    /* RFC 3339 §5.8. */
    {"1985-04-12T23:20:50.52Z", 482196050},
    {"1996-12-19T16:39:57-08:00", 851042397},
    {"1990-12-31T23:59:60Z", 662688000},
    {"1990-12-31T15:59:60-08:00", 662688000},
    {"1937-01-01T12:00:27.87+00:20", -1041337173},
    /* The epoch and its neighbours. */
    {"1970-01-01T00:00:00Z", 0},
    {"1970-01-01T00:00:00.999999999Z", 0},
    {"1970-01-01T00:00:01Z", 1},
    {"1969-12-31T23:59:59Z", -1},
    {"1969-12-31T23:59:59.999Z", -1}, /* floor, not toward zero */
    {"1970-01-01T01:00:00+01:00", 0},
    {"1969-12-31T23:00:00-01:00", 0},
    {"1969-07-20T20:17:40Z", -14182940},
    /* Examples from the header, one with a fraction and an offset. */
    {"2026-11-26T19:05:00Z", 1795719900},
    {"2026-11-26T20:05:00.250+01:00", 1795719900},
    {"2026-11-26t19:05:00z", 1795719900},
    {"2026-11-26T19:05:00-00:00", 1795719900},
    {"2026-11-26T19:05:00+00:00", 1795719900},
    {"2026-11-26T19:05:00.0Z", 1795719900},
    /* Offsets at their limits. */
    {"2026-11-26T23:59:00+23:59", 1795651200},
    {"2026-11-26T00:00:00-23:59", 1795737540},
    /* Leap years: every 4th, not every 100th, but every 400th. */
    {"2000-02-29T00:00:00Z", 951782400},
    {"2024-02-29T23:59:59Z", 1709251199},
    {"2400-02-29T12:00:00Z", 13574606400},
    {"1900-02-28T23:59:59Z", -2203891201},
    {"2100-03-01T00:00:00Z", 4107542400},
    {"1600-03-01T00:00:00Z", -11670912000},
    /* Past 32-bit time_t. */
    {"2038-01-19T03:14:08Z", 2147483648},
    /* Leap seconds read as the next second, from any offset that puts them at 23:59 UTC. */
    {"2016-12-31T23:59:60Z", 1483228800},
    {"2017-01-01T00:59:60+01:00", 1483228800},
    {"2016-12-31T18:59:60-05:00", 1483228800},
    {"2016-12-31T23:59:60.5Z", 1483228800},
    /* The range. */
    {"0001-01-01T00:00:00Z", T_MIN},
    {"0001-01-01T01:00:00+01:00", T_MIN},
    {"9999-12-31T23:59:59Z", T_MAX},
    {"9999-12-31T23:59:59.999999Z", T_MAX},
    {"9999-12-31T22:59:59-01:00", T_MAX},
};

START_TEST(test_parse_good)
{
    int64_t t = 42;
    libro_error err = LIBRO_ERROR_INIT;
    libro_code rc = libro_time_parse(&t, good[_i].text, strlen(good[_i].text), &err);

    ck_assert_msg(rc == LIBRO_OK, "%s: %s", good[_i].text, err.msg);
    ck_assert_msg(t == good[_i].want, "%s: got %lld, want %lld", good[_i].text, (long long) t,
                  (long long) good[_i].want);
}
END_TEST

/* 43 fraction digits make the longest accepted text: exactly LIBRO_MAX_TIMESTAMP_BYTES. */
#define FRAC43 "1234567890123456789012345678901234567890123"

static const struct {
    const char *name;
    const char *text;
    size_t len; /* 0: strlen(text) */
    libro_code want;
    const char *msg;
} bad[] = {
    {"empty", "", 0, LIBRO_ERR_TIME, "timestamp: empty"},
    {"too long", "2026-11-26T19:05:00." FRAC43 "4Z", 0, LIBRO_ERR_LIMIT,
     "timestamp: longer than 64 bytes"},
    {"date only", "2026-11-26", 0, LIBRO_ERR_TIME, "timestamp: truncated at offset 10"},
    {"space separator", "2026-11-26 19:05:00Z", 0, LIBRO_ERR_TIME,
     "timestamp: expected 'T' at offset 10"},
    {"no offset", "2026-11-26T19:05:00", 0, LIBRO_ERR_TIME,
     "timestamp: missing UTC offset ('Z' or +hh:mm) at offset 19"},
    {"no offset after fraction", "2026-11-26T19:05:00.5", 0, LIBRO_ERR_TIME, "missing UTC offset"},
    {"plus sign", "+2026-11-26T19:05:00Z", 0, LIBRO_ERR_TIME,
     "timestamp: expected a digit at offset 0"},
    {"minus sign", "-2026-11-26T19:05:00Z", 0, LIBRO_ERR_TIME, "expected a digit at offset 0"},
    {"five-digit year", "12026-11-26T19:05:00Z", 0, LIBRO_ERR_TIME, "expected '-' at offset 4"},
    {"one-digit month", "2026-1-26T19:05:00Z", 0, LIBRO_ERR_TIME, "expected a digit at offset 6"},
    {"one-digit hour", "2026-11-26T9:05:00Z", 0, LIBRO_ERR_TIME, "expected a digit at offset 12"},
    {"no seconds", "2026-11-26T19:05Z", 0, LIBRO_ERR_TIME, "expected ':' at offset 16"},
    {"basic format", "20261126T190500Z", 0, LIBRO_ERR_TIME, "expected '-' at offset 4"},
    {"empty fraction", "2026-11-26T19:05:00.Z", 0, LIBRO_ERR_TIME,
     "timestamp: expected a digit after '.' at offset 20"},
    {"comma fraction", "2026-11-26T19:05:00,5Z", 0, LIBRO_ERR_TIME,
     "timestamp: expected 'Z' or +hh:mm at offset 19"},
    {"space before Z", "2026-11-26T19:05:00 Z", 0, LIBRO_ERR_TIME,
     "expected 'Z' or +hh:mm at offset 19"},
    {"named zone", "2026-11-26T19:05:00UTC", 0, LIBRO_ERR_TIME,
     "expected 'Z' or +hh:mm at offset 19"},
    {"double Z", "2026-11-26T19:05:00ZZ", 0, LIBRO_ERR_TIME,
     "timestamp: trailing bytes at offset 20"},
    {"trailing newline", "2026-11-26T19:05:00Z\n", 0, LIBRO_ERR_TIME,
     "trailing bytes at offset 20"},
    {"trailing NUL", "2026-11-26T19:05:00Z\0", 21, LIBRO_ERR_TIME, "trailing bytes at offset 20"},
    {"embedded NUL", "2026-11-26T19:05\0:00Z", 20, LIBRO_ERR_TIME, "expected ':' at offset 16"},
    {"offset without colon", "2026-11-26T19:05:00+0100", 0, LIBRO_ERR_TIME,
     "expected ':' at offset 22"},
    {"offset hours only", "2026-11-26T19:05:00+01", 0, LIBRO_ERR_TIME,
     "timestamp: truncated at offset 22"},
    {"offset hour 24", "2026-11-26T19:05:00+24:00", 0, LIBRO_ERR_TIME,
     "timestamp: offset hour 24 out of range"},
    {"offset minute 60", "2026-11-26T19:05:00-01:60", 0, LIBRO_ERR_TIME,
     "timestamp: offset minute 60 out of range"},
    {"year 0000", "0000-01-01T00:00:00Z", 0, LIBRO_ERR_TIME, "timestamp: year 0000 out of range"},
    {"month 00", "2026-00-10T00:00:00Z", 0, LIBRO_ERR_TIME, "timestamp: month 00 out of range"},
    {"month 13", "2026-13-10T00:00:00Z", 0, LIBRO_ERR_TIME, "timestamp: month 13 out of range"},
    {"day 00", "2026-01-00T00:00:00Z", 0, LIBRO_ERR_TIME,
     "timestamp: day 00 out of range for 2026-01"},
    {"day 32", "2026-01-32T00:00:00Z", 0, LIBRO_ERR_TIME, "day 32 out of range for 2026-01"},
    {"April 31", "2026-04-31T00:00:00Z", 0, LIBRO_ERR_TIME, "day 31 out of range for 2026-04"},
    {"Feb 29 common year", "2023-02-29T00:00:00Z", 0, LIBRO_ERR_TIME,
     "day 29 out of range for 2023-02"},
    {"Feb 29 1900", "1900-02-29T00:00:00Z", 0, LIBRO_ERR_TIME, "day 29 out of range for 1900-02"},
    {"Feb 29 2100", "2100-02-29T00:00:00Z", 0, LIBRO_ERR_TIME, "day 29 out of range for 2100-02"},
    {"Feb 30 leap year", "2024-02-30T00:00:00Z", 0, LIBRO_ERR_TIME,
     "day 30 out of range for 2024-02"},
    {"hour 24", "2026-11-26T24:00:00Z", 0, LIBRO_ERR_TIME, "timestamp: hour 24 out of range"},
    {"minute 60", "2026-11-26T19:60:00Z", 0, LIBRO_ERR_TIME, "timestamp: minute 60 out of range"},
    {"second 61", "2026-11-26T19:05:61Z", 0, LIBRO_ERR_TIME, "timestamp: second 61 out of range"},
    {"leap second at noon", "2016-12-31T12:00:60Z", 0, LIBRO_ERR_TIME,
     "timestamp: leap second allowed only at 23:59:60 UTC"},
    {"leap second local 23:59", "2016-12-31T23:59:60+01:00", 0, LIBRO_ERR_TIME,
     "leap second allowed only at 23:59:60 UTC"},
    {"leap second at 23:58", "2016-12-31T23:58:60Z", 0, LIBRO_ERR_TIME,
     "leap second allowed only at 23:59:60 UTC"},
    {"before year 1 in UTC", "0001-01-01T00:59:59+01:00", 0, LIBRO_ERR_TIME,
     "timestamp: instant outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z"},
    {"after year 9999 in UTC", "9999-12-31T23:59:59-00:01", 0, LIBRO_ERR_TIME,
     "instant outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z"},
    {"leap second after 9999", "9999-12-31T23:59:60Z", 0, LIBRO_ERR_TIME, "instant outside"},
    {"full-width digits", "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96", 0, LIBRO_ERR_TIME,
     "expected a digit at offset 0"},
};

START_TEST(test_parse_bad)
{
    int64_t t = 42;
    libro_error err = LIBRO_ERROR_INIT;
    size_t len = bad[_i].len != 0 ? bad[_i].len : strlen(bad[_i].text);
    libro_code rc = libro_time_parse(&t, bad[_i].text, len, &err);

    ck_assert_msg(rc == bad[_i].want, "%s: got %s \"%s\"", bad[_i].name, libro_code_name(rc),
                  err.msg);
    LIBRO_ASSERT_CODE(rc, bad[_i].want, &err, bad[_i].msg);
    ck_assert_msg(t == 0, "%s: *out not reset", bad[_i].name);
}
END_TEST

START_TEST(test_parse_length_cap)
{
    static const char at_max[] = "2026-11-26T19:05:00." FRAC43 "Z";
    int64_t t = 0;
    libro_error err = LIBRO_ERROR_INIT;

    ck_assert_uint_eq(strlen(at_max), LIBRO_MAX_TIMESTAMP_BYTES);
    LIBRO_ASSERT_CODE(libro_time_parse(&t, at_max, strlen(at_max), &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(t, 1795719900);
}
END_TEST

START_TEST(test_parse_null)
{
    int64_t t = 0;
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_time_parse(NULL, "1970-01-01T00:00:00Z", 20, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "timestamp: NULL argument");
    LIBRO_ASSERT_CODE(libro_time_parse(&t, NULL, 20, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "timestamp: NULL argument");
    LIBRO_ASSERT_CODE(libro_time_parse(&t, NULL, 0, &err), LIBRO_ERR_TIME, &err,
                      "timestamp: empty");
    ck_assert_int_eq(libro_time_parse(&t, "x", 1, NULL), LIBRO_ERR_TIME);
}
END_TEST

/* What a person types: a plain date is its 00:00:00Z; a full time is libro_time_parse's. */
static const struct {
    const char *text;
    int64_t want;
} input_good[] = {
    {"2027-01-01", 1798761600},
    {"2024-02-29", 1709164800},
    {"0001-01-01", T_MIN},
    {"9999-12-31", T_MAX - 86399},
    {"2027-01-01T00:00:00Z", 1798761600},
    {"2027-01-01T09:30:00+01:00", 1798761600 + 30600},
};

START_TEST(test_parse_input_good)
{
    int64_t t = 0;
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(
        libro_time_parse_input(&t, input_good[_i].text, strlen(input_good[_i].text), &err),
        LIBRO_OK, &err, NULL);
    ck_assert_int_eq(t, input_good[_i].want);
}
END_TEST

#define WANT_DATE                                                                                  \
    "timestamp: want a date YYYY-MM-DD or an RFC 3339 time such as 2027-01-01T09:00:00Z"

static const struct {
    const char *name;
    const char *text;
    libro_code want;
    const char *msg;
} input_bad[] = {
    {"month 13", "2026-13-01", LIBRO_ERR_TIME, "timestamp: month 13 out of range"},
    {"month 00", "2026-00-01", LIBRO_ERR_TIME, "timestamp: month 00 out of range"},
    {"Feb 30", "2026-02-30", LIBRO_ERR_TIME, "timestamp: day 30 out of range for 2026-02"},
    {"Feb 29 common year", "2027-02-29", LIBRO_ERR_TIME, "day 29 out of range for 2027-02"},
    {"day 00", "2026-01-00", LIBRO_ERR_TIME, "timestamp: day 00 out of range for 2026-01"},
    {"year 0000", "0000-01-01", LIBRO_ERR_TIME, "timestamp: year 0000 out of range"},
    {"one-digit month", "2027-1-01", LIBRO_ERR_TIME, WANT_DATE},
    {"slashes", "2027/01/01", LIBRO_ERR_TIME, WANT_DATE},
    {"a word", "tomorrow", LIBRO_ERR_TIME, WANT_DATE},
    {"a year", "2027", LIBRO_ERR_TIME, WANT_DATE},
    {"empty", "", LIBRO_ERR_TIME, "timestamp: empty"},
    {"date and hour", "2027-01-01T09", LIBRO_ERR_TIME, "timestamp: truncated at offset 13"},
    {"no offset", "2027-01-01T09:00:00", LIBRO_ERR_TIME, "timestamp: missing UTC offset"},
    {"month 13 with a time", "2026-13-01T00:00:00Z", LIBRO_ERR_TIME,
     "timestamp: month 13 out of range"},
};

START_TEST(test_parse_input_bad)
{
    int64_t t = 42;
    libro_error err = LIBRO_ERROR_INIT;
    libro_code rc =
        libro_time_parse_input(&t, input_bad[_i].text, strlen(input_bad[_i].text), &err);

    ck_assert_msg(rc == input_bad[_i].want, "%s: got %s \"%s\"", input_bad[_i].name,
                  libro_code_name(rc), err.msg);
    LIBRO_ASSERT_CODE(rc, input_bad[_i].want, &err, input_bad[_i].msg);
    ck_assert_msg(t == 0, "%s: *out not reset", input_bad[_i].name);
}
END_TEST

START_TEST(test_parse_input_null)
{
    int64_t t = 0;
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_time_parse_input(NULL, "2027-01-01", 10, &err), LIBRO_ERR_INVALID_ARG,
                      &err, "timestamp: NULL argument");
    LIBRO_ASSERT_CODE(libro_time_parse_input(&t, NULL, 10, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "timestamp: NULL argument");
    ck_assert_int_eq(libro_time_parse_input(&t, "2027-13-01", 10, NULL), LIBRO_ERR_TIME);
}
END_TEST

static const struct {
    int64_t t;
    const char *text;
} formats[] = {
    {0, "1970-01-01T00:00:00Z"},           {-1, "1969-12-31T23:59:59Z"},
    {86399, "1970-01-01T23:59:59Z"},       {-86400, "1969-12-31T00:00:00Z"},
    {-86401, "1969-12-30T23:59:59Z"},      {951782400, "2000-02-29T00:00:00Z"},
    {951868800, "2000-03-01T00:00:00Z"},   {1483228800, "2017-01-01T00:00:00Z"},
    {1795719900, "2026-11-26T19:05:00Z"},  {2147483647, "2038-01-19T03:14:07Z"},
    {13574606400, "2400-02-29T12:00:00Z"}, {-2203891201, "1900-02-28T23:59:59Z"},
    {-2203891200, "1900-03-01T00:00:00Z"}, {T_MIN, "0001-01-01T00:00:00Z"},
    {T_MAX, "9999-12-31T23:59:59Z"},
};

START_TEST(test_format)
{
    char out[LIBRO_TIME_TEXT_MAX];
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_time_format(out, formats[_i].t, &err), LIBRO_OK, &err, NULL);
    ck_assert_str_eq(out, formats[_i].text);
}
END_TEST

START_TEST(test_format_out_of_range)
{
    static const int64_t outside[] = {T_MIN - 1, T_MAX + 1, INT64_MIN, INT64_MAX};
    char out[LIBRO_TIME_TEXT_MAX];
    libro_error err = LIBRO_ERROR_INIT;
    size_t i;

    for (i = 0; i < LIBRO_NELEM(outside); i++) {
        memset(out, 'x', sizeof out);
        LIBRO_ASSERT_CODE(libro_time_format(out, outside[i], &err), LIBRO_ERR_TIME, &err,
                          "is outside years 0001-9999");
        ck_assert_str_eq(out, "");
    }
    LIBRO_ASSERT_CODE(libro_time_format(out, T_MAX + 1, &err), LIBRO_ERR_TIME, &err,
                      "time: 253402300800 is outside years 0001-9999");
    LIBRO_ASSERT_CODE(libro_time_format(NULL, 0, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "time: NULL argument");
}
END_TEST

/* Called millions of times: check's assertions record a mark per call, so compare by
 * hand and only call into check on a failure. */
static void
round_trip(int64_t t)
{
    char text[LIBRO_TIME_TEXT_MAX];
    char want[LIBRO_TIME_TEXT_MAX + 16];
    libro_error err = LIBRO_ERROR_INIT;
    int64_t back = 0;
    time_t tt = (time_t) t;
    struct tm tm;
    int n;

    if (libro_time_format(text, t, &err) != LIBRO_OK) {
        ck_abort_msg("%lld: format: %s", (long long) t, err.msg);
    }
    if (libro_time_parse(&back, text, strlen(text), &err) != LIBRO_OK || back != t) {
        ck_abort_msg("%lld -> %s -> %lld (%s)", (long long) t, text, (long long) back, err.msg);
    }
    /* glibc's gmtime_r is an independent proleptic Gregorian calendar (tests only). */
    if (gmtime_r(&tt, &tm) == NULL) {
        ck_abort_msg("%lld: gmtime_r failed", (long long) t);
    }
    n = snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (n < 0 || (size_t) n >= sizeof want || strcmp(text, want) != 0) {
        ck_abort_msg("%lld: %s, gmtime_r says %s", (long long) t, text, want);
    }
}

START_TEST(test_round_trip_every_day)
{
    int64_t t;

    ck_assert_msg(sizeof(time_t) == 8, "needs 64-bit time_t");
    /* Every day of years 0001-9999, at a second that moves through the day. */
    for (t = T_MIN; t <= T_MAX; t += 86400 + 7) {
        round_trip(t);
    }
    round_trip(T_MAX);
}
END_TEST

START_TEST(test_round_trip_random)
{
    uint64_t x = 0x243f6a8885a308d3u;
    const uint64_t span = (uint64_t) (T_MAX - T_MIN) + 1;
    int i;

    for (i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        round_trip(T_MIN + (int64_t) (x % span));
    }
}
END_TEST

START_TEST(test_now)
{
    int64_t before = (int64_t) time(NULL);
    int64_t now = libro_time_now();
    int64_t after = (int64_t) time(NULL);

    ck_assert_int_ge(now, before);
    ck_assert_int_le(now, after);
    ck_assert_int_gt(now, 1704067200); /* 2024-01-01: the clock is plausible */
}
END_TEST

/* Milliseconds: the first three fraction digits (missing ones are 0, more are dropped: the
 * floor), offsets applied, the second's rules unchanged. */
static const struct {
    const char *text;
    int64_t ms;
} good_ms[] = {
    {"2026-12-06T05:42:33.103Z", INT64_C(1796535753103)},
    {"2026-12-06T05:42:33Z", INT64_C(1796535753000)},
    {"2026-12-06T05:42:33.1Z", INT64_C(1796535753100)},
    {"2026-12-06T05:42:33.12Z", INT64_C(1796535753120)},
    {"2026-12-06T05:42:33.1239Z", INT64_C(1796535753123)},
    {"2026-12-06T05:42:33.999999999Z", INT64_C(1796535753999)},
    {"2026-12-06T06:42:33.050+01:00", INT64_C(1796535753050)},
    {"1970-01-01T00:00:00.000Z", 0},
    {"1969-12-31T23:59:59.999Z", -1},
    {"2016-12-31T23:59:60.500Z", INT64_C(1483228800500)}, /* a leap second: the next one */
};

START_TEST(test_parse_ms)
{
    libro_error err = LIBRO_ERROR_INIT;
    int64_t ms = 7;

    must(libro_time_parse_ms(&ms, good_ms[_i].text, strlen(good_ms[_i].text), &err), &err,
         good_ms[_i].text);
    ck_assert_msg(ms == good_ms[_i].ms, "%s: %lld", good_ms[_i].text, (long long) ms);
}
END_TEST

START_TEST(test_ms_refusals)
{
    libro_error err = LIBRO_ERROR_INIT;
    char out[LIBRO_TIME_MS_TEXT_MAX];
    int64_t ms = 7;

    LIBRO_ASSERT_CODE(libro_time_parse_ms(&ms, "2026-12-06T05:42:33.Z", 21, &err), LIBRO_ERR_TIME,
                      &err, "timestamp: expected a digit after '.' at offset 20");
    ck_assert_int_eq(ms, 0);
    LIBRO_ASSERT_CODE(libro_time_parse_ms(NULL, "2026-12-06T05:42:33Z", 20, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "timestamp: NULL argument");
    LIBRO_ASSERT_CODE(libro_time_format_ms(out, INT64_C(253402300800000), &err), LIBRO_ERR_TIME,
                      &err, "time: 253402300800 is outside years 0001-9999");
    ck_assert_str_eq(out, "");
}
END_TEST

static const struct {
    int64_t ms;
    const char *text;
} formats_ms[] = {
    {0, "1970-01-01T00:00:00.000Z"},
    {-1, "1969-12-31T23:59:59.999Z"},
    {INT64_C(1796535753103), "2026-12-06T05:42:33.103Z"},
    {INT64_C(1796535753007), "2026-12-06T05:42:33.007Z"},
    {INT64_C(253402300799999), "9999-12-31T23:59:59.999Z"},
    {INT64_C(-62135596800000), "0001-01-01T00:00:00.000Z"},
};

START_TEST(test_format_ms)
{
    libro_error err = LIBRO_ERROR_INIT;
    char out[LIBRO_TIME_MS_TEXT_MAX];
    int64_t back = 0;

    must(libro_time_format_ms(out, formats_ms[_i].ms, &err), &err, "format");
    ck_assert_str_eq(out, formats_ms[_i].text);
    must(libro_time_parse_ms(&back, out, strlen(out), &err), &err, "parse back");
    ck_assert_int_eq(back, formats_ms[_i].ms);
}
END_TEST

START_TEST(test_now_ms)
{
    int64_t before = libro_time_now();
    int64_t ms = libro_time_now_ms();
    int64_t after = libro_time_now();

    ck_assert_int_ge(ms / 1000, before);
    ck_assert_int_le(ms / 1000, after);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("time");
    TCase *tc = tcase_create("parse");

    tcase_add_loop_test(tc, test_parse_good, 0, (int) LIBRO_NELEM(good));
    tcase_add_loop_test(tc, test_parse_bad, 0, (int) LIBRO_NELEM(bad));
    tcase_add_test(tc, test_parse_null);
    tcase_add_loop_test(tc, test_parse_input_good, 0, (int) LIBRO_NELEM(input_good));
    tcase_add_loop_test(tc, test_parse_input_bad, 0, (int) LIBRO_NELEM(input_bad));
    tcase_add_test(tc, test_parse_input_null);
    tcase_add_loop_test(tc, test_parse_ms, 0, (int) LIBRO_NELEM(good_ms));
    tcase_add_test(tc, test_ms_refusals);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_test(tc, test_parse_length_cap);
    tcase_add_test(tc, test_format_out_of_range);
    suite_add_tcase(s, tc);

    tc = tcase_create("format");
    /* 3.65 million round trips: seconds on a loaded machine or under the sanitizers, more
     * than check's default of 4 s. */
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_format, 0, (int) LIBRO_NELEM(formats));
    tcase_add_test(tc, test_round_trip_every_day);
    tcase_add_test(tc, test_round_trip_random);
    tcase_add_test(tc, test_now);
    tcase_add_loop_test(tc, test_format_ms, 0, (int) LIBRO_NELEM(formats_ms));
    tcase_add_test(tc, test_now_ms);
    suite_add_tcase(s, tc);
    return s;
}

/* libro verify: check a license, a roundtable mandate, a responsibility agreement, a community
 * law or an LBR reference offline, from a QR image, scanned text or a file, and say what it is
 * with the exit codes of libro-verify(1). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "libro/crypto.h"
#include "libro/file.h"
#include "libro/lb1.h"
#include "libro/limits.h"
#include "libro/scan.h"
#include "libro/time.h"
#include "libro/util.h"
#include "libro/verifier.h"

static const char *vf_image; /* an image file, or "-" */
static const char *vf_text;
static const char *vf_jws;
static const char *vf_at;
static const char *vf_skew;
static const char *vf_max_age;
static bool vf_json;
static const char *vf_trust_dir;

/* Where the license comes from: exactly one of group 1. */
static const struct cli_option verify_opts[] = {
    {CLI_OPT_ARG, "IMAGE|-", NULL, &vf_image, CLI_REQUIRED, 1, NULL},
    {CLI_OPT_VALUE, "--text", "TEXT", &vf_text, CLI_REQUIRED, 1,
     "the scanned text of a QR code (LB2:..., LB3:..., LB1:... or LBR:...) or a compact JWS"},
    {CLI_OPT_VALUE, "--jws", "FILE", &vf_jws, CLI_REQUIRED, 1,
     "a file holding a compact JWS (license, mandate, law) or an agreement (JWS JSON)"},
    {CLI_OPT_VALUE, "--at", "TIME", &vf_at, 0, 0, "verify as of this RFC 3339 time instead of now"},
    {CLI_OPT_VALUE, "--skew", "SECONDS", &vf_skew, 0, 0,
     "clock skew allowed at each window edge (default 300)"},
    {CLI_OPT_VALUE, "--max-status-age", "AGE", &vf_max_age, 0, 0,
     "oldest status data to use: seconds, or N with s, m, h or d (default 7d)"},
    {CLI_OPT_SWITCH, "--json", NULL, &vf_json, 0, 0,
     "print one JSON document (see schemas/cli/verify.schema.json)"},
    {CLI_OPT_VALUE, "--trust-dir", "DIR", &vf_trust_dir, 0, 0,
     "the trust store (default: $XDG_DATA_HOME/libro)"},
};

static const struct cli_command verify_cmd = {
    "verify",
    "[IMAGE | --text 'LB2:...' | --jws FILE | -] [--at TIME] [--skew SECONDS]\n"
    "       [--max-status-age AGE] [--json] [--trust-dir DIR]",
    "Verify a professional license, a roundtable mandate, a responsibility agreement or a\n"
    "community law offline. A license or mandate: read it from a QR code in\n"
    "an image (PNG, JPEG, PPM or PGM), from scanned text, from a JWS file, or from standard\n"
    "input ('-': LB2 or LB1 text, or a JWS); check its signature, its chain of charters and\n"
    "authorizations up to an anchor pinned in the trust store ('libro trust'), its validity\n"
    "window, and then, when the license names status lists, its revocation and suspension\n"
    "status from the lists cached in the trust store ('libro trust add LIST'). Each list must\n"
    "be signed by a registry the license's community authorized and be valid now; status data\n"
    "older than 24 hours gives a warning on stderr, older than --max-status-age (default 7\n"
    "days) makes the status unknown; both then say to run 'libro sync <registry URL>'. A\n"
    "license without status entries says that no status data is present. A license with a\n"
    "third status entry (the message list) is reported SURRENDERED or LAPSED instead of\n"
    "REVOKED or EXPIRED when that list says so; its signature, authorization and validity are\n"
    "checked as the others' are. The trust store remembers the newest time it has seen\n"
    "(synced bundles, added status lists); a clock before it gets no verdict (exit 7).\n"
    "--at TIME asks about a moment instead of now: it is answered with the status data\n"
    "as of the last sync, which a note on stderr says.\n"
    "A roundtable mandate (RoundtableMandate) is verified the same way: its signer is the\n"
    "community that elected or appointed the holder, whose charter must be in the trust\n"
    "store (a seat's charter comes with the roundtable's registry bundle: 'libro sync'),\n"
    "chained to an anchor, and allowed to sign that office; a valid one is said in one\n"
    "sentence (\"Jane Doe represents Tribe 12 at the roundtable of Neighborhood 3 (voting),\n"
    "2026-01-01 to 2028-12-31\"), and one ended early is ENDED with the word its message\n"
    "list gives: resigned, recalled or replaced.\n"
    "A ResponsibilityAgreement (its JWS JSON document, from --jws FILE or '-') is COMPLETE\n"
    "when every party named inside it signed, PARTIAL naming the parties who have not, or\n"
    "INVALID (a signature by a key that is no party's, or over another payload); its framing\n"
    "community is shown with whether the trust store chains it to an anchor; a complete one\n"
    "its registry records as ended or superseded is ENDED or SUPERSEDED, and one past its\n"
    "term EXPIRED. A CommunityLaw (a compact JWS signed by its community's key, chained to an\n"
    "anchor, else UNTRUSTED) is IN FORCE, UNDER REVIEW past its review date, or REPEALED when\n"
    "its registry says so. A reference QR code (LBR:...) names a registered agreement or law\n"
    "by its hash: its state comes from the registry's index synced into the trust store\n"
    "('libro sync'); without it the state is unknown (exit 7). An agreement verifies without\n"
    "a trust store too (its community and registry state are then unknown); anything else\n"
    "without one is UNTRUSTED.",
    verify_opts,
    LIBRO_NELEM(verify_opts),
    "Exit status:\n"
    "  0  VALID; an agreement COMPLETE; a law (or a reference) IN FORCE\n"
    "  1  INVALID: malformed, a bad signature, or not a license (a charter, an\n"
    "     authorization, a status list or a trust bundle: --json code not_a_license)\n"
    "  2  bad command line, or the input file cannot be read\n"
    "  3  EXPIRED or NOT YET VALID, or LAPSED: expired and not renewed within the grace\n"
    "     period (the license's message list says \"lapsed\"); a law UNDER REVIEW\n"
    "  4  REVOKED, or SURRENDERED: given up by the holder (the message list says\n"
    "     \"surrendered\"; not a disciplinary revocation), or ENDED: a mandate ended\n"
    "     early (resigned, recalled, or replaced by a new mandate for the seat), an\n"
    "     agreement ended; an agreement SUPERSEDED; a law REPEALED\n"
    "  5  SUSPENDED\n"
    "  6  UNTRUSTED: no chain to a pinned anchor, or an issuer not authorized (a\n"
    "     mandate: a signer that may not give that office, or a term too long)\n"
    "  7  STATUS UNKNOWN: no cached status list, one that cannot be trusted, status\n"
    "     data older than --max-status-age, or this computer's clock set back before\n"
    "     data the trust store has already seen (set the clock right; --at is exempt)\n"
    "  8  no QR code found in the image\n"
    "  9  PARTIAL: an agreement some party has not signed yet\n"
    "  10 could not verify: out of memory, an unreadable trust store, a library\n"
    "     it needs not installed (the message names the Debian package), or the\n"
    "     result could not be written",
};

/* Beyond libro-verify(1)'s verdicts: the verification could not be carried out. 9 was this
 * before agreements; it is PARTIAL now (libro_outcome_exit_code). */
enum { VERIFY_EXIT_ERROR = 10 };

/* Failures of the machine, not of the license: they must not read as a verdict. */
static bool
is_failure(libro_code rc)
{
    return rc == LIBRO_ERR_NOMEM || rc == LIBRO_ERR_CRYPTO || rc == LIBRO_ERR_MISSING_LIBRARY;
}

/* Open the trust store without creating it: a verifier that finds no store (a mistyped
 * --trust-dir, say) trusts nothing, and says so, rather than making an empty one. */
static libro_code
open_store(libro_trust **out, const char *dir, libro_error *err)
{
    libro_buf def = LIBRO_BUF_INIT;
    struct stat st;
    libro_code rc = LIBRO_OK;

    if (dir == NULL) {
        rc = libro_trust_default_dir(&def, err);
        dir = (const char *) def.data;
    }
    if (rc == LIBRO_OK && stat(dir, &st) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND,
                             "no trust store at %.200s (pin an anchor: libro trust add --anchor)",
                             dir);
    }
    if (rc == LIBRO_OK) {
        rc = cli_open_trust(out, dir, err);
    }
    libro_buf_free(&def);
    return rc;
}

/* ---- getting the JWS ---------------------------------------------------------------------- */

/* The most a file or standard input may hold: an agreement's JWS JSON document is the
 * largest input (a law's compact JWS, LB text or a license are smaller). */
#define MAX_INPUT_BYTES                                                                            \
    (LIBRO_MAX_JWS_JSON_BYTES > LIBRO_MAX_LAW_TOKEN_BYTES ? LIBRO_MAX_JWS_JSON_BYTES               \
                                                          : LIBRO_MAX_LAW_TOKEN_BYTES)

/* What libro_verify_document reads: an agreement document (a JSON object) as it is, byte for
 * byte (its hash is what was registered); anything else through libro_scan_text (LB text
 * unpacked, an LBR reference or a compact JWS as they are). */
static libro_code
scan_text(libro_buf *out, const char *text, size_t len, libro_error *err)
{
    const char *p = text;
    size_t n = len;

    libro_text_trim(&p, &n);
    if (n > 0 && p[0] == '{') {
        return libro_buf_append(out, text, len, err);
    }
    return libro_scan_text(out, text, len, err);
}

/* Where a failure to obtain the token leaves us: an outcome, or a usage problem. */
struct input_failure {
    bool usage; /* the input could not be read at all (exit 2) */
    libro_outcome outcome;
};

static libro_code
read_input(libro_buf *jws, struct input_failure *why, libro_error *err)
{
    libro_buf raw = LIBRO_BUF_INIT;
    libro_image *img = NULL;
    libro_code rc;

    why->usage = false;
    why->outcome = LIBRO_INVALID;
    if (vf_text != NULL) {
        rc = scan_text(jws, vf_text, strlen(vf_text), err);
    } else if (vf_jws != NULL || strcmp(vf_image, "-") == 0) {
        rc = libro_file_read(&raw, vf_jws != NULL ? vf_jws : "-", MAX_INPUT_BYTES, false, err);
        why->usage = rc != LIBRO_OK;
        if (rc == LIBRO_OK) {
            rc = scan_text(jws, (const char *) raw.data, raw.len, err);
        }
    } else {
        rc = libro_image_load(&img, vf_image, err);
        why->usage = rc == LIBRO_ERR_NOT_FOUND || rc == LIBRO_ERR_IO || rc == LIBRO_ERR_DENIED;
        if (rc == LIBRO_OK) {
            rc = libro_scan_image(&raw, img, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_scan_text(jws, (const char *) raw.data, raw.len, err);
        } else if (!why->usage) {
            /* An image we cannot read holds no QR code we can find. */
            why->outcome = rc == LIBRO_ERR_PARSE ? LIBRO_INVALID : LIBRO_NO_QR;
        }
    }
    libro_image_free(img);
    libro_buf_free(&raw);
    return rc;
}

/* ---- printing ----------------------------------------------------------------------------- */

static const char *
link_issuer_name(const libro_verification *v)
{
    size_t i;

    for (i = 0; i < v->n_chain; i++) {
        if (v->chain[i].type == LIBRO_CRED_ISSUER_AUTH) {
            return v->chain[i].name;
        }
    }
    return NULL;
}

/* The level of the authorizing community as its verified charter states it (the link above
 * the issuer authorization), or -1 when the chain did not get that far. */
static int
community_level(const libro_verification *v)
{
    size_t i;

    for (i = 0; i + 1 < v->n_chain; i++) {
        if (v->chain[i].type == LIBRO_CRED_ISSUER_AUTH) {
            return v->chain[i + 1].level;
        }
    }
    return -1;
}

static void
print_license(const libro_verification *v)
{
    const libro_credential *c = v->license;
    const char *issuer_name = link_issuer_name(v);
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    size_t i;

    if (libro_time_format(from, c->valid_from, NULL) != LIBRO_OK ||
        libro_time_format(until, c->valid_until, NULL) != LIBRO_OK) {
        return;
    }
    printf("  holder       %s%s%s%s\n", c->name, c->subject_id != NULL ? "  (" : "",
           c->subject_id != NULL ? c->subject_id : "", c->subject_id != NULL ? ")" : "");
    printf("  profession   %s\n", c->profession);
    printf("  license      %s (%s)\n", c->license_number, c->license_type);
    printf("  scope        ");
    for (i = 0; i < c->n_scope; i++) {
        printf("%s%s", i > 0 ? "; " : "", c->scope[i]);
    }
    printf("\n  issuer       %s%s%s%s\n", issuer_name != NULL ? issuer_name : "",
           issuer_name != NULL ? " (" : "", c->issuer, issuer_name != NULL ? ")" : "");
    if (v->community_name != NULL && community_level(v) >= 0) {
        printf("  community    %s, %s (level %d)\n", v->community_name,
               v->community_level_name != NULL ? v->community_level_name : "?", community_level(v));
    } else {
        printf("  community    %s (level %d, not verified)\n", c->community_id, c->community_level);
    }
    printf("  valid until  %s  (from %s)\n", until, from);
}

/* ---- mandates ---------------------------------------------------------------------------- */

static void
print_mandate(const libro_verification *v)
{
    const libro_credential *m = v->mandate;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf sentence = LIBRO_BUF_INIT;
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    char date[LIBRO_TIME_TEXT_MAX];

    if (libro_time_format(from, m->valid_from, NULL) != LIBRO_OK ||
        libro_time_format(until, m->valid_until, NULL) != LIBRO_OK ||
        libro_time_format(date, m->election_date, NULL) != LIBRO_OK) {
        return;
    }
    /* The sentence says what holds: only for a mandate that is valid now. */
    if (v->outcome == LIBRO_VALID && libro_mandate_sentence(&sentence, v, &err) == LIBRO_OK) {
        printf("  %s\n", (const char *) sentence.data);
    }
    libro_buf_free(&sentence);
    printf("  holder       %s  (%s)\n", m->name, m->subject_id);
    printf("  office       %s, %s\n", libro_office_name(m->office),
           m->voting ? "voting" : "no vote");
    if (v->roundtable_name != NULL) {
        printf("  roundtable   %s (%s, level %d)\n", v->roundtable_name, m->roundtable_id,
               m->roundtable_level);
    } else {
        printf("  roundtable   %s (level %d, not verified)\n", m->roundtable_id,
               m->roundtable_level);
    }
    if (m->seat != NULL) {
        printf("  seat         %s%s%s%s\n", v->seat_name != NULL ? v->seat_name : m->seat,
               v->seat_name != NULL ? " (" : "", v->seat_name != NULL ? m->seat : "",
               v->seat_name != NULL ? ")" : " (not verified)");
    }
    printf("  election     %.10s, electorate %u: %s (record %s)\n", date,
           (unsigned) m->election_electorate, m->election_result, m->election_record);
    printf("  term         %s to %s\n", from, until);
}

/* ---- agreements, laws and references ------------------------------------------------------ */

static void
print_time_pair(const char *label, int64_t from, int64_t until, const char *between)
{
    char a[LIBRO_TIME_TEXT_MAX];
    char b[LIBRO_TIME_TEXT_MAX];

    if (libro_time_format(a, from, NULL) == LIBRO_OK &&
        libro_time_format(b, until, NULL) == LIBRO_OK) {
        printf("  %-12s %s%s%s\n", label, a, between, b);
    }
}

/* The framing community of an agreement, or a law's: by its verified charter's name when the
 * store holds it, and whether it chains to a pinned anchor (an agreement; a law's chain is
 * its verdict). */
static void
print_community(const libro_verification *v, const libro_credential *c, bool show_trust)
{
    if (v->community_name != NULL) {
        printf("  community    %s (%s, %s, level %d)", v->community_name, c->community_id,
               v->community_level_name != NULL ? v->community_level_name : "?", c->community_level);
    } else {
        printf("  community    %s (level %d)", c->community_id, c->community_level);
    }
    if (show_trust) {
        printf(v->community_trusted ? ": chains to a pinned anchor\n" : ": not trusted: %s\n",
               v->community_why);
    } else {
        printf("\n");
    }
}

/* What the synced registry index says, in one line. */
static void
registry_text(char *out, size_t cap, const libro_verification *v, int64_t now)
{
    char since[LIBRO_TIME_TEXT_MAX];
    char synced[LIBRO_TIME_MS_TEXT_MAX];
    int n;

    if (!v->registered) {
        n = snprintf(out, cap, "%s", v->reg_note);
    } else {
        if (libro_time_format(since, v->reg_since, NULL) != LIBRO_OK) {
            memcpy(since, "?", 2);
        }
        if (libro_time_format_ms(synced, v->reg_synced_ms, NULL) != LIBRO_OK) {
            memcpy(synced, "?", 2);
        }
        n = snprintf(out, cap, "%s %s %s (registry %s at %s, synced %s)",
                     libro_doc_state_name(v->reg_state),
                     v->reg_state != LIBRO_DOC_IN_FORCE && v->reg_since > now ? "from" : "since",
                     since, v->reg_registry, v->reg_url, synced);
    }
    if (n < 0) {
        out[0] = '\0';
    }
}

static void
print_agreement(const libro_verification *v)
{
    const libro_agreement *a = v->agreement;
    const libro_credential *c = a->cred;

    printf("  agreement    %s\n", c->title);
    printf("  hash         %s\n", v->hash);
    print_community(v, c, true);
    printf("  parties      %zu of %zu signed\n", a->n_signed, c->n_parties);
    for (size_t i = 0; i < c->n_parties; i++) {
        const libro_party *p = &c->parties[i];

        printf("  %-12s %s (%s)  %s\n", a->signed_by[i] ? "  signed" : "  not yet", p->name,
               p->role, p->id);
        for (size_t j = 0; j < p->n_responsibilities; j++) {
            printf("  %-12s   - %s\n", "", p->responsibilities[j]);
        }
    }
    print_time_pair("term", c->valid_from, c->valid_until, " to ");
    if (c->mutual_only) {
        printf("  ending       by all parties together only\n");
    } else {
        printf("  ending       by any party's notice of %u days\n", (unsigned) c->notice_days);
    }
    if (c->supersedes != NULL) {
        printf("  amends       %s\n", c->supersedes);
    }
}

static void
print_law(const libro_verification *v)
{
    const libro_credential *l = v->law;

    printf("  law          %s, version %u  (%s)\n", l->title, (unsigned) l->law_version,
           l->subject_id);
    print_community(v, l, false);
    printf("  aim          %s\n", l->aim);
    print_time_pair("adopted", l->valid_from, l->valid_until, ", review date ");
    for (size_t i = 0; i < l->n_members; i++) {
        const libro_law_member *m = &l->members[i];

        printf("  %-12s %s, %s%s%s  %s\n", i == 0 ? "roundtable" : "", m->name,
               libro_office_name(m->office), m->seat != NULL ? " of " : "",
               m->seat != NULL ? m->seat : "", m->id);
    }
    printf("  record       %s\n", l->consent_record);
    if (l->supersedes != NULL) {
        printf("  replaces     %s\n", l->supersedes);
    }
    printf("  hash         %s\n", v->hash);
    printf("  text\n");
    for (const char *p = l->text; *p != '\0';) {
        const char *nl = strchr(p, '\n');
        size_t n = nl != NULL ? (size_t) (nl - p) : strlen(p);

        printf("    %.*s\n", (int) n, p);
        p += n + (nl != NULL ? 1 : 0);
    }
}

/* "3 min", "5 h", "8 days": how old status data is, for people. */
static void
fmt_age(char *out, size_t cap, int64_t secs)
{
    int n;

    if (secs < 3600) {
        n = snprintf(out, cap, "%lld min", (long long) (secs / 60));
    } else if (secs < 48 * 3600) {
        n = snprintf(out, cap, "%lld h", (long long) (secs / 3600));
    } else {
        n = snprintf(out, cap, "%lld days", (long long) (secs / 86400));
    }
    if (n < 0) {
        out[0] = '\0';
    }
}

/* The status in one line, for the human output and the JSON "message". */
static void
status_text(char *out, size_t cap, const libro_verification *v, bool human)
{
    char from[LIBRO_TIME_TEXT_MAX];
    char age[32];
    int n;

    if (v->outcome == LIBRO_STATUS_UNKNOWN) {
        /* Also before any license was read: a clock set back. */
        n = snprintf(out, cap, "unknown: %s", v->reason);
    } else if ((v->license == NULL || !v->license->has_status) && v->mandate == NULL) {
        n = snprintf(out, cap, "%s",
                     human ? "no status data present: revocation and suspension not checked"
                           : "no status data present");
    } else if (v->outcome == LIBRO_LAPSED) {
        n = snprintf(out, cap, "%s", human ? "LAPSED (message list)" : "lapsed");
    } else if (!v->status_checked) {
        n = snprintf(out, cap, "not checked");
    } else {
        if (libro_time_format(from, v->status_from, NULL) != LIBRO_OK) {
            memcpy(from, "?", 2);
        }
        fmt_age(age, sizeof age, v->status_age);
        const char *what = v->mandate != NULL ? "in office" : "not revoked, not suspended";

        if (v->outcome == LIBRO_SURRENDERED) {
            what = human ? "SURRENDERED" : "surrendered";
        } else if (v->outcome == LIBRO_ENDED) {
            what = !v->word_checked ? (human ? "ENDED" : "ended")
                   : human          ? (v->word == LIBRO_WORD_RESIGNED   ? "ENDED: resigned"
                                       : v->word == LIBRO_WORD_RECALLED ? "ENDED: recalled"
                                                                        : "ENDED: replaced")
                                    : libro_status_words_message(LIBRO_WORDS_MANDATE, v->word);
        } else if (v->revoked) {
            what = human ? "REVOKED" : "revoked";
        } else if (v->suspended) {
            what = human ? "SUSPENDED" : "suspended";
        }
        n = snprintf(out, cap, "%s (list of %s, %s old)", what, from, age);
    }
    if (n < 0) {
        out[0] = '\0';
    }
}

static void
print_human(const libro_verification *v, int64_t now)
{
    char status[LIBRO_ERROR_MSG_MAX + 64];
    size_t i;

    if (v->reason[0] == '\0') {
        printf("%s\n", libro_outcome_name(v->outcome));
    } else {
        printf("%s: %s\n", libro_outcome_name(v->outcome), v->reason);
    }
    if (v->license != NULL) {
        print_license(v);
    } else if (v->mandate != NULL) {
        print_mandate(v);
    } else if (v->agreement != NULL) {
        print_agreement(v);
    } else if (v->law != NULL) {
        print_law(v);
    } else if (v->reference != 0) {
        printf("  reference    %s %s\n", v->reference == LIBRO_LBR_LAW ? "law" : "agreement",
               v->hash);
    }
    if (v->agreement != NULL || v->law != NULL || v->reference != 0) {
        if (v->agreement == NULL || v->agreement->outcome == LIBRO_AGREEMENT_COMPLETE) {
            registry_text(status, sizeof status, v, now);
            printf("  registry     %s\n", status);
        }
    } else if (v->license == NULL && v->mandate == NULL) {
        /* Refused before the credential was read (a clock set back): nothing more to show. */
    } else if (v->outcome == LIBRO_VALID || v->outcome == LIBRO_EXPIRED ||
               v->outcome == LIBRO_NOT_YET_VALID || v->outcome == LIBRO_REVOKED ||
               v->outcome == LIBRO_SUSPENDED || v->outcome == LIBRO_STATUS_UNKNOWN ||
               v->outcome == LIBRO_SURRENDERED || v->outcome == LIBRO_LAPSED ||
               v->outcome == LIBRO_ENDED) {
        status_text(status, sizeof status, v, true);
        printf("  status       %s\n", status);
    }
    for (i = 0; i < v->n_chain; i++) {
        const libro_chain_link *l = &v->chain[i];

        if (l->type == LIBRO_CRED_LICENSE) {
            printf("  %-12s %s %s\n", i == 0 ? "chain" : "", libro_cred_type_name(l->type),
                   v->license != NULL ? v->license->license_number : "");
            continue;
        }
        if (l->type == LIBRO_CRED_MANDATE) {
            printf("  %-12s %s for %s\n", i == 0 ? "chain" : "", libro_cred_type_name(l->type),
                   l->name != NULL ? l->name : "-");
            continue;
        }
        printf("  %-12s %s%s %s (%s)%s\n", i == 0 ? "chain" : "", i == 0 ? "" : "<- ",
               libro_cred_type_name(l->type), l->subject_id != NULL ? l->subject_id : "-",
               l->name != NULL ? l->name : "", l->anchor ? ", pinned anchor" : "");
    }
}

static libro_code
json_kv_str(libro_buf *b, const char *key, const char *value, libro_error *err)
{
    libro_code rc = libro_buf_printf(b, err, ",\"%s\":", key);

    if (rc == LIBRO_OK) {
        rc = value != NULL ? cli_json_string(b, value, err) : libro_buf_append_str(b, "null", err);
    }
    return rc;
}

static libro_code
json_kv_time(libro_buf *b, const char *key, int64_t t, libro_error *err)
{
    char text[LIBRO_TIME_TEXT_MAX];
    libro_code rc = libro_time_format(text, t, err);

    return rc == LIBRO_OK ? libro_buf_printf(b, err, ",\"%s\":\"%s\"", key, text) : rc;
}

static libro_code
json_license(libro_buf *b, const libro_credential *c, libro_error *err)
{
    size_t i;
    libro_code rc = libro_buf_append_str(b, ",\"license\":{\"type\":\"ProfessionalLicense\"", err);

    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "holder", c->name, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "holderId", c->subject_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "licenseNumber", c->license_number, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "profession", c->profession, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "licenseType", c->license_type, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, ",\"scope\":[", err);
    }
    for (i = 0; rc == LIBRO_OK && i < c->n_scope; i++) {
        rc = i > 0 ? libro_buf_append_str(b, ",", err) : LIBRO_OK;
        if (rc == LIBRO_OK) {
            rc = cli_json_string(b, c->scope[i], err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "]", err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "issuer", c->issuer, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "communityId", c->community_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, ",\"communityLevel\":%d", c->community_level);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_time(b, "validFrom", c->valid_from, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_time(b, "validUntil", c->valid_until, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "}", err);
    }
    return rc;
}

/* The "mandate" object of schemas/cli/verify.schema.json. */
static libro_code
json_mandate(libro_buf *b, const libro_verification *v, libro_error *err)
{
    const libro_credential *m = v->mandate;
    libro_buf sentence = LIBRO_BUF_INIT;
    libro_code rc = libro_buf_append_str(b, ",\"mandate\":{\"type\":\"RoundtableMandate\"", err);

    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "holder", m->name, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "holderId", m->subject_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, ",\"office\":\"%s\",\"voting\":%s",
                              libro_office_name(m->office), m->voting ? "true" : "false");
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "roundtableId", m->roundtable_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, ",\"roundtableLevel\":%d", m->roundtable_level);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "roundtableName", v->roundtable_name, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "seat", m->seat, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "seatName", v->seat_name, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, ",\"election\":{\"record\":", err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_string(b, m->election_record, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_time(b, "date", m->election_date, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, ",\"electorate\":%u", (unsigned) m->election_electorate);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "result", m->election_result, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "}", err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "issuer", m->issuer, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_time(b, "validFrom", m->valid_from, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_time(b, "validUntil", m->valid_until, err);
    }
    if (rc == LIBRO_OK && v->outcome == LIBRO_VALID) {
        rc = libro_mandate_sentence(&sentence, v, err);
        if (rc == LIBRO_OK) {
            rc = json_kv_str(b, "sentence", (const char *) sentence.data, err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "}", err);
    }
    libro_buf_free(&sentence);
    return rc;
}

/* The "agreement" object of schemas/cli/verify.schema.json. */
static libro_code
json_agreement(libro_buf *b, const libro_verification *v, libro_error *err)
{
    const libro_agreement *a = v->agreement;
    const libro_credential *c = a->cred;
    libro_code rc =
        libro_buf_append_str(b, ",\"agreement\":{\"type\":\"ResponsibilityAgreement\"", err);

    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "title", c->title, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "hash", v->hash, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "communityId", c->community_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, ",\"communityLevel\":%d,\"communityTrusted\":%s",
                              c->community_level, v->community_trusted ? "true" : "false");
    }
    if (rc == LIBRO_OK && !v->community_trusted) {
        rc = json_kv_str(b, "communityReason", v->community_why, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, ",\"signed\":%zu,\"parties\":[", a->n_signed);
    }
    for (size_t i = 0; rc == LIBRO_OK && i < c->n_parties; i++) {
        const libro_party *p = &c->parties[i];

        rc = libro_buf_append_str(b, i > 0 ? ",{\"id\":" : "{\"id\":", err);
        if (rc == LIBRO_OK) {
            rc = cli_json_string(b, p->id, err);
        }
        if (rc == LIBRO_OK) {
            rc = json_kv_str(b, "name", p->name, err);
        }
        if (rc == LIBRO_OK) {
            rc = json_kv_str(b, "role", p->role, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_printf(b, err, ",\"signed\":%s,\"responsibilities\":[",
                                  a->signed_by[i] ? "true" : "false");
        }
        for (size_t j = 0; rc == LIBRO_OK && j < p->n_responsibilities; j++) {
            rc = j > 0 ? libro_buf_append_str(b, ",", err) : LIBRO_OK;
            if (rc == LIBRO_OK) {
                rc = cli_json_string(b, p->responsibilities[j], err);
            }
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b, "]}", err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "]", err);
    }
    if (rc == LIBRO_OK) {
        rc = c->mutual_only ? libro_buf_append_str(b, ",\"ending\":{\"mutualOnly\":true}", err)
                            : libro_buf_printf(b, err, ",\"ending\":{\"noticeDays\":%u}",
                                               (unsigned) c->notice_days);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "supersedes", c->supersedes, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_time(b, "validFrom", c->valid_from, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_time(b, "validUntil", c->valid_until, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "}", err);
    }
    return rc;
}

/* The "law" object of schemas/cli/verify.schema.json. */
static libro_code
json_law(libro_buf *b, const libro_verification *v, libro_error *err)
{
    const libro_credential *l = v->law;
    libro_code rc = libro_buf_append_str(b, ",\"law\":{\"type\":\"CommunityLaw\"", err);

    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "id", l->subject_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "title", l->title, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, ",\"version\":%u", (unsigned) l->law_version);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "aim", l->aim, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "text", l->text, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "communityId", l->community_id, err);
    }
    if (rc == LIBRO_OK) {
        rc =
            libro_buf_printf(b, err, ",\"communityLevel\":%d,\"roundtable\":[", l->community_level);
    }
    for (size_t i = 0; rc == LIBRO_OK && i < l->n_members; i++) {
        const libro_law_member *m = &l->members[i];

        rc = libro_buf_append_str(b, i > 0 ? ",{\"id\":" : "{\"id\":", err);
        if (rc == LIBRO_OK) {
            rc = cli_json_string(b, m->id, err);
        }
        if (rc == LIBRO_OK) {
            rc = json_kv_str(b, "name", m->name, err);
        }
        if (rc == LIBRO_OK) {
            rc = json_kv_str(b, "seat", m->seat, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_printf(b, err, ",\"office\":\"%s\"}", libro_office_name(m->office));
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "]", err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "consentRecord", l->consent_record, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "supersedes", l->supersedes, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "hash", v->hash, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "issuer", l->issuer, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_time(b, "validFrom", l->valid_from, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_time(b, "reviewDate", l->valid_until, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "}", err);
    }
    return rc;
}

/* The "reference" and "registry" objects: what the synced registry index says. */
static libro_code
json_registry(libro_buf *b, const libro_verification *v, libro_error *err)
{
    char synced[LIBRO_TIME_MS_TEXT_MAX];
    libro_code rc = LIBRO_OK;

    if (v->reference != 0) {
        rc = libro_buf_printf(b, err, ",\"reference\":{\"kind\":\"%s\",\"hash\":\"%s\"}",
                              v->reference == LIBRO_LBR_LAW ? "law" : "agreement", v->hash);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, ",\"registry\":{\"registered\":%s",
                              v->registered ? "true" : "false");
    }
    if (rc == LIBRO_OK && !v->registered) {
        rc = json_kv_str(b, "message", v->reg_note, err);
    }
    if (rc == LIBRO_OK && v->registered) {
        rc = libro_buf_printf(b, err, ",\"state\":\"%s\"", libro_doc_state_name(v->reg_state));
        if (rc == LIBRO_OK) {
            rc = json_kv_time(b, "since", v->reg_since, err);
        }
        if (rc == LIBRO_OK) {
            rc = json_kv_str(b, "registry", v->reg_registry, err);
        }
        if (rc == LIBRO_OK) {
            rc = json_kv_str(b, "url", v->reg_url, err);
        }
        if (rc == LIBRO_OK) {
            rc = json_kv_str(b, "community", v->reg_community, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_time_format_ms(synced, v->reg_synced_ms, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_printf(b, err, ",\"synced\":\"%s\"", synced);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "}", err);
    }
    return rc;
}

static libro_code
json_chain(libro_buf *b, const libro_verification *v, libro_error *err)
{
    size_t i;
    libro_code rc = libro_buf_append_str(b, ",\"chain\":[", err);

    for (i = 0; rc == LIBRO_OK && i < v->n_chain; i++) {
        const libro_chain_link *l = &v->chain[i];

        rc = libro_buf_printf(b, err, "%s{\"type\":\"%s\"", i > 0 ? "," : "",
                              libro_cred_type_name(l->type));
        if (rc == LIBRO_OK) {
            rc = json_kv_str(b, "id", l->subject_id, err);
        }
        if (rc == LIBRO_OK) {
            rc = json_kv_str(b, "name", l->name, err);
        }
        if (rc == LIBRO_OK) {
            rc = json_kv_str(b, "issuer", l->issuer, err);
        }
        if (rc == LIBRO_OK && l->level >= 0) {
            rc = libro_buf_printf(b, err, ",\"level\":%d", l->level);
            if (rc == LIBRO_OK) {
                rc = json_kv_str(b, "levelName", l->level_name, err);
            }
        }
        if (rc == LIBRO_OK) {
            rc = json_kv_time(b, "validFrom", l->valid_from, err);
        }
        if (rc == LIBRO_OK) {
            rc = json_kv_time(b, "validUntil", l->valid_until, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_printf(b, err, ",\"anchor\":%s}", l->anchor ? "true" : "false");
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "]", err);
    }
    return rc;
}

static const char *
outcome_code(libro_outcome o)
{
    switch (o) {
    case LIBRO_VALID:
        return "valid";
    case LIBRO_INVALID:
        return "invalid";
    case LIBRO_EXPIRED:
        return "expired";
    case LIBRO_NOT_YET_VALID:
        return "not_yet_valid";
    case LIBRO_REVOKED:
        return "revoked";
    case LIBRO_SUSPENDED:
        return "suspended";
    case LIBRO_UNTRUSTED:
        return "untrusted";
    case LIBRO_STATUS_UNKNOWN:
        return "status_unknown";
    case LIBRO_NO_QR:
        return "no_qr_code";
    case LIBRO_SURRENDERED:
        return "surrendered";
    case LIBRO_LAPSED:
        return "lapsed";
    case LIBRO_ENDED:
        return "ended";
    case LIBRO_COMPLETE:
        return "complete";
    case LIBRO_PARTIAL:
        return "partial";
    case LIBRO_SUPERSEDED:
        return "superseded";
    case LIBRO_IN_FORCE:
        return "in_force";
    case LIBRO_UNDER_REVIEW:
        return "under_review";
    case LIBRO_REPEALED:
        return "repealed";
    }
    return "invalid";
}

static libro_code
json_status(libro_buf *b, const libro_verification *v, libro_error *err)
{
    char text[LIBRO_ERROR_MSG_MAX + 64];
    libro_code rc;

    status_text(text, sizeof text, v, false);
    rc = libro_buf_printf(b, err, ",\"status\":{\"checked\":%s,\"revoked\":%s,\"suspended\":%s",
                          v->status_checked ? "true" : "false", v->revoked ? "true" : "false",
                          v->suspended ? "true" : "false");
    if (rc == LIBRO_OK) {
        rc = v->status_checked
                 ? libro_buf_printf(b, err, ",\"age_seconds\":%lld", (long long) v->status_age)
                 : libro_buf_append_str(b, ",\"age_seconds\":null", err);
    }
    if (rc == LIBRO_OK && v->status_checked) {
        rc = json_kv_time(b, "listFrom", v->status_from, err);
    }
    if (rc == LIBRO_OK && v->word_checked) {
        rc = json_kv_str(b, "word",
                         libro_status_words_message(v->mandate != NULL ? LIBRO_WORDS_MANDATE
                                                                       : LIBRO_WORDS_LICENSE,
                                                    v->word),
                         err);
    }
    if (rc == LIBRO_OK) {
        rc = json_kv_str(b, "message", text, err);
    }
    if (rc == LIBRO_OK && v->warning[0] != '\0') {
        rc = json_kv_str(b, "warning", v->warning, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "}}\n", err);
    }
    return rc;
}

static libro_code
json_result(libro_buf *b, const libro_verification *v, libro_error *err)
{
    libro_code rc =
        libro_buf_printf(b, err, "{\"ok\":%s,\"outcome\":\"%s\",\"exit_code\":%d",
                         libro_outcome_exit_code(v->outcome) == 0 ? "true" : "false",
                         libro_outcome_name(v->outcome), libro_outcome_exit_code(v->outcome));

    if (rc == LIBRO_OK && libro_outcome_exit_code(v->outcome) != 0) {
        rc = libro_buf_printf(b, err, ",\"error\":{\"code\":\"%s\",\"message\":",
                              v->not_a_license ? "not_a_license" : outcome_code(v->outcome));
        if (rc == LIBRO_OK) {
            rc = cli_json_string(b, v->reason, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b, "}", err);
        }
    }
    if (rc == LIBRO_OK && v->license != NULL) {
        rc = json_license(b, v->license, err);
    }
    if (rc == LIBRO_OK && v->mandate != NULL) {
        rc = json_mandate(b, v, err);
    }
    if (rc == LIBRO_OK && v->agreement != NULL) {
        rc = json_agreement(b, v, err);
    }
    if (rc == LIBRO_OK && v->law != NULL) {
        rc = json_law(b, v, err);
    }
    if (rc == LIBRO_OK && (v->agreement != NULL || v->law != NULL || v->reference != 0)) {
        rc = json_registry(b, v, err);
    }
    if (rc == LIBRO_OK && v->community_name != NULL) {
        rc = json_kv_str(b, "communityName", v->community_name, err);
        if (rc == LIBRO_OK) {
            rc = json_kv_str(b, "communityLevelName", v->community_level_name, err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = json_chain(b, v, err);
    }
    if (rc == LIBRO_OK && v->note[0] != '\0') {
        rc = json_kv_str(b, "note", v->note, err);
    }
    if (rc == LIBRO_OK) {
        rc = json_status(b, v, err);
    }
    return rc;
}

/* A verdict reached before any credential could be read (no QR, malformed input). */
static int
early_verdict(libro_outcome o, const libro_error *err, bool json)
{
    if (json) {
        libro_buf b = LIBRO_BUF_INIT;
        libro_error e2 = LIBRO_ERROR_INIT;

        if (libro_buf_printf(
                &b, &e2,
                "{\"ok\":false,\"outcome\":\"%s\",\"exit_code\":%d,\"error\":{\"code\":"
                "\"%s\",\"message\":",
                libro_outcome_name(o), libro_outcome_exit_code(o), outcome_code(o)) == LIBRO_OK &&
            cli_json_string(&b, err->msg, &e2) == LIBRO_OK &&
            libro_buf_append_str(&b,
                                 "},\"chain\":[],\"status\":{\"checked\":false,\"revoked\":"
                                 "false,\"suspended\":false,\"age_seconds\":null,\"message\":"
                                 "\"no status data present\"}}\n",
                                 &e2) == LIBRO_OK) {
            fputs((const char *) b.data, stdout);
        }
        libro_buf_free(&b);
    } else {
        printf("%s: %s\n", libro_outcome_name(o), err->msg);
    }
    return libro_outcome_exit_code(o);
}

/* "3600", "90m", "12h", "7d": seconds, 1 to LIBRO_VERIFY_MAX_STATUS_AGE. */
static libro_code
parse_age(int64_t *out, const char *text)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    size_t len = strlen(text);
    uint64_t unit = 1;
    uint64_t n = 0;

    if (len > 0) {
        switch (text[len - 1]) {
        case 's':
            len--;
            break;
        case 'm':
            unit = 60;
            len--;
            break;
        case 'h':
            unit = 3600;
            len--;
            break;
        case 'd':
            unit = 86400;
            len--;
            break;
        default:
            break;
        }
    }
    if (libro_parse_u64(&n, text, len, (uint64_t) LIBRO_VERIFY_MAX_STATUS_AGE / unit, &ignored) !=
            LIBRO_OK ||
        n == 0) {
        return LIBRO_ERR_INVALID_ARG;
    }
    *out = (int64_t) (n * unit);
    return LIBRO_OK;
}

static int
parse_verify_options(libro_verify_options *opt)
{
    libro_error err = LIBRO_ERROR_INIT;
    uint64_t s = 0;

    if (vf_at != NULL) {
        if (cli_parse_time_arg(&opt->now, "--at", vf_at, &err) != LIBRO_OK) {
            return cli_command_usage(&verify_cmd, "%s", err.msg);
        }
        opt->at = true; /* a moment asked about, not this computer's clock */
    }
    if (vf_skew != NULL) {
        if (libro_parse_u64(&s, vf_skew, strlen(vf_skew), 86400, &err) != LIBRO_OK) {
            return cli_command_usage(&verify_cmd, "--skew: want 0 to 86400 seconds");
        }
        opt->skew = (int64_t) s;
    }
    if (vf_max_age != NULL && parse_age(&opt->max_status_age, vf_max_age) != LIBRO_OK) {
        return cli_command_usage(&verify_cmd, "--max-status-age: want 1s to 366d (seconds, or N "
                                              "with s, m, h or d)");
    }
    return -1;
}

/* Whether the input is an agreement document (a JSON object). */
static bool
is_agreement(const libro_buf *doc)
{
    const char *p = (const char *) doc->data;
    size_t n = doc->len;

    libro_text_trim(&p, &n);
    return n > 0 && p[0] == '{';
}

/* The subdirectories libro_trust_open makes. */
static const char *const store_subdirs[] = {"anchors", "credentials", "status"};

/* A new, empty trust store in a private temporary directory (its path into `dir`): it
 * trusts nothing. */
static libro_code
empty_store(libro_trust **out, char *dir, size_t cap, libro_error *err)
{
    const char *tmp = getenv("TMPDIR");
    int n =
        snprintf(dir, cap, "%s/libro-verify-XXXXXX", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");

    if (n < 0 || (size_t) n >= cap || mkdtemp(dir) == NULL) {
        dir[0] = '\0';
        return libro_error_set(err, LIBRO_ERR_IO, "cannot make an empty trust store");
    }
    return libro_trust_open(out, dir, err);
}

/* Remove what empty_store made ("" or NULL: nothing). */
static void
empty_store_remove(const char *dir)
{
    char sub[PATH_MAX];

    if (dir == NULL || dir[0] == '\0') {
        return;
    }
    for (size_t i = 0; i < LIBRO_NELEM(store_subdirs); i++) {
        if (snprintf(sub, sizeof sub, "%s/%s", dir, store_subdirs[i]) > 0) {
            (void) rmdir(sub);
        }
    }
    (void) rmdir(dir);
}

int
cmd_verify(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(libro_time_now());
    struct input_failure why;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_trust *t = NULL;
    libro_verification *v = NULL;
    char empty_dir[PATH_MAX] = "";
    libro_code rc;
    bool json;
    int code = cli_parse_command(&verify_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = parse_verify_options(&opt);
    if (code >= 0) {
        return code;
    }
    json = vf_json;
    rc = read_input(&jws, &why, &err);
    if (rc != LIBRO_OK) {
        if (is_failure(rc)) {
            cli_report_json("verify", &err, json);
            code = VERIFY_EXIT_ERROR;
        } else if (why.usage) {
            /* A missing or unreadable input file: with --json still one document. */
            cli_report_json("verify", &err, json);
            code = CLI_EXIT_USAGE;
        } else {
            code = early_verdict(why.outcome, &err, json);
        }
        goto out;
    }
    rc = open_store(&t, vf_trust_dir, &err);
    if (rc == LIBRO_ERR_NOT_FOUND && is_agreement(&jws)) {
        /* An agreement's parties sign with their own keys: without a store it is still
         * COMPLETE, PARTIAL or INVALID, its community and registry state unknown. */
        rc = empty_store(&t, empty_dir, sizeof empty_dir, &err);
    } else if (rc == LIBRO_ERR_NOT_FOUND) {
        code = early_verdict(LIBRO_UNTRUSTED, &err, json); /* no store: nothing is trusted */
        goto out;
    }
    if (rc != LIBRO_OK) {
        cli_report_json("verify: trust store", &err, json);
        code = VERIFY_EXIT_ERROR;
        goto out;
    }
    if (libro_verify_document(&v, t, (const char *) jws.data, jws.len, &opt, &err) != LIBRO_OK) {
        cli_report_json("verify", &err, json);
        code = VERIFY_EXIT_ERROR;
        goto out;
    }
    if (json) {
        if (json_result(&out, v, &err) != LIBRO_OK) {
            cli_report("verify", &err);
            code = VERIFY_EXIT_ERROR;
            goto out;
        }
        fputs((const char *) out.data, stdout);
    } else {
        print_human(v, opt.now);
    }
    if (v->warning[0] != '\0') {
        cli_errorf("warning: %s", v->warning);
    }
    if (v->note[0] != '\0') {
        cli_errorf("note: %s", v->note);
    }
    code = libro_outcome_exit_code(v->outcome);
out:
    libro_verification_free(v);
    libro_trust_free(t);
    empty_store_remove(empty_dir);
    libro_buf_free(&jws);
    libro_buf_free(&out);
    /* Exit 3 means EXPIRED here, so an unwritable result has its own code. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_errorf("verify: cannot write to standard output");
        return VERIFY_EXIT_ERROR;
    }
    return code;
}

/* libro reminders: e-mail holders before their licenses expire (and when renewal opens),
 * mandate holders before their term ends, and the community before a law's review date; and
 * the contacts those go to (libro reminders contact, libro license contact). The engine is
 * the registry's (libro/reminders.h); SMTP is core's (libro/smtp.h). */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "libro/file.h"
#include "libro/reminders.h"
#include "libro/smtp.h"
#include "libro/util.h"

#define DAY INT64_C(86400)
/* An auth file: a user line and a password line. */
#define AUTH_FILE_MAX 1024u

static const char reminders_epilog[] =
    "Exit status: 0 done, 1 failed (reason on stderr), 2 bad command line, 4 some reminders\n"
    "could not be sent (each is tried again by the next run).\n"
    "Example (cron, daily at 06:00):\n"
    "  0 6 * * * libro reminders --db /var/lib/libro/registry.db --smtp smtp://127.0.0.1\n"
    "            --from registry@town-7.example";

/* ---- contacts ----------------------------------------------------------------------------- */

static const char *ct_db;
static const char *ct_license;
static const char *ct_mandate;
static bool ct_laws;
static const char *ct_email;
static bool ct_remove;
static const char *ct_number;

static const struct cli_option contact_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &ct_db, CLI_REQUIRED, 0,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--license", "NUMBER", &ct_license, CLI_REQUIRED, 1,
     "the holder of this license (reminders before it expires)"},
    {CLI_OPT_VALUE, "--mandate", "ID", &ct_mandate, CLI_REQUIRED, 1,
     "the holder of this mandate (reminders before the term ends)"},
    {CLI_OPT_SWITCH, "--law-reviews", NULL, &ct_laws, CLI_REQUIRED, 1,
     "whoever prepares the community's law reviews (reminders before review dates)"},
    {CLI_OPT_VALUE, "--email", "ADDR", &ct_email, CLI_REQUIRED, 2, "the address to record"},
    {CLI_OPT_SWITCH, "--remove", NULL, &ct_remove, CLI_REQUIRED, 2, "remove the contact"},
};

static const struct cli_command contact_cmd = {
    "reminders contact",
    "--db FILE (--license NUMBER | --mandate ID | --law-reviews) (--email ADDR | --remove)",
    "Record (or remove) the e-mail address reminders go to. The registry keeps it privately:\n"
    "it is never in a credential, a public page, the log or an API answer. An address is at\n"
    "most 254 bytes of printable ASCII with one '@' (no spaces, quotes, brackets, CR or LF).",
    contact_opts,
    LIBRO_NELEM(contact_opts),
    "Exit status: 0 done, 1 refused or failed (reason on stderr), 2 bad command line.",
};

static const struct cli_option license_contact_opts[] = {
    {CLI_OPT_ARG, "NUMBER", NULL, &ct_number, CLI_REQUIRED, 0, "the license"},
    {CLI_OPT_VALUE, "--db", "FILE", &ct_db, CLI_REQUIRED, 0,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--email", "ADDR", &ct_email, CLI_REQUIRED, 2,
     "the holder's address, for reminders"},
    {CLI_OPT_SWITCH, "--remove", NULL, &ct_remove, CLI_REQUIRED, 2, "remove the contact"},
};

static const struct cli_command license_contact_cmd = {
    "license contact",
    "NUMBER --db FILE (--email ADDR | --remove)",
    "Record (or remove) the holder's e-mail address, where reminders before the license\n"
    "expires go (libro reminders). Kept privately: never in the credential, the public\n"
    "page, the log or an API answer. The same as 'libro reminders contact --license NUMBER'.",
    license_contact_opts,
    LIBRO_NELEM(license_contact_opts),
    "Exit status: 0 done, 1 refused or failed (reason on stderr), 2 bad command line.",
};

static int
contact_run(const struct cli_command *cmd, libro_reminder_kind kind, const char *subject)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    int code = CLI_EXIT_NO;

    if (ct_email != NULL && libro_email_check(ct_email, strlen(ct_email), &err) != LIBRO_OK) {
        return cli_command_usage(cmd, "--email: %s", err.msg);
    }
    if (libro_registry_open(&r, ct_db, &err) != LIBRO_OK ||
        libro_registry_contact_set(r, kind, subject, ct_remove ? NULL : ct_email, libro_time_now(),
                                   &err) != LIBRO_OK) {
        cli_report(cmd->command, &err);
        goto out;
    }
    if (ct_remove) {
        printf("contact removed\n");
    } else {
        printf("contact recorded\n");
    }
    code = CLI_EXIT_OK;
out:
    libro_registry_close(r);
    return cli_finish(code);
}

static int
reminders_contact(int argc, char **argv)
{
    int code = cli_parse_command(&contact_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (ct_license != NULL) {
        return contact_run(&contact_cmd, LIBRO_REMIND_LICENSE, ct_license);
    }
    if (ct_mandate != NULL) {
        return contact_run(&contact_cmd, LIBRO_REMIND_MANDATE, ct_mandate);
    }
    return contact_run(&contact_cmd, LIBRO_REMIND_LAW_REVIEWS, NULL);
}

int
cli_license_contact(int argc, char **argv)
{
    int code = cli_parse_command(&license_contact_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    return contact_run(&license_contact_cmd, LIBRO_REMIND_LICENSE, ct_number);
}

/* ---- the run ------------------------------------------------------------------------------ */

static const char *rm_db;
static const char *rm_days;
static bool rm_dry_run;
static bool rm_json;
static const char *rm_smtp;
static const char *rm_from;
static const char *rm_auth_file;
static const char *rm_ca_file;

static const struct cli_option run_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &rm_db, CLI_REQUIRED, 0,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--days", "LIST", &rm_days, 0, 0,
     "days before the end to remind at, comma-separated (default 90,30,7)"},
    {CLI_OPT_SWITCH, "--dry-run", NULL, &rm_dry_run, 0, 0,
     "print what would be sent (to, subject, why); send and record nothing"},
    {CLI_OPT_SWITCH, "--json", NULL, &rm_json, 0, 0,
     "print one JSON document (schemas/cli/reminders.schema.json)"},
    {CLI_OPT_VALUE, "--smtp", "URL", &rm_smtp, 0, 0,
     "the SMTP server: smtps://host[:port], or smtp://host[:port] (STARTTLS required unless "
     "on loopback)"},
    {CLI_OPT_VALUE, "--from", "ADDR", &rm_from, 0, 0, "the sender's address"},
    {CLI_OPT_VALUE, "--smtp-auth-file", "FILE", &rm_auth_file, 0, 0,
     "SMTP user (first line) and password (second line); mode 0600 required"},
    {CLI_OPT_VALUE, "--ca-file", "FILE", &rm_ca_file, 0, 0,
     "trust these CAs (PEM) for the SMTP server instead of the system's"},
};

static const struct cli_command run_cmd = {
    "reminders",
    "--db FILE [--days LIST] (--dry-run | --smtp URL --from ADDR [--smtp-auth-file FILE]) "
    "[--json]\n       libro reminders contact --help",
    "Send the reminders that are due, each once, by e-mail: to a license's holder at each\n"
    "threshold before validUntil (--days, default 90, 30 and 7) and when its renewal window\n"
    "opens; to a mandate's holder before the term ends; to the law-reviews contact before a\n"
    "law's review date. When several thresholds passed since the last run only the latest\n"
    "is sent; a renewal starts a new cycle. Only active licenses, mandates in office and laws\n"
    "in force are reminded of. Each reminder is claimed in the registry, sent with no lock\n"
    "held, then recorded as sent, so runs at the same time never send one twice (a run's\n"
    "claim older than 10 minutes is taken over); a failed send drops its claim and the run\n"
    "goes on. Those without a contact are listed and not sent (libro reminders contact,\n"
    "libro license contact). Meant for cron or a systemd timer (docs/operations.md,\n"
    "\"Reminders\").",
    run_opts,
    LIBRO_NELEM(run_opts),
    reminders_epilog,
};

/* "90,30,7" into days[]. */
static bool
parse_days(unsigned *days, size_t *n, const char *text)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    const char *p = text;

    *n = 0;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t) (comma - p) : strlen(p);
        uint64_t v = 0;

        if (*n == LIBRO_REMINDERS_MAX_THRESHOLDS ||
            libro_parse_u64(&v, p, len, LIBRO_REMINDERS_MAX_DAYS, &ignored) != LIBRO_OK || v == 0) {
            return false;
        }
        days[(*n)++] = (unsigned) v;
        if (comma == NULL) {
            return true;
        }
        p = comma + 1;
    }
}

/* The SMTP credentials of --smtp-auth-file: a regular file of mode 0600 (or stricter), the
 * user on its first line and the password on its second. `buf` holds them (the caller wipes
 * it with libro_buf_free); *user and *password point into it. */
static libro_code
read_auth_file(libro_buf *buf, const char **user, const char **password, const char *path,
               libro_error *err)
{
    unsigned mode = 0;
    char *text;
    char *nl;
    size_t len;
    libro_code rc;

    rc = libro_file_read_regular(buf, &mode, path, AUTH_FILE_MAX, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if ((mode & 077u) != 0) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "smtp auth file: mode %04o, want 0600 (chmod 600 the file)",
                               mode & 07777u);
    }
    rc = libro_buf_append(buf, "", 1, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    text = (char *) buf->data;
    len = buf->len - 1;
    if (memchr(text, '\0', len) != NULL || memchr(text, '\r', len) != NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "smtp auth file: a NUL or CR in it (want two lines)");
    }
    nl = strchr(text, '\n');
    if (nl == NULL || nl == text) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "smtp auth file: want the user on the first line, the password "
                               "on the second");
    }
    *nl = '\0';
    *user = text;
    *password = nl + 1;
    nl = strchr(nl + 1, '\n');
    if (nl != NULL) {
        *nl = '\0';
        if (nl[1] != '\0') {
            return libro_error_set(err, LIBRO_ERR_PARSE, "smtp auth file: more than two lines");
        }
    }
    if ((*password)[0] == '\0' || strlen(*user) > LIBRO_SMTP_MAX_SECRET_BYTES ||
        strlen(*password) > LIBRO_SMTP_MAX_SECRET_BYTES) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "smtp auth file: an empty password, or a line over %u bytes",
                               LIBRO_SMTP_MAX_SECRET_BYTES);
    }
    return LIBRO_OK;
}

/* What each send needs. */
struct sender {
    libro_smtp_options smtp;
    int64_t now;
};

static libro_code
send_mail(void *ctx, const libro_reminder *rem, libro_error *err)
{
    struct sender *s = ctx;
    libro_buf msg = LIBRO_BUF_INIT;
    libro_code rc;

    rc = libro_reminder_message(&msg, rem, s->smtp.from, s->now, err);
    if (rc == LIBRO_OK) {
        s->smtp.to = rem->to;
        rc = libro_smtp_send(&s->smtp, (const char *) msg.data, msg.len, err);
    }
    libro_buf_free(&msg);
    return rc;
}

/* Why a reminder is due, for people: "30 days before", "renewal window opens". */
static const char *
why_text(char out[64], const libro_reminder *rem)
{
    if (rem->threshold == LIBRO_REMINDER_WINDOW) {
        return "renewal window opens";
    }
    (void) snprintf(out, 64, "%d days before", rem->threshold);
    return out;
}

static const char *const result_names[] = {"would-send", "sent",         "failed",
                                           "no-contact", "already-sent", "being-sent"};
enum result { R_WOULD, R_SENT, R_FAILED, R_NO_CONTACT, R_ALREADY, R_BEING_SENT };

static libro_code
json_item(libro_buf *b, const libro_reminder *rem, enum result res, const char *subject_line,
          const libro_error *e, libro_error *err)
{
    char due[LIBRO_TIME_TEXT_MAX];
    char why[64];
    libro_code rc =
        libro_buf_printf(b, err, "{\"kind\":\"%s\"", libro_reminder_kind_name(rem->kind));

    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "subject", rem->subject, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "name", rem->name, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "due", cli_time_text(due, rem->due), err);
    }
    if (rc == LIBRO_OK) {
        rc = rem->threshold == LIBRO_REMINDER_WINDOW
                 ? libro_buf_append_str(b, ",\"days\":null", err)
                 : libro_buf_printf(b, err, ",\"days\":%d", rem->threshold);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "why", why_text(why, rem), err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "to", rem->to, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "emailSubject", subject_line, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "result", result_names[res], err);
    }
    if (rc == LIBRO_OK && res == R_FAILED) {
        rc = cli_json_member(b, "error", e->msg, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "}", err);
    }
    return rc;
}

static void
text_item(const libro_reminder *rem, enum result res, const char *subject_line,
          const libro_error *e)
{
    char due[LIBRO_TIME_TEXT_MAX];
    char why[64];

    printf("%-12s %s %s: %s before %s; to %s: \"%s\"\n", result_names[res],
           libro_reminder_kind_name(rem->kind), rem->subject, why_text(why, rem),
           cli_time_text(due, rem->due), rem->to != NULL ? rem->to : "(no contact)", subject_line);
    if (res == R_FAILED) {
        cli_errorf("reminders: %s %s: %s", libro_reminder_kind_name(rem->kind), rem->subject,
                   e->msg);
    }
}

int
cmd_reminders(int argc, char **argv)
{
    const struct cli_command *cmd = &run_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_reminder *due = NULL;
    size_t n_due = 0;
    unsigned days[LIBRO_REMINDERS_MAX_THRESHOLDS] = {90, 30, 7};
    size_t n_days = 3;
    libro_buf auth = LIBRO_BUF_INIT;
    libro_buf json = LIBRO_BUF_INIT;
    libro_buf subject = LIBRO_BUF_INIT;
    struct sender s = {LIBRO_SMTP_OPTIONS_INIT, 0};
    size_t counts[LIBRO_NELEM(result_names)] = {0};
    libro_error refused = LIBRO_ERROR_INIT; /* an authentication refusal stops the sending */
    size_t i;
    int code;

    if (argc > 1 && strcmp(argv[1], "contact") == 0) {
        return reminders_contact(argc - 1, argv + 1);
    }
    code = cli_parse_command(cmd, argc, argv);
    if (code >= 0) {
        return code;
    }
    if (rm_days != NULL && !parse_days(days, &n_days, rm_days)) {
        return cli_command_usage(cmd,
                                 "--days: want 1 to %u numbers of days (1 to %u), "
                                 "comma-separated",
                                 LIBRO_REMINDERS_MAX_THRESHOLDS, LIBRO_REMINDERS_MAX_DAYS);
    }
    if (!rm_dry_run && (rm_smtp == NULL || rm_from == NULL)) {
        return cli_command_usage(cmd, "--smtp and --from are needed to send (or --dry-run)");
    }
    if (rm_from != NULL && libro_email_check(rm_from, strlen(rm_from), &err) != LIBRO_OK) {
        return cli_command_usage(cmd, "--from: %s", err.msg);
    }
    code = CLI_EXIT_NO;
    s.now = libro_time_now();
    s.smtp.url = rm_smtp;
    s.smtp.from = rm_from;
    s.smtp.ca_file = rm_ca_file;
    if (!rm_dry_run && rm_auth_file != NULL &&
        read_auth_file(&auth, &s.smtp.user, &s.smtp.password, rm_auth_file, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (libro_registry_open(&r, rm_db, &err) != LIBRO_OK ||
        libro_registry_reminders_due(r, &due, &n_due, days, n_days, s.now, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (rm_json && libro_buf_printf(&json, &err, "{\"ok\":true,\"dryRun\":%s,\"reminders\":[",
                                    rm_dry_run ? "true" : "false") != LIBRO_OK) {
        goto out_report;
    }
    for (i = 0; i < n_due; i++) {
        libro_error e = LIBRO_ERROR_INIT;
        enum result res;

        libro_buf_clear(&subject);
        if (libro_reminder_subject(&subject, &due[i], &err) != LIBRO_OK ||
            libro_buf_append(&subject, "", 1, &err) != LIBRO_OK) {
            goto out_report;
        }
        if (due[i].to == NULL) {
            res = R_NO_CONTACT;
        } else if (rm_dry_run) {
            res = R_WOULD;
        } else if (refused.code != LIBRO_OK) {
            /* The server refused our credentials: asking again with each would only look
             * like guessing. */
            libro_error_set(&e, refused.code, "not tried: %s", refused.msg);
            res = R_FAILED;
        } else {
            libro_reminder_outcome outcome = LIBRO_REMINDER_SENT;
            libro_code rc;

            /* The clock at each send: the claim's lease is counted from it. */
            s.now = libro_time_now();
            rc = libro_registry_reminder_send(r, &outcome, &due[i], s.now, send_mail, &s, &e);
            res = rc != LIBRO_OK                           ? R_FAILED
                  : outcome == LIBRO_REMINDER_ALREADY_SENT ? R_ALREADY
                  : outcome == LIBRO_REMINDER_BEING_SENT   ? R_BEING_SENT
                                                           : R_SENT;
            if (rc == LIBRO_ERR_DENIED) {
                refused = e;
            }
        }
        counts[res]++;
        if (rm_json) {
            if ((i > 0 && libro_buf_append_str(&json, ",", &err) != LIBRO_OK) ||
                json_item(&json, &due[i], res, (const char *) subject.data, &e, &err) != LIBRO_OK) {
                goto out_report;
            }
        } else {
            text_item(&due[i], res, (const char *) subject.data, &e);
        }
    }
    if (rm_json) {
        if (libro_buf_printf(&json, &err,
                             "],\"sent\":%zu,\"failed\":%zu,\"noContact\":%zu,\"wouldSend\":%zu}",
                             counts[R_SENT], counts[R_FAILED], counts[R_NO_CONTACT],
                             counts[R_WOULD]) != LIBRO_OK ||
            cli_json_print(&json, "", LIBRO_OK, &err) != LIBRO_OK) {
            goto out_report;
        }
    } else if (rm_dry_run) {
        fprintf(stderr,
                "libro: %zu reminder%s would be sent, %zu without a contact (dry run: "
                "nothing sent or recorded)\n",
                counts[R_WOULD], counts[R_WOULD] == 1 ? "" : "s", counts[R_NO_CONTACT]);
    } else {
        fprintf(stderr, "libro: %zu reminder%s sent, %zu failed, %zu without a contact\n",
                counts[R_SENT], counts[R_SENT] == 1 ? "" : "s", counts[R_FAILED],
                counts[R_NO_CONTACT]);
    }
    code = counts[R_FAILED] > 0 ? CLI_EXIT_PARTIAL : CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, rm_json);
out:
    libro_buf_free(&auth); /* wipes the credentials */
    libro_buf_free(&json);
    libro_buf_free(&subject);
    libro_reminders_free(due, n_due);
    libro_registry_close(r);
    return cli_finish(code);
}

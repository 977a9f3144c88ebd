/* libro trust add|list|remove: the verifier's trust store (pinned anchors, charters,
 * authorizations and cached status lists), under $XDG_DATA_HOME/libro unless --trust-dir says
 * otherwise. */
#include <string.h>

#include "cmd.h"
#include "libro/file.h"
#include "libro/limits.h"
#include "libro/time.h"
#include "libro/verifier.h"

libro_code
cli_open_trust(libro_trust **out, const char *dir, libro_error *err)
{
    libro_buf def = LIBRO_BUF_INIT;
    libro_code rc = LIBRO_OK;

    if (dir == NULL) {
        rc = libro_trust_default_dir(&def, err);
        dir = (const char *) def.data;
    }
    if (rc == LIBRO_OK) {
        rc = libro_trust_open(out, dir, err);
    }
    libro_buf_free(&def);
    return rc;
}

static bool ad_anchor;
static const char *ad_thumbprint;
static const char *ad_dir;
static struct cli_list ad_files;
static bool ad_json;

static const struct cli_option add_opts[] = {
    {CLI_OPT_SWITCH, "--anchor", NULL, &ad_anchor, 0, 0,
     "pin FILE, a self-chartered community charter, as a trust anchor"},
    {CLI_OPT_VALUE, "--expect-thumbprint", "T", &ad_thumbprint, 0, 0,
     "refuse the anchor unless its key has this thumbprint"},
    {CLI_OPT_VALUE, "--trust-dir", "DIR", &ad_dir, 0, 0,
     "the trust store (default: $XDG_DATA_HOME/libro)"},
    CLI_JSON_OPTION(&ad_json, "trust-change.schema.json"),
    {CLI_OPT_ARGS, "FILE", NULL, &ad_files, CLI_REQUIRED, 0, "the credentials"},
};

static const struct cli_command add_cmd = {
    "trust add",
    "[--anchor [--expect-thumbprint T]] [--trust-dir DIR] [--json] FILE...",
    "Add credentials to the trust store. With --anchor, FILE is a self-chartered community\n"
    "charter whose key becomes a pinned anchor: compare the thumbprint printed (or give it\n"
    "with --expect-thumbprint) with one obtained from the community by another channel.\n"
    "Without --anchor, each FILE is a community charter or an issuer or registry\n"
    "authorization; it is trusted only through a chain to a pinned anchor. A FILE may also\n"
    "be a status list a registry published ('libro registry status'): its registry's\n"
    "authorization must be added first, its signature must verify with that registry's key,\n"
    "and it replaces the list of the same id unless it is older (a rollback is refused).",
    add_opts,
    LIBRO_NELEM(add_opts),
    "Writes are atomic. Exit status: 0 added, 1 refused or failed, 2 bad command line.",
};

static int
trust_add(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_trust *t = NULL;
    libro_buf jws = LIBRO_BUF_INIT;
    char thumb[LIBRO_THUMBPRINT_LEN + 1];
    struct cli_json j;
    size_t i;
    int code = cli_parse_command(&add_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (ad_thumbprint != NULL && !ad_anchor) {
        return cli_command_usage(&add_cmd, "--expect-thumbprint goes with --anchor");
    }
    code = CLI_EXIT_NO;
    cli_json_begin(&j, &err);
    cli_json_open(&j, "added", '[');
    if (cli_open_trust(&t, ad_dir, &err) != LIBRO_OK) {
        cli_report_json("trust", &err, ad_json);
        goto out;
    }
    for (i = 0; i < ad_files.n; i++) {
        const char *file = ad_files.v[i];
        libro_code rc;

        libro_buf_clear(&jws);
        rc = libro_file_read_token(
            &jws, file, ad_anchor ? LIBRO_MAX_TOKEN_BYTES : LIBRO_MAX_STATUS_LIST_TOKEN_BYTES,
            &err);
        if (rc == LIBRO_OK && ad_anchor) {
            rc = libro_trust_add_anchor(t, (const char *) jws.data, jws.len, ad_thumbprint, thumb,
                                        &err);
        } else if (rc == LIBRO_OK) {
            rc = libro_trust_add(t, (const char *) jws.data, jws.len, &err);
        }
        if (rc != LIBRO_OK) {
            /* With --json the files before this one are added all the same: the message
             * names the one that was not. */
            if (ad_json) {
                libro_error_prefix(&err, file);
            }
            cli_report_json(ad_json ? NULL : file, &err, ad_json);
            goto out;
        }
        if (ad_json) {
            cli_json_open(&j, NULL, '{');
            cli_json_str(&j, "file", file);
            cli_json_bool(&j, "anchor", ad_anchor);
            cli_json_str(&j, "thumbprint", ad_anchor ? thumb : NULL);
            cli_json_close(&j, '}');
        } else if (ad_anchor) {
            printf("pinned anchor %s, key thumbprint %s\n", file, thumb);
        } else {
            printf("added %s\n", file);
        }
    }
    cli_json_close(&j, ']');
    if (ad_json && cli_json_end(&j) != LIBRO_OK) {
        cli_report_json("trust add", &err, ad_json);
        goto out;
    }
    code = CLI_EXIT_OK;
out:
    cli_json_free(&j);
    libro_buf_free(&jws);
    libro_trust_free(t);
    return cli_finish(code);
}

static bool ls_json;
static const char *ls_dir;

static const struct cli_option list_opts[] = {
    {CLI_OPT_SWITCH, "--json", NULL, &ls_json, 0, 0,
     "print a JSON array (schemas/cli/trust-list.schema.json)"},
    {CLI_OPT_VALUE, "--trust-dir", "DIR", &ls_dir, 0, 0,
     "the trust store (default: $XDG_DATA_HOME/libro)"},
};

static const struct cli_command list_cmd = {
    "trust list",
    "[--json] [--trust-dir DIR]",
    "List the trust store: anchors first, then charters and authorizations, then cached\n"
    "status lists (their purpose, registry, signing key and window).",
    list_opts,
    LIBRO_NELEM(list_opts),
    "Exit status: 0 listed, 1 the store could not be read, 2 bad command line.",
};

static const char *
kind_name(libro_trust_kind k)
{
    switch (k) {
    case LIBRO_TRUST_ANCHOR:
        return "anchor";
    case LIBRO_TRUST_STATUS_LIST:
        return "status-list";
    case LIBRO_TRUST_CREDENTIAL:
        break;
    }
    return "credential";
}

static const char *
type_name(const libro_trust_entry *e)
{
    return e->kind == LIBRO_TRUST_STATUS_LIST ? "BitstringStatusListCredential"
                                              : libro_cred_type_name(e->type);
}

static libro_code
list_entry_json(libro_buf *out, const libro_trust_entry *e, bool first, libro_error *err)
{
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    libro_code rc = libro_time_format(from, e->valid_from, err);

    if (rc == LIBRO_OK) {
        rc = libro_time_format(until, e->valid_until, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(out, err,
                              "%s{\"kind\":\"%s\",\"type\":\"%s\",\"id\":", first ? "" : ",",
                              kind_name(e->kind), type_name(e));
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_string(out, e->subject_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(out, ",\"name\":", err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_string(out, e->name, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(out, ",\"issuer\":", err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_string(out, e->issuer, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(out, err,
                              ",\"thumbprint\":\"%s\",\"validFrom\":\"%s\",\"validUntil\":\"%s\"}",
                              e->thumbprint, from, until);
    }
    return rc;
}

static int
trust_list(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_trust *t = NULL;
    libro_buf out = LIBRO_BUF_INIT;
    bool json;
    size_t i;
    int code = cli_parse_command(&list_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    json = ls_json;
    code = CLI_EXIT_NO;
    if (cli_open_trust(&t, ls_dir, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (json && libro_buf_append_str(&out, "[", &err) != LIBRO_OK) {
        goto out_report;
    }
    for (i = 0; i < libro_trust_count(t); i++) {
        libro_trust_entry e;
        char until[LIBRO_TIME_TEXT_MAX];
        libro_code rc;

        libro_trust_get(t, i, &e);
        if (json) {
            rc = list_entry_json(&out, &e, i == 0, &err);
        } else if (e.kind == LIBRO_TRUST_STATUS_LIST) {
            char from[LIBRO_TIME_TEXT_MAX];

            rc = libro_time_format(from, e.valid_from, &err);
            if (rc == LIBRO_OK) {
                rc = libro_time_format(until, e.valid_until, &err);
            }
            if (rc == LIBRO_OK) {
                rc = libro_buf_printf(&out, &err,
                                      "%-11s %-22s %s (%s)\n%11s by %s, key %s\n%11s from %s "
                                      "until %s\n",
                                      "status-list", e.name, e.subject_id, type_name(&e), "",
                                      e.issuer, e.thumbprint, "", from, until);
            }
        } else {
            rc = libro_time_format(until, e.valid_until, &err);
            if (rc == LIBRO_OK) {
                rc = libro_buf_printf(&out, &err, "%-10s %-22s %s (%s)\n%10s key %s, until %s\n",
                                      e.kind == LIBRO_TRUST_ANCHOR ? "anchor" : "credential",
                                      libro_cred_type_name(e.type), e.subject_id, e.name, "",
                                      e.thumbprint, until);
            }
        }
        if (rc != LIBRO_OK) {
            goto out_report;
        }
    }
    if (json && libro_buf_append_str(&out, "]\n", &err) != LIBRO_OK) {
        goto out_report;
    }
    if (!json && libro_trust_count(t) == 0) {
        fprintf(stderr, "libro: the trust store is empty (see 'libro trust add --help')\n");
    }
    if (out.len > 0) {
        fputs((const char *) out.data, stdout);
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report("trust list", &err);
out:
    libro_buf_free(&out);
    libro_trust_free(t);
    return cli_finish(code);
}

static const char *rm_dir;
static const char *rm_which;
static bool rm_json;

static const struct cli_option remove_opts[] = {
    {CLI_OPT_VALUE, "--trust-dir", "DIR", &rm_dir, 0, 0,
     "the trust store (default: $XDG_DATA_HOME/libro)"},
    CLI_JSON_OPTION(&rm_json, "trust-change.schema.json"),
    {CLI_OPT_ARG, "ID|THUMBPRINT", NULL, &rm_which, CLI_REQUIRED, 0, "what to remove"},
};

static const struct cli_command remove_cmd = {
    "trust remove",
    "[--trust-dir DIR] [--json] ID|THUMBPRINT",
    "Remove every anchor, charter and authorization whose subject id or key thumbprint is\n"
    "the one given, and every status list with that id (its URL) or signed by that key.",
    remove_opts,
    LIBRO_NELEM(remove_opts),
    "Exit status: 0 removed, 1 nothing matched or failed, 2 bad command line.",
};

static int
trust_remove(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_trust *t = NULL;
    size_t removed = 0;
    int code = cli_parse_command(&remove_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    if (cli_open_trust(&t, rm_dir, &err) != LIBRO_OK ||
        libro_trust_remove(t, rm_which, &removed, &err) != LIBRO_OK) {
        cli_report_json("trust remove", &err, rm_json);
        goto out;
    }
    if (rm_json) {
        struct cli_json j;

        cli_json_begin(&j, &err);
        cli_json_int(&j, "removed", (int64_t) removed);
        if (cli_json_end(&j) != LIBRO_OK) {
            cli_report_json("trust remove", &err, rm_json);
            goto out;
        }
    } else {
        printf("removed %zu entr%s\n", removed, removed == 1 ? "y" : "ies");
    }
    code = CLI_EXIT_OK;
out:
    libro_trust_free(t);
    return cli_finish(code);
}

static const struct cli_cmd trust_commands[] = {
    {"add", trust_add, "pin an anchor, or add a charter or authorization"},
    {"list", trust_list, "list the trust store"},
    {"remove", trust_remove, "remove entries by id or key thumbprint"},
};

int
cmd_trust(int argc, char **argv)
{
    return cli_dispatch_sub("trust", trust_commands, LIBRO_NELEM(trust_commands), argc, argv);
}

/* Differential: the lean license parser (credential_scan.c) against the reference parser
 * (credential.c, jansson) on the same bytes. Aborts when the lean one decides and the
 * reference decides otherwise (accept/reject, code, message, or any parsed field), and when
 * the reference accepts a license the lean one declines (the fast path must cover every
 * license). Longer than a plain target: the comparison is the point. */
#include <stdlib.h>
#include <string.h>

#include "libro/credential_parse_int.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static bool
same_text(const char *a, const char *b)
{
    return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* The license's members one by one, then the whole written form (which covers the rest). */
static bool
same_license(const libro_credential *a, const libro_credential *b)
{
    libro_buf x = LIBRO_BUF_INIT;
    libro_buf y = LIBRO_BUF_INIT;
    bool same =
        a->type == b->type && same_text(a->issuer, b->issuer) && a->valid_from == b->valid_from &&
        a->valid_until == b->valid_until && same_text(a->subject_id, b->subject_id) &&
        same_text(a->name, b->name) && same_text(a->license_number, b->license_number) &&
        same_text(a->profession, b->profession) && same_text(a->license_type, b->license_type) &&
        a->n_scope == b->n_scope && same_text(a->community_id, b->community_id) &&
        a->community_level == b->community_level && a->has_status == b->has_status &&
        a->status_index == b->status_index &&
        same_text(a->status_revocation_list, b->status_revocation_list) &&
        same_text(a->status_suspension_list, b->status_suspension_list) &&
        same_text(a->status_message_list, b->status_message_list);

    for (size_t i = 0; same && i < a->n_scope; i++) {
        same = same_text(a->scope[i], b->scope[i]);
    }
    same = same && libro_credential_to_json(&x, a, NULL) == LIBRO_OK &&
           libro_credential_to_json(&y, b, NULL) == LIBRO_OK && x.len == y.len &&
           memcmp(x.data, y.data, x.len) == 0;
    libro_buf_free(&x);
    libro_buf_free(&y);
    return same;
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_error lean_err = LIBRO_ERROR_INIT;
    libro_error ref_err = LIBRO_ERROR_INIT;
    libro_credential *lean = NULL;
    libro_credential *ref = NULL;
    bool declined = false;
    libro_code lean_rc = libro_credential__scan(&lean, &declined, data, size, &lean_err);
    libro_code ref_rc = libro_credential__parse_tree(&ref, data, size, &ref_err);

    if (declined
            ? lean != NULL || (ref_rc == LIBRO_OK && ref->type == LIBRO_CRED_LICENSE)
            : lean_rc != ref_rc || (lean_rc == LIBRO_OK ? !same_license(lean, ref)
                                                        : strcmp(lean_err.msg, ref_err.msg) != 0)) {
        abort();
    }
    libro_credential_free(lean);
    libro_credential_free(ref);
    return 0;
}

#!/usr/bin/env bash
# The verify-only check: list the symbols of a binary with nm and fail on any signing, key
# generation or key-writing symbol, ours or the crypto libraries'. Libraries loaded on demand
# (core/src/dl.c: libcrypto in libro-verify) are called through names the binary holds as
# strings for dlsym, so every NUL-terminated identifier in the file is checked too. Without a private key or a
# way to make one, libro-verify can only check (style.md §2, as minisign's VERIFY_ONLY).
# Usage: verify_only_symbols.sh NM BINARY
# Exit: 0 clean; 1 a forbidden symbol is present (each printed) or an expected one is missing;
# 2 usage or nm failure.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 NM BINARY" >&2
    exit 2
fi
nm_tool=$1
binary=$2

# The one list of what a verify-only binary must not hold (extended regular expressions,
# matched against whole symbol names, with versions (@OPENSSL_3.0.0) and compiler clone
# suffixes (.cold, .constprop.0) stripped).
forbidden=(
    # ours: signing, key generation, key files, and the modules that sign
    'libro_jws_sign.*' 'libro_jws_json_sign' 'libro_jws__sign_b64' 'libro_jws__header_b64'
    'libro_key_generate.*' 'libro_key_sign' 'libro_key_write.*' 'libro_key_save.*'
    'libro_key_private_pem' 'libro_key_public_pem' 'libro_key_from_pem' 'libro_key_load_file'
    'libro_status_list_sign' 'libro_checkpoint_sign'
    'libro_crypto__ed25519_(generate|from_seed|seed|sign)' 'libro_crypto__p256_(generate|sign)'
    'libro_crypto__pem_.*' 'libro_issuer_.*' 'libro_registry_.*' 'libro_server_.*'
    'cli_sign_.*' 'cli_issuer_.*' 'cli_load_key' 'cmd_(key|jws|issue|registry|license)'
    # libsodium: Ed25519 signing and key pairs
    'crypto_sign' 'crypto_sign_detached' 'crypto_sign_keypair' 'crypto_sign_seed_keypair'
    'crypto_sign_ed25519_(detached|keypair|seed_keypair|sk_to_seed)' 'crypto_sign_final_create'
    # OpenSSL: signing, key generation, writing keys
    'EVP_DigestSign.*' 'EVP_PKEY_sign.*' 'EVP_PKEY_keygen.*' 'EVP_PKEY_Q_keygen'
    'EVP_PKEY_generate' 'EVP_PKEY_paramgen.*' 'EC_KEY_generate_key' 'ECDSA_(do_)?sign.*'
    'EVP_PKEY_new_raw_private_key.*' 'EVP_PKEY2PKCS8' 'PEM_write.*' 'i2d_PKCS8.*'
    'i2d_PrivateKey.*' 'PKCS8_set0_pbe' 'PKCS8_encrypt.*' 'PKCS5_pbe2_set.*' 'EVP_PBE_scrypt.*'
)
# What a verifier must hold: without these the symbol table was not read (or was empty).
expected=(
    'libro_jws_verify' 'libro_key_verify' 'libro_verify_license' 'libro_checkpoint_open'
    'crypto_sign_verify_detached' 'EVP_DigestVerify'
)

if ! symbols=$("$nm_tool" "$binary" 2>&1); then
    printf '%s: nm failed on %s:\n%s\n' "$0" "$binary" "$symbols" >&2
    exit 2
fi
names=$({
    printf '%s\n' "$symbols" | awk 'NF >= 2 { sub(/[@.].*/, "", $NF); print $NF }'
    grep -aoP '(?<![A-Za-z0-9_.])[A-Za-z_][A-Za-z0-9_]{2,}(?=\x00)' "$binary" || true
} | sort -u)

status=0
missing=()
for want in "${expected[@]}"; do
    if ! grep -qxE "$want" <<<"$names"; then
        missing+=("$want")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "$binary: expected verifier symbols missing (is this the right binary?): ${missing[*]}"
    status=1
fi
pattern=$(IFS='|'; echo "${forbidden[*]}")
found=$(grep -xE "($pattern)" <<<"$names" || true)
if [ -n "$found" ]; then
    echo "$binary: signing, key generation or key-writing symbols present:"
    printf '  %s\n' $found
    status=1
fi
if [ $status -eq 0 ]; then
    echo "$binary: $(wc -l <<<"$names") symbols, none of ${#forbidden[@]} forbidden patterns," \
        "all ${#expected[@]} expected ones"
fi
exit $status

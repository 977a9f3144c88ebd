# Sourced by tests/e2e/lean_test.sh and bench/bench_process.sh: what a verifier of a
# registry-issued license holds, made in the current directory with $libro. The caller
# defines `must COMMAND...` (run quietly; stop the script if it fails).
#   world_make       Town 7 (anchor charter), its health board (issuer) and its registry
#                    (reg.db, key reg.pem); Ada's license ada.jws with its QR code ada.png,
#                    recorded in the registry (credentialStatus: list 0, two purposes)
#   world_trust      publish list 0's revocation and suspension lists (as reg.db holds them
#                    now), and make the trust store ($XDG_DATA_HOME/libro) hold the anchor,
#                    the authorizations and both lists
WORLD_BASE=https://registry.town-7.example/v1/status

world_make() {
    local from
    from=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ)
    must "$libro" key new --out town.pem
    must "$libro" key new --out board.pem --public-out board.pub
    must "$libro" key new --out reg.pem --public-out reg.pub
    must "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" \
        --level 2 --allow nursing-general --valid-from "$from" --days 3650 --out town.jws
    must "$libro" issue authorization --key town.pem --charter town.jws \
        --id urn:libro:town-7:board --name "Health Board" --subject-key board.pub \
        --grant nursing-general:1095 --valid-from "$from" --days 3000 --out auth.jws
    must "$libro" issue registry-authorization --key town.pem --charter town.jws \
        --id urn:libro:town-7:registry --name "Town 7 Registry" --subject-key reg.pub \
        --url https://registry.town-7.example --valid-from "$from" --days 3000 --out regauth.jws
    must "$libro" registry init --db reg.db --charter town.jws --authorization regauth.jws
    must "$libro" registry type --db reg.db --id nursing-general --validity-days 365 \
        --renewal-window-days 60 --grace-days 30 --actor ops
    must "$libro" issue license --key board.pem --authorization auth.jws \
        --community-charter town.jws --holder "Ada Example" --number T7-N-0001 \
        --profession "registered nurse" --type nursing-general --scope "general care" \
        --out ada.jws --qr ada.png --registry reg.db --status-url-base "$WORLD_BASE"
}

world_trust() {
    local p
    for p in revocation suspension; do
        must "$libro" registry status --db reg.db --key reg.pem --list 0 --purpose $p \
            --id "$WORLD_BASE/0/$p" --out $p.jws
    done
    must "$libro" trust add --anchor town.jws
    must "$libro" trust add auth.jws regauth.jws revocation.jws suspension.jws
}

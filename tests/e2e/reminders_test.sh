#!/usr/bin/env bash
# End-to-end (issue 12): reminders by e-mail, sent through a real SMTP server on loopback
# (smtp_sink.py: Debian's python3-aiosmtpd, bound to port 0 and read back). Licenses at
# different distances from their validUntil: a dry run lists what is due (to, subject, why)
# and sends and records nothing; a real run sends each once (headers and body checked), the
# next run sends nothing; a renewal makes the next cycle due (the clock moved with faketime);
# a recipient the server refuses fails alone and is tried again; a header-injection address is
# refused, on the command line and from the database; a dead SMTP server fails clearly (exit
# 4) and records nothing; credentials come from a 0600 file. While a send waits on the server
# (the sink holds its answer) the registry's writes go through, and two runs at the same time
# send each reminder once.
# Mandates and laws are covered by check_reminders. Prints "N passed, N failed".
# Usage: reminders_test.sh PATH/TO/libro
set -uo pipefail
libro=${1:?usage: reminders_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
e2e_require reminders_test.sh faketime
# python3 with aiosmtpd: the first python3 on PATH may be another installation than Debian's.
PY=
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import aiosmtpd' 2>/dev/null; then
        PY=$p
        break
    fi
done
if [ -z "$PY" ]; then
    echo "SKIP: reminders_test.sh needs python3-aiosmtpd"
    [ -z "${LIBRO_TEST_STRICT:-}" ] || exit 1
    exit 77
fi
e2e_start reminders
sink_pid=
finish() {
    [ -z "$sink_pid" ] || kill "$sink_pid" 2>/dev/null
    printf '%d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ]
    exit
}
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
# The clock moved by OFFSET ("+1000d") for one command. libfaketime is preloaded, so an ASan
# build must not insist on coming first.
faked() { # OFFSET COMMAND...
    local offset=$1
    shift
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "$offset" "$@"
}
# start_sink DIR [USER PASSWORD]: a fresh SMTP sink writing into DIR; sets $SMTP.
start_sink() {
    local dir=$1
    shift
    [ -z "$sink_pid" ] || { kill "$sink_pid"; wait "$sink_pid" 2>/dev/null; }
    mkdir -p "$dir"
    rm -f sink.port
    "$PY" "$here/smtp_sink.py" "$dir" sink.port "$@" 2>sink.err &
    sink_pid=$!
    for _ in $(seq 200); do [ -s sink.port ] && break; sleep 0.05; done
    if [ ! -s sink.port ]; then
        echo "setup failed: the SMTP sink did not start: $(cat sink.err)"
        finish
    fi
    SMTP=smtp://127.0.0.1:$(cat sink.port)
}
mails() { find "$1" -name '*.eml' | wc -l; }

# --- Town 7's registry, one type (validity 1095 days, renewal from 60 days before) -----------
e2e_town7 "$(at '1200 days ago')"
DB=$(db_new reg.db) || exit 1
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 1095 \
    --renewal-window-days 60 --grace-days 30 --requires "cpd_hours >= 60" --actor clerk
ISSUER=(--key board.pem --authorization auth.jws --community-charter town.jws)
lic() { # NUMBER HOLDER DAYS-LEFT: a license whose validUntil is DAYS-LEFT days from now
    local until
    until=$(at "$3 days")
    must "$libro" issue license "${ISSUER[@]}" --holder "$2" --number "$1" \
        --profession "registered nurse" --type nursing-general --scope "general care" \
        --valid-from "$(date -u -d "$until - 1000 days" +%Y-%m-%dT%H:%M:%SZ)" \
        --valid-until "$until" --out "$1.jws" --registry "$DB" \
        --status-url-base https://registry.town-7.example/v1/status
}
lic T7-90 "Ada Ninety" 80   # 90 days before passed (window at 60 not yet)
lic T7-30 "Bo Thirty" 20    # 90, window, 30 passed: only the 30-day one
lic T7-7 "Cy Seven" 3       # 7 days before
lic T7-W "Di Window" 50     # 90 passed, then the window opened: the window's
lic T7-FAR "Ed Far" 200     # nothing yet
lic T7-REV "Flo Revoked" 20 # revoked: never reminded
lic T7-NC "Gus Nobody" 20   # no contact: listed, not sent
must "$libro" license revoke --db "$DB" --actor registrar --reason "struck off" T7-REV
for n in T7-90 T7-30 T7-7 T7-W T7-FAR T7-REV; do
    lower=$(printf '%s' "$n" | tr 'A-Z' 'a-z')
    must "$libro" license contact "$n" --db "$DB" --email "holder-$lower@mail.test"
done

# --- contacts: addresses checked, subjects that exist, removal -------------------------------
check "contact: header injection refused" 2 'CR, LF|control' -- "$libro" license contact T7-90 \
    --db "$DB" --email "$(printf 'a@b.test\r\nBcc: victim@x.test')"
check "contact: two @ refused" 2 "more than one '@'" -- "$libro" license contact T7-90 \
    --db "$DB" --email a@b@c.test
check "contact: brackets refused" 2 "'<' is not allowed" -- "$libro" license contact T7-90 \
    --db "$DB" --email '<a@b.test>'
check "contact: unknown license" 1 'no license T7-NOPE' -- "$libro" license contact T7-NOPE \
    --db "$DB" --email a@b.test
check "contact: remove what is not there" 1 'no contact' -- "$libro" license contact T7-NC \
    --db "$DB" --remove
check "contact: law reviews" 0 'contact recorded' -- "$libro" reminders contact --db "$DB" \
    --law-reviews --email council@town-7.test
check "contact: law reviews removed" 0 'contact removed' -- "$libro" reminders contact --db "$DB" \
    --law-reviews --remove
check "contact: one subject" 2 'exclude|one of|only one' -- "$libro" reminders contact --db "$DB" \
    --license T7-90 --law-reviews --email a@b.test
check "contact: never in the log" 0 '^0$' -- db_sql "$DB" \
    "SELECT COUNT(*) FROM log_leaf WHERE data LIKE '%mail.test%'"

# --- a dry run: what is due, nothing sent or recorded ----------------------------------------
start_sink mail1
check "send needs --smtp and --from" 2 '--smtp and --from' -- "$libro" reminders --db "$DB"
check "bad --days" 2 'days' -- "$libro" reminders --db "$DB" --dry-run --days 90,0
out=$("$libro" reminders --db "$DB" --dry-run 2>&1)
rc=$?
[ "$rc" -eq 0 ] && ok || fail "dry run: exit $rc: $out"
for want in 'would-send +license T7-90: 90 days before .* to holder-t7-90@mail.test: "License T7-90 expires on' \
    'would-send +license T7-30: 30 days before' 'would-send +license T7-7: 7 days before' \
    'would-send +license T7-W: renewal window opens before .*"Renewal of license T7-W is open' \
    'no-contact +license T7-NC: 30 days before .*\(no contact\)' \
    '4 reminders would be sent, 1 without a contact'; do
    grep -qE -- "$want" <<<"$out" && ok || fail "dry run lacks /$want/: $out"
done
for never in T7-FAR T7-REV; do
    grep -q "$never" <<<"$out" && fail "dry run lists $never: $out" || ok
done
check "dry run sent nothing" 0 '^0$' -- mails mail1
check "dry run recorded nothing" 0 '^0$' -- db_sql "$DB" "SELECT COUNT(*) FROM reminder_sent"
"$libro" reminders --db "$DB" --dry-run --json >dry.json 2>/dev/null
"$libro" reminders --db "$DB" --json --smtp smtp://127.0.0.1:1 --from registry@town-7.test \
    >failed.json 2>/dev/null
if [ -d "$here/../schemas/node_modules/ajv" ] && command -v node >/dev/null; then
    "$libro" reminders --db "$work/nope.db" --dry-run --json >error.json 2>/dev/null
    check "--json documents match their schema" 0 '' -- node "$here/../schemas/cli.mjs" \
        reminders.schema.json dry.json failed.json error.json
fi
check "dry run --json" 0 '"wouldSend":4' -- cat dry.json

# --- a dead SMTP server: a clear failure, nothing recorded, exit 4 ---------------------------
check "dead server fails clearly" 4 'T7-90: smtp: .*(refused|connect)' -- "$libro" reminders \
    --db "$DB" --smtp smtp://127.0.0.1:1 --from registry@town-7.test
check "dead server: nothing recorded" 0 '^0$' -- db_sql "$DB" "SELECT COUNT(*) FROM reminder_sent"
check "dead server --json" 4 '"failed":4' -- "$libro" reminders --db "$DB" --json \
    --smtp smtp://127.0.0.1:1 --from registry@town-7.test
check "smtp url with credentials refused" 4 'only a host and a port' -- "$libro" reminders \
    --db "$DB" --smtp smtp://u:p@127.0.0.1:25 --from registry@town-7.test

# --- credentials from a 0600 file, and only from one ------------------------------------------
printf 'reminder-bot\ns3cret-pass\n' >auth.txt
chmod 644 auth.txt
check "auth file of mode 0644 refused" 1 'mode 0644, want 0600' -- "$libro" reminders --db "$DB" \
    --smtp "$SMTP" --from registry@town-7.test --smtp-auth-file auth.txt
check "refused auth file sent nothing" 0 '^0$' -- mails mail1
chmod 600 auth.txt
start_sink mail1 reminder-bot s3cret-pass
printf 'reminder-bot\nwrong\n' >wrong.txt
chmod 600 wrong.txt
check "wrong password: refused, the rest not tried" 4 'not tried: smtp: authentication refused' -- "$libro" reminders \
    --db "$DB" --smtp "$SMTP" --from registry@town-7.test --smtp-auth-file wrong.txt
check "wrong password: nothing recorded" 0 '^0$' -- db_sql "$DB" "SELECT COUNT(*) FROM reminder_sent"

# --- the real run: each once; a recipient the server refuses fails alone -----------------------
must "$libro" license contact T7-NC --db "$DB" --email reject-gus@mail.test
out=$("$libro" reminders --db "$DB" --smtp "$SMTP" --from registry@town-7.test \
    --smtp-auth-file auth.txt 2>&1)
rc=$?
[ "$rc" -eq 4 ] && ok || fail "send: exit $rc, want 4: $out"
grep -q '4 reminders sent, 1 failed, 0 without a contact' <<<"$out" && ok || fail "send: $out"
grep -qE 'T7-NC: smtp: .*550' <<<"$out" && ok || fail "send: the refusal is not named: $out"
grep -q 's3cret' <<<"$out" && fail "the password was printed: $out" || ok
check "four messages arrived" 0 '^4$' -- mails mail1
check "four recorded" 0 '^4$' -- db_sql "$DB" "SELECT COUNT(*) FROM reminder_sent WHERE state = 'sent'"
m=$(grep -l 'X-Envelope-To: holder-t7-30@mail.test' mail1/*.eml | head -1)
if [ -z "$m" ]; then
    fail "no message to holder-t7-30@mail.test"
else
    body=$(tr -d '\r' <"$m")
    for want in '^X-Envelope-From: registry@town-7.test$' \
        '^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} \+0000$' \
        '^From: <registry@town-7.test>$' '^To: <holder-t7-30@mail.test>$' \
        '^Subject: License T7-30 expires on [0-9]{4}-[0-9]{2}-[0-9]{2}$' \
        '^Message-ID: <[0-9a-f]{32}@town-7.test>$' '^Content-Type: text/plain; charset=UTF-8$' \
        '^Hello Bo Thirty,$' 'your license T7-30 \(type nursing-general\) expires on .*, in 20 days' \
        '^Renewal is open now' 'Renewal requires recorded evidence: cpd_hours >= 60'; do
        grep -qE -- "$want" <<<"$body" && ok || fail "message lacks /$want/: $body"
    done
    grep -q $'\r$' "$m" && ok || fail "message lines do not end CRLF"
fi
m=$(grep -l 'X-Envelope-To: holder-t7-90@mail.test' mail1/*.eml | head -1)
grep -qE 'You can renew it from [0-9-]{10} until' "$m" 2>/dev/null && ok || fail "T7-90's body lacks the renewal date"
check "second run sends only the failed one again" 4 '0 reminders sent, 1 failed, 0 without a contact' -- \
    "$libro" reminders --db "$DB" --smtp "$SMTP" --from registry@town-7.test \
    --smtp-auth-file auth.txt
check "still four messages" 0 '^4$' -- mails mail1

# --- a header injection stored behind libro's back is refused at sending ----------------------
must "$libro" license contact T7-NC --db "$DB" --email gus@mail.test
db_sql "$DB" "UPDATE contact SET email = 'gus@mail.test' || char(13) || char(10) || 'Bcc: x@evil.test' WHERE subject = 'T7-NC'" >/dev/null 2>&1 ||
    db_sql "$DB" "UPDATE contact SET email = 'gus@mail.test' || chr(13) || chr(10) || 'Bcc: x@evil.test' WHERE subject = 'T7-NC'" >/dev/null
check "stored injection refused" 4 'T7-NC: e-mail address: .*control' -- "$libro" reminders --db "$DB" \
    --smtp "$SMTP" --from registry@town-7.test --smtp-auth-file auth.txt
check "stored injection: nothing sent" 0 '^4$' -- mails mail1
must "$libro" license contact T7-NC --db "$DB" --remove

# --- the clock moves: later thresholds, and a renewal's next cycle ----------------------------
# 25 days on: T7-90 (55 days left) is past its window's opening (60 days before), T7-W (25
# left) past 30 days before; T7-7 and T7-30 have reached their validUntil: not reminded.
out=$(faked +25d "$libro" reminders --db "$DB" --smtp "$SMTP" --from registry@town-7.test \
    --smtp-auth-file auth.txt 2>&1)
grep -qE 'sent +license T7-W: 30 days before' <<<"$out" && ok || fail "+25d: T7-W's 30 days: $out"
grep -qE 'sent +license T7-90: renewal window opens' <<<"$out" && ok || fail "+25d: T7-90's window: $out"
grep -q 'T7-7' <<<"$out" && fail "+25d: the expired T7-7 reminded: $out" || ok
check "renew T7-30" 0 'renewed' -- "$libro" license renew --db "$DB" "${ISSUER[@]}" \
    --evidence cpd_hours=60 --actor registrar --out T7-30.2.jws T7-30
check "renewed: nothing due now" 0 '0 reminders would be sent' -- bash -c \
    "'$libro' reminders --db '$DB' --dry-run 2>&1 | grep -v T7-NC"
until2=$(db_sql "$DB" "SELECT valid_until FROM license WHERE number = 'T7-30'")
now_s=$(date -u +%s)
ahead=$(( (until2 - now_s) / 86400 - 5 )) # 5 days before the new validUntil
check "renewal: the next cycle's 7-day reminder" 0 'sent +license T7-30: 7 days before' -- \
    faked "+${ahead}d" "$libro" reminders --db "$DB" --smtp "$SMTP" --from registry@town-7.test \
    --smtp-auth-file auth.txt
check "renewal: both cycles recorded" 0 '^2$' -- db_sql "$DB" \
    "SELECT COUNT(*) FROM reminder_sent WHERE subject = 'T7-30'"
# --- no lock held across SMTP: the registry's writes go on while a send waits on the server ---
# The sink holds its answer to DATA (SMTP_SINK_HOLD) until the test has written; a run that
# held the write lock across the send would make those writes fail busy after 5 s.
wait_for() { # FILE: until the sink creates it; 20 s at most
    for _ in $(seq 400); do
        [ -e "$1" ] && return 0
        sleep 0.05
    done
    return 1
}
DB=$(db_new hold.db) || exit 1
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 1095 \
    --renewal-window-days 60 --grace-days 30 --requires "cpd_hours >= 60" --actor clerk
lic T7-H1 "Hal One" 20
lic T7-H2 "Ida Two" 21
lic T7-H3 "Jo Three" 22
lic T7-H4 "Kim Four" 23
lic T7-OTHER "Lu Other" 300
must "$libro" license contact T7-H1 --db "$DB" --email holder-t7-h1@mail.test
hold=$work/hold1
SMTP_SINK_HOLD=$hold start_sink mail3
"$libro" reminders --db "$DB" --smtp "$SMTP" --from registry@town-7.test >run1.out 2>&1 &
run1=$!
wait_for "$hold.held.1" && ok || fail "the held send never reached DATA: $(cat run1.out)"
check "during a send: its claim is committed" 0 '^sending$' -- db_sql "$DB" \
    "SELECT state FROM reminder_sent WHERE subject = 'T7-H1'"
check "during a send: a license write goes through" 0 'active -> revoked' -- timeout 20 \
    "$libro" license revoke --db "$DB" --actor registrar --reason "struck off" T7-OTHER
check "during a send: a contact is recorded" 0 'contact recorded' -- timeout 20 \
    "$libro" license contact T7-H2 --db "$DB" --email holder-t7-h2@mail.test
touch "$hold.release"
wait "$run1"
rc=$?
[ "$rc" -eq 0 ] && ok || fail "the held run: exit $rc: $(cat run1.out)"
grep -qE '^sent +license T7-H1' run1.out && ok || fail "the held run: $(cat run1.out)"
check "the held send is recorded sent" 0 '^sent$' -- db_sql "$DB" \
    "SELECT state FROM reminder_sent WHERE subject = 'T7-H1'"
check "the held send: one message" 0 '^1$' -- mails mail3

# --- two runs at the same time send each reminder once ---------------------------------------
# Both are held in the middle of a send at once (two messages held), each on another reminder;
# released, each goes on through the rest.
must "$libro" license contact T7-H3 --db "$DB" --email holder-t7-h3@mail.test
must "$libro" license contact T7-H4 --db "$DB" --email holder-t7-h4@mail.test
hold=$work/hold2
SMTP_SINK_HOLD=$hold start_sink mail4
"$libro" reminders --db "$DB" --smtp "$SMTP" --from registry@town-7.test >runa.out 2>&1 &
runa=$!
"$libro" reminders --db "$DB" --smtp "$SMTP" --from registry@town-7.test >runb.out 2>&1 &
runb=$!
wait_for "$hold.held.2" && ok || fail "two runs: not both in a send: $(cat runa.out runb.out)"
touch "$hold.release"
wait "$runa"
rca=$?
wait "$runb"
rcb=$?
[ "$rca" -eq 0 ] && [ "$rcb" -eq 0 ] && ok ||
    fail "two runs: exit $rca and $rcb: $(cat runa.out runb.out)"
check "two runs: three messages" 0 '^3$' -- mails mail4
for n in h2 h3 h4; do
    got=$(grep -l "X-Envelope-To: holder-t7-$n@mail.test" mail4/*.eml | wc -l)
    [ "$got" -eq 1 ] && ok || fail "two runs: T7-${n^^} sent $got times"
done
sent=$(cat runa.out runb.out | grep -cE '^sent ')
skipped=$(cat runa.out runb.out | grep -cE '^(being|already)-sent ')
[ "$sent" -eq 3 ] && [ "$skipped" -eq 3 ] && ok ||
    fail "two runs: $sent sent, $skipped skipped: $(cat runa.out runb.out)"
check "two runs: four recorded sent" 0 '^4$' -- db_sql "$DB" \
    "SELECT COUNT(*) FROM reminder_sent WHERE state = 'sent'"
finish

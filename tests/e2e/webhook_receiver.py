# A webhook receiver for webhook_test.sh: an HTTP server on 127.0.0.1, port 0, that checks each
# POST as the Standard Webhooks scheme says (webhook-id, webhook-timestamp within 5 minutes of
# its clock, webhook-signature "v1a,<base64>" an Ed25519 signature by the whpk_ key over
# "<id>.<timestamp>.<body>") and records it, one JSON line each, in LOG.
#   webhook_receiver.py PORT_FILE LOG WHPK [STATUS...|hang]
# STATUS...: the answer to the 1st, 2nd, ... request (then 200); a request whose signature
# does not check is answered 400 and recorded with ok false. hang: accept, record, never answer.
# With WEBHOOK_RECEIVER_CLOCK_FILE set, its clock is moved by the seconds that file holds, read
# at each request (a registry server under faketime signs timestamps of its own clock).
import base64, http.server, json, os, sys, time

import nacl.exceptions
import nacl.signing

port_file, log_path, whpk = sys.argv[1:4]
script = sys.argv[4:]
hang = script == ["hang"]
key = nacl.signing.VerifyKey(base64.b64decode(whpk.removeprefix("whpk_")))
TOLERANCE = 300
count = 0


def now():
    path = os.environ.get("WEBHOOK_RECEIVER_CLOCK_FILE")
    if not path:
        return time.time()
    with open(path) as f:
        return time.time() + int(f.read().strip())


def check(headers, body):
    msg_id = headers.get("webhook-id")
    ts = headers.get("webhook-timestamp")
    sigs = headers.get("webhook-signature")
    if not msg_id or not ts or not sigs:
        return "a webhook header is missing"
    if not ts.isdigit() or abs(now() - int(ts)) > TOLERANCE:
        return "timestamp %s is outside the tolerance" % ts
    signed = ("%s.%s." % (msg_id, ts)).encode() + body
    for sig in sigs.split(" "):
        version, _, value = sig.partition(",")
        if version != "v1a":
            continue
        try:
            key.verify(signed, base64.b64decode(value, validate=True))
            return None
        except (nacl.exceptions.BadSignatureError, ValueError):
            pass
    return "no v1a signature checks"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        length = int(self.headers.get("Content-Length", "0"))
        if length > 65536:
            self.send_error(413)
            return
        body = self.rfile.read(length)
        why = check(self.headers, body)
        count += 1
        status = int(script[count - 1]) if not hang and count <= len(script) else 200
        if why is not None:
            status = 400
        with open(log_path, "a") as f:
            f.write(json.dumps({"id": self.headers.get("webhook-id"), "ok": why is None,
                                "why": why, "status": "hang" if hang else status,
                                "body": json.loads(body) if why is None else None}) + "\n")
        if hang:
            time.sleep(3600)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(port_file + ".tmp", port_file)
server.serve_forever()

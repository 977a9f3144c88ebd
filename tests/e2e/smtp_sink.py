"""A real SMTP server on loopback for the reminders test (aiosmtpd, Debian's python3-aiosmtpd).

usage: smtp_sink.py DIR PORT_FILE [USER PASSWORD]

Binds 127.0.0.1 on a port the system picks (created here on the asyncio loop, so the port is
read back), writes it to PORT_FILE (atomically), and writes each message it accepts to
DIR/NNN.eml: "X-Envelope-From:" and "X-Envelope-To:" lines, then the message as received.
A recipient whose address starts with "reject-" is refused (550).
With USER and PASSWORD, AUTH PLAIN/LOGIN is offered (without TLS: loopback only) and
required, and a login with anything else is refused (535). Runs until killed.

With SMTP_SINK_HOLD=PREFIX in the environment, each message's answer to DATA is held: the
sink creates PREFIX.held.N (N counting the messages held so far) and answers only once
PREFIX.release exists, so a test can act while a client is in the middle of a send. It
waits for that file at most 20 s, then refuses the message (451) so that the test fails
rather than hangs.
"""
import asyncio
import os
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.held = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject-"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        hold = os.environ.get("SMTP_SINK_HOLD")
        if hold:
            self.held += 1
            open("%s.held.%d" % (hold, self.held), "w").close()
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 20
            while not os.path.exists(hold + ".release"):
                if loop.time() > deadline:
                    return "451 4.3.0 held and never released"
                await asyncio.sleep(0.02)
        self.count += 1
        path = os.path.join(self.directory, "%03d.eml" % self.count)
        with open(path + ".tmp", "wb") as f:
            f.write(b"X-Envelope-From: " + envelope.mail_from.encode() + b"\r\n")
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 OK"


def authenticator_for(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False)  # False: the server answers 235 or 535
    return check


async def main():
    directory, port_file = sys.argv[1], sys.argv[2]
    auth = sys.argv[3:5] if len(sys.argv) >= 5 else None
    sink = Sink(directory)
    loop = asyncio.get_running_loop()

    def factory():
        if auth is None:
            return SMTP(sink, hostname="sink.test")
        return SMTP(sink, hostname="sink.test", authenticator=authenticator_for(*auth),
                    auth_required=True, auth_require_tls=False)

    server = await loop.create_server(factory, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    with open(port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(port_file + ".tmp", port_file)
    async with server:
        await server.serve_forever()


asyncio.run(main())

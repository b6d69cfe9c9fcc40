"""A real SMTP server for vaultkit's tests (aiosmtpd), started by vault-testkit's SmtpServer.

argv: MODE OUTDIR [CERT KEY]   MODE is starttls | tls | plain
env:  VAULTKIT_SMTP_USER, VAULTKIT_SMTP_PASSWORD (AUTH required when set)

Prints `PORT <n>` once it listens on 127.0.0.1. Each accepted message is written to OUTDIR as
one JSON file (written to a temp name, then renamed) before the server answers 250, so a client
that got 250 finds the file. A recipient whose address starts with `refuse` is refused (550).
"""

import asyncio
import email
import itertools
import json
import os
import ssl
import sys
from email import policy

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

MODE, OUTDIR = sys.argv[1], sys.argv[2]
CERT, KEY = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else (None, None)
USER = os.environ.get("VAULTKIT_SMTP_USER")
PASSWORD = os.environ.get("VAULTKIT_SMTP_PASSWORD")
COUNTER = itertools.count()


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode("utf-8", "replace") == USER
        and auth_data.password.decode("utf-8", "replace") == PASSWORD
    )
    # handled=False: aiosmtpd then answers 535 itself on failure.
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("refuse"):
            return "550 5.7.1 recipient refused by the test server's policy"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        msg = email.message_from_bytes(raw, policy=policy.default)
        part = msg.get_body(preferencelist=("plain",))
        body = part.get_content() if part is not None else ""
        body = body.replace("\r\n", "\n")
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "subject": str(msg.get("subject", "")),
            "headers": [[k, str(v)] for k, v in msg.raw_items()],
            "body": body,
            "auth_user": (session.login_data or b"").decode("utf-8", "replace")
            if session.authenticated
            else None,
            "starttls": session.ssl is not None,
            "implicit_tls": MODE == "tls",
            "raw": raw.decode("utf-8", "replace"),
        }
        n = next(COUNTER)
        tmp = os.path.join(OUTDIR, f".{n:06d}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(OUTDIR, f"{n:06d}.json"))
        return "250 Message accepted for delivery"


def tls_context():
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(CERT, KEY)
    return ctx


async def main():
    loop = asyncio.get_running_loop()
    auth = dict(authenticator=authenticator, auth_required=True) if USER else {}
    if MODE == "starttls":
        factory = lambda: SMTP(
            Handler(), tls_context=tls_context(), require_starttls=True, **auth
        )
        server_ssl = None
    elif MODE == "tls":
        factory = lambda: SMTP(Handler(), auth_require_tls=False, **auth)
        server_ssl = tls_context()
    else:
        factory = lambda: SMTP(Handler(), auth_require_tls=False, **auth)
        server_ssl = None
    server = await loop.create_server(factory, "127.0.0.1", 0, ssl=server_ssl)
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())

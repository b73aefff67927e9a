#!/usr/bin/python3
"""A scriptable SMTP server for outreachd's tests (aiosmtpd, 127.0.0.1 only).

Run it with /usr/bin/python3 (Debian's python3-aiosmtpd is only visible there).

Usage:
  smtpd.py [--port P] [--portfile F] [--pidfile F] [--maildir DIR]
           [--auth USER:PASSWORDFILE] [--starttls CERT KEY [--require-starttls]]
           [--tls CERT KEY] [--fail-first N [--fail-code 451]]
           [--reject-rcpt REGEX] [--reject-data-code CODE] [--slow SECONDS]
           [--drop-in-data N] [--reply-421 N [--reply-421-at STAGE]
           [--reply-421-after M]] [--owner-pid PID] [--hostname NAME] [--quiet]

  --port P            TCP port on 127.0.0.1 (default 0 = let the kernel pick one).
  --portfile F        write the bound port number to F (atomically, via rename)
                      once the server is listening: wait for F to appear.
  --pidfile F         write our PID to F at startup.
  --maildir DIR       store each accepted message: DIR/new/NNNNNN.eml holds
                      envelope.content byte for byte (after SMTP dot-unstuffing,
                      CRLF line ends as sent); DIR/new/NNNNNN.env holds the
                      envelope as header lines (see below).  NNNNNN is a global
                      6-digit sequence number starting at 000001 (accepted
                      messages only).  The .env file is written first and the
                      .eml is renamed in from DIR/tmp/ last, so once a .eml is
                      visible both files are complete.
  --auth USER:PASSWORDFILE
                      require AUTH (PLAIN or LOGIN) as USER with the password
                      read from PASSWORDFILE (one trailing newline stripped);
                      allowed without TLS (auth_require_tls=False).
  --starttls CERT KEY offer STARTTLS with this certificate (see mkcert.sh).
  --require-starttls  refuse everything but EHLO/NOOP/QUIT/STARTTLS before TLS.
  --tls CERT KEY      implicit TLS (smtps://) instead of plain text.
  --fail-first N      answer the final reply of the first N message
                      transfers (end of DATA) with --fail-code (default 451).
  --reject-rcpt REGEX answer "550 5.1.1" at RCPT TO for addresses matching REGEX
                      (Python re.search, case-sensitive unless (?i)).
  --reject-data-code CODE  answer every message transfer with CODE (e.g. 550).
  --multiline         with --reject-data-code: a two-line reply.
  --late-reply SECONDS  store each accepted message first, then wait SECONDS
                      before its 250 (a server that has the message while
                      the client still waits: a client that gives up and
                      retries sends a duplicate).
  --slow SECONDS      wait SECONDS before the final reply to every message.
                      The message is still stored after the wait even if the
                      client has timed out and gone meanwhile (like a real
                      server that committed the message: the client never
                      saw the 250, so a retry gives a duplicate).
  --drop-in-data N    for the first N DATA commands: answer 354, read one line
                      of the message, then close the connection (no reply).
  --reply-421 N       for the first N sessions that reach the --reply-421-at
                      stage (and qualify under --reply-421-after), answer
                        421 4.3.2 Service not available, closing transmission channel
                      there and close the connection at once (a server
                      shutting down, overloaded, or at its per-connection
                      limit).  Each 421 ends its session, so N sessions = N
                      421 replies; they are counted across connections.
  --reply-421-at STAGE  where the 421 comes (default: mail):
                      greeting  instead of the 220 banner.  EVERY connection
                                counts, a readiness probe too: wait for
                                --portfile, do not probe with t_wait_port
                                (or add one to N);
                      mail      as the reply to MAIL FROM, after EHLO (and
                                AUTH) went well.  The default, because it
                                exercises the client best: the failure comes
                                in the middle of a transaction on a live,
                                authenticated connection, which the client
                                must then drop (not reuse) and must not take
                                for a permanent refusal of the message;
                      rcpt      as the reply to RCPT TO (after a 250 to MAIL);
                      data      as the final reply after the message content
                                (the message is NOT stored).
  --reply-421-after M only sessions that already had M messages accepted
                      qualify (default 0).  With M >= 1 and a client that
                      keeps its connection open between messages, the 421
                      hits a reused (cached) connection: the classic
                      "421 too many messages in this connection" of a
                      server's per-connection limit.
  --owner-pid PID     exit when process PID is gone (safety net for tests).
  --quiet             log only start/stop and errors (not per-event lines).

Counters are global across connections.  Order of decisions for a DATA
command number k (counting only DATA commands that got past RCPT):
  1. k <= drop-in-data            -> connection dropped mid-DATA;
  2. otherwise, sleep --slow;
  3. --reply-421-at data and a 421 left for a qualifying session
                                  -> 421, connection closed, not stored;
  4. --reject-data-code set       -> that code;
  5. j <= fail-first              -> --fail-code, where j counts the
                                     message transfers that reached step 5;
  6. otherwise accepted (250) and stored.
A 421 at MAIL or RCPT happens before any of this (no DATA command).

.env file format (one header per line, CRLF-free, UTF-8):
  X-Envelope-From: <sender>          ("<>" for the null sender)
  X-Envelope-To: <recipient>         (one line per accepted recipient, in order)
  X-Helo: name given in EHLO/HELO
  X-Auth-User: login                 (only when authenticated)
  X-TLS: yes|no
  X-Peer: 127.0.0.1:port
  X-Seq: N                           (same number as the file name)
  X-Data-Seq: k                      (DATA command number, see above)
  X-Mail-Options: ...                (ESMTP MAIL parameters, if any)

Speed: about 2,000 messages/s on one connection without --maildir; with
--maildir the file creation dominates (about 400-550/s on an ext4 /tmp here,
about 1,000/s on tmpfs).

Log: one line per event on stderr:
  smtpd: <event> key=value ...
events: listening, connect, helo, auth, mail, rcpt, rcpt-rejected, data,
data-dropped, data-failed, data-rejected, accepted, reply-421, disconnect,
stopping.  reply-421 (stage=, n=, of=) and rcpt-rejected are logged even
with --quiet.
"""

import argparse
import asyncio
import logging
import os
import re
import signal
import ssl
import sys
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError as e:  # pragma: no cover
    sys.stderr.write("smtpd.py: cannot import aiosmtpd (%s); run with /usr/bin/python3 "
                     "and install python3-aiosmtpd\n" % e)
    sys.exit(77)


QUIET = False


def log(event, **kw):
    if QUIET and event not in ("listening", "stopping", "error", "reply-421",
                                 "rcpt-rejected"):
        return
    parts = ["smtpd:", event]
    for k, v in kw.items():
        v = str(v)
        if not v or any(c in v for c in " \t\r\n\"'="):
            v = repr(v)
        parts.append("%s=%s" % (k, v))
    sys.stderr.write(" ".join(parts) + "\n")
    sys.stderr.flush()


def enhanced(code):
    return {"4": "4.3.0", "5": "5.3.0"}.get(str(code)[:1], "")


class State:
    def __init__(self, opts):
        self.opts = opts
        self.data_seq = 0        # DATA commands past RCPT
        self.transfer_seq = 0    # transfers that reached the fail decision
        self.stored_seq = 0      # accepted messages
        self.conn_seq = 0
        self.r421_seq = 0        # 421 replies given (= sessions closed by 421)
        self.reject_rcpt = re.compile(opts.reject_rcpt) if opts.reject_rcpt else None
        self.maildir = opts.maildir
        if self.maildir:
            for sub in ("tmp", "new", "cur"):
                os.makedirs(os.path.join(self.maildir, sub), exist_ok=True)

    def take_421(self, server, stage):
        """True (and counted, logged) if this session gets its 421 now."""
        o = self.opts
        if (o.reply_421 <= 0 or o.reply_421_at != stage
                or self.r421_seq >= o.reply_421
                or server.accepted_here < o.reply_421_after):
            return False
        self.r421_seq += 1
        log("reply-421", conn=server.conn_id, stage=stage,
            after=server.accepted_here, n=self.r421_seq, of=o.reply_421)
        return True

    def store(self, session, envelope, data_seq, auth_user):
        self.stored_seq += 1
        seq = self.stored_seq
        if not self.maildir:
            return seq
        name = "%06d" % seq
        new = os.path.join(self.maildir, "new")
        tmp = os.path.join(self.maildir, "tmp")
        lines = ["X-Envelope-From: <%s>" % (envelope.mail_from or "")]
        for r in envelope.rcpt_tos:
            lines.append("X-Envelope-To: <%s>" % r)
        lines.append("X-Helo: %s" % (session.host_name or ""))
        if auth_user is not None:
            lines.append("X-Auth-User: %s" % auth_user)
        lines.append("X-TLS: %s" % ("yes" if session.ssl else "no"))
        peer = session.peer
        if isinstance(peer, tuple):
            peer = "%s:%s" % (peer[0], peer[1])
        lines.append("X-Peer: %s" % peer)
        lines.append("X-Seq: %d" % seq)
        lines.append("X-Data-Seq: %d" % data_seq)
        if envelope.mail_options:
            lines.append("X-Mail-Options: %s" % " ".join(envelope.mail_options))
        with open(os.path.join(new, name + ".env"), "w", encoding="utf-8",
                  errors="surrogateescape") as f:
            f.write("\n".join(lines) + "\n")
        content = envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        tpath = os.path.join(tmp, name + ".eml")
        with open(tpath, "wb") as f:
            f.write(content or b"")
        os.rename(tpath, os.path.join(new, name + ".eml"))
        return seq


class Handler:
    def __init__(self, state):
        self.state = state

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        log("helo", conn=server.conn_id, name=hostname)
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        session.host_name = hostname
        log("helo", conn=server.conn_id, name=hostname)
        return "250 {}".format(server.hostname)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        log("mail", conn=server.conn_id, address=address or "<>")
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        st = self.state
        if st.reject_rcpt is not None and st.reject_rcpt.search(address):
            log("rcpt-rejected", conn=server.conn_id, address=address)
            return "550 5.1.1 <%s>: Recipient address rejected (test)" % address
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        log("rcpt", conn=server.conn_id, address=address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        st, o = self.state, self.state.opts
        data_seq = server.current_data_seq
        size = len(envelope.content or b"")
        log("data", conn=server.conn_id, seq=data_seq, size=size)
        if o.slow > 0:
            await asyncio.sleep(o.slow)
        if st.take_421(server, "data"):
            server.close_after_reply = True
            return REPLY_421
        if o.reject_data_code:
            code = o.reject_data_code
            log("data-rejected", conn=server.conn_id, seq=data_seq, code=code)
            if o.multiline:
                return "%d-%s Message rejected (test)\r\n%d %s Policy line two (test)" % (
                    code, enhanced(code), code, enhanced(code))
            return "%d %s Message rejected (test)" % (code, enhanced(code))
        st.transfer_seq += 1
        if st.transfer_seq <= o.fail_first:
            code = o.fail_code
            log("data-failed", conn=server.conn_id, seq=data_seq, code=code,
                n=st.transfer_seq, of=o.fail_first)
            return "%d %s Temporary failure %d of %d (test)" % (
                code, enhanced(code), st.transfer_seq, o.fail_first)
        seq = st.store(session, envelope, data_seq, server.auth_user)
        server.accepted_here += 1
        if o.late_reply > 0:
            await asyncio.sleep(o.late_reply)
        log("accepted", conn=server.conn_id, seq=data_seq, stored=seq,
            mail_from=envelope.mail_from or "<>", rcpts=",".join(envelope.rcpt_tos))
        return "250 2.0.0 OK queued as %06d" % seq


REPLY_421 = "421 4.3.2 Service not available, closing transmission channel"


class TestSMTP(SMTP):
    """aiosmtpd's SMTP with connection logging and the drop-in-data and
    reply-421 modes."""

    state = None  # set by factory

    def connection_made(self, transport):
        if not hasattr(self, "conn_id"):
            TestSMTP.state.conn_seq += 1
            self.conn_id = TestSMTP.state.conn_seq
            self.current_data_seq = 0
            self.auth_user = None
            self.accepted_here = 0       # messages accepted on this connection
            self.close_after_reply = False
            peer = transport.get_extra_info("peername")
            log("connect", conn=self.conn_id,
                peer="%s:%s" % peer[:2] if isinstance(peer, tuple) else peer)
        super().connection_made(transport)

    def connection_lost(self, error):
        log("disconnect", conn=getattr(self, "conn_id", "?"))
        super().connection_lost(error)

    async def _reply_421_and_close(self):
        await self.push(REPLY_421)
        if self.transport is not None:
            self.transport.close()   # flushes the reply first

    async def _handle_client(self):
        if TestSMTP.state.take_421(self, "greeting"):
            await self._reply_421_and_close()
            return
        return await super()._handle_client()

    def _may_transact(self):
        return bool(self.session.host_name) and not (
            self._auth_required and not self.session.authenticated)

    async def smtp_MAIL(self, arg):
        if (self._may_transact() and not self.envelope.mail_from
                and TestSMTP.state.take_421(self, "mail")):
            return await self._reply_421_and_close()
        return await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg):
        if (self._may_transact() and self.envelope.mail_from
                and TestSMTP.state.take_421(self, "rcpt")):
            return await self._reply_421_and_close()
        return await super().smtp_RCPT(arg)

    async def smtp_DATA(self, arg):
        try:
            return await self._smtp_DATA(arg)
        finally:
            if self.close_after_reply and self.transport is not None:
                self.transport.close()

    async def _smtp_DATA(self, arg):
        st = TestSMTP.state
        # Count only DATA commands that aiosmtpd would accept (past RCPT).
        if (not arg and self.envelope.rcpt_tos and self.session.host_name
                and not (self._auth_required and not self.session.authenticated)):
            st.data_seq += 1
            self.current_data_seq = st.data_seq
            if st.data_seq <= st.opts.drop_in_data:
                await self.push("354 End data with <CR><LF>.<CR><LF>")
                try:
                    await asyncio.wait_for(self._reader.readuntil(b"\r\n"), 10)
                except Exception:
                    pass
                log("data-dropped", conn=self.conn_id, seq=st.data_seq,
                    n=st.data_seq, of=st.opts.drop_in_data)
                if self.transport is not None:
                    self.transport.abort()
                return
        return await super().smtp_DATA(arg)


# Keep HELP's syntax texts for the overridden commands.
for _name in ("smtp_MAIL", "smtp_RCPT", "smtp_DATA"):
    for _attr in ("__smtp_syntax__", "__smtp_syntax_extended__", "__smtp_syntax_when__"):
        if hasattr(getattr(SMTP, _name), _attr):
            setattr(getattr(TestSMTP, _name), _attr, getattr(getattr(SMTP, _name), _attr))


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        login = auth_data.login.decode("utf-8", "replace") if isinstance(
            auth_data, LoginPassword) else "?"
        log("auth", conn=getattr(server, "conn_id", "?"), mechanism=mechanism,
            user=login, result="ok" if ok else "denied")
        if ok:
            server.auth_user = login
        return AuthResult(success=ok, handled=False)
    return authenticator


def ssl_ctx(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def write_atomic(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[1],   # all but the title line
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--portfile")
    p.add_argument("--pidfile")
    p.add_argument("--maildir")
    p.add_argument("--auth", metavar="USER:PASSWORDFILE")
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--fail-code", type=int, default=451)
    p.add_argument("--reject-rcpt", metavar="REGEX")
    p.add_argument("--reject-data-code", type=int, default=0)
    p.add_argument("--multiline", action="store_true")
    p.add_argument("--late-reply", type=float, default=0.0)
    p.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--slow", type=float, default=0.0)
    p.add_argument("--drop-in-data", type=int, default=0)
    p.add_argument("--reply-421", type=int, default=0, metavar="N",
                   help="answer 421 and close for the first N sessions that reach "
                        "the --reply-421-at stage (see the module docstring)")
    p.add_argument("--reply-421-at", default="mail",
                   choices=("greeting", "mail", "rcpt", "data"),
                   help="greeting, mail (default), rcpt or data")
    p.add_argument("--reply-421-after", type=int, default=0, metavar="M",
                   help="only sessions that already had M messages accepted")
    p.add_argument("--owner-pid", type=int)
    p.add_argument("--hostname", default="smtpd.test")
    p.add_argument("--timeout", type=float, default=300,
                   help="idle timeout per connection (seconds)")
    p.add_argument("--quiet", action="store_true")
    o = p.parse_args(argv)
    if o.require_starttls and not o.starttls:
        p.error("--require-starttls needs --starttls CERT KEY")
    if o.starttls and o.tls:
        p.error("use either --starttls or --tls")
    for name in ("fail_code", "reject_data_code"):
        v = getattr(o, name)
        if v and not 400 <= v <= 599:
            p.error("--%s must be a 4xx or 5xx code" % name.replace("_", "-"))
    return o


async def amain(o):
    state = State(o)
    TestSMTP.state = state
    handler = Handler(state)
    kwargs = dict(hostname=o.hostname, decode_data=False, enable_SMTPUTF8=True,
                  timeout=o.timeout)
    if o.auth:
        user, _, pwfile = o.auth.partition(":")
        with open(pwfile, encoding="utf-8") as f:
            password = f.read()
        if password.endswith("\n"):
            password = password[:-1]
        if password.endswith("\r"):
            password = password[:-1]
        kwargs.update(authenticator=make_authenticator(user, password),
                      auth_required=True, auth_require_tls=False)
    if o.starttls:
        kwargs.update(tls_context=ssl_ctx(*o.starttls),
                      require_starttls=o.require_starttls)
    server_ssl = ssl_ctx(*o.tls) if o.tls else None

    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: TestSMTP(handler, **kwargs),
                                      host="127.0.0.1", port=o.port,
                                      ssl=server_ssl, reuse_address=True)
    port = server.sockets[0].getsockname()[1]
    if o.portfile:
        write_atomic(o.portfile, "%d\n" % port)
    log("listening", host="127.0.0.1", port=port, pid=os.getpid())

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)

    async def watch_owner():
        while True:
            await asyncio.sleep(0.5)
            try:
                os.kill(o.owner_pid, 0)
            except ProcessLookupError:
                log("stopping", reason="owner-gone")
                stop.set()
                return
            except PermissionError:
                pass
    if o.owner_pid:
        loop.create_task(watch_owner())

    await stop.wait()
    log("stopping", accepted=state.stored_seq, data=state.data_seq)
    server.close()


def main(argv):
    global QUIET
    o = parse_args(argv)
    QUIET = o.quiet
    # aiosmtpd warns about AUTH without TLS on the 'mail.log' logger; that is
    # exactly what we want on loopback.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    if o.pidfile:
        write_atomic(o.pidfile, "%d\n" % os.getpid())
    try:
        asyncio.run(amain(o))
    except OSError as e:
        log("error", error=e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Outbound mail: queued in the database, delivered by ``mail.send`` jobs with retries.

The transport is chosen by ``SITREP_SMTP_URL``: ``smtp://[user:pass@]host:port``,
``smtps://...`` (TLS from the start), or ``console://`` (demo: the mail is written to
stdout instead of being sent).
"""

from __future__ import annotations

import smtplib
import sys
from email.message import EmailMessage
from typing import Protocol, TextIO
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session

from sitrep.config import Settings
from sitrep.desk import jobs
from sitrep.desk.models.identity import utcnow
from sitrep.desk.models.jobs import OutboundMail
from sitrep.errors import ConfigError

#: template -> (subject, body), formatted with the keyword arguments of ``queue_mail``.
TEMPLATES: dict[str, tuple[str, str]] = {
    "confirm": (
        "Confirm your problem report",
        "Someone (hopefully you) reported a problem with this address:\n\n"
        "  {summary}\n\nOpen this link within 24 hours to raise the request:\n\n  {link}\n\n"
        "If it was not you, ignore this mail and nothing will be filed.\n",
    ),
    "received": (
        "[{key}] We received your request",
        'Your request {key} "{summary}" has been received.\n'
        "We will reply to this address. Quote {key} when you write to us.\n",
    ),
    "comment": ("[{key}] New reply on your request", "A new reply on {key}:\n\n{body}\n"),
    "status": ("[{key}] Status: {status}", "Your request {key} is now: {status}.\n"),
}


class Mailer(Protocol):
    """Something that delivers one message or raises."""

    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """Deliver over SMTP (or SMTPS) to the server named by the URL."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        cls = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        with cls(self.host, self.port, timeout=self.timeout) as smtp:
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


class ConsoleMailer:
    """Write mail to a text stream instead of sending it (demo mode)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: EmailMessage) -> None:
        self.stream.write(
            f"--- mail (console://) ---\n{message.as_string()}\n--- end of mail ---\n"
        )
        self.stream.flush()


def mailer_from_settings(settings: Settings) -> Mailer:
    """Return the mailer ``SITREP_SMTP_URL`` names; demo mode defaults to the console."""
    url = settings.smtp_url or ("console://" if settings.demo else None)
    if not url:
        raise ConfigError(
            "SITREP_SMTP_URL is not set, so mail cannot be sent.",
            fix="Set SITREP_SMTP_URL=smtp://host:port (or console:// to print).",
        )
    scheme = urlsplit(url).scheme
    if scheme == "console":
        return ConsoleMailer()
    if scheme in ("smtp", "smtps"):
        return SmtpMailer(url)
    raise ConfigError(
        f"SITREP_SMTP_URL: unknown scheme '{scheme}'.",
        fix="Use smtp://host:port, smtps://host:port or console://.",
    )


def queue_mail(*, session: Session, to: str, template: str, **context: str) -> OutboundMail:
    """Queue a mail from ``template`` in the caller's transaction, with the job that sends it."""
    subject, body = TEMPLATES[template]
    mail = OutboundMail(
        to_addr=to,
        subject=subject.format(**context)[:300],
        body=body.format(**context),
        template=template,
        status="queued",
        attempts=0,
    )
    session.add(mail)
    session.flush()
    jobs.enqueue(session=session, kind="mail.send", payload={"mail_id": mail.id})
    return mail


@jobs.handler("mail.send")
def send_queued_mail(ctx: jobs.JobContext, payload: dict) -> None:
    """Job: deliver one queued mail; raise (and so retry later) when delivery fails."""
    mailer: Mailer = ctx.extras.get("mailer") or mailer_from_settings(ctx.settings)
    with ctx.sessions() as session:
        mail = session.get(OutboundMail, payload["mail_id"])
        if mail is None or mail.status == "sent":
            return
        mail.attempts += 1
        message = EmailMessage()
        message["From"] = ctx.settings.mail_from
        message["To"] = mail.to_addr
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        try:
            mailer.send(message)
        except Exception:
            session.commit()  # keep the attempt count; the job runner retries later
            raise
        mail.status, mail.sent_at = "sent", utcnow()
        session.commit()

"""The domain exception tree.

Library code raises these; the CLI turns them into one clear message and exit 1,
and the desk's single exception handler maps them to HTTP statuses and JSM error bodies.
Every message is written for the person who has to fix it, and never contains a
secret, a token or bundle content.
"""

from __future__ import annotations


class SitrepError(Exception):
    """Base of every error a user can cause or fix."""

    #: HTTP status the desk answers with.
    status_code = 400

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message}\n{self.fix}" if self.fix else self.message


class ConfigError(SitrepError):
    """A setting is missing or has a bad value.

    At the desk that is for its operators to fix, not the caller (a missing master or audit
    signing key, say), so the answer is 503: the service is not available as configured.
    """

    status_code = 503


class SpecError(SitrepError):
    """A bundle spec or redactor spec is invalid. Raised before anything is collected."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        fix: str | None = None,
    ) -> None:
        where = file or "<spec>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}", fix=fix)
        self.file = file
        self.line = line


class BundleError(SitrepError):
    """Collecting or reading a bundle failed as a whole."""


class RedactionError(SitrepError):
    """Redaction could not guarantee its result (for example the residual check failed)."""


class ValidationError(SitrepError):
    """Input to the desk is malformed or breaks a rule."""


class NotFound(SitrepError):
    """The thing does not exist, or the caller may not know that it does."""

    status_code = 404


class Unauthorized(SitrepError):
    """No valid credentials."""

    status_code = 401


class Forbidden(SitrepError):
    """Valid credentials, but the policy says no."""

    status_code = 403


class Conflict(SitrepError):
    """The request conflicts with the current state (for example a replayed id)."""

    status_code = 409


class TooLarge(SitrepError):
    """The payload is over a configured cap."""

    status_code = 413


class RateLimited(SitrepError):
    """Too many requests; try again later."""

    status_code = 429


class RemoteError(SitrepError):
    """A remote system (desk, JSM, SMTP) failed or answered with an error."""

    status_code = 502

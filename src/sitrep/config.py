"""One Settings class for the whole of Sitrep.

Values come from environment variables named ``SITREP_<FIELD>`` (``DO_NOT_TRACK`` is
the one standard exception), then from an optional TOML file named by
``SITREP_CONFIG``, then from the defaults here. Any secret may instead be given as a
file path in ``SITREP_<FIELD>_FILE``. Nothing else in Sitrep reads ``os.environ``.

Bad values fail loudly when the settings are loaded, naming the variable.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sitrep.errors import ConfigError

#: Secrets that may also be given as ``SITREP_<NAME>_FILE``.
SECRET_FIELDS = ("token", "secret_key", "master_key", "audit_signing_key", "smtp_url", "jsm_token")

#: Placeholder secrets used by ``sitrep desk demo`` and tests only.
DEMO_SECRET = "demo-not-secret"


class Settings(BaseSettings):
    """Every knob Sitrep has, customer side and desk side."""

    model_config = SettingsConfigDict(env_prefix="SITREP_", extra="ignore")

    # --- shared -----------------------------------------------------------------
    data_dir: Path = Field(
        default=Path.home() / ".local" / "share" / "sitrep",
        description="Where the desk keeps its SQLite file and blobs by default.",
    )
    config: Path | None = Field(default=None, description="Optional TOML file with more settings.")

    # --- customer side -----------------------------------------------------------
    desk_url: str | None = Field(default=None, description="Base URL of the vendor's Sitrep desk.")
    token: str | None = Field(
        default=None, description="Installation token (report) or staff token (fetch)."
    )
    jsm_url: str | None = Field(
        default=None, description="Base URL of a Jira Service Management site."
    )
    jsm_user: str | None = Field(default=None, description="JSM account email for API-token auth.")
    jsm_token: str | None = Field(default=None, description="JSM API token.")
    telemetry_debug: bool = Field(
        default=False, description="Print the weekly report instead of sending it."
    )
    do_not_track: bool = Field(
        default=False,
        validation_alias="DO_NOT_TRACK",
        description="The standard DO_NOT_TRACK=1 switch: telemetry is off.",
    )

    # --- desk --------------------------------------------------------------------
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is SQLite under data_dir."
    )
    blob_url: str | None = Field(
        default=None, description="file:///path or s3://bucket/prefix; default is data_dir/blobs."
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="Endpoint of an S3-compatible store."
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL the desk is reached at (for links in mail).",
    )
    secret_key: str | None = Field(default=None, description="Signs sessions and links.")
    master_key: str | None = Field(
        default=None, description="Base64 32-byte key that wraps per-object data keys."
    )
    audit_signing_key: str | None = Field(
        default=None, description="Base64 Ed25519 private key for audit checkpoints."
    )
    smtp_url: str | None = Field(
        default=None, description="smtp://user:pass@host:port or console:// (prints mail)."
    )
    mail_from: str = Field(
        default="support@sitrep.invalid", description="From address of desk mail."
    )
    max_upload_mb: int = Field(default=4096, ge=1, description="Largest upload accepted, in MB.")
    max_members: int = Field(default=20000, ge=1, description="Most members a bundle zip may have.")
    max_ratio: int = Field(default=200, ge=1, description="Highest compression ratio accepted.")
    upload_expiry_hours: int = Field(
        default=24, ge=1, description="Unfinished uploads expire after this."
    )
    telemetry_allowlists: Path | None = Field(
        default=None, description="Directory of allow-list YAML files, one per app."
    )
    telemetry_min_cell: int = Field(
        default=10, ge=1, description="Cells built from fewer reports are suppressed."
    )
    telemetry_epsilon: float | None = Field(
        default=None, gt=0, description="If set, add differential-privacy noise with this epsilon."
    )
    demo: bool = Field(default=False, description="Demo mode: console mail, demo secrets allowed.")

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @property
    def effective_database_url(self) -> str:
        """Return the configured database URL, or the SQLite file under ``data_dir``."""
        return self.database_url or f"sqlite:///{self.data_dir / 'sitrep.db'}"

    @property
    def effective_blob_url(self) -> str:
        """Return the configured blob URL, or a directory under ``data_dir``."""
        return self.blob_url or f"file://{self.data_dir / 'blobs'}"

    def require(self, name: str) -> Any:
        """Return a setting that must be present, or raise a ConfigError naming its variable."""
        value = getattr(self, name)
        if value in (None, ""):
            raise ConfigError(
                f"SITREP_{name.upper()} is not set.",
                fix=f"Set SITREP_{name.upper()}, or SITREP_{name.upper()}_FILE to a file with it.",
            )
        if name in SECRET_FIELDS and value == DEMO_SECRET and not self.demo:
            raise ConfigError(
                f"SITREP_{name.upper()} still has the demo value.",
                fix="Generate a real secret; demo secrets are allowed only by `sitrep desk demo`.",
            )
        return value


def _file_overrides(environ: dict[str, str]) -> dict[str, Any]:
    """Read ``SITREP_<NAME>_FILE`` secrets and the optional TOML config file."""
    values: dict[str, Any] = {}
    config_path = environ.get("SITREP_CONFIG")
    if config_path:
        try:
            values.update(tomllib.loads(Path(config_path).read_text()))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"SITREP_CONFIG: cannot read {config_path}: {exc}") from None
    for name in SECRET_FIELDS:
        path = environ.get(f"SITREP_{name.upper()}_FILE")
        if path and f"SITREP_{name.upper()}" not in environ:
            try:
                values[name] = Path(path).read_text().strip()
            except OSError as exc:
                raise ConfigError(
                    f"SITREP_{name.upper()}_FILE: cannot read {path}: {exc}"
                ) from None
    return values


def load_settings(**overrides: Any) -> Settings:
    """Build Settings from the environment, files and ``overrides``; errors name the variable."""
    environ = dict(os.environ)
    file_values = _file_overrides(environ)
    # Environment variables win over the TOML file, so only pass file values that the
    # environment does not set; explicit overrides win over both.
    init = {k: v for k, v in file_values.items() if f"SITREP_{k.upper()}" not in environ}
    init.update(overrides)
    try:
        return Settings(**init)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        var = (
            "DO_NOT_TRACK"
            if field in ("do_not_track", "DO_NOT_TRACK")
            else f"SITREP_{field.upper()}"
        )
        raise ConfigError(f"{var}: {first['msg']}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (cached; tests call ``get_settings.cache_clear()``)."""
    return load_settings()

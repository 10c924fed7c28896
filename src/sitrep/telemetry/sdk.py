"""``Telemetry``: what a host app creates once and counts with (DESIGN §3.5).

    t = Telemetry(app="acme-reports", app_version="2.4.1", host_product="jira",
                  host_version="9.12", store=engine, allowlist="allowlist.yaml",
                  endpoint="https://desk.example.com")
    t.counter("export/format:csv").inc()
    t.histogram("export/rows", buckets=[1000, 10000]).observe(rows)

Modes are ``off`` (count nothing), ``local`` (count, never send) and ``on`` (count and
send weekly reports), stored in the host DB with the date they were chosen, like Go's
``"on 2024-01-15"``. The vendor picks the default per app; the admin changes it with
``sitrep telemetry on|off|local``. ``DO_NOT_TRACK=1`` forces ``off``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from sitrep.client.hoststore import HostStore, settings_key, store_exists
from sitrep.config import Settings, load_settings
from sitrep.errors import ConfigError, ValidationError
from sitrep.telemetry import report as rpt
from sitrep.telemetry import upload as net
from sitrep.telemetry.config import LABEL_RE, Allowlist, load_allowlist, parse_allowlist
from sitrep.telemetry.counters import Counter, CounterBuffer, Histogram, start_flushing

MODES = ("off", "local", "on")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _label(field: str, value: str) -> str:
    if not isinstance(value, str) or not LABEL_RE.fullmatch(value):
        raise ValidationError(
            f"{field} must be a short name without spaces (letters, digits, '.', '_', '+', '-')."
        )
    return value


class Telemetry:
    """Anonymous usage counters for one app, kept in the host product's database."""

    def __init__(
        self,
        *,
        app: str,
        app_version: str,
        host_product: str,
        host_version: str,
        store: str | Engine,
        allowlist: str | Path | Allowlist | None = None,
        endpoint: str | None = None,
        clock: Callable[[], datetime] | None = None,
        default_mode: str = "local",
        settings: Settings | None = None,
        flush_interval: float | None = 5.0,
    ) -> None:
        if default_mode not in MODES:
            raise ValidationError(f"default_mode must be one of {', '.join(MODES)}.")
        self.product = rpt.Product(
            _label("app", app),
            _label("app_version", app_version),
            _label("host_product", host_product),
            _label("host_version", host_version),
        )
        self.app = app
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self._allowlist_source = allowlist
        self._allowlist: Allowlist | None = allowlist if isinstance(allowlist, Allowlist) else None
        self._clock = clock or _utcnow
        self._settings = settings or load_settings()
        self.store = HostStore(store)
        self._counters: dict[str, Counter] = {}
        self.buffer = CounterBuffer(self._clock, self._write_counts)
        if self.store.get(settings_key(app, "mode")) is None:
            self._store_mode(default_mode)
        self._remember_product()
        self.buffer.enabled = self.mode != "off"
        if flush_interval:
            start_flushing(self.buffer, flush_interval)

    def _remember_product(self) -> None:
        """Keep what the report says about the product, for `sitrep telemetry view`."""
        doc = vars(self.product) | {"endpoint": self.endpoint}
        source = self._allowlist_source
        if isinstance(source, str | Path):
            # A file path is kept absolute so the CLI finds it from any directory.
            is_url = str(source).startswith(("http://", "https://"))
            doc["allowlist"] = str(source) if is_url else str(Path(source).resolve())
        value = json.dumps(doc, sort_keys=True)
        if self.store.get(settings_key(self.app, "product")) != value:
            self.store.set(settings_key(self.app, "product"), value)

    @classmethod
    def from_store(
        cls,
        store: str | Engine,
        *,
        app: str | None = None,
        allowlist: str | Path | None = None,
        endpoint: str | None = None,
        **options: Any,
    ) -> Telemetry:
        """Open the telemetry a host app keeps in ``store`` (what the CLI acts on).

        ``app`` may be left out when the store holds one app; ``allowlist`` and
        ``endpoint`` default to what the host app configured.
        """
        if isinstance(store, str) and not store_exists(store):
            raise ConfigError(f"There is no database at {store}.", fix="Check --store.")
        host = HostStore(store)
        apps = host.apps()
        if app is None and len(apps) != 1:
            found = ", ".join(apps) or "none"
            raise ConfigError(f"Say which app with --app (apps in this store: {found}).")
        app = app or apps[0]
        saved = host.get(settings_key(app, "product"))
        if saved is None:
            raise ConfigError(
                f"No telemetry for app {app!r} in this store.",
                fix="Check --store and --app; the host app must have started Telemetry once.",
            )
        doc = json.loads(saved)
        return cls(
            app=app,
            app_version=doc["app_version"],
            host_product=doc["host_product"],
            host_version=doc["host_version"],
            store=host.engine,
            allowlist=allowlist or doc.get("allowlist"),
            endpoint=endpoint or doc.get("endpoint"),
            flush_interval=None,
            **options,
        )

    # --- counting -----------------------------------------------------------------
    def counter(self, name: str) -> Counter:
        """Return the counter ``name`` (``feature/path:bucket``); ValidationError if invalid."""
        found = self._counters.get(name)
        if found is None:
            found = self._counters[name] = Counter(name, self.buffer)
        return found

    def histogram(self, name: str, buckets: Sequence[float], unit: str = "") -> Histogram:
        """Return a histogram whose buckets are named by upper bound (see ``counters``)."""
        return Histogram(name, buckets, self.buffer, unit)

    def flush(self) -> None:
        """Write buffered increments to the host DB now."""
        self.buffer.flush()

    def _write_counts(self, counts: dict[tuple[str, str], int]) -> None:
        # Re-read the mode at every flush, so an admin's `sitrep telemetry off` in another
        # process stops counting here too; counts buffered since then are dropped.
        self.buffer.enabled = self.mode != "off"
        if self.buffer.enabled:
            self.store.add_counts(self.app, counts)

    # --- mode -----------------------------------------------------------------------
    def _stored(self) -> tuple[str, date | None]:
        """Return the stored mode and its as-of date."""
        value = self.store.get(settings_key(self.app, "mode")) or "local"
        mode, _, asof = value.partition(" ")
        return (mode if mode in MODES else "off"), (date.fromisoformat(asof) if asof else None)

    def _store_mode(self, mode: str) -> None:
        self.store.set(settings_key(self.app, "mode"), f"{mode} {self._clock().date().isoformat()}")

    @property
    def mode(self) -> str:
        """Return the effective mode: ``off`` under DO_NOT_TRACK=1, else the stored one."""
        return "off" if self._settings.do_not_track else self._stored()[0]

    @property
    def asof(self) -> date | None:
        """Return the date the stored mode was chosen."""
        return self._stored()[1]

    def set_mode(self, mode: str) -> None:
        """Switch to ``off``, ``local`` or ``on``; switching on again keeps the first as-of date."""
        if mode not in MODES:
            raise ValidationError(f"Unknown mode {mode!r}.", fix=f"Use one of: {', '.join(MODES)}.")
        self.flush()
        if self._stored()[0] != mode:
            self._store_mode(mode)
        self.buffer.enabled = self.mode != "off"

    # --- allow-list ---------------------------------------------------------------
    def _allowlist_url(self) -> str | None:
        source = self._allowlist_source
        if isinstance(source, str) and source.startswith(("http://", "https://")):
            return source
        if source is None and self.endpoint:
            return f"{self.endpoint}/api/v1/telemetry/allowlists/{self.app}"
        return None

    def allowlist(self, *, may_fetch: bool = False) -> Allowlist:
        """Return the allow-list: from its file, or fetched (only if ``may_fetch``) and cached."""
        if self._allowlist is None:
            url = self._allowlist_url()
            if url is None and self._allowlist_source is None:
                raise ConfigError(
                    "No allow-list is configured.", fix="Pass allowlist=PATH or endpoint=URL."
                )
            self._allowlist = (
                load_allowlist(Path(str(self._allowlist_source)))
                if url is None
                else self._remote_allowlist(url, may_fetch)
            )
        if self._allowlist.app != self.app:
            raise ConfigError(f"The allow-list is for {self._allowlist.app!r}, not {self.app!r}.")
        return self._allowlist

    def _remote_allowlist(self, url: str, may_fetch: bool) -> Allowlist:
        """Fetch the allow-list when allowed; otherwise use the copy cached in the host DB."""
        key = settings_key(self.app, "allowlist")
        if may_fetch:
            try:
                doc = net.fetch_allowlist(url)
            except Exception as exc:
                raise ConfigError(f"Cannot fetch the allow-list ({type(exc).__name__}).") from None
            allowlist = parse_allowlist(doc, url)
            self.store.set(key, json.dumps(doc))
            return allowlist
        cached = self.store.get(key)
        if cached is None:
            raise ConfigError(
                "The allow-list has not been fetched yet; it is fetched only when telemetry is on.",
                fix="Give a local copy with --allowlist FILE to view the report.",
            )
        return parse_allowlist(json.loads(cached), url)

    # --- reports --------------------------------------------------------------------
    def due_weeks(self) -> list[str]:
        """Return the finished, unsent, not-too-old weeks that have counts after opting in."""
        mode, asof = self._stored()
        if self.mode != "on" or mode != "on":
            return []
        self.flush()
        now = self._clock()
        weeks = sorted({rpt.week_of(day) for day in self.store.days(self.app, after=asof)})
        return [
            week
            for week in weeks
            if rpt.week_end(week) <= now < rpt.week_end(week) + rpt.MAX_AGE
            and (self.store.report(self.app, week) or {}).get("status") not in ("sent", "rejected")
        ]

    def view(self, week: str | None = None, *, may_fetch: bool = False) -> dict[str, Any]:
        """Return the exact report that would be sent for ``week``.

        Without ``week``: the oldest due week, else the current week so far. A week
        already sent returns the body that was sent. When the mode is ``on``, days up to
        the as-of date are left out; in ``local`` mode the whole week is shown, as it
        would be reported, although nothing is ever sent in that mode.
        """
        self.flush()
        week = week or next(iter(self.due_weeks()), None) or rpt.week_of(self._clock().date())
        rpt.week_bounds(week)  # Refuse a malformed week before touching the store.
        row = self.store.report(self.app, week)
        if row and row["status"] == "sent" and row["body"]:
            return dict(json.loads(row["body"]))
        return self._build(week, self.allowlist(may_fetch=may_fetch))

    def _build(self, week: str, allowlist: Allowlist) -> dict[str, Any]:
        """Build a week's report, drawing its random id and X once and keeping them."""
        row = self.store.add_report(self.app, week, rpt.new_report_id(), rpt.draw_x())
        mode, asof = self._stored()
        days = rpt.reportable_days(week, asof if mode == "on" else None)
        counts = self.store.counts(self.app, *days) if days else {}
        return rpt.build_report(
            product=self.product,
            week=week,
            report_id=row["report_id"],
            x=row["x"],
            allowlist=allowlist,
            counts=counts,
        )

    def upload(self, **send_options: Any) -> dict[str, str]:
        """Send every due week's report once; return ``{week: outcome}``.

        Nothing happens unless the mode is ``on`` and an endpoint is configured. With
        SITREP_TELEMETRY_DEBUG=1 each report is printed to stderr instead of sent.
        """
        if self.mode != "on" or not self.endpoint:
            return {}
        self.flush()
        weeks = self.due_weeks()
        if not weeks:
            return {}
        allowlist = self.allowlist(may_fetch=True)
        return {week: self._send(week, allowlist, send_options) for week in weeks}

    def _send(self, week: str, allowlist: Allowlist, send_options: dict[str, Any]) -> str:
        report = self._build(week, allowlist)
        unlisted = [name for name in report["counters"] if not allowlist.allows(name)]
        if unlisted:  # build_report filters these; this guard keeps it that way.
            raise ValidationError(f"Refusing to send unlisted counter {unlisted[0]!r}.")
        body = net.encode(report)
        if self._settings.telemetry_debug:
            sys.stderr.write(f"[sitrep telemetry] {body.decode()}\n")
            return "printed"
        assert self.endpoint is not None
        outcome = net.send_report(self.endpoint, body, **send_options)
        if outcome in ("sent", "rejected"):
            self.store.finish_report(self.app, week, outcome, body.decode())
        return outcome

    def status(self) -> dict[str, Any]:
        """Return the mode, its as-of date, why, and which weeks are sent or due."""
        stored, asof = self._stored()
        rows = self.store.reports(self.app)
        return {
            "app": self.app,
            "mode": self.mode,
            "asof": asof.isoformat() if asof else None,
            "reason": "DO_NOT_TRACK=1" if self._settings.do_not_track else f"stored mode {stored}",
            "endpoint": self.endpoint,
            "due_weeks": self.due_weeks(),
            "sent_weeks": [r["week"] for r in rows if r["status"] == "sent"],
            "rejected_weeks": [r["week"] for r in rows if r["status"] == "rejected"],
        }

"""The vendor's allow-list: which counters may ever leave a customer's machine.

An allow-list is a versioned YAML file, one per app (DESIGN §3.5)::

    version: 3
    app: acme-reports
    counters:
      - name: "export/format:{csv,xlsx,pdf}"   # braces expand to the allowed buckets
        description: Which export format people choose
        rate: 1.0                             # fraction of reports that carry it (X <= rate)
        chart: partition

Counter names are ``feature/path:bucket`` in a restricted charset, so that no free text
(an email address, a host name with spaces, a sentence) can ever be a counter name.
Both the client and the desk use this module: the client to refuse to send an unlisted
counter, the desk to refuse a report that carries one.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sitrep.errors import SpecError, ValidationError

#: Longest counter name accepted, buckets included.
MAX_NAME_LENGTH = 120

#: ``feature/path`` is lower-case words joined by ``/``; the bucket after ``:`` may also
#: use the characters histogram bounds need (``<1000``, ``>=10000``, ``<1.5s``).
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.\-]*(/[a-z0-9][a-z0-9_.\-]*)*(:[a-z0-9_.\-<>=+]+)?$")

#: Names of apps, versions and host products: short, no spaces, no '@'.
LABEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+\-]{0,63}$")

CHARTS = ("partition", "histogram", "count")


def check_counter_name(name: str) -> str:
    """Return ``name`` if it is a valid counter name, else raise ValidationError.

    Valid: ``feature/path`` in ``[a-z0-9_.-]`` words separated by ``/``, then an optional
    ``:bucket`` that may also hold ``<``, ``>``, ``=`` and ``+``; at most 120 characters.
    """
    if not isinstance(name, str) or len(name) > MAX_NAME_LENGTH or not NAME_RE.fullmatch(name):
        shown = name[:40] if isinstance(name, str) else type(name).__name__
        # Quote only a bounded prefix: a bad name may be exactly the personal data we refuse.
        raise ValidationError(
            f"Invalid counter name {shown!r}.",
            fix="Use feature/path:bucket with a-z, 0-9, '_', '.', '-' (and <>=+ in the bucket), "
            f"at most {MAX_NAME_LENGTH} characters.",
        )
    return name


def expand(pattern: str) -> list[str]:
    """Return the names a pattern stands for: ``a:{x,y}`` gives ``a:x`` and ``a:y``."""
    parts = re.split(r"\{([^{}]*)\}", pattern)
    # re.split with one group alternates literal text and brace contents.
    choices = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]
    return ["".join(combo) for combo in itertools.product(*choices)]


@dataclass(frozen=True)
class CounterSpec:
    """One allow-list entry (a pattern that may expand to several counter names)."""

    name: str
    description: str
    rate: float
    chart: str


@dataclass(frozen=True)
class Allowlist:
    """A parsed, validated allow-list with its patterns expanded to exact names."""

    version: int
    app: str
    counters: tuple[CounterSpec, ...]
    rates: dict[str, float]

    def allows(self, name: str) -> bool:
        """Return True when ``name`` is listed."""
        return name in self.rates

    def to_dict(self) -> dict[str, Any]:
        """Return the allow-list as the desk serves it (patterns, not expanded names)."""
        return {
            "version": self.version,
            "app": self.app,
            "counters": [vars(spec).copy() for spec in self.counters],
        }


def _spec(entry: Any, index: int, source: str) -> CounterSpec:
    """Return one validated counter entry."""
    where = f"counters[{index}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise SpecError(f"{where}: expected a mapping with a 'name'.", file=source)
    rate = entry.get("rate", 1.0)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
        raise SpecError(f"{where}: rate must be a number from 0 to 1.", file=source)
    chart = entry.get("chart", "count")
    if chart not in CHARTS:
        raise SpecError(f"{where}: chart must be one of {', '.join(CHARTS)}.", file=source)
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise SpecError(f"{where}: description must be text.", file=source)
    return CounterSpec(entry["name"], description, float(rate), chart)


def parse_allowlist(doc: Any, source: str = "<allowlist>") -> Allowlist:
    """Validate an allow-list document (already loaded from YAML or JSON)."""
    if not isinstance(doc, dict):
        raise SpecError("expected a mapping with version, app and counters.", file=source)
    version, app, entries = doc.get("version"), doc.get("app"), doc.get("counters")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SpecError("version must be a positive integer.", file=source)
    if not isinstance(app, str) or not LABEL_RE.fullmatch(app):
        raise SpecError("app must be a short name without spaces.", file=source)
    if not isinstance(entries, list):
        raise SpecError("counters must be a list.", file=source)
    specs = tuple(_spec(entry, i, source) for i, entry in enumerate(entries))
    rates: dict[str, float] = {}
    for spec in specs:
        for name in expand(spec.name):
            try:
                check_counter_name(name)
            except ValidationError as exc:
                raise SpecError(exc.message, file=source) from None
            rates[name] = spec.rate
    return Allowlist(version=version, app=app, counters=specs, rates=rates)


def load_allowlist(path: Path) -> Allowlist:
    """Read and validate an allow-list YAML file."""
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"cannot read the allow-list: {exc.strerror}", file=str(path)) from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise SpecError(
            "the allow-list is not valid YAML.",
            file=str(path),
            line=None if line is None else line + 1,
        ) from None
    return parse_allowlist(doc, str(path))


def load_allowlist_dir(directory: Path) -> dict[str, Allowlist]:
    """Load every ``*.yaml``/``*.yml`` in ``directory``, keyed by app."""
    lists: dict[str, Allowlist] = {}
    for path in sorted(Path(directory).glob("*.y*ml")):
        allowlist = load_allowlist(path)
        if allowlist.app in lists:
            raise SpecError(f"a second allow-list for app {allowlist.app!r}.", file=str(path))
        lists[allowlist.app] = allowlist
    return lists

"""The default rule set: one family per module, joined here.

A rule is a re2 pattern (linear time, so no line can trigger super-linear matching) whose
named groups say what to do with the text they capture:

* ``secret``: replace with the mask (credentials, removed in every profile);
* ``user``, ``email``, ``ip4``, ``ip6``, ``mac``, ``host``, ``fqdn``, ``label``, ``word``:
  replace with a keyed pseudonym (personal identifiers, standard and paranoid profiles);
* ``path``: mask a URL path and query (paranoid);
* ``key`` and any other name: context, kept as it is.

A group name may end in digits (``secret2``) because re2 needs unique names. A rule may have
a ``check`` that sees the whole match and can veto it (placeholders, entropy, context).

Every rule also has a ``trigger``: a small pattern that must occur on any line the rule can
match (a keyword, ``@``, ``://``, a digit-dot run). The engine first finds the lines where
some trigger occurs, at full DFA speed, and runs the complete rules only on those lines.
A trigger may fire too often (that only costs time) but must never miss.
To add a rule, add it to its family's ``RULES`` list and a test in ``tests/redact/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: Profiles in increasing strength.
PROFILES = ("minimal", "standard", "paranoid")

Groups = dict[str, tuple[int, int]]
Check = Callable[[bytes, Groups, "CheckContext"], bool]


class CheckContext:
    """What a rule's check may consult: the profile and what discovery learned."""

    profile: str = "standard"
    customer_domains: frozenset[bytes] = frozenset()


@dataclass(frozen=True)
class Rule:
    """One redaction rule. ``profile`` is the weakest profile that enables it."""

    name: str
    pattern: str
    profile: str = "minimal"
    check: Check | None = None
    #: Discovery learns the values this rule captures and rewrites them everywhere.
    learn: bool = False
    #: Necessary condition for a match, as a re2 pattern; None means the pattern itself.
    trigger: str | None = None
    #: Bytes to skip over after a refused match (a run of digits and dots after "1.2.3.4"
    #: refused as an OID), so a long run costs one search instead of one per byte.
    skip: bytes = b""

    def enabled_in(self, profile: str) -> bool:
        return PROFILES.index(profile) >= PROFILES.index(self.profile)


def default_rules() -> list[Rule]:
    """Return every built-in rule, most specific first (order breaks ties at one position)."""
    from sitrep.redact.rules import credentials, formats, identity, network, providers

    # Identity and network rules with a labelled key come before the generic key-value
    # rule: at one position the first rule wins, and "assignee=" or "author=" holds "sig"
    # and "auth", which the key-value rule would take and then refuse.
    return [
        *credentials.PRIORITY_RULES,
        *providers.RULES,
        *identity.RULES,
        *network.RULES,
        *credentials.RULES,
        *formats.RULES,
    ]

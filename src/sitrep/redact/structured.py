"""Structure-aware redaction by key name for YAML, ``.properties``, ``.env`` and INI files.

Line rules already catch ``key=value`` and ``"key": "value"`` anywhere. These parsers add
what a line cannot show: values that span lines (YAML block scalars, ``.properties``
continuations), values with spaces, every value of a Kubernetes ``Secret``, and the
``yamlPath`` removals of Redactor specs. Edits are byte spans, so the rest of the file is
left byte-identical.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from sitrep.redact.matcher import Edit
from sitrep.redact.removals import SpecRedactor
from sitrep.redact.rules.credentials import value_is_secret

STRUCTURED_LIMIT = 16 << 20
MASK = b"***HIDDEN***"
_YAML = (".yaml", ".yml")
_KEYVALUE = (".properties", ".env", ".ini", ".cfg", ".conf", ".cnf", ".toml")
_LINE = re.compile(
    rb"(?m)^[ \t]*(?:export[ \t]+)?(?P<key>[A-Za-z0-9_.\-\[\]]+)[ \t]*[=:][ \t]*(?P<value>[^\r\n]*)"
)


def is_structured(name: str) -> bool:
    """True for file names this module understands."""
    lower = name.lower()
    return lower.endswith(_YAML + _KEYVALUE) or lower.rsplit("/", 1)[-1].startswith(".env")


def structured_edits(name: str, data: bytes, specs: list[SpecRedactor]) -> list[Edit]:
    """Return masking edits for secrets found by structure (and spec ``yamlPath``s)."""
    lower = name.lower()
    if lower.endswith(_YAML):
        paths = [p for spec in specs for p in spec.yaml_paths]
        return _yaml_edits(data, paths)
    return _keyvalue_edits(data)


def _keyvalue_edits(data: bytes) -> list[Edit]:
    out = []
    for match in _LINE.finditer(data):
        start, end = match.span("value")
        value = data[start:end].rstrip()
        while data[start + len(value) - 1 : start + len(value)] == b"\\":  # continuation
            nxt = data.find(b"\n", start + len(value) + 1)
            value = data[start : len(data) if nxt < 0 else nxt].rstrip()
        stripped = value.strip(b"\"'")
        if stripped and value_is_secret(match.group("key"), stripped):
            lead = (len(value) - len(value.lstrip(b"\"'"))) if value[:1] in b"\"'" else 0
            out.append(
                Edit(
                    start + lead, start + lead + len(stripped), MASK, "credentials.structured", True
                )
            )
    return out


def _yaml_edits(data: bytes, paths: list[list[str]]) -> list[Edit]:
    try:
        text = data.decode("utf-8")
        docs = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except (UnicodeDecodeError, yaml.YAMLError):
        return []  # Not valid YAML: the line rules still apply.
    offset = _Offsets(text, data)
    out: list[Edit] = []
    for doc in docs:
        if doc is None:
            continue
        secret_kind = _is_k8s_secret(doc)
        _walk(doc, [], secret_kind, False, out, offset)
        for path in paths:
            for node in _select(doc, path):
                _mask_leaves(node, "spec.yamlPath", out, offset)
    return out


def _walk(
    node: Any,
    path: list[str],
    k8s_secret: bool,
    under: bool,
    out: list[Edit],
    offset: _Offsets,
) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else ""
            strong = under or (k8s_secret and not path and name in ("data", "stringData"))
            if isinstance(value, yaml.ScalarNode):
                if strong or value_is_secret(name.encode(), str(value.value).encode()):
                    _mask_scalar(value, "credentials.structured", out, offset)
            else:
                child_under = strong or _is_strong(name)
                _walk(value, [*path, name], k8s_secret, child_under, out, offset)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if isinstance(item, yaml.ScalarNode) and under:
                _mask_scalar(item, "credentials.structured", out, offset)
            else:
                _walk(item, path, k8s_secret, under, out, offset)


def _is_strong(name: str) -> bool:
    from sitrep.redact.rules.credentials import key_strength

    return key_strength(name.encode()) == 2


def _is_k8s_secret(doc: Any) -> bool:
    if not isinstance(doc, yaml.MappingNode):
        return False
    return any(
        isinstance(k, yaml.ScalarNode)
        and k.value == "kind"
        and getattr(v, "value", None) == "Secret"
        for k, v in doc.value
    )


def _select(node: Any, path: list[str]) -> list[Any]:
    """Return the nodes at a dotted ``yamlPath`` (``*`` matches any key or index)."""
    if not path:
        return [node]
    head, rest = path[0], path[1:]
    found = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if head == "*" or (isinstance(key, yaml.ScalarNode) and key.value == head):
                found.extend(_select(value, rest))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            if head in ("*", str(i)):
                found.extend(_select(item, rest))
    return found


def _mask_leaves(node: Any, rule: str, out: list[Edit], offset: _Offsets) -> None:
    if isinstance(node, yaml.ScalarNode):
        _mask_scalar(node, rule, out, offset)
    elif isinstance(node, yaml.MappingNode):
        for _key, value in node.value:
            _mask_leaves(value, rule, out, offset)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _mask_leaves(item, rule, out, offset)


def _mask_scalar(node: Any, rule: str, out: list[Edit], offset: _Offsets) -> None:
    if node.value in ("", None):
        return
    start, end = offset(node.start_mark.index), offset(node.end_mark.index)
    if node.style in ("|", ">"):
        # A block scalar runs to the next key: keep the line break so the YAML stays valid.
        replacement = b"|\n" + b" " * (node.start_mark.column + 2) + MASK + b"\n"
        out.append(Edit(start, end, replacement, rule, True))
        return
    if node.style in ("'", '"'):
        start, end = start + 1, end - 1
    if end > start:
        out.append(Edit(start, end, MASK, rule, True))


class _Offsets:
    """Convert PyYAML character indexes to byte offsets (identity for ASCII files)."""

    def __init__(self, text: str, data: bytes) -> None:
        self._ascii = len(text) == len(data)
        self._text = text

    def __call__(self, index: int) -> int:
        return index if self._ascii else len(self._text[:index].encode("utf-8"))

"""The labelled corpus meets the quality goals (same measure as benchmarks/redaction_quality.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _quality_module():
    spec = importlib.util.spec_from_file_location(
        "quality", ROOT / "benchmarks" / "redaction_quality.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_recall_and_negative_preservation_meet_the_goals_on_the_labelled_corpus() -> None:
    result = _quality_module().evaluate(ROOT / "tests" / "redact" / "corpus", "standard")
    assert result["recall"]["credential"] >= 0.995, result["misses"][:5]
    assert result["recall"]["identifier"] >= 0.995, result["misses"][:5]
    assert result["negatives_kept"] >= 0.99, result["misses"][:5]


def test_the_corpus_is_broad() -> None:
    module = _quality_module()
    corpus = ROOT / "tests" / "redact" / "corpus"
    positives, negatives = (
        module.load_all(corpus, "positives"),
        module.load_all(corpus, "negatives"),
    )
    assert len(positives) >= 500 and len(negatives) >= 300
    families = {p["family"] for p in positives} | {n["family"] for n in negatives}
    for family in (
        "uuid",
        "git-sha",
        "checksum",
        "version",
        "maven",
        "timestamp",
        "java",
        "package",
        "base64-image",
        "email",
        "ipv4",
        "ipv6",
        "mac",
        "username",
        "hostname",
        "jwt",
        "private-key",
        "connection-string",
        "url-userinfo",
    ):
        assert family in families

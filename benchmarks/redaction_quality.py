"""Redaction quality on the labelled corpus: recall on secrets/identifiers, negatives kept.

Each corpus text is redacted on its own (discovery, then rewrite) with the standard profile.
A positive value counts as caught when it no longer appears in the output; a negative text
counts as kept when it comes out byte-identical. Goals: recall >= 99.5 % for credentials and
for identifiers, >= 99 % of negatives unchanged.

    python benchmarks/redaction_quality.py [--corpus DIR] [--profile P] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from sitrep.redact import Redactor
from sitrep.redact.engine import FileReport

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "tests" / "redact" / "corpus"


def redact_text(text: str, profile: str) -> str:
    """Redact one text as a file of its own would be: discover, then rewrite."""
    redactor = Redactor(profile=profile, key=b"k" * 32)
    data = text.encode()
    redactor.learn_buffer(data)
    return redactor.redact_buffer(data, "corpus.log", FileReport("corpus.log")).decode(
        "utf-8", "replace"
    )


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def load_all(corpus: Path, kind: str) -> list[dict]:
    """Every ``*positives.jsonl`` (or negatives) file: generated and hand-written."""
    return [item for path in sorted(corpus.glob(f"*{kind}.jsonl")) for item in load(path)]


def evaluate(corpus: Path, profile: str) -> dict:
    """Return recall per kind, negative preservation and the misses."""
    caught, total, misses = Counter(), Counter(), []
    for item in load_all(corpus, "positives"):
        out = redact_text(item["text"], profile)
        for value in item["values"]:
            total[item["kind"]] += 1
            if value in out:
                misses.append(("missed", item["family"], item["text"], out))
            else:
                caught[item["kind"]] += 1
    kept = changed = 0
    for item in load_all(corpus, "negatives"):
        out = redact_text(item["text"], profile)
        if out == item["text"]:
            kept += 1
        else:
            changed += 1
            misses.append(("changed", item["family"], item["text"], out))
    return {
        "recall": {kind: caught[kind] / total[kind] for kind in total},
        "counts": {kind: f"{caught[kind]}/{total[kind]}" for kind in total},
        "negatives_kept": kept / max(kept + changed, 1),
        "negatives": f"{kept}/{kept + changed}",
        "misses": misses,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--profile", default="standard")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    result = evaluate(args.corpus, args.profile)
    for kind, recall in sorted(result["recall"].items()):
        goal = "ok" if recall >= 0.995 else "BELOW GOAL 99.5%"
        print(f"recall {kind:<11} {recall * 100:6.2f} %  ({result['counts'][kind]})  {goal}")
    goal = "ok" if result["negatives_kept"] >= 0.99 else "BELOW GOAL 99%"
    kept = result["negatives_kept"] * 100
    print(f"negatives kept     {kept:6.2f} %  ({result['negatives']})  {goal}")
    print(f"corpus: {args.corpus} profile: {args.profile} ({time.perf_counter() - started:.1f} s)")
    if args.show_misses:
        for what, family, text, out in result["misses"]:
            print(f"--- {what} [{family}]\n  in:  {text[:300]!r}\n  out: {out[:300]!r}")
    ok = all(r >= 0.995 for r in result["recall"].values()) and result["negatives_kept"] >= 0.99
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

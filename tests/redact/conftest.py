"""Helpers shared by the redaction tests: redact a text the way a file would be."""

from __future__ import annotations

import pytest

from sitrep.redact import Redactor
from sitrep.redact.engine import FileReport

KEY = b"k" * 32


def redact(text: str, profile: str = "standard", key: bytes = KEY, **kwargs: object) -> str:
    """Discover, then rewrite ``text`` as one file; return the output."""
    redactor = Redactor(profile=profile, key=key, **kwargs)
    data = text.encode()
    redactor.learn_buffer(data)
    return redactor.redact_buffer(data, "test.log", FileReport("test.log")).decode()


@pytest.fixture
def redactor() -> Redactor:
    return Redactor(profile="standard", key=KEY)

"""Provider tokens are recognised by shape, with or without a key in front of them."""

from __future__ import annotations

import pytest
from tests.redact.conftest import redact

TOKENS = {
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "github": "ghp_R2D2C3POr2d2c3poR2D2C3POr2d2c3po1234",
    "github-fine-grained": "github_pat_11ABCDEFG0123456789_" + "abcdefghij0123456789" * 3,
    "gitlab": "glpat-Xy9_AbCdEfGhIjKlMnOp",
    "slack": "xoxb-123456789012-123456789012-AbCdEfGhIjKlMnOpQrStUvWx",
    "stripe": "sk_live_51HqAbCdEfGhIjKlMnOpQrStUv",
    "google": "AIzaSyD-1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7",
    "azure": "abc8Q~AbCdEfGhIjKlMnOpQrStUvWxYz0123456",
    "atlassian": "ATATT3xFfGF0T9dLkq2w8ZpR7mYvN4sB6cH1jE5uA0oI3gX-_kWq9eRt2yU7iOp4=1A2B3C4D",
    "npm": "npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "pypi": "pypi-AgEIcHlwaS5vcmc" + "AbCdEfGh12" * 6,
    "sendgrid": "SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "docker": "dckr_pat_BkaoaLAYcuwyYZuOviYBkJoTfFD",
    "vault": "hvs.CAESIJ2x9ZqLkP3mN8vB4cX7zQ1w",
    "huggingface": "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",
    "openai": "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxT3BlbkFJAbCdEfGhIjKlMnOpQrStUvWx",
    "sonarqube": "squ_71623208d9180036d54c1a9b732f9cb6bc72fab6",
    "jfrog": "AKCp87RELIearzHN7IA4AujXOZOIqkpfbMUQd6sKovEdaicg4dH0qbCVXEhM5FvtPiwMuJlpU",
    "notion": "secret_KaQMbWVoVV9aHO9i4v9BhFTWC7drSNcmlTYgwmtY9HO",
    "firebase": "AAAAosA7bHj:APA91b" + "Aak1TAKVQZQS1GFHoM8Pfwvfmz213A5a8b_nw-yjpFZ" * 3,
    "bitlocker": "391941-697829-245564-302159-137412-540518-125345-621434",
}


@pytest.mark.parametrize("provider", sorted(TOKENS))
def test_it_removes_each_provider_token_pasted_into_a_log_line(provider: str) -> None:
    token = TOKENS[provider]
    out = redact(f"2026-11-29 10:00:00 INFO using credential {token} for sync", profile="minimal")
    assert token not in out


def test_it_reports_provider_tokens_under_their_own_rule() -> None:
    from sitrep.redact import Redactor
    from sitrep.redact.engine import FileReport

    report = FileReport("x")
    Redactor(profile="minimal").redact_buffer(f"key {TOKENS['npm']}\n".encode(), "x", report)
    assert report.rules == {"credentials.provider-token": {"count": 1, "lines": [1]}}


def test_it_does_not_take_look_alikes_for_tokens() -> None:
    for line in ("sk-learn 1.3.2 installed", "ghp_short", "AKIA is a prefix", "xoxb-1"):
        assert redact(line) == line

"""Counter names come from a restricted charset, histograms name buckets by upper bound,
and allow-lists expand braces and refuse bad entries with the file and the reason."""

from __future__ import annotations

import pytest

from sitrep.errors import SpecError, ValidationError
from sitrep.telemetry.config import check_counter_name, expand, load_allowlist, parse_allowlist
from sitrep.telemetry.counters import bucket_names


@pytest.mark.parametrize(
    "name",
    ["export/format:csv", "export/rows:<1000", "export/rows:>=10000", "a", "x/y-z_1.2:<1.5s"],
)
def test_it_accepts_feature_path_bucket_names(name):
    assert check_counter_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "export/user:alice@example.com",
        "export/format: csv",
        "Export/Format",
        "export//double",
        "/leading",
        "export/format:",
        "export:a:b",
        "x" * 121,
        "",
        "naïve/ü",
        "export/format:csv\n",
    ],
)
def test_it_refuses_anything_else(name):
    with pytest.raises(ValidationError, match="Invalid counter name"):
        check_counter_name(name)


def test_histogram_buckets_are_named_by_upper_bound():
    assert bucket_names([1000, 10000]) == ["<1000", "<10000", ">=10000"]
    assert bucket_names([0.5, 2], unit="s") == ["<0.5s", "<2s", ">=2s"]


def test_braces_expand_to_every_combination():
    assert expand("export/format:{csv,xlsx}") == ["export/format:csv", "export/format:xlsx"]
    assert expand("a/{x,y}:{1,2}") == ["a/x:1", "a/x:2", "a/y:1", "a/y:2"]
    assert expand("plain") == ["plain"]


def test_an_allowlist_lists_the_expanded_names_with_their_rates(allowlist_file):
    allowlist = load_allowlist(allowlist_file)
    assert allowlist.version == 2
    assert allowlist.allows("export/rows:>=10000")
    assert allowlist.rates["report/schedule:daily"] == 0.5
    assert not allowlist.allows("export/format:doc")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"app": "a", "counters": []}, "version must be a positive integer"),
        ({"version": 1, "app": "has space", "counters": []}, "app must be a short name"),
        ({"version": 1, "app": "a", "counters": [{"name": "x", "rate": 2}]}, "rate must be"),
        ({"version": 1, "app": "a", "counters": [{"name": "x", "chart": "pie"}]}, "chart must be"),
        ({"version": 1, "app": "a", "counters": [{"name": "x:{a b,c}"}]}, "Invalid counter name"),
        ({"version": 1, "app": "a", "counters": "x"}, "counters must be a list"),
    ],
)
def test_a_bad_allowlist_is_refused_with_the_reason(doc, message):
    with pytest.raises(SpecError, match=message):
        parse_allowlist(doc, "vendor.yaml")


def test_a_broken_yaml_file_names_the_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("version: 1\napp: a\ncounters: [\n")
    with pytest.raises(SpecError, match=r"broken.yaml:\d+: the allow-list is not valid YAML"):
        load_allowlist(path)

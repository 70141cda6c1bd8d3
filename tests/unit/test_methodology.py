"""Methodology version files: the default reproduces the spec's tables, `extends` overrides only
what it names, invalid versions are refused with a message naming the problem, and the example of
the docs' methodology page is a loadable version."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cchc_etl.methodology import MethodologyError, load_methodology

METHODOLOGY_PAGE = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"


@pytest.fixture()
def version_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_METHODOLOGY_DIR", str(tmp_path))
    load_methodology.cache_clear()
    yield tmp_path
    load_methodology.cache_clear()


def test_default_version_has_the_spec_groups_and_points():
    m = load_methodology("vn-2025.1")
    assert {g.code: g.max for g in m.groups} == {"G1": 18, "G2": 20, "G3": 12, "G4": 10, "G5": 22, "G6": 18}
    assert sum(g.max for g in m.groups) == 100
    spec = {"IDX_1_1": (6, None), "IDX_1_4": (6, None), "IDX_2_1": (20, None), "IDX_3_1": (0, 80), "IDX_3_3": (0, 50),
            "IDX_3_4": (12, None), "IDX_3_5A": (2, 80), "IDX_3_5B": (2, 80), "IDX_3_6": (6, None), "IDX_4_2": (4, 80),
            "IDX_4_3": (2, 80), "IDX_5_4": (6, 90)}
    assert {c: (m.indicator(c).points, m.indicator(c).threshold) for c in spec} == spec
    assert m.indicator("IDX_3_1").levels == ("city",) and m.indicator("IDX_2_1").levels == ("unit", "department", "city")
    assert [(b.label_vi, b.min) for b in m.bands] == [("Xuất sắc", 90), ("Tốt", 80), ("Khá", 70), ("Trung bình", 50), ("Yếu", None)]
    assert m.indicator("SATISFACTION_RATE").numerator == "rating >= 4"  # from parameters.satisfied_rating_min
    assert len(m.par_areas) == 8 and sum(a.max for a in m.par_areas) == 100


def test_extends_overrides_only_what_it_names(version_dir):
    (version_dir / "p-1.yaml").write_text(
        "version: p-1\nextends: vn-2025.1\nparameters: {satisfied_rating_min: 5}\n"
        "indicators:\n  - {code: IDX_4_2, threshold: 90}\n", encoding="utf-8")
    base, new = load_methodology("vn-2025.1"), load_methodology("p-1")
    assert new.indicator("IDX_4_2").threshold == 90 and new.indicator("IDX_4_2").points == 4
    assert new.indicator("SATISFACTION_RATE").numerator == "rating >= 5"
    changed = [i.code for i, j in zip(base.indicators, new.indicators) if i != j]
    assert changed == ["SATISFACTION_RATE", "IDX_4_2"]
    assert new.groups == base.groups and new.bands == base.bands


@pytest.mark.parametrize("body,message", [
    ("indicators:\n  - {code: IDX_2_1, points: 25}\n", "group G2: max 20 but its indicators' points sum to 25"),
    ("indicators:\n  - {code: X_NEW, name_vi: a, name_en: b, fact: tweets, numerator: 'TRUE', denominator: 'TRUE'}\n", "unknown fact 'tweets'"),
    ("bands:\n  - {code: A, label_vi: a, label_en: a, min: 50}\n  - {code: B, label_vi: b, label_en: b, min: 80}\n"
     "  - {code: C, label_vi: c, label_en: c, min: null}\n", "bands must be ordered"),
    ("indicators:\n  - {code: ON_TIME_REPORT, denominator: ''}\n", "ON_TIME_REPORT: no denominator"),
])
def test_invalid_versions_are_refused(version_dir, body, message):
    (version_dir / "bad.yaml").write_text("version: bad\nextends: vn-2025.1\n" + body, encoding="utf-8")
    with pytest.raises(MethodologyError, match=re.escape(message)):
        load_methodology("bad")


def test_unknown_version_names_the_known_ones():
    with pytest.raises(KeyError, match="vn-2025.1"):
        load_methodology("no-such-version")


def test_docs_example_is_a_valid_version(version_dir):
    text = METHODOLOGY_PAGE.read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(version: hcm-2026\.1\n.*?)```", text, re.S).group(1)
    (version_dir / "hcm-2026.1.yaml").write_text(block, encoding="utf-8")
    m = load_methodology("hcm-2026.1")
    assert m.indicator("IDX_3_4").threshold == 90 and [b.label_vi for b in m.bands] == ["Đạt", "Chưa đạt"]

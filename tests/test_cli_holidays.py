"""`cchc-etl holidays` writes a proposal that the holidays reference loader accepts."""

import csv
import datetime as dt

from cchc_etl.cli import main


def test_holidays_command_writes_loadable_proposal(tmp_path, capsys):
    out = tmp_path / "holidays.csv"
    assert main(["holidays", "2024", "2025", "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    dates = {dt.date.fromisoformat(r["date"]) for r in rows}
    assert dt.date(2024, 2, 10) in dates and dt.date(2025, 1, 29) in dates  # mùng 1 Tết
    assert dt.date(2024, 4, 18) in dates and dt.date(2025, 4, 7) in dates  # Giỗ Tổ Hùng Vương
    assert {r["kind"] for r in rows} <= {"Nghỉ lễ", "Nghỉ bù", "Làm bù"}
    assert "official decision" in capsys.readouterr().out

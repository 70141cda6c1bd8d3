"""``write_sample_landing``: the whole landing tree, month by month."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from cchc_etl.sample.bad_rows import _plant_bad_rows
from cchc_etl.sample.documents import _write_documents
from cchc_etl.sample.dossiers import _Dossier, _new_dossiers, _snapshot
from cchc_etl.sample.email_accounts import _write_email
from cchc_etl.sample.feedback import _Feedback, _new_feedback, _write_feedback
from cchc_etl.sample.manifest import SampleManifest
from cchc_etl.sample.months import _month_bounds, _month_range, _shift_month
from cchc_etl.sample.plan_reference import _write_plan_reference
from cchc_etl.sample.reference import _write_reference
from cchc_etl.sample.surveys import _write_surveys
from cchc_etl.sample.vendors import _SYSTEMS, _file_name, _write_igate, _write_vnpt


def write_sample_landing(out_dir: str | Path, start_month: str, end_month: str, rows_per_month: int = 2000,
                         seed: int = 7) -> SampleManifest:
    """Write reference data and the monthly exports of every source under ``out_dir``.

    ``rows_per_month`` is the number of new dossiers submitted per month across both systems;
    each dossier file also carries the dossiers still open at the end of the previous month.
    The other sources scale with it (ratings follow the resolved dossiers; feedback items,
    documents) except e-mail, which has one row per official account.
    """
    months = _month_range(start_month, end_month)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = SampleManifest(out_dir=out, months=months, seed=seed, rows_per_month=rows_per_month)
    _write_reference(out, seed, manifest)
    _write_plan_reference(out, months, seed, manifest)
    n_feedback = max(20, rows_per_month // 25)
    n_documents = max(24, rows_per_month // 8)

    active: list[_Dossier] = []
    feedback: list[_Feedback] = []
    first_sim = _shift_month(start_month, -2)
    for sim_month in [first_sim, _shift_month(start_month, -1)] + months:
        _, prev_end = _month_bounds(_shift_month(sim_month, -1))
        _, end = _month_bounds(sim_month)
        active = [d for d in active if d.term_at is None or d.term_at > prev_end]
        active.extend(_new_dossiers(sim_month, rows_per_month, seed))
        if sim_month != first_sim:  # feedback: one month of backlog is enough (answered within ~1 month)
            feedback = [f for f in feedback if f.closed_at > prev_end]
            feedback.extend(_new_feedback(sim_month, n_feedback, seed))
        if sim_month not in months:
            continue
        dossier_rows: dict[str, tuple[list[dict[str, Any]], dict[int, tuple[str, str]]]] = {}
        for system in _SYSTEMS:
            rows = []
            for d in active:
                if d.system != system:
                    continue
                snap = _snapshot(d, end)
                if snap is None:
                    continue
                snap["_id_for_url"] = d.dossier_id.replace(".", "_")
                rows.append(snap)
            rows.sort(key=lambda r: (r["received_at"] or dt.datetime.max, r["dossier_id"]))
            bad = _plant_bad_rows(rows, system, sim_month, seed)
            rel = f"dossiers/{sim_month}/{_file_name(system, sim_month)}"
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if system == "igate":
                n, skipped, bad_out = _write_igate(path, rows, bad, sim_month, seed)
            else:
                n, skipped, bad_out = _write_vnpt(path, rows, bad)
            manifest._add(rel, n, skipped, bad_out)
            dossier_rows[system] = (rows, bad)
        _write_surveys(out, manifest, sim_month, dossier_rows, seed)
        _write_feedback(out, manifest, sim_month, feedback, seed)
        _write_documents(out, manifest, sim_month, n_documents, seed)
        _write_email(out, manifest, sim_month, seed)
    return manifest

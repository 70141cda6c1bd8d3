"""Dossier simulation: every dossier gets its whole life at creation, each monthly export is a
snapshot of it at the end of the month."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from cchc_etl.sample.catalogue import _ACTIVE_PROCS, _F, _N, _P, _PA, _UNIT_NUM, Procedure
from cchc_etl.sample.dossier_fields import _IGATE_NOTES
from cchc_etl.sample.months import _month_bounds
from cchc_etl.sample.people import _organisation, _person
from cchc_etl.sample.worktime import _CLOSED, _add_working_days, _due, _is_workday, _snap, _work_moment


@dataclass
class _Dossier:
    system: str
    unit: str
    proc: Procedure
    channel: str
    submitted_at: dt.datetime
    received_at: dt.datetime
    due_at: dt.datetime
    outcome: str | None  # resolved / rejected / withdrawn / None (still open at the horizon)
    term_at: dt.datetime | None
    returned_at: dt.datetime | None
    supplements: list[tuple[dt.datetime, dt.datetime | None]]
    suspension: tuple[dt.datetime, dt.datetime | None, str] | None  # (start, end, vnpt code)
    apology_at: dt.datetime | None
    result_channel: str
    paid_online: bool
    digitized_input: bool
    digitized_result: bool
    synced: bool
    e_result: bool
    data_reused: bool
    citizen_store: bool
    population_data: bool
    applicant: tuple[str, str, str]
    note: str
    early_code2: float  # share of the processing span during which vnpt shows code 2 ("received")
    dossier_id: str = ""


def _system_of(p: Procedure) -> str:
    return "igate" if p.level == _P else "vnpt"


def _pick_channel(rng: random.Random, p: Procedure) -> str:
    p_online = {_F: 0.62, _PA: 0.4, _N: 0.0}[p.online_service_level]
    if rng.random() < p_online:
        return "online"
    return "postal" if rng.random() < 0.09 else "direct"


def _citizen_lag(rng: random.Random) -> dt.timedelta:
    r = rng.random()
    if r < 0.7:
        days = rng.uniform(0.5, 5)
    elif r < 0.95:
        days = rng.uniform(5, 14)
    else:
        days = rng.uniform(14, 30)
    return dt.timedelta(days=days)


def _new_dossiers(month: str, n: int, seed: int) -> list[_Dossier]:
    rng = random.Random(f"cchc-sample:{seed}:{month}")
    m0, m1 = _month_bounds(month)
    all_days = [m0.date() + dt.timedelta(days=i) for i in range(m1.day)]
    workdays = [d for d in all_days if _is_workday(d)]
    saturdays = [d for d in all_days if d.weekday() == 5 and d not in _CLOSED]
    weights = [p.weight for p in _ACTIVE_PROCS]
    out: list[_Dossier] = []
    for _ in range(n):
        p = rng.choices(_ACTIVE_PROCS, weights)[0]
        system = _system_of(p)
        unit = rng.choice(p.owners)
        channel = _pick_channel(rng, p)
        if channel == "online":
            d = rng.choice(all_days)
            hour = rng.choices(range(24), [1, 1, 1, 1, 1, 2, 4, 6, 9, 10, 10, 9, 7, 7, 9, 9, 9, 8, 7, 7,
                                           7, 6, 4, 2])[0]
            submitted = dt.datetime.combine(d, dt.time(hour, rng.randrange(60), rng.randrange(60)))
            received = _snap(submitted + dt.timedelta(minutes=rng.randrange(10, 360)), rng)
        else:
            # a few district/commune desks also open on Saturday morning
            sat = system == "vnpt" and bool(saturdays) and rng.random() < 0.04
            received = _work_moment(rng, saturdays if sat else workdays)
            submitted = received
        due = _due(received, p)
        span = due - received

        supplements: list[tuple[dt.datetime, dt.datetime | None]] = []
        suspension = None
        outcome: str | None
        r = rng.random()
        if r < (0.035 if channel == "online" else 0.012):
            outcome = "rejected"
            term = _snap(received + min(span, dt.timedelta(days=2)) * rng.uniform(0.05, 0.6), rng)
        elif r < 0.055:
            outcome = "withdrawn"
            term = _snap(received + span * rng.uniform(0.1, 0.8), rng)
        else:
            # a few dossiers get stuck (resolved months late), most finish well before the due date
            stuck = r < 0.059
            outcome = "resolved"
            late = stuck or rng.random() < 0.006
            if stuck:
                f = rng.uniform(2.0, 5.0)
            elif late:
                f = rng.uniform(1.05, 1.8)
            else:
                f = min(0.97, rng.betavariate(2.8, 2.0))
            # simple same-day/next-day procedures rarely need a supplement
            short = span < dt.timedelta(days=2)
            k = rng.choices((0, 1, 2), (0.97, 0.027, 0.003) if short else (0.86, 0.12, 0.02))[0]
            marks = sorted(rng.uniform(0.1, 0.85) for _ in range(k))
            susp_mark = rng.uniform(0.2, 0.8) if rng.random() < (0.005 if short else 0.03) else None
            # Most interrupted dossiers still fit in the fixed due date (the officer hurries,
            # the citizen answers quickly); the others overrun it (report-late, index on time).
            fit = (k or susp_mark is not None) and not late and rng.random() < 0.88
            if fit:
                f *= 0.55
            officer = span * f + (dt.timedelta(days=rng.uniform(10, 60)) if stuck else dt.timedelta())
            n_pauses = max(1, k + (susp_mark is not None))

            def pause() -> dt.timedelta:
                if fit:
                    return span * (rng.uniform(0.03, 0.3) / n_pauses)
                return _citizen_lag(rng)

            t, used, term = received, 0.0, None
            events = [("s", a) for a in marks] + ([("p", susp_mark)] if susp_mark is not None else [])
            events.sort(key=lambda e: e[1])
            for kind, a in events:
                t = _snap(t + officer * (a - used), rng)
                used = a
                if kind == "s":
                    if rng.random() < 0.05:  # the citizen never answers: closed as withdrawn later
                        supplements.append((t, None))
                        outcome = "withdrawn"
                        term = _snap(t + dt.timedelta(days=rng.uniform(30, 60)), rng)
                        break
                    done = t + pause()
                    done = _snap(done, rng) if channel != "online" else done
                    supplements.append((t, done))
                    t = done
                else:
                    code = "6" if (p.fee_required and rng.random() < 0.5) else "8"
                    if fit:
                        length = pause()
                    elif rng.random() < 0.2:
                        length = dt.timedelta(days=rng.uniform(20, 60))
                    else:
                        length = dt.timedelta(days=rng.uniform(1, 12))
                    end = _snap(t + length, rng)
                    suspension = (t, end, code)
                    t = end
            if outcome == "resolved":
                term = _snap(t + officer * (1 - used), rng)
                if fit and term > due and t < due:  # the officer makes it on the last day
                    term = t + (due - t) * rng.uniform(0.3, 0.9)
                    snapped = _snap(term, rng)
                    term = snapped if snapped <= due else term

        returned = None
        if outcome == "resolved" and term is not None and rng.random() < 0.88:
            if channel == "online" and rng.random() < 0.7:
                returned = term + dt.timedelta(minutes=rng.randrange(1, 180))
            else:
                returned = _snap(_add_working_days(term, rng.choice((0, 0, 1, 1, 2, 3, 5))) +
                                 dt.timedelta(minutes=rng.randrange(0, 120)), rng)
            if returned < term:
                returned = term
        apology = None
        if outcome == "resolved" and term is not None and term > due and rng.random() < 0.85:
            apology = max(received, due - dt.timedelta(hours=rng.uniform(0, 24)))

        if channel == "online":
            result_channel = rng.choices(["online", "direct", "postal"], [0.5, 0.44, 0.06])[0]
        elif channel == "postal":
            result_channel = rng.choices(["postal", "direct"], [0.8, 0.2])[0]
        else:
            result_channel = rng.choices(["direct", "postal", "online"], [0.85, 0.12, 0.03])[0]
        org = rng.random() < p.org_applicant
        applicant = _organisation(rng) if org else _person(rng)
        out.append(_Dossier(
            system=system, unit=unit, proc=p, channel=channel, submitted_at=submitted,
            received_at=received, due_at=due, outcome=outcome,
            term_at=term if outcome is not None else None, returned_at=returned,
            supplements=supplements, suspension=suspension, apology_at=apology,
            result_channel=result_channel,
            paid_online=p.fee_required and channel == "online" and rng.random() < 0.7,
            digitized_input=rng.random() < 0.86,
            digitized_result=rng.random() < 0.72,
            synced=rng.random() < 0.95,
            e_result=rng.random() < (0.8 if channel == "online" else 0.4),
            data_reused=rng.random() < (0.35 if channel == "online" else 0.12),
            citizen_store=rng.random() < (0.18 if channel == "online" else 0.03),
            population_data=rng.random() < (0.45 if channel == "online" else 0.2),
            applicant=applicant,
            note=rng.choice(_IGATE_NOTES) if rng.random() < 0.05 else "",
            early_code2=rng.uniform(0.0, 0.25),
        ))
    out.sort(key=lambda d: (d.submitted_at, d.system, d.unit))
    # dossier numbers: per system, unit and submission day, in submission order
    seq: dict[tuple[str, str, dt.date], int] = {}
    for d in out:
        key = (d.system, d.unit, d.submitted_at.date())
        seq[key] = seq.get(key, 0) + 1
        day = d.submitted_at.strftime("%y%m%d")
        num = _UNIT_NUM[d.unit]
        if d.system == "igate":
            d.dossier_id = f"H29.{num}-{day}-{seq[key]:04d}"
        else:
            d.dossier_id = f"000.00.{num}.H29-{day}-{seq[key]:04d}"
    return out


def _snapshot(d: _Dossier, T: dt.datetime) -> dict[str, Any] | None:
    """Canonical state of ``d`` as exported at ``T`` (None when not yet submitted)."""
    if d.submitted_at > T:
        return None
    p = d.proc
    row: dict[str, Any] = {
        "dossier_id": d.dossier_id, "procedure_code": p.procedure_code, "procedure_name": p.name,
        "field_name": p.field_name, "unit_code": d.unit, "channel": d.channel,
        "online_service_level": p.online_service_level, "received_at": None, "due_at": None,
        "resolved_at": None, "returned_at": None, "status": "submitted",
        "result_channel": d.result_channel, "apology_sent": False, "fee_required": p.fee_required,
        "paid_online": d.paid_online, "digitized_input": d.digitized_input, "digitized_result": False,
        "synced_national_portal": d.synced, "supplement_count": 0, "supplement_requested_at": None,
        "supplement_completed_at": None, "e_result": False, "data_reused": d.data_reused,
        "citizen_store_linked": d.citizen_store, "population_data_used": d.population_data,
        "applicant_name": d.applicant[0], "applicant_id": d.applicant[1], "applicant_phone": d.applicant[2],
        "_note": d.note, "_vnpt_status": "1",
    }
    if d.received_at > T:
        row["digitized_input"] = False
        row["synced_national_portal"] = False
        return row
    row["received_at"], row["due_at"] = d.received_at, d.due_at
    reqs = [(a, b) for a, b in d.supplements if a <= T]
    if reqs:
        row["supplement_count"] = len(reqs)
        row["supplement_requested_at"] = reqs[-1][0]
        done = reqs[-1][1]
        row["supplement_completed_at"] = done if done is not None and done <= T else None
    row["apology_sent"] = d.apology_at is not None and d.apology_at <= T
    if d.term_at is not None and d.term_at <= T:
        row["resolved_at"] = d.term_at
        if d.outcome == "resolved":
            returned = d.returned_at is not None and d.returned_at <= T
            row["status"] = "returned" if returned else "resolved"
            row["returned_at"] = d.returned_at if returned else None
            row["digitized_result"] = d.digitized_result
            row["e_result"] = d.e_result
            row["_vnpt_status"] = "10" if returned else "9"
        else:
            row["status"] = d.outcome
            row["_vnpt_status"] = "3" if d.outcome == "rejected" else "7"
        return row
    if reqs and row["supplement_completed_at"] is None:
        row["status"], row["_vnpt_status"] = "awaiting_supplement", "5"
    elif d.suspension is not None and d.suspension[0] <= T and (d.suspension[1] is None or d.suspension[1] > T):
        row["status"], row["_vnpt_status"] = "suspended", d.suspension[2]
    else:
        row["status"] = "processing"
        early = T < d.received_at + (d.due_at - d.received_at) * d.early_code2
        row["_vnpt_status"] = "2" if early else "4"
    return row

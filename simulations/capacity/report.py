"""What a run with capacity says: waits by resource and lane, utilisation, queues over time, and
safety under saturation (each red-flag category's urgent imaging within its timescale), as
summary text, JSON and queues.csv. Quantiles are the inverted CDF of the exact wait histograms."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from pathway.spec import CareStep, Waits

from ..model.history import RED_FLAGS
from .file import LANES
from .queues import BOOKED, HOURS
from .totals import SAFETY_CATEGORY, QueueTotals, timescales

HOURLY = ("emergency", "urgent")  # lanes whose waits are given in hours (routine: weeks)


def quantile(histogram: np.ndarray, q: float) -> float:
    """The inverted-CDF quantile of a histogram of whole hours (nan when empty)."""
    n = int(histogram.sum())
    if n == 0:
        return math.nan
    return float(np.searchsorted(np.cumsum(histogram), math.ceil(q * n)))


def report(result) -> dict:
    """Everything the capacity section says, as plain data (the JSON's `capacity`)."""
    t: QueueTotals = result.totals.capacity
    capacity, spec = result.capacity, result.spec
    resources = {}
    for r, name in enumerate(BOOKED):
        lanes = {}
        for lane, word in enumerate(LANES):
            served, waiting = int(t.waits[r, lane].sum()), int(t.still_waiting[r, lane])
            if served or waiting:
                scale = 1 if word in HOURLY else HOURS
                lanes[word] = {"served": served, "still_waiting": waiting, "unit": "hours" if scale == 1 else "weeks",
                               "median": _rounded(quantile(t.waits[r, lane], 0.5) / scale),
                               "p95": _rounded(quantile(t.waits[r, lane], 0.95) / scale)}
        slots, used = t.slots[:, r].sum(axis=0).tolist(), t.used[:, r].sum(axis=0).tolist()
        resources[name] = {"label": capacity.resources[name].label, "lanes": lanes,
                           **{f"{kind}_{what}": values[j] for j, kind in enumerate(("routine", "urgent"))
                              for what, values in (("slots", slots), ("used", used))},
                           **{f"{kind}_utilisation": _rounded(used[j] / slots[j]) if slots[j] else None
                              for j, kind in enumerate(("routine", "urgent"))},
                           "waiting_by_week": t.waiting[:, r].tolist()}
    return {"file": Path(capacity.source).name, "content_hash": capacity.content_hash, "catchments": result.catchments,
            "population": round(capacity.population(result.settings.patients)),
            "resources": resources, "physiotherapy_demand": physiotherapy_demand(result),
            "safety": safety(t, spec)}


def safety(t: QueueTotals, spec) -> dict:
    """Each red-flag category with urgent work-ups: how many were imaged within its timescale."""
    labels = {c.name: c.label for c in spec.safety.categories}
    hours = timescales(spec)
    found = {}
    for j, category in enumerate(RED_FLAGS):
        if t.work_ups[j]:
            name = SAFETY_CATEGORY[category][0]
            found[category] = {"safety_category": name, "label": labels.get(name, name),
                               "timescale_hours": int(hours[j].min()), "work_ups": int(t.work_ups[j]),
                               "on_time": int(t.on_time[j]), "share_on_time": _rounded(t.on_time[j] / t.work_ups[j])}
    return found


def physiotherapy_demand(result) -> int:
    """Patients ever in conservative care that rests for a visit: physiotherapy's demand, counted
    (the pathway books no physiotherapy, so no wait is modelled)."""
    by_state = result.patients_by_state
    return sum(by_state.get(s.id, 0) for s in result.spec.states
               if s.care_step is CareStep.CONSERVATIVE_CARE and s.waits is Waits.VISIT and s.review_within_weeks)


def lines(result) -> list[str]:
    """The summary text's capacity section."""
    doc = report(result)
    out = ["", f"Capacity ({doc['file']}, sha256:{doc['content_hash'][:12]}): {doc['catchments']:,} catchment(s), "
               f"{doc['population']:,} people in all",
           f"  {'waits, order to slot':<34}{'served':>8}{'median':>10}{'95th':>10}  unit   still waiting"]
    for name, r in doc["resources"].items():
        for lane, w in r["lanes"].items():
            out.append(f"  {name + ' ' + lane:<34}{w['served']:>8,}{_shown(w['median']):>10}{_shown(w['p95']):>10}"
                       f"  {w['unit']:<6} {w['still_waiting']:>6,}")
    out.append(f"  {'utilisation (routine; urgent slots)':<34}{'slots':>8}{'used':>10}{'share':>10}  longest queue (week)")
    for name, r in doc["resources"].items():
        longest = max(r["waiting_by_week"])
        for kind in ("routine", "urgent"):
            if r[f"{kind}_slots"]:
                out.append(f"  {name + ' ' + kind:<34}{r[kind + '_slots']:>8,}{r[kind + '_used']:>10,}"
                           f"{100 * r[kind + '_utilisation']:>9.1f}%" + (
                               f"  {longest:,} ({r['waiting_by_week'].index(longest)})" if kind == "routine" else ""))
    out.append(f"  physiotherapy: {doc['physiotherapy_demand']:,} patients in conservative care (demand counted, "
               "not booked: no wait modelled)")
    out += ["", "Safety under saturation: urgent imaging within the safety requirements' timescale"]
    late = 0
    for category, s in doc["safety"].items():
        late += s["work_ups"] - s["on_time"]
        out.append(f"  {s['timescale_hours']:>4} h  {s['on_time']:>6,} of {s['work_ups']:<6,} on time "
                   f"({100 * s['share_on_time']:5.1f}%)  {s['label']}")
    out.append(f"  CAPACITY BREAKS THE SAFETY PROMISE: {late:,} urgent or emergency work-up(s) imaged later than "
               "their category's timescale" if late else
               "  every urgent and emergency work-up was imaged within its category's timescale")
    return out


def queues_csv(result) -> str:
    """queues.csv: a row per week and resource: routine and urgent slots offered and used, and
    orders waiting at the end of the week."""
    t = result.totals.capacity
    rows = ["week,resource,routine_slots,routine_used,urgent_slots,urgent_used,waiting"]
    rows += [f"{week},{name},{t.slots[week, r, 0]},{t.used[week, r, 0]},{t.slots[week, r, 1]},{t.used[week, r, 1]},"
             f"{t.waiting[week, r]}" for week in range(t.slots.shape[0]) for r, name in enumerate(BOOKED)]
    return "\n".join(rows) + "\n"


def _rounded(value: float):
    return None if math.isnan(value) else round(float(value), 6)


def _shown(value) -> str:
    return "-" if value is None else f"{value:,.1f}"


def packet_sections(result) -> dict[str, list[tuple[str, str, str]]]:
    """The review packet's capacity sections, as (label, value, unit) rows: the safety verdict
    first, each red-flag category's work-ups on time, then the waits."""
    doc = report(result)
    late = sum(s["work_ups"] - s["on_time"] for s in doc["safety"].values())
    verdict = (f"CAPACITY BREAKS THE SAFETY PROMISE: {late:,} urgent or emergency work-up(s) imaged later than their "
               "category's timescale" if late else "kept: every urgent and emergency work-up imaged in time")
    safety_rows = [("safety requirements' timescales under this capacity", verdict, "")]
    safety_rows += [(f"{s['label']} (within {s['timescale_hours']} hours)", f"{s['on_time']:,} of {s['work_ups']:,}",
                     "on time") for s in doc["safety"].values()]
    waits = [(f"{name} {lane}: median (95th centile)", f"{_shown(w['median'])} ({_shown(w['p95'])})", w["unit"])
             for name, r in doc["resources"].items() for lane, w in r["lanes"].items()]
    return {"Safety under saturation (capacity)": safety_rows,
            f"Waits from capacity ({doc['catchments']:,} catchment(s), {doc['population']:,} people)": waits}

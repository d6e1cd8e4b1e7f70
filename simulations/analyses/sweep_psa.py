"""A probabilistic sensitivity analysis read off a sampled sweep with strategies: each draw's cost
and QALYs per patient under each strategy (the same patients, the same parameter values), and from
them the incremental cost and QALYs against the reference, the cost-effectiveness acceptability
curve and the expected value of perfect information.

Net monetary benefit of strategy s in draw d at a threshold (willingness to pay) L:
NMB = L x QALYs - cost. The acceptability curve gives, at each L, the share of draws in which each
strategy has the highest NMB (a tie goes to the strategy listed first, so the shares add to 1).
EVPI = E_d[max_s NMB] - max_s E_d[NMB] (Briggs, Claxton & Sculpher 2006, Decision Modelling for
Health Economic Evaluation, ch. 7): what knowing the parameters for certain would be worth, per
patient, before choosing a strategy. It is never negative, and zero when one strategy has the
highest NMB in every draw.
"""

from __future__ import annotations

import json

import attrs
import numpy as np

from .sweep_run import SweepResult

WTP_STEP, WTP_MAX = 1000, 50_000  # the acceptability curve's thresholds, pounds per QALY
PER = 1000  # figures per 1,000 patients besides per patient


@attrs.frozen
class Psa:
    strategies: tuple[str, ...]  # the reference first
    cost: np.ndarray  # (draws, strategies) pounds per patient
    qalys: np.ndarray  # (draws, strategies) QALYs per patient
    thresholds: tuple[float, ...]  # pounds per QALY for the EVPI and the plane's lines

    def net_benefit(self, wtp: float) -> np.ndarray:
        return wtp * self.qalys - self.cost


def psa_of(result: SweepResult) -> Psa:
    """The draws' cost and QALYs by strategy, from a sweep run with strategies."""
    names = tuple(s.name for s in result.plan.strategies)
    table = np.array([r.economic for r in result.sets], dtype=float).reshape(len(result.plan.sets), len(names), 2)
    thresholds = tuple(result.base.value(f"quality_of_life.threshold_{t}") for t in ("low", "high"))
    return Psa(names, table[..., 0], table[..., 1], thresholds)


def wtp_grid() -> np.ndarray:
    return np.arange(0, WTP_MAX + WTP_STEP, WTP_STEP, dtype=float)


def acceptability(psa: Psa, wtps: np.ndarray) -> np.ndarray:
    """(thresholds, strategies): the share of draws in which each strategy has the highest NMB."""
    draws, count = psa.cost.shape
    best = np.stack([np.argmax(psa.net_benefit(w), axis=1) for w in wtps])  # the first of equals
    return np.stack([(best == s).sum(axis=1) for s in range(count)], axis=1) / draws


def evpi(psa: Psa, wtp: float) -> float:
    """Expected value of perfect information per patient (pounds) at `wtp`."""
    nmb = psa.net_benefit(wtp)
    best = int(np.argmax(nmb.mean(axis=0)))  # the choice made without more information
    # E[max] - E[NMB of that choice], as the mean of per-draw regrets: each >= 0, and exactly 0
    # in every draw where the choice is the best (two means subtracted would leave rounding).
    return float((nmb.max(axis=1) - nmb[:, best]).mean())


def _spread(values: np.ndarray) -> dict:
    low, high = np.quantile(values, [0.025, 0.975])
    return {"mean": _number(values.mean()), "low": _number(low), "high": _number(high)}


def _number(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) else round(value, 6)


def psa_summary(psa: Psa) -> dict:
    """The analysis as data (psa.json): each strategy's cost and QALYs, each one's increments over
    the reference, the acceptability curve and the EVPI at each threshold."""
    wtps = wtp_grid()
    curve = acceptability(psa, wtps)
    strategies = {}
    for j, name in enumerate(psa.strategies):
        strategies[name] = {"cost_per_patient": _spread(psa.cost[:, j]),
                            "cost_per_1000_patients": _spread(PER * psa.cost[:, j]),
                            "qalys_per_patient": _spread(psa.qalys[:, j]),
                            **{f"net_benefit_{t:.0f}": _spread(psa.net_benefit(t)[:, j]) for t in psa.thresholds}}
    incremental = {}
    for j, name in enumerate(psa.strategies[1:], 1):
        d_cost, d_qalys = psa.cost[:, j] - psa.cost[:, 0], psa.qalys[:, j] - psa.qalys[:, 0]
        mean_q = float(d_qalys.mean())
        incremental[name] = {
            "cost_per_patient": _spread(d_cost), "qalys_per_patient": _spread(d_qalys),
            "icer": _number(d_cost.mean() / mean_q) if mean_q else None,
            "probability_higher_net_benefit": {f"{t:.0f}": _number((t * d_qalys - d_cost > 0).mean())
                                               for t in psa.thresholds}}
    return {
        "reference": psa.strategies[0], "strategies": list(psa.strategies), "draws": int(psa.cost.shape[0]),
        "per_strategy": strategies, "incremental": incremental,
        "acceptability": {"wtp": [float(w) for w in wtps],
                          **{name: [_number(p) for p in curve[:, j]] for j, name in enumerate(psa.strategies)}},
        "evpi": {f"{t:.0f}": {"per_patient": _number(evpi(psa, t)), "per_1000_patients": _number(PER * evpi(psa, t))}
                 for t in psa.thresholds},
    }


def psa_json(psa: Psa) -> str:
    return json.dumps(psa_summary(psa), indent=2) + "\n"


def psa_text(psa: Psa) -> list[str]:
    """The analysis for sweep.txt: per strategy, increments, acceptability and EVPI."""
    import textwrap

    doc = psa_summary(psa)
    low, high = psa.thresholds
    said = [f"Probabilistic sensitivity analysis: {doc['draws']:,} draws, reference `{doc['reference']}` (mean, and "
            "2.5-97.5% centiles across the draws, in pounds and QALYs per patient)"]
    for name, s in doc["per_strategy"].items():
        said.append(f"{name}: cost {_money(s['cost_per_patient'])}, {s['cost_per_1000_patients']['mean']:,.0f} per "
                    f"1,000 patients; QALYs {_qalys(s['qalys_per_patient'])}")
    for name, inc in doc["incremental"].items():
        c, q, p = inc["cost_per_patient"], inc["qalys_per_patient"], inc["probability_higher_net_benefit"]
        icer = "-" if inc["icer"] is None else f"{inc['icer']:,.0f} per QALY"
        said.append(f"{name} - {doc['reference']}: cost {_money(c, signed=True)}, QALYs {_qalys(q, signed=True)}, "
                    f"ratio of the mean increments {icer}; a higher net benefit than the reference in "
                    f"{100 * p[f'{low:.0f}']:.1f}% of draws at {low:,.0f} per QALY, {100 * p[f'{high:.0f}']:.1f}% at "
                    f"{high:,.0f}")
    for t, e in doc["evpi"].items():
        said.append(f"EVPI at {float(t):,.0f} per QALY: {e['per_patient']:,.2f} per patient, "
                    f"{e['per_1000_patients']:,.0f} per 1,000 patients")
    lines = textwrap.wrap(said[0], 100)
    for text in said[1:]:
        lines += textwrap.wrap(text, 100, initial_indent="  ", subsequent_indent="      ")
    return lines


def _money(s: dict, digits: int = 2, signed: bool = False) -> str:
    sign = "+" if signed else ""
    return f"{s['mean']:{sign},.{digits}f} ({s['low']:,.{digits}f} to {s['high']:,.{digits}f})"


def _qalys(s: dict, signed: bool = False) -> str:
    sign = "+" if signed else ""
    return f"{s['mean']:{sign}.4f} ({s['low']:.4f} to {s['high']:.4f})"

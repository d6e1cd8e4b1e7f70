"""The summary figures a sweep can report, with their labels and units, and the sweep file's
`report`: which of them, checked against the follow-up."""

from __future__ import annotations

import difflib
import re

from ruamel.yaml.comments import CommentedSeq

from pathway.errors import Problem, where
from pathway.yamlsource import Node, item_line

from ..running.cohort import CohortSettings
from .sweep_words import name_given, what_given

# The summary figures a sweep can report: key -> (short label for a panel, unit). The keys are
# those of `summarise(result).value(key)`; tests/test_sweep.py checks the two lists agree.
FIGURES: dict[str, tuple[str, str]] = {
    "xray_per_1000": ("X-rays ordered", "per 1,000"),
    "mri_per_1000": ("MRIs without contrast ordered", "per 1,000"),
    "mri_with_contrast_per_1000": ("MRIs with contrast ordered", "per 1,000"),
    "ct_per_1000": ("CTs without contrast ordered", "per 1,000"),
    "ct_with_contrast_per_1000": ("CTs with contrast ordered", "per 1,000"),
    "ct_myelography_per_1000": ("CT myelograms ordered", "per 1,000"),
    "imaging_orders_per_1000": ("imaging orders", "per 1,000"),
    "imaging_without_indication_per_1000": ("imaging without an indication", "per 1,000"),
    "imaging_without_indication_share": ("share of imaging without an indication", "%"),
    "patients_with_mri": ("patients who had an MRI", "patients"),
    "weeks_to_mri_median": ("onset to first MRI, median", "weeks"),
    "weeks_to_mri_p95": ("onset to first MRI, 95th centile", "weeks"),
    "mri_incidental_share": ("MRIs with an incidental finding", "%"),
    "emergency_mri_late": ("emergency MRIs later than target", "scans"),
    "patients_with_red_flag": ("patients who developed a red flag", "patients"),
    "escalation_delay_median": ("red flag to urgent care, median", "weeks"),
    "escalation_delay_p95": ("red flag to urgent care, 95th centile", "weeks"),
    "escalation_delay_max": ("red flag to urgent care, longest", "weeks"),
    "red_flags_never_escalated": ("red flags seen, never escalated", "patients"),
    "red_flags_not_seen": ("red flags not seen by end of follow-up", "patients"),
    "red_flags_worsened": ("red flags worsened before escalation", "patients"),
    "red_flags_missed": ("red flags missed by the screen", "patients"),
    "urgent_work_ups_per_1000": ("urgent and emergency work-ups", "per 1,000"),
    "work_ups_confirmed_share": ("work-ups that confirmed the red flag", "%"),
    "epidurals_per_1000": ("epidural injections", "per 1,000"),
    "surgical_referrals_per_1000": ("surgical referrals", "per 1,000"),
    "surgery_per_1000": ("operations", "per 1,000"),
    "rerouted_per_1000": ("re-routed to another diagnosis", "per 1,000"),
    "returns_per_1000": ("returns after discharge", "per 1,000"),
    "new_episodes_per_1000": ("new episodes after a handover", "per 1,000"),
    "fell_through": ("patients with no transition", "patients"),
    "weeks_in_pathway_mean": ("weeks in the pathway, mean", "weeks"),
    "weeks_in_pathway_p95": ("weeks in the pathway, 95th centile", "weeks"),
    "visits_per_patient": ("visits per patient", "visits"),
    "cost_per_patient": ("cost per patient", "pounds"),
    "cost_imaging_per_patient": ("imaging cost per patient", "pounds"),
    "cost_treatment_per_patient": ("treatment cost per patient", "pounds"),
    "qalys_per_patient": ("QALYs per patient", "QALYs"),
    "net_benefit_low": ("net benefit at the lower threshold", "pounds"),
    "net_benefit_high": ("net benefit at the higher threshold", "pounds"),
}
IMPROVED = re.compile(r"improved_week_(\d+)")  # one figure per recovery week within follow-up
ALL_RECOVERY_WEEKS = CohortSettings(1, 0, 520).recovery_weeks
DEFAULT_REPORT = ("mri_per_1000", "weeks_to_mri_median", "escalation_delay_p95", "surgical_referrals_per_1000",
                  "improved_week_52")


def figure_keys(settings: CohortSettings) -> tuple[str, ...]:
    """Every figure key a sweep with these settings can report."""
    return _keys(settings.recovery_weeks)


def _keys(recovery_weeks) -> tuple[str, ...]:
    return (*FIGURES, *(f"improved_week_{w}" for w in recovery_weeks))


def figure_label(key: str) -> tuple[str, str]:
    """(label, unit) of a figure key."""
    if key in FIGURES:
        return FIGURES[key]
    return f"improved at week {IMPROVED.fullmatch(key).group(1)}", "%"


def read_report(top: Node, weeks: int | None, weeks_from_cli: bool) -> tuple[str, ...]:
    recovery = tuple(w for w in ALL_RECOVERY_WEEKS if weeks is None or w <= weeks)
    known = _keys(recovery)
    if not top.has("report"):
        default = [k for k in DEFAULT_REPORT if k in known]
        if "improved_week_52" not in known and recovery:
            default.append(f"improved_week_{recovery[-1]}")
        return tuple(default)
    entries = top.raw("report")
    if not isinstance(entries, CommentedSeq) or not entries:
        top.problem("report", f"`report` of the sweep file must be a list of figure keys, e.g. [mri_per_1000, "
                    f"weeks_to_mri_median], not {what_given(entries)}; known: {', '.join(known)}")
        return ()
    report = []
    for i, key in enumerate(entries):
        at = where(top.file, item_line(entries, i) or top.line("report"))
        match = IMPROVED.fullmatch(str(key))
        if key in known and key in report:
            top.problems.append(Problem(at, f"`report` lists `{key}` twice"))
        elif key in known:
            report.append(key)
        elif match and int(match.group(1)) in ALL_RECOVERY_WEEKS:  # known, but after follow-up ends
            source = "--weeks" if weeks_from_cli else "`weeks`"
            top.problems.append(Problem(at, f"`report` asks for `{key}`, which needs at least {match.group(1)} weeks of "
                                            f"follow-up; {source} is {weeks}"))
        else:
            close = difflib.get_close_matches(str(key), list(known), n=1)
            hint = f"did you mean `{close[0]}`?" if close else f"known: {', '.join(known)}"
            top.problems.append(Problem(at, f"unknown figure {name_given(key)} in `report`; {hint}"))
    return tuple(report)

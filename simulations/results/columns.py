"""The columns of a run's tables, each declared once: its type, what it means, its unit, what a
missing value means and, for words, the values it takes. The Arrow schema every format is
written from, the pandas metadata in the Parquet files and `codebook.json` all come from these
declarations, so the files and their description cannot disagree.

Types, in every format alike:
- integer: whole numbers; a column that may be missing is a nullable integer (null in Parquet
  and JSON Lines, an empty cell in CSV), never a float;
- boolean; text (the patient's id); number (a float, in the sweep's table only);
- category: one word of a fixed, listed vocabulary (dictionary-encoded in Parquet; `urgency` is
  ordered, least urgent first);
- list: words of a fixed vocabulary, in order (a list in Parquet and JSON Lines, joined by
  LIST_SEPARATOR in CSV); null when there are none, never an empty list, so that "none" reads
  the same in every format.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import attrs
import pyarrow as pa

from pathway.spec import PathwaySpec, Urgency

from ..engines.orders import order_table
from ..model.history import RED_FLAGS, Mimic
from ..running.chunk import REASONS, URGENCIES

LIST_SEPARATOR = ";"  # between a list's words in CSV (Parquet and JSON Lines hold real lists)
WEEK = "week from onset (0: the first visit)"
KINDS = ("integer", "boolean", "text", "category", "list", "number")


@attrs.frozen
class Column:
    name: str
    kind: str  # one of KINDS
    meaning: str
    unit: str = ""
    missing: str = ""  # what a missing value means; "" for a column never missing
    values: str = ""  # a category's or list's vocabulary (a key of `vocabularies`)
    ordered: bool = False  # a category whose values are listed in order

    @property
    def arrow_field(self) -> pa.Field:
        kind = {"integer": pa.int64(), "boolean": pa.bool_(), "text": pa.string(),
                "category": pa.dictionary(pa.int32(), pa.string(), self.ordered),
                "list": pa.list_(pa.string()), "number": pa.float64()}[self.kind]
        return pa.field(self.name, kind, nullable=bool(self.missing))


def _count(name: str, meaning: str, unit: str) -> Column:
    return Column(name, "integer", meaning, unit)


def _week(name: str, meaning: str, missing: str) -> Column:
    return Column(name, "integer", meaning, WEEK, missing)


def _flag(name: str, meaning: str) -> Column:
    return Column(name, "boolean", meaning)


PATIENT_ID = Column("patient_id", "text", "the simulated patient: `P` and the patient's number, from P0000000")
_STUDIES = {"xray": "X-rays", "mri": "MRIs without contrast", "mri_with_contrast": "MRIs with contrast",
            "ct": "CTs without contrast", "ct_with_contrast": "CTs with contrast", "ct_myelography": "CT myelograms"}
NO_RED_FLAG = "no red flag"

# The patients table before the `improved_week_N` columns (`patient_columns` adds them).
PATIENTS = (
    PATIENT_ID,
    Column("age", "integer", "age at onset", "years"),
    Column("recovery", "category", "natural course without treatment", values="recovery"),
    Column("mimic", "category", "a hip or sacroiliac source of the pain", values="mimic"),
    Column("red_flags", "list", "red-flag categories the patient developed, by onset", missing=NO_RED_FLAG,
           values="red_flags"),
    _week("red_flag_onset_week", "when the first red flag began", NO_RED_FLAG),
    _week("red_flag_seen_week", "the first visit at which a red flag showed (its findings recorded)",
          "no red flag showed at a visit"),
    _week("red_flag_missed_week", "the first visit at which a red flag was present but missed by the screen "
          "(an atypical presentation: its findings not recorded)", "no red flag was missed at a visit"),
    _week("urgent_care_week", "first week in an urgent or emergency state", "never in one"),
    Column("escalation_delay_weeks", "integer", "weeks from the first red flag's onset to urgent care", "weeks",
           "no red flag, or it never reached urgent care"),
    _flag("red_flag_never_escalated", "a red flag was seen at a visit, yet the patient never reached urgent care"),
    _flag("red_flag_not_seen", "never escalated, and no visit at which the red flag showed (no visit since its "
          "onset, or the screen missed it at every one)"),
    _flag("red_flag_worsened", "a red flag worsened before the patient reached urgent care"),
    _count("urgent_work_ups", "urgent or emergency work-ups ordered", "work-ups"),
    _count("work_ups_confirmed", "work-up results that confirmed the suspected condition", "work-ups"),
    _count("work_ups_excluded", "work-up results that excluded it", "work-ups"),
    _flag("mri_contraindicated", "the patient may not have MRI (CT is ordered instead)"),
    _count("imaging_orders", "imaging orders placed (an amended order replaces the one it amends)", "orders"),
    *(_count(kind, f"{words} ordered", "studies") for kind, words in _STUDIES.items()),
    _count("imaging_without_indication", "orders without an indication the model knows", "orders"),
    _count("emergency_mri_late", "emergency orders holding an MRI that missed the 4-hour target", "orders"),
    _week("first_mri_week", "the first MRI", "no MRI"),
    _flag("mri_incidental", "the MRI report lists a finding common in people without pain"),
    _count("epidurals", "epidural injections given", "injections"),
    _flag("surgical_referral", "referred for a surgical opinion"),
    _week("surgery_week", "the week of an operation", "no operation within follow-up"),
    _flag("rerouted", "re-routed to another diagnosis (hip, sacroiliac, nerve studies, other)"),
    _week("discharged_week", "first discharged", "never discharged"),
    _count("returns", "visits after discharge, when symptoms returned", "visits"),
    Column("final_state", "category", "the state the patient rests in at the end of follow-up", values="states"),
    _count("weeks_in_pathway", "weeks in care: not handed over, not discharged", "weeks"),
    _count("episodes", "episodes of care (a new one when a red flag brings the patient back after a handover)",
           "episodes"),
    _count("visits", "visits", "visits"),
    _flag("fell_through", "at a visit the pathway had no transition for the patient, whose care stopped there "
                          "(false on a pathway without gaps)"),
    _week("first_improved_week", "when the patient first improved", "not improved within follow-up"),
)

VISITS = (
    PATIENT_ID,
    _count("episode", "the episode of care the visit belongs to (from 1)", "episodes"),
    Column("week", "integer", "when the visit took place", WEEK),
    Column("reason", "category", "why the patient was seen", values="reasons"),
    Column("start", "category", "the state the patient rested in before the visit", values="states"),
    Column("path", "list", "the states entered at the visit, in order", missing="no state entered: every "
           "transition taken kept the patient where they were", values="states"),
    Column("transitions", "list", "the transitions taken, in order", values="transitions"),
    Column("state", "category", "the state the patient rests in after the visit", values="states"),
    Column("urgency", "category", "the most urgent state entered at the visit", values="urgencies", ordered=True),
    Column("imaging", "category", "the imaging order made or amended at the visit", values="orders"),
)


def patient_columns(recovery_weeks: Sequence[int]) -> tuple[Column, ...]:
    """The patients table's columns: PATIENTS, then improved at each recovery week."""
    return PATIENTS + tuple(_flag(f"improved_week_{w}", f"improved at the end of week {w}") for w in recovery_weeks)


def occupancy_columns(spec: PathwaySpec) -> tuple[Column, ...]:
    """occupancy.csv's: the week, then a state each."""
    return (Column("week", "integer", "the end of this week", WEEK),
            *(_count(s.id, f"patients resting in `{s.id}` ({s.label}) at the end of the week", "patients")
              for s in spec.states))


# queues.csv (with --capacity): a row per week and booked resource (capacity.queues.BOOKED).
QUEUES = (
    Column("week", "integer", "the week the slots were offered", WEEK),
    Column("resource", "category", "the resource", values="resources"),
    _count("routine_slots", "the pathway's routine slots offered that week", "slots"),
    _count("routine_used", "routine slots used (an order served)", "slots"),
    _count("urgent_slots", "slots the pathway's emergency and urgent work may take that week", "slots"),
    _count("urgent_used", "urgent slots used", "slots"),
    _count("waiting", "orders still waiting at the end of the week", "orders"),
)


def vocabularies(spec: PathwaySpec) -> dict[str, tuple[tuple[str, str], ...]]:
    """Each vocabulary's (value, label) pairs, in order: what a category's or list's words mean."""
    label = {s.id: s.label for s in spec.states}
    return {
        "recovery": (("fast", "the fast-recovering group"), ("slow", "the slow-recovering group")),
        "mimic": tuple((m.value, MIMIC_LABELS[m]) for m in Mimic),
        "red_flags": tuple((c, c.replace("_", " ")) for c in RED_FLAGS),
        "reasons": tuple(zip(REASONS, REASON_LABELS, strict=True)),
        "urgencies": tuple(zip(URGENCIES, URGENCY_LABELS, strict=True)),
        "states": tuple((s.id, s.label) for s in spec.states),
        "transitions": tuple((t.id, f"{label[t.source]} to {label[t.dest]}: {t.rationale}") for t in spec.transitions),
        "orders": tuple((o.id, o.words) for o in order_table(spec).orders),
        "resources": RESOURCE_LABELS,
    }


MIMIC_LABELS = {Mimic.NONE: "none", Mimic.HIP_OR_SI_ONLY: "a hip or sacroiliac source, no spinal cause",
                Mimic.HIP_OR_SI_AND_SPINE: "a hip or sacroiliac source as well as a spinal cause"}
REASON_LABELS = ("the first visit, at presentation", "a booked review", "a booked visit when a result came in",
                 "came forward with a red flag", "came back with a red flag after a handover: a new episode",
                 "came back after discharge, not improved")
assert [u.rank for u in Urgency] == sorted(u.rank for u in Urgency)  # `urgency` is ordered by URGENCIES
URGENCY_LABELS = ("none: no state of any urgency entered", "routine", "urgent", "emergency")
RESOURCE_LABELS = (("mri", "MRI"), ("ct", "CT"), ("xray", "plain X-ray"),
                   ("clinic", "spinal/MSK clinic first appointments"), ("epidural", "epidural injection lists"),
                   ("theatre", "theatre (elective discectomy)"))


def schema(columns: Sequence[Column]) -> pa.Schema:
    """The table's Arrow schema, with pandas metadata so that pandas reads a Parquet file's
    nullable integers as nullable integers (`Int64`), not as floats. (The metadata names only
    those columns: pyarrow gives every other column its pandas type from the Arrow type.)"""
    nullable = [{"name": c.name, "field_name": c.name, "pandas_type": "int64", "numpy_type": "Int64", "metadata": None}
                for c in columns if c.kind == "integer" and c.missing]
    pandas = {"index_columns": [], "column_indexes": [], "columns": nullable}
    return pa.schema([c.arrow_field for c in columns], metadata={"pandas": json.dumps(pandas)})


# -- codebook.json ---------------------------------------------------------------------------------

MISSING = {"csv": "an empty cell", "jsonl": "null", "parquet": "null"}


def codebook(spec: PathwaySpec, fmt: str, recovery_weeks: Sequence[int], visits: bool = True,
             queues: bool = False) -> str:
    """codebook.json: every column of the run's tables (type, meaning, unit, what a missing value
    means, its vocabulary) and every vocabulary's values with their labels. The same bytes for
    the same pathway, format and tables (`queues`: queues.csv, written with capacity)."""
    tables = [("patients", f"patients.{fmt}", "one per patient, in patient order", patient_columns(recovery_weeks))]
    if visits:
        tables.append(("visits", f"visits.{fmt}", "one per visit, by patient then week", VISITS))
    tables.append(("occupancy", "occupancy.csv", "one per week of follow-up, from week 0", occupancy_columns(spec)))
    if queues:
        tables.append(("queues", "queues.csv", "one per week of follow-up and resource, by week", QUEUES))
    used = {c.values for *_, columns in tables for c in columns if c.values}
    document = {
        "format": fmt,
        "missing": MISSING[fmt] + " (a list column is missing when it has no words: never an empty list)",
        **({"list_separator": LIST_SEPARATOR} if fmt == "csv" else {}),
        "tables": [{"table": name, "file": file, "rows": rows, "columns": [described(c) for c in columns]}
                   for name, file, rows, columns in tables],
        "values": {name: [{"value": v, "label": label} for v, label in pairs]
                   for name, pairs in vocabularies(spec).items() if name in used},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def described(c: Column) -> dict:
    """A column as the codebook gives it."""
    return {"column": c.name, "type": c.kind, "meaning": c.meaning, "unit": c.unit or None,
            "missing": c.missing or None, "values": c.values or None, "ordered": c.ordered}

"""The tables of what applies everywhere rather than in one state: the imaging purposes and the
imaging rules, the named conditions, and the safety requirements the pathway is proved against
(safety.yaml: the red-flag categories and the rules for every imaging order).

Every "when" and "who" is generated from the guard that runs, never copied from a label.
"""

from __future__ import annotations

from pathway.guards import describe
from pathway.spec import PathwaySpec

from .elements import Table
from .words import purposes_text, rules_text

INITIALS = ""
SAFETY_TITLE = "Safety requirements - red-flag categories"
EVERY_ORDER_TITLE = "Safety requirements - every imaging order"


def sources(spec: PathwaySpec, citations: tuple[str, ...]) -> str:
    return "; ".join(spec.reference[r].source for r in citations)


def imaging_tables(spec: PathwaySpec, labels: dict[str, str]) -> tuple[Table, ...]:
    """What each purpose starts from and who orders it; then the rules, in the order applied."""
    if not spec.purposes and not spec.imaging_rules:
        return ()
    purposes = tuple((p.label, p.studies, ", ".join(p.states) or "(no state orders it)", sources(spec, p.citations),
                      INITIALS) for p in purposes_text(spec))
    rules = tuple((str(r.number), r.label, r.when, r.then, sources(spec, r.citations), INITIALS)
                  for r in rules_text(spec, labels))
    return (
        Table("Imaging purposes", "What a state orders, before the imaging rules fit it to the patient's findings.",
              purposes, ("purpose", "starts from", "ordered in", "sources", "initials")),
        Table("Imaging rules - applied wherever imaging is ordered",
              "In this order, each to the order as the rules before it left it, in every state that orders imaging "
              "and at every visit: an order already made is amended when the findings change what it should be.",
              rules, ("#", "rule", "when", "then", "sources", "initials")),
    )


def conditions_table(spec: PathwaySpec, labels: dict[str, str]) -> Table:
    rows = tuple((c.name, c.label, describe(c.expr, spec.finding, labels), sources(spec, c.citations), INITIALS)
                 for c in spec.conditions)
    return Table("Named conditions", "What each named condition means, generated from the guard that runs.",
                 rows, ("name", "label", "means", "sources", "initials"))


def safety_tables(spec: PathwaySpec) -> tuple[Table, ...]:
    """The safety requirements (safety.yaml), with their own content hash: who each red-flag category
    takes in, in words generated from the raw findings, and the care each of them needs."""
    safety = spec.safety
    if safety is None:
        return ()
    note = (f"What the pathway is proved against (sciatica check), kept apart from it: safety.yaml, content hash "
            f"sha256:{safety.content_hash}. Written over the raw findings. When several categories hold, all apply: "
            "the highest urgency, the shortest timescale, imaging that meets every one. A change needs the clinical "
            "safety officer's sign-off.")
    rows = tuple((c.label, who(spec, c.expr), c.min_urgency.value, c.timescale_words, c.imaging_words,
                  c.reason + (f" Note: {c.note}" if c.note else ""), sources(spec, c.citations), INITIALS)
                 for c in safety.categories)
    orders = tuple((r.label, who(spec, r.expr), "never " + " or ".join(k.words for k in r.never),
                    sources(spec, r.citations), INITIALS) for r in safety.every_order)
    return (
        Table(SAFETY_TITLE, note, rows,
              ("category", "who", "minimum urgency", "timescale", "imaging", "why", "sources", "initials")),
        Table(EVERY_ORDER_TITLE, "Apply to every order, at every visit, red flag or not.", orders,
              ("rule", "who", "imaging", "sources", "initials")),
    )


def who(spec: PathwaySpec, expr) -> str:
    """Who a requirement names, in words over the raw findings (requirements read no pathway condition)."""
    return describe(expr, spec.finding, {})

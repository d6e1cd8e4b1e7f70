"""safety.yaml: the safety requirements, read apart from the pathway and over the raw findings.

Their `terms` are spelled out here, so every guard the requirements hold reads findings only;
type-checking against the findings vocabulary is `pathway.validate`'s job.
"""

from __future__ import annotations

from ..errors import Problem
from ..guards import GuardSyntaxError, inline, parse_guard
from ..safety import Category, OrderRule, Question, Reason, SafetyRequirements
from ..spec import Urgency
from ..studies import Region
from ..yamlsource import Node
from .common import entries, guard, sections
from .imaging import kinds

SECTIONS = ("terms", "categories", "every_order", "imaging_reasons", "red_flag_questions", "mri_contraindicated")


def safety(doc, file: str, problems: list[Problem]) -> tuple[SafetyRequirements, list]:
    """The requirements, and (name, guard, line) of each term, for the validator."""
    top = sections(doc, file, problems, SECTIONS)
    terms = _terms(top, problems)
    spelled = {name: expr for name, expr, _, _ in terms}

    def read(node: Node, owner: str, key: str = "when"):
        expr, text = guard(node, key, owner)
        return inline(expr, spelled), text

    categories = [_category(Node(v, file, problems, line, what=f"safety category `{n}`"), n, read)
                  for n, line, v in entries(top, "categories")]
    rules = [_order_rule(Node(v, file, problems, line, what=f"order rule `{n}`"), n, read)
             for n, line, v in entries(top, "every_order")]
    reasons = [_reason(Node(v, file, problems, line, what=f"imaging reason `{n}`"), n, read)
               for n, line, v in entries(top, "imaging_reasons")]
    questions = [_question(Node(v, file, problems, line, what=f"red-flag question `{n}`"), n)
                 for n, line, v in entries(top, "red_flag_questions")]
    contraindicated, _ = read(top, "`mri_contraindicated`", "mri_contraindicated")
    requirements = SafetyRequirements(
        tuple(c for c in categories if c), tuple(r for r in rules if r), tuple(r for r in reasons if r),
        tuple(q for q in questions if q), contraindicated, tuple((n, text) for n, _, text, _ in terms), source=file,
    )
    return requirements, terms


def _terms(top: Node, problems: list[Problem]) -> list:
    """(name, spelled-out guard, text, line) for each term; a term may use the terms before it."""
    found, spelled = [], {}
    for name, line, value in entries(top, "terms"):
        where = f"{top.file}:{line}"
        try:
            expr = parse_guard(value)
        except GuardSyntaxError as err:
            problems.append(Problem(where, f"guard of term `{name}`: {err}"))
            continue
        spelled[name] = inline(expr, spelled)
        found.append((name, spelled[name], str(value), where))
    return found


def _category(node: Node, name: str, read) -> Category | None:
    required = ("label", "when", "min_urgency", "imaging", "reason", "citation")
    if not node.keys(required, ("within_hours", "if_mri_contraindicated", "covering", "note")):
        return None
    expr, text = read(node, f"safety category `{name}`")
    covering = node.choice("covering", Region) if node.has("covering") else Region.LUMBAR
    return Category(
        name, node.text("label") or "", expr, text, node.choice("min_urgency", Urgency) or Urgency.NONE,
        node.integer("within_hours", 1, 24 * 365), kinds(node, "imaging"),
        kinds(node, "if_mri_contraindicated") if node.has("if_mri_contraindicated") else (),
        covering or Region.LUMBAR, node.text("reason") or "", node.names("citation"),
        note=(node.text("note") or "") if node.has("note") else "", line=node.where(),
    )


def _order_rule(node: Node, name: str, read) -> OrderRule | None:
    if not node.keys(("label", "when", "never", "citation")):
        return None
    expr, text = read(node, f"order rule `{name}`")
    return OrderRule(name, node.text("label") or "", expr, text, kinds(node, "never"), node.names("citation"),
                     line=node.where())


def _reason(node: Node, name: str, read) -> Reason | None:
    if not node.keys(("label", "when", "citation")):
        return None
    expr, text = read(node, f"imaging reason `{name}`")
    return Reason(name, node.text("label") or "", expr, text, node.names("citation"), line=node.where())


def _question(node: Node, name: str) -> Question | None:
    if not node.keys(("alone", "citation"), ("because",)):
        return None
    alone = node.text("alone")
    if alone == "none" and not node.has("because"):
        node.problem(None, f"red-flag question `{name}` escalates nowhere alone: say why, with `because`")
    return Question(name, None if alone == "none" else alone,
                    (node.text("because") or "") if node.has("because") else "", node.names("citation"),
                    line=node.where())

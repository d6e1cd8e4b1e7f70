"""The review packet's account of who a change affects (`sciatica impact`, as plain data)."""

from __future__ import annotations

import attrs

from pathway.compare import version_warning
from pathway.render import finding_words
from pathway.spec import PathwaySpec
from pathway.verify.impact import box_text, example_visits, impact


@attrs.frozen
class Group:
    who: str
    starts: tuple[str, ...]
    cases: int
    exact: bool
    before: str
    after: str
    example: str
    paths: tuple[str, str]


@attrs.frozen
class ImpactSection:
    groups: tuple[Group, ...]
    cases: int  # every case decided
    warning: str | None  # the content changed but the version did not


def impact_section(old: PathwaySpec, new: PathwaySpec) -> ImpactSection:
    result = impact(old, new)
    groups = tuple(_group(result, changed) for changed in result.changed)
    return ImpactSection(groups, result.cases, version_warning(old, new))


def _group(result, changed) -> Group:
    new, example = result.new, changed.example
    said = "; ".join(finding_words(k, v, new) for k, v in example.items()
                     if k in new.finding and not new.finding[k].is_input and v is not False and v != new.finding[k].default)
    paths = tuple(" -> ".join([spec.state[v.start].label] + [spec.state[s].label for s in v.entered])
                  for spec, v in zip((result.old, new), example_visits(result, changed)))
    return Group(box_text(new, result.sym, changed.box), tuple(new.state[s].label for s in changed.starts), changed.cases,
                 changed.box.exact, changed.before.text(result.old), changed.after.text(new),
                 f"aged {example['age']} at week {example['week']}: {said or 'every answer calm'}", paths)

"""The pictures of a `sciatica simulate` run: flow.svg, and occupancy.png and recovery.png, drawn
by a local pool's workers as they come free, else here."""

from __future__ import annotations

import concurrent.futures
import contextlib
import re

from pathway.spec import Urgency

from ..model.parameters import Parameters
from ..running.cohort import CohortResult
from ..running.execution import call_with_mail


def plot_arguments(result: CohortResult) -> dict[str, tuple[tuple, dict]]:
    """The arguments of `occupancy_figure` and `recovery_figure` for a cohort, by plot."""
    spec = result.spec
    urgent = [s.id for s in spec.states if s.urgency >= Urgency.URGENT]
    targets = [(t.week, t.value, t.tolerance, cited(result.params, t.citations)) for t in result.params.calibration
               if t.week <= result.settings.weeks]
    counts = result.counts
    never = counts.patients - counts.present["first_improved_week"]
    return {
        "occupancy": ((result.occupancy, result.states, {s.id: s.label for s in spec.states}), {"urgent": urgent}),
        "recovery": ((counts.improved / counts.patients, counts.histogram["first_improved_week"], never, targets), {}),
    }


class Plots:
    """occupancy.png and recovery.png drawn by a local pool's workers (the same fonts as here, so the
    same bytes) as they come free after their last chunks: `park` queues a task per plot behind
    the chunks, which imports matplotlib and waits; `draw` sends the plots' data, the slower
    plot first (to the first worker ready). Without a pool (None) they are drawn here, by
    `write_pictures`. Leaving the context sends nothing-to-do to any task still waiting, so the
    pool can close."""

    def __init__(self, executor: concurrent.futures.Executor | None):
        self.executor = executor
        self.waiting: list[concurrent.futures.Future] = []
        self.sent = 0

    def park(self) -> None:
        if self.executor is not None and getattr(self.executor, "mailbox", None) is not None:
            self.waiting = [self.executor.submit(call_with_mail, "simulations.results.plots", "pngs") for _ in range(2)]

    def draw(self, result: CohortResult) -> None:
        if self.waiting:
            for kind, arguments in plot_arguments(result).items():  # occupancy first: the slower
                self._send((({kind: arguments},), {}))

    def drawn(self) -> dict[str, bytes]:
        """The PNG bytes drawn elsewhere, by plot (those a worker failed to draw are missing)."""
        found = {}
        for future in self.waiting:
            with contextlib.suppress(Exception):
                found.update(future.result() or {})
        return found

    def _send(self, mail) -> None:
        self.executor.mailbox.put(mail)
        self.sent += 1

    def __enter__(self) -> Plots:
        return self

    def __exit__(self, *error) -> None:
        while self.sent < len(self.waiting):
            self._send(None)


def cited(params: Parameters, ids) -> str:
    """Citations as a reader knows them ("Vroomen et al. NEJM 1999"), not by their ids."""
    refs = params.references
    return ", ".join(re.split(r";|, section", refs[i].source)[0].strip() if i in refs else i for i in ids)


def write_pictures(result: CohortResult, folder, plots: Plots | None = None) -> None:
    """flow.svg, occupancy.png and recovery.png into the OutputFolder; the plots as `plots` drew
    them, else drawn here."""
    from diagrams.diagram import Diagram
    from diagrams.model import build_model
    from diagrams.overlay import flow_overlay

    model = flow_overlay(build_model(result.spec), result.patients_by_edge, result.patients_by_state,
                         result.settings.patients)
    folder.write("flow.svg", Diagram(model).render("svg"))
    drawn = plots.drawn() if plots is not None else {}
    for kind, (args, kwargs) in plot_arguments(result).items():
        if kind not in drawn:
            from .plots import png

            drawn[kind] = png(kind, *args, **kwargs)
        folder.write(f"{kind}.png", drawn[kind])

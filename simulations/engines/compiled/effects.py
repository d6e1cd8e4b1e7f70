"""What a visit along each route does, as tables by route number (course._Run._entered for the
states the route enters): whether it reaches urgent care, a referral, a re-routing, a discharge
or a handover to the spinal surgeons; whether it newly entered the state it rests in; and the
visit's urgency (the most urgent state entered, none if it entered none). Every effect adds up
or keeps the first, so the order states were entered in does not matter. Made once per route,
when the router first meets it.
"""

from __future__ import annotations

import numpy as np

from pathway.spec import CareStep

from .routes import Routes

STEPS = {"referred": CareStep.SURGICAL_REFERRAL, "rerouted": CareStep.ALTERNATIVE_DIAGNOSIS,
         "discharged": CareStep.DISCHARGED, "surgery": CareStep.SPINAL_SURGERY}
ENTERED = ("urgent", *STEPS)  # the effects _Block._entered acts on


class Effects:
    def __init__(self, sim):
        self.sim = sim
        self.routes: Routes | None = None
        self.tables: dict[str, np.ndarray] = {}

    def of(self, routes: Routes) -> dict[str, np.ndarray]:
        if routes is not self.routes:
            self.routes, self.tables = routes, {}
        done = len(self.tables.get("resting", ()))
        if len(routes) > done:
            more = self._tables(routes, done, len(routes))
            self.tables = {name: np.concatenate([self.tables[name], t]) if self.tables else t for name, t in more.items()}
        return self.tables

    def _tables(self, routes: Routes, first: int, last: int) -> dict[str, np.ndarray]:
        sim, count = self.sim, last - first
        fired = routes.transitions[routes.offsets[first]:routes.offsets[last]]
        route = np.repeat(np.arange(count), np.diff(routes.offsets[first:last + 1]))
        entered = ~sim.router.stay[fired]  # stays enter nothing
        route, dest = route[entered], sim.router.dest[fired[entered]]
        urgency, step = sim.urgency[dest], sim.care_step[dest]
        resting = routes.resting[first:last]

        def some(mask: np.ndarray) -> np.ndarray:  # per route: whether it entered a state with `mask`
            return np.bincount(route[mask], minlength=count) > 0

        tables = {"urgent": some(urgency >= sim.URGENT)}
        tables.update({name: some(step == care_step.value) for name, care_step in STEPS.items()})
        tables["acts"] = np.any([tables[name] for name in ENTERED], axis=0)
        most = np.zeros(count, dtype=np.int64)  # urgency code 0: none
        np.maximum.at(most, route, urgency)
        tables.update(newly=some(dest == resting[route]), urgency=most, resting=resting, fell=routes.fell[first:last])
        return tables

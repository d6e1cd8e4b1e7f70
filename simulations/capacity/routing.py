"""Which resource's queue an order joins: the same table for both engines.

A state that waits for a result queues its order at the resource that produces it:

    mri_result          MRI if the order holds an MRI, else CT if it holds a CT
    xray_result         X-ray
    specialist_opinion  the spinal/MSK clinic
    epidural_response   the epidural list (the slot is the injection)
    urgent_result       MRI, else CT, else X-ray, by what the work-up's order holds

and an operation (a handover to the spinal surgeons) queues for theatre. An order that holds
nothing the resource needs (code -1) keeps the fixed wait of simulations/booking.py.
"""

from __future__ import annotations

import numpy as np

from ..engines.booking import PRODUCED
from ..engines.orders import OrderTable
from .queues import BOOKED

MRI, CT, XRAY, CLINIC, EPIDURAL, THEATRE = range(len(BOOKED))
QUEUED = 2**40  # the week of a result still in a queue: never reached, never NONE


def result_routes(orders: OrderTable) -> np.ndarray:
    """(results, orders): the resource each awaited result's order queues at, or -1."""
    mri, scan, xray = orders.holds_mri, orders.holds_scan, orders.holds_xray
    n = len(orders.orders)
    imaging = np.where(mri, MRI, np.where(scan, CT, -1))
    routes = {
        "mri_result": imaging,
        "xray_result": np.full(n, XRAY),
        "epidural_response": np.full(n, EPIDURAL),
        "specialist_opinion": np.full(n, CLINIC),
        "urgent_result": np.where(imaging >= 0, imaging, np.where(xray, XRAY, -1)),
    }
    return np.array([routes[name] for name in PRODUCED], dtype=np.int64).reshape(len(PRODUCED), n)


def lane_of(urgency: str) -> int:
    """A state's urgency as a queue priority (emergency 0, urgent 1, otherwise routine 2)."""
    return {"emergency": 0, "urgent": 1}.get(urgency, 2)

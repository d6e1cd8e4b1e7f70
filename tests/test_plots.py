"""Cohort plots: valid, reproducible files written all-or-nothing, showing what they should."""

import os

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

from simulations.results.plots import occupancy_figure, occupancy_plot, recovery_figure, recovery_plot

STATES = ["onset", "conservative_care", "mri_scan", "emergency_ces", "discharged"]
LABELS = {"onset": "New episode", "conservative_care": "Conservative care", "mri_scan": "MRI",
          "emergency_ces": "Emergency - cauda equina", "discharged": "Discharged"}
# 4 patients over 3 weeks; nobody is ever in the MRI scanner.
OCCUPANCY = np.array([
    [4, 0, 0, 0, 0],
    [0, 3, 0, 1, 0],
    [0, 2, 0, 1, 1],
    [0, 1, 0, 1, 2],
])
FIRST_IMPROVED = np.array([0, 1, 2])  # patients first improved in weeks 0, 1, 2
NEVER_IMPROVED = 1  # the fourth patient never improves
IMPROVED_SHARE = np.array([0, 0.25, 0.75, 0.5])
TARGETS = [(1, 0.3, 0.05, "study A"), (3, 0.6, 0.1, "study B"), (2, 0.7, 0.05, "study A")]
PNG = b"\x89PNG\r\n\x1a\n"


def occupancy(path):
    return occupancy_plot(OCCUPANCY, STATES, LABELS, path, urgent={"emergency_ces"})


def recovery(path):
    return recovery_plot(IMPROVED_SHARE, FIRST_IMPROVED, NEVER_IMPROVED, TARGETS, path)


@pytest.mark.parametrize("plot", [occupancy, recovery])
def test_writes_a_readable_png(tmp_path, plot):
    path = plot(tmp_path / "plot.png")
    assert path == tmp_path / "plot.png"
    assert path.read_bytes().startswith(PNG)
    assert imread(path).shape[:2] == (700, 1200)


@pytest.mark.parametrize("plot", [occupancy, recovery])
@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_same_inputs_same_bytes(tmp_path, plot, suffix):
    first, second = plot(tmp_path / f"a{suffix}"), plot(tmp_path / f"b{suffix}")
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("plot", [occupancy, recovery])
def test_a_failed_save_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, plot):
    path = tmp_path / "plot.png"
    path.write_bytes(b"old")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)  # fails after the temporary file is written
    with pytest.raises(OSError, match="disk full"):
        plot(path)
    monkeypatch.setattr(Figure, "savefig", fail)  # fails before anything is written
    with pytest.raises(OSError, match="disk full"):
        plot(path)
    assert [p.name for p in tmp_path.iterdir()] == ["plot.png"]
    assert path.read_bytes() == b"old"


def test_only_a_png_or_svg_is_written(tmp_path):
    with pytest.raises(ValueError, match=".png or .svg"):
        occupancy(tmp_path / "plot.jpg")
    assert not list(tmp_path.iterdir())


def test_never_occupied_states_are_left_out():
    fig = occupancy_figure(OCCUPANCY, STATES, LABELS, urgent={"emergency_ces"})
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Discharged", "Emergency - cauda equina", "Conservative care", "New episode"]  # top first
    areas = {a.get_label(): a for a in ax.collections}
    red, green, blue, _ = areas["Emergency - cauda equina"].get_facecolor()[0]
    assert red > 2 * max(green, blue)  # urgent states in reds
    assert all(not (r > 2 * max(g, b)) for name, a in areas.items() if name != "Emergency - cauda equina"
               for r, g, b, _ in a.get_facecolor())


def test_occupancy_must_match_the_states():
    with pytest.raises(ValueError, match="shape"):
        occupancy_figure(OCCUPANCY[:, :3], STATES, LABELS)


def test_recovery_curves_and_targets():
    ax = recovery_figure(IMPROVED_SHARE, FIRST_IMPROVED, NEVER_IMPROVED, TARGETS).axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    # first improved by week 0..3: 0, 1, 3, 3 of 4 (the never-improved patient is never counted)
    np.testing.assert_allclose(lines["Not yet improved for the first time"].get_ydata(), [100, 75, 25, 25])
    np.testing.assert_allclose(lines["Improved at that week"].get_ydata(), 100 * IMPROVED_SHARE)
    assert "Half first improved by week 2" in lines
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [t for t in legend if t.startswith("Target")] == ["Target \u00b1 tolerance: study A",
                                                             "Target \u00b1 tolerance: study B"]


def test_recovery_needs_patients():
    with pytest.raises(ValueError, match="no patients"):
        recovery_figure(IMPROVED_SHARE, np.array([], dtype=int), 0, TARGETS)


def test_recovery_from_totals_draws_what_the_patients_would():
    """The curve from a histogram of first-improved weeks is the one from the patients' weeks:
    patients first improved by each week, over the cohort (never-improved included); a first
    improvement beyond the horizon counts as not yet improved."""
    first_weeks = np.array([0, 3, 3, 5, 9, 1, -1, -1])  # -1: never improved; 9 is past the horizon
    improved = first_weeks[first_weeks >= 0]
    share = np.linspace(0, 0.6, 7)
    ax = recovery_figure(share, np.bincount(improved), np.count_nonzero(first_weeks < 0), TARGETS).axes[0]
    curve = {line.get_label(): line for line in ax.get_lines()}["Not yet improved for the first time"]
    by_patient = 1 - (np.where(first_weeks >= 0, first_weeks, np.inf)[:, None] <= np.arange(7)).mean(axis=0)
    assert np.array_equal(curve.get_ydata(), 100 * by_patient)
    assert ax.get_title() == "Recovery of 8 simulated patients"

"""Waits that emerge from demand and capacity (simulations/capacity/): the capacity file is read
strictly, both engines agree patient for patient and queue for queue, any number of workers give
the same bytes, more demand on the same scanners waits longer, and the summary says plainly when
capacity breaks the safety requirements' timescales."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from pathway.cli import main
from pathway.loader import load_pathway
from pathway.shipped import shipped_pathway
from simulations import load_parameters
from simulations.capacity.file import CapacityError, load_capacity, shipped_capacity
from simulations.capacity.queues import EMERGENCY, RESULT, ROUTINE, URGENT, Plan, Queues, arrival_hours, slots_in
from simulations.capacity.report import quantile
from simulations.running.chunk import from_runs
from simulations.running.cohort import CohortSettings, simulate
from simulations.engines.compiled import CompiledSimulator
from simulations.engines.course import CourseSimulator
from simulations.model.history import NaturalHistory

SPEC = load_pathway(shipped_pathway())
PARAMS = load_parameters()
SHIPPED = shipped_capacity().read_text()


def run_cli(*args):
    return CliRunner().invoke(main, [*map(str, args)], catch_exceptions=False)


def capacity_file(tmp_path, name="capacity.yaml", **replace) -> str:
    """The shipped file with some lines replaced (old line -> new line, each found exactly once)."""
    text = SHIPPED
    for old, new in replace.values():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text)
    return str(path)


MRI_SLOTS = ("      per_100k_per_week: 144.48\n", "      per_week: 75.64\n")  # the shipped cohort's, fixed
MRI_URGENT = ("      value: 0.5\n      citation: project-assumption\n      note: >-\n        Share of the scanner's",
              "      value: 0.002\n      citation: project-assumption\n      note: >-\n        Share of the scanner's")


# -- the file ---------------------------------------------------------------------------------------
def test_the_shipped_file_loads_and_cites_every_figure():
    capacity = load_capacity()
    assert capacity.incidence.value == 19.1 and "khorami-2024" in capacity.incidence.citations
    for resource in capacity.resources.values():
        if resource.counted_only:
            continue
        for figure in (resource.slots, resource.routine_share, resource.urgent_share):
            assert figure.citations and all(c in capacity.references for c in figure.citations)
            assert "project-assumption" not in figure.citations or figure.note
    assert round(capacity.population(1000)) == 52_356  # 1,000 episodes a year at 19.1 per 1,000


def test_a_bad_capacity_file_lists_every_problem_with_its_line(tmp_path):
    path = capacity_file(tmp_path, slots=("      per_100k_per_week: 280\n", "      per_100k_per_week: lots\n"),
                         lanes=("    lanes: [urgent, routine]\n    slots:\n      per_100k_per_week: 793",
                                "    lanes: [urgent, soon]\n    slots:\n      per_100k_per_week: 793"),
                         cite=("      citation: girft-decompression\n", "      citation: girft-decompresion\n"),
                         key=("    urgent_takes_routine: false\n    reporting_weeks: 0\n  epidural:",
                              "    urgent_takes_routine: false\n    reporting_week: 0\n  epidural:"))
    with pytest.raises(CapacityError) as caught:
        load_capacity(path)
    text = "\n".join(str(p) for p in caught.value.problems)
    lines = SHIPPED.splitlines()
    assert f"{path}:{lines.index('      per_100k_per_week: 280') + 1}: `per_100k_per_week`" in text
    assert "must be a number from 0 to 10,000,000, not the text `lots`" in text
    assert "`lanes` of resource `xray` must be a list of distinct lanes from emergency, urgent, routine" in text
    assert "unknown citation `girft-decompresion`" in text and "did you mean `girft-decompression`?" in text
    assert "unknown key `reporting_week` in resource `clinic`" in text
    assert len(caught.value.problems) >= 4


def test_the_command_refuses_a_bad_capacity_file_without_a_traceback(tmp_path):
    path = capacity_file(tmp_path, bad=("    urgent_takes_routine: true\n    reporting_weeks: 0\n  ct:",
                                        "    urgent_takes_routine: maybe\n    reporting_weeks: 0\n  ct:"))
    done = subprocess.run([sys.executable, "-c", "from pathway.cli import main; main()", "simulate", "--patients", "10", "--capacity", path,
                           "--out", str(tmp_path / "out"), "--quiet"], capture_output=True, text=True)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert re.search(rf"{re.escape(path)}:\d+: `urgent_takes_routine` of resource `mri` must be true or false",
                     done.stderr)
    assert not (tmp_path / "out" / "summary.txt").exists()


def test_catchments_need_capacity(tmp_path):
    result = run_cli("simulate", "--patients", "10", "--catchments", "2", "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 1 and "--catchments needs --capacity" in result.output


# -- the queues -------------------------------------------------------------------------------------
def plan(routine=1.0, urgent=0.0, takes=True) -> Plan:
    return Plan((routine, 0, 0, 0, 0, 0), (urgent, 0, 0, 0, 0, 0), (takes,) + (False,) * 5, (0,) * 6,
                ((EMERGENCY, URGENT, ROUTINE),) * 6)


def always(what, patient, entry):
    return True


def test_a_slot_goes_to_the_most_urgent_then_the_first_come():
    # one slot a week, at hour 84: three orders that all arrive before it, in week 0
    early = [p for p in range(100) if arrival_hours(1, np.array([p]), 0, 0)[0] < 84][:3]
    first, second, emergency = sorted(early[:2], key=lambda p: (arrival_hours(1, np.array([p]), 0, 0)[0], p)) + early[2:]
    queues = Queues(plan(routine=1), seed=1)
    for p, lane in ((first, ROUTINE), (second, ROUTINE), (emergency, EMERGENCY)):
        queues.join(0, lane, np.array([p]), 0, RESULT)
    served = [queues.serve(week, always) for week in range(4)]
    assert [[s[1] for s in week] for week in served] == [[emergency], [first], [second], []]
    assert all(due == week + 1 for week, done in enumerate(served) for *_, due in done)


def test_a_cancelled_order_takes_no_slot_and_routine_slots_serve_no_urgent_work_when_not_allowed():
    queues = Queues(plan(routine=1, takes=False), seed=1)
    a, = queues.join(0, ROUTINE, np.array([1]), 0, RESULT)
    queues.join(0, ROUTINE, np.array([2]), 0, RESULT)
    queues.join(0, URGENT, np.array([7]), 0, RESULT)
    served = queues.serve(0, lambda what, patient, entry: entry != a)
    assert [s[1] for s in served] == [2]
    assert [e[4] for e in queues.waiting()] == [7]  # the urgent order still waits; the cancelled one is gone


def test_fractional_slots_add_up_over_the_weeks():
    assert sum(slots_in(2.27, week) for week in range(100)) == 227
    assert {slots_in(0.5, week) for week in range(10)} == {0, 1}


def test_quantiles_of_a_wait_histogram():
    hist = np.bincount([0, 1, 1, 5, 9], minlength=12)
    assert quantile(hist, 0.5) == 1 and quantile(hist, 0.95) == 9 and np.isnan(quantile(hist * 0, 0.5))


# -- the engines ------------------------------------------------------------------------------------
@pytest.mark.parametrize("patients", [150, 400])
def test_the_engines_agree_patient_for_patient_and_queue_for_queue(patients):
    history, capacity = NaturalHistory(PARAMS), load_capacity()
    reference, compiled = Queues(Plan.of(capacity, patients), 3), Queues(Plan.of(capacity, patients), 3)
    a = from_runs(SPEC, 0, CourseSimulator(SPEC, history, 52).run_catchment(3, 0, patients, reference))
    b = CompiledSimulator(SPEC, history, 52).run(3, 0, patients, queues=compiled)
    assert a.differences(b, SPEC) == []
    assert reference.log == compiled.log and reference.log.served
    assert reference.waiting() == compiled.waiting()


def test_capacity_changes_the_waits_and_the_cohort_totals_add_over_catchments():
    settings = CohortSettings(600, 2, 52)
    fixed = simulate(SPEC, PARAMS, settings)
    queued = simulate(SPEC, PARAMS, settings, capacity=load_capacity(), catchments=3)
    reference = simulate(SPEC, PARAMS, settings, capacity=load_capacity(), catchments=3, engine="reference")
    assert fixed.totals.capacity is None and queued.totals.capacity is not None
    assert queued.totals == reference.totals
    assert fixed.totals.counts.histogram["first_mri_week"].tolist() != queued.totals.counts.histogram[
        "first_mri_week"].tolist()
    assert queued.totals.capacity.used.sum() == queued.totals.capacity.waits.sum()  # a slot used is an order served


# -- the command ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("capacity") / "one"
    result = run_cli("simulate", "--patients", 500, "--seed", 4, "--capacity", "--catchments", 2, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    return out, result.output


def test_one_or_two_workers_write_the_same_bytes(shipped_run, tmp_path):
    out, _ = shipped_run
    again = tmp_path / "two"
    result = run_cli("simulate", "--patients", 500, "--seed", 4, "--capacity", "--catchments", 2, "--workers", 2,
                     "--out", again, "--quiet")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert "queues.png" in names and "queues.csv" in names
    assert names == sorted(p.name for p in again.iterdir())
    assert all((out / n).read_bytes() == (again / n).read_bytes() for n in names)


def test_the_outputs_give_waits_utilisation_queues_and_safety(shipped_run):
    out, text = shipped_run
    doc = json.loads((out / "summary.json").read_text())["capacity"]
    mri = doc["resources"]["mri"]
    assert mri["lanes"]["routine"]["unit"] == "weeks" and mri["lanes"]["routine"]["median"] > 0
    assert 0 < mri["routine_utilisation"] <= 1 and len(mri["waiting_by_week"]) == 53
    assert doc["catchments"] == 2 and doc["population"] == round(500 * 1000 / 19.1)
    assert doc["safety"] and all(0 <= s["share_on_time"] <= 1 for s in doc["safety"].values())
    csv = (out / "queues.csv").read_text().splitlines()
    assert csv[0] == "week,resource,routine_slots,routine_used,urgent_slots,urgent_used,waiting" and len(csv) == 1 + 53 * 6
    weekly = [int(line.split(",")[6]) for line in csv[1:] if line.split(",")[1] == "mri"]
    assert weekly == mri["waiting_by_week"]
    assert (out / "queues.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Safety under saturation" in text and "mri routine" in text


def mri_run(tmp_path, patients, name, **replace):
    path = capacity_file(tmp_path, f"{name}.yaml", slots=MRI_SLOTS, **replace)
    out = tmp_path / name
    result = run_cli("simulate", "--patients", patients, "--seed", 1, "--capacity", path, "--out", out, "--quiet",
                     "--no-visits")
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text())["capacity"], result.output


def test_double_the_demand_on_the_same_scanners_waits_longer_and_urgent_timescales_hold_until_urgent_slots_go(tmp_path):
    base, _ = mri_run(tmp_path, 1000, "base")
    double, text = mri_run(tmp_path, 2000, "double")
    routine = [run["resources"]["mri"]["lanes"]["routine"] for run in (base, double)]
    assert routine[1]["median"] > 1.5 * routine[0]["median"]
    assert routine[1]["p95"] > routine[0]["p95"]
    for run in (base, double):  # every emergency and urgent MRI within its hours
        assert all(s["on_time"] == s["work_ups"] for s in run["safety"].values())
    assert "every urgent and emergency work-up was imaged within its category's timescale" in text
    cut, text = mri_run(tmp_path, 2000, "cut", urgent=MRI_URGENT)
    assert cut["safety"]["cauda_equina"]["on_time"] < cut["safety"]["cauda_equina"]["work_ups"]
    assert "CAPACITY BREAKS THE SAFETY PROMISE" in text


# -- the review packet ------------------------------------------------------------------------------
def test_the_review_packet_states_plainly_when_capacity_breaks_the_promise(tmp_path):
    from simulations.capacity.report import packet_sections

    cut = load_capacity(capacity_file(tmp_path, slots=MRI_SLOTS, urgent=MRI_URGENT))
    kept = simulate(SPEC, PARAMS, CohortSettings(1000, 1, 52), capacity=load_capacity())
    broken = simulate(SPEC, PARAMS, CohortSettings(2000, 1, 52), capacity=cut)
    verdicts = [packet_sections(r)["Safety under saturation (capacity)"][0][1] for r in (kept, broken)]
    assert verdicts[0].startswith("kept: every urgent and emergency work-up imaged in time")
    assert verdicts[1].startswith("CAPACITY BREAKS THE SAFETY PROMISE")


def test_the_report_command_takes_capacity_and_says_how_to_make_the_packet_again(tmp_path):
    from review.cli import _command

    assert _command(None, 300, 1, 52, None, None, tmp_path / "c.yaml", 2).endswith(
        f"--simulate 300 --seed 1 --weeks 52 --capacity {tmp_path / 'c.yaml'} --catchments 2")
    result = run_cli("report", "--capacity", "--out", tmp_path / "r.html", "--quiet")
    assert result.exit_code == 1 and "--capacity needs --simulate N" in result.output


def test_the_codebook_describes_queues_csv(shipped_run):
    out, _ = shipped_run
    book = json.loads((out / "codebook.json").read_text())
    table = next(t for t in book["tables"] if t["table"] == "queues")
    header = (out / "queues.csv").read_text().splitlines()[0].split(",")
    assert [c["column"] for c in table["columns"]] == header
    assert [v["value"] for v in book["values"]["resources"]] == ["mri", "ct", "xray", "clinic", "epidural", "theatre"]


def test_the_queue_plot_draws_a_line_for_each_resource_that_had_a_queue():
    from simulations.capacity.plot import queues_figure

    waiting = np.zeros((53, 6), dtype=np.int64)
    waiting[5:20, 0] = 7  # MRI
    waiting[1:3, 2] = 2  # X-ray
    ax = queues_figure(waiting, {"mri": "MRI", "xray": "X-ray"}).axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["MRI", "X-ray"]
    assert ax.get_lines()[0].get_ydata().tolist() == waiting[:, 0].tolist()


def test_physiotherapy_demand_is_counted_from_conservative_care(shipped_run):
    out, text = shipped_run
    summary = json.loads((out / "summary.json").read_text())
    assert summary["capacity"]["physiotherapy_demand"] == summary["patients_by_state"]["conservative_care"] > 0
    assert "demand counted, not booked" in text


def test_catchments_are_independent_however_they_are_grouped_into_chunks():
    capacity = load_capacity()
    settings = CohortSettings(900, 5, 52)
    runs = [simulate(SPEC, PARAMS, settings, chunk_size=size, capacity=capacity, catchments=6)
            for size in (1, 300, 10_000)]  # a chunk per catchment, two a chunk, all in one
    assert runs[0].totals == runs[1].totals == runs[2].totals
    assert runs[0].totals.capacity.waits.sum() > 0


def test_chunks_hold_whole_catchments():
    from simulations.capacity.run import catchment_ranges, chunks_of_catchments

    areas = catchment_ranges(1000, 7)
    assert areas[0] == (0, 142) and areas[-1][1] == 1000 and len(areas) == 7
    assert chunks_of_catchments(areas, 300) == [(0, 428), (428, 857), (857, 1000)]
    assert chunks_of_catchments(areas, 1) == areas

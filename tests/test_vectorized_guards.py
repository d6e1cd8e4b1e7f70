"""Vectorized guards: the same answers as `compile_guard`, one per row, over NumPy columns."""

from collections.abc import Mapping

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathway import load_pathway, shipped_pathway
from pathway.guards import compile_guard, parse_guard
from pathway.guards.vectorized import columns, compile_vectorized
from pathway.testing import ages, findings

SPEC = load_pathway(shipped_pathway())
CONDS = {c.name: c.expr for c in SPEC.conditions}
# Every distinct guard: the escalations copied to each state share one expr.
GUARDS = list(dict.fromkeys([c.expr for c in SPEC.conditions] + [t.expr for t in SPEC.transitions]))
COMPILED = [(g, compile_guard(g, CONDS), compile_vectorized(g, CONDS)) for g in GUARDS]


def _domain(f) -> st.SearchStrategy:
    if f.type == "boolean":
        return st.booleans()
    if f.type == "enum":
        return st.sampled_from(f.values)
    return st.integers(f.minimum, f.maximum)


# Envs two ways: uniform over each finding's domain, and the project's own `findings` strategy,
# which leans towards the guards' thresholds and red-flag combinations.
uniform_env = st.fixed_dictionaries({f.name: _domain(f) for f in SPEC.findings})
weeks = st.one_of(st.sampled_from([0, 1, 2, 5, 6, 7, 12, 520]), _domain(SPEC.finding["week"]))
project_env = st.builds(
    lambda answers, age, week: {**answers, "age": age, "week": week},
    findings(SPEC, red_flags="any"), ages(SPEC), weeks,
)
batches = st.lists(st.one_of(uniform_env, project_env), min_size=1, max_size=40)  # empty: below


@settings(max_examples=150, deadline=None)
@given(batches)
def test_every_shipped_guard_agrees_with_compile_guard(envs):
    cols = columns(envs)
    for guard, scalar, vector in COMPILED:
        got = vector(cols)
        assert got.dtype == bool and got.shape == (len(envs),), guard
        assert got.tolist() == [scalar(env) for env in envs], guard


CODES = {f.name: f.values for f in SPEC.findings if f.type == "enum"}
CODED = [(g, compile_vectorized(g, CONDS, CODES)) for g in GUARDS]


@settings(max_examples=100, deadline=None)
@given(batches)
def test_every_shipped_guard_on_coded_enums_agrees_with_compile_guard(envs):
    """Enums given as codes (indexes into the finding's values): the lookup tables decide alike."""
    cols = columns(envs)
    for name, values in CODES.items():
        cols[name] = np.array([values.index(env[name]) for env in envs])
    for (guard, scalar, _), (_, coded) in zip(COMPILED, CODED):
        assert coded(cols).tolist() == [scalar(env) for env in envs], guard


def test_every_shipped_guard_on_an_empty_batch():
    # `columns([])` has no keys to go by, so the typed empty columns come from the spec.
    dtypes = {"boolean": bool, "enum": "<U1", "integer": int}
    empty = {f.name: np.array([], dtypes[f.type]) for f in SPEC.findings}
    for guard, _, vector in COMPILED:
        got = vector(empty)
        assert got.dtype == bool and got.shape == (0,), guard


# -- each operator by hand ----------------------------------------------------------------------

HAND_CONDS = {
    "motor": parse_guard('foot_drop or weakness == "progressive"'),
    "late": parse_guard("week >= 6"),
}
ROWS = [
    {"foot_drop": True, "weakness": "none", "week": 0},
    {"foot_drop": False, "weakness": "mild", "week": 5},
    {"foot_drop": True, "weakness": "stable", "week": 6},
    {"foot_drop": False, "weakness": "progressive", "week": 7},
    {"foot_drop": False, "weakness": "none", "week": 520},
]
T, F = True, False


@pytest.mark.parametrize(
    "text, expected",
    [
        ("true", [T, T, T, T, T]),
        ("false", [F, F, F, F, F]),
        ("foot_drop", [T, F, T, F, F]),
        ('weakness == "none"', [T, F, F, F, T]),
        ('weakness != "none"', [F, T, T, T, F]),
        ("week < 6", [T, T, F, F, F]),
        ("week <= 6", [T, T, T, F, F]),
        ("week > 6", [F, F, F, T, T]),
        ("week >= 6", [F, F, T, T, T]),
        ('weakness in ["mild", "stable"]', [F, T, T, F, F]),
        ('weakness not in ["mild", "stable"]', [T, F, F, T, T]),
        ("not foot_drop", [F, T, F, T, T]),
        ("foot_drop and week >= 6", [F, F, T, F, F]),
        ("foot_drop or week >= 7", [T, F, T, T, T]),
        ("motor", [T, F, T, T, F]),
        ("motor and not late", [T, F, F, F, F]),
        ("not (motor or late) or false", [F, T, F, F, F]),
    ],
)
def test_each_operator(text, expected):
    guard = parse_guard(text)
    vector, scalar = compile_vectorized(guard, HAND_CONDS), compile_guard(guard, HAND_CONDS)
    cols = columns(ROWS)
    assert vector(cols).tolist() == expected == [scalar(env) for env in ROWS]
    for i, env in enumerate(ROWS):  # batches of one
        one = vector({k: v[i:i + 1] for k, v in cols.items()})
        assert one.shape == (1,) and one.tolist() == [scalar(env)]
    empty = {"foot_drop": np.array([], bool), "weakness": np.array([], "<U11"), "week": np.array([], int)}
    none = vector(empty)
    assert none.dtype == bool and none.shape == (0,)


def test_columns_have_the_engine_dtypes():
    cols = columns(ROWS)
    assert cols["foot_drop"].dtype == bool and cols["weakness"].dtype.kind == "U" and cols["week"].dtype.kind == "i"
    assert columns([]) == {}


def test_a_bare_name_is_true_only_for_a_real_true():
    # As compile_guard: `env[name] is True`, so 1 or "yes" in an untyped column does not count.
    mask = compile_vectorized(parse_guard("foot_drop"), {})({"foot_drop": np.array([True, 1, "yes", False], object)})
    assert mask.tolist() == [True, False, False, False]


def test_the_mask_is_not_an_input_column():
    cols = columns(ROWS)
    compile_vectorized(parse_guard("foot_drop"), {})(cols)[:] = False
    assert cols["foot_drop"].tolist() == [T, F, T, F, F]


# -- named conditions: once per call --------------------------------------------------------------


class CountingColumns(Mapping):
    def __init__(self, cols):
        self.cols, self.reads = cols, {}

    def __getitem__(self, key):
        self.reads[key] = self.reads.get(key, 0) + 1
        return self.cols[key]

    def __iter__(self):
        return iter(self.cols)

    def __len__(self):
        return len(self.cols)


def test_a_condition_named_twice_is_computed_once_per_call():
    guard = parse_guard("(motor and late) or (motor and not late) or not motor")
    vector = compile_vectorized(guard, HAND_CONDS)
    env = CountingColumns(columns(ROWS))
    assert vector(env).tolist() == [T] * 5
    assert env.reads == {"foot_drop": 1, "weakness": 1, "week": 1}
    vector(env)  # a new call computes afresh: the columns may have changed
    assert env.reads == {"foot_drop": 2, "weakness": 2, "week": 2}


def test_a_shared_memo_spans_guards():
    env, memo = CountingColumns(columns(ROWS)), {}
    compile_vectorized(parse_guard("motor and late"), HAND_CONDS)(env, memo)
    compile_vectorized(parse_guard("motor or week > 100"), HAND_CONDS)(env, memo)
    assert set(memo) == {"motor", "late"}
    assert env.reads == {"foot_drop": 1, "weakness": 1, "week": 2}

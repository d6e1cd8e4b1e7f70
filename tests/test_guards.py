"""The guard language: parsing, type checking, plain words, predicates and explanations."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway.guards import (
    And, Compare, GuardSyntaxError, Literal, Name, Not, Or, check_guard, compile_guard, describe, explain,
    format_guard, parse_guard,
)
from pathway.spec import Finding

VOCAB = {
    "foot_drop": Finding("foot_drop", "boolean", "foot drop", "?"),
    "disabling": Finding("disabling", "boolean", "disabling symptoms", "?", when_false="symptoms not disabling"),
    "trend": Finding("trend", "enum", "trend", "?", values=("improving", "stuck", "worse")),
    "weakness": Finding("weakness", "enum", "weakness", "?", values=("none", "mild", "stable", "progressive")),
    "week": Finding("week", "integer", "weeks since onset", "?", minimum=0, maximum=520),
}
CONDITIONS = {"motor": Or((Name("foot_drop"), Compare("weakness", "==", "progressive")))}
LABELS = {"motor": "progressive motor deficit"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("foot_drop", Name("foot_drop")),
        ("true", Literal(True)),
        ('trend != "improving"', Compare("trend", "!=", "improving")),
        ("week >= 6", Compare("week", ">=", 6)),
        ('weakness in ["mild", "stable"]', Compare("weakness", "in", ("mild", "stable"))),
        ("not foot_drop", Not(Name("foot_drop"))),
        (
            'week >= 6 and (foot_drop or trend == "worse")',
            And((Compare("week", ">=", 6), Or((Name("foot_drop"), Compare("trend", "==", "worse"))))),
        ),
    ],
)
def test_parses_the_grammar(text, expected):
    assert parse_guard(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ('trend = "stuck"', 'column 7: invalid guard syntax at `= "stuck"`; write `==`, not `=`'),
        ("foot_drop && disabling", "column 12: invalid guard syntax at `& disabling`; write `and`, not `&&`"),
        ("week + 1 > 3", "column 1: `week + 1 > 3`: put the finding's name on the left"),
        ("foot_drop or week * 2", "column 14: unsupported expression `week * 2`: guards use finding and condition names, "
                                  "literals, comparisons (==, !=, <, <=, >, >=, in [...], not in [...]), and, or, not, and parentheses"),
        ("__import__('os')", "column 1: unsupported expression `__import__('os')`"),
        ("0 < week < 5", "column 1: chained comparison `0 < week < 5`: write it as two comparisons joined by `and`"),
        ("trend == stuck", 'column 10: `stuck` on the right of a comparison must be a quoted value, e.g. "stuck"'),
        ('"worse" == trend', 'column 1: `\'worse\' == trend`: put the finding\'s name on the left, e.g. `weakness == "none"`'),
        ("", "empty guard; write `true` for a transition that always applies"),
        # found by the fuzz campaign (issue 17): a guard the loader accepted, `check` and the FHIR export
        # then overflowed the stack on, and one whose error message did
        ("not " * 40 + "fever", "column 133: guard is nested more than 32 levels deep (`and`, `or`, `not` and "
                                "parentheses); name a part of it as a condition"),
        ("-" * 600 + "1 < age", "guard is nested more than 32 levels deep"),
        ("age > " + "9" * 1990, "column 7: the number 999999999999... is 1,990 digits long; allowed: whole numbers "
                                "of at most 18 digits"),
    ],
)
def test_rejects_anything_outside_the_grammar(text, message):
    with pytest.raises(GuardSyntaxError) as err:
        parse_guard(text)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize(
    "text, problems",
    [
        ("weakness >= 3", [
            "`>=` is not defined for `weakness`, a choice without order (none, mild, stable, progressive); use ==, !=, in or not in",
            '3 is not a value of `weakness`; allowed: none, mild, stable, progressive',
        ]),
        ('trend == "better"', ['"better" is not a value of `trend`; allowed: improving, stuck, worse']),
        ("trend", ['`trend` is a choice (improving, stuck, worse), not true/false: compare it, e.g. `trend == "improving"`']),
        ("foot_drops", ["unknown name `foot_drops`; did you mean `foot_drop`?"]),
        ("week > 600", ["600 is outside the range of `week` (a whole number from 0 to 520), so this comparison never changes"]),
        ('week == "six"', ['`week` is a number; "six" is not']),
        ("motor == true", ["`motor` is a condition (true/false): use `motor` or `not motor`, not `==`"]),
        ("foot_drop >= 1", ["`>=` is not defined for `foot_drop`, which is true or false; use `foot_drop` or `not foot_drop`"]),
        ('motor and week >= 6 and trend in ["stuck", "worse"]', []),
    ],
)
def test_type_checks_against_the_vocabulary(text, problems):
    assert check_guard(parse_guard(text), VOCAB, set(CONDITIONS)) == problems


@pytest.mark.parametrize(
    "text, words",
    [
        ('week >= 6 and trend != "improving" and disabling', "weeks since onset at least 6, trend is not improving, disabling symptoms"),
        ("not disabling", "symptoms not disabling"),
        ("not foot_drop", "no foot drop"),
        ('not trend == "worse"', "trend is not worse"),
        ("motor or week > 12", "progressive motor deficit or weeks since onset over 12"),
        ('weakness in ["mild", "stable"]', "weakness is mild or stable"),
        ("week < 4 and (foot_drop or disabling)", "weeks since onset under 4, (foot drop or disabling symptoms)"),
        ('weakness == "none" or weakness != "none"', "no weakness or any weakness"),
        ('(trend == "worse" or foot_drop) and (week > 2 or disabling) or foot_drop',
         "((trend is worse or foot drop) and (weeks since onset over 2 or disabling symptoms)) or foot drop"),
        ("true", "otherwise"),
    ],
)
def test_describes_guards_in_plain_words(text, words):
    assert describe(parse_guard(text), VOCAB, LABELS) == words


def _env(**changes):
    return {"foot_drop": False, "disabling": False, "trend": "stuck", "weakness": "none", "week": 3, **changes}


def test_predicate_follows_named_conditions():
    holds = compile_guard(parse_guard("motor and week >= 6"), CONDITIONS)
    assert holds(_env(week=6, weakness="progressive"))
    assert not holds(_env(week=5, weakness="progressive"))
    assert not holds(_env(week=6))


def test_explanation_names_the_findings_that_decided():
    expr = parse_guard('motor and trend != "improving"')
    assert explain(expr, _env(foot_drop=True), CONDITIONS) == [("foot_drop", True), ("trend", "stuck")]
    assert explain(expr, _env(), CONDITIONS, want=False) == [("foot_drop", False), ("weakness", "none")]


# -- properties over generated guards ---------------------------------------------------------------

def _leaf():
    enum_compares = st.builds(
        Compare, st.sampled_from(["trend"]), st.sampled_from(["==", "!="]), st.sampled_from(["improving", "stuck", "worse"])
    )
    week_compares = st.builds(Compare, st.just("week"), st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), st.integers(0, 520))
    names = st.builds(Name, st.sampled_from(["foot_drop", "disabling", "motor"]))
    return st.one_of(names, enum_compares, week_compares, st.builds(Literal, st.booleans()))


guards = st.recursive(
    _leaf(),
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.builds(And, st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.builds(Or, st.lists(inner, min_size=2, max_size=3).map(tuple)),
    ),
    max_leaves=8,
)
envs = st.builds(
    _env,
    foot_drop=st.booleans(), disabling=st.booleans(), trend=st.sampled_from(["improving", "stuck", "worse"]),
    weakness=st.sampled_from(["none", "mild", "stable", "progressive"]), week=st.integers(0, 520),
)


@given(guards)
def test_written_guards_parse_back_to_the_same_tree(expr):
    assert parse_guard(format_guard(expr)) == expr


@given(guards)
def test_generated_guards_are_well_typed_and_describable(expr):
    assert check_guard(expr, VOCAB, set(CONDITIONS)) == []
    assert describe(expr, VOCAB, LABELS)


@given(guards, envs, envs)
def test_explanation_is_sufficient(expr, env, other):
    """Keep only the findings the explanation names; whatever the rest are, the verdict stands."""
    holds = compile_guard(expr, CONDITIONS)
    verdict = holds(env)
    named = dict(explain(expr, env, CONDITIONS, want=verdict))
    assert holds({**other, **named}) == verdict

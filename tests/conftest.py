import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from pathway import Engine, load_pathway, parse_patient, shipped_pathway

REPO = Path(__file__).resolve().parent.parent
# The load cache (pathway/cache.py) of this test run, not the user's: nothing left in ~/.cache.
# Set before any test runs, so that commands the tests start inherit it too.
os.environ.setdefault("SCIATICA_CACHE_DIR", tempfile.mkdtemp(prefix="sciatica-test-cache-"))

settings.register_profile("dev", max_examples=100)
settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def spec():
    return load_pathway(shipped_pathway())


@pytest.fixture(scope="session")
def model(spec):
    """The shipped pathway's diagram model."""
    from diagrams import build_model

    return build_model(spec)


@pytest.fixture(scope="session")
def engine(spec):
    return Engine(spec)


def calm_findings() -> dict:
    """A leg-dominant sciatica visit with every red-flag question answered "no"."""
    example = json.loads((REPO / "examples/patients/01-improving-then-recovered.json").read_text())
    return dict(example["visits"][0]["findings"], trend="stuck", disabling=False)


@pytest.fixture(name="calm_findings")
def calm_findings_fixture():
    return calm_findings()


@pytest.fixture
def route(spec, engine):
    """Assess a patient given as (week, changes-from-calm) visits; returns the trace."""

    def run(*visits, age=45):
        data = {"age": age, "visits": [{"week": w, "findings": {**calm_findings(), **changes}} for w, changes in visits]}
        return engine.run(parse_patient(data, spec))

    return run

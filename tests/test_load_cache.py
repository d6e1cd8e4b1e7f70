"""The cache of loaded pathways and parameter files (pathway.cache): a file loaded again comes
from the cache, a changed file never meets a stale entry, a broken entry is ignored, and a bad
file is reported exactly as without a cache."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pathway import PathwayError, load_pathway, shipped_pathway
from pathway.cache import cache_dir
from simulations import ParameterError, load_parameters, shipped_parameters


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SCIATICA_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def pathway(tmp_path) -> Path:
    copy = tmp_path / "pathway"
    shutil.copytree(shipped_pathway(), copy)
    return copy


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.pickle")) if cache.is_dir() else []


def test_a_second_load_comes_from_the_cache_and_is_the_same(cache, pathway):
    first = load_pathway(pathway)
    assert [p.name.split("-")[0] for p in entries(cache)] == ["pathway"]
    again = load_pathway(pathway)
    assert again is not first and again == first and again.content_hash == first.content_hash
    assert again.source == str(pathway)


def test_a_changed_file_is_loaded_afresh(cache, pathway):
    before = load_pathway(pathway)
    states = pathway / "states.yaml"
    states.write_text(states.read_text(encoding="utf-8").replace("label: New episode of sciatica", "label: A new episode", 1), encoding="utf-8")
    after = load_pathway(pathway)
    assert after.content_hash != before.content_hash
    assert after.states[0].label != before.states[0].label
    assert len(entries(cache)) == 2


def test_the_same_files_elsewhere_are_another_entry(cache, pathway, tmp_path):
    """Where a pathway was loaded from is part of it (its source, every problem's file:line)."""
    other = tmp_path / "elsewhere"
    shutil.copytree(pathway, other)
    assert load_pathway(pathway).source != load_pathway(other).source
    assert len(entries(cache)) == 2


def test_a_corrupt_entry_is_ignored_and_replaced(cache, pathway):
    expected = load_pathway(pathway)
    (entry,) = entries(cache)
    entry.write_bytes(b"not a pickle")
    assert load_pathway(pathway) == expected
    assert load_pathway(pathway) == expected  # the entry was written again, whole
    entry.write_bytes(entry.read_bytes()[:100])  # truncated
    assert load_pathway(pathway) == expected


def test_a_bad_file_is_never_cached_and_reported_as_before(cache, pathway, monkeypatch):
    load_pathway(pathway)  # the good version is in the cache
    states = pathway / "states.yaml"
    states.write_text(states.read_text(encoding="utf-8").replace("phase:", "phaze:", 1), encoding="utf-8")
    with pytest.raises(PathwayError) as cached:
        load_pathway(pathway)
    monkeypatch.setenv("SCIATICA_CACHE_DIR", "off")
    with pytest.raises(PathwayError) as uncached:
        load_pathway(pathway)
    assert [str(p) for p in cached.value.problems] == [str(p) for p in uncached.value.problems]
    assert any("phaze" in str(p) for p in cached.value.problems)
    assert len(entries(cache)) == 1


def test_parameters_are_cached_and_a_change_is_seen(cache, tmp_path):
    copy = tmp_path / "parameters.yaml"
    text = shipped_parameters().read_text(encoding="utf-8")
    copy.write_text(text, encoding="utf-8")
    first = load_parameters(copy)
    assert load_parameters(copy) == first
    copy.write_text(text.replace("value: 0.675", "value: 0.6", 1), encoding="utf-8")
    changed = load_parameters(copy)
    assert changed.value("presentation.pain_below_knee") == 0.6 and changed.content_hash != first.content_hash
    copy.write_text(text.replace("value: 0.675", "value: 1.5", 1), encoding="utf-8")
    with pytest.raises(ParameterError, match="pain_below_knee"):
        load_parameters(copy)


def test_off_and_unwritable_caches_still_load(pathway, tmp_path, monkeypatch):
    monkeypatch.setenv("SCIATICA_CACHE_DIR", "off")
    assert cache_dir() is None
    expected = load_pathway(pathway)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("SCIATICA_CACHE_DIR", str(blocker / "cache"))  # cannot be made
    assert load_pathway(pathway) == expected


def test_the_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("SCIATICA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "sciatica"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == Path(os.path.expanduser("~")) / ".cache" / "sciatica"


@pytest.mark.parametrize("writable_by_others", [False, True])
def test_an_entry_others_could_write_is_never_unpickled(cache, pathway, writable_by_others):
    """Unpickling runs code: a planted entry is read only when only this user could have written it."""
    import pickle

    load_pathway(pathway)
    [entry] = entries(cache)
    entry.write_bytes(pickle.dumps("planted"))
    if writable_by_others:
        entry.chmod(0o666)
    loaded = load_pathway(pathway)
    assert (loaded != "planted") if writable_by_others else (loaded == "planted")


def test_every_module_a_load_runs_is_in_the_code_fingerprint():
    """An edited loader module must never meet a stale entry: each project module imported while
    loading the pathway and the parameters (cache off, in a fresh interpreter) is fingerprinted."""
    import json
    import subprocess
    import sys

    from pathway.cache import fingerprinted_files

    script = ("import sys, json; from pathway import load_pathway, shipped_pathway; "
              "from simulations import load_parameters; load_pathway(shipped_pathway()); load_parameters(); "
              "print(json.dumps([getattr(m, '__file__', None) for m in list(sys.modules.values())]))")
    env = {**os.environ, "SCIATICA_CACHE_DIR": "off"}
    loaded = json.loads(subprocess.run([sys.executable, "-c", script], env=env, check=True,
                                       capture_output=True, text=True).stdout)
    root = Path(__file__).resolve().parent.parent
    packages = (root / "pathway", root / "simulations")
    ours = {Path(f).resolve() for f in loaded if f and any(Path(f).resolve().is_relative_to(p) for p in packages)}
    covered = {p.resolve() for p in fingerprinted_files()}
    assert not ours - covered, sorted(str(p.relative_to(root)) for p in ours - covered)

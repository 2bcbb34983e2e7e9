"""Shared fixtures.  Qt runs offscreen; no test needs a display or the network."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# Offscreen Qt with a 1920x1200 screen, so 1280x800 windows fit (the default screen is 800x800).
os.environ["QT_QPA_PLATFORM"] = "offscreen:configfile=" + str(Path(__file__).resolve().parent / "data" / "offscreen.json")
os.environ.setdefault("REFMANAGER_NO_NETWORK", "1")
# No PDF index run starts by itself in a window (tests/gui/test_fulltext_gui.py turns it on).
os.environ.setdefault("REFMANAGER_NO_BACKGROUND_INDEX", "1")

import pytest  # noqa: E402
from hypothesis import Phase, settings  # noqa: E402

from refmanager.core.library import Library  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FULL_SEED = SEEDS / "000_808ebdae4c7efd63.txt"
PROFILE_SEED = SEEDS / "001_a6301b2403d71b79.txt"
DATA = Path(__file__).resolve().parent / "data"

# Hypothesis profiles: "ci" (the default, what .ci/run and the README run) and
# "dev", a tenth of the examples for the fast loop:
#   pytest -m "not slow" --hypothesis-profile=dev
settings.register_profile("ci", max_examples=100, deadline=None)
settings.register_profile("dev", max_examples=10, deadline=None)
# "explain": the first failing example as found, unshrunk (to debug a long stateful run)
settings.register_profile("explain", max_examples=100, deadline=None,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate])
settings.load_profile("ci")


def examples(n: int) -> int:
    """``n`` examples under the "ci" profile, scaled to the profile in use
    (read when a test module is imported: after ``--hypothesis-profile``)."""
    return max(5, n * settings().max_examples // 100)


@pytest.fixture
def lib(tmp_path: Path):
    library = Library(tmp_path / "library.db")
    yield library
    library.close()


@pytest.fixture
def seeded(lib: Library) -> Library:
    lib.import_paths([FULL_SEED, PROFILE_SEED])
    return lib


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    d = tmp_path / "seeds"
    shutil.copytree(SEEDS, d)
    return d


def dump(library: Library) -> str:
    """The library's whole content as SQL text: equal dumps mean nothing changed."""
    return "\n".join(
        line
        for line in library.db.conn.iterdump()
        # SQLite's own planner statistics (PRAGMA optimize) are not library content
        if "sqlite_stat" not in line and not line.startswith("ANALYZE")
    )


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``refmanager ARGS`` in this process: (exit code, stdout, stderr)."""
    from refmanager.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def cli_on(capsys: pytest.CaptureFixture[str], libpath: str, *args: str) -> tuple[int, str, str]:
    """``refmanager --library LIBPATH ARGS`` in this process."""
    return cli(capsys, "--library", libpath, *args)

"""The seeds and resources ship inside the wheel, and are found from a normal install."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stderr
    (whl,) = out.glob("refmanager-*.whl")
    return whl


def test_wheel_contains_seeds_and_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "refmanager/_seeds/000_808ebdae4c7efd63.txt" in names
    assert "refmanager/_seeds/001_a6301b2403d71b79.txt" in names
    assert "refmanager/_resources/refmanager.desktop" in names
    assert "refmanager/_resources/icons/star.svg" in names


def test_installed_wheel_finds_the_seeds(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import refmanager.core.locations as L, sys; "
        "assert L.__file__.startswith(sys.argv[1]), L.__file__; "
        "print('\\n'.join(p.name for p in L.seed_files()))"
    )
    r = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); " + code, str(site)],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["000_808ebdae4c7efd63.txt", "001_a6301b2403d71b79.txt"]
    seeds = (site / "refmanager" / "_seeds" / "000_808ebdae4c7efd63.txt").read_bytes()
    assert seeds == (ROOT / "seeds" / "000_808ebdae4c7efd63.txt").read_bytes()

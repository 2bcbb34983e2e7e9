"""The core never imports Qt (also enforced by the import-linter contract)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import refmanager.core

ROOT = Path(__file__).resolve().parent.parent


def test_core_imports_no_qt():
    mods = [m.name for m in pkgutil.walk_packages(refmanager.core.__path__, "refmanager.core.")]
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'refmanager.gui')))\n"
        "print(','.join(bad))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert len(mods) >= 10
    assert r.stdout.strip() == ""


def test_import_linter_contract_holds():
    exe = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 kept, 0 broken" in r.stdout

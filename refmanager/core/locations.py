"""Where things are on disk: the default library, and the bundled seed listings."""

from __future__ import annotations

import os
from pathlib import Path


def default_library_path() -> Path:
    """``REFMANAGER_LIBRARY``, else ``library.db`` in the user's data folder."""
    import platformdirs

    env = os.environ.get("REFMANAGER_LIBRARY")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("refmanager", appauthor=False)) / "library.db"


def seed_files() -> list[Path]:
    """The bundled seed listings (from the wheel, or the source checkout)."""
    here = Path(__file__).resolve().parent.parent
    for d in (here / "_seeds", here.parent / "seeds"):
        if d.is_dir():
            files = sorted(p for p in d.iterdir() if p.suffix == ".txt")
            if files:
                return files
    return []

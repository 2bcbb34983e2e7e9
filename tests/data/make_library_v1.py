"""How ``tests/data/library_v1.db`` was made: a small library written by schema version 1.

    .venv/bin/python tests/data/make_library_v1.py

The library must be written by the *first* schema version, whatever the current code is, so this
script takes refmanager's code from commit ``V1_COMMIT`` (the last commit with ``SCHEMA_VERSION = 1``,
read with ``git archive``: nothing in the checkout changes) and runs ``build`` with that code.

``build`` imports the two seeds, tags three papers (one tag has a colour), writes a note, stars one
paper, marks one read and moves one to the trash.  It writes

* ``library_v1.db``   the library (closed cleanly: no -wal/-shm beside it);
* ``library_v1.json`` what that version itself read back from it: every paper (trash included) in
  the export's JSON fields, the tags with their counts and colours, and the undo label.

``tests/test_schema_migration.py`` opens a copy of the .db with the current code and checks that
every paper, tag and note of the .json is there, and that a backup was taken before the upgrade.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

V1_COMMIT = "7870048"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def build(out_dir: Path, seeds: Path) -> None:
    """Runs with the version-1 code first on sys.path."""
    from refmanager.core import schema
    from refmanager.core.library import Library

    assert schema.SCHEMA_VERSION == 1, "run through main(): this needs the version-1 code"
    db = out_dir / "library_v1.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    lib = Library(db)
    lib.import_paths(sorted(seeds.glob("*.txt")))

    def pid(title_start: str) -> int:
        return next(p["id"] for p in lib.export_json() if (p["title"] or "").startswith(title_start))

    gemma2, curiosity, hindsight = pid("Gemma 2:"), pid("Curiosity in Hindsight"), pid("Hindsight Credit")
    lib.add_tags([gemma2, curiosity], ["to read"])
    lib.add_tags([curiosity, hindsight], ["RL"])
    lib.add_tags([gemma2], ["LLM"])
    lib.set_tag_color("RL", "#2a9d8f")
    lib.set_note(gemma2, "Compare with Gemma 3.\nSecond line — ünïcödé, and a tab:\tthere.")
    lib.set_starred([curiosity])
    lib.set_read([hindsight])
    trashed = next(p["id"] for p in lib.export_json() if p["incomplete"])
    lib.trash([trashed])
    ids = lib.all_ids() + lib.all_ids(trash=True)
    expected = {
        "schema_version": lib.schema_version,
        "papers": lib.export_json(ids),
        "tags": [list(t) for t in lib.tag_counts()],
        "undo_label": lib.undo_label(),
    }
    lib.close()
    assert not Path(f"{db}-wal").exists()
    (out_dir / "library_v1.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tar = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", V1_COMMIT, "refmanager", "seeds"],
            check=True, capture_output=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(tar)) as t:
            t.extractall(tmp, filter="data")
        env = {**os.environ, "PYTHONPATH": tmp}
        code = (
            "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
            "import refmanager; assert refmanager.__file__.startswith(sys.argv[1]), refmanager.__file__; "
            "sys.path.insert(1, sys.argv[2]); import make_library_v1 as m; "
            "m.build(Path(sys.argv[2]), Path(sys.argv[1]) / 'seeds')"
        )
        subprocess.run([sys.executable, "-c", code, tmp, str(HERE)], check=True, env=env, cwd=tmp)
    print(f"wrote {HERE / 'library_v1.db'} and {HERE / 'library_v1.json'}")


if __name__ == "__main__":
    main()

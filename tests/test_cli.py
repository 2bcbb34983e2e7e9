"""The command line: exit codes, one-line errors, JSON fields."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from refmanager import __version__
from refmanager.cli import main

from .conftest import FULL_SEED, PROFILE_SEED
from .conftest import cli as run

JSON_KEYS = {"id", "title", "authors", "et_al", "orgs", "date", "category", "abstract", "arxiv_id",
             "tags", "note", "incomplete", "read", "starred", "needs_review", "trashed", "doi", "attachments"}


@pytest.fixture
def libpath(tmp_path: Path) -> str:
    return str(tmp_path / "cli.db")


def test_import_prints_report(capsys, libpath):
    code, out, err = run(capsys, "--library", libpath, "import", str(FULL_SEED), str(PROFILE_SEED))
    assert code == 0 and err == ""
    assert out.splitlines()[-1] == "Total: 21 added, 18 merged, 0 unchanged, 0 rejected"
    code, out, _ = run(capsys, "--library", libpath, "import", str(FULL_SEED))
    assert "0 added, 0 merged, 19 unchanged" in out
    assert "Nothing changed" in out


def test_list_json_fields(capsys, libpath):
    run(capsys, "--library", libpath, "import", str(FULL_SEED), str(PROFILE_SEED))
    code, out, _ = run(capsys, "--library", libpath, "list", "--json")
    data = json.loads(out)
    assert code == 0 and len(data) == 21
    assert JSON_KEYS <= set(data[0])
    first = data[0]
    assert first["title"] == "Gemma 2: Improving Open Language Models at a Practical Size"
    assert first["authors"] == ["Gemma Team", "Morgane Riviere", "Shreya Pathak"]
    assert first["date"] == "2024-07-31" and first["category"] == "cs.CL"
    untitled = [p for p in data if p["title"] is None]
    assert len(untitled) == 2 and all(p["incomplete"] for p in untitled)


def test_tag_untag_note_show(capsys, libpath, monkeypatch):
    run(capsys, "--library", libpath, "import", str(FULL_SEED))
    assert run(capsys, "--library", libpath, "tag", "2", "rl", "Curiosity")[1] == "2: tags: Curiosity, rl\n"
    assert run(capsys, "--library", libpath, "untag", "2", "RL")[1] == "2: tags: Curiosity\n"
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("line one\nline two\n"))
    assert run(capsys, "--library", libpath, "note", "2", "-")[0] == 0
    code, out, _ = run(capsys, "--library", libpath, "show", "2", "--json")
    p = json.loads(out)
    assert p["tags"] == ["Curiosity"] and p["note"] == "line one\nline two\n"
    code, out, _ = run(capsys, "--library", libpath, "search", "author:jarrett", "--json")
    assert [x["id"] for x in json.loads(out)] == [2]


def test_export_json_roundtrips(capsys, libpath, tmp_path):
    run(capsys, "--library", libpath, "import", str(FULL_SEED), str(PROFILE_SEED))
    run(capsys, "--library", libpath, "tag", "3", "gemma")
    run(capsys, "--library", libpath, "note", "3", "my note")
    out = tmp_path / "export.json"
    assert run(capsys, "--library", libpath, "export", "--format", "json", "-o", str(out))[0] == 0
    other = str(tmp_path / "other.db")
    code, text, _ = run(capsys, "--library", other, "import", str(out))
    assert code == 0 and "21 added" in text
    a = json.loads(out.read_text())
    run(capsys, "--library", other, "export", "-o", str(tmp_path / "again.json"))
    b = json.loads((tmp_path / "again.json").read_text())
    strip = lambda ps: sorted(
        ({k: v for k, v in p.items() if k not in ("id", "added_at")} for p in ps), key=repr
    )
    assert strip(a) == strip(b)


def test_bad_input_one_line_error_and_nonzero(capsys, libpath, tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"not": "a listing"}')
    code, out, err = run(capsys, "--library", libpath, "import", str(bad))
    assert code == 1
    assert err.startswith(f"refmanager: {bad}:1: this JSON is not a refmanager export")
    assert err.count("\n") == 1
    code, _, err = run(capsys, "--library", libpath, "show", "42")
    assert code == 1 and err == "refmanager: no paper with id 42\n"
    code, _, err = run(capsys, "--library", libpath, "import", str(tmp_path / "missing.txt"))
    assert code == 1 and "cannot read the file: No such file or directory" in err


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"refmanager {__version__}"
    for cmd in ("import", "list", "search", "show", "tag", "untag", "note", "export", "collection", "saved-search",
                "tags", "undo", "redo"):
        with pytest.raises(SystemExit) as e:
            main([cmd, "--help"])
        assert e.value.code == 0
        assert "usage: refmanager " + cmd in capsys.readouterr().out


def test_subprocess_never_shows_a_traceback(tmp_path):
    png = tmp_path / "img.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    r = subprocess.run(
        [sys.executable, "-m", "refmanager", "--library", str(tmp_path / "l.db"), "import", str(png)],
        capture_output=True, text=True, timeout=60,
    )
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr == f"refmanager: {png}:1: this is a PNG image, not a text file\n"


def test_search_says_what_it_did_not_understand(capsys, libpath):
    """Item 10: a query with a hint used to print the hint and then the whole library (year:20x5),
    or nothing at all (autor:mesnard); it is refused, the reason on stderr, exit status 2."""
    run(capsys, "--library", libpath, "import", str(FULL_SEED))
    assert run(capsys, "--library", libpath, "search", "year:20x5") == (
        2, "", "refmanager: search: year: expects 2020, 2020..2024, ..2019 or 2021.. (not '20x5'); nothing listed "
               "(see `refmanager search --help`)\n")
    assert run(capsys, "--library", libpath, "search", "autor:mesnard") == (
        2, "", "refmanager: search: did you mean author:? (there is no autor:); nothing listed "
               "(see `refmanager search --help`)\n")
    code, out, err = run(capsys, "--library", libpath, "search", "author:mesnard", "--json")
    assert (code, err) == (0, "")
    # the seed's seven papers with Thomas Mesnard among the authors, newest first (the file's last first)
    assert [p["title"] for p in json.loads(out)] == [
        "STDP as presynaptic activity times rate of change of postsynaptic activity",
        "Towards deep learning with spiking neurons in energy based models with contrastive Hebbian plasticity",
        "Ghost Units Yield Biologically Plausible Backprop in Deep Neural Networks",
        "Hindsight Credit Assignment",
        "Counterfactual Credit Assignment in Model-Free Reinforcement Learning",
        "VaultGemma: A Differentially Private Gemma Model",
        "Gemma: Open Models Based on Gemini Research and Technology",
    ]

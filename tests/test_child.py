"""``core.child.serve``: how every child process (import, PDF intake, full-text index) ends one
request — its last message and its exit code — and that the library is closed each time."""

from __future__ import annotations

import io
import json

import pytest

from refmanager.core.child import serve
from refmanager.core.errors import ImportCancelled, RefManagerError


class FakeLib:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def checkpoint(self) -> None:
        self.calls.append("checkpoint")

    def close(self) -> None:
        self.calls.append("close")


def _raise(e: Exception):
    def work():
        raise e
    return work


@pytest.mark.parametrize("work,code,said,calls", [
    (lambda: {"report": {"n": 1}}, 0, {"report": {"n": 1}}, ["checkpoint", "close"]),
    (_raise(ImportCancelled("stop")), 0, {"cancelled": True}, ["close"]),
    (_raise(RefManagerError("the disk is full")), 1, {"error": "the disk is full"}, ["close"]),
    (_raise(ZeroDivisionError("x")), 3, {"error": "internal error: ZeroDivisionError('x')"}, ["close"]),
])
def test_each_end_of_a_request(monkeypatch, capsys, work, code, said, calls):
    lib = FakeLib()
    monkeypatch.setattr("sys.stdin", io.StringIO('{"library": "x"}'))
    assert serve(lambda spec: (lib, work), bad=(KeyError,), bad_text="bad request") == code
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == [said]
    assert lib.calls == calls


def test_a_request_start_refuses(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("{}"))
    assert serve(lambda spec: spec["library"], bad=(KeyError,), bad_text="bad index request") == 2
    assert json.loads(capsys.readouterr().out) == {"error": "bad index request: 'library'"}
    monkeypatch.setattr("sys.stdin", io.StringIO("{}"))

    def refused(spec):
        raise RefManagerError("x.db: no such library")

    assert serve(refused, bad=(KeyError,), bad_text="bad request") == 1
    assert json.loads(capsys.readouterr().out) == {"error": "x.db: no such library"}


def test_no_checkpoint_when_not_asked(monkeypatch, capsys):
    lib = FakeLib()
    monkeypatch.setattr("sys.stdin", io.StringIO("{}"))
    assert serve(lambda spec: (lib, lambda: {"report": {}}), bad=(), bad_text="", checkpoint=False) == 0
    assert lib.calls == ["close"]

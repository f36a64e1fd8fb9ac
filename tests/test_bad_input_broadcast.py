"""Bad input to `cityline broadcast`: one error line, exit 2, nothing sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cityline.fake_line_api import FakeLineApi
from tests.console import run_console
from tests.subscribers import data_dir_with_subscribers

MULTICAST = "/v2/bot/message/multicast"


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        yield server


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """Return a data dir with 20 safety subscribers."""
    return data_dir_with_subscribers(tmp_path)


@pytest.fixture
def invoke(capsys, monkeypatch, fake, data_dir):
    """Run `cityline broadcast ARGS` in this process against the fake LINE API."""
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "test-token")
    monkeypatch.setenv("CITYLINE_LINE_API_URL", fake.base_url)
    monkeypatch.setenv("CITYLINE_LINE_DATA_API_URL", fake.base_url)
    monkeypatch.delenv("CITYLINE_DATABASE_URL", raising=False)

    def run(*args: str, folder: Path | None = None) -> tuple[int, str, str]:
        folder = data_dir if folder is None else folder
        argv = ["cityline", "--data-dir", str(folder), "broadcast", *args]
        result = run_console(argv, monkeypatch, capsys)
        return result.returncode, result.stdout, result.stderr

    return run


def error_lines(stderr: str) -> list[str]:
    """Return the stderr lines that are not log lines."""
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def test_resume_of_cancelled_broadcast_is_rejected(invoke, fake):
    fake.fail_next(MULTICAST, 400, times=100)
    code, _out, _err = invoke("send", "--category", "bosai", "--text", "訓練")
    assert code == 2
    _code, out, _err = invoke("log", "--json")
    [record] = json.loads(out)
    broadcast_id = record["broadcast_id"]
    invoke("cancel", broadcast_id)
    sent_before = len(fake.requests_to(MULTICAST))

    code, _out, err = invoke("resume", broadcast_id)

    lines = error_lines(err)
    assert code == 2
    assert len(lines) == 1, err
    assert f"broadcast {broadcast_id} was cancelled" in lines[0]
    assert len(fake.requests_to(MULTICAST)) == sent_before


def test_resume_of_empty_id_is_rejected(invoke, fake):
    fake.fail_next(MULTICAST, 400, times=100)
    invoke("send", "--category", "bosai", "--text", "訓練")
    sent_before = len(fake.requests_to(MULTICAST))

    code, _out, err = invoke("resume", "")

    lines = error_lines(err)
    assert code == 2
    assert len(lines) == 1, err
    assert "the broadcast id '' is empty" in lines[0]
    assert len(fake.requests_to(MULTICAST)) == sent_before


def test_misspelt_catalog_field_is_rejected(invoke, fake, data_dir):
    catalog = data_dir / "receive_categories.json"
    catalog.write_text('{"categorys": []}', encoding="utf-8")

    code, _out, err = invoke("send", "--category", "bosai", "--text", "訓練")

    lines = error_lines(err)
    assert code == 2
    assert len(lines) == 1, err
    assert "unknown field(s) 'categorys'" in lines[0]
    assert fake.requests_to(MULTICAST) == []


def test_log_limit_below_one_is_rejected(invoke):
    code, out, err = invoke("log", "--limit", "-1")

    assert code == 2
    assert out == ""
    assert "'--limit': -1 is not in the range x>=1" in err


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["   "], "a broadcast needs text"),
        (["訓練のお知らせ", " \n "], "text 2 of 2 is empty or only whitespace"),
        (["\u200b"], "a broadcast needs text"),
    ],
)
def test_blank_text_is_rejected(invoke, fake, texts, expected):
    args = [part for text in texts for part in ("--text", text)]

    code, _out, err = invoke("send", "--category", "bosai", *args)

    lines = error_lines(err)
    assert code == 2
    assert len(lines) == 1, err
    assert expected in lines[0]
    assert fake.requests_to(MULTICAST) == []


@pytest.mark.parametrize("option", ["--area", "--age", "--gender"])
def test_empty_filter_is_rejected(invoke, fake, option):
    code, _out, err = invoke("send", "--category", "bosai", option, "", "--text", "a")

    lines = error_lines(err)
    assert code == 2
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: {option} '' is not a known ")
    assert fake.requests_to(MULTICAST) == []


@pytest.mark.parametrize(
    "args",
    [
        ["stats"],
        ["categories"],
        ["log"],
        ["send", "--category", "bosai", "--text", "a"],
    ],
)
def test_missing_database_is_not_created(invoke, fake, data_dir, args):
    typo = data_dir.parent / "typo"

    code, out, err = invoke(*args, folder=typo)

    lines = error_lines(err)
    assert code == 2
    assert out == ""
    assert len(lines) == 1, err
    assert lines[0].startswith("error: no app database at ")
    assert not typo.exists()
    assert fake.requests_to(MULTICAST) == []


def test_rejected_token_names_the_variable(invoke, fake):
    fake.fail_next(MULTICAST, 401, times=100)

    code, _out, err = invoke("send", "--category", "bosai", "--text", "訓練")

    lines = error_lines(err)
    assert code == 2
    assert len(lines) == 1, err
    assert "LINE responded with status 401" in lines[0]
    assert "check LINE_CHANNEL_ACCESS_TOKEN" in lines[0]


@pytest.mark.parametrize("args", [["categories"], ["stats"]])
def test_missing_sqlite_url_is_not_created(invoke, monkeypatch, data_dir, args):
    typo = data_dir.parent / "x" / "typo" / "cityline.db"
    monkeypatch.setenv("CITYLINE_DATABASE_URL", f"sqlite:///{typo}")

    code, out, err = invoke(*args)

    lines = error_lines(err)
    assert code == 2
    assert out == ""
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: no app database at {str(typo)!r}")
    assert "check CITYLINE_DATABASE_URL=" in lines[0]
    assert not typo.parent.parent.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("訓練\x07のお知らせ", "text 1 of 1 contains the control character '\\x07'"),
        ("訓練のお知らせ\x1b[31m", "at position 8"),
        ("訓練の\u202eお知らせ", "'\\u202e' at position 4"),
    ],
)
def test_control_character_in_text_is_rejected(invoke, fake, text, expected):
    code, _out, err = invoke("send", "--category", "bosai", "--text", text)

    lines = error_lines(err)
    assert code == 2
    assert len(lines) == 1, err
    assert expected in lines[0]
    assert fake.requests_to(MULTICAST) == []


def test_line_breaks_and_tabs_in_text_are_sent(invoke, fake):
    code, _out, err = invoke("send", "--category", "bosai", "--text", "訓練\n\t9時から")

    assert code == 0, err
    assert len(fake.requests_to(MULTICAST)) == 1


def test_empty_url_is_rejected(invoke, fake):
    code, _out, err = invoke("send", "--category", "bosai", "--text", "a", "--url", "")

    lines = error_lines(err)
    assert code == 2
    assert lines == [
        "error: --url '' is empty; give the https link of the page, or leave --url "
        "out to send no link"
    ]
    assert fake.requests_to(MULTICAST) == []


def test_url_port_out_of_range_is_rejected(invoke, fake):
    url = "https://www.city.example.lg.jp:99999/a.html"

    code, _out, err = invoke("send", "--category", "bosai", "--text", "a", "--url", url)

    lines = error_lines(err)
    assert code == 2
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: the URL {url!r} is invalid (Port out of range")
    assert fake.requests_to(MULTICAST) == []

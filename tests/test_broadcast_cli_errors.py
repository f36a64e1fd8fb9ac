"""`cityline broadcast` errors that name what the user typed, and empty outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityline.db import create_db_engine
from cityline.fake_line_api import FakeLineApi
from cityline.settings import Settings
from tests.console import run_console
from webhook.broadcasts.store import ReceiveSettingsStore

MULTICAST = "/v2/bot/message/multicast"


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        yield server


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """Return a data dir whose app database has the receive-settings tables."""
    settings = Settings(data_dir=tmp_path / "data")
    engine = create_db_engine(settings.app_database_url)
    ReceiveSettingsStore(engine, settings.user_hash_key())
    engine.dispose()
    return settings.data_dir


@pytest.fixture
def invoke(capsys, monkeypatch, fake, data_dir):
    """Run `cityline broadcast ARGS` in this process, with no access token set."""
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("CITYLINE_LINE_API_URL", fake.base_url)
    monkeypatch.setenv("CITYLINE_LINE_DATA_API_URL", fake.base_url)
    monkeypatch.delenv("CITYLINE_DATABASE_URL", raising=False)

    def run(*args: str) -> tuple[int, str, list[str]]:
        argv = ["cityline", "--data-dir", str(data_dir), "broadcast", *args]
        result = run_console(argv, monkeypatch, capsys)
        errors = [
            line for line in result.stderr.splitlines() if line.startswith("error: ")
        ]
        return result.returncode, result.stdout, errors

    return run


@pytest.mark.parametrize(
    ("option", "value", "noun", "valid"),
    [
        ("--age", "200", "age band", "30s (30代)"),
        ("--area", "吉祥寺", "area", "kichijoji_honcho (吉祥寺本町)"),
        ("--gender", "f", "gender", "female (女性)"),
    ],
)
def test_bad_filter_names_the_option(invoke, fake, option, value, noun, valid):
    args = ["send", "--category", "bosai", option, value, "--text", "a", "--dry-run"]

    code, out, errors = invoke(*args)

    assert code == 2
    assert out == ""
    assert len(errors) == 1
    assert errors[0].startswith(f"error: {option} {value!r} is not a known {noun}")
    assert "age_band" not in errors[0]
    assert valid in errors[0]
    assert fake.requests_to(MULTICAST) == []


def test_age_error_lists_every_band(invoke):
    _code, _out, [error] = invoke(
        "send", "--category", "bosai", "--age", "200", "--text", "a", "--dry-run"
    )
    for band in ("under20", "20s", "30s", "40s", "50s", "60s", "70plus"):
        assert band in error


def test_bad_filter_is_named_before_missing_token(invoke):
    args = ["send", "--category", "bosai", "--age", "200", "--text", "a"]

    code, _out, errors = invoke(*args)

    assert code == 2
    assert errors[0].startswith("error: --age '200'")


def test_filter_by_name_is_accepted(invoke):
    code, out, errors = invoke(
        "send", "--category", "bosai", "--age", "30代", "--text", "a", "--dry-run"
    )
    # The filter is valid, so the privacy floor is what rejects the empty audience.
    assert code == 2
    assert "at least 10" in errors[0]
    assert out == ""


def test_log_without_broadcasts_says_so(invoke):
    code, out, errors = invoke("log")
    assert code == 0
    assert errors == []
    assert out == "no broadcasts in the delivery log\n"


def test_log_json_without_broadcasts_is_empty_list(invoke):
    code, out, _errors = invoke("log", "--json")
    assert code == 0
    assert out.strip() == "[]"


def test_resume_of_unknown_id_needs_no_token(invoke):
    code, _out, errors = invoke("resume", "nope")

    assert code == 2
    assert errors == [
        "error: no broadcast has the id 'nope'; list the ids with "
        "`cityline broadcast log`"
    ]


def test_resume_of_all_without_token_names_the_token(invoke):
    code, _out, errors = invoke("resume")
    assert code == 2
    assert "LINE_CHANNEL_ACCESS_TOKEN" in errors[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--category", "nope", "--text", "a"], "unknown category 'nope'"),
        (["--category", "bosai", "--text", "a" * 5001], "5,000"),
        (["--category", "bosai", "--text", "a", "--url", "http://x"], "https"),
    ],
)
def test_bad_request_is_named_before_missing_token(invoke, args, expected):
    code, _out, errors = invoke("send", *args)

    assert code == 2
    assert len(errors) == 1
    assert expected in errors[0]
    assert "LINE_CHANNEL_ACCESS_TOKEN" not in errors[0]


def test_valid_send_without_token_names_the_token(invoke):
    code, _out, errors = invoke("send", "--category", "bosai", "--text", "a")
    assert code == 2
    assert "LINE_CHANNEL_ACCESS_TOKEN" in errors[0]


@pytest.mark.parametrize("option", ["--age", "--area", "--gender"])
def test_repeated_filter_is_refused(invoke, fake, option):
    args = ["send", "--category", "bosai", option, "x", option, "y"]
    code, out, errors = invoke(*args, "--text", "a", "--dry-run")

    assert code == 2
    assert out == ""
    assert option in errors[0]
    assert "given 2 times" in errors[0]
    assert fake.requests_to(MULTICAST) == []

"""`cityline broadcast`: counts only, rounded, and never a user id in any output."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import insert

from cityline.cli import cli
from cityline.db import create_db_engine
from cityline.fake_line_api import FakeLineApi
from cityline.settings import Settings
from webhook.broadcasts.categories import Catalog
from webhook.broadcasts.flow import SettingsFlow
from webhook.broadcasts.privacy import AudienceTooSmallError
from webhook.broadcasts.store import ReceiveSettingsStore, subscriptions
from webhook.flow import IncomingEvent

MULTICAST = "/v2/bot/message/multicast"
REPO = Path(__file__).resolve().parents[1]


def user(number: int) -> str:
    return f"U{number:032x}"


@pytest.fixture
def fake():
    with FakeLineApi() as server:
        yield server


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def env(fake) -> dict[str, str]:
    return {
        "LINE_CHANNEL_ACCESS_TOKEN": "test-token",
        "CITYLINE_LINE_API_URL": fake.base_url,
        "CITYLINE_LINE_DATA_API_URL": fake.base_url,
        "CITYLINE_DATABASE_URL": "",
    }


@pytest.fixture
def store(data_dir) -> ReceiveSettingsStore:
    settings = Settings(data_dir=data_dir)
    engine = create_db_engine(settings.app_database_url)
    return ReceiveSettingsStore(engine, settings.user_hash_key())


@pytest.fixture
def residents(store) -> ReceiveSettingsStore:
    """Store 1,234 safety subscribers, 3 for gomi, and 12 in sakai (9 in their 30s)."""
    with store.engine.begin() as connection:
        connection.execute(
            insert(subscriptions),
            [{"user_id": user(n), "category": "bosai"} for n in range(1234)],
        )
        connection.execute(
            insert(subscriptions),
            [{"user_id": user(n), "category": "gomi"} for n in range(3)],
        )
    for number in range(12):
        store.set_attribute(user(number), "area", "sakai")
    for number in range(9):
        store.set_attribute(user(number), "age_band", "30s")
    return store


def run(data_dir: Path, env: dict[str, str], *args: str):
    runner = CliRunner()
    return runner.invoke(
        cli, ["--data-dir", str(data_dir), "broadcast", *args], env=env
    )


def test_categories_json_rounds_small_counts(residents, data_dir, env):
    result = run(data_dir, env, "categories", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["key"]: row for row in json.loads(result.stdout)}
    assert list(rows) == [c.key for c in Catalog().categories]
    assert rows["bosai"] == {"key": "bosai", "name": "防災・安全", "subscribers": 1234}
    assert rows["gomi"]["subscribers"] == "<10"
    assert rows["kosodate"]["subscribers"] == "<10"


def test_categories_text_lists_names(residents, data_dir, env):
    result = run(data_dir, env, "categories")
    assert result.exit_code == 0, result.output
    assert "bosai" in result.stdout
    assert "1234" in result.stdout
    assert "文化・スポーツ・イベント" in result.stdout


def test_dry_run_json_counts_and_sends_nothing(residents, data_dir, env, fake):
    result = run(
        data_dir,
        env,
        "send",
        "--category",
        "防災・安全",
        "--text",
        "訓練",
        "--dry-run",
        "--json",
    )
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert outcome["broadcast_id"] is None
    assert outcome["recipients"] == 1234
    assert outcome["chunks"] == 3
    assert outcome["sent_now"] == 0
    assert outcome["dry_run"] is True
    assert fake.requests == []


def test_dry_run_text_of_small_category(residents, data_dir, env):
    result = run(
        data_dir, env, "send", "--category", "gomi", "--text", "a", "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert "would reach <10 residents" in result.stdout


def test_send_json_has_id_recipients_and_chunks(residents, data_dir, env, fake):
    result = run(
        data_dir,
        env,
        "send",
        "--category",
        "bosai",
        "--text",
        "大雨警報",
        "--url",
        "https://example.jp/ame",
        "--json",
    )
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert outcome["broadcast_id"]
    assert outcome["recipients"] == 1234
    assert outcome["chunks"] == 3
    assert len(fake.requests_to(MULTICAST, accepted_only=True)) == 3


def test_send_to_filter_of_nine_is_rejected(residents, data_dir, env, fake):
    result = run(
        data_dir,
        env,
        "send",
        "--category",
        "bosai",
        "--area",
        "境",
        "--age",
        "30代",
        "--text",
        "a",
    )
    assert isinstance(result.exception, AudienceTooSmallError)
    assert "at least 10" in str(result.exception)
    assert fake.requests == []


def test_filter_error_exits_2_with_reason(residents, data_dir, env):
    command = [
        sys.executable,
        "-m",
        "cityline.cli",
        "--data-dir",
        str(data_dir),
        "broadcast",
        "send",
        "--category",
        "bosai",
        "--area",
        "sakai",
        "--age",
        "30s",
        "--text",
        "a",
        "--dry-run",
    ]
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **env},
        timeout=60,
    )
    assert completed.returncode == 2
    assert completed.stderr.startswith("error: the filters")
    assert "reach <10 residents" in completed.stderr


def test_filtered_send_of_twelve(residents, data_dir, env, fake):
    result = run(
        data_dir,
        env,
        "send",
        "--category",
        "bosai",
        "--area",
        "sakai",
        "--text",
        "境地区の断水",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["recipients"] == 12


def test_stats_json_rounds_every_count(residents, data_dir, env):
    result = run(data_dir, env, "stats", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["residents"] == 1234
    areas = {row["key"]: row["count"] for row in report["attributes"]["area"]}
    assert areas["sakai"] == 12
    assert areas["nakacho"] == "<10"
    ages = {row["key"]: row["count"] for row in report["attributes"]["age_band"]}
    assert ages["30s"] == "<10"
    categories = {row["key"]: row["count"] for row in report["categories"]}
    assert categories == {**dict.fromkeys(categories, "<10"), "bosai": 1234}


def test_log_shows_chunks_without_user_ids(residents, data_dir, env):
    run(data_dir, env, "send", "--category", "bosai", "--text", "a")
    result = run(data_dir, env, "log", "--json")
    assert result.exit_code == 0, result.output
    [record] = json.loads(result.stdout)
    assert record["status"] == "finished"
    assert [chunk["recipients"] for chunk in record["chunks"]] == [500, 500, 234]
    assert {chunk["status"] for chunk in record["chunks"]} == {"sent"}
    assert record["text"] == "a"


def test_log_text_shows_japan_time(residents, data_dir, env):
    run(data_dir, env, "send", "--category", "bosai", "--text", "a")
    [first, *_] = run(data_dir, env, "log").stdout.splitlines()
    assert " JST  bosai" in first
    assert "UTC" not in first


def test_log_text_shows_message(residents, data_dir, env):
    run(
        data_dir, env, "send", "--category", "bosai", "--text", "避難所を開設\nしました"
    )
    lines = run(data_dir, env, "log").stdout.splitlines()
    assert lines[1] == "    text: 避難所を開設\\nしました"


def test_resume_with_nothing_unfinished(residents, data_dir, env):
    result = run(data_dir, env, "resume")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "no unfinished broadcasts"


def test_resume_after_failure_finishes(residents, data_dir, env, fake):
    fake.fail_next(MULTICAST, 400, message="bad request")
    failed = run(data_dir, env, "send", "--category", "bosai", "--text", "a")
    assert "stopped at chunk 1 of 3" in str(failed.exception)

    result = run(data_dir, env, "resume", "--json")
    assert result.exit_code == 0, result.output
    [outcome] = json.loads(result.stdout)
    assert outcome["sent_now"] == 3
    assert outcome["pending"] == 0


def test_cancel_marks_broadcast_cancelled(residents, data_dir, env, fake):
    fake.fail_next(MULTICAST, 400)
    run(data_dir, env, "send", "--category", "bosai", "--text", "a")
    [record] = json.loads(run(data_dir, env, "log", "--json").stdout)

    result = run(data_dir, env, "cancel", record["broadcast_id"])

    assert result.exit_code == 0, result.output
    first_line = result.stdout.splitlines()[0]
    assert first_line == f"broadcast {record['broadcast_id']}: cancelled"
    assert "may still arrive" in result.stdout


def test_outputs_and_logs_lack_user_ids(residents, data_dir, env, fake, caplog):
    caplog.set_level(logging.DEBUG)
    outputs = []
    for args in (
        ("categories",),
        ("categories", "--json"),
        ("stats",),
        ("stats", "--json"),
        ("send", "--category", "bosai", "--text", "a", "--dry-run"),
        ("send", "--category", "bosai", "--area", "sakai", "--text", "a", "--json"),
        ("send", "--category", "gomi", "--text", "a"),
        ("log",),
        ("log", "--json"),
        ("resume",),
    ):
        result = run(data_dir, env, *args)
        assert result.exit_code == 0, (args, result.output)
        outputs.append(result.stdout + result.stderr)
    fake.fail_next(MULTICAST, 429, headers={"Retry-After": "0"})
    fake.fail_next(MULTICAST, 400)
    stopped = run(data_dir, env, "send", "--category", "bosai", "--text", "b")
    outputs.append(str(stopped.exception))
    outputs.append(run(data_dir, env, "resume").stdout)

    flow = SettingsFlow(residents, Catalog())
    for number, data in enumerate(
        [
            "flow=settings&action=show",
            "flow=settings&action=toggle&category=gomi&to=on",
            "flow=settings&action=set&attr=area&value=sakai",
            "flow=settings&action=delete",
            "flow=settings&action=delete&confirmed=1",
        ]
    ):
        flow.handle(
            IncomingEvent(f"e{number}", "postback", user(5), "r", 0, postback_data=data)
        )
    flow.on_follow(user(5))
    flow.forget_user(user(5))

    sent = fake.requests_to(MULTICAST, accepted_only=True)
    assert user(0) in sent[0].body.decode()  # the ids did go to LINE
    assert len(caplog.records) > 10
    everything = "\n".join(outputs + [record.getMessage() for record in caplog.records])
    assert "U0000" not in everything
    for number in range(1234):
        assert user(number) not in everything


@pytest.mark.parametrize("category", ["gomi", "kosodate"])
def test_dry_run_of_few_hides_the_request_count(residents, data_dir, env, category):
    # gomi has 3 subscribers and kosodate none; both must read the same.
    args = ("send", "--category", category, "--text", "お知らせ", "--dry-run")

    text = run(data_dir, env, *args)
    as_json = run(data_dir, env, *args, "--json")

    assert text.exit_code == 0, text.output
    assert text.stdout.strip() == (
        f"dry run: category {category} would reach <10 residents in at most 1 "
        "multicast request; nothing was sent"
    )
    assert as_json.exit_code == 0, as_json.output
    outcome = json.loads(as_json.stdout)
    assert outcome["recipients"] == "<10"
    assert outcome["chunks"] == "<=1"
    assert outcome["sent_now"] == 0
    assert outcome["already_sent"] == 0
    assert outcome["pending"] == 0


@pytest.mark.parametrize("category", ["gomi", "kosodate"])
def test_send_to_few_hides_the_sent_count(residents, data_dir, env, fake, category):
    result = run(data_dir, env, "send", "--category", category, "--text", "お知らせ")

    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert line.startswith("broadcast ")
    assert line.endswith(
        f"category {category} to <10 residents in at most 1 multicast request; "
        "0 pending"
    )


def _log_and_info_lines(data_dir, env, category, caplog) -> tuple[str, dict, list]:
    """Send to ``category``; return the log's text, JSON and the INFO lines, with
    the broadcast id replaced."""
    with caplog.at_level(logging.INFO):
        sent = run(data_dir, env, "send", "--category", category, "--text", "a")
    assert sent.exit_code == 0, sent.output
    text = run(data_dir, env, "log", "--limit", "1").stdout
    record = json.loads(run(data_dir, env, "log", "--limit", "1", "--json").stdout)[0]
    broadcast_id = record["broadcast_id"]
    infos = [
        r.getMessage().replace(broadcast_id, "ID").replace(category, "CAT")
        for r in caplog.records
        if r.levelno == logging.INFO and r.name.startswith("webhook.broadcasts")
    ]
    return text.replace(broadcast_id, "ID").replace(category, "CAT"), record, infos


def test_log_hides_none_versus_few(residents, data_dir, env, fake, caplog):
    # gomi has 3 subscribers and kosodate none; the log and logs must read alike.
    gomi_text, gomi_json, gomi_infos = _log_and_info_lines(
        data_dir, env, "gomi", caplog
    )
    caplog.clear()
    none_text, none_json, none_infos = _log_and_info_lines(
        data_dir, env, "kosodate", caplog
    )

    assert gomi_text.splitlines()[1:] == none_text.splitlines()[1:]
    assert "chunks <=1 (under 10 recipients)" in gomi_text
    assert gomi_json["chunks"] == none_json["chunks"] == "<=1"
    assert gomi_infos == none_infos


def test_dry_run_text_counts_requests_in_plural(residents, data_dir, env):
    result = run(
        data_dir, env, "send", "--category", "bosai", "--text", "訓練", "--dry-run"
    )

    assert result.exit_code == 0, result.output
    assert "would reach 1234 residents in 3 multicast requests;" in result.stdout


def test_renamed_category_key_is_warned(residents, data_dir, env, caplog):
    (data_dir / "receive_categories.json").write_text(
        json.dumps(
            {
                "categories": [
                    {"key": "bosai", "name": "防災・安全"},
                    {"key": "gomi2", "name": "ごみ・リサイクル"},
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    result = run(data_dir, env, "categories")
    assert result.exit_code == 0, result.output
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("'gomi' has <10 subscribers" in message for message in warnings)
    assert not any("'bosai'" in message for message in warnings)


def test_resume_of_several_unfinished_needs_an_id(residents, data_dir, env, fake):
    fake.fail_next(MULTICAST, 400)
    run(data_dir, env, "send", "--category", "bosai", "--text", "説明会は10日です")
    fake.fail_next(MULTICAST, 400)
    run(data_dir, env, "send", "--category", "bosai", "--text", "説明会は11日です")
    sent_before = len(fake.requests_to(MULTICAST, accepted_only=True))

    result = run(data_dir, env, "resume")
    assert result.exit_code != 0
    assert "2 broadcasts are unfinished" in str(result.exception)
    assert len(fake.requests_to(MULTICAST, accepted_only=True)) == sent_before

    every = run(data_dir, env, "resume", "--all", "--json")
    assert every.exit_code == 0, every.output
    assert len(json.loads(every.stdout)) == 2


def test_filtered_summary_names_filter(residents, data_dir, env, fake):
    args = ("send", "--category", "bosai", "--area", "境", "--text", "境地区の断水")

    dry_run = run(data_dir, env, *args, "--dry-run")
    sent = run(data_dir, env, *args)
    as_json = run(data_dir, env, *args, "--again", "--json")

    assert dry_run.exit_code == 0, dry_run.output
    assert dry_run.stdout.startswith(
        "dry run: category bosai filtered by area=sakai would reach 12 residents"
    )
    assert sent.exit_code == 0, sent.output
    assert ": category bosai filtered by area=sakai to 12 residents in " in sent.stdout
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["filters"] == {"area": "sakai"}


def test_unfiltered_summary_names_no_filter(residents, data_dir, env, fake):
    result = run(data_dir, env, "send", "--category", "bosai", "--text", "訓練")

    assert result.exit_code == 0, result.output
    assert ": category bosai to 1234 residents in 3 multicast requests" in (
        result.stdout
    )
    assert "filtered" not in result.stdout


def test_line_broadcast_names_every_friend(residents, data_dir, env, fake, caplog):
    env = {**env, "CITYLINE_SAFETY_USES_LINE_BROADCAST": "1"}
    with caplog.at_level(logging.INFO):
        sent = run(data_dir, env, "send", "--category", "bosai", "--text", "地震")
    log_text = run(data_dir, env, "log").stdout

    assert sent.exit_code == 0, sent.output
    assert "to every friend (LINE broadcast) in 1 broadcast request" in sent.stdout
    assert "recipients every friend (LINE broadcast)" in log_text
    assert "chunk 1: sent, to every friend (LINE broadcast)" in log_text
    messages = [record.getMessage() for record in caplog.records]
    assert any("(to every friend by LINE broadcast)" in m for m in messages)
    everything = "\n".join([sent.stdout, log_text, *messages])
    assert "all friends" not in everything

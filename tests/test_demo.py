import json
import socket
from urllib.parse import urlsplit

import pytest

from cityline.demo.run import run_demo
from cityline.errors import DataDirError
from cityline.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo")
    lines: list[str] = []
    # A service database set in the environment must not get the demo's data.
    service = f"sqlite:///{data_dir / 'service.db'}"
    settings = Settings(data_dir=data_dir, database_url=service)
    demo_dir = run_demo(settings, lines.append)
    return demo_dir, "\n".join(lines)


def test_demo_keeps_its_data_in_its_folder(demo_run):
    demo_dir, _ = demo_run
    assert (demo_dir / "cityline.db").is_file()
    assert not (demo_dir.parent / "service.db").exists()


def test_demo_prints_every_step(demo_run):
    _, output = demo_run
    for heading in (
        "== 1. Crawl the demo site",
        "== 2. Build the index and answer questions",
        "== 3. A fault report through the LINE webhook",
        "== 4. Receive settings and a dry-run broadcast",
        "== Done",
    ):
        assert heading in output


def test_demo_answers_link_to_pages(demo_run):
    _, output = demo_run
    assert "粗大ごみの申込方法" in output
    assert "https://www.city.example.lg.jp/gomi/sodai/1002011.html" in output


def test_demo_stores_and_publishes_report(demo_run):
    demo_dir, output = demo_run
    assert "受付番号は R" in output
    assert "department 道路管理課" in output

    public = json.loads((demo_dir / "public" / "reports.json").read_text("utf-8"))
    text = json.dumps(public, ensure_ascii=False)
    assert "道路管理課" in text
    assert "Udemo" not in text
    assert list((demo_dir / "photos").rglob("*.jpg"))


def test_demo_dry_run_broadcast_counts(demo_run):
    _, output = demo_run
    assert "would reach 12 residents in 1 multicast request;" in output
    assert "Udemo" not in output


def test_demo_stops_its_servers(demo_run):
    _, output = demo_run
    for line in output.splitlines():
        if line.startswith(("Demo city site served at", "Fake LINE Messaging API at")):
            url = urlsplit(line.split(" at ")[-1].rstrip("/"))
            with socket.socket() as probe:
                assert probe.connect_ex((url.hostname, url.port)) != 0, line


def test_demo_refuses_foreign_folder(tmp_path):
    foreign = tmp_path / "demo"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not the demo's")
    with pytest.raises(DataDirError, match="not made by cityline demo"):
        run_demo(Settings(data_dir=tmp_path), lambda line: None)
    assert (foreign / "keep.txt").exists()

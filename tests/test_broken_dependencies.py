"""A dependency that fails to import is an error, never a silent skip.

The index, the answerer and the crawler ship in one package, so an import
error means a broken install. A crawl must not exit 0 with the old index, and
the webhook must not start without its answerer.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cityline.settings import Settings
from tests.crawl_site import FakeSite
from webhook.answering import AnswererSource

BROKEN_SCIPY = 'raise ImportError("scipy is broken in this test")\n'


def test_crawl_fails_when_index_cannot_import(tmp_path):
    broken = tmp_path / "broken"
    (broken / "scipy").mkdir(parents=True)
    (broken / "scipy" / "__init__.py").write_text(BROKEN_SCIPY, encoding="utf-8")
    environment = {**os.environ, "PYTHONPATH": str(broken)}
    settings = Settings(data_dir=tmp_path / "data")

    with FakeSite() as site:
        site.page("/", "トップ", "<a href='/a.html'>a</a>")
        site.page("/a.html", "ページA")
        data_dir = str(settings.data_dir)
        argv = [sys.executable, "-m", "cityline.cli", "--data-dir", data_dir]
        result = subprocess.run(
            [*argv, "crawl", site.url("/"), "--delay", "0"],
            capture_output=True,
            text=True,
            env=environment,
            check=False,
        )

    assert result.returncode != 0, result.stderr
    assert "scipy is broken in this test" in result.stderr
    assert settings.pages_db_path.exists()
    assert not settings.index_dir.exists()


@pytest.mark.parametrize("module", ["answerer.answer", "answerer.outside"])
def test_answerer_import_error_is_raised(tmp_path, monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)
    settings = Settings(data_dir=tmp_path / "data")

    with pytest.raises(ImportError, match=module):
        AnswererSource(settings).get()

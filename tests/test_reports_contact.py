"""Phone numbers and e-mail addresses found in residents' texts."""

import pytest

from webhook.reports.contact import find_contact_detail, without_contact_details


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("電話は090-1234-5678です", "090-1234-5678"),
        ("0422 11 2222 まで", "0422 11 2222"),
        ("連絡先 taro@example.com", "taro@example.com"),
        ("街灯番号 0123-4567", None),
    ],
)
def test_find_contact_detail(text, found):
    assert find_contact_detail(text) == found


def test_without_contact_details_keeps_other_numbers():
    text = "中町1丁目 09012345678 taro@example.com 街灯番号 0123-4567"
    cleaned = without_contact_details(text)
    assert "09012345678" not in cleaned
    assert "taro@example.com" not in cleaned
    assert "0123-4567" in cleaned
    assert cleaned.startswith("中町1丁目")

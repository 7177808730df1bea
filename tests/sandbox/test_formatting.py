"""Unit tests of parse_mode handling (HTML, MarkdownV2, Markdown) and image sniffing."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox.formatting import (
    EntityParseError,
    UnsupportedParseModeError,
    parse_formatted,
    utf16_len,
)
from bot.sandbox.media import image_size, photo_sizes
from tests.sandbox.images import make_png


def test_html_tags_become_entities_with_utf16_offsets() -> None:
    text, entities = parse_formatted("😀 <b>bold</b> &lt;3 <i>it</i>", "HTML")
    assert text == "😀 bold <3 it"
    # The emoji is two UTF-16 code units, so "bold" starts at 3.
    assert entities == [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "italic", "offset": 11, "length": 2},
    ]


def test_html_links_pre_and_quotes() -> None:
    text, entities = parse_formatted(
        '<a href="https://x.y/?a=1&amp;b=2">go</a> <pre><code class="language-py">x</code></pre>'
        "<blockquote expandable>q</blockquote>",
        "html",
    )
    assert text == "go xq"
    assert entities == [
        {"type": "text_link", "offset": 0, "length": 2, "url": "https://x.y/?a=1&b=2"},
        {"type": "pre", "offset": 3, "length": 1, "language": "py"},
        {"type": "expandable_blockquote", "offset": 4, "length": 1},
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("5 < 6", 'Unsupported start tag "" at byte offset 2'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
    ],
)
def test_html_errors_match_telegram(source: str, message: str) -> None:
    with pytest.raises(EntityParseError) as info:
        parse_formatted(source, "HTML")
    assert str(info.value).startswith(message)


def test_html_keeps_stray_ampersands() -> None:
    assert parse_formatted("Tom & Jerry &copy;", "HTML") == ("Tom & Jerry &copy;", [])


@given(st.text(max_size=50))
def test_escaped_html_round_trips(text: str) -> None:
    assert parse_formatted(html.escape(text, quote=False), "HTML") == (text, [])


def test_markdown_v2_entities_and_escapes() -> None:
    text, entities = parse_formatted(
        r"*b* _i_ __u__ ~s~ ||p|| `c` [l](https://a.b/c\)) 1\.5\!", "MarkdownV2"
    )
    assert text == "b i u s p c l 1.5!"
    assert [e["type"] for e in entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "text_link",
    ]
    assert entities[-1]["url"] == "https://a.b/c)"


def test_markdown_v2_quotes_and_pre() -> None:
    text, entities = parse_formatted(">one\n>two\nafter\n```python\nx = 1\n```", "MarkdownV2")
    assert text == "one\ntwo\nafter\nx = 1\n"
    assert entities[0] == {"type": "blockquote", "offset": 0, "length": 7}
    assert entities[1]["type"] == "pre"
    assert entities[1]["language"] == "python"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "Done. Well done!",
            "Character '.' is reserved and must be escaped with the preceding '\\'",
        ),
        ("5-3", "Character '-' is reserved"),
        ("*open", "Can't find end of Bold entity at byte offset 0"),
        ("ok _it", "Can't find end of Italic entity at byte offset 3"),
    ],
)
def test_markdown_v2_errors_match_telegram(source: str, message: str) -> None:
    with pytest.raises(EntityParseError) as info:
        parse_formatted(source, "MarkdownV2")
    assert str(info.value).startswith(message)


_RESERVED = "_*[]()~`>#+-=|{}.!\\"


@given(st.text(max_size=50))
def test_escaped_markdown_v2_round_trips(text: str) -> None:
    escaped = "".join("\\" + c if c in _RESERVED else c for c in text)
    assert parse_formatted(escaped, "MarkdownV2") == (text, [])


def test_legacy_markdown() -> None:
    assert parse_formatted("*b* and 1.5!", "Markdown") == (
        "b and 1.5!",
        [{"type": "bold", "offset": 0, "length": 1}],
    )
    with pytest.raises(
        EntityParseError, match="Can't find end of the entity starting at byte offset 4"
    ):
        parse_formatted("see _this", "Markdown")


def test_no_parse_mode_is_plain_and_unknown_mode_is_an_error() -> None:
    assert parse_formatted("<b>as is</b>", None) == ("<b>as is</b>", [])
    with pytest.raises(UnsupportedParseModeError):
        parse_formatted("x", "BBCode")


def test_utf16_len() -> None:
    assert utf16_len("a😀") == 3


def test_image_size_sniffing() -> None:
    assert image_size(make_png(30, 20)) == (30, 20)
    assert image_size(b"GIF89a" + (7).to_bytes(2, "little") + (9).to_bytes(2, "little")) == (7, 9)
    jpeg = (
        b"\xff\xd8\xff\xe0\x00\x04ab\xff\xc0\x00\x11\x08"
        + (50).to_bytes(2, "big")
        + (60).to_bytes(2, "big")
        + b"\x03"
        + b"\x00" * 9
    )
    assert image_size(jpeg) == (60, 50)
    assert image_size(b"not an image") is None


def test_photo_sizes_scale_down_like_telegram() -> None:
    assert photo_sizes(60, 40) == [(60, 40)]
    assert photo_sizes(1000, 500) == [(90, 45), (320, 160), (800, 400), (1000, 500)]

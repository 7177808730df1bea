"""Telegram text formatting for the sandbox: parse_mode text into plain text plus entities.

Follows the behaviour of Telegram's own parser (tdlib) closely enough that text our bot
formats wrongly is rejected here the way Telegram would reject it, with the same
"can't parse entities" wording. Offsets and lengths of entities are in UTF-16 code units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
# Tags with a plain entity above, plus those whose entity takes attributes.
HTML_TAGS = frozenset(_HTML_ENTITY_TYPES) | {"a", "blockquote", "tg-emoji", "tg-time"}
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


class EntityParseError(ValueError):
    """Text could not be parsed; str() is what follows "can't parse entities: "."""


class UnsupportedParseModeError(ValueError):
    """parse_mode is none of HTML, MarkdownV2, Markdown."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    kind: str
    start: int  # UTF-16 offset in the output
    byte_offset: int  # UTF-8 offset in the input, for error messages
    name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    char_index: int = 0  # Python index in the output, to recover the entity's own text


@dataclass
class _Builder:
    parts: list[str] = field(default_factory=list)
    length: int = 0
    chars: int = 0
    entities: list[dict[str, Any]] = field(default_factory=list)

    def append(self, text: str) -> None:
        self.parts.append(text)
        self.length += utf16_len(text)
        self.chars += len(text)

    def text_since(self, char_index: int) -> str:
        return "".join(self.parts)[char_index:]

    def close(self, kind: str, start: int, **extra: Any) -> None:
        # Telegram drops entities that cover no text.
        if self.length > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.length - start, **extra}
            )

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), entities


def parse_formatted(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) for ``text`` sent with ``parse_mode`` (None/"" = plain)."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise UnsupportedParseModeError(parse_mode)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


# ---------------------------------------------------------------------------------- HTML


def _decode_html_entity(text: str, i: int) -> tuple[str, int] | None:
    """Decode the entity starting at text[i] == "&"; None if it is not one Telegram knows."""
    end = text.find(";", i + 1, i + 12)
    if end == -1:
        return None
    body = text[i + 1 : end]
    if body in _HTML_NAMED:
        return _HTML_NAMED[body], end + 1 - i
    try:
        if body.startswith(("#x", "#X")):
            code = int(body[2:], 16)
        elif body.startswith("#"):
            code = int(body[1:], 10)
        else:
            return None
        return chr(code), end + 1 - i
    except (ValueError, OverflowError):
        return None


def _decode_html_text(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&" and (decoded := _decode_html_entity(value, i)) is not None:
            out.append(decoded[0])
            i += decoded[1]
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    b = _Builder()
    stack: list[_Open] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "&":
            decoded = _decode_html_entity(text, i)
            if decoded is None:
                b.append("&")  # Telegram keeps a stray ampersand as is
                i += 1
            else:
                b.append(decoded[0])
                i += decoded[1]
            continue
        if c != "<":
            b.append(c)
            i += 1
            continue
        offset = _byte_offset(text, i)
        i += 1
        if i < n and text[i] == "/":
            i = _html_end_tag(text, i + 1, offset, stack, b)
        else:
            i = _html_start_tag(text, i, offset, stack, b)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return b.result()


def _html_start_tag(text: str, i: int, offset: int, stack: list[_Open], b: _Builder) -> int:
    n = len(text)
    j = i
    while j < n and (text[j].isascii() and (text[j].isalnum() or text[j] == "-")):
        j += 1
    name = text[i:j].lower()
    if name not in HTML_TAGS:
        raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
    attrs: dict[str, str] = {}
    i = j
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
        if text[i] == ">":
            i += 1
            break
        j = i
        while j < n and text[j].isascii() and (text[j].isalnum() or text[j] in "-_"):
            j += 1
        attr = text[i:j].lower()
        if not attr:
            raise EntityParseError(
                f'Empty attribute name in the tag "{name}" at byte offset {offset}'
            )
        i = j
        while i < n and text[i].isspace():
            i += 1
        value = ""
        if i < n and text[i] == "=":
            i += 1
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
            if text[i] in "\"'":
                quote = text[i]
                end = text.find(quote, i + 1)
                if end == -1:
                    raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {offset}')
                value = _decode_html_text(text[i + 1 : end])
                i = end + 1
            else:
                j = i
                while j < n and not text[j].isspace() and text[j] != ">":
                    j += 1
                value = _decode_html_text(text[i:j])
                i = j
        attrs[attr] = value
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if name == "tg-emoji" and not attrs.get("emoji-id"):
        raise EntityParseError(
            f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
        )
    if name == "tg-time" and not attrs.get("unix", "").lstrip("-").isdigit():
        raise EntityParseError(f'Tag "tg-time" must have attribute "unix" at byte offset {offset}')
    stack.append(_Open(kind=name, start=b.length, byte_offset=offset, name=name, extra=attrs))
    return i


def _html_end_tag(text: str, i: int, offset: int, stack: list[_Open], b: _Builder) -> int:
    n = len(text)
    j = i
    while j < n and text[j].isascii() and (text[j].isalnum() or text[j] == "-"):
        j += 1
    name = text[i:j].lower()
    while j < n and text[j].isspace():
        j += 1
    if j >= n or text[j] != ">":
        raise EntityParseError(f"Unclosed end tag at byte offset {offset}")
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
    top = stack[-1]
    if name and name != top.name:
        raise EntityParseError(
            f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
            f'found "</{name}>"'
        )
    stack.pop()
    attrs = top.extra
    if top.name == "a":
        if attrs.get("href"):
            b.close("text_link", top.start, url=attrs["href"])
    elif top.name == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is one pre entity with a language.
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].extra["language"] = language[len("language-") :]
        else:
            b.close("code", top.start)
    elif top.name == "pre":
        if attrs.get("language"):
            b.close("pre", top.start, language=attrs["language"])
        else:
            b.close("pre", top.start)
    elif top.name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
        b.close(kind, top.start)
    elif top.name == "tg-emoji":
        b.close("custom_emoji", top.start, custom_emoji_id=attrs["emoji-id"])
    elif top.name == "tg-time":
        extra: dict[str, Any] = {"unix_time": int(attrs["unix"])}
        if attrs.get("format"):
            extra["date_time_format"] = attrs["format"]
        b.close("date_time", top.start, **extra)
    else:
        b.close(_HTML_ENTITY_TYPES[top.name], top.start)
    return j + 1


# ----------------------------------------------------------------------------- MarkdownV2


def _reserved(char: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    b = _Builder()
    stack: list[_Open] = []
    quote: _Open | None = None
    i, n = 0, len(text)

    def peek(k: int) -> str:
        return text[k] if k < n else ""

    while i < n:
        c = text[i]
        if (i == 0 or text[i - 1] == "\n") and not (stack and stack[-1].kind in ("code", "pre")):
            # Block quotes are line based: a run of lines starting with ">" is one quote.
            starts_quote = c == ">" or text.startswith("**>", i)
            if starts_quote:
                if quote is None:
                    kind = "expandable_blockquote" if c == "*" else "blockquote"
                    quote = _Open(kind=kind, start=b.length, byte_offset=_byte_offset(text, i))
                i += 3 if c == "*" else 1
                continue
            if quote is not None:
                b.close(quote.kind, quote.start)
                quote = None
        if c == "\n" and quote is not None and not text.startswith(">", i + 1):
            if not text.startswith("**>", i + 1):
                b.close(quote.kind, quote.start)
                quote = None
        if c == "\\" and 0 < ord(peek(i + 1) or "\0") <= 126:
            b.append(text[i + 1])
            i += 2
            continue
        top = stack[-1] if stack else None
        in_code = top is not None and top.kind in ("code", "pre")
        if in_code:
            if c != "`":
                b.append(c)
                i += 1
                continue
        elif c not in _MDV2_RESERVED:
            b.append(c)
            i += 1
            continue
        if (
            quote is not None
            and quote.kind == "expandable_blockquote"
            and text.startswith("||", i)
            and (i + 2 == n or text[i + 2] == "\n")
            and not (top is not None and top.kind == "spoiler")
        ):
            i += 2  # "||" at the end of an expandable quote only marks where it folds
            continue
        if top is not None and _mdv2_is_end(top.kind, text, i):
            i = _mdv2_close(text, i, stack, b)
            continue
        i = _mdv2_open(text, i, stack, b)
    if stack:
        top = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MDV2_NAMES[top.kind]} entity at byte offset {top.byte_offset}"
        )
    if quote is not None:
        b.close(quote.kind, quote.start)
    return b.result()


def _mdv2_is_end(kind: str, text: str, i: int) -> bool:
    c = text[i]
    nxt = text[i + 1 : i + 2]
    if kind == "bold":
        return c == "*"
    if kind == "italic":
        return c == "_" and nxt != "_"
    if kind == "underline":
        return c == "_" and nxt == "_"
    if kind == "strikethrough":
        return c == "~"
    if kind == "spoiler":
        return c == "|" and nxt == "|"
    if kind == "code":
        return c == "`"
    if kind == "pre":
        return text.startswith("```", i)
    return c == "]"  # text_link, custom_emoji


def _mdv2_open(text: str, i: int, stack: list[_Open], b: _Builder) -> int:
    c = text[i]
    nxt = text[i + 1 : i + 2]
    offset = _byte_offset(text, i)
    extra: dict[str, Any] = {}
    if c == "_":
        kind = "underline" if nxt == "_" else "italic"
        i += 2 if nxt == "_" else 1
    elif c == "*":
        kind, i = "bold", i + 1
    elif c == "~":
        kind, i = "strikethrough", i + 1
    elif c == "|" and nxt == "|":
        kind, i = "spoiler", i + 2
    elif c == "[":
        kind, i = "text_link", i + 1
    elif c == "!" and nxt == "[":
        kind, i = "custom_emoji", i + 2
    elif c == "`" and text.startswith("```", i):
        kind = "pre"
        i += 3
        end = i
        while end < len(text) and not text[end].isspace() and text[end] != "`":
            end += 1
        if end != i and end < len(text) and text[end] != "`":
            extra["language"] = text[i:end]
            i = end
        if text[i : i + 2] in ("\r\n", "\n\r"):
            i += 2
        elif text[i : i + 1] in ("\n", "\r"):
            i += 1
    elif c == "`":
        kind, i = "code", i + 1
    else:
        raise _reserved(c)
    stack.append(
        _Open(kind=kind, start=b.length, byte_offset=offset, extra=extra, char_index=b.chars)
    )
    return i


def _mdv2_close(text: str, i: int, stack: list[_Open], b: _Builder) -> int:
    top = stack.pop()
    kind = top.kind
    if kind in ("underline", "spoiler"):
        i += 2
    elif kind == "pre":
        i += 3
    elif kind in ("text_link", "custom_emoji"):
        i += 1
        if text[i : i + 1] != "(":
            if kind == "custom_emoji":
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            # "[text]" without "(url)": Telegram uses the text itself as the URL.
            b.close("text_link", top.start, url=b.text_since(top.char_index))
            return i
        i += 1
        url_begin = _byte_offset(text, i)
        url_chars: list[str] = []
        while i < len(text) and text[i] != ")":
            if text[i] == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) <= 126:
                url_chars.append(text[i + 1])
                i += 2
                continue
            url_chars.append(text[i])
            i += 1
        if i >= len(text):
            raise EntityParseError(f"Can't find end of a URL at byte offset {url_begin}")
        url = "".join(url_chars)
        i += 1
        if kind == "custom_emoji":
            prefix = "tg://emoji?id="
            if not url.startswith(prefix):
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            b.close("custom_emoji", top.start, custom_emoji_id=url[len(prefix) :])
        else:
            b.close("text_link", top.start, url=url)
        return i
    else:
        i += 1
    b.close(kind, top.start, **top.extra)
    return i


# ------------------------------------------------------------------------ legacy Markdown


def parse_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    b = _Builder()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            b.append(text[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            b.append(c)
            i += 1
            continue
        offset = _byte_offset(text, i)
        end_char = "]" if c == "[" else c
        is_pre = False
        language = ""
        i += 1
        if c == "`" and text.startswith("``", i):
            is_pre = True
            i += 2
            end = i
            while end < n and not text[end].isspace() and text[end] != "`":
                end += 1
            if end != i and end < n and text[end] != "`":
                language = text[i:end]
                i = end
            if text[i : i + 1] in ("\n", "\r"):
                i += 1
        start, start_char = b.length, b.chars
        while i < n and not (text[i] == end_char and (not is_pre or text.startswith("```", i))):
            b.append(text[i])
            i += 1
        if i >= n:
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {offset}")
        if c == "[":
            url = ""
            if text[i + 1 : i + 2] == "(":
                close = text.find(")", i + 2)
                if close != -1:
                    url = text[i + 2 : close]
                    i = close
            b.close("text_link", start, url=url or b.text_since(start_char))
        elif is_pre:
            if language:
                b.close("pre", start, language=language)
            else:
                b.close("pre", start)
            i += 2
        else:
            b.close({"_": "italic", "*": "bold", "`": "code"}[c], start)
        i += 1
    return b.result()

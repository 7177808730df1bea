"""The sandbox's HTTP surface seen without PTB: routing, tokens and the three body encodings."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.sandbox import BotApiSandbox
from tests.sandbox.images import make_png


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def url(sandbox: BotApiSandbox, method: str) -> str:
    return f"{sandbox.base_url}{sandbox.token}/{method}"


async def test_unknown_method_is_404_and_recorded(
    sandbox: BotApiSandbox, http: aiohttp.ClientSession
) -> None:
    async with http.post(url(sandbox, "sendTelepathy"), json={"chat_id": 1}) as resp:
        assert resp.status == 404
        assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert sandbox.violations == ["sendTelepathy: 404 Not Found (unknown method)"]


async def test_unimplemented_spec_method_is_404_and_recorded(
    sandbox: BotApiSandbox, http: aiohttp.ClientSession
) -> None:
    async with http.post(url(sandbox, "sendDice"), json={"chat_id": 1}) as resp:
        assert resp.status == 404
    assert sandbox.violations == ["sendDice: 404 Not Found (method not implemented by the sandbox)"]


async def test_wrong_token_is_401(sandbox: BotApiSandbox, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{sandbox.base_url}999:WRONG/getMe") as resp:
        assert resp.status == 401
        assert (await resp.json())["description"] == "Unauthorized"


async def test_method_names_are_case_insensitive(
    sandbox: BotApiSandbox, http: aiohttp.ClientSession
) -> None:
    sandbox.user(7)
    async with http.get(url(sandbox, "SENDMESSAGE"), params={"chat_id": "7", "text": "hi"}) as resp:
        body = await resp.json()
    assert resp.status == 200
    assert body["result"]["text"] == "hi"
    assert sandbox.calls[-1].method == "sendMessage"


async def test_json_form_and_query_bodies(
    sandbox: BotApiSandbox, http: aiohttp.ClientSession
) -> None:
    user = sandbox.user(7)
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with http.post(
        url(sandbox, "sendMessage"), json={"chat_id": 7, "text": "json", "reply_markup": markup}
    ) as resp:
        assert resp.status == 200
    form = {"chat_id": "7", "text": "form", "reply_markup": json.dumps(markup)}
    async with http.post(url(sandbox, "sendMessage"), data=form) as resp:
        assert resp.status == 200
    async with http.post(
        url(sandbox, "sendMessage"), params={"chat_id": "7", "text": "query"}
    ) as resp:
        assert resp.status == 200
    assert [m.text for m in user.chat] == ["json", "form", "query"]
    assert user.chat[1].buttons == [[("A", "a")]]


async def test_multipart_with_attach_reference(
    sandbox: BotApiSandbox, http: aiohttp.ClientSession
) -> None:
    user = sandbox.user(7)
    data = aiohttp.FormData()
    data.add_field("chat_id", "7")
    data.add_field("photo", "attach://pic")
    data.add_field("pic", make_png(8, 8), filename="pic.png", content_type="image/png")
    async with http.post(url(sandbox, "sendPhoto"), data=data) as resp:
        body = await resp.json()
    assert resp.status == 200, body
    assert body["result"]["photo"][-1]["width"] == 8
    assert user.last_bot_message().photo == make_png(8, 8)


async def test_spec_violation_answers_400(
    sandbox: BotApiSandbox, http: aiohttp.ClientSession
) -> None:
    async with http.post(
        url(sandbox, "sendMessage"), json={"chat_id": 7, "text": "x", "colour": "red"}
    ) as resp:
        body = await resp.json()
    assert resp.status == 400
    assert body["description"] == 'Bad Request: unknown parameter "colour" for method sendMessage'
    assert sandbox.calls[-1].status == 400
    assert sandbox.violations == [
        'sendMessage: 400 Bad Request: unknown parameter "colour" for method sendMessage'
    ]


async def test_answers_to_unknown_queries_are_violations(
    sandbox: BotApiSandbox, http: aiohttp.ClientSession
) -> None:
    async with http.post(
        url(sandbox, "answerCallbackQuery"), json={"callback_query_id": "42"}
    ) as resp:
        body = await resp.json()
    assert resp.status == 400
    assert body["description"] == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    assert len(sandbox.violations) == 1

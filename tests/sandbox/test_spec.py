"""Unit tests of Bot API spec loading and request validation (no server involved)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.sandbox.spec import (
    BUNDLED_SPEC_PATH,
    DEFAULT_SPEC_PATH,
    SHARED_SPEC_PATH,
    ApiSpec,
    SpecError,
    UploadedFile,
    resolve_spec_path,
)


@pytest.fixture(scope="module")
def spec() -> ApiSpec:
    return ApiSpec.load()


def keyboard(*buttons: dict[str, object]) -> str:
    return json.dumps({"inline_keyboard": [list(buttons)]})


def test_default_spec_path_is_shared_when_there_else_the_bundled_copy() -> None:
    expected = SHARED_SPEC_PATH if SHARED_SPEC_PATH.is_file() else BUNDLED_SPEC_PATH
    assert DEFAULT_SPEC_PATH == expected
    assert DEFAULT_SPEC_PATH.is_file()
    assert SHARED_SPEC_PATH.parts[-3:] == ("shared", "telegram-bot-api", "api.min.json")


def test_env_var_overrides_default_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_API_SPEC", "/elsewhere/api.json")
    assert resolve_spec_path() == Path("/elsewhere/api.json")
    assert resolve_spec_path(Path("/explicit.json")) == Path("/explicit.json")


def test_method_names_are_case_insensitive(spec: ApiSpec) -> None:
    assert spec.canonical_method("SENDMESSAGE") == "sendMessage"
    assert spec.canonical_method("getupdates") == "getUpdates"
    assert spec.canonical_method("sendTelepathy") is None


def test_form_values_are_decoded_by_declared_type(spec: ApiSpec) -> None:
    # This is what python-telegram-bot sends: every value a string, complex ones JSON text.
    params = spec.decode_params(
        "sendMessage",
        {
            "chat_id": "42",
            "text": "123",
            "disable_notification": "true",
            "reply_markup": keyboard({"text": "Go", "callback_data": "go"}),
            "entities": '[{"type": "bold", "offset": 0, "length": 1}]',
        },
    )
    assert params == {
        "chat_id": 42,
        "text": "123",  # a String stays a string even if it looks like a number
        "disable_notification": True,
        "reply_markup": {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]},
        "entities": [{"type": "bold", "offset": 0, "length": 1}],
    }


def test_json_body_values_are_accepted_natively(spec: ApiSpec) -> None:
    params = spec.decode_params(
        "sendMessage",
        {"chat_id": 42, "text": "hi", "reply_markup": {"remove_keyboard": True}},
    )
    assert params["reply_markup"] == {"remove_keyboard": True}
    # Telegram turns top-level JSON scalars into text where a String is declared.
    assert spec.decode_params("sendMessage", {"chat_id": 1, "text": 5})["text"] == "5"


def test_chat_id_may_be_a_username(spec: ApiSpec) -> None:
    assert (
        spec.decode_params("sendMessage", {"chat_id": "@chan", "text": "x"})["chat_id"] == "@chan"
    )


def test_unknown_parameter_is_rejected(spec: ApiSpec) -> None:
    with pytest.raises(SpecError, match='unknown parameter "txt" for method sendMessage'):
        spec.decode_params("sendMessage", {"chat_id": "1", "txt": "hi"})


def test_missing_required_parameters(spec: ApiSpec) -> None:
    with pytest.raises(SpecError, match=r"^Bad Request: message text is empty$"):
        spec.decode_params("sendMessage", {"chat_id": "1"})
    with pytest.raises(SpecError, match=r"^Bad Request: chat_id is empty$"):
        spec.decode_params("sendMessage", {"text": "hi"})
    with pytest.raises(SpecError, match='parameter "callback_query_id" is required'):
        spec.decode_params("answerCallbackQuery", {})


@pytest.mark.parametrize(
    ("method", "params", "fragment"),
    [
        ("sendMessage", {"chat_id": "1", "text": "x", "disable_notification": "yes"}, "Boolean"),
        ("deleteMessage", {"chat_id": "1", "message_id": "seven"}, "Integer"),
        ("getUpdates", {"allowed_updates": '{"message": 1}'}, "Array of String"),
        ("sendMessage", {"chat_id": "1", "text": "x", "reply_markup": "not json"}, "can't parse"),
    ],
)
def test_wrong_types_are_rejected(
    spec: ApiSpec, method: str, params: dict[str, str], fragment: str
) -> None:
    with pytest.raises(SpecError, match=fragment):
        spec.decode_params(method, params)


def test_nested_objects_are_validated_recursively(spec: ApiSpec) -> None:
    base = {"chat_id": "1", "text": "x"}
    with pytest.raises(SpecError, match=r'unknown field "colour" in InlineKeyboardButton'):
        spec.decode_params(
            "sendMessage",
            {**base, "reply_markup": keyboard({"text": "a", "callback_data": "b", "colour": 1})},
        )
    with pytest.raises(SpecError, match=r"inline_keyboard\[0\]\[0\]\.callback_data"):
        spec.decode_params(
            "sendMessage", {**base, "reply_markup": keyboard({"text": "a", "callback_data": 5})}
        )
    with pytest.raises(SpecError, match='field "text" is required'):
        spec.decode_params("sendMessage", {**base, "reply_markup": keyboard({"url": "https://x"})})


def test_callback_data_must_be_1_to_64_bytes(spec: ApiSpec) -> None:
    base = {"chat_id": "1", "text": "x"}
    ok = spec.decode_params(
        "sendMessage", {**base, "reply_markup": keyboard({"text": "a", "callback_data": "d" * 64})}
    )
    assert ok["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "d" * 64
    for data in ("d" * 65, "é" * 33, ""):  # bytes count, not characters
        with pytest.raises(SpecError, match=r"^Bad Request: BUTTON_DATA_INVALID$"):
            spec.decode_params(
                "sendMessage",
                {**base, "reply_markup": keyboard({"text": "a", "callback_data": data})},
            )


def test_button_needs_exactly_one_action(spec: ApiSpec) -> None:
    base = {"chat_id": "1", "text": "x"}
    with pytest.raises(SpecError, match="Text buttons are unallowed in the inline keyboard"):
        spec.decode_params("sendMessage", {**base, "reply_markup": keyboard({"text": "a"})})
    with pytest.raises(SpecError, match="exactly one of url, callback_data"):
        spec.decode_params(
            "sendMessage",
            {
                **base,
                "reply_markup": keyboard({"text": "a", "url": "https://x", "callback_data": "c"}),
            },
        )


def test_union_types_use_their_discriminator(spec: ApiSpec) -> None:
    commands = '[{"command": "start", "description": "Start"}]'
    params = spec.decode_params(
        "setMyCommands", {"commands": commands, "scope": '{"type": "chat", "chat_id": 5}'}
    )
    assert params["scope"] == {"type": "chat", "chat_id": 5}
    with pytest.raises(SpecError, match='field "chat_id" is required'):
        spec.decode_params("setMyCommands", {"commands": commands, "scope": '{"type": "chat"}'})
    with pytest.raises(SpecError, match='unsupported BotCommandScope type "galaxy"'):
        spec.decode_params("setMyCommands", {"commands": commands, "scope": '{"type": "galaxy"}'})


def test_bot_command_limits(spec: ApiSpec) -> None:
    with pytest.raises(SpecError, match="BOT_COMMAND_INVALID"):
        spec.decode_params(
            "setMyCommands", {"commands": '[{"command": "Start", "description": "x"}]'}
        )


def test_reply_markup_errors_name_the_alternative_it_resembles(spec: ApiSpec) -> None:
    # reply_markup may be one of four types; the error should be about the inline keyboard.
    bad = json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": "b", "oops": 1}]]})
    with pytest.raises(SpecError, match="InlineKeyboardButton"):
        spec.decode_params("sendMessage", {"chat_id": "1", "text": "x", "reply_markup": bad})


def test_files_and_attach_references(spec: ApiSpec) -> None:
    upload = UploadedFile("photo", "a.png", "image/png", b"data")
    params = spec.decode_params("sendPhoto", {"chat_id": "1"}, {"photo": upload})
    assert params["photo"] is upload
    attached = UploadedFile("pic1", "a.png", "image/png", b"data")
    params = spec.decode_params(
        "sendPhoto", {"chat_id": "1", "photo": "attach://pic1"}, {"pic1": attached}
    )
    assert params["photo"] is attached
    # A file_id is just a String.
    assert (
        spec.decode_params("sendPhoto", {"chat_id": "1", "photo": "AgAC123"})["photo"] == "AgAC123"
    )
    # attach:// inside JSON (InputMedia.media) comes back as the uploaded part.
    clip = UploadedFile("clip", "a.gif", "image/gif", b"GIF89a")
    media = '{"type": "animation", "media": "attach://clip", "caption": "x"}'
    params = spec.decode_params(
        "editMessageMedia", {"chat_id": "1", "message_id": "2", "media": media}, {"clip": clip}
    )
    assert params["media"] == {"type": "animation", "media": clip, "caption": "x"}
    with pytest.raises(SpecError, match='unknown parameter "stray"'):
        spec.decode_params("sendPhoto", {"chat_id": "1", "photo": "AgAC"}, {"stray": attached})
    with pytest.raises(SpecError, match='"text" must not be a file upload'):
        spec.decode_params("sendMessage", {"chat_id": "1"}, {"text": attached})


def test_validate_object_checks_response_shapes(spec: ApiSpec) -> None:
    spec.validate_object(
        "Message",
        {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "x"},
    )
    with pytest.raises(SpecError, match='field "chat" is required'):
        spec.validate_object("Message", {"message_id": 1, "date": 0})

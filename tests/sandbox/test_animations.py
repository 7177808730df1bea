"""Animations through the real python-telegram-bot ``Bot``: sendAnimation, editMessageMedia and
editMessageCaption with GIF and MP4 uploads, attach://, file_id reuse, and the errors."""

from __future__ import annotations

import pytest
from telegram import (
    Animation,
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaAnimation,
    InputMediaPhoto,
)
from telegram.error import BadRequest

from bot.sandbox import BotApiSandbox
from bot.sandbox.media import animation_info
from tests.sandbox.images import make_gif, make_mp4, make_png

USER_ID = 1501
GIF = make_gif(64, 48, frames=4, frame_ms=250)
MP4 = make_mp4(64, 48, frames=8, frame_ms=250)
WRONG_FILE = "Wrong file identifier/http url specified"


def keyboard(label: str, data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])


def check_message(sandbox: BotApiSandbox, method: str) -> dict:
    """What the sandbox answered the last `method` call with, checked against the spec."""
    result = sandbox.calls_to(method)[-1].response["result"]
    sandbox.spec.validate_object("Message", result)
    return result


def test_the_test_clips_are_what_they_claim() -> None:
    gif, mp4 = animation_info(GIF), animation_info(MP4)
    assert gif is not None and mp4 is not None
    assert (gif.mime_type, gif.width, gif.height, gif.duration) == ("image/gif", 64, 48, 1.0)
    assert (mp4.mime_type, mp4.width, mp4.height, mp4.duration) == ("video/mp4", 64, 48, 2.0)
    assert animation_info(make_png(8, 8)) is None
    assert animation_info(GIF[:-1]) is None, "cut short"
    assert animation_info(MP4[:40]) is None, "cut short"


@pytest.mark.parametrize(
    ("clip", "mime_type", "duration"), [(GIF, "image/gif", 1), (MP4, "video/mp4", 2)]
)
async def test_send_animation_upload_then_by_file_id(
    bot: Bot, sandbox: BotApiSandbox, clip: bytes, mime_type: str, duration: int
) -> None:
    user = sandbox.user(USER_ID)
    sent = await bot.send_animation(
        USER_ID,
        clip,
        filename="side-steps.bin",
        caption="<b>Banded Side Steps</b>",
        parse_mode="HTML",
        reply_markup=keyboard("✅ Done set", "done"),
    )
    animation = sent.animation
    assert isinstance(animation, Animation)
    result = check_message(sandbox, "sendAnimation")
    assert (animation.width, animation.height, result["animation"]["duration"]) == (
        64,
        48,
        duration,
    )
    assert (animation.mime_type, animation.file_size) == (mime_type, len(clip))
    assert animation.file_name == "side-steps.bin"
    assert animation.file_id and animation.file_unique_id
    # Real Telegram sets `document` too for an animation, with the same file.
    assert sent.document is not None and sent.document.file_id == animation.file_id
    assert sent.caption == "Banded Side Steps" and sent.caption_entities[0].type == "bold"
    assert sent.reply_markup == keyboard("✅ Done set", "done")
    assert result["document"]["file_unique_id"] == result["animation"]["file_unique_id"]
    shown = user.last_bot_message()
    assert shown.has_animation and shown.animation == clip
    assert shown.animation_file_id == animation.file_id
    assert (shown.caption, shown.buttons) == ("Banded Side Steps", [[("✅ Done set", "done")]])

    again = await bot.send_animation(USER_ID, animation.file_id, caption="Again")
    assert again.animation is not None
    assert again.animation.file_unique_id == animation.file_unique_id
    assert user.message(again.message_id).animation == clip
    assert sandbox.violations == []


async def test_a_wrong_file_id_and_a_file_that_is_no_animation_are_refused(
    bot: Bot, sandbox: BotApiSandbox
) -> None:
    sandbox.user(USER_ID)
    with pytest.raises(BadRequest, match=WRONG_FILE):
        await bot.send_animation(USER_ID, "CgACAgIAAxkDAAInvented")
    photo = await bot.send_photo(USER_ID, make_png(20, 20))
    with pytest.raises(BadRequest, match="Type of file mismatch"):
        await bot.send_animation(USER_ID, photo.photo[-1].file_id)
    with pytest.raises(BadRequest, match="not an animation"):
        await bot.send_animation(USER_ID, make_png(20, 20))
    assert [v.split(":")[0] for v in sandbox.violations] == ["sendAnimation"] * 3
    assert sandbox.violations[0] == (
        "sendAnimation: 400 Bad Request: wrong file identifier/HTTP URL specified"
    )


async def test_edit_message_media_turns_a_text_into_an_animation_and_swaps_clips(
    bot: Bot, sandbox: BotApiSandbox
) -> None:
    user = sandbox.user(USER_ID)
    card = await bot.send_message(USER_ID, "Exercise 1 of 6", reply_markup=keyboard("Go", "go"))
    # Bot API 10.1: a text message can become a media message (an upload: attach://).
    edited = await bot.edit_message_media(
        InputMediaAnimation(GIF, caption="Exercise 1 of 6", filename="one.gif"),
        USER_ID,
        card.message_id,
        reply_markup=keyboard("✅ Done set", "done"),
    )
    assert edited.message_id == card.message_id and edited.text is None
    assert edited.animation is not None and edited.animation.mime_type == "image/gif"
    assert edited.caption == "Exercise 1 of 6" and edited.edit_date is not None
    check_message(sandbox, "editMessageMedia")
    shown = user.message(card.message_id)
    assert (shown.text, shown.caption, shown.animation) == (None, "Exercise 1 of 6", GIF)
    assert shown.buttons == [[("✅ Done set", "done")]]
    first_file_id = shown.animation_file_id

    # The next exercise's clip, uploaded; then the first again by its file_id.
    await bot.edit_message_media(
        InputMediaAnimation(MP4, caption="Exercise 2 of 6"), USER_ID, card.message_id
    )
    assert user.message(card.message_id).animation == MP4
    assert user.message(card.message_id).buttons == [], "no reply_markup: the keyboard goes"
    back = await bot.edit_message_media(
        InputMediaAnimation(first_file_id, caption="Exercise 1 of 6"), USER_ID, card.message_id
    )
    assert back.animation is not None and back.animation.file_id == first_file_id
    assert user.message(card.message_id).animation == GIF
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_media(
            InputMediaAnimation(first_file_id, caption="Exercise 1 of 6"), USER_ID, card.message_id
        )
    # An animation can become a photo, and back.
    await bot.edit_message_media(InputMediaPhoto(make_png(30, 20)), USER_ID, card.message_id)
    assert user.message(card.message_id).photo is not None
    assert not user.message(card.message_id).has_animation
    assert sandbox.violations == []


async def test_media_never_turns_back_into_text(bot: Bot, sandbox: BotApiSandbox) -> None:
    user = sandbox.user(USER_ID)
    sent = await bot.send_animation(USER_ID, GIF, caption="Clam shells")
    with pytest.raises(BadRequest, match="There is no text in the message to edit"):
        await bot.edit_message_text("Clam shells", USER_ID, sent.message_id)
    assert user.message(sent.message_id).has_animation
    assert sandbox.violations == [
        "editMessageText: 400 Bad Request: there is no text in the message to edit"
    ]


async def test_edit_caption_of_an_animation_keeps_the_clip(
    bot: Bot, sandbox: BotApiSandbox
) -> None:
    user = sandbox.user(USER_ID)
    sent = await bot.send_animation(USER_ID, MP4, caption="Set 1 of 2")
    edited = await bot.edit_message_caption(
        USER_ID, sent.message_id, caption="Set 2 of 2", reply_markup=keyboard("✅", "d")
    )
    assert edited.caption == "Set 2 of 2"
    assert edited.animation is not None and edited.animation.file_id == sent.animation.file_id
    check_message(sandbox, "editMessageCaption")
    shown = user.message(sent.message_id)
    assert (shown.caption, shown.animation, shown.edit_count) == ("Set 2 of 2", MP4, 1)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_caption(
            USER_ID, sent.message_id, caption="Set 2 of 2", reply_markup=keyboard("✅", "d")
        )
    assert sandbox.violations == []


async def test_media_failures_can_be_injected(bot: Bot, sandbox: BotApiSandbox) -> None:
    user = sandbox.user(USER_ID)
    sandbox.fail_next(
        1, status=400, methods={"sendAnimation"}, description=f"Bad Request: {WRONG_FILE}"
    )
    with pytest.raises(BadRequest, match=WRONG_FILE):
        await bot.send_animation(USER_ID, GIF)
    sent = await bot.send_animation(USER_ID, GIF)  # only the next call failed
    sandbox.fail_next(1, status=500, methods={"editMessageMedia"})
    with pytest.raises(Exception, match="Internal Server Error"):
        await bot.edit_message_media(InputMediaAnimation(MP4), USER_ID, sent.message_id)
    assert user.message(sent.message_id).animation == GIF, "a failed edit changes nothing"
    assert sandbox.violations == [], "injected failures are not the bot's fault"

"""Local Bot API server that the unmodified bot talks to in tests and the offline sandbox."""

from bot.sandbox.server import BotApiSandbox, RecordedCall
from bot.sandbox.users import CallbackAnswer, ChatMessage, SimulatedUser

__all__ = ["BotApiSandbox", "CallbackAnswer", "ChatMessage", "RecordedCall", "SimulatedUser"]

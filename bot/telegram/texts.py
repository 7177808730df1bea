"""Every sentence the bot says, in one place so tone and wording can be reviewed together."""

from __future__ import annotations

# (command, menu description), in the order /help and the command menu show them.
COMMANDS: list[tuple[str, str]] = [
    ("warmup", "Start (or resume) the pre-run glute warm-up"),
    ("help", "What I can do and every command"),
    ("start", "Welcome and quick start"),
]

WELCOME = (
    "Hi {name}! 👋 I'm your pre-run warm-up coach.\n\n"
    "Before a run, I walk you through six quick glute exercises (about {minutes} minutes, "
    "a band is optional), one at a time: tap ✅ after each set.\n\n"
    "Glutes that wake up before the run take the load off your knees."
)
HELP_HEADER = "Here's what I can do:"
HELP_FOOTER = "During a warm-up: ✅ Done set · ℹ️ How to · ⏭ Skip exercise · ✖ End."

START_WARMUP_BUTTON = "▶ Start warm-up"
DONE_SET_BUTTON = "✅ Done set"
HOW_TO_BUTTON = "ℹ️ How to"
BACK_BUTTON = "↩ Back"
SKIP_BUTTON = "⏭ Skip exercise"
END_BUTTON = "✖ End"
RESUME_BUTTON = "▶ Resume"
RESTART_BUTTON = "↺ Start over"

CARD_HEADER = "🔥 Warm-up · Exercise {number} of {count}"
CARD_PROGRESS = "Set {set_number} of {sets} · {reps} {unit}"
PER_LEG = "per leg"
REPS = "reps"
BAND_NOTE = "🎗 Band optional"
HOW_TO_HEADER = "How to:"
MISTAKE = "⚠️ Common mistake: {mistake}"
NO_BAND = "🔁 No band? {alternative}"

ALREADY_RUNNING = (
    "You have a warm-up in progress: exercise {number} of {count} ({name}), set {set_number}.\n"
    "Resume where you left off, or start over?"
)
MOVED_BELOW = "⤵ This warm-up continues below."
ENDED_CARD = "This warm-up was replaced by a new one."

COMPLETED = "🏁 Warm-up complete in {duration}! Have a great run. 🏃"
ENDED = "✖ Warm-up ended after {duration}."
RESULT_DONE = "✅ {name}"
RESULT_PARTIAL = "◐ {name} ({done} of {sets} sets)"
RESULT_SKIPPED = "⏭ {name} (skipped)"
RESULT_NOT_REACHED = "· {name} (not reached)"
AGAIN = "Send /warmup to go again."

# Callback answers: short toasts.
ANSWER_SET_DONE = "Set {set_number} done 💪"
ANSWER_EXERCISE_DONE = "Exercise done! Next up: {name}"
ANSWER_SKIPPED = "Skipped"
ANSWER_COMPLETED = "All done! 🎉"
ANSWER_ENDED = "Warm-up ended"
ANSWER_ALREADY_COUNTED = "Already counted ✅"
ANSWER_WARMUP_OVER = "This warm-up has ended."
ANSWER_OLD_CARD = "This is an old card: use the latest one below."

UNKNOWN_COMMAND = "I don't know {command}. Send /help to see what I can do."
PLAIN_TEXT = "Send /warmup to start your warm-up, or /help for everything I can do."
SOMETHING_WENT_WRONG = "Sorry, something went wrong on my side. Please try that again."


def duration(seconds: int) -> str:
    """`0 s`, `45 s`, `9 min 12 s`, `1 h 3 min`."""
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"

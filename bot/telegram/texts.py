"""Every sentence the bot says, in one place so tone and wording can be reviewed together."""

from __future__ import annotations

# (command, menu description), in the order /help and the command menu show them.
COMMANDS: list[tuple[str, str]] = [
    ("warmup", "Start (or resume) the pre-run glute warm-up"),
    ("remind", "Set pre-run reminders: /remind mon,wed,fri 07:00 Europe/Berlin 30"),
    ("reminders", "Show your reminder schedule and the next reminder"),
    ("stats", "Your streak, totals and 12-week calendar"),
    ("settings", "When to ask how your run felt, or not at all"),
    ("export", "Download everything I keep about you (JSON)"),
    ("forget", "Delete everything I keep about you"),
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

# Reminders
SET_REMINDERS_BUTTON = "⏰ Set reminders"
REMINDER = "Run at {time}: time to warm up (about {minutes} min)"
REMINDER_AGAIN = "⏰ Snooze over. Run at {time}: time to warm up (about {minutes} min)"
SNOOZE_BUTTON = "⏰ Snooze 10 min"
NOT_TODAY_BUTTON = "🛌 Not today"
SNOOZED = "⏰ Snoozed: I'll remind you again at {time}."
NOT_TODAY = "🛌 Not today. Rest well, rest is training too."
ANSWER_SNOOZED = "Snoozed for 10 minutes"
ANSWER_NOT_TODAY = "Okay, not today"
ANSWER_REMINDER_HANDLED = "Already taken care of."
ANSWER_REMINDER_GONE = "This reminder is gone. Send /remind to set up new ones."

SCHEDULE_SUMMARY = "Runs {days} at {time} ({timezone}). Reminder at {remind_time}. Next: {next}"
SCHEDULE_OFF = "Runs {days} at {time} ({timezone}). Reminders are off: /remind on to resume."
NO_SCHEDULE = (
    "No reminders yet. Set them up with /remind, or in one line, e.g.\n"
    "/remind mon,wed,fri 07:00 Europe/Berlin 30"
)
REMINDERS_ON = "✅ Reminders on. "
REMINDERS_OFF = "🔕 Reminders off. /remind on switches them back on."
NOTHING_TO_TOGGLE = "You have no reminder schedule yet. Set one with /remind."

SETUP_TITLE = "⏰ Pre-run reminders"
SETUP_DAYS = "Run days: {days}"
SETUP_TIME = "Run time: {time}"
SETUP_TIMEZONE = "Time zone: {timezone}"
SETUP_LEAD = "Reminder: {lead} min before"
SETUP_UNSET = "not chosen yet"
SETUP_HINT = "Tap your run days, a run time and how early to remind you, then Save."
SETUP_ASK_TIME = "⌨ Type your run time as HH:MM, e.g. 06:45."
SETUP_ASK_TIMEZONE = "⌨ Type your time zone (e.g. Europe/Berlin) or a city (e.g. Berlin)."
SETUP_SUGGEST = "Did you mean one of these? Tap it, or type again."
SETUP_OTHER_TIME_BUTTON = "⌨ Other time"
SETUP_TIMEZONE_BUTTON = "🌍 Time zone: {timezone}"
SETUP_SAVE_BUTTON = "✅ Save"
SETUP_CANCEL_BUTTON = "✖ Cancel"
SETUP_CANCELLED = "Reminder setup cancelled; nothing changed."
SETUP_NEED_DAYS = "Pick at least one run day."
SETUP_NEED_TIME = "Pick a run time."
SETUP_GONE = "This setup has closed. Send /remind to start again."
# Typed answers change the draft on the setup card; nothing is kept until Save.
SETUP_TIME_NOTED = "Run time {time} is on the setup card above: tap ✅ Save there to keep it."
SETUP_TIMEZONE_NOTED = (
    "Time zone {timezone} is on the setup card above: tap ✅ Save there to keep it."
)
SETUP_TIMEZONE_TAP = (
    "I don't know the time zone '{value}'. If it is on the setup card above, tap it; "
    "otherwise type the biggest city near you in the same time zone "
    "(e.g. Berlin, New York, São Paulo)."
)
SETUP_CITY_HINT = (
    "I don't know '{value}'. Type the biggest city near you in the same time zone "
    "(e.g. Berlin, New York, São Paulo) or a zone name like Europe/Berlin."
)
SETUP_SAVED = "⏰ Reminder setup saved."
ANSWER_SETUP_SAVED = "Reminders saved ✅"

SLOW_DOWN = "Easy there, I'm catching up. One tap at a time 🙂"

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


# Streaks: lines the completion card adds, and /stats
NOT_COUNTED = (
    "This one doesn't count toward your streak: at least {needed} of {count} exercises make a "
    "warm-up."
)
STREAK_LINE = "🔥 Streak: {streak}"
FREEZE_SAVED = "🧊 A freeze saved your {streak}-day streak."
FREEZES_SAVED = "🧊 {freezes} freezes saved your {streak}-day streak."
STREAK_BROKE = "Your {streak}-day streak ended; every warm-up from here builds the next one."
FREEZE_EARNED = "🧊 You earned a freeze: it covers a missed run day automatically."
MILESTONE = "🎉 {milestone}-day streak! That's a milestone."

STATS_EMPTY = (
    "📊 No warm-ups yet, so nothing to count, which makes today a great day to start!\n\n"
    "Do 4 of the 6 exercises and your streak begins. Rest days never break it, and every 7 in a "
    "row earns a 🧊 freeze for a day you miss."
)
STATS_TITLE = "📊 Your warm-ups"
STATS_CURRENT = "🔥 Current streak: {current}"
STATS_LONGEST = "🏆 Longest: {longest}"
STATS_FREEZES = "🧊 Freezes banked: {freezes} of {max} (next after {next_in} more)"
STATS_FREEZES_FULL = "🧊 Freezes banked: {freezes} of {max}"
STATS_TOTAL = "✅ Warm-ups, all time: {total}"
STATS_WEEK_PLANNED = "📅 This week: warm-ups on {done} days, {planned} runs planned"
STATS_WEEK = "📅 This week: warm-ups on {done} days"
STATS_FEEL = "🏃 Average run feel after warm-ups: {average:.1f} / 5 ({count} check-ins)"
STATS_FEEL_ONE = "🏃 Run feel after warm-ups: {average:.0f} / 5 (1 check-in)"
STATS_FEEL_NONE = "🏃 Run feel: answer a check-in after your next run to see it here."


# After-run check-ins
CHECKIN_FEEL = "🏃 How did your run feel? Tap one: 1 was rough, 5 felt great."
CHECKIN_FEEL_LABELS = {
    1: "1 😣 Rough",
    2: "2 😕 Heavy",
    3: "3 😐 OK",
    4: "4 🙂 Good",
    5: "5 🤩 Great",
}
CHECKIN_PAIN = "🏃 Run feel: {feel}/5\n\nAny pain?"
CHECKIN_PAIN_LABELS = {
    "none": "👍 None",
    "knee": "Knee",
    "hip": "Hip",
    "ankle": "Ankle",
    "back": "Back",
    "other": "Other",
}
CHECKIN_THANKS = "🙏 Thanks! Run feel {feel}/5, {pain}. It all goes into /stats."
CHECKIN_NO_PAIN = "no pain"
CHECKIN_SOME_PAIN = "{pain} pain"
EASE_OFF = (
    "You've mentioned pain after two runs in a row. It may be worth easing off for a few days: "
    "shorter or easier runs, more rest. If it persists, see a physiotherapist."
)
ANSWER_CHECKIN_CLOSED = "This check-in has closed."
ANSWER_CHECKIN_NOTED = "Noted ✅"
ANSWER_THANKS = "Thanks!"

# /settings
SETTINGS = (
    "⚙️ Settings\n\n"
    "After-run check-in: {checkin}\n"
    "Time zone: {timezone} (set with /remind)\n\n"
    "Choose when to ask how your run felt:"
)
SETTINGS_CHECKIN_AFTER = "{minutes} min after the warm-up"
SETTINGS_CHECKIN_OFF = "off"
SETTINGS_MINUTES_BUTTON = "{minutes} min"
SETTINGS_OFF_BUTTON = "Off"
ANSWER_SETTINGS_SAVED = "Saved ✅"

# /export and /forget
EXPORT_CAPTION = "📦 Everything I keep about you, as JSON."
FORGET_CONFIRM = (
    "🗑 This deletes everything I keep about you: settings, reminders, warm-ups, check-ins and "
    "your streak. It can't be undone.\n\nDelete it all?"
)
FORGET_YES_BUTTON = "🗑 Delete everything"
FORGET_NO_BUTTON = "Keep my data"
FORGOTTEN = (
    "Done: everything I kept about you is deleted. Send /start whenever you want to begin again."
)
FORGET_CANCELLED = "Nothing was deleted."

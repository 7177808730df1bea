"""Every sentence the bot says, in one place so tone and wording can be reviewed together.

These are the English source texts. `_()` and `N_()` mark them for the catalogues
(bot/locales) and translate them when they are used, into the language of the runner being
answered (bot/i18n). A placeholder's name tells translators what goes there; `{n}` is always
the count a plural form depends on.
"""

from __future__ import annotations

from bot.i18n import N_, _

# (command, menu description), in the order /help and the command menu show them.
COMMANDS = [
    ("warmup", _("Start (or resume) the pre-run glute warm-up; /warmup quick for one set each")),
    ("levels", _("Your level of each exercise, and setting it by hand")),
    ("remind", _("Set pre-run reminders: /remind mon,wed,fri 07:00 Europe/Berlin 30")),
    ("reminders", _("Show your reminder schedule and the next reminder")),
    ("stats", _("Your streak, totals and 12-week calendar")),
    ("settings", _("When to ask how your run felt, or not at all")),
    ("language", _("Choose the language I speak")),
    ("export", _("Download everything I keep about you (JSON)")),
    ("forget", _("Delete everything I keep about you")),
    ("help", _("What I can do and every command")),
    ("start", _("Welcome and quick start")),
]
# The bot's profile in Telegram (setMyDescription, setMyShortDescription).
# Translators: the bot's description in Telegram, at most 512 characters.
DESCRIPTION = _(
    "Your pre-run glute warm-up coach: six exercises, one at a time, reminders before your "
    "runs and a streak that grows with every warm-up. Tap Start to begin."
)
# Translators: the bot's short description in Telegram, at most 120 characters.
SHORT_DESCRIPTION = _("A 10-minute glute warm-up before every run, one exercise at a time.")

WELCOME = _(
    "Hi {name}! 👋 I'm your pre-run warm-up coach.\n\n"
    "Before a run, I walk you through six quick glute exercises (about {minutes} minutes, "
    "a band is optional), one at a time: tap ✅ after each set.\n\n"
    "Glutes that wake up before the run take the load off your knees."
)
HELP_HEADER = _("Here's what I can do:")
HELP_FOOTER = _("During a warm-up: ✅ Done set · ℹ️ How to · ⏭ Skip exercise · ✖ End.")

# Translators: the two ways to start a warm-up, on the welcome and on reminders.
FULL_BUTTON = _("Full · about {minutes} min")
QUICK_BUTTON = _("Quick · about {minutes} min")
DONE_SET_BUTTON = _("✅ Done set")
HOW_TO_BUTTON = _("ℹ️ How to")
BACK_BUTTON = _("↩ Back")
SKIP_BUTTON = _("⏭ Skip exercise")
END_BUTTON = _("✖ End")
RESUME_BUTTON = _("▶ Resume")
RESTART_BUTTON = _("↺ Start over")

CARD_HEADER = _("🔥 Warm-up · Exercise {number} of {count}")
CARD_HEADER_QUICK = _("⚡ Quick warm-up · Exercise {number} of {count}")
# Translators: the warm-up card's progress line: set 1 of 2, {n} repetitions on each leg.
CARD_PROGRESS_PER_LEG = N_(
    "Set {set_number} of {sets} · {n} per leg", "Set {set_number} of {sets} · {n} per leg"
)
# Translators: the same for an exercise done on both legs at once.
CARD_PROGRESS_REPS = N_(
    "Set {set_number} of {sets} · {n} rep", "Set {set_number} of {sets} · {n} reps"
)
BAND_NOTE = _("🎗 Band optional")

# Levels: each exercise has several; the card shows the runner's.
LEVEL = _("Level {level}")
# Translators: {position} and {resistance} are the phrases below ("band at the ankles",
# "light band").
LEVEL_WITH_BAND = _("Level {level} · {position} · {resistance}")
BAND_POSITION = {
    "knees": _("band above the knees"),
    "ankles": _("band at the ankles"),
    "feet": _("band around the feet"),
}
BAND_RESISTANCE = {
    "light": _("light band"),
    "medium": _("medium band"),
    "heavy": _("heavy band"),
}
# Translators: an exercise's dose: 2 sets of {n} repetitions on each leg.
DOSE_PER_LEG = N_("{sets} × {n} per leg", "{sets} × {n} per leg")
DOSE_REPS = N_("{sets} × {n} rep", "{sets} × {n} reps")
# Translators: a level change, shown once on the next warm-up card: "⬆️ Side steps: level 2,
# band at the ankles". {detail} says what changed: the band's position ("band at the ankles"),
# its strength ("medium band") or the dose ("2 × 12 per leg").
LEVEL_UP = _("⬆️ {name}: level {level}, {detail}")
LEVEL_DOWN = _("⬇️ {name}: level {level}, {detail}")
HOW_TO_HEADER = _("How to:")
MISTAKE = _("⚠️ Common mistake: {mistake}")
NO_BAND = _("🔁 No band? {alternative}")

ALREADY_RUNNING = _(
    "You have a warm-up in progress: exercise {number} of {count} ({name}), set {set_number}.\n"
    "Resume where you left off, or start over?"
)
MOVED_BELOW = _("⤵ This warm-up continues below.")
ENDED_CARD = _("This warm-up was replaced by a new one.")

COMPLETED = _("🏁 Warm-up complete in {duration}! Have a great run. 🏃")
COMPLETED_QUICK = _("🏁 Quick warm-up complete in {duration}! Have a great run. 🏃")
ENDED = _("✖ Warm-up ended after {duration}.")
RESULT_DONE = _("✅ {name}")
RESULT_PARTIAL = N_("◐ {name} ({done} of {n} set)", "◐ {name} ({done} of {n} sets)")
RESULT_SKIPPED = _("⏭ {name} (skipped)")
RESULT_NOT_REACHED = _("· {name} (not reached)")
AGAIN = _("Send /warmup to go again.")
WARMUP_USAGE = _(
    "Send /warmup for the full warm-up, or /warmup quick for one set of each exercise."
)

# The summary's one question, and what the runner's answer means.
RATE_QUESTION = _("How did that feel?")
RATE_BUTTONS = {
    "easy": _("😌 Easy"),
    "right": _("👍 About right"),
    "hard": _("😓 Hard"),
}
RATED = {
    "easy": _(
        "😌 Felt easy. Three easy warm-ups in a row move the exercises you did in full up a level."
    ),
    "right": _("👍 About right: your levels stay as they are."),
    "hard": _("😓 Felt hard. Two hard warm-ups in a row take every exercise down a level."),
}
RATED_HELD = _("😌 Felt easy. Levels don't go up for a week after pain, to be safe.")
RATED_CHANGED = N_(
    "Your next warm-up has {n} exercise at a new level.",
    "Your next warm-up has {n} exercises at a new level.",
)
ANSWER_RATED = _("Thanks! Noted ✅")
ANSWER_RATE_OLD = _("That was an earlier warm-up: only the latest one can be rated.")

# Callback answers: short toasts.
ANSWER_SET_DONE = _("Set {set_number} done 💪")
ANSWER_EXERCISE_DONE = _("Exercise done! Next up: {name}")
ANSWER_SKIPPED = _("Skipped")
ANSWER_COMPLETED = _("All done! 🎉")
ANSWER_ENDED = _("Warm-up ended")
ANSWER_ALREADY_COUNTED = _("Already counted ✅")
ANSWER_WARMUP_OVER = _("This warm-up has ended.")
ANSWER_OLD_CARD = _("This is an old card: use the latest one below.")

# Reminders
SET_REMINDERS_BUTTON = _("⏰ Set reminders")
# Translators: {time} is the run's time (07:00); {minutes} the warm-up's length.
REMINDER = _("Run at {time}: time to warm up (about {minutes} min)")
REMINDER_AGAIN = _("⏰ Snooze over. Run at {time}: time to warm up (about {minutes} min)")
SNOOZE_BUTTON = _("⏰ Snooze 10 min")
NOT_TODAY_BUTTON = _("🛌 Not today")
SNOOZED = _("⏰ Snoozed: I'll remind you again at {time}.")
NOT_TODAY = _("🛌 Not today. Rest well, rest is training too.")
ANSWER_SNOOZED = _("Snoozed for 10 minutes")
ANSWER_NOT_TODAY = _("Okay, not today")
ANSWER_REMINDER_HANDLED = _("You already answered this reminder.")
ANSWER_REMINDER_GONE = _("This reminder is gone. Send /remind to set up new ones.")
ANSWER_DEMO_REMINDER = _("This was a demonstration: your real reminder comes at its time.")

SCHEDULE_SUMMARY = _("Runs {days} at {time} ({timezone}). Reminder at {remind_time}. Next: {next}")
SCHEDULE_QUICK = _("⚡ The reminder offers the quick warm-up first.")
SCHEDULE_OFF = _("Runs {days} at {time} ({timezone}). Reminders are off: /remind on to resume.")
EVERY_DAY = _("every day")
NO_DAYS = _("no days")
NO_SCHEDULE = _(
    "No reminders yet. Set them up with /remind, or in one line, e.g.\n"
    "/remind mon,wed,fri 07:00 Europe/Berlin 30"
)
REMINDERS_ON = _("✅ Reminders on. ")
REMINDERS_OFF = _("🔕 Reminders off. /remind on switches them back on.")
NOTHING_TO_TOGGLE = _("You have no reminder schedule yet. Set one with /remind.")

SETUP_TITLE = _("⏰ Pre-run reminders")
SETUP_DAYS = _("Run days: {days}")
SETUP_TIME = _("Run time: {time}")
SETUP_TIMEZONE = _("Time zone: {timezone}")
SETUP_LEAD = _("Reminder: {lead} min before")
SETUP_FULL = _("Reminder's first button: the full warm-up")
SETUP_QUICK = _("Reminder's first button: the quick warm-up (one set of each)")
# Translators: buttons: which warm-up the reminder offers first.
SETUP_FULL_BUTTON = _("▶ Full")
SETUP_QUICK_BUTTON = _("⚡ Quick")
SETUP_UNSET = _("not chosen yet")
SETUP_HINT = _("Tap your run days, a run time and how early to remind you, then Save.")
SETUP_ASK_TIME = _("⌨ Type your run time as HH:MM, e.g. 06:45.")
SETUP_ASK_TIMEZONE = _("⌨ Type your time zone (e.g. Europe/Berlin) or a city (e.g. Berlin).")
SETUP_SUGGEST = _("Did you mean one of these? Tap it, or type again.")
SETUP_OTHER_TIME_BUTTON = _("⌨ Other time")
SETUP_TIMEZONE_BUTTON = _("🌍 Time zone: {timezone}")
# Translators: a button: remind this many minutes before the run.
SETUP_LEAD_BUTTON = _("{minutes} min")
SETUP_SAVE_BUTTON = _("✅ Save")
SETUP_CANCEL_BUTTON = _("✖ Cancel")
SETUP_CANCELLED = _("Reminder setup cancelled; nothing changed.")
SETUP_NEED_DAYS = _("Pick at least one run day.")
SETUP_NEED_TIME = _("Pick a run time.")
SETUP_GONE = _("This setup has closed. Send /remind to start again.")
# Typed answers change the draft on the setup card; nothing is kept until Save.
SETUP_TIME_NOTED = _("Run time {time} is on the setup card above: tap ✅ Save there to keep it.")
SETUP_TIMEZONE_NOTED = _(
    "Time zone {timezone} is on the setup card above: tap ✅ Save there to keep it."
)
SETUP_TIMEZONE_TAP = _(
    "I don't know the time zone '{value}'. If it is on the setup card above, tap it; "
    "otherwise type the biggest city near you in the same time zone "
    "(e.g. Berlin, New York, São Paulo)."
)
SETUP_CITY_HINT = _(
    "I don't know '{value}'. Type the biggest city near you in the same time zone "
    "(e.g. Berlin, New York, São Paulo) or a zone name like Europe/Berlin."
)
SETUP_SAVED = _("⏰ Reminder setup saved.")
ANSWER_SETUP_SAVED = _("Reminders saved ✅")

SLOW_DOWN = _("Easy there, I'm catching up. One tap at a time 🙂")

UNKNOWN_COMMAND = _("I don't know {command}. Send /help to see what I can do.")
PLAIN_TEXT = _("Send /warmup to start your warm-up, or /help for everything I can do.")
SOMETHING_WENT_WRONG = _("Sorry, something went wrong on my side. Please try that again.")

# Streaks: lines the completion card adds, and /stats. A streak counts days in a row.
DAYS = N_("{n} day", "{n} days")
FREEZES = N_("{n} freeze", "{n} freezes")
NOT_COUNTED = N_(
    "This one doesn't count toward your streak: at least {needed} of {n} exercise make a warm-up.",
    "This one doesn't count toward your streak: at least {needed} of {n} exercises make a warm-up.",
)
STREAK_LINE = N_("🔥 Streak: {n} day", "🔥 Streak: {n} days")
# Translators: {days} is a number of days with its word, already translated ("5 days").
FREEZE_SAVED = _("🧊 A freeze kept your streak alive: {days} in a row.")
# Translators: {freezes} ("2 freezes") and {days} ("5 days") come translated.
FREEZES_SAVED = _("🧊 {freezes} kept your streak alive: {days} in a row.")
# Translators: {days} is a number of days with its word ("5 days").
STREAK_BROKE = _("Your streak of {days} ended; every warm-up from here builds the next one.")
FREEZE_EARNED = _("🧊 You earned a freeze: it covers a missed run day automatically.")
# Translators: {days} is a number of days with its word ("7 days").
MILESTONE = _("🎉 {days} in a row! That's a milestone.")

STATS_EMPTY = _(
    "📊 No warm-ups yet, so nothing to count, which makes today a great day to start!\n\n"
    "Do 4 of the 6 exercises and your streak begins. Rest days never break it, and every 7 days in "
    "a row earn a 🧊 freeze that covers a day you miss."
)
STATS_TITLE = _("📊 Your warm-ups")
# Translators: {days} is a number of days with its word ("3 days").
STATS_CURRENT = _("🔥 Current streak: {days}")
# Translators: {days} is a number of days with its word ("3 days").
STATS_LONGEST = _("🏆 Longest: {days}")
STATS_FREEZES = N_(
    "🧊 Freezes banked: {freezes} of {max} (next after {n} more day in a row)",
    "🧊 Freezes banked: {freezes} of {max} (next after {n} more days in a row)",
)
STATS_FREEZES_FULL = _("🧊 Freezes banked: {freezes} of {max}")
STATS_TOTAL = _("✅ Warm-ups, all time: {total}")
STATS_TOTAL_SPLIT = _("✅ Warm-ups, all time: {total} ({full} full, {quick} quick)")
# Translators: {levels} is a list like "Banded Side Steps 2 · Wall Abs 1".
STATS_LEVELS = _("📶 Levels: {levels}")
STATS_WEEK = N_("📅 This week: warm-ups on {n} day", "📅 This week: warm-ups on {n} days")
# Translators: {planned} is a number of runs with its word ("3 runs"), see "{n} run".
STATS_WEEK_PLANNED = N_(
    "📅 This week: warm-ups on {n} day, {planned} planned",
    "📅 This week: warm-ups on {n} days, {planned} planned",
)
RUNS = N_("{n} run", "{n} runs")
STATS_FEEL = N_(
    "🏃 Average run feel after warm-ups: {average} / 5 ({n} check-in)",
    "🏃 Average run feel after warm-ups: {average} / 5 ({n} check-ins)",
)
STATS_FEEL_NONE = _("🏃 Run feel: answer a check-in after your next run to see it here.")

# The /stats picture's words (month and weekday names come from CLDR).
# Translators: the words on the /stats calendar picture: short, read at 12 px on a phone.
HEATMAP_TITLE = _("Last 12 weeks")
HEATMAP_DONE = _("done")
HEATMAP_MISSED = _("missed")
HEATMAP_FROZEN = _("frozen")
HEATMAP_REST = _("rest")
HEATMAP_TODAY = _("today")

# After-run check-ins
CHECKIN_FEEL = _("🏃 How did your run feel? Tap one: 1 was rough, 5 felt great.")
# Translators: buttons: the number, the emoji and one short word.
CHECKIN_FEEL_LABELS = {
    1: _("1 😣 Rough"),
    2: _("2 😕 Heavy"),
    3: _("3 😐 OK"),
    4: _("4 🙂 Good"),
    5: _("5 🤩 Great"),
}
CHECKIN_PAIN = _("🏃 Run feel: {feel}/5\n\nAny pain?")
CHECKIN_PAIN_LABELS = {
    "none": _("👍 None"),
    "knee": _("Knee"),
    "hip": _("Hip"),
    "ankle": _("Ankle"),
    "back": _("Back"),
    "other": _("Other"),
}
CHECKIN_THANKS = _("🙏 Thanks! Run feel {feel}/5, {pain}. It all goes into /stats.")
CHECKIN_NO_PAIN = _("no pain")
# Translators: what hurt, as a phrase after "Run feel 3/5, ...".
CHECKIN_SOME_PAIN = {
    "knee": _("knee pain"),
    "hip": _("hip pain"),
    "ankle": _("ankle pain"),
    "back": _("back pain"),
    "other": _("some pain"),
}
EASE_OFF = _(
    "You've mentioned pain after two runs in a row. It may be worth easing off for a few days: "
    "shorter or easier runs, more rest. If it persists, see a physiotherapist."
)
EASE_OFF_BUTTON = _("⬇️ Go down a level")
EASED_OFF = _("⬇️ Done: every exercise above level 1 is one level lower from your next warm-up.")
ANSWER_EASED_OFF = _("One level lower ✅")
ANSWER_CHECKIN_CLOSED = _("This check-in has closed.")
ANSWER_CHECKIN_NOTED = _("Noted ✅")
ANSWER_THANKS = _("Thanks!")

# /settings
SETTINGS = _(
    "⚙️ Settings\n\n"
    "After-run check-in: {checkin}\n"
    "Time zone: {timezone} (set with /remind)\n"
    "Language: {language} (change with /language)\n\n"
    "Choose when to ask how your run felt:"
)
SETTINGS_CHECKIN_AFTER = _("{minutes} min after the warm-up")
SETTINGS_CHECKIN_OFF = _("off")
SETTINGS_MINUTES_BUTTON = _("{minutes} min")
# Translators: {card} is one of the two phrases below.
SETTINGS_CARD = _("Warm-up card: {card}")
SETTINGS_CARD_MOVING = _("a moving demonstration of each exercise")
SETTINGS_CARD_TEXT = _("text only (lighter on slow or costly data)")
SETTINGS_DEMOS_ON_BUTTON = _("🎞 Demonstrations")
SETTINGS_DEMOS_OFF_BUTTON = _("📝 Text only")
SETTINGS_OFF_BUTTON = _("Off")
ANSWER_SETTINGS_SAVED = _("Saved ✅")

# /levels
LEVELS_TITLE = _("📶 Your levels")
# Translators: one exercise in /levels: "Wall Abs: level 2 of 3 · 2 × 12 per leg".
LEVELS_LINE = _("{name}: level {level} of {top} · {dose}")
LEVELS_HINT = _(
    "Levels move by themselves: three warm-ups in a row rated 😌 Easy take the exercises you did "
    "in full up one (at most once a week), two in a row rated 😓 Hard take every exercise down "
    "one. "
    "Set any level yourself with ➖ and ➕."
)
ANSWER_LEVEL_SET = _("{name}: level {level} ✅")
ANSWER_LEVEL_LOWEST = _("That's the lowest level.")
ANSWER_LEVEL_HIGHEST = _("That's the highest level.")
ANSWER_LEVELS_OLD = _("Those buttons were out of date: here are your levels now.")

# /language
LANGUAGE_CHOOSE = _(
    "🌐 I speak {language} with you now. Pick another language, or Automatic to follow "
    "your Telegram app's language."
)
# Translators: {language} is the language of the runner's Telegram app, in itself.
LANGUAGE_AUTOMATIC_BUTTON = _("Automatic ({language})")
LANGUAGE_SET = _("🌐 From now on I speak {language} with you.")
LANGUAGE_AUTOMATIC_SET = _("🌐 I follow your Telegram app's language: {language} for now.")
ANSWER_LANGUAGE_SAVED = _("Saved ✅")

# /export and /forget
EXPORT_CAPTION = _("📦 Everything I keep about you, as JSON.")
FORGET_CONFIRM = _(
    "🗑 This deletes everything I keep about you: settings, reminders, warm-ups, check-ins and "
    "your streak. It can't be undone.\n\nDelete it all?"
)
FORGET_YES_BUTTON = _("🗑 Delete everything")
FORGET_NO_BUTTON = _("Keep my data")
FORGOTTEN = _(
    "Done: everything I kept about you is deleted. Send /start whenever you want to begin again."
)
FORGET_CANCELLED = _("Nothing was deleted.")

# /broadcast (admins only: ADMIN_USER_IDS)
BROADCAST_ASK = _(
    "📣 Send me the message for all runners as your next message. You'll see a preview "
    "before anything is sent."
)
# Translators: below the admin's message in its preview; {n} is how many runners will get it.
BROADCAST_PREVIEW = N_(
    "📣 Preview. This goes to {n} runner.", "📣 Preview. This goes to {n} runners."
)
BROADCAST_TOO_LONG = _(
    "📣 That's {length} characters; a broadcast can have at most {limit}. Send a shorter one."
)
BROADCAST_SEND_BUTTON = _("📣 Send")
BROADCAST_CANCEL_BUTTON = _("✖ Cancel")
BROADCAST_CANCELLED = _("📣 Broadcast cancelled: nothing was sent.")
ANSWER_BROADCAST_SENDING = _("Sending…")
ANSWER_BROADCAST_GONE = _("This broadcast was already sent or cancelled.")
BROADCAST_PROGRESS = _(
    "📣 Sending the broadcast: {done} of {total}\n"
    "✅ sent {sent} · 🚫 blocked the bot {blocked} · ⚠️ failed {failed}"
)
# Translators: {n} is how many runners the broadcast went to.
BROADCAST_DONE = N_(
    "📣 Broadcast finished, {n} runner:\n"
    "✅ sent {sent} · 🚫 blocked the bot {blocked} · ⚠️ failed {failed}",
    "📣 Broadcast finished, {n} runners:\n"
    "✅ sent {sent} · 🚫 blocked the bot {blocked} · ⚠️ failed {failed}",
)
# Translators: after BROADCAST_DONE when the bot restarted mid-send.
BROADCAST_UNCONFIRMED = N_(
    "{n} more was being sent when the bot restarted: it may have arrived, and was not sent again.",
    "{n} more were being sent when the bot restarted: they may have arrived, and were not sent "
    "again.",
)

"""The domain: routine, walk-through, schedules and streaks. Pure, synchronous, no Telegram."""

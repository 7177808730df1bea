"""Warm-up Coach: a Telegram bot for a pre-run glute warm-up."""

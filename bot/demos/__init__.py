"""Exercise demonstrations: looping clips drawn by the project's own code from pose keyframes.

`bot.demos.clips` is the interface the bot uses; `python -m bot.demos` renders everything.
"""

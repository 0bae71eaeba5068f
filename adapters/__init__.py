"""Chat platform front ends: each registers a `bot.Platform` and turns its events into calls on `bot.Chat`."""

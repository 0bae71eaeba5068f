"""Chat platform front ends: each turns platform events into calls on `bot.Library`."""

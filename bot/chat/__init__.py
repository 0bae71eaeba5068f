"""Chat: the command language, what every command and button does, and the words it answers in."""

"""The terminal: the command line, the interactive console, and rendering quotes as text."""

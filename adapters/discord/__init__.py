"""The Discord front end: /quote slash commands answered with embeds and buttons."""

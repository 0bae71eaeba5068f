"""The Slack front end: /quote with a private preview, Send, Another, Context and Cancel."""

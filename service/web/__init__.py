"""The server-rendered search page (Jinja2), right-to-left, usable without JavaScript."""

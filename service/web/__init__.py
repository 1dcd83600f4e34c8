"""The server-rendered search page (Jinja2), right-to-left, usable without JavaScript."""

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"

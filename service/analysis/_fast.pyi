"""Types of the compiled core (_fast.c); see pipeline.py."""

from collections.abc import Callable
from re import Match
from typing import Any

def configure(
    classes: bytes,
    match: Callable[[str, int], Match[str] | None],
    cache: dict[str, tuple[str, str]],
    lookup: Callable[[str], tuple[str, str]],
    token_type: type[tuple[Any, ...]],
) -> None: ...
def analyze(text: object) -> list[Any]: ...
def index_terms(text: object) -> tuple[str, str]: ...

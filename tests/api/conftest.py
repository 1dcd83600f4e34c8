"""The API tests talk to the app in-process (ASGI): what they check is what the app answers, and a
uvicorn process per test only added start-up time. Real servers stay in tests/reliability and tests/web."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import InProcessApp


@pytest.fixture
def server(data_dir: Path) -> Iterator[InProcessApp]:
    app = InProcessApp(data_dir).start()
    yield app
    app.stop()

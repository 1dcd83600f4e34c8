"""Property-based fuzzing of the whole OpenAPI schema against a live server: no input may cause a 5xx."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.conftest import Server


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(Path(tmp_path_factory.mktemp("fuzz")) / "var").start()
    with srv.client() as http:  # something to find, update and delete
        http.post(
            "/api/articles",
            json=[
                {
                    "title": "اشتباكات في دير الزور",
                    "body": "تجددت الاشتباكات في ريف دير الزور.",
                    "source": "بلدي نيوز",
                },
                {"title": "ترامب والصحافة", "body": "هاجم ترامب وسائل الإعلام.", "source": "سكاي نيوز عربية"},
            ],
        )
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def api_schema(live_server: Server):
    return schemathesis.openapi.from_url(live_server.url + "/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_causes_a_server_error(case) -> None:
    case.call_and_validate(checks=[not_a_server_error])

"""Property-based requests generated from the OpenAPI spec, sent to a real uvicorn server.

Positive cases (bodies that fit the spec) must get documented, schema-conformant answers; negative
cases (bodies that break the spec) must never get a 5xx or an undocumented answer.
`negative_data_rejection` is left out on purpose: a row whose values break PassengerInput is
answered 200 with that row's error (one bad row does not sink the batch) - the documented contract.

The spec is taken from the app in-process at collection time (schemathesis' lazy fixture loader
does not work with pytest 9); the requests go over HTTP to the live server.
"""

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from live_server import LiveServer
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection

from app.core.config import Settings
from app.main import create_app

MAX_EXAMPLES = 60  # per operation and mode: enough to find shape bugs, bounded to seconds
SPEC = create_app(Settings()).openapi()


def load_schema(mode: GenerationMode) -> Any:
    schema = schemathesis.openapi.from_dict(SPEC)
    schema.config.generation.update(modes=[mode], max_examples=MAX_EXAMPLES)
    return schema


positive = load_schema(GenerationMode.POSITIVE)
# health takes no input, so there is nothing to break: only predict and the Open Inference
# Protocol's infer (with and without a version) get negative cases.
negative = load_schema(GenerationMode.NEGATIVE).include(
    path_regex=r"^(/api/v1/predict|/v2/models/\{model_name\}(/versions/\{model_version\})?/infer)$"
)
bounded = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@positive.parametrize()
@bounded
def test_spec_conformant_requests_get_documented_answers(
    case: schemathesis.Case, live_server: LiveServer
) -> None:
    case.call_and_validate(base_url=live_server.base_url, timeout=30)


@negative.parametrize()
@bounded
def test_spec_breaking_requests_never_get_a_server_error(
    case: schemathesis.Case, live_server: LiveServer
) -> None:
    case.call_and_validate(
        base_url=live_server.base_url, timeout=30, excluded_checks=[negative_data_rejection]
    )

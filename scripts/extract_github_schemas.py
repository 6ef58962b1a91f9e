"""Extract the response schemas of the GitHub operations the sandbox serves.

Reads GitHub's OpenAPI description as published in the npm package `@octokit/openapi` and
writes `tests/sandbox/data/github-openapi-subset.json`: for each operation the sandbox
answers, its response schemas per status code and content type (response `$ref`s inlined),
plus every component schema those reference, so the file is a self-contained document whose
`#/components/schemas/...` references resolve within it. Schemas are copied as published
(OpenAPI 3.0: `nullable`), minus `description`, `example` and `examples`, which only document.

Regenerate with (from the repository root):

    npm pack @octokit/openapi@23.0.2 --pack-destination /tmp
    mkdir -p /tmp/openapi && tar xzf /tmp/octokit-openapi-23.0.2.tgz -C /tmp/openapi
    python scripts/extract_github_schemas.py /tmp/openapi/package

The argument is the unpacked package directory or one of its description files;
`generated/api.github.com.deref.json` (all references already inlined) works as well.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent.parent / "tests/sandbox/data/github-openapi-subset.json"
DESCRIPTION = "generated/api.github.com.json"

# (method, path) exactly as the OpenAPI description spells them
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("get", "/user"),
    ("get", "/users/{username}"),
    ("get", "/meta"),
    ("get", "/search/issues"),
    ("get", "/repos/{owner}/{repo}"),
    ("get", "/repos/{owner}/{repo}/assignees"),
    ("get", "/repos/{owner}/{repo}/assignees/{assignee}"),
    ("patch", "/repos/{owner}/{repo}"),
    ("get", "/repos/{owner}/{repo}/issues"),
    ("post", "/repos/{owner}/{repo}/issues"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("patch", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("put", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("delete", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("delete", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("get", "/repos/{owner}/{repo}/issues/comments"),
    ("get", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("get", "/repos/{owner}/{repo}/labels"),
    ("post", "/repos/{owner}/{repo}/labels"),
    ("delete", "/repos/{owner}/{repo}/labels/{name}"),
    ("get", "/repos/{owner}/{repo}/git/ref/{ref}"),
    ("post", "/repos/{owner}/{repo}/git/refs"),
    ("patch", "/repos/{owner}/{repo}/git/refs/{ref}"),
    ("delete", "/repos/{owner}/{repo}/git/refs/{ref}"),
    ("get", "/repos/{owner}/{repo}/compare/{basehead}"),
    ("get", "/repos/{owner}/{repo}/contents/{path}"),
    ("put", "/repos/{owner}/{repo}/contents/{path}"),
    ("get", "/repos/{owner}/{repo}/pulls"),
    ("post", "/repos/{owner}/{repo}/pulls"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("patch", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("put", "/repos/{owner}/{repo}/pulls/{pull_number}/merge"),
)

SCHEMA_PREFIX = "#/components/schemas/"
# keywords that only document a schema; dropped to keep the subset small
_DOC_KEYWORDS = frozenset({"description", "example", "examples", "externalDocs"})
# keywords whose value is a map of names to schemas, and those holding one or more schemas
_SCHEMA_MAPS = frozenset({"properties", "patternProperties"})
_SCHEMA_VALUES = frozenset(
    {"items", "additionalProperties", "not", "allOf", "anyOf", "oneOf", "prefixItems"}
)


def load_description(source: Path) -> dict[str, Any]:
    path = source / DESCRIPTION if source.is_dir() else source
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    return document


def package_version(source: Path, document: dict[str, Any]) -> str:
    manifest = (source if source.is_dir() else source.parent.parent) / "package.json"
    if manifest.is_file():
        version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
        if isinstance(version, str):
            return version
    # the generated descriptions carry the package version as their info.version
    return str(document["info"]["version"])


def resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow a local `$ref` (responses, headers) until reaching the object itself."""
    while isinstance(node, dict) and "$ref" in node:
        node = pointer(document, node["$ref"])
    return node


def pointer(document: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported, not {ref!r}")
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def strip_docs(schema: Any) -> Any:
    """A copy of a schema without documentation keywords (property names are kept)."""
    if isinstance(schema, list):
        return [strip_docs(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DOC_KEYWORDS:
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            result[key] = {name: strip_docs(sub) for name, sub in value.items()}
        elif key in _SCHEMA_VALUES:
            result[key] = strip_docs(value)
        else:
            result[key] = value
    return result


def references(schema: Any) -> Iterator[str]:
    """Every `$ref` anywhere inside a schema."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in schema.values():
            yield from references(value)
        mapping = schema.get("discriminator", {}).get("mapping", {})
        if isinstance(mapping, dict):
            yield from (value for value in mapping.values() if isinstance(value, str))
    elif isinstance(schema, list):
        for item in schema:
            yield from references(item)


def extract(document: dict[str, Any], version: str) -> dict[str, Any]:
    operations: dict[str, Any] = {}
    pending: list[str] = []
    for method, path in OPERATIONS:
        operation = document["paths"][path][method]
        responses: dict[str, Any] = {}
        for status, response in operation["responses"].items():
            response = resolve(document, response)
            entry: dict[str, Any] = {}
            headers = {
                name: strip_docs(resolve(document, header).get("schema", {}))
                for name, header in response.get("headers", {}).items()
            }
            if headers:
                entry["headers"] = headers
            content = {
                media_type: strip_docs(body["schema"])
                for media_type, body in response.get("content", {}).items()
                if "schema" in body
            }
            if content:
                entry["content"] = content
            pending.extend(references(list(content.values())))
            responses[status] = entry
        operations[f"{method.upper()} {path}"] = {
            "operationId": operation["operationId"],
            "responses": responses,
        }

    schemas: dict[str, Any] = {}
    while pending:
        ref = pending.pop()
        if not ref.startswith(SCHEMA_PREFIX):
            raise ValueError(f"unexpected reference {ref!r}")
        name = ref.removeprefix(SCHEMA_PREFIX)
        if name in schemas:
            continue
        schemas[name] = strip_docs(pointer(document, ref))
        pending.extend(references(schemas[name]))

    return {
        "source": {
            "package": "@octokit/openapi",
            "version": version,
            "openapi": document["openapi"],
            "dialect": "OpenAPI 3.0 schema objects: `nullable: true` admits null",
        },
        "operations": operations,
        "components": {"schemas": dict(sorted(schemas.items()))},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", type=Path, help="unpacked @octokit/openapi package (or file)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    document = load_description(args.source)
    subset = extract(document, package_version(args.source, document))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(subset, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    count = len(subset["components"]["schemas"])
    print(f"{args.output}: {len(OPERATIONS)} operations, {count} component schemas")
    return 0


if __name__ == "__main__":
    sys.exit(main())

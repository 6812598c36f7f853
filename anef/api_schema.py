"""OpenAPI post-processing of the project (drf-spectacular POSTPROCESSING_HOOKS)."""

UNREADABLE_QUERY = (
    "The request could not be read: a query value holds a NUL character (anef/input_middleware.py)."
)


def document_unreadable_query(result, generator, request, public):
    """Every operation that reads query values may answer 400 `bad_request` when one holds a
    NUL character (refused for the whole API by anef/input_middleware.py, issue 15)."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            reads_query = any(
                parameter.get("in") == "query" for parameter in operation.get("parameters", [])
            )
            if reads_query and "400" not in operation["responses"]:
                operation["responses"]["400"] = {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                    "description": UNREADABLE_QUERY,
                }
    return result

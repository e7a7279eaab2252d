"""The HTTP API for the systems around a case (issue 23): /api/v1, OpenAPI 3.1, problem+json, bearer tokens."""

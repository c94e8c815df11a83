"""The cockpit's read-only REST API for other systems, under /api/v1 (docs/api.md): bearer
tokens with scopes and their own rate limit (`tokens`, `guard`), parameters and pages
(`params`), the reads (`queries`, `records`), the answers' models (`models`), the routes
(`views`, whose `bp` the cockpit registers) and the OpenAPI document built from them
(`openapi`). Errors are JSON (`errors`).

Nothing is imported here, so that the CLI's `api-token` reads `tokens` without loading Flask."""

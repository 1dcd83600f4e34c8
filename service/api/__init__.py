"""The HTTP API: routers and their request/response schemas (the app itself is ``service.server``)."""

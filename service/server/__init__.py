"""The app layer: one FastAPI app built from the sibling ``api`` and ``web`` routers, and what they
share — the dependencies they ask for, the middleware and error answers around them, the index
follower, and uvicorn's guarded protocol. ``api`` and ``web`` import from here, never from each other."""

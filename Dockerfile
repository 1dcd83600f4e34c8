# One Arshif node: the API, the search page and a local search index under /data.
# Not built on the development machine (it has no Docker engine); see docs/deployment.md.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1
RUN pip install --no-cache-dir uv==0.13.8 \
 && useradd --system --create-home --home-dir /home/arshif arshif \
 && mkdir /data && chown arshif /data

WORKDIR /app
# Dependencies first (cached while only the code changes), exactly as locked.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY alembic.ini ./
COPY migrations ./migrations
COPY service ./service
RUN uv sync --frozen --no-dev

USER arshif
ENV ARSHIF_DATA_DIR=/data PATH=/app/.venv/bin:$PATH
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)"
CMD ["arshif", "serve", "--host", "0.0.0.0", "--port", "8000"]

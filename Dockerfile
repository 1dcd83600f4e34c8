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
# The analyzer's compiled scan (service/analysis/_fast.c; without it the same terms come ~2x slower):
# gcc only for the build, removed in the same layer.
RUN uv sync --frozen --no-dev \
 && apt-get update -qq && apt-get install -y -qq --no-install-recommends gcc libc6-dev >/dev/null \
 && .venv/bin/python service/analysis/build_fast.py \
 && apt-get purge -y -qq gcc libc6-dev >/dev/null && apt-get autoremove -y -qq >/dev/null \
 && rm -rf /var/lib/apt/lists/*

USER arshif
ENV ARSHIF_DATA_DIR=/data PATH=/app/.venv/bin:$PATH
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)"
CMD ["arshif", "serve", "--host", "0.0.0.0", "--port", "8000"]

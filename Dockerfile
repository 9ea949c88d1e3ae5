# article-qa: one uvicorn process serving data/articles from an embedded SQLite store.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ARTICLE_QA_HOST=0.0.0.0 \
    ARTICLE_QA_PORT=8000 \
    ARTICLE_QA_DATA_DIR=/app/data \
    ARTICLE_QA_ALLOWED_HOSTS=*

WORKDIR /app

# Dependencies in their own layer: a code change does not reinstall them. A stub package lets
# pip resolve and install pyproject's dependencies before the code is copied.
COPY pyproject.toml README.md ./
RUN mkdir app \
    && touch app/__init__.py \
    && pip install --no-cache-dir . \
    && pip uninstall --yes article-qa \
    && rm -rf app build

COPY app ./app
COPY data/articles ./data/articles
RUN pip install --no-cache-dir --no-deps . \
    && rm -rf build \
    && useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin article-qa \
    && chown -R 10001:10001 /app/data

# Numeric, so the runtime can verify it is not root without reading /etc/passwd.
USER 10001

EXPOSE 8000

# slim has no curl: the standard library asks the liveness probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('ARTICLE_QA_PORT', '8000'), timeout=4)"]

# One process; scale with more containers (the store is read-mostly, WAL mode).
CMD ["article-qa", "serve"]

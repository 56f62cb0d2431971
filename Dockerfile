# Rayon: the web app built with Node in one stage, the Python service in another.
#   docker build -t rayon .
#   docker run -p 8000:8000 rayon                      (embedded SQLite+SpatiaLite, seeded on first start)
#   docker run -e RAYON_DATABASE_URL=postgresql+psycopg://... -p 8000:8000 rayon

FROM node:20-bookworm-slim AS webapp
WORKDIR /src/webapp
COPY webapp/package.json webapp/package-lock.json* ./
RUN if [ -f package.json ]; then npm ci --no-audit --no-fund; fi
COPY webapp/ ./
RUN if [ -f package.json ]; then npm run build; else mkdir -p dist; fi

FROM python:3.11-slim-bookworm AS python
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsqlite3-mod-spatialite curl \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 rayon
WORKDIR /app
COPY pyproject.toml README.md ./
COPY server/ server/
COPY seed_data/ seed_data/
RUN pip install --no-cache-dir .
COPY --from=webapp /src/webapp/dist/ webapp/dist/
RUN mkdir -p var && chown -R rayon:rayon /app
USER rayon
ENV HOST=0.0.0.0 PORT=8000 RAYON_WORKERS=2
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s CMD curl -fsS http://127.0.0.1:8000/api/v1/health || exit 1
CMD ["rayon", "serve"]

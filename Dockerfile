# Rayon: the web app built with Node in one stage, the Python service in another.
#   docker build -t rayon .
#   docker run -p 8000:8000 rayon                      (embedded SQLite+SpatiaLite, seeded on first start)
#   docker compose up                                  (PostgreSQL+PostGIS, Redis, an RQ worker: docker-compose.yml)
# Base images can be swapped (a local mirror): --build-arg NODE_IMAGE=... --build-arg PYTHON_IMAGE=...
ARG NODE_IMAGE=node:20-bookworm-slim
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${NODE_IMAGE} AS webapp
WORKDIR /src/webapp
COPY webapp/package.json webapp/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY webapp/ ./
RUN npm run build

FROM ${PYTHON_IMAGE} AS python
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsqlite3-mod-spatialite \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 rayon
WORKDIR /app
# Dependencies first (a layer that survives code changes), read from pyproject.toml.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt && rm /tmp/requirements.txt
COPY README.md ./
COPY server/ server/
COPY seed_data/ seed_data/
COPY surveys/ surveys/
# Editable: the code runs from /app, where it finds webapp/dist, surveys/ and var/.
RUN pip install --no-deps -e . && python -m compileall -q server seed_data
COPY --from=webapp /src/webapp/dist/ webapp/dist/
RUN mkdir -p var && chown rayon:rayon var
USER rayon
ENV HOST=0.0.0.0 PORT=8000 RAYON_WORKERS=2 RAYON_LOG_FORMAT=json
EXPOSE 8000
VOLUME ["/app/var"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
  CMD python -c "import os,urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/v1/ready' % os.environ.get('PORT','8000'), timeout=4)"
CMD ["rayon", "serve"]

# Uitkomst: one container, SQLite and the uploaded documents on the /data volume.
#
#   docker build -t uitkomst .
#   docker run -p 8000:8000 -v uitkomst-data:/data -e SECRET_KEY="$(openssl rand -hex 32)" uitkomst
#
# PostgreSQL instead of SQLite: -e DATABASE_URL=postgresql://user:password@host:5432/uitkomst
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Why an editable install in /app rather than `pip install .`: app/config.py sets
# ROOT = the directory above the app package, and the app reads ROOT/templates, ROOT/static,
# ROOT/migrations and ROOT/alembic.ini at runtime (and app/i18n/nl.po beside its module, which
# the wheel does not package: there is no package-data configuration). A regular install would
# put the package in site-packages, where ROOT is site-packages and none of those exist.
# Installed editable, the package is imported from /app/app, so ROOT is /app, which holds them.
WORKDIR /app

# The dependencies first, the locked runtime set with its hashes (`make lock` writes it; the
# versions are those `make test` tests), so code changes do not reinstall them.
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --require-hashes -r requirements/runtime.txt

COPY pyproject.toml README.md alembic.ini ./
COPY migrations ./migrations
COPY static ./static
COPY templates ./templates
COPY app ./app
# The check runs from / so that it finds the package the way `uitkomst` does, not via the cwd.
# --no-build-isolation: the build backend (setuptools) is the locked one installed above.
RUN pip install --no-deps --no-build-isolation -e . \
    && cd / && python -c "from app.config import ROOT; assert (ROOT / 'templates').is_dir() and (ROOT / 'migrations').is_dir() and (ROOT / 'alembic.ini').is_file(), ROOT"

# The code stays root-owned and read-only to the app; it writes only to /data.
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin uitkomst \
    && mkdir -p /data/documents \
    && chown -R uitkomst:uitkomst /data
VOLUME ["/data"]

# ENVIRONMENT=production refuses to start with the built-in development SECRET_KEY:
# pass SECRET_KEY (a long random value, the same on every start, or sessions and CSRF tokens
# stop being valid) with `docker run -e SECRET_KEY=...` or a secret; never bake it in here.
# Behind an HTTPS reverse proxy also set BASE_URL=https://your.host and
# FORWARDED_ALLOW_IPS=<the proxy's address> (uvicorn trusts X-Forwarded-* only from those).
# Cookies are Secure in production (SECURE_COOKIES=false only to try it over plain HTTP).
ENV ENVIRONMENT=production \
    DATABASE_URL=sqlite:////data/uitkomst.db \
    DOCUMENTS_DIR=/data/documents \
    HOST=0.0.0.0 \
    PORT=8000

USER uitkomst
EXPOSE 8000

# slim has no curl; python is there. /healthz answers without touching the database.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

# Migrations first (idempotent), then exec, so uvicorn is PID 1 and gets docker stop's SIGTERM.
# `uitkomst serve` reads HOST and PORT from the environment (app/config.py Settings).
CMD ["sh", "-c", "uitkomst migrate && exec uitkomst serve"]

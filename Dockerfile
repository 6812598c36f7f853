# One image for the three application processes of docker-compose.yml:
# web (gunicorn, the default command), worker (celery worker) and beat (celery beat).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=anef.settings \
    ANEF_VAR_DIR=/app/var \
    WEB_CONCURRENCY=2

# WeasyPrint (PDF attestations) needs Pango and HarfBuzz, plus at least one font;
# gettext provides msgfmt for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 anef \
    && useradd --system --uid 10001 --gid anef --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin anef

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. The lock pins every
# package with its hashes; --no-deps because the lock is already the complete closure.
COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes --no-deps -r requirements/base.txt

COPY . .

# Build-time only: a throwaway SECRET_KEY so that settings never writes one into the image.
# STATIC_MANIFEST=True selects WhiteNoise's compressed manifest storage (hashed file names).
RUN export SECRET_KEY=build-time-only-not-a-secret STATIC_MANIFEST=True \
    && python manage.py collectstatic --noinput \
    && if [ -n "$(find . -type d -name locale -not -path './staticfiles/*')" ]; then \
        python manage.py compilemessages; \
    fi \
    && mkdir -p "$ANEF_VAR_DIR" \
    && chown -R anef:anef "$ANEF_VAR_DIR"

USER anef

EXPOSE 8000

# Workers: WEB_CONCURRENCY (read by gunicorn); more options through GUNICORN_CMD_ARGS.
CMD ["gunicorn", "anef.wsgi:application", "--bind", "0.0.0.0:8000", "--threads", "4", \
     "--access-logfile", "-"]

#!/bin/sh
# One-shot (service `minio-init` of docker-compose.yml): create the private bucket that holds
# the applicants' documents. Idempotent: safe to run on every `docker compose up`.
set -eu

: "${MINIO_ROOT_USER:?}"
: "${MINIO_ROOT_PASSWORD:?}"
: "${BUCKET:?}"
ENDPOINT="${MINIO_ENDPOINT:-http://minio:9000}"

mc alias set anef "$ENDPOINT" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing "anef/$BUCKET"
# Identity documents are never public: the portal streams them through its own views.
mc anonymous set none "anef/$BUCKET"
echo "Bucket $BUCKET ready (private)."

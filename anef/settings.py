"""Settings for anef, configured from the environment only (12-factor).

Every variable has an embedded default so that `make run` works on a fresh machine with only
Python: SQLite and local files under `var/`, a Celery broker that needs no server (kombu's
filesystem transport), e-mails printed to the console. Production (docker-compose.yml) sets
DATABASE_URL, REDIS_URL, the S3 variables, EMAIL_URL, SECRET_KEY, DEBUG and ALLOWED_HOSTS.

`DJANGO_SETTINGS_MODULE=anef.settings` everywhere; the settings themselves live in
`anef/settings_parts/`, one module per responsibility, each reading the names it needs from the
parts before it:

- `base`: where files live, the secret key, apps, middleware, templates, the database, the
  cache, authentication, languages;
- `web`: static files and documents, e-mail, security, the REST API and its schema;
- `tasks`: Celery and beat's schedule;
- `policies`: retention, the outbox, attestations, the contact centre, substitution, the
  portal, logging.
"""

from anef.settings_parts.base import *  # noqa: F403
from anef.settings_parts.policies import *  # noqa: F403
from anef.settings_parts.tasks import *  # noqa: F403
from anef.settings_parts.web import *  # noqa: F403

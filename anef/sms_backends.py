"""A django-sms backend for an SMS provider reached over HTTP (issue 21), configured by
environment: SMS_HTTP_URL and SMS_HTTP_TOKEN (anef/settings.py). No provider is named: each
text is one JSON POST `{"to": "+33…", "from": "…", "text": "…"}` with `Authorization: Bearer
<token>`; any 2xx answer is a text accepted. Most providers take this shape or a thin adapter
of it.

A refusal or a timeout raises, and the outbox tries again later (anef/outbox.py). The error
says the HTTP status and the provider's address only: never the number nor the text, which
the outbox would otherwise keep in its `last_error` and its log lines.
"""

from typing import Any

import requests
from django.conf import settings
from sms.backends.base import BaseSmsBackend
from sms.message import Message


class SmsProviderError(RuntimeError):
    """The provider refused a text or did not answer (the outbox retries)."""


class HttpSmsBackend(BaseSmsBackend):
    def __init__(
        self,
        fail_silently: bool = False,
        *,
        url: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.url = url or settings.SMS_HTTP_URL
        self.token = token or settings.SMS_HTTP_TOKEN
        self.timeout = timeout or settings.SMS_HTTP_TIMEOUT
        self.session: requests.Session | None = None

    def open(self) -> bool:
        if self.session is not None:
            return False
        if not self.url:
            raise SmsProviderError("SMS_HTTP_URL is not set")
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {self.token}"})
        return True

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def send_messages(self, messages: list[Message]) -> int:
        opened = self.open()
        sent = 0
        try:
            for message in messages:
                for recipient in message.recipients:
                    self._post(
                        {"to": recipient, "from": message.originator or "", "text": message.body}
                    )
                    sent += 1
        except SmsProviderError:
            if not self.fail_silently:
                raise
        finally:
            if opened:
                self.close()
        return sent

    def _post(self, payload: dict[str, str]) -> None:
        try:
            response = self.session.post(self.url, json=payload, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SmsProviderError(
                f"no answer from the SMS provider: {type(exc).__name__}"
            ) from None
        if not 200 <= response.status_code < 300:
            raise SmsProviderError(f"the SMS provider answered HTTP {response.status_code}")

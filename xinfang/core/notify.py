"""Notifications to petitioners and staff: email through Django's mail backends, SMS through a
pluggable backend (settings.XINFANG_SMS_BACKEND). Call them from `transaction.on_commit` so that a
rolled-back change never sends a message.

`sms_send` and `email_send` only enqueue: the worker sends (tasks `notify_sms`, `notify_email`, retried 3 times
a minute apart when the gateway fails), so a slow or failing gateway never holds up the officer's request
(ADR 0015). The text waits in the queue (the SQLite file in the data folder, or Redis) until the worker takes
it — seconds — and is gone from there after; the backend itself keeps nothing."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from xinfang.core.tasks import task

log = logging.getLogger("xinfang.notify")
_QUERY_CODE = re.compile(r"查询码[:：]?\s*[0-9A-Z]{6,}")


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


def _masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "***"


class LoggingSmsBackend:
    """Writes the message to the log (with the phone masked) instead of sending it, and keeps nothing: a
    message may carry a 查询码, which must not sit in a long-lived process's memory."""

    def send(self, message: SmsMessage) -> None:
        # The text may carry a 查询码: the log keeps the message's shape, never the code itself.
        log.info("SMS to %s: %s", _masked(message.phone), _QUERY_CODE.sub("查询码***", message.text))


class LocmemSmsBackend(LoggingSmsBackend):
    """For tests (config/settings/test.py), like Django's locmem mail backend: logs as above and keeps each
    message in `LocmemSmsBackend.sent` for the test to read. Never a production backend."""

    sent: list[SmsMessage] = []

    def send(self, message: SmsMessage) -> None:
        super().send(message)
        LocmemSmsBackend.sent.append(message)


@task(retries=3, retry_delay=60)
def notify_sms(*, phone: str, text: str) -> None:
    """The worker's half of `sms_send`: hand the message to the configured backend."""
    backend = import_string(settings.XINFANG_SMS_BACKEND)()
    backend.send(SmsMessage(phone=phone, text=text))


@task(retries=3, retry_delay=60)
def notify_email(*, to: list[str], subject: str, text: str) -> None:
    """The worker's half of `email_send`."""
    send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, to)


# A message of a batch that failed is queued again on its own a minute later with the retries left to it, so it
# gets the 4 attempts `notify_sms` gives and the others are never sent twice.
BATCH_RETRY_DELAY = 60
BATCH_RETRIES_LEFT = 2


@task(retries=3, retry_delay=60)
def notify_sms_batch(*, messages: list[list[str]]) -> None:
    """The worker's half of `sms_send_many`: each [phone, text] handed to the backend on its own. The task is
    retried whole only when no message was handed over (the backend could not be made); once sending began, a
    message that fails is queued again alone (`notify_sms`), never the batch."""
    backend = import_string(settings.XINFANG_SMS_BACKEND)()
    for phone, text in messages:
        try:
            backend.send(SmsMessage(phone=phone, text=text))
        except Exception:
            log.warning("SMS to %s failed; queued again on its own", _masked(phone), exc_info=True)
            notify_sms.schedule(
                kwargs={"phone": phone, "text": text}, delay=BATCH_RETRY_DELAY, retries=BATCH_RETRIES_LEFT
            )


def sms_send(*, phone: str, text: str) -> None:
    """Queue one SMS (sent by the worker)."""
    if not phone:
        return
    notify_sms(phone=phone, text=text)


def sms_send_many(messages: Iterable[tuple[str, str]]) -> int:
    """Queue the SMS one action sends — (phone, text) pairs, one per petitioner — as ONE task (one write to the
    queue instead of one per message); each is still its own message to its own phone. Returns how many."""
    batch = [[phone, text] for phone, text in messages if phone]
    if len(batch) == 1:
        notify_sms(phone=batch[0][0], text=batch[0][1])
    elif batch:
        notify_sms_batch(messages=batch)
    return len(batch)


def email_send(*, to: list[str], subject: str, text: str) -> int:
    """Queue one e-mail to these addresses (sent by the worker); returns how many addresses."""
    to = [a for a in to if a]
    if not to:
        return 0
    notify_email(to=to, subject=subject, text=text)
    return len(to)

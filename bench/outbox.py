"""An email backend for the benchmarks: each message becomes a row of the table `bench_outbox`.

EMAIL_BACKEND=bench.outbox.EmailBackend. The row is inserted through Django's connection, in the caller's
transaction: the exactly-once pattern (portal.notifications, rehab.tasks.reminders) writes its claim row
(AlertEmail, ReminderSent) and sends the email in one transaction, so when that transaction rolls back — a worker
killed mid-task, an error after the send — the email is gone with the claim, as a real message would not have
been handed to the mail server. Counting rows then shows whether each due email went out exactly once
(bench/bench_scale.py). The table is created when missing (`create_table()`; the benchmark creates it up front).
"""

import os

from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

TABLE = "bench_outbox"
COLUMNS = "sent_at, pid, recipients, subject, body"

_CREATE = {
    "postgresql": f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        id bigserial PRIMARY KEY, sent_at timestamptz NOT NULL, pid integer NOT NULL,
        recipients text NOT NULL, subject text NOT NULL, body text NOT NULL)""",
    "sqlite": f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        id integer PRIMARY KEY AUTOINCREMENT, sent_at text NOT NULL, pid integer NOT NULL,
        recipients text NOT NULL, subject text NOT NULL, body text NOT NULL)""",
}


def create_table(using=None) -> None:
    """Create bench_outbox if it does not exist (PostgreSQL or SQLite)."""
    conn = using or connection
    if conn.vendor not in _CREATE:
        raise NotImplementedError(f"bench_outbox is written for PostgreSQL and SQLite, not {conn.vendor}")
    with conn.cursor() as cursor:
        cursor.execute(_CREATE[conn.vendor])


class EmailBackend(BaseEmailBackend):
    """Django's email backend interface; "sending" inserts one row per message and never fails on its own."""

    def send_messages(self, email_messages) -> int:
        messages = list(email_messages or [])
        if not messages:
            return 0
        # Every time, not once per process: a CREATE in a transaction that then rolled back left no table.
        create_table()
        now, pid = connection.ops.adapt_datetimefield_value(timezone.now()), os.getpid()
        rows = [
            (now, pid, ", ".join(message.recipients()), str(message.subject), str(message.body))
            for message in messages
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608 — constant names
                rows,
            )
        return len(rows)

"""django-auditlog 3.4 creates its own `auditlog_logentry` table even when AUDITLOG_LOGENTRY_MODEL swaps in
portal.AuditEntry (django-auditlog issue #804, fixed upstream in PR #805). The table stays empty, but its foreign
keys to django_content_type and portal_user stop PostgreSQL from truncating those tables (test database flushes
between transactional tests). Dropping it after auditlog's last migration removes the problem; nothing reads it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("auditlog", "0017_add_actor_email"),
        ("portal", "0007_auditentry"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS auditlog_logentry", reverse_sql=migrations.RunSQL.noop),
    ]

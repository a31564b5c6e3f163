"""On PostgreSQL the audit log refuses UPDATE and DELETE in the database itself, whoever the client is.

SQLite (the embedded default) has no such trigger; the model and its QuerySet refuse there.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION feedback_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'feedback_auditentry is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER feedback_auditentry_append_only
    BEFORE UPDATE OR DELETE ON feedback_auditentry
    FOR EACH ROW EXECUTE FUNCTION feedback_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS feedback_auditentry_append_only ON feedback_auditentry;
DROP FUNCTION IF EXISTS feedback_auditentry_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # the SQL holds a literal %

    return run


class Migration(migrations.Migration):
    dependencies = [("feedback", "0005_moderation")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]

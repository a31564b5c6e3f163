"""Database router for an optional read replica (``DATABASE_REPLICA_URL``, docs/performance.md)."""

from topics.replica import in_public_reads

REPLICA = "replica"


class ReplicaRouter:
    """Public read-only reads (``topics.replica.public_reads``) go to the replica; everything else to the primary.

    Writes, migrations and every read outside the mark stay on ``default``, so
    a participant always sees their own writes.
    """

    def db_for_read(self, model, **hints):
        return REPLICA if in_public_reads() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"

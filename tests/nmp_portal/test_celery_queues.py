"""Mail and heavy work go to queues of their own; a worker without -Q still serves every queue."""

import importlib

import pytest

from nmp_portal.celery import app


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("nmp_portal.tasks.deliver_mail", "mail"),
        ("nmp_portal.tasks.deliver_due_mail", "mail"),
        ("feedback.tasks.send_reply_mail", "mail"),
        ("feedback.tasks.send_due_reply_mails", "mail"),
        ("feedback.results.tasks.build_briefing_workbook", "heavy"),
        ("nmp_portal.tasks.cleanup_mail", "celery"),
    ],
)
def test_tasks_are_routed_to_their_queue(task, queue):
    importlib.import_module(task.rpartition(".")[0])
    assert task in app.tasks, task  # the route names a task that exists
    route = app.amqp.router.route({}, task)
    assert route["queue"].name == queue


def test_a_worker_without_queue_option_consumes_all_queues():
    assert set(app.amqp.queues) == {"celery", "mail", "heavy"}

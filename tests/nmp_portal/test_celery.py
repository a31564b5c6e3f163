"""Every background task is bounded in time, and a starting worker sweeps up what was left behind."""

from unittest import mock

import pytest

from nmp_portal.celery import app, load_before_fork, sweep_on_start

OUR_APPS = {"nmp_portal", "feedback", "participants", "topics", "invitations"}


def _our_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if name.split(".")[0] in OUR_APPS}


def test_every_task_has_a_soft_and_a_hard_time_limit():
    tasks = _our_tasks()
    assert "nmp_portal.tasks.deliver_mail" in tasks
    for name, task in tasks.items():
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft and hard and soft < hard, name


def test_a_starting_worker_queues_the_sweeps_that_exist():
    with mock.patch.object(app, "send_task") as send_task:
        sweep_on_start()
    names = [call.args[0] for call in send_task.call_args_list]
    assert names == [
        "nmp_portal.tasks.deliver_due_mail",
        "feedback.tasks.send_due_reply_mails",
        "invitations.tasks.pickup_queued_invitations",
    ]
    assert set(names) <= set(_our_tasks())


@pytest.mark.django_db
def test_the_worker_loads_templates_and_urls_before_forking_without_touching_the_database(django_assert_num_queries):
    # What the pool's processes inherit must not include a database connection.
    with django_assert_num_queries(0):
        load_before_fork()

"""Who may do what with votes, comments and reports (django-rules).

The topic's phase is checked separately (``feedback.services.ensure_open``):
these predicates say who, the phase says when.
"""

import rules

from participants.rules import can_contribute, is_moderator

# django-rules discovers only this module; the results package's permissions register with it.
from .results import rules as results_rules  # noqa: F401


@rules.predicate
def is_comment_author(user, comment):
    return bool(comment is not None and user and user.is_authenticated and comment.author_id == user.pk)


rules.add_perm("feedback.vote", can_contribute)
rules.add_perm("feedback.comment", can_contribute)
rules.add_perm("feedback.edit_own_comment", can_contribute & is_comment_author)
rules.add_perm("feedback.delete_own_comment", can_contribute & is_comment_author)
rules.add_perm("feedback.report_comment", can_contribute & ~is_comment_author)
rules.add_perm("feedback.hide_comment", is_moderator)
rules.add_perm("feedback.propose", can_contribute)

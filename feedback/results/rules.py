"""Who sees every result and the briefing (django-rules).

Registered with the rest of feedback's permissions (``feedback/rules.py`` imports this module).
"""

import rules

from participants.rules import is_moderator, is_organiser

# Moderators and organisers see every result at any time; everyone else follows the voting rule in
# ``feedback.results.selectors.results_visibility``.
sees_all_results = is_moderator | is_organiser

VIEW_BRIEFING = "feedback.view_briefing"
rules.add_perm(VIEW_BRIEFING, sees_all_results)

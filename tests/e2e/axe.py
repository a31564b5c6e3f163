"""Accessibility check with axe-core (bundled by axe-playwright-python)."""

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def assert_accessible(page):
    """Fail with a readable list when axe-core finds any violation (WCAG 2.x A/AA and best practices)."""
    results = _axe.run(page)
    violations = results.response["violations"]
    if violations:
        lines = [f"{page.url}: {len(violations)} axe-core violation(s)"]
        for violation in violations:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
        raise AssertionError("\n".join(lines))


SERIOUS = {"serious", "critical"}


def assert_no_serious_violations(page):
    """Fail on serious or critical axe-core violations; return the minor and moderate ones as readable lines.

    For the admin, whose markup is largely Django's own: what remains is listed in docs/accessibility.md.
    """
    violations = _axe.run(page).response["violations"]
    lines = []
    for violation in violations:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
    serious = [line for line, violation in zip(lines, violations, strict=True) if violation["impact"] in SERIOUS]
    if serious:
        raise AssertionError("\n".join([f"{page.url}: serious or critical axe-core violations", *serious]))
    return lines

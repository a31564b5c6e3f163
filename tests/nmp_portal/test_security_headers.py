"""Every response, the admin's included and in both languages, carries the same strict policy."""

import pytest

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def policy(response):
    """The header as {directive: sources}; django-csp does not keep the directives in a fixed order."""
    directives = [part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";")]
    return dict(directives)


PATHS = ["/", "/en/", "/admin/", "/admin/login/", "/en/admin/login/", "/account/login/", "/healthz", "/api/topics/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_every_response_sends_the_strict_content_security_policy(client, nmp_content, path):
    response = client.get(path)
    assert response.status_code in (200, 302)
    assert policy(response) == POLICY
    assert "Content-Security-Policy-Report-Only" not in response.headers


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/en/admin/login/"])
def test_every_response_denies_camera_microphone_and_location(client, nmp_content, path):
    response = client.get(path)
    assert sorted(response.headers["Permissions-Policy"].split(", ")) == [
        "camera=()",
        "geolocation=()",
        "microphone=()",
    ]


@pytest.mark.django_db
def test_a_missing_page_gets_the_policy_too(client, nmp_content):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert policy(response) == POLICY


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/en/admin/login/"])
def test_the_admin_login_has_no_inline_script_or_style(client, nmp_content, path):
    html = client.get(path, follow=True).content.decode()
    assert "<script>" not in html
    assert "style=" not in html

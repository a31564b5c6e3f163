import re
import pytest
from django.test import Client
from tests.factories import ParticipantFactory, UserFactory
from allauth.account.models import EmailAddress

def norm(r):
    b = r.content.decode()
    b = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', '', b)
    return r.status_code, r.get("Location"), b

@pytest.mark.django_db
def test_enum():
    ParticipantFactory(email="exists@example.org")
    for url, field, extra in [("/account/login/", "login", {"password": "fout-wachtwoord-123"}),
                              ("/account/password/reset/", "email", {}),
                              ("/account/login/code/", "email", {})]:
        a = norm(Client().post(url, {field: "exists@example.org", **extra}))
        b = norm(Client().post(url, {field: "nobody@example.org", **extra}))
        print(url, a[:2], b[:2], a[2] == b[2])
        if a[2] != b[2]:
            import difflib
            print("\n".join(list(difflib.unified_diff(a[2].splitlines(), b[2].splitlines(), lineterm=""))[:30]))
    # code confirm pages
    c1, c2 = Client(), Client()
    c1.post("/account/login/code/", {"email": "exists@example.org"}); c2.post("/account/login/code/", {"email": "nobody@example.org"})
    a = norm(c1.get("/account/login/code/confirm/")); b = norm(c2.get("/account/login/code/confirm/"))
    print("confirm", a[:2], b[:2], a[2] == b[2])
    a = norm(c1.post("/account/login/code/confirm/", {"code": "ABCDEF"})); b = norm(c2.post("/account/login/code/confirm/", {"code": "ABCDEF"}))
    print("confirm post", a[:2], b[:2], a[2] == b[2])
    if a[2] != b[2]:
        import difflib
        print("\n".join(list(difflib.unified_diff(a[2].splitlines(), b[2].splitlines(), lineterm=""))[:30]))

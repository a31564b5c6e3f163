import re
import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from tests.auth import staff_mfa_login
from tests.factories import ParticipantFactory, UserFactory, ModeratorFactory

def show(client, url, method="get", data=None, follow=False):
    r = getattr(client, method)(url, data or {}, follow=follow)
    body = r.content.decode(errors="replace")
    h1 = re.findall(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    lang = re.search(r'<html lang="(\w+)"', body)
    h1 = [re.sub(r'<[^>]+>|\s+', ' ', h).strip() for h in h1]
    print(f"{method.upper()} {url} -> {r.status_code} {r.get('Location','')} layout={'site-header' in body} lang={lang and lang.group(1)} h1={h1}")
    return r

@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_survey(client, prefix):
    p = prefix
    for u in ["/account/login/", "/account/signup/", "/account/password/reset/", "/account/password/reset/done/",
              "/account/login/code/", "/account/login/code/confirm/", "/account/confirm-email/", "/account/confirm-email/bad/",
              "/account/password/reset/key/1-bad/", "/account/password/reset/key/done/", "/account/inactive/",
              "/account/reauthenticate/", "/account/2fa/authenticate/", "/account/logout/"]:
        show(client, p + u)
    user = ParticipantFactory(email="a@example.org")
    unv = UserFactory(email="u@example.org")
    ea = EmailAddress.objects.create(user=unv, email="u@example.org", verified=False, primary=True)
    key = EmailConfirmationHMAC(ea).key
    show(client, p + f"/account/confirm-email/{key}/")
    uid = user_pk_to_url_str(user); tok = default_token_generator.make_token(user)
    show(client, p + f"/account/password/reset/key/{uid}-{tok}/")
    show(client, p + f"/account/password/reset/key/{uid}-set-password/")
    # nonexistent login/reset
    show(client, p + "/account/password/reset/", "post", {"email": "nobody@example.org"})
    show(client, p + "/account/login/code/", "post", {"email": "nobody@example.org"})
    show(client, p + "/account/login/", "post", {"login": "nobody@example.org", "password": "x"*12})
    show(client, p + "/account/login/", "post", {"login": "u@example.org", "password": "een-lang-wachtwoord-2026"})
    client.logout()
    client.force_login(user)
    for u in ["/account/email/", "/account/password/change/", "/account/password/set/", "/account/2fa/", "/account/2fa/totp/activate/",
              "/account/2fa/recovery-codes/", "/account/2fa/recovery-codes/generate/", "/account/2fa/totp/deactivate/",
              "/account/sessions/", "/account/reauthenticate/", "/account/2fa/reauthenticate/", "/account/logout/", "/profiel/", "/profiel/mijn-gegevens/", "/profiel/verwijderen/"]:
        show(client, p + u)

"""The participant's own pages: profile, "My data" (download) and deleting the account.

Logging in, signing up, passwords, e-mail and two-step verification are
allauth's views (urls under ``account/``).
"""

import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .exports import account_export
from .forms import AccountDeleteForm, ProfileForm
from .services import account_delete, profile_update


@never_cache
@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=user)
        if form.is_valid():
            try:
                changes = {name: form.cleaned_data[name] for name in form.Meta.fields if name in form.fields}
                profile_update(user=user, **changes)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                translation.activate(user.language)
                messages.success(request, _("Your profile has been saved."))
                return redirect(translate_url(reverse("participants:profile"), user.language))
        user.refresh_from_db()
    else:
        form = ProfileForm(instance=user)
    return render(request, "participants/profile.html", {"form": form, "public_name": user.public_name})


@never_cache
@login_required
def my_data(request):
    return render(request, "participants/my_data.html", {})


@never_cache
@login_required
@require_GET
def data_export(request):
    """Everything the portal holds about the participant, as a JSON download."""
    data = account_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = f"nmp-mijn-gegevens-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@reauthentication_required
def delete_account(request):
    """Delete the account after the password was asked again (allauth's re-authentication)."""
    if request.method == "POST":
        form = AccountDeleteForm(request.POST)
        if form.is_valid():
            account_delete(user=request.user, remove_contributions=form.remove_contributions)
            logout(request)
            messages.success(request, _("Your account has been deleted. Thank you for taking part."))
            return redirect("topics:home")
    else:
        form = AccountDeleteForm()
    return render(request, "participants/account_delete.html", {"form": form})

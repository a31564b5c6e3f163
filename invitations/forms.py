from django import forms
from django.utils.translation import gettext_lazy as _

from participants.sectors import Sector

from .models import Event


class AnswerForm(forms.Form):
    YES, NO = "yes", "no"

    attending = forms.ChoiceField(
        label=_("Will you come?"), choices=[(YES, _("Yes")), (NO, _("No"))], widget=forms.RadioSelect
    )
    needs = forms.CharField(
        label=_("Accessibility or dietary needs"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example a wheelchair-accessible seat, a hearing loop, or vegetarian food."),
    )


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_(
            "CSV or Excel (.xlsx), at most 5 MB and 10,000 rows. Columns: name,email,organisation,sector,note,language."
        ),
    )


class AddUsersForm(forms.Form):
    event = forms.ModelChoiceField(label=_("Event"), queryset=Event.objects.all())
    opted_in = forms.BooleanField(label=_("Only people who want mail about the meeting"), required=False, initial=True)
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=[("", _("All sectors")), *Sector.choices])
    organisation = forms.CharField(label=_("Organisation contains"), required=False, max_length=200)

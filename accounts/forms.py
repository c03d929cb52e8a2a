from django import forms

from .models import User, time_zone_choices, validate_time_zone
from .names import clean_display_name


class SignupExtraForm(forms.Form):
    """Fields allauth's sign-up form gains: the name others see and the time zone for meeting times."""

    display_name = forms.CharField(
        label="Your name",
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": "Ada Lovelace"}),
    )
    # Filled by static/js/timezone.js from the browser; a wrong or empty value falls back to UTC.
    time_zone = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-detect-time-zone": ""}))

    field_order = ["display_name", "email", "password1", "password2"]

    def clean_display_name(self):
        return clean_display_name(self.cleaned_data["display_name"])

    def clean_time_zone(self):
        value = self.cleaned_data.get("time_zone") or "UTC"
        try:
            validate_time_zone(value)
        except forms.ValidationError:
            return "UTC"
        return value

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.time_zone = self.cleaned_data["time_zone"]
        user.save(update_fields=["display_name", "time_zone"])


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label="Time zone", choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["display_name", "time_zone"]
        labels = {"display_name": "Display name"}

    def clean_display_name(self):
        if not self.cleaned_data["display_name"].strip():
            raise forms.ValidationError("Please enter the name other people should see.")
        return clean_display_name(self.cleaned_data["display_name"])

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Site-specific allauth behaviour: emails are stored lower-case so one address is one account."""

    def clean_email(self, email):
        return super().clean_email(email).lower()

import zoneinfo

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError("“%(value)s” is not a known time zone.", params={"value": value})


def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager):
    """Users log in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        """The operator's own account (createsuperuser): its address counts as confirmed, so the
        first login works before the site can send email."""
        from allauth.account.models import EmailAddress

        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        user = self._create_user(email, password, **extra_fields)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        "display name",
        max_length=80,
        blank=True,
        help_text="The name other people see in meetings.",
    )
    time_zone = models.CharField(
        "time zone",
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Meeting times are shown in this time zone.",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
        # Granted by staff (admin action or a group) when HOSTING_REQUIRES_PERMISSION is on.
        permissions = [("host_meetings", "Can host meetings")]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.public_name

    def get_short_name(self):
        return self.public_name

    @property
    def may_host(self):
        """Whether this person may schedule, start and host meetings (accounts.policy.may_host)."""
        from .policy import may_host

        return may_host(self)

    @property
    def public_name(self):
        """The name shown to others: the display name, or the email's local part."""
        return self.display_name or self.email.split("@", 1)[0]

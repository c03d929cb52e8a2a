"""Account changes that must reach live meeting sockets."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import channels
from .tickets import client_key_for_session_key


@receiver(user_logged_out)
def close_meeting_sockets_of_the_session(sender, request, user, **kwargs):
    """Logging out ends this browser's meetings too, not only its pages."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        group = channels.client_group(client_key_for_session_key(session_key))
        channels.broadcast(None, channels.SIGNED_OUT, groups=[group])


@receiver(post_save, sender=get_user_model())
def disconnect_deactivated_user(sender, instance, **kwargs):
    if not instance.is_active:
        group = channels.user_group(instance.pk)
        transaction.on_commit(lambda: channels.broadcast(None, channels.SIGNED_OUT, groups=[group]))

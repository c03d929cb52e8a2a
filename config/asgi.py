"""ASGI entry point: daphne serves HTTP and websockets from this one application."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models, so this comes first.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402

from meetings.routing import websocket_urlpatterns  # noqa: E402
from meetings.startup import sweep_when_serving  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Sessions but no eager AuthMiddleware: the consumer reads the user only for a socket that
        # has no join ticket, so a ticketed join saves a database round trip before it is admitted.
        "websocket": AllowedHostsOriginValidator(SessionMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# Rows a crashed server left "joined" are pruned even before anyone reconnects to this one.
sweep_when_serving()

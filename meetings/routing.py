"""Websocket routes; the signaling consumer is added here."""

websocket_urlpatterns = []

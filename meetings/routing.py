"""Websocket routes."""

from django.urls import path

from .consumers import MeetingConsumer

websocket_urlpatterns = [
    path("ws/meetings/<str:code>/", MeetingConsumer.as_asgi()),
]

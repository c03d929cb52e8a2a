from django.urls import path

from . import views

app_name = "operations"

# /healthz, /readyz and /metrics are answered by operations.middleware, ahead of the URL map.
urlpatterns = [
    path("operations/usage/", views.usage, name="usage"),
]

from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("metrics", views.metrics, name="metrics"),
    path("operations/usage/", views.usage, name="usage"),
]

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from meetings import views as meeting_views

# The admin login goes through allauth's, so its rate limits (and MFA) guard /admin/ too.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("operations.urls")),
    path("", meeting_views.home, name="home"),
    path("", include("meetings.urls")),
]

from django.conf import settings


def site(request):
    """The site's name, for titles and the navigation bar."""
    return {"SITE_NAME": settings.SITE_NAME}

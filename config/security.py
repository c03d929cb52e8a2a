"""Security headers for every response: what the browser may load, run, frame and use."""

# The site loads nothing from elsewhere and runs no inline script: 'self' is the whole list.
# img-src allows data: for the two-factor QR code allauth draws; media comes from getUserMedia and
# peer connections, which CSP does not govern.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Camera, microphone and screen capture for this origin only; nothing else a page could ask for.
PERMISSIONS_POLICY = ", ".join(
    [
        "camera=(self)",
        "microphone=(self)",
        "display-capture=(self)",
        "fullscreen=(self)",
        "autoplay=(self)",
        "geolocation=()",
        "payment=()",
        "usb=()",
        "serial=()",
        "midi=()",
    ]
)


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy (Django sets Referrer-Policy itself)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        connect = f"connect-src 'self' {self._websocket_origin(request)}"
        # "Sign in with ..." posts to us and is redirected to the provider: browsers hold that
        # redirect to form-action too, so the providers' origins are listed (OIDC_PROVIDERS).
        form_action = " ".join(["form-action 'self'", *settings.SIGN_IN_PROVIDER_ORIGINS])
        policy = CONTENT_SECURITY_POLICY.replace("connect-src 'self'", connect)
        response.headers.setdefault(
            "Content-Security-Policy", policy.replace("form-action 'self'", form_action)
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

    @staticmethod
    def _websocket_origin(request):
        """The page's own host over ws(s): older browsers do not count it as 'self'."""
        scheme = "wss" if request.is_secure() else "ws"
        return f"{scheme}://{request.get_host()}"

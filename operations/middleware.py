from .views import healthz, metrics, readyz

ENDPOINTS = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics}


class OperatorEndpointsMiddleware:
    """Answers /healthz, /readyz and /metrics before anything else runs.

    Load balancers, systemd and Prometheus reach daphne directly over plain HTTP, often with an
    address for a Host header: ahead of SecurityMiddleware and the host check, they are neither
    redirected to HTTPS nor refused. /metrics guards itself (METRICS_TOKEN, METRICS_ALLOWED_IPS).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        endpoint = ENDPOINTS.get(request.path_info)
        if endpoint is not None and request.method in ("GET", "HEAD"):
            return endpoint(request)
        return self.get_response(request)

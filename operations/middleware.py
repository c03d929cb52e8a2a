from .views import healthz, readyz

PROBES = {"/healthz": healthz, "/readyz": readyz}


class ProbeMiddleware:
    """Answers /healthz and /readyz before anything else runs.

    Load balancers and systemd probe over plain HTTP, often with an address for a Host header: ahead
    of SecurityMiddleware and the host check, a probe is neither redirected to HTTPS nor refused.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)

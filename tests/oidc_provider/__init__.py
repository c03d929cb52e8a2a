"""A real OpenID Connect provider for the sign-in tests: a second, tiny Django site running
django-oauth-toolkit in OIDC mode, started by the tests on a free loopback port (server.py)."""

import pytest

from tests.servers import TurnServer


@pytest.fixture(scope="package")
def coturn(tmp_path_factory):
    """One real coturn for the package, on a free loopback port, with the tests' own secret."""
    server = TurnServer(tmp_path_factory.mktemp("coturn"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def turn_settings(settings, coturn):
    """The site configured for that coturn, as an operator would."""
    settings.TURN_URLS = [coturn.url, coturn.tcp_url]
    settings.TURN_SECRET = coturn.secret
    settings.TURN_TTL = 600
    settings.ICE_SERVERS = []
    return settings

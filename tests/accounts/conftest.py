import re

import pytest
from django.core import mail


@pytest.fixture
def link_in_last_mail():
    """The first link in the newest email whose path starts with `path_prefix`."""

    def find(path_prefix):
        assert mail.outbox, "no email was sent"
        links = re.findall(r"https?://testserver(/\S+)", mail.outbox[-1].body)
        matching = [link for link in links if link.startswith(path_prefix)]
        assert matching, f"no link under {path_prefix} in: {mail.outbox[-1].body}"
        return matching[0]

    return find

"""Meeting IDs: random ones easy to read aloud, custom ones the host chooses."""

import re
import secrets

from django.core.exceptions import ValidationError

# Consonants only, without look-alikes (no l, no vowels so no i/o/0/1 confusion and no words).
RANDOM_ALPHABET = "bcdfghjkmnpqrstvwxz"
RANDOM_GROUPS = (3, 4, 3)  # kdq-rmtw-vbx: 19**10 ≈ 6e12 possibilities
CUSTOM_CODE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,30}[a-z0-9])$")
RESERVED_CODES = {"new", "join", "admin", "static", "api", "ws", "accounts", "meetings", "m"}


def random_meeting_code():
    return "-".join("".join(secrets.choice(RANDOM_ALPHABET) for _ in range(size)) for size in RANDOM_GROUPS)


def normalize_meeting_code(value):
    """IDs are case-insensitive: stored and looked up in lower case, without surrounding spaces."""
    return (value or "").strip().lower()


def code_from_user_input(value):
    """Accept an ID or a pasted join link such as https://host/m/kdq-rmtw-vbx/?pwd=..."""
    value = normalize_meeting_code(value)
    match = re.search(r"/m/([a-z0-9-]+)", value)
    return match.group(1) if match else value


def validate_custom_code(value):
    if not CUSTOM_CODE_RE.fullmatch(value) or "--" in value:
        raise ValidationError(
            "A meeting ID has 3 to 32 characters: lower-case letters, digits and single hyphens, "
            "starting and ending with a letter or digit."
        )
    if value in RESERVED_CODES:
        raise ValidationError("“%(value)s” is reserved; please choose another ID.", params={"value": value})

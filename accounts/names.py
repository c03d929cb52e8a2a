"""Display names: what a person types, made safe to show others."""

import unicodedata

from django.core.exceptions import ValidationError

MAX_NAME_LENGTH = 80


def clean_display_name(value):
    """Collapse white space and drop invisible characters: controls, and format characters such as
    bidi overrides (U+202E) and zero-width joiners, which let a name pose as another or hide text."""
    text = " ".join(unicodedata.normalize("NFC", value or "").split())  # tabs and newlines: spaces
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))
    text = " ".join(text.split())
    if not text:
        raise ValidationError("Please enter a name that others can read.")
    if len(text) > MAX_NAME_LENGTH:
        raise ValidationError(f"A name may have at most {MAX_NAME_LENGTH} characters.")
    return text

"""How an email address and a mobile number must look, wherever they come from (the records
system's API, or a person adding a trusted helper), and what day it is in the UK."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import StringConstraints

UK = ZoneInfo("Europe/London")
EMAIL_PATTERN = r"[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f.]+(\.[^@\s\x00-\x1f\x7f-\x9f.]+)+"
# Records systems often send "" for "none": accepted and stored as none.
OptionalEmail = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=f"^({EMAIL_PATTERN})?$")
]
OptionalMobile = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=32, pattern=r"^(\+?[0-9][0-9 ]{6,30})?$")
]


def uk_today() -> dt.date:
    return dt.datetime.now(UK).date()

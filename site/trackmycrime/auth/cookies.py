"""Cookie names: `__Host-` prefixed when served over HTTPS, plain on a local demo."""


def cookie_name(base: str, secure: bool) -> str:
    return f"__Host-tmc_{base}" if secure else f"tmc_{base}"

"""Why a whole report is refused (nothing of it is stored); each names the problem.

`HeaderError` (lines.py) covers a missing required column and an empty body.
"""

from reconciliation.reports.lines import HeaderError


class ReportRefused(ValueError):
    """Base of the refusals other than a bad header; `code` is the API's error code."""

    code = "report_refused"
    status = 400


class ReportTooLarge(ReportRefused):
    code = "report_too_large"
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"the report is larger than the {limit} bytes allowed")


class UnknownProvider(ReportRefused):
    code = "unknown_provider"

    def __init__(self, provider: str, known: list[str]) -> None:
        super().__init__(f"no report format for provider {provider!r}; known: {', '.join(known)}")


def refusal_code(error: ValueError) -> tuple[int, str]:
    """The HTTP status and error code of a refusal."""
    if isinstance(error, ReportRefused):
        return error.status, error.code
    if isinstance(error, HeaderError):
        return 400, "invalid_report_header"
    return 400, "invalid_report"

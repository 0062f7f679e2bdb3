"""The HTML report: gallery, property table, comparison and claims in one offline page."""

from .contract import ReportDataError, check_claims, check_comparison
from .page import render_report

__all__ = ["ReportDataError", "check_claims", "check_comparison", "render_report"]

"""Evidence reports: self-contained HTML pages and the same content as JSON.

>>> from orbwatch.report import write_report
>>> write_report("report", events, findings, store=store)   # -> report/index.html

* :mod:`~orbwatch.report.model`: what a report says, as data (``report.json``);
* :mod:`~orbwatch.report.figures`: range, element-history, Gabbard and timeline
  figures as PNG data URIs;
* :mod:`~orbwatch.report.layout`: the page shell and HTML building blocks;
* :mod:`~orbwatch.report.pages`: finding sections, event, state and event-list pages;
* :mod:`~orbwatch.report.html`: :func:`write_report` and the index page.
"""

from orbwatch.report.figures import Figure, figure_for, timeline_figure
from orbwatch.report.html import FIGURE_POLICIES, write_report
from orbwatch.report.model import REPORT_SCHEMA, ReportModel, build_model

__all__ = ["write_report", "build_model", "ReportModel", "REPORT_SCHEMA", "Figure",
           "figure_for", "timeline_figure", "FIGURE_POLICIES"]

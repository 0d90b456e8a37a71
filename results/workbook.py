"""``results.xlsx``: the run in one Excel file a planner can pass on (sheets summary, requirements, plan, communities).

Written with openpyxl; the same run gives the same bytes (fixed timestamps inside the
file), so a re-run that changed nothing changes no output.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from results.i18n import tr
from scenarios.files import atomic_write_bytes

SHEETS = ("summary", "requirements", "plan", "communities")
_FIXED = dt.datetime(2000, 1, 1)


def summary_rows(summary: dict[str, Any], start_year: int) -> list[tuple[str, Any]]:
    """summary.json's headline values as (name, value) rows; years by calendar year."""
    rows: list[tuple[str, Any]] = []
    for key in ("status", "mode", "total_cost", "budget_total", "gap", "attainment"):
        if summary.get(key) is not None:
            rows.append((key, summary[key]))
    for key in ("cost_by_year", "simulated_cost_by_year"):
        for t, v in enumerate(summary.get(key) or [], start=1):
            rows.append((f"{key} {start_year + t - 1}", v))
    meanings = summary.get("cost_lines", {})
    for key in ("cost_by_line", "simulated_cost_by_line"):
        for line, v in (summary.get(key) or {}).items():
            rows.append((f"{key} {line}" + (f" ({meanings[line]})" if line in meanings else ""), v))
    for payer, v in (summary.get("cost_by_source") or {}).items():
        rows.append((f"cost_by_source {payer}", v))
    for i, text in enumerate(summary.get("cost_differences") or [], start=1):
        rows.append((f"cost difference {i}", text))
    return rows


def _sheet(wb: Workbook, name: str, table: pd.DataFrame) -> None:
    ws = wb.create_sheet(name)
    ws.append([str(c) for c in table.columns])
    for row in table.itertuples(index=False):
        ws.append(
            [None if (isinstance(v, float) and pd.isna(v)) else (v.item() if hasattr(v, "item") else v) for v in row]
        )
    ws.freeze_panes = "A2"
    for i, column in enumerate(table.columns, start=1):
        width = max([len(str(column)), *(len(str(v)) for v in table[column].head(200))], default=8)
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)


def write_workbook(
    path: Path,
    summary: dict[str, Any] | None,
    plan: pd.DataFrame | None,
    communities: pd.DataFrame | None,
    start_year: int,
) -> Path:
    """Write the four sheets (an empty sheet, headed, where the run has no such table)."""
    wb = Workbook()
    assert wb.active is not None  # a new workbook has its first sheet
    wb.remove(wb.active)
    summary = summary or {}
    _sheet(wb, "summary", pd.DataFrame(summary_rows(summary, start_year), columns=["item", "value"]))
    requirements = pd.DataFrame(summary.get("requirements", []))
    if not requirements.empty:
        requirements.insert(3, "calendar_year", requirements["year"] + start_year - 1)
        for c in requirements.columns:
            if requirements[c].map(lambda v: isinstance(v, (list, dict))).any():
                requirements[c] = requirements[c].map(lambda v: str(v) if isinstance(v, (list, dict)) else v)
    _sheet(wb, "requirements", requirements)
    _sheet(wb, "plan", plan if plan is not None else pd.DataFrame())
    _sheet(wb, "communities", communities if communities is not None else pd.DataFrame())
    wb.properties.created = wb.properties.modified = _FIXED
    wb.properties.creator = "commplan"
    wb.properties.title = tr("Results")
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(path, _fixed_dates(buf.getvalue()))
    return path


def _fixed_dates(data: bytes) -> bytes:
    """The same workbook with every member dated 1980-01-01: same run, same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", data)
            dst.writestr(fixed, data)
    return out.getvalue()

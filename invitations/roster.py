"""Reading a roster file (CSV or XLSX) into rows the import service can check.

Parsing uses django-import-export's formats (tablib underneath). Everything a
file can do wrong at the level of the whole file is refused here with one
message an organiser can act on; problems of single rows are reported by
``invitations.services.roster_preview`` with their line number.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
COLUMNS = ["name", "email", "organisation", "sector", "note", "language"]
REQUIRED_COLUMNS = ["name", "email"]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class RosterRow:
    line: int
    data: dict
    neutralised: list[str] = field(default_factory=list)


def neutralise(value: str) -> tuple[str, bool]:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (also behind leading spaces)."""
    if value and value.lstrip().startswith(FORMULA_PREFIXES):
        return "'" + value, True
    return value, False


def _decode(content: bytes) -> str:
    # Dutch Excel saves CSV as Windows-1252; other tools write UTF-8, with or without BOM.
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file's encoding is not recognised. Save it as CSV UTF-8 or as an Excel workbook (.xlsx).")
        ) from None
    return text


def roster_read(*, filename: str, content: bytes) -> list[RosterRow]:
    """The rows of a roster file, with their line numbers in the file (the header is line 1).

    Refuses, with a message: files other than .csv or .xlsx, empty files,
    files over 5 MB or 10,000 rows, unknown encodings, a missing name or
    email column. Text that a spreadsheet would run as a formula is
    neutralised (a leading apostrophe) and reported per row.
    """
    name = (filename or "").lower()
    if len(content) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 5 MB. Split it into smaller files."))
    if not content.strip():
        raise ValidationError(_("The file is empty."))
    if name.endswith(".xlsx"):
        if not content.startswith(XLSX_MAGIC):
            raise ValidationError(_("This file is not an Excel workbook (.xlsx). Save it again as .xlsx or CSV."))
        try:
            dataset = XLSX().create_dataset(content)
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds of errors for broken files
            raise ValidationError(_("This Excel file cannot be read. Save it again as .xlsx or CSV.")) from None
    elif name.endswith(".csv"):
        if content.startswith(XLSX_MAGIC) or b"\x00" in content[:4096]:
            raise ValidationError(_("This file is not a CSV file. Save it as CSV UTF-8 or as .xlsx."))
        text = _decode(content)
        try:
            dataset = CSV().create_dataset(text)
        except Exception:  # noqa: BLE001 - the csv module's errors for ragged rows
            raise ValidationError(
                _("This CSV file cannot be read. Check that every row has the same columns.")
            ) from None
    else:
        raise ValidationError(_("Upload a CSV file (.csv) or an Excel workbook (.xlsx)."))

    headers = [str(h or "").strip().lower().lstrip("\ufeff") for h in (dataset.headers or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in headers]
    if missing:
        raise ValidationError(
            _("The first row must name the columns: %(columns)s. Missing: %(missing)s.")
            % {"columns": ",".join(COLUMNS), "missing": ", ".join(missing)}
        )
    if dataset.height > MAX_ROWS:
        raise ValidationError(_("The file has more than 10,000 rows. Split it into smaller files."))

    rows = []
    for index, values in enumerate(dataset, start=2):
        record = dict(zip(headers, values, strict=False))
        if all(value in (None, "") for value in record.values()):
            continue
        data, neutralised = {}, []
        for column in COLUMNS:
            value = record.get(column)
            value = "" if value is None else str(value).strip()
            if column in ("name", "organisation", "note"):
                value, changed = neutralise(value)
                if changed:
                    neutralised.append(column)
            data[column] = value
        rows.append(RosterRow(line=index, data=data, neutralised=neutralised))
    if not rows:
        raise ValidationError(_("The file has no rows below the column names."))
    return rows

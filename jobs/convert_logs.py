"""athena-logs Glue job: converts one partition's raw AWS log objects into Snappy Parquet.

The Glue engine (shared/engines/glue/) writes a manifest naming exactly the objects of one
partition and starts this script with:

    --manifest s3://…/manifest.json   the objects, the partition and the source definition
    --source NAME                     one of the six sources (must agree with the manifest)
    --staging-data s3://…/            fresh prefix: this run's Parquet files (the catalog LOCATION)
    --staging-rejects s3://…/         fresh prefix: rejected lines as JSON lines
    --counts-output s3://…/counts.json  the figures the engine reads back and reconciles

The source definition is the one exported from the TypeScript modules (`npm run
export:sources`, jobs/sources.json); the manifest carries the slice for its source, so the
deployed script never lags behind the engine that starts it.

Parsing is pure Python (standard library only) and follows the embedded DuckDB engine's rules
line for line: the same regular expressions, `-` and empty values as NULL, integers only as
`[+-]?[0-9]+`, the same timestamp forms, the same reject reasons. jobs/test_convert_logs.py
checks it against the DuckDB engine's results on every shared fixture. The Spark part
(`main`) is kept thin: it cannot run outside Glue.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import json
import math
import re
import sys
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Optional

UTC = dt.timezone.utc
GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
MANIFEST_VERSION = 1
NEWLINE = b"\n"
CARRIAGE_RETURN = b"\r"


class ConversionError(Exception):
    """A raw object the job cannot convert at all: the job run fails, naming the object."""


class FormatError(ConversionError):
    """The raw data contradicts the source definition (e.g. an unknown flow-log header field)."""


class UnreadableObjectError(ConversionError):
    """A raw object that cannot be read (corrupt gzip)."""


# ---------------------------------------------------------------------------------------------
# Typed conversion: what DuckDB's TRY_CAST accepts for the values logs hold.
# ---------------------------------------------------------------------------------------------

INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
INTEGER_BITS = {"int": 32, "bigint": 64}
FLOAT32_MAX = 3.4028234663852886e38


def to_integer(text: str, bits: int) -> Optional[int]:
    """An integer written as one (`12.5`, `1e3` or ` 12` are not), within the type's range."""
    if not INTEGER_TEXT.fullmatch(text):
        return None
    digits = text.lstrip("+-").lstrip("0")
    # Python refuses int() of very long digit strings; anything past 20 digits is out of range.
    if len(digits) > 20:
        return None
    value = int(text)
    limit = 1 << (bits - 1)
    return value if -limit <= value < limit else None


def to_double(text: str) -> Optional[float]:
    """DuckDB's DOUBLE cast: decimal or exponent notation, inf/nan, surrounding spaces, `1_000`."""
    # Python's float() also reads non-ASCII digits (e.g. Arabic-Indic): DuckDB does not.
    if not text.isascii():
        return None
    try:
        return float(text)
    except ValueError:
        return None


def to_float(text: str) -> Optional[float]:
    value = to_double(text)
    if value is None or math.isinf(value) or math.isnan(value) or abs(value) <= FLOAT32_MAX:
        return value
    return math.copysign(math.inf, value)


BOOLEAN_WORDS = {"true": True, "t": True, "1": True, "yes": True, "y": True}
BOOLEAN_WORDS.update({"false": False, "f": False, "0": False, "no": False, "n": False})


def to_boolean(text: str) -> Optional[bool]:
    return BOOLEAN_WORDS.get(text.lower())


DATE_TEXT = re.compile(r"\s*([0-9]{1,4})([-/])([0-9]{1,2})\2([0-9]{1,2})\s*")


def to_date(text: str) -> Optional[dt.date]:
    """`YYYY-MM-DD` (or `/`), one- or two-digit month and day, a real calendar day."""
    match = DATE_TEXT.fullmatch(text)
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(3)), int(match.group(4)))
    except ValueError:
        return None


OFFSET = r"(Z|UTC|[+-][0-9]{2}(?::?[0-9]{2})?)"
TIME_TEXT = re.compile(
    r"\s*([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2})(?:\.([0-9]*))?)?\s*" + OFFSET + r"?\s*"
)
# An offset follows the seconds directly (`Z`, `+01`, `+0100`, `+01:00`), or ` UTC` after a space.
ISO_TIMESTAMP_TEXT = re.compile(
    r"\s*([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:[T ]([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2})(?:\.([0-9]*))?(Z|[+-][0-9]{2}(?::?[0-9]{2})?| UTC)?)?)?\s*"
)
CLF_TIMESTAMP_TEXT = re.compile(
    r"\s*([0-9]{1,2})/([A-Za-z]{3})/([0-9]{1,4}):([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})"
    r"\s+([+-])([0-9]{2}):?([0-9]{2})\s*"
)
MONTHS = {name: number for number, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
)}


def _microseconds(fraction: Optional[str]) -> int:
    # DuckDB keeps microseconds and drops further digits (it does not round).
    return int(((fraction or "") + "000000")[:6])


def _time_of_day(hour: int, minute: int, second: int, micros: int) -> Optional[dt.timedelta]:
    """A time of day; 24:00:00 is the end of the day (DuckDB reads it so); no leap seconds."""
    if hour == 24 and minute == 0 and second == 0 and micros == 0:
        return dt.timedelta(days=1)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return dt.timedelta(hours=hour, minutes=minute, seconds=second, microseconds=micros)


def _offset(text: Optional[str]) -> dt.timedelta:
    if text is None or text in ("Z", "UTC"):
        return dt.timedelta(0)
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
    return sign * dt.timedelta(minutes=minutes)


def to_time(text: str) -> Optional[dt.timedelta]:
    """`HH:MM[:SS[.ffffff]]` as a time of day (an offset after it is ignored, as DuckDB does)."""
    match = TIME_TEXT.fullmatch(text)
    if not match:
        return None
    hour, minute, second, fraction, _ = match.groups()
    return _time_of_day(int(hour), int(minute), int(second or 0), _microseconds(fraction))


def to_iso_timestamp(text: str) -> Optional[dt.datetime]:
    """ISO 8601 (`2018-07-02T22:23:00.186641Z`, offsets, no time part) as a naive UTC datetime."""
    match = ISO_TIMESTAMP_TEXT.fullmatch(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        date = dt.datetime(int(year), int(month), int(day))
    except ValueError:
        return None
    time = _time_of_day(int(hour or 0), int(minute or 0), int(second or 0), _microseconds(fraction))
    if time is None:
        return None
    try:
        return date + time - _offset(offset.strip() if offset else None)
    except OverflowError:
        return None


def to_clf_timestamp(text: str) -> Optional[dt.datetime]:
    """`06/Feb/2019:00:00:38 +0000` (strptime `%d/%b/%Y:%H:%M:%S %z`) as a naive UTC datetime."""
    match = CLF_TIMESTAMP_TEXT.fullmatch(text)
    if not match:
        return None
    day, month_name, year, hour, minute, second, sign, offset_hours, offset_minutes = match.groups()
    month = MONTHS.get(month_name.lower())
    if month is None or int(hour) > 23 or int(minute) > 59 or int(second) > 59:
        return None
    try:
        local = dt.datetime(int(year), month, int(day), int(hour), int(minute), int(second))
        offset = dt.timedelta(hours=int(offset_hours), minutes=int(offset_minutes))
        return local - offset if sign == "+" else local + offset
    except (ValueError, OverflowError):
        return None


SCALAR_CONVERSIONS: dict[str, Callable[[str], Any]] = {
    "int": lambda text: to_integer(text, 32),
    "bigint": lambda text: to_integer(text, 64),
    "double": to_double,
    "float": to_float,
    "boolean": to_boolean,
    "date": to_date,
    "timestamp": to_iso_timestamp,
}


def convert_scalar(text: Optional[str], type_name: str) -> Any:
    """The typed value of a text, or None when it is absent or does not convert."""
    if text is None or type_name == "string":
        return text
    return SCALAR_CONVERSIONS[type_name](text)


# ---------------------------------------------------------------------------------------------
# JSON values as the embedded engine sees them: JavaScript's JSON.stringify writes each record
# on one line, then DuckDB's json_extract_string (yyjson) reads values back from it.
# ---------------------------------------------------------------------------------------------

ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")
SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
ESCAPED = re.compile(r'["\\\x00-\x1f]')


def json_string_text(text: str, js: bool = False) -> str:
    """
    A JSON string: raw UTF-8, control characters escaped as \\u00xx (JavaScript) or \\u00XX
    (yyjson, which rewrites what DuckDB extracts).
    """
    form = "\\u%04x" if js else "\\u%04X"

    def escape(match: re.Match[str]) -> str:
        return SHORT_ESCAPES.get(match.group(0)) or form % ord(match.group(0))

    return '"' + ESCAPED.sub(escape, text) + '"'


def js_number_text(value: float | int, js: bool = False) -> str:
    """A JSON number as JavaScript writes it (a double); yyjson drops the `+` of exponents."""
    if isinstance(value, int) and abs(value) <= 2**53:
        return str(value)
    number = float(value)
    if math.isinf(number) or math.isnan(number):
        return "null"
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    mantissa, _, exponent = repr(abs(number)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    # The decimal point's place for 0.<digits>: shift by the exponent and the leading zeros.
    point = len(whole) + int(exponent or 0) - (len(whole + fraction) - len((whole + fraction).lstrip("0")))
    digits = digits.rstrip("0") or "0"
    count = len(digits)
    if count <= point <= 21:
        return sign + digits + "0" * (point - count)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * (-point) + digits
    power = point - 1
    tail = "." + digits[1:] if count > 1 else ""
    return sign + digits[0] + tail + "e" + ("-" if power < 0 else "+" if js else "") + str(abs(power))


def _js_key_order(keys: Iterable[str]) -> list[str]:
    # JavaScript objects list integer-like keys first, in numeric order, then the rest in order.
    keys = list(keys)
    indexes = sorted((key for key in keys if ARRAY_INDEX.fullmatch(key) and int(key) < 2**32 - 1), key=int)
    index_set = set(indexes)
    return indexes + [key for key in keys if key not in index_set]


def json_text(value: Any, js: bool = False) -> str:
    """
    Compact JSON text of a parsed value: as JavaScript's JSON.stringify writes a record (`js`),
    or as DuckDB returns a JSON value it extracted (JSON-text columns).
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json_string_text(value, js)
    if isinstance(value, (int, float)):
        return js_number_text(value, js)
    if isinstance(value, list):
        return "[" + ",".join(json_text(item, js) for item in value) + "]"
    members = (json_string_text(key, js) + ":" + json_text(value[key], js) for key in _js_key_order(value))
    return "{" + ",".join(members) + "}"


def js_length(text: str) -> int:
    """String length as JavaScript counts it (UTF-16 code units)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def json_scalar_text(value: Any) -> Optional[str]:
    """json_extract_string: a string as is, other values as their JSON text, null as None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json_text(value)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json_document(text: str) -> Any:
    """JSON.parse: no NaN/Infinity (Python's reader accepts them), numbers past 1e308 are Infinity."""
    return json.loads(text, parse_constant=_refuse_constant)


# ---------------------------------------------------------------------------------------------
# The source definition exported from TypeScript (jobs/sources.json, or the manifest's slice).
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """The embedded engine's staging limits: what a line may be before it is parsed."""

    max_line_bytes: int
    max_reject_text: int
    field_check_bytes: int
    max_json_document_bytes: int
    quoted_value_chars: int
    forbidden_byte: int

    @staticmethod
    def from_json(data: dict[str, Any]) -> "Limits":
        return Limits(
            max_line_bytes=data["maxLineBytes"],
            max_reject_text=data["maxRejectText"],
            field_check_bytes=data["fieldCheckBytes"],
            max_json_document_bytes=data["maxJsonDocumentBytes"],
            quoted_value_chars=data["quotedValueChars"],
            forbidden_byte=data["forbiddenByte"],
        )


@dataclass(frozen=True)
class Column:
    name: str
    type: Any
    derive: Optional[dict[str, str]] = None

    @property
    def scalar(self) -> bool:
        return isinstance(self.type, str)


@dataclass
class Source:
    """One log source: its columns, raw format and cluster columns, plus the staging limits."""

    name: str
    columns: list[Column]
    format: dict[str, Any]
    cluster_by: list[str]
    limits: Limits
    delivered: list[Column] = field(init=False)
    derived: list[Column] = field(init=False)
    pattern: Optional[re.Pattern[str]] = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.delivered = [column for column in self.columns if column.derive is None]
        self.derived = [column for column in self.columns if column.derive is not None]
        if self.format["kind"] == "regex":
            self.pattern = re.compile(self.format["pattern"])

    @staticmethod
    def from_json(data: dict[str, Any], limits: Limits) -> "Source":
        columns = [Column(column["name"], column["type"], column.get("derive")) for column in data["columns"]]
        return Source(data["name"], columns, data["format"], list(data["clusterBy"]), limits)


def load_sources(path: str) -> dict[str, Source]:
    """Every source of an exported definitions file (jobs/sources.json)."""
    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    limits = Limits.from_json(data["limits"])
    return {name: Source.from_json(source, limits) for name, source in data["sources"].items()}


# ---------------------------------------------------------------------------------------------
# One line → a row or a reject reason (the embedded engine's parseLinesSql, in Python).
# ---------------------------------------------------------------------------------------------


def _article(type_name: str) -> str:
    return "an" if type_name[:1] in "aeiou" else "a"


def _from_json(value: Any, type_: Any) -> Any:
    if isinstance(type_, str):
        return convert_scalar(json_scalar_text(value), type_)
    if "array" in type_:
        return [_from_json(item, type_["array"]) for item in value] if isinstance(value, list) else None
    if not isinstance(value, dict):
        return None
    return {
        item["name"]: _from_json(value.get(item.get("key") or item["name"]), item["type"])
        for item in type_["struct"]
    }


def _derive(column: Column, typed: dict[str, Any]) -> Any:
    derive = column.derive or {}
    kind = derive["kind"]
    source = typed.get(derive["from"])
    if source is None:
        return None
    if kind == "clf-timestamp":
        return to_clf_timestamp(source)
    if kind == "iso8601-timestamp":
        return to_iso_timestamp(source)
    if kind == "date-and-time":
        time = to_time(typed[derive["time"]]) if typed.get(derive["time"]) is not None else None
        return None if time is None else dt.datetime.combine(source, dt.time()) + time
    raise ValueError(f"{column.name}: unknown derivation {kind}")


def _shown(value: Any, limit: int) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text[:limit]


def type_record(
    source: Source, raw: dict[str, Any], shape_reason: Optional[str]
) -> tuple[dict[str, Any], Optional[str]]:
    """
    Types a record's raw values (text, or parsed JSON for struct columns) and finds its reject
    reason in the embedded engine's order: the shape, each delivered column, each derived column.
    """
    limit = source.limits.quoted_value_chars
    typed: dict[str, Any] = {}
    reason = shape_reason
    json_records = source.format["kind"] == "json-records"
    for column in source.delivered:
        value = raw.get(column.name)
        if json_records and not column.scalar:
            typed[column.name] = _from_json(value, column.type)
            continue
        typed[column.name] = convert_scalar(value, column.type)
        failed = value is not None and column.type != "string" and typed[column.name] is None
        if failed and reason is None:
            reason = f'field {column.name}: "{value[:limit]}" is not {_article(column.type)} {column.type}'
    for column in source.derived:
        typed[column.name] = _derive(column, typed)
        inputs = [column.derive["from"]] + ([column.derive["time"]] if "time" in column.derive else [])
        given = all(typed.get(name) is not None for name in inputs)
        if reason is None and typed[column.name] is None and given:
            shown = " ".join(_shown(typed[name], limit) for name in inputs)
            kind = column.derive["kind"].replace("-", " ")
            reason = f'field {" + ".join(inputs)}: "{shown}" is not a valid {kind}'
    return typed, reason


def _nullable(text: Optional[str], null_token: str) -> Optional[str]:
    return None if text is None or text == "" or text == null_token else text


def parse_regex_line(source: Source, line: str) -> tuple[dict[str, Any], Optional[str]]:
    """A line of a regex format: the pattern's groups, each filling its column."""
    assert source.pattern is not None
    match = source.pattern.match(line)
    if match is None:
        return {}, f"line does not match the {source.name} format"
    null_token = source.format["nullToken"]
    groups = enumerate(source.format["groups"], 1)
    raw = {group["column"]: _nullable(match.group(index), null_token) for index, group in groups}
    return raw, None


def parse_json_record(source: Source, record: dict[str, Any]) -> tuple[dict[str, Any], Optional[str]]:
    """A record of a JSON-records format: each column from its key, required keys checked."""
    raw: dict[str, Any] = {}
    by_column = {field["column"]: field for field in source.format["fields"]}
    for column in source.delivered:
        spec = by_column.get(column.name)
        if spec is None:
            continue
        value = record.get(spec["key"])
        raw[column.name] = value if not column.scalar else json_scalar_text(value)
    missing = next((key for key in source.format["requiredKeys"] if record.get(key) is None), None)
    return raw, None if missing is None else f'record has no "{missing}"'


# ---------------------------------------------------------------------------------------------
# One raw object → rows and rejects, counted the way the embedded engine counts them.
# ---------------------------------------------------------------------------------------------


@dataclass
class ObjectStats:
    """What one object held: physical lines, blank and comment lines, records, rows and rejects."""

    key: str
    bytes_in: int
    lines: int = 0
    blank_lines: int = 0
    comment_lines: int = 0
    header_lines: int = 0
    rows: int = 0
    rejects: int = 0
    parquet: bool = False

    @property
    def records(self) -> int:
        """Lines that hold records (the object's share of rowsIn)."""
        return self.lines - self.blank_lines - self.comment_lines - self.header_lines

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "bytesIn": self.bytes_in,
            "lines": self.lines,
            "blankLines": self.blank_lines,
            "commentLines": self.comment_lines,
            "records": self.records,
            "rows": self.rows,
            "rejects": self.rejects,
            "parquet": self.parquet,
        }


Event = tuple[str, Any]
"""('row', {column: value}) | ('reject', {key, line, reason, text}) | ('stats', ObjectStats)."""


def decompressed(key: str, data: bytes) -> bytes:
    """The object's bytes, gunzipped when they start with gzip's magic bytes (names do not say)."""
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise UnreadableObjectError(f"Raw object {key} cannot be read: {error}.") from error


def physical_lines(text: bytes) -> Iterator[bytes]:
    """Lines split at LF (a CRLF ending loses its CR; a last line without LF is still a line)."""
    for line in io.BytesIO(text):
        if line.endswith(NEWLINE):
            line = line[:-1]
        yield line[:-1] if line.endswith(CARRIAGE_RETURN) else line


class ObjectConverter:
    """Converts the objects of one partition of one source, object by object."""

    def __init__(self, source: Source, partition: dict[str, str]):
        self.source = source
        self.partition = partition
        self.limits = source.limits
        fmt = source.format
        self.single_column = not (fmt["kind"] == "header-delimited" and fmt["header"]["kind"] == "first-line")

    def convert(self, key: str, data: bytes) -> Iterator[Event]:
        """Every row and reject of one object, then its stats; raises ConversionError when it cannot."""
        stats = ObjectStats(key=key, bytes_in=len(data))
        fmt = self.source.format
        if fmt.get("parquetDelivery") and data.startswith(PARQUET_MAGIC):
            # Delivered as Parquet: the Spark part reads it (columns carry the table's names).
            stats.parquet = True
            yield ("stats", stats)
            return
        text = decompressed(key, data)
        if fmt["kind"] == "json-records":
            events = self._json_document(key, text, stats)
        elif fmt["kind"] == "regex":
            events = self._regex_lines(key, text, stats)
        elif fmt["header"]["kind"] == "first-line":
            events = self._first_line_delimited(key, text, stats)
        else:
            events = self._directive_delimited(key, text, stats)
        for event in events:
            if event[0] == "row":
                stats.rows += 1
            else:
                stats.rejects += 1
            yield event
        yield ("stats", stats)

    # -- lines -----------------------------------------------------------------------------

    def _reject(self, key: str, line: int, reason: str, text: Any) -> Event:
        if isinstance(text, bytes):
            text = text[: self.limits.max_reject_text].decode("utf-8", "replace")
        else:
            text = text[: self.limits.max_reject_text]
        return ("reject", {"key": key, "line": line, "reason": reason, "text": text})

    def _screen(
        self,
        line: bytes,
        number: int,
        max_fields: Optional[int] = None,
        check: Optional[Callable[[str], Optional[str]]] = None,
    ) -> Optional[str]:
        """What the embedded engine's stager refuses before parsing (stage-raw-text.ts)."""
        limits = self.limits
        if len(line) > limits.max_line_bytes:
            return f"line of {len(line)} bytes is longer than the {limits.max_line_bytes}-byte limit"
        if b"\x00" in line:
            return "line contains a NUL byte"
        if CARRIAGE_RETURN in line:
            return "line contains a carriage return"
        if self.single_column:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return "line is not valid UTF-8"
            if bytes([limits.forbidden_byte]) in line:
                return f"line contains the control byte 0x{limits.forbidden_byte:02x}"
        if max_fields is not None and len(line) > limits.field_check_bytes:
            fields = line.count(self.source.format["delimiter"].encode()) + 1
            if fields > max_fields:
                return f"line has {fields} fields, more than the {max_fields} a record can have"
        if check is not None and line and number > 1:
            return check(line.decode("utf-8", "replace"))
        return None

    def _row_or_reject(
        self, key: str, number: int, text: str, raw: dict[str, Any], shape: Optional[str]
    ) -> Event:
        typed, reason = type_record(self.source, raw, shape)
        if reason is not None:
            return self._reject(key, number, reason, text)
        return ("row", typed)

    def _regex_lines(self, key: str, text: bytes, stats: ObjectStats) -> Iterator[Event]:
        for number, line in enumerate(physical_lines(text), 1):
            stats.lines = number
            if not line:
                stats.blank_lines += 1
                continue
            reason = self._screen(line, number)
            if reason is not None:
                yield self._reject(key, number, reason, line)
                continue
            decoded = line.decode("utf-8")
            raw, shape = parse_regex_line(self.source, decoded)
            yield self._row_or_reject(key, number, decoded, raw, shape)

    def _delimited_values(self, header: list[str], fields: list[str]) -> dict[str, Optional[str]]:
        fmt = self.source.format
        name_of = {item["header"]: item["name"] for item in fmt["fields"]}
        position: dict[Optional[str], int] = {}
        for index, name in enumerate(header):
            position[name_of.get(name)] = index
        null_token = fmt["nullToken"]
        raw: dict[str, Optional[str]] = {}
        for column in self.source.delivered:
            at = position.get(column.name)
            raw[column.name] = None if at is None or at >= len(fields) else _nullable(fields[at], null_token)
        return raw

    def _directive_delimited(self, key: str, text: bytes, stats: ObjectStats) -> Iterator[Event]:
        """CloudFront: `#` lines are comments; the `#Fields:` directive names the record fields."""
        fmt = self.source.format
        comment = fmt["header"]["commentPrefix"].encode()
        directive = fmt["header"]["directive"]
        lines = list(physical_lines(text))
        stats.lines = len(lines)

        def is_comment(line: bytes) -> bool:
            # An over-long line is a reject even when it starts like a comment (as in the stager).
            return line.startswith(comment) and len(line) <= self.limits.max_line_bytes

        comments = [line for line in lines if is_comment(line)]
        stats.comment_lines = len(comments)
        stats.blank_lines = sum(1 for line in lines if not line)
        # Like the stager, only the first comments are kept to find the directive in.
        kept = [line.decode("utf-8", "replace") for line in comments[:16]]
        directives = (line[len(directive) :].strip() for line in kept if line.startswith(directive))
        headers = list(dict.fromkeys(directives))
        if len(headers) > 1:
            raise FormatError(f'Raw object {key} has {len(headers)} different "{directive}" lines.')
        header = [name for name in re.split(r"[ \t]+", headers[0]) if name] if headers else None
        if header is None and stats.records > 0:
            raise FormatError(
                f'Raw object {key} holds records but no "{directive}" line naming their fields.'
            )
        delimiter = fmt["delimiter"]
        for number, line in enumerate(lines, 1):
            if not line or is_comment(line):
                continue
            reason = self._screen(line, number)
            if reason is not None:
                yield self._reject(key, number, reason, line)
                continue
            decoded = line.decode("utf-8")
            raw = self._delimited_values(header or [], decoded.split(delimiter))
            yield self._row_or_reject(key, number, decoded, raw, None)

    def _read_header(self, key: str, first_line: str) -> tuple[list[str], bool]:
        """The field list of a flow-log object, and whether its first line is that header."""
        fmt = self.source.format
        default = fmt.get("defaultHeader")
        if default and re.search(default["recordStart"], first_line):
            return list(default["fields"]), False
        if first_line.strip() == "":
            raise FormatError(f"Raw object {key} starts with an empty line where its header line should be.")
        tokens = first_line.split(fmt["delimiter"])
        known = {item["header"] for item in fmt["fields"]}
        unknown = next((token for token in tokens if token not in known), None)
        if unknown is not None:
            raise FormatError(
                f'Raw object {key} starts with a header naming "{unknown}", which is not a '
                f"{self.source.name} field (known fields: those of the flow-log and transit gateway "
                "flow-log record references, versions 2–11)."
            )
        repeated = next((token for index, token in enumerate(tokens) if tokens.index(token) != index), None)
        if repeated is not None:
            raise FormatError(f'Raw object {key} has a header naming "{repeated}" twice.')
        return tokens, True

    def _region_check(self, header: list[str]) -> Optional[Callable[[str], Optional[str]]]:
        """The vpc_flow rule: a record's own region must be the region of the object's key."""
        fmt = self.source.format
        served = {item["header"] for item in fmt["fields"] if item.get("servedByPartition") == "region"}
        position = next((index for index, name in enumerate(header) if name in served), None)
        if position is None:
            return None
        region = self.partition["region"]

        def check(line: str) -> Optional[str]:
            values = line.split(fmt["delimiter"])
            value = values[position] if position < len(values) else None
            if value is None or value == fmt["nullToken"] or value == region:
                return None
            return f"region field \"{value}\" differs from the region of the object's key ({region})"

        return check

    def _first_line_delimited(self, key: str, text: bytes, stats: ObjectStats) -> Iterator[Event]:
        """VPC flow logs: the first line names the fields; every record has exactly those fields."""
        fmt = self.source.format
        delimiter = fmt["delimiter"]
        header: list[str] = []
        check = None
        for number, line in enumerate(physical_lines(text), 1):
            stats.lines = number
            if number == 1:
                header, has_header = self._read_header(key, line.decode("utf-8", "replace"))
                # The check is read from the first line as it is, header or record.
                check = self._region_check(line.decode("utf-8", "replace").split(delimiter))
                if has_header:
                    stats.header_lines = 1
                    continue
            if not line:
                stats.blank_lines += 1
                continue
            reason = self._screen(line, number, max_fields=len(fmt["fields"]), check=check)
            if reason is None:
                try:
                    decoded = line.decode("utf-8")
                except UnicodeDecodeError:
                    reason = "line is not valid UTF-8"
            if reason is not None:
                yield self._reject(key, number, reason, line)
                continue
            fields = decoded.split(delimiter)
            if len(fields) != len(header):
                more = "too many columns" if len(fields) > len(header) else "missing columns"
                reason = f"{more}: {len(fields)} fields where the header names {len(header)}"
                yield self._reject(key, number, reason, line)
                continue
            raw = self._delimited_values(header, fields)
            yield self._row_or_reject(key, number, decoded, raw, None)

    def _json_document(self, key: str, data: bytes, stats: ObjectStats) -> Iterator[Event]:
        """CloudTrail: a document holding its records under `Records`; record i is "line" i."""
        limits = self.limits
        records_key = self.source.format["recordsKey"]

        def whole(reason: str, text: str) -> Iterator[Event]:
            stats.lines = 1
            yield self._reject(key, 1, reason, text)

        if len(data) > limits.max_json_document_bytes:
            size = limits.max_json_document_bytes
            yield from whole(f"document is larger than {size} bytes, too large for a log file", "")
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Decoding with replacement would alter the records silently: quarantined whole.
            yield from whole("document is not valid UTF-8", "")
            return
        if text.startswith("\ufeff"):
            text = text[1:]
        if text.strip() == "":
            return
        try:
            document = parse_json_document(text)
        except (ValueError, RecursionError) as error:
            yield from whole(f"not a JSON document: {error}", text)
            return
        records = document.get(records_key) if isinstance(document, dict) else None
        if not isinstance(records, list):
            yield from whole(f'JSON document without a "{records_key}" array', text)
            return
        stats.lines = len(records)
        for number, record in enumerate(records, 1):
            line = json_text(record, js=True)
            if not isinstance(record, dict):
                yield self._reject(key, number, "record is not a JSON object", line)
            elif js_length(line) > limits.max_line_bytes:
                length = js_length(line)
                reason = f"record of {length} characters is longer than the {limits.max_line_bytes} limit"
                yield self._reject(key, number, reason, line)
            else:
                raw, shape = parse_json_record(self.source, record)
                yield self._row_or_reject(key, number, line, raw, shape)


def convert_objects(
    source: Source,
    partition: dict[str, str],
    objects: Iterable[dict[str, Any]],
    read: Callable[[dict[str, Any]], bytes],
) -> Iterator[Event]:
    """The events of several objects (a Spark partition of the manifest), read one at a time."""
    converter = ObjectConverter(source, partition)
    for item in objects:
        yield from converter.convert(item["key"], read(item))


# ---------------------------------------------------------------------------------------------
# Job arguments, manifest and counts.
# ---------------------------------------------------------------------------------------------


def parse_arguments(argv: list[str]) -> dict[str, str]:
    """The job's own arguments; Glue's (`--JOB_ID`, `--TempDir`, …) are left alone."""
    parser = argparse.ArgumentParser(prog="convert_logs", allow_abbrev=False)
    for name in ("manifest", "source", "staging-data", "staging-rejects", "counts-output"):
        parser.add_argument(f"--{name}", required=True)
    known, _ = parser.parse_known_args(argv)
    return {name.replace("_", "-"): value for name, value in vars(known).items()}


def split_s3_url(url: str) -> tuple[str, str]:
    match = re.fullmatch(r"s3://([^/]+)/(.*)", url)
    if not match:
        raise ValueError(f"{url!r} is not an s3://bucket/key URL.")
    return match.group(1), match.group(2)


@dataclass
class Manifest:
    run_id: str
    source: Source
    partition: dict[str, str]
    objects: list[dict[str, Any]]


def read_manifest(text: str, arguments: dict[str, str]) -> Manifest:
    """The manifest, checked against the job arguments (they name the same run, source and prefixes)."""
    data = json.loads(text)
    where = arguments["manifest"]
    if data.get("version") != MANIFEST_VERSION:
        version = data.get("version")
        raise ValueError(f"The manifest {where} has version {version!r}; this job reads version {MANIFEST_VERSION}.")
    expected = {
        "source": arguments["source"],
        "stagingData": arguments["staging-data"],
        "stagingRejects": arguments["staging-rejects"],
        "countsOutput": arguments["counts-output"],
    }
    for name, value in expected.items():
        if data.get(name) != value:
            found = data.get(name)
            raise ValueError(f"The manifest {where} names {name} {found!r} where the job arguments give {value!r}.")
    source = Source.from_json(data["definition"], Limits.from_json(data["limits"]))
    if source.name != arguments["source"]:
        raise ValueError(f"The manifest {where} defines source {source.name!r}, not {arguments['source']!r}.")
    return Manifest(data["runId"], source, dict(data["partition"]), list(data["objects"]))


def counts_document(
    run_id: str,
    stats: Iterable[ObjectStats],
    rows_out: int,
    parquet_rows: int = 0,
    parquet_rejects: int = 0,
) -> dict[str, Any]:
    """The figures the engine reads back: each counted on its own, reconciled by the engine."""
    stats = list(stats)
    return {
        "version": MANIFEST_VERSION,
        "runId": run_id,
        "objects": len(stats),
        "rowsIn": sum(item.records for item in stats if not item.parquet) + parquet_rows,
        "rowsOut": rows_out,
        "rowsRejected": sum(item.rejects for item in stats) + parquet_rejects,
        "bytesIn": sum(item.bytes_in for item in stats),
        "blankLines": sum(item.blank_lines for item in stats),
        "emptyObjects": sum(1 for item in stats if item.lines == 0 and not item.parquet),
    }


# ---------------------------------------------------------------------------------------------
# Spark: thin on purpose (it cannot run outside Glue). Everything above is plain Python.
# ---------------------------------------------------------------------------------------------

SPARK_SCALARS = {
    "string": "StringType",
    "int": "IntegerType",
    "bigint": "LongType",
    "float": "FloatType",
    "double": "DoubleType",
    "boolean": "BooleanType",
    "timestamp": "TimestampType",
    "date": "DateType",
}
BYTES_PER_OUTPUT_FILE = 256 * 1024 * 1024


def spark_type(type_: Any, types: Any) -> Any:
    """The Spark type of a column type (`types` is pyspark.sql.types, passed in to keep this pure)."""
    if isinstance(type_, str):
        return getattr(types, SPARK_SCALARS[type_])()
    if "array" in type_:
        return types.ArrayType(spark_type(type_["array"], types), True)
    fields = [types.StructField(item["name"], spark_type(item["type"], types), True) for item in type_["struct"]]
    return types.StructType(fields)


def spark_schema(source: Source, types: Any) -> Any:
    fields = [types.StructField(column.name, spark_type(column.type, types), True) for column in source.columns]
    return types.StructType(fields)


def spark_value(value: Any) -> Any:
    # Aware datetimes: PySpark turns naive ones into instants with the worker's local time zone.
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=UTC)
    if isinstance(value, dict):
        return {name: spark_value(item) for name, item in value.items()}
    if isinstance(value, list):
        return [spark_value(item) for item in value]
    return value


def spark_row(source: Source, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(spark_value(row.get(column.name)) for column in source.columns)


def _s3_reader() -> Callable[[dict[str, Any]], bytes]:
    import boto3  # Glue provides it; imported where it runs (driver or executor).

    client = boto3.client("s3")

    def read(item: dict[str, Any]) -> bytes:
        url = f"s3://{item['bucket']}/{item['bucketKey']}"
        try:
            return client.get_object(Bucket=item["bucket"], Key=item["bucketKey"])["Body"].read()
        except Exception as error:  # every failure names the object
            raise UnreadableObjectError(f"Raw object {url} cannot be read: {error}.") from error

    return read


def _parquet_delivery(spark: Any, source: Source, partition: dict[str, str], items: list[dict[str, Any]]) -> Any:
    """Flow logs delivered as Parquet: re-partitioned as they are, a foreign region rejected."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    urls = [f"s3://{item['bucket']}/{item['bucketKey']}" for item in items]
    frame = spark.read.option("mergeSchema", "true").parquet(*urls).withColumn("_file", F.input_file_name())
    in_file_order = Window.partitionBy("_file").orderBy(F.monotonically_increasing_id())
    frame = frame.withColumn("_line", F.row_number().over(in_file_order))
    region = partition["region"]
    has_region = "region" in frame.columns
    foreign = (F.col("region").isNotNull() & (F.col("region") != F.lit(region))) if has_region else F.lit(False)

    def column_of(column: Column) -> Any:
        kind = spark_type(column.type, T)
        value = F.col(column.name) if column.name in frame.columns else F.lit(None)
        return value.cast(kind).alias(column.name)

    rows = frame.where(~foreign).select(*[column_of(column) for column in source.columns])
    keys = F.create_map(*[F.lit(value) for url, item in zip(urls, items) for value in (url, item["key"])])
    reason = F.concat(
        F.lit('region field "'), F.col("region"), F.lit(f"\" differs from the region of the object's key ({region})")
    )
    rejects = frame.where(foreign).select(
        F.coalesce(keys[F.col("_file")], F.col("_file")).alias("key"),
        F.col("_line").cast("long").alias("line"),
        reason.alias("reason"),
        F.concat(F.lit("region="), F.col("region")).alias("text"),
    )
    return rows, rejects, frame.count()


def main(argv: list[str]) -> None:
    """Glue's entry point: convert the manifest's objects, write Parquet, rejects and counts."""
    import boto3
    from pyspark import StorageLevel
    from pyspark.sql import SparkSession
    from pyspark.sql import types as T

    arguments = parse_arguments(argv)
    read = _s3_reader()
    bucket, key = split_s3_url(arguments["manifest"])
    manifest = read_manifest(read({"bucket": bucket, "bucketKey": key}).decode("utf-8"), arguments)
    source, partition = manifest.source, manifest.partition

    spark = SparkSession.builder.getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    spark.conf.set("spark.sql.parquet.compression.codec", "snappy")
    context = spark.sparkContext
    # No _SUCCESS marker among the data files: the staging prefix becomes the partition LOCATION.
    context._jsc.hadoopConfiguration().set("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")

    objects = manifest.objects
    slices = max(1, min(len(objects), context.defaultParallelism * 4))

    def convert_slice(items: Iterable[dict[str, Any]]) -> Iterator[Event]:
        for kind, value in convert_objects(source, partition, items, _s3_reader()):
            yield (kind, spark_row(source, value) if kind == "row" else value)

    events = context.parallelize(objects, slices).mapPartitions(convert_slice)
    events.persist(StorageLevel.MEMORY_AND_DISK)
    stats = [value for kind, value in events.filter(lambda event: event[0] == "stats").collect()]
    row_tuples = events.filter(lambda event: event[0] == "row").map(lambda event: event[1])
    rows = spark.createDataFrame(row_tuples, spark_schema(source, T))
    reject_tuples = events.filter(lambda event: event[0] == "reject").map(
        lambda event: (event[1]["key"], event[1]["line"], event[1]["reason"], event[1]["text"])
    )
    rejects = spark.createDataFrame(reject_tuples, "key string, line long, reason string, text string")
    parquet_keys = {item.key for item in stats if item.parquet}
    parquet_rows = parquet_rejects = 0
    if parquet_keys:
        delivered = [item for item in objects if item["key"] in parquet_keys]
        delivered_rows, delivered_rejects, parquet_rows = _parquet_delivery(spark, source, partition, delivered)
        parquet_rejects = delivered_rejects.count()
        rows = rows.unionByName(delivered_rows)
        rejects = rejects.unionByName(delivered_rejects)

    # Rows sorted by the cluster columns within each file, so equal values form runs (as DuckDB's).
    files = max(1, math.ceil(sum(item.get("size", 0) for item in objects) / BYTES_PER_OUTPUT_FILE))
    cluster = [name for name in source.cluster_by if name in rows.columns]
    ordered = rows.repartition(files, *cluster).sortWithinPartitions(*cluster) if cluster else rows.repartition(files)
    # Overwrite: a retried attempt of this job run replaces its own partial output in its fresh prefix.
    ordered.write.mode("overwrite").option("compression", "snappy").parquet(arguments["staging-data"])
    rejects.coalesce(1).write.mode("overwrite").json(arguments["staging-rejects"])
    # Rows out are read back from what was written (Parquet footers), not taken from the plan.
    rows_out = spark.read.parquet(arguments["staging-data"]).count()
    counts = counts_document(manifest.run_id, stats, rows_out, parquet_rows, parquet_rejects)
    counts_bucket, counts_key = split_s3_url(arguments["counts-output"])
    body = json.dumps(counts).encode("utf-8")
    boto3.client("s3").put_object(Bucket=counts_bucket, Key=counts_key, Body=body, ContentType="application/json")
    events.unpersist()


if __name__ == "__main__":
    main(sys.argv[1:])

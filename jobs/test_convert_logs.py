"""Tests of the Glue job's pure-Python part (standard library only: python3 -m unittest).

Run from the repository root:
    python3 -m unittest discover --start-directory jobs --pattern test_convert_logs.py

The parity tests need the embedded engine's results on the shared fixtures; the vitest test
test/jobs/convert-logs-parity.test.ts computes them with DuckDB, writes them to a folder named by
ATHENA_LOGS_EXPECTED and runs this file (it fails if any test is skipped).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import math
import os
import time
import types
import unittest
from pathlib import Path

import convert_logs as job

JOBS = Path(__file__).resolve().parent
SOURCES = job.load_sources(str(JOBS / "sources.json"))
EXPECTED = os.environ.get("ATHENA_LOGS_EXPECTED")
PARTITION = {"account": "123456789012", "region": "us-east-1", "date": "2026-03-10"}


def events_of(source_name: str, data: bytes, key: str = "k", partition: dict[str, str] = PARTITION):
    converter = job.ObjectConverter(SOURCES[source_name], partition)
    events = list(converter.convert(key, data))
    rows = [value for kind, value in events if kind == "row"]
    rejects = [value for kind, value in events if kind == "reject"]
    stats = [value for kind, value in events if kind == "stats"]
    return rows, rejects, stats[0]


def rendered_timestamp(value: dt.datetime) -> str:
    """DuckDB's VARCHAR of a TIMESTAMP: microseconds without trailing zeros, none when zero."""
    text = f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    return text + f".{value.microsecond:06d}".rstrip("0") if value.microsecond else text


def canonical(value):
    """A row value as DuckDB's to_json writes it, for comparing rows of the two engines."""
    if isinstance(value, dt.datetime):
        return rendered_timestamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {name: canonical(item) for name, item in value.items()}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    # DuckDB's to_json writes a whole double without its ".0".
    if isinstance(value, float) and value.is_integer() and not (value == 0 and math.copysign(1, value) < 0):
        return int(value)
    return value


class SourceDefinitionsTest(unittest.TestCase):
    def test_every_source_is_exported_and_every_pattern_compiles_in_python(self):
        self.assertEqual(sorted(SOURCES), ["alb", "cloudfront", "cloudtrail", "elb", "s3_access", "vpc_flow"])
        for source in SOURCES.values():
            if source.format["kind"] == "regex":
                self.assertEqual(source.pattern.groups, len(source.format["groups"]), source.name)

    def test_regex_patterns_reject_long_malformed_lines_quickly(self):
        # RE2 (DuckDB) is linear; Python's re backtracks. A long line with an unterminated quote and
        # many escapes is the worst case these patterns meet.
        for name in ("s3_access", "alb", "elb"):
            line = 'x 2018-07-02T22:23:00Z a 1.2.3.4:1 - 0 0 0 200 200 1 1 "GET ' + ('\\" a ' * 20000)
            started = time.monotonic()
            rows, rejects, _ = events_of(name, line.encode())
            self.assertEqual((len(rows), len(rejects)), (0, 1), name)
            self.assertLess(time.monotonic() - started, 2.0, name)


class TypedConversionTest(unittest.TestCase):
    def test_integers_are_written_as_integers_within_their_type(self):
        self.assertEqual(job.to_integer("+42", 32), 42)
        self.assertEqual(job.to_integer("0001", 32), 1)
        for text in ("12.5", "1e3", " 12", "1_000", "2147483648", "", "٣"):
            self.assertIsNone(job.to_integer(text, 32), text)
        self.assertEqual(job.to_integer("9223372036854775807", 64), 2**63 - 1)
        self.assertIsNone(job.to_integer("1" * 5000, 64))

    def test_timestamps_read_as_utc(self):
        expected = dt.datetime(2018, 7, 2, 22, 23, 0, 186641)
        self.assertEqual(job.to_iso_timestamp("2018-07-02T22:23:00.186641Z"), expected)
        self.assertEqual(job.to_iso_timestamp("2018-07-02T22:23:00+01:00"), dt.datetime(2018, 7, 2, 21, 23))
        self.assertEqual(job.to_clf_timestamp("06/Feb/2019:00:00:38 -0530"), dt.datetime(2019, 2, 6, 5, 30, 38))
        self.assertIsNone(job.to_iso_timestamp("yesterday at noon"))

    def test_documented_differences_from_duckdb_are_rejections(self):
        # DuckDB also reads these; logs never hold them, and the job rejects them (jobs/README.md).
        for text in ("epoch", "infinity", "2018-07-02T22:23:00 Europe/Paris", "02018-07-02"):
            self.assertIsNone(job.to_iso_timestamp(text), text)
        for text in ("2019-12-04 00:00:00", "2019-12-04x", "2019-12-04 x"):
            self.assertIsNone(job.to_date(text), text)


class JsonTextTest(unittest.TestCase):
    def test_numbers_and_strings_as_javascript_writes_them_and_yyjson_rewrites_them(self):
        record = {"b": 1, "10": 1e21, "2": [1.0, 0.5]}
        self.assertEqual(job.json_text(record, js=True), '{"2":[1,0.5],"10":1e+21,"b":1}')
        self.assertEqual(job.json_text({"b": 1, "10": 1e21}), '{"10":1e21,"b":1}')
        self.assertEqual(job.json_text(12345678901234567890), "12345678901234567000")
        self.assertEqual(job.json_text(1e-7), "1e-7")
        self.assertEqual(job.json_text("\u001f\n/é"), '"\\u001F\\n/é"')
        self.assertEqual(job.json_text("\u001f", js=True), '"\\u001f"')

    def test_json_parse_refuses_what_javascript_refuses(self):
        with self.assertRaises(ValueError):
            job.parse_json_document('{"a": NaN}')


class ObjectTest(unittest.TestCase):
    def test_gzip_is_recognised_by_its_bytes_and_a_corrupt_one_names_the_object(self):
        line = (JOBS.parent / "test/fixtures/logs/elb/aws-doc-examples.log").read_bytes()
        rows, rejects, stats = events_of("elb", gzip.compress(line), key="plain-name.log")
        self.assertGreater(len(rows), 0)
        self.assertEqual(stats.bytes_in, len(gzip.compress(line)))
        with self.assertRaisesRegex(job.UnreadableObjectError, "Raw object broken.gz cannot be read"):
            events_of("elb", gzip.compress(line)[:40], key="broken.gz")

    def test_flow_log_headers_that_name_unknown_fields_fail_the_object(self):
        with self.assertRaisesRegex(job.FormatError, 'header naming "bogus"'):
            events_of("vpc_flow", b"version bogus\n2 x\n")
        with self.assertRaisesRegex(job.FormatError, "starts with an empty line"):
            events_of("vpc_flow", b"\n2 x\n")

    def test_cloudfront_objects_need_one_fields_directive(self):
        with self.assertRaisesRegex(job.FormatError, 'different "#Fields:" lines'):
            events_of("cloudfront", b"#Fields: date time\n#Fields: date\n2019-12-04\t21:02:31\n")
        with self.assertRaisesRegex(job.FormatError, "holds records but no"):
            events_of("cloudfront", b"#Version: 1.0\n2019-12-04\t21:02:31\n")

    def test_counts_add_up_per_object(self):
        header = (
            b"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
            b"action log-status\n"
        )
        record = b"2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1 2 ACCEPT OK\n"
        rows, rejects, stats = events_of("vpc_flow", header + record + b"\n" + record.replace(b" 40 ", b" x "))
        self.assertEqual((len(rows), len(rejects), stats.records, stats.blank_lines), (1, 1, 2, 1))
        self.assertEqual(rejects[0]["reason"], 'field bytes: "x" is not a bigint')
        counts = job.counts_document("run-1", [stats], rows_out=1)
        self.assertEqual(counts["rowsIn"], counts["rowsOut"] + counts["rowsRejected"])
        self.assertEqual(counts["emptyObjects"], 0)

    def test_flow_log_lines_the_embedded_engine_mishandles_are_rejected(self):
        # DuckDB's CSV reader reads 4.5 into an int column, and fails fatally on invalid UTF-8 in a
        # record (jobs/README.md): the job keeps the declared rules for both.
        header = b"version account-id action\n"
        rows, rejects, _ = events_of("vpc_flow", header + b"4.5 123456789012 ACCEPT\n2 1234\xff ACCEPT\n")
        self.assertEqual(rows, [])
        self.assertEqual(
            [reject["reason"] for reject in rejects],
            ['field version: "4.5" is not an int', "line is not valid UTF-8"],
        )


class JobArgumentsTest(unittest.TestCase):
    ARGUMENTS = [
        "--JOB_ID", "j_1", "--manifest", "s3://b/m.json", "--source", "alb", "--staging-data", "s3://b/d/",
        "--staging-rejects", "s3://b/r/", "--counts-output", "s3://b/c.json", "--TempDir", "s3://t/",
        "--job-bookmark-option", "job-bookmark-disable",
    ]

    def manifest(self, **changes):
        data = {
            "version": 1, "runId": "run-1", "source": "alb", "partition": PARTITION, "objects": [],
            "stagingData": "s3://b/d/", "stagingRejects": "s3://b/r/", "countsOutput": "s3://b/c.json",
            "definition": json.loads((JOBS / "sources.json").read_text())["sources"]["alb"],
            "limits": json.loads((JOBS / "sources.json").read_text())["limits"],
        }
        data.update(changes)
        return json.dumps(data)

    def test_glue_arguments_are_read_and_others_ignored(self):
        arguments = job.parse_arguments(self.ARGUMENTS)
        self.assertEqual(arguments["staging-data"], "s3://b/d/")
        self.assertEqual(arguments["counts-output"], "s3://b/c.json")
        self.assertEqual(job.read_manifest(self.manifest(), arguments).source.name, "alb")

    def test_a_manifest_that_disagrees_with_the_arguments_is_refused(self):
        arguments = job.parse_arguments(self.ARGUMENTS)
        with self.assertRaisesRegex(ValueError, "names stagingData"):
            job.read_manifest(self.manifest(stagingData="s3://b/other/"), arguments)
        with self.assertRaisesRegex(ValueError, "version 2"):
            job.read_manifest(self.manifest(version=2), arguments)

    def test_spark_types_and_values(self):
        fake = types.SimpleNamespace(
            StringType=lambda: "string", IntegerType=lambda: "int", LongType=lambda: "long",
            FloatType=lambda: "float", DoubleType=lambda: "double", BooleanType=lambda: "boolean",
            TimestampType=lambda: "timestamp", DateType=lambda: "date",
            ArrayType=lambda element, nullable: ["array", element],
            StructField=lambda name, kind, nullable: (name, kind),
            StructType=lambda fields: dict(fields),
        )
        schema = job.spark_schema(SOURCES["cloudtrail"], fake)
        self.assertEqual(schema["record_time"], "timestamp")
        self.assertEqual(schema["resources"], ["array", {"arn": "string", "accountid": "string", "type": "string"}])
        self.assertEqual(job.spark_value(dt.datetime(2020, 1, 1)).tzinfo, dt.timezone.utc)


@unittest.skipUnless(EXPECTED, "needs ATHENA_LOGS_EXPECTED: run npx vitest run test/jobs/convert-logs-parity.test.ts")
class EmbeddedEngineParityTest(unittest.TestCase):
    """The job's parsers against the embedded DuckDB engine, case by case (see the module doc)."""

    # Reasons the embedded engine's CSV reader (flow logs) words itself; only the line must agree.
    CSV_READER_REASONS = ("cast:", "missing columns", "invalid unicode")

    def convert(self, case):
        converter = job.ObjectConverter(SOURCES[case["source"]], case["partition"])
        rows, rejects, stats = [], [], []
        for item in case["objects"]:
            for kind, value in converter.convert(item["key"], Path(item["file"]).read_bytes()):
                {"row": rows, "reject": rejects, "stats": stats}[kind].append(value)
        return rows, rejects, stats

    def assert_reason(self, source, expected, actual, where):
        if source == "vpc_flow" and expected.startswith(self.CSV_READER_REASONS):
            return
        if expected.startswith("not a JSON document:"):
            # JavaScript's parser words its own detail; the reason is the same.
            self.assertTrue(actual.startswith("not a JSON document:"), where)
            return
        self.assertEqual(actual, expected, where)

    def test_cases_match_the_embedded_engine(self):
        cases = json.loads((Path(EXPECTED) / "cases.json").read_text(encoding="utf-8"))
        self.assertGreater(len(cases), 6)
        for case in cases:
            with self.subTest(case=case["name"]):
                rows, rejects, stats = self.convert(case)
                mine = sorted(json.dumps(canonical(row), sort_keys=True, ensure_ascii=False) for row in rows)
                theirs = sorted(json.dumps(canonical(row), sort_keys=True, ensure_ascii=False) for row in case["rows"])
                missing = [row for row in theirs if row not in mine][:3]
                extra = [row for row in mine if row not in theirs][:3]
                self.assertEqual(mine, theirs, f"rows only DuckDB made: {missing}\nrows only the job made: {extra}")
                order = lambda reject: (reject["key"], reject["line"])
                self.assertEqual(
                    [order(reject) for reject in sorted(rejects, key=order)],
                    [order(reject) for reject in sorted(case["rejects"], key=order)],
                )
                for expected, actual in zip(sorted(case["rejects"], key=order), sorted(rejects, key=order)):
                    where = f"{actual['key']} line {actual['line']}: {expected['reason']} / {actual['reason']}"
                    self.assert_reason(case["source"], expected["reason"], actual["reason"], where)
                    self.assertEqual(actual["text"], expected["text"], where)
                counts = job.counts_document("run", stats, rows_out=len(rows))
                theirs_counts = case["counts"]
                for name in ("rowsIn", "rowsOut", "rowsRejected", "bytesIn", "blankLines", "emptyObjects"):
                    self.assertEqual(counts[name], theirs_counts[name], name)

    def test_the_engine_manifest_and_arguments_drive_the_job(self):
        # What shared/engines/glue/ writes and passes to StartJobRun, read as main() reads it.
        cases = json.loads((Path(EXPECTED) / "cases.json").read_text(encoding="utf-8"))
        runs = json.loads((Path(EXPECTED) / "engine-runs.json").read_text(encoding="utf-8"))
        self.assertEqual(len(runs), len(cases))
        for run in runs:
            case = cases[run["case"]]
            with self.subTest(case=case["name"]):
                arguments = job.parse_arguments(["--JOB_ID", "j_1", *run["argv"]])
                manifest = job.read_manifest(json.dumps(run["manifest"]), arguments)
                self.assertTrue(job.split_s3_url(arguments["manifest"])[1].endswith("/manifest.json"))
                files = run["files"]
                events = list(
                    job.convert_objects(
                        manifest.source,
                        manifest.partition,
                        manifest.objects,
                        lambda item: Path(files[item["bucketKey"]]).read_bytes(),
                    )
                )
                stats = [value for kind, value in events if kind == "stats"]
                rows = sum(1 for kind, _ in events if kind == "row")
                counts = job.counts_document(manifest.run_id, stats, rows_out=rows)
                self.assertEqual(counts["runId"], "run-parity")
                for name in ("rowsIn", "rowsOut", "rowsRejected", "bytesIn", "blankLines", "emptyObjects"):
                    self.assertEqual(counts[name], case["counts"][name], name)

    def test_conversions_match_duckdb(self):
        probes = json.loads((Path(EXPECTED) / "casts.json").read_text(encoding="utf-8"))
        convert = {
            "int": lambda text: job.to_integer(text, 32),
            "bigint": lambda text: job.to_integer(text, 64),
            "double": job.to_double,
            "date": job.to_date,
            "iso8601": job.to_iso_timestamp,
            "clf": job.to_clf_timestamp,
            "time": lambda text: None if job.to_time(text) is None else dt.datetime(2019, 12, 4) + job.to_time(text),
        }
        for probe in probes:
            kind, text, theirs = probe["kind"], probe["text"], probe["value"]
            with self.subTest(kind=kind, text=text):
                mine = convert[kind](text)
                if theirs is None or mine is None:
                    self.assertEqual(mine, theirs)
                elif kind == "double":
                    expected = float(theirs)
                    self.assertTrue(mine == expected or (math.isnan(mine) and math.isnan(expected)), (mine, theirs))
                    self.assertEqual(math.copysign(1, mine), math.copysign(1, expected))
                elif isinstance(mine, dt.datetime):
                    self.assertEqual(rendered_timestamp(mine), theirs)
                elif isinstance(mine, dt.date):
                    self.assertEqual(mine.isoformat(), theirs)
                else:
                    self.assertEqual(str(mine), theirs)


if __name__ == "__main__":
    unittest.main()

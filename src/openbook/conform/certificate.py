"""A conformance certificate: what was tested, against which interface version, with what result,
until when, and a SHA-256 over the canonical JSON of all of it.

The hash makes any edit visible to anyone who recomputes it (`openbook conform verify`); it is not a
signature. Whoever holds a certificate can re-run the same interface against the same URL, which
is what makes it worth trusting (the idea of OpenActive's self-validating certificates).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from pathlib import Path

from openbook import standard
from openbook.conform.session import Report
from openbook.errors import OpenbookError

KIND = "openbook-conformance-certificate/1"
FIELDS = ("certificate", "block", "interface", "system_url", "body", "system", "issued", "expires", "result",
          "counts", "requests", "stopped", "checks")


def canonical(fields: dict) -> bytes:
    """The bytes the hash is taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest(certificate: dict) -> str:
    return hashlib.sha256(canonical({k: v for k, v in certificate.items() if k != "sha256"})).hexdigest()


def issue(report: Report, *, body: str | None = None, system: str | None = None, valid_days: int = 365) -> dict:
    entry = standard.interfaces()[report.block]
    issued = date.fromisoformat(report.started[:10])
    certificate = {
        "certificate": KIND, "block": report.block,
        "interface": {"version": report.version, "file": entry["file"], "source": entry["source"],
                      "licence": entry["licence"]},
        "system_url": report.url, "body": body, "system": system, "issued": issued.isoformat(),
        "expires": (issued + timedelta(days=valid_days)).isoformat(), "result": report.result,
        "counts": report.counts(), "requests": report.requests, "stopped": report.stopped,
        "checks": [{"id": c.id, "operation": c.operation, "step": c.step, "aspect": c.aspect, "result": c.result,
                    "detail": c.detail} for c in report.checks],
    }
    return {**certificate, "sha256": digest(certificate)}


@dataclass(frozen=True)
class Verdict:
    intact: bool
    expired: bool
    message: str


def verify(certificate: dict, *, today: date | None = None) -> Verdict:
    """Is the certificate as issued (its hash matches), and is it still in date?"""
    today = today or date.today()
    if certificate.get("certificate") != KIND or set(certificate) != {*FIELDS, "sha256"}:
        return Verdict(False, False, "not an openbook conformance certificate (its fields differ)")
    if digest(certificate) != certificate.get("sha256"):
        return Verdict(False, False, "edited since it was issued: its SHA-256 does not match its content")
    try:
        expired = date.fromisoformat(certificate["expires"]) < today
    except (TypeError, ValueError):
        return Verdict(False, False, f"its expiry {certificate['expires']!r} is not a date")
    verb = "expired on" if expired else "valid until"
    return Verdict(True, expired, f"intact: {certificate['block']} {certificate['result']} for "
                                  f"{certificate['system_url']}, {verb} {certificate['expires']}")


def read(path: Path) -> dict:
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise OpenbookError(f"{path}: cannot read the certificate ({error.strerror or error})") from None
    except ValueError as error:
        raise OpenbookError(f"{path}: not JSON ({error})") from None
    if not isinstance(value, dict):
        raise OpenbookError(f"{path}: not a conformance certificate (a JSON object is expected)")
    return value


def write(certificate: dict, out: Path) -> tuple[Path, Path]:
    """The certificate as JSON and as an HTML page, named by block and hash."""
    out.mkdir(parents=True, exist_ok=True)
    stem = f"conformance-{certificate['block']}-{certificate['sha256'][:12]}"
    json_path, html_path = out / f"{stem}.json", out / f"{stem}.html"
    json_path.write_text(json.dumps(certificate, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    html_path.write_text(html(certificate, json_path.name), encoding="utf-8")
    return json_path, html_path


def html(certificate: dict, json_name: str) -> str:
    c = {k: escape(str(v)) if not isinstance(v, (dict, list)) else v for k, v in certificate.items()}
    rows = "\n".join(
        f"<tr class=\"{escape(x['result'])}\"><td><code>{escape(x['operation'])}</code></td>"
        f"<td>{escape(x['step'])}</td><td>{escape(x['aspect'])}</td>"
        f"<td>{escape(x['result'])}</td><td>{escape(x['detail'])}</td></tr>" for x in certificate["checks"])
    counts = certificate["counts"]
    who = " · ".join(escape(x) for x in (certificate.get("body") or "", certificate.get("system") or "") if x)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Conformance: {c['block']} — {c['system_url']}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ccc;padding:.25rem .5rem;text-align:left}}
tr.fail td{{background:#fde8e8}}tr.skip td{{color:#555}}code{{word-break:break-all}}</style></head>
<body><h1>Conformance certificate: {c['block']}</h1>
<p><strong>{c['result']}</strong>: {counts['pass']} checks passed, {counts['fail']} failed, {counts['skip']} skipped
in {c['requests']} requests{(' (run stopped: ' + c['stopped'] + ')') if certificate['stopped'] else ''}.</p>
<dl><dt>System</dt><dd>{c['system_url']}{(' — ' + who) if who else ''}</dd>
<dt>Interface</dt><dd>{escape(certificate['interface']['file'])} version {escape(certificate['interface']['version'])}
({escape(certificate['interface']['source'])}; {escape(certificate['interface']['licence'])})</dd>
<dt>Issued</dt><dd>{c['issued']}</dd><dt>Expires</dt><dd>{c['expires']}</dd>
<dt>SHA-256</dt><dd><code>{c['sha256']}</code></dd></dl>
<p>The JSON beside this page ({escape(json_name)}) is the certificate; this page only shows it. Check it was not
edited with <code>openbook conform verify {escape(json_name)}</code>.</p>
<table><caption>Each check and its result</caption>
<thead><tr><th scope="col">Operation</th><th scope="col">Step</th><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Detail</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""

"""Signatures: what a generic code means in the context it was returned in, as data.

-4012 after ``ALTER SYSTEM SET LOG_ARCHIVE_DEST='s3://...'`` is the session's 10 s query timeout
running out during the destination check; -4009 after the same statement on ``file://`` is a path
the observer cannot write. The error catalogue cannot say that; a signature can. Signatures are
TOML files: the packaged ones in ``data/signatures/`` and the user's in
``$XDG_CONFIG_HOME/obdoctor/signatures/`` (``~/.config/...`` when the variable is unset). Each
names the codes it applies to, the context that selects it (statement kind, destination scheme,
message or regex, version range, view states), the cause, what proves it, next steps, where its
meaning is documented and a field case it was checked against. A file is validated when loaded;
a mistake is a ``SignatureError`` naming the file and line. The format is docs/signatures.md.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from obdoctor.catalog import errors
from obdoctor.catalog.causes import CauseId
from obdoctor.catalog.views import version_tuple

SCHEMES = ("file", "oss", "s3", "cos", "obs", "gs", "azblob")
STATE_KEYS = ("tenant.status", "tenant.role", "archive.status", "restore.status", "job.status")
VERDICTS = ("likely", "confirmed")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class SignatureError(ValueError):
    """A signature file that cannot be used: the message names the file and line."""


@dataclass(frozen=True)
class Case:
    """A paste a signature must (``fire``) or must not (``quiet``) match."""

    text: str
    version: str | None = None
    states: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Statement:
    """A kind of command recognised in a paste (``ALTER SYSTEM ARCHIVELOG`` -> ``archivelog``)."""

    kind: str
    label: str
    pattern: re.Pattern


@dataclass(frozen=True)
class CommandEvent:
    """An event row that records a command and its return code (the command failed before any job
    existed): which view, module and event, the NAMEx holding the code, the statement it was."""

    view: str
    module: str
    event: str
    code_field: str
    statement: str


@dataclass(frozen=True)
class Signature:
    id: str
    title: str
    meaning: str
    proof: tuple[str, ...]
    next_steps: tuple[str, ...]
    source: tuple[str, ...]
    field_case: tuple[str, ...]
    codes: tuple[int, ...] = ()
    statements: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    regex: re.Pattern | None = None
    versions: str | None = None
    states: tuple[tuple[str, tuple[str, ...]], ...] = ()
    cause: CauseId | None = None
    """Checked when the file loads (file and line if it is not a cause of ``data/causes/``)."""
    verdict: str = "likely"
    fire: tuple[Case, ...] = ()
    quiet: tuple[Case, ...] = ()
    file: str = ""
    line: int = 0

    @property
    def origin(self) -> str:
        return f"{self.file}:{self.line}"

    def context_text(self) -> str:
        """The context that selects it, in words (``after ALTER SYSTEM ARCHIVELOG, on file://``)."""
        parts = []
        if self.statements:
            labels = statement_labels()
            parts.append("after " + " or ".join(labels.get(s, s) for s in self.statements))
        if self.schemes:
            parts.append("on " + " or ".join(f"{s}://" for s in self.schemes))
        if self.messages:
            parts.append("with " + " or ".join(repr(m) for m in self.messages))
        if self.regex is not None:
            parts.append(f"matching /{self.regex.pattern}/")
        if self.versions:
            parts.append(f"version {self.versions}")
        for key, values in self.states:
            parts.append(f"{key} in {'/'.join(values)}")
        return ", ".join(parts) or "any context"

    def to_dict(self) -> dict:
        return {
            "id": self.id, "title": self.title, "codes": list(self.codes), "context": self.context_text(),
            "meaning": self.meaning, "proof": list(self.proof), "next_steps": list(self.next_steps),
            "cause": self.cause, "source": list(self.source), "field_case": list(self.field_case),
            "origin": self.origin,
        }


@dataclass
class Context:
    """What is known around a code: the statement that returned it, the destination, the text."""

    codes: tuple[int, ...] = ()
    statement: str | None = None
    scheme: str | None = None
    text: str = ""
    version: str | None = None
    states: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    signature: Signature
    code: int | None
    score: int


# -- loading ---------------------------------------------------------------------------------

_TOP_KEYS = {"signature", "statement", "command_event"}
_SIG_KEYS = {"id", "title", "meaning", "proof", "next_steps", "source", "field_case", "codes", "statements",
             "schemes", "message", "regex", "versions", "states", "cause", "verdict", "fire", "quiet"}
_REQUIRED = ("id", "title", "meaning", "proof", "next_steps", "source", "field_case")


@dataclass(frozen=True)
class Catalogue:
    signatures: tuple[Signature, ...]
    statements: tuple[Statement, ...]
    command_events: tuple[CommandEvent, ...]
    files: tuple[str, ...]


def user_dir(env: dict[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/obdoctor/signatures`` (``~/.config`` when unset)."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    return Path(base) / "obdoctor" / "signatures"


def load(env: dict[str, str] | None = None) -> Catalogue:
    """The packaged signatures, then the user's (a user signature with a packaged id replaces it)."""
    folder = user_dir(env)
    files: list[tuple[str, float]] = []
    if folder.is_dir():
        files = [(str(p), p.stat().st_mtime_ns) for p in sorted(folder.glob("*.toml"))]
    return _load(tuple(files))


@functools.cache
def _packaged() -> tuple[tuple[str, str], ...]:
    folder = resources.files("obdoctor").joinpath("data", "signatures")
    entries = sorted((p for p in folder.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)
    return tuple((f"obdoctor/data/signatures/{p.name}", p.read_text(encoding="utf-8")) for p in entries)


@functools.cache
def _load(user_files: tuple[tuple[str, float], ...]) -> Catalogue:
    sources = list(_packaged())
    for path, _mtime in user_files:
        try:
            sources.append((path, Path(path).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise SignatureError(f"{path}: cannot be read: {exc}") from None
    by_id: dict[str, Signature] = {}
    statements: dict[str, Statement] = {}
    events: list[CommandEvent] = []
    parsed = [(name, text, _parse_toml(name, text)) for name, text in sources]
    for name, text, data in parsed:  # statement kinds first: signatures name them
        for i, body in enumerate(data.get("statement", ())):
            st = _statement(name, _line_of(text, "statement", i), body)
            statements[st.kind] = st
    packaged_ids: set[str] = set()
    for name, text, data in parsed:
        for key in data:
            if key not in _TOP_KEYS:
                raise SignatureError(f"{name}:{_key_line(text, key)}: unknown table {key!r} "
                                     f"(known: {', '.join(sorted(_TOP_KEYS))})")
        for i, body in enumerate(data.get("command_event", ())):
            events.append(_command_event(name, _line_of(text, "command_event", i), body, statements))
        seen_here: set[str] = set()
        for i, body in enumerate(data.get("signature", ())):
            sig = _signature(name, _line_of(text, "signature", i), body, statements, text)
            if sig.id in seen_here or (sig.id in by_id and sig.id not in packaged_ids):
                raise SignatureError(f"{sig.origin}: signature id {sig.id!r} is defined twice")
            seen_here.add(sig.id)
            by_id[sig.id] = sig
        if name.startswith("obdoctor/"):
            packaged_ids |= seen_here
    return Catalogue(tuple(by_id.values()), tuple(statements.values()), tuple(events),
                     tuple(name for name, _t in sources))


def _parse_toml(name: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SignatureError(f"{name}: not valid TOML: {exc}") from None


def _line_of(text: str, table: str, index: int) -> int:
    """Line of the ``index``-th ``[[table]]`` header (1-based)."""
    header = re.compile(rf"^[ \t]*\[\[[ \t]*{re.escape(table)}\s*\]\]", re.MULTILINE)
    found = list(header.finditer(text))
    if index < len(found):
        return text.count("\n", 0, found[index].start()) + 1
    return 1


def _key_line(text: str, key: str) -> int:
    m = re.search(rf"^[ \t]*\[*[ \t]*{re.escape(key)}\b", text, re.MULTILINE)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def _strings(where: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SignatureError(f"{where}: {key!r} must be a string or a list of non-empty strings")
    return tuple(value)


def _statement(name: str, line: int, body: dict) -> Statement:
    where = f"{name}:{line}"
    for key in ("kind", "label", "pattern"):
        if not isinstance(body.get(key), str) or not body[key]:
            raise SignatureError(f"{where}: statement needs a string {key!r}")
    try:
        pattern = re.compile(body["pattern"], re.IGNORECASE)
    except re.error as exc:
        raise SignatureError(f"{where}: statement {body['kind']!r}: bad pattern: {exc}") from None
    return Statement(body["kind"], body["label"], pattern)


def _command_event(name: str, line: int, body: dict, statements: dict[str, Statement]) -> CommandEvent:
    where = f"{name}:{line}"
    for key in ("view", "module", "event", "code_field", "statement"):
        if not isinstance(body.get(key), str) or not body[key]:
            raise SignatureError(f"{where}: command_event needs a string {key!r}")
    if body["view"] not in ("rootservice", "server"):
        raise SignatureError(f"{where}: command_event view must be 'rootservice' or 'server', not {body['view']!r}")
    if body["statement"] not in statements:
        raise SignatureError(f"{where}: command_event names unknown statement kind {body['statement']!r}")
    return CommandEvent(body["view"], body["module"], body["event"], body["code_field"], body["statement"])


def _field_line(text: str, start: int, key: str) -> int:
    """Line of ``key = ...`` in the signature starting at line ``start`` (``start`` if not found)."""
    lines = text.splitlines()
    for n in range(start, len(lines)):
        if n > start - 1 and re.match(r"^[ \t]*\[", lines[n]):
            break
        if re.match(rf"^[ \t]*{re.escape(key)}[ \t]*=", lines[n]):
            return n + 1
    return start


def _signature(name: str, line: int, body: dict, statements: dict[str, Statement], text: str = "") -> Signature:
    where = f"{name}:{line}"
    unknown = sorted(set(body) - _SIG_KEYS)
    if unknown:
        raise SignatureError(f"{name}:{_field_line(text, line, unknown[0])}: unknown key {unknown[0]!r} "
                             f"(known: {', '.join(sorted(_SIG_KEYS))})")
    sid0 = body.get("id", "?")

    def at(key: str) -> str:
        return f"{name}:{_field_line(text, line, key)}: signature {sid0!r}"

    for key in _REQUIRED:
        if key not in body:
            raise SignatureError(f"{where}: signature {body.get('id', '?')!r} has no {key!r}")
    sid = body["id"]
    if not isinstance(sid, str) or not _ID.match(sid):
        raise SignatureError(f"{where}: id {sid!r} must be lower-case letters, digits and dashes")
    where = f"{where}: signature {sid!r}"
    for key in ("title", "meaning"):
        if not isinstance(body[key], str) or not body[key].strip():
            raise SignatureError(f"{where}: {key!r} must be a non-empty string")
    codes = []
    for c in body.get("codes", []):
        if not isinstance(c, int) or isinstance(c, bool):
            raise SignatureError(f"{at('codes')}: codes must be integers, not {c!r}")
        if errors.lookup(c) is None:
            raise SignatureError(f"{at('codes')}: code {c} is not in the error catalogue")
        codes.append(-abs(c))
    kinds = _strings(where, "statements", body["statements"]) if "statements" in body else ()
    for kind in kinds:
        if kind not in statements:
            raise SignatureError(f"{at('statements')}: unknown statement kind {kind!r} (known: {', '.join(sorted(statements))})")
    schemes = tuple(s.lower().removesuffix("://") for s in _strings(where, "schemes", body["schemes"])) \
        if "schemes" in body else ()
    for s in schemes:
        if s not in SCHEMES:
            raise SignatureError(f"{at('schemes')}: unknown scheme {s!r} (known: {', '.join(SCHEMES)})")
    regex = None
    if "regex" in body:
        try:
            regex = re.compile(_strings(where, "regex", body["regex"])[0], re.IGNORECASE)
        except re.error as exc:
            raise SignatureError(f"{at('regex')}: bad regex: {exc}") from None
    versions = body.get("versions")
    if versions is not None:
        try:
            _version_bounds(versions)
        except ValueError as exc:
            raise SignatureError(f"{at('versions')}: versions {versions!r}: {exc}") from None
    states = []
    for key, value in (body.get("states") or {}).items():
        if key not in STATE_KEYS:
            raise SignatureError(f"{at('states')}: unknown state {key!r} (known: {', '.join(STATE_KEYS)})")
        states.append((key, tuple(v.upper() for v in _strings(where, f"states.{key}", value))))
    cause = body.get("cause")
    if cause is not None:
        from obdoctor.catalog.causes import named_cause

        try:
            cause = named_cause(cause, at("cause"))
        except ValueError as exc:
            raise SignatureError(str(exc)) from None
    verdict = body.get("verdict", "likely")
    if verdict not in VERDICTS:
        raise SignatureError(f"{at('verdict')}: verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    if not (codes or body.get("message") or regex is not None):
        raise SignatureError(f"{where}: needs codes, a message or a regex to be found by")
    return Signature(
        id=sid, title=body["title"].strip(), meaning=body["meaning"].strip(),
        proof=_strings(where, "proof", body["proof"]), next_steps=_strings(where, "next_steps", body["next_steps"]),
        source=_strings(where, "source", body["source"]), field_case=_strings(where, "field_case", body["field_case"]),
        codes=tuple(codes), statements=kinds, schemes=schemes,
        messages=_strings(where, "message", body["message"]) if "message" in body else (),
        regex=regex, versions=versions, states=tuple(states), cause=cause, verdict=verdict,
        fire=_cases(where, "fire", body.get("fire", [])), quiet=_cases(where, "quiet", body.get("quiet", [])),
        file=name, line=line,
    )


def _cases(where: str, key: str, value: Any) -> tuple[Case, ...]:
    if not isinstance(value, list):
        raise SignatureError(f"{where}: {key!r} must be a list of cases")
    out = []
    for case in value:
        if isinstance(case, str):
            case = {"text": case}
        if not isinstance(case, dict) or not isinstance(case.get("text"), str):
            raise SignatureError(f"{where}: each {key!r} case needs a 'text'")
        states = tuple((k, str(v).upper()) for k, v in (case.get("states") or {}).items())
        out.append(Case(case["text"], case.get("version"), states))
    return tuple(out)


def _version_bounds(spec: str) -> list[tuple[str, tuple[int, int, int]]]:
    bounds = []
    for part in str(spec).split(","):
        m = re.match(r"^\s*(>=|<=|>|<|==)\s*(\d+(?:\.\d+){0,2})\s*$", part)
        if not m:
            raise ValueError("write bounds like '>=4.0, <4.2.1'")
        bounds.append((m.group(1), version_tuple(m.group(2))))
    return bounds


def version_in(spec: str | None, version: str | None) -> bool | None:
    """Whether ``version`` is inside ``spec``; None when the version is unknown."""
    if not spec:
        return True
    wanted = version_tuple(version)
    if wanted is None:
        return None
    ops = {">=": wanted.__ge__, "<=": wanted.__le__, ">": wanted.__gt__, "<": wanted.__lt__, "==": wanted.__eq__}
    return all(ops[op](bound) for op, bound in _version_bounds(spec))


# -- reading a paste -----------------------------------------------------------------------

_SCHEME = re.compile(r"\b(" + "|".join(SCHEMES) + r")://", re.IGNORECASE)
_VERSION_TEXT = re.compile(r"(?:\bOceanBase(?:[ _-]?CE)?|\bOB)\s*[:=]?\s*[vV]?(\d\.\d+(?:\.\d+){0,2})")


def normalize(text: str) -> str:
    """Fullwidth punctuation and digits folded to ASCII (``错误码：－４０１２`` -> ``错误码:-4012``)."""
    return unicodedata.normalize("NFKC", text)


def statement_of(text: str, catalogue: Catalogue | None = None) -> str | None:
    """The kind of the first command in the text (a paste where the failing statement comes first)."""
    found = statements_in(text, catalogue)
    return found[0][1] if found else None


def statements_in(text: str, catalogue: Catalogue | None = None) -> list[tuple[int, str]]:
    """Every command in the text with where it starts, in order (the longest match wins a tie:
    ``SET LOG_ARCHIVE_DEST_STATE`` is not ``SET LOG_ARCHIVE_DEST``)."""
    catalogue = catalogue or load()
    best: dict[int, tuple[int, str]] = {}
    for st in catalogue.statements:
        for m in st.pattern.finditer(text):
            if m.start() not in best or len(m.group(0)) > best[m.start()][0]:
                best[m.start()] = (len(m.group(0)), st.kind)
    return [(start, kind) for start, (_len, kind) in sorted(best.items())]


def statement_before(text: str, position: int, found: list[tuple[int, str]]) -> tuple[str | None, str | None]:
    """The command a code at ``position`` answers, and its destination scheme: the last of the
    text's commands (``statements_in``) before it (the first one when the code comes first, as in
    prose), the scheme written between that command and the next one."""
    if not found:
        return None, scheme_of(text)
    before = [i for i, (start, _k) in enumerate(found) if start <= position]
    i = before[-1] if before else 0
    end = found[i + 1][0] if i + 1 < len(found) else len(text)
    own = scheme_of(text[found[i][0]:end])
    return found[i][1], own or (scheme_of(text) if len(found) == 1 else None)


def scheme_of(text: str) -> str | None:
    m = _SCHEME.search(text)
    return m.group(1).lower() if m else None


def version_of(text: str) -> str | None:
    m = _VERSION_TEXT.search(text)
    return m.group(1) if m else None


def statement_labels() -> dict[str, str]:
    return {s.kind: s.label for s in load().statements}


# -- matching ---------------------------------------------------------------------------------

def matches(sig: Signature, ctx: Context) -> Match | None:
    """The signature applies to this context (every criterion it sets holds), or None.

    An unknown version does not exclude a signature (most pastes do not say it); an unknown
    statement, scheme or state does: those are what give a generic code its meaning."""
    score = 0
    code = None
    if sig.codes:
        hit = [c for c in ctx.codes if c in sig.codes]
        if not hit:
            return None
        code, score = hit[0], score + 1
    if sig.statements:
        if ctx.statement not in sig.statements:
            return None
        score += 2
    if sig.schemes:
        if ctx.scheme not in sig.schemes:
            return None
        score += 1
    text = ctx.text.lower()
    if sig.messages:
        if not any(m.lower() in text for m in sig.messages):
            return None
        score += 2
    if sig.regex is not None:
        if not sig.regex.search(ctx.text):
            return None
        score += 2
    inside = version_in(sig.versions, ctx.version)
    if inside is False:
        return None
    if sig.versions and inside:
        score += 1
    for key, values in sig.states:
        if (ctx.states.get(key) or "").upper() not in values:
            return None
        score += 1
    return Match(sig, code, score)


def find(ctx: Context, catalogue: Catalogue | None = None) -> list[Match]:
    """Every signature the context selects, most specific first."""
    catalogue = catalogue or load()
    found = [m for m in (matches(s, ctx) for s in catalogue.signatures) if m is not None]
    return sorted(found, key=lambda m: -m.score)


def for_code(code: int, catalogue: Catalogue | None = None) -> list[Signature]:
    """Signatures that give ``code`` a meaning in some context (whatever the context)."""
    catalogue = catalogue or load()
    return [s for s in catalogue.signatures if -abs(code) in s.codes]


def case_context(case: Case, codes: tuple[int, ...], catalogue: Catalogue | None = None) -> Context:
    """The context a signature case stands for, read the way ``explain`` reads a paste."""
    text = normalize(case.text)
    return Context(codes=codes, statement=statement_of(text, catalogue), scheme=scheme_of(text), text=text,
                   version=case.version or version_of(text), states=dict(case.states))

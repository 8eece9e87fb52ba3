"""``obdoctor explain CODE``: what an OceanBase error code means, and what to do about it.

Takes the code the way a DBA copies it: ``-9040``, ``9040``, ``ret=-9040``, ``errcode=-9040``,
``OB_BACKUP_CAN_NOT_START``, a client's ``ERROR 9040 (HY000): ...`` (quoted or not) or only the
message (``backup device out of space``). Shows
the catalogue entry (name, message, user message format), whether backup retries it, the
documented cause and solution (9000-9499 pages), and the obdoctor causes and rules that name it.

It also reads longer text (``explain -`` reads a paste from standard input): every code in a
sentence, a Kubernetes event quoting the driver (``Error 4009 (58030): IO error``) or Chinese
prose, several codes at once, and the statement that failed (the first one in the paste) with its
destination scheme: they select the signature that gives a generic code its meaning
(docs/signatures.md). ``explain --signatures`` lists the signatures, the user's included.
"""

from __future__ import annotations

import json
import re

from obdoctor.catalog.storage_errors import hosts_in
from obdoctor.cli.environment import Environment
from obdoctor.exit_codes import ExitCode


def add(sub) -> None:
    parser = sub.add_parser(
        "explain", help="explain an OceanBase error code (-9040, 9040, ret=-9040, OB_..., 'ERROR 9040 (HY000)')",
        description="Explain an OceanBase error code as copied from a log, a view or a client.",
    )
    parser.add_argument("code", metavar="CODE", nargs="*",
                        help="the code, its OB_ name, a client error line, a paste, just the error message, "
                             "or - to read the text from standard input")
    parser.add_argument("--signatures", action="store_true",
                        help="list the signatures (packaged and $XDG_CONFIG_HOME/obdoctor/signatures/) and exit")
    parser.add_argument("--ob-version", metavar="VERSION",
                        help="the OceanBase version the error came from (selects version-bound signatures)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the documented cause and solution")
    parser.set_defaults(handler=run)


def explain_entry(entry) -> dict:
    """Everything known about one catalogue entry, as plain data (the JSON output)."""
    from obdoctor.catalog import error_docs, errors
    from obdoctor.catalog.causes import all_causes

    documented = error_docs.doc(entry.code)
    causes = all_causes()
    related = [{"id": c, "title": causes[c].title} for c in error_docs.causes_for(entry.code) if c in causes]
    return {
        "code": entry.code,
        "name": entry.name,
        "message": entry.message,
        "user_message_fmt": entry.user_message_fmt,
        "mysql_errno": entry.mysql_errno,
        "sqlstate": entry.sqlstate,
        "retried_by_backup": errors.is_retried_by_backup(entry.code),
        "not_retried_by_newest": errors.not_retried_by_newest(entry.code),
        "newest_only": "seekdb" in entry.source,
        "documented": documented.to_dict() if documented else None,
        "causes": related,
        "rules": related_rules(entry.code),
    }


def related_rules(code: int) -> list[dict]:
    """Rules and code families that explain this code specifically."""
    from obdoctor.rules.base import all_rules
    from obdoctor.rules.services.failure import code_families

    out = []
    for family in code_families():
        if code in family.codes:
            out.append({"id": f"code family {type(family).__name__}", "used_by": "P2/P3",
                        "summary": _first_sentence(type(family).__doc__)})
    for rule in all_rules():
        if code in getattr(rule, "codes", ()):
            out.append({"id": rule.id, "used_by": rule.name, "summary": _first_sentence(type(rule).__doc__)})
    return out


def _first_sentence(doc: str | None, limit: int = 200) -> str:
    """The docstring's first sentence on one line (it may span several source lines)."""
    import re

    text = re.sub(r"\s+", " ", (doc or "").replace("``", "")).strip()
    m = re.search(r"(?<=[a-z0-9)\]'\"])[.](?:\s|$)", text)
    sentence = text[: m.start() + 1] if m else text
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def run(args, env: Environment) -> ExitCode:
    """Everything explain writes is masked: it quotes the pasted text back (an errno several
    codes share), and a paste holds statements with their keys and passwords."""
    from dataclasses import replace

    from obdoctor.security.redaction import RedactingWriter

    return _run(args, replace(env, stdout=RedactingWriter(env.stdout)))


def _run(args, env: Environment) -> ExitCode:
    from obdoctor.catalog import error_docs, signatures
    from obdoctor.security.redaction import redact_text

    try:
        catalogue = signatures.load(env.env if "XDG_CONFIG_HOME" in env.env else None)
    except signatures.SignatureError as exc:
        env.error(f"signature file not usable: {exc}")
        return ExitCode.USAGE
    if args.signatures:
        return _list_signatures(catalogue, args, env)
    if not args.code:
        env.error("explain needs a code, a pasted error, or - to read one from standard input")
        return ExitCode.USAGE
    if args.code == ["-"]:
        try:
            text = env.stdin.read(MAX_PASTE + 1)
        except UnicodeDecodeError as exc:
            env.error(f"standard input is not text in the locale's encoding ({exc.reason} at byte {exc.start})")
            return ExitCode.USAGE
        if not text.strip():
            env.error("standard input was empty: paste the error (and the statement that failed) and end with Ctrl-D")
            return ExitCode.USAGE
    else:
        text = " ".join(args.code)
    absurd = _absurd(text, MAX_PASTE if args.code == ["-"] else MAX_INPUT)
    if absurd:
        env.error(absurd)
        return ExitCode.USAGE
    text = signatures.normalize(text)
    coded = error_docs.find_codes_at(text)
    found = [parsed for _start, parsed in coded]
    commands = signatures.statements_in(text, catalogue)
    if len(found) > 1 or (found and (commands or "\n" in text.strip())):
        return _explain_paste(text, coded, commands, catalogue, args, env)
    entries = error_docs.lookup_text(text)
    if not entries and found:
        entries = error_docs.entries_for(found[0])
    if not entries:
        entries = _by_message_in_lines(text)
    if not entries and _log_signatures(text, catalogue, args, env):
        return ExitCode.NOTHING_WRONG
    if not entries and _storage_detail(text, args, env):
        return ExitCode.NOTHING_WRONG
    number = _bare_number(text)
    as_errno = not entries and number is not None
    if as_errno:  # 1205: no code -1205, but the MySQL errno a client shows for a lock conflict
        entries = error_docs.entries_for(error_docs.ParsedCode("mysql", number))
    if not entries:
        if number is not None:
            what = f"{number}: read as OceanBase code -{number}, which"
            also = ", nor a MySQL errno any code returns"
        else:
            parsed = error_docs.parse_code_text(text)
            shown = redact_text(text)  # before repr (see below)
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            what = (f"code {parsed.value}" if parsed and parsed.kind != "name" else repr(shown))
            also = ""
        env.error(f"{what} is not a known OceanBase error code, name, message or log line{also} "
                  f"(the catalogue holds {len(_all())} codes from ob_errno.def)")
        return ExitCode.UNDIAGNOSED
    data = [explain_entry(e) for e in entries]
    context = _context(text, tuple(e.code for e in entries[:1]), args, commands)
    for d in data:
        d["signatures"] = _signatures_for(d["code"], context, catalogue)
    if args.format == "json":
        env.stdout.write(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2) + "\n")
        return ExitCode.NOTHING_WRONG
    reading = _reading(text, entries, number, as_errno)
    if reading:
        env.stdout.write(reading + "\n\n")
    elif len(data) > 1:
        shown = redact_text(text)  # before repr: its escapes would hide a quoted password from the writer's mask
        env.stdout.write(f"{shown!r} matches {len(data)} OceanBase codes (same message); the likeliest first.\n\n")
    env.stdout.write("\n".join(render_text(d, args.lang) for d in data))
    return ExitCode.NOTHING_WRONG


def _bare_number(text: str) -> int | None:
    """The number when ``text`` is only a positive number (``4012``), else None: the one input
    that may be an OceanBase code (its sign dropped) or a MySQL errno, so the answer says which."""
    m = re.fullmatch(r"\s*\\?(\d{1,6})\s*", text)
    return int(m.group(1)) if m and int(m.group(1)) else None


def _reading(text: str, entries, number: int | None, as_errno: bool) -> str | None:
    """One line saying which code the input was taken as and why, when that is not plain from
    what was typed (``-4012``, ``OB_TIMEOUT``, ``ret=-4012`` need none); None otherwise.
    ``number``: ``text`` as a bare number (:func:`_bare_number`)."""
    from obdoctor.catalog import error_docs, errors
    from obdoctor.security.redaction import redact_text

    if number is not None and as_errno:
        many = f"which {len(entries)} OceanBase codes return; the likeliest first" if len(entries) > 1 \
            else f"which OceanBase code {entries[0].code} returns"
        return f"{number}: no OceanBase code -{number}; read as MySQL errno {number}, {many}."
    if number is not None:
        others = [e for e in errors.all_codes() if e.mysql_errno == str(number) and e.code != entries[0].code]
        line = (f"{number}: read as OceanBase code {entries[0].code} (OceanBase codes are negative; "
                f"a bare number is taken as one).")
        if others:
            line += (f" {number} is also the MySQL errno of {len(others)} other code(s): "
                     f"obdoctor explain 'ERROR {number}' lists them.")
        return line
    parsed = error_docs.parse_code_text(text)
    if parsed is None or parsed.kind != "mysql":
        return None
    state = f" with SQLSTATE {parsed.sqlstate}" if parsed.sqlstate else ""
    head = f"{redact_text(text)[:80]!r}: read as a client error, MySQL errno {parsed.value}{state}"
    if len(entries) == 1:
        return f"{head}, OceanBase code {entries[0].code}."
    why = (f"{entries[0].code} first because its number is the errno" if entries[0].code == -int(parsed.value)
           else "the likeliest first")
    return f"{head}, which {len(entries)} OceanBase codes share; {why}."


MAX_INPUT = 2000
"""Characters of input on the command line at most: a client error line with its statement fits
many times over; longer text comes on standard input (``explain -``)."""
MAX_PASTE = 1_000_000
"""Characters of a paste on standard input at most: a session log of failing commands fits."""
MAX_DIGITS = 20
"""Digits in one number at most: OceanBase codes have 4-5, an errno or a curl code fewer."""


def _absurd(text: str, limit: int = MAX_INPUT) -> str | None:
    """Why ``text`` cannot be a code or a copied error (a usage error), or None."""
    import re

    if len(text) > limit:
        where = "standard input" if limit == MAX_PASTE else "the command line (paste longer text on stdin: explain -)"
        return f"input of more than {limit:,} characters on {where}"
    longest = max((len(m) for m in re.findall(r"\d+", text)), default=0)
    if longest > MAX_DIGITS:
        return f"a number of {longest:,} digits is not an error code (codes have at most {MAX_DIGITS} digits)"
    return None


def _context(text: str, codes: tuple[int, ...], args, commands: list[tuple[int, str]]):
    """The context of the whole text: its first command (``commands``: ``statements_in``), scheme, version."""
    from obdoctor.catalog import signatures

    return signatures.Context(codes=codes, statement=commands[0][1] if commands else None,
                              scheme=signatures.scheme_of(text), text=text,
                              version=args.ob_version or signatures.version_of(text))


def _signatures_for(code: int, context, catalogue) -> list[dict]:
    """The signatures giving ``code`` a meaning: those the context selects (``matched``) first,
    then the others, so a DBA without the statement sees which contexts would matter."""
    from dataclasses import replace

    from obdoctor.catalog import signatures

    ctx = replace(context, codes=(code,))
    matched = [m.signature for m in signatures.find(ctx, catalogue) if m.code == code or not m.signature.codes]
    others = [s for s in signatures.for_code(code, catalogue) if s not in matched]
    return [{**s.to_dict(), "matched": True} for s in matched] + [{**s.to_dict(), "matched": False} for s in others]


def _explain_paste(text: str, coded, commands, catalogue, args, env: Environment) -> ExitCode:
    """Several codes, or a code with the statement that returned it: each code explained, with the
    meaning the statement, scheme and version select."""
    from obdoctor.catalog import error_docs, signatures

    from dataclasses import replace

    data, seen = [], set()
    context = _context(text, (), args, commands)
    labels = signatures.statement_labels()
    for position, parsed in coded:
        entries = error_docs.entries_for(parsed)
        if not entries or entries[0].code in seen:
            continue
        seen.add(entries[0].code)
        d = explain_entry(entries[0])
        statement, scheme = signatures.statement_before(text, position, commands)
        d["statement"] = labels.get(statement, statement) if statement else None
        d["scheme"] = scheme
        d["signatures"] = _signatures_for(d["code"], replace(context, statement=statement, scheme=scheme), catalogue)
        data.append(d)
    context = replace(context, codes=tuple(d["code"] for d in data))
    lines = [m.signature for m in signatures.find(context, catalogue) if not m.signature.codes]
    if not data and not lines:
        env.error("no known OceanBase error code in the text "
                  f"(the catalogue holds {len(_all())} codes from ob_errno.def)")
        return ExitCode.UNDIAGNOSED
    summary = {
        "statement": labels.get(context.statement, context.statement) if context.statement else None,
        "scheme": context.scheme, "version": context.version,
        "codes": data, "log_signatures": [{**s.to_dict(), "matched": True} for s in lines],
        **_destination_facts(text, context.scheme, context.version),
    }
    if args.format == "json":
        env.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        return ExitCode.NOTHING_WRONG
    said = [f"statement {summary['statement']}" if summary["statement"] else "no backup, archive or restore statement",
            f"destination {context.scheme}://" if context.scheme else None,
            f"OceanBase {context.version}" if context.version else None]
    env.stdout.write(f"Read {len(data)} code(s) in the text; context: {', '.join(x for x in said if x)}.\n\n")
    env.stdout.write("\n".join(render_text(d, args.lang) for d in data))
    for s in lines:
        env.stdout.write("\n" + _render_signature(s.to_dict(), "in this text") + "\n")
    _write_destination_facts(summary, env)
    return ExitCode.NOTHING_WRONG


def _destination_facts(text: str, scheme: str | None, version: str | None) -> dict:
    """What the paste says about the destination: object-storage details (curl, SDK, HTTP, service
    codes) with the host that failed, and the documented NFS requirements for a file:// one."""
    from obdoctor.catalog import storage_errors

    details = [{"kind": d.kind, "code": d.code, "name": d.name, "meaning": d.meaning, "cause": d.cause,
                "text": d.describe()} for d in storage_errors.decode(text)]
    return {"storage_details": details, "hosts": hosts_in(text) if details else [],
            "nfs_requirements": storage_errors.nfs_requirements(version) if scheme == "file" else []}


def _write_destination_facts(summary: dict, env: Environment) -> None:
    if summary["storage_details"]:
        hosts = f" (host: {', '.join(summary['hosts'])})" if summary["hosts"] else ""
        env.stdout.write(f"\nObject storage detail in the text{hosts}:\n")
        for d in summary["storage_details"]:
            env.stdout.write(f"  {d['text']}\n")
    if summary["nfs_requirements"]:
        version = summary["version"] or "(version unknown)"
        env.stdout.write(f"\nNFS requirements for a file:// destination, OceanBase {version}:\n")
        for t in summary["nfs_requirements"]:
            env.stdout.write(f"  - {t}\n")


def _by_message_in_lines(text: str):
    """A message without a code, inside a longer paste: each line looked up on its own."""
    from obdoctor.catalog import error_docs

    for line in text.splitlines():
        for piece in (line, line.split(":", 1)[-1]):
            entries = error_docs.by_message(piece)
            if entries:
                return entries
    return []


def _log_signatures(text: str, catalogue, args, env: Environment) -> bool:
    """Known log messages without a code (``pay ATTENTION!! archive continuous encounter error``)."""
    from obdoctor.catalog import signatures

    context = _context(text, (), args, signatures.statements_in(text, catalogue))
    hits = [m.signature for m in signatures.find(context, catalogue) if not m.signature.codes]
    if not hits:
        return False
    if args.format == "json":
        env.stdout.write(json.dumps({"log_signatures": [{**s.to_dict(), "matched": True} for s in hits]},
                                    ensure_ascii=False, indent=2) + "\n")
        return True
    env.stdout.write("No OceanBase code in the text; it is a known log message:\n\n")
    env.stdout.write("\n".join(_render_signature({**s.to_dict(), "matched": True}, "in this text") for s in hits) + "\n")
    return True


def _list_signatures(catalogue, args, env: Environment) -> ExitCode:
    from obdoctor.catalog import signatures

    rows = [s.to_dict() for s in catalogue.signatures]
    asked = _listed_codes(args.code or [])
    if asked:  # explain --signatures -9040: the signatures giving those codes a meaning
        rows = [r for r in rows if asked & {int(c) for c in r["codes"]}]
        if not rows:
            env.error(f"no signature gives {', '.join(str(c) for c in sorted(asked))} a meaning "
                      "(obdoctor explain --signatures lists them all)")
    folder = signatures.user_dir(env.env if "XDG_CONFIG_HOME" in env.env else None)
    if args.format == "json":
        env.stdout.write(json.dumps({"user_dir": str(folder), "files": list(catalogue.files), "signatures": rows},
                                    ensure_ascii=False, indent=2) + "\n")
        return ExitCode.NOTHING_WRONG
    state = "" if folder.is_dir() else ", not there"
    env.stdout.write(f"{len(rows)} signature{'' if len(rows) == 1 else 's'} from {len(catalogue.files)} file(s); yours are read from {folder}/*.toml"
                     f"{state} (format: obdoctor docs signatures)\n\n")
    for r in rows:
        codes = " ".join(str(c) for c in r["codes"]) or "(message)"
        env.stdout.write(f"{r['id']}  [{codes}]  {r['title']}\n    when: {r['context']}\n    from: {r['origin']}\n")
    return ExitCode.NOTHING_WRONG


def _listed_codes(words: list[str]) -> set[int]:
    """The codes given beside ``--signatures``: ``-9040`` and ``9040`` both -9040 (OceanBase's
    codes are negative, as explain reads a bare number)."""
    return {-abs(int(w)) for w in words if re.fullmatch(r"[-+]?\d{1,5}", w.strip())}


def _render_signature(s: dict, where: str) -> str:
    out = [f"  {'in this context' if s['matched'] else 'in another context'}: {s['title']} [{s['id']}]",
           f"    when:        {s['context']}"]
    if s["matched"]:
        out.append(f"    meaning:     {s['meaning']}")
        out += [f"    proof:       {p}" if i == 0 else f"                 {p}" for i, p in enumerate(s["proof"])]
        out += [f"    next step:   {p}" if i == 0 else f"                 {p}" for i, p in enumerate(s["next_steps"])]
        out += [f"    source:      {p}" for p in s["source"]]
        out += [f"    field case:  {p}" for p in s["field_case"]]
    return "\n".join(out)


def _storage_detail(text: str, args, env: Environment) -> bool:
    """A storage line's detail (``curlCode: 6``, ``aos_ret->code=-990``, ``code=403``) when the
    text holds no OceanBase code: what a DBA copies from an ``oss info`` / ``S3 info`` line."""
    from obdoctor.catalog import storage_errors
    from obdoctor.catalog.causes import all_causes

    details = storage_errors.decode(text)
    if not details:
        return False
    causes = all_causes()
    if args.format == "json":
        env.stdout.write(json.dumps({"hosts": hosts_in(text), "storage_details": [
            {"kind": d.kind, "code": d.code, "name": d.name, "meaning": d.meaning, "cause": d.cause} for d in details
        ]}, ensure_ascii=False, indent=2) + "\n")
        return True
    hosts = hosts_in(text)
    env.stdout.write("Not an OceanBase error code; the object storage detail it carries"
                     + (f" (host: {', '.join(hosts)})" if hosts else "") + ":\n")
    for d in details:
        env.stdout.write(f"  {d.describe()}\n")
        if d.cause in causes:
            env.stdout.write(f"  obdoctor cause: {d.cause}: {causes[d.cause].title}\n")
    return True


def _all():
    from obdoctor.catalog import errors

    return errors.all_codes()


def render_text(d: dict, lang: str = "en") -> str:
    out = [f"{d['code']} {d['name']}",
           f"  message:       {d['message']}"]
    if d["user_message_fmt"] and d["user_message_fmt"] != d["message"]:
        out.append(f"  user message:  {d['user_message_fmt']}")
    out.append(f"  MySQL errno:   {d['mysql_errno']} (SQLSTATE {d['sqlstate']})")
    if d.get("statement"):
        out.append(f"  returned by:   {d['statement']}" + (f" on a {d['scheme']}:// destination" if d.get("scheme") else ""))
    if d["code"] == 0:
        out.append("  backup:        not an error")
    else:
        out.append("  backup:        " + (
            "retried by 4.x releases up to 4.3.5; not by the newest source (seekdb 2025): there a task failing "
            "with it fails the job" if d.get("not_retried_by_newest") else
            "retried by the backup scheduler" if d["retried_by_backup"] else
            "not retried: a task failing with it fails the job"))
    documented = d["documented"]
    if documented:
        cause = documented["cause_zh"] if lang == "zh" and documented["cause_zh"] else documented["cause"]
        solution = documented["solution_zh"] if lang == "zh" and documented["solution_zh"] else documented["solution"]
        if cause:
            out.append("  cause:         " + _block(cause))
        if solution:
            out.append("  solution:      " + _block(solution))
        if documented["since"]:
            out.append(f"  since:         OceanBase {documented['since']}")
        elif documented["note"]:
            out.append(f"  note:          {documented['note']}")
        for case in documented["cases"]:
            out.append(f"  case:          {case['title']} <{case['url']}>")
    else:
        out.append("  cause:         " + ("not on OceanBase's 9000-9499 error code page (V4.3.3): the code is newer"
                                         if -9499 <= d["code"] <= -9000 and d.get("newest_only") else
                                         "not documented on OceanBase's 9000-9499 error code page (V4.3.3)"
                                         if -9499 <= d["code"] <= -9000 else
                                         "not documented here: obdoctor carries OceanBase's cause pages for 9000-9499 only"))
    # The causes the rules give this code come from where the rules meet it (a running job, a
    # restore...); after a statement they are other contexts, not an answer for this one.
    label = "obdoctor cause: " if not d.get("statement") else "other contexts: "
    for c in d["causes"]:
        out.append(f"  {label}{c['id']}: {c['title']}")
    for r in d["rules"]:
        out.append(f"  rule:          {r['id']} ({r['used_by']}): {r['summary']}")
    for s in d.get("signatures", ()):
        out.append(_render_signature(s, ""))
    return "\n".join(out) + "\n"


def _block(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return "\n".join(("" if i == 0 else " " * 17) + f"{i + 1}. {s}" for i, s in enumerate(items))

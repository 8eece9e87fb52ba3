"""``obdoctor explain CODE``: what an OceanBase error code means, and what to do about it.

Takes the code the way a DBA copies it: ``-9040``, ``9040``, ``ret=-9040``, ``errcode=-9040``,
``OB_BACKUP_CAN_NOT_START``, a client's ``ERROR 9040 (HY000): ...`` (quoted or not) or only the
message (``backup device out of space``). Shows
the catalogue entry (name, message, user message format), whether backup retries it, the
documented cause and solution (9000-9499 pages), and the obdoctor causes and rules that name it.
"""

from __future__ import annotations

import json

from obdoctor.cli.environment import Environment
from obdoctor.exit_codes import ExitCode


def add(sub) -> None:
    parser = sub.add_parser(
        "explain", help="explain an OceanBase error code (-9040, 9040, ret=-9040, OB_..., 'ERROR 9040 (HY000)')",
        description="Explain an OceanBase error code as copied from a log, a view or a client.",
    )
    parser.add_argument("code", metavar="CODE", nargs="+",
                        help="the code, its OB_ name, a client error line, or just the error message")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the documented cause and solution")
    parser.set_defaults(handler=run)


def explain_entry(entry) -> dict:
    """Everything known about one catalogue entry, as plain data (the JSON output)."""
    from obdoctor.knowledge import error_docs, errors
    from obdoctor.knowledge.causes import all_causes

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
        "documented": documented.to_dict() if documented else None,
        "causes": related,
        "rules": related_rules(entry.code),
    }


def related_rules(code: int) -> list[dict]:
    """Rules and code families that explain this code specifically."""
    from obdoctor.rules.base import all_rules
    from obdoctor.rules.failure import code_families

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
    from obdoctor.knowledge import error_docs

    text = " ".join(args.code)
    absurd = _absurd(text)
    if absurd:
        env.error(absurd)
        return ExitCode.USAGE
    entries = error_docs.lookup_text(text)
    if not entries and _storage_detail(text, args, env):
        return ExitCode.NOTHING_WRONG
    if not entries:
        parsed = error_docs.parse_code_text(text)
        what = (f"code {parsed.value}" if parsed and parsed.kind != "name" else repr(text))
        env.error(f"{what} is not a known OceanBase error code or name "
                  f"(the catalogue holds {len(_all())} codes from ob_errno.def)")
        return ExitCode.UNDIAGNOSED
    data = [explain_entry(e) for e in entries]
    if args.format == "json":
        env.stdout.write(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2) + "\n")
        return ExitCode.NOTHING_WRONG
    if len(data) > 1:
        why = "same MySQL errno" if error_docs.parse_code_text(text) else "same message"
        env.stdout.write(f"{text!r} matches {len(data)} OceanBase codes ({why}); the likeliest first.\n\n")
    env.stdout.write("\n".join(render_text(d, args.lang) for d in data))
    return ExitCode.NOTHING_WRONG


MAX_INPUT = 2000
"""Characters of input at most: a client error line with its message fits many times over."""
MAX_DIGITS = 20
"""Digits in one number at most: OceanBase codes have 4-5, an errno or a curl code fewer."""


def _absurd(text: str) -> str | None:
    """Why ``text`` cannot be a code or a copied error line (a usage error), or None."""
    import re

    if len(text) > MAX_INPUT:
        return f"input of {len(text):,} characters: an error code or a copied error line is at most {MAX_INPUT:,}"
    longest = max((len(m) for m in re.findall(r"\d+", text)), default=0)
    if longest > MAX_DIGITS:
        return f"a number of {longest:,} digits is not an error code (codes have at most {MAX_DIGITS} digits)"
    return None


def _storage_detail(text: str, args, env: Environment) -> bool:
    """A storage line's detail (``curlCode: 6``, ``aos_ret->code=-990``, ``code=403``) when the
    text holds no OceanBase code: what a DBA copies from an ``oss info`` / ``S3 info`` line."""
    from obdoctor.knowledge import storage_errors
    from obdoctor.knowledge.causes import all_causes

    details = storage_errors.decode(text)
    if not details:
        return False
    causes = all_causes()
    if args.format == "json":
        env.stdout.write(json.dumps({"storage_details": [
            {"kind": d.kind, "code": d.code, "name": d.name, "meaning": d.meaning, "cause": d.cause} for d in details
        ]}, ensure_ascii=False, indent=2) + "\n")
        return True
    env.stdout.write("Not an OceanBase error code; the object storage detail it carries:\n")
    for d in details:
        env.stdout.write(f"  {d.describe()}\n")
        if d.cause in causes:
            env.stdout.write(f"  obdoctor cause: {d.cause}: {causes[d.cause].title}\n")
    return True


def _all():
    from obdoctor.knowledge import errors

    return errors.all_codes()


def render_text(d: dict, lang: str = "en") -> str:
    out = [f"{d['code']} {d['name']}",
           f"  message:       {d['message']}"]
    if d["user_message_fmt"] and d["user_message_fmt"] != d["message"]:
        out.append(f"  user message:  {d['user_message_fmt']}")
    out.append(f"  MySQL errno:   {d['mysql_errno']} (SQLSTATE {d['sqlstate']})")
    if d["code"] == 0:
        out.append("  backup:        not an error")
    else:
        out.append("  backup:        " + ("retried by the backup scheduler" if d["retried_by_backup"]
                                         else "not retried: a task failing with it fails the job"))
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
        out.append("  cause:         not documented on OceanBase's error code pages (only 9000-9499 are)")
    for c in d["causes"]:
        out.append(f"  obdoctor cause: {c['id']}: {c['title']}")
    for r in d["rules"]:
        out.append(f"  rule:          {r['id']} ({r['used_by']}): {r['summary']}")
    return "\n".join(out) + "\n"


def _block(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return "\n".join(("" if i == 0 else " " * 17) + f"{i + 1}. {s}" for i, s in enumerate(items))

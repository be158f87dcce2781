"""A small OData `$filter` parser: the subset Graph's directory and mail endpoints answer.

Supported: `prop eq|ne literal`, `startswith(prop,'x')`, `coll/any(v:v eq 'x')`, `and`, `or`, `not`,
parentheses. Literals: 'strings' (with '' escapes), true, false, null, numbers. String comparison is
case-insensitive like the directory's. `ne`, `not` and `null` need advanced query
(`ConsistencyLevel: eventual`) as on the real directory; so do properties the entity marks so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import GraphError, bad_request, unsupported_query

Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<punct>[(),:])|(?P<num>-?\d+(?:\.\d+)?)(?![\w-])|(?P<word>[A-Za-z_$@][\w.$@/-]*))"
)


@dataclass(frozen=True)
class FilterSchema:
    """What one entity type lets `$filter` touch."""

    type_name: str  # e.g. "User"
    props: dict[str, str]  # lower-case name -> canonical name (filterable scalar properties)
    collections: frozenset[str] = frozenset()  # string collections usable with any()
    advanced: frozenset[str] = frozenset()  # properties that need ConsistencyLevel: eventual
    directory: bool = True  # directory rules (ne/not/null need advanced query)


@dataclass(frozen=True)
class CompiledFilter:
    """A compiled filter, plus an index hint when it is a single equality (`prop`, lower-cased value)."""

    predicate: Predicate
    hint: tuple[str, str] | None


def compile_filter(text: str, schema: FilterSchema, eventual: bool) -> CompiledFilter:
    """Parse `text` into a predicate over Graph-shaped dicts; GraphError 400 when unsupported."""
    tokens = _tokenize(text)
    parser = _Parser(tokens, schema, eventual, text)
    pred, hint = parser.expr()
    if parser.pos != len(tokens):
        raise _invalid(text)
    return CompiledFilter(pred, hint)


def _invalid(text: str) -> GraphError:
    return bad_request(f"Invalid filter clause: {text}")


def _tokenize(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise _invalid(text)
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], schema: FilterSchema, eventual: bool, text: str) -> None:
        self.tokens, self.schema, self.eventual, self.text = tokens, schema, eventual, text
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("", "")

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        tk, tv = self.peek()
        if (kind and tk != kind) or (value and tv.lower() != value) or not tk:
            raise _invalid(self.text)
        self.pos += 1
        return tv

    def expr(self) -> tuple[Predicate, tuple[str, str] | None]:
        left, hint = self.conj()
        while self.peek()[1].lower() == "or":
            self.take("or")
            right, _ = self.conj()
            left, hint = (lambda a, b: lambda d: a(d) or b(d))(left, right), None
        return left, hint

    def conj(self) -> tuple[Predicate, tuple[str, str] | None]:
        left, hint = self.unary()
        while self.peek()[1].lower() == "and":
            self.take("and")
            right, _ = self.unary()
            left, hint = (lambda a, b: lambda d: a(d) and b(d))(left, right), None
        return left, hint

    def unary(self) -> tuple[Predicate, tuple[str, str] | None]:
        kind, value = self.peek()
        if kind == "word" and value.lower() == "not":
            self.take()
            self.need_advanced(None)
            inner, _ = self.unary()
            return (lambda d: not inner(d)), None
        if kind == "punct" and value == "(":
            self.take("(")
            inner = self.expr()
            self.take(")")
            return inner
        if kind != "word":
            raise _invalid(self.text)
        if value.lower() == "startswith":
            return self.startswith(), None
        if value.lower().endswith("/any"):
            return self.any_of()
        return self.comparison()

    def need_advanced(self, prop: str | None) -> None:
        if self.schema.directory and not self.eventual:
            target = prop or "filter"
            raise unsupported_query(
                f"Unsupported or invalid query filter clause specified for property '{target}' "
                f"of resource '{self.schema.type_name}'."
            )

    def prop(self, name: str) -> str:
        canonical = self.schema.props.get(name.lower())
        if canonical is None:
            raise unsupported_query(
                f"Unsupported or invalid query filter clause specified for property '{name}' "
                f"of resource '{self.schema.type_name}'."
            )
        if canonical in self.schema.advanced:
            self.need_advanced(canonical)
        return canonical

    def literal(self) -> Any:
        kind, value = self.peek()
        self.pos += 1
        if kind == "str":
            return value[1:-1].replace("''", "'")
        if kind == "num":
            return float(value) if "." in value else int(value)
        if kind == "word" and value.lower() in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[value.lower()]
        raise _invalid(self.text)

    def comparison(self) -> tuple[Predicate, tuple[str, str] | None]:
        prop = self.prop(self.take(kind="word"))
        op = self.take(kind="word").lower()
        if op not in ("eq", "ne"):
            raise unsupported_query(f"Unsupported operator '{op}' in filter clause for property '{prop}'.")
        lit = self.literal()
        if op == "ne" or lit is None:
            self.need_advanced(prop)
        if isinstance(lit, str):
            low = lit.lower()

            def eq(d: dict[str, Any]) -> bool:
                v = d.get(prop)
                return isinstance(v, str) and v.lower() == low

            hint = (prop, low) if op == "eq" else None
            return (eq if op == "eq" else (lambda d: not eq(d))), hint
        if op == "eq":
            return (lambda d: d.get(prop) == lit and type(d.get(prop)) is type(lit)), None
        return (lambda d: not (d.get(prop) == lit and type(d.get(prop)) is type(lit))), None

    def startswith(self) -> Predicate:
        self.take("startswith")
        self.take("(")
        prop = self.prop(self.take(kind="word"))
        self.take(",")
        lit = self.literal()
        self.take(")")
        if not isinstance(lit, str):
            raise _invalid(self.text)
        low = lit.lower()
        return lambda d: isinstance(d.get(prop), str) and d[prop].lower().startswith(low)

    def any_of(self) -> tuple[Predicate, tuple[str, str] | None]:
        word = self.take(kind="word")
        name = word[: -len("/any")]
        coll = next((c for c in self.schema.collections if c.lower() == name.lower()), None)
        if coll is None:
            raise unsupported_query(
                f"Unsupported or invalid query filter clause specified for property '{name}' "
                f"of resource '{self.schema.type_name}'."
            )
        self.take("(")
        var = self.take(kind="word")
        self.take(":")
        if self.take(kind="word") != var or self.take(kind="word").lower() != "eq":
            raise _invalid(self.text)
        lit = self.literal()
        self.take(")")
        if not isinstance(lit, str):
            raise _invalid(self.text)
        low = lit.lower()
        return (lambda d: any(isinstance(x, str) and x.lower() == low for x in d.get(coll) or ())), (coll, low)

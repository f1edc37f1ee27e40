"""What a profile may say of a canonical field besides its column: a `default`, and a `derive` rule.

    status: {derive: [{when: {answered_at: present}, value: answered}, {otherwise: open}]}
    channel: {column: kenh, type: text, default: web}

A field's value is its column's (recoded by the stream's `values` map); when the column is absent, NULL or blank,
the first `derive` rule whose `when` holds gives it; else the `otherwise` rule, or the `default`; else it has no
value (a required field without one rejects the row). A `when` is one or more tests on other fields, all of which
must hold: `present`, `absent`, `{equals: v}` or `{in: [v, …]}` (equality on text and count fields only), read on
the row's canonical values (after the columns' values maps and defaults). A rule reads no field that is derived
itself, so the order never matters; no expression is ever evaluated. Everything is checked when the profile loads
(`check_stream`: the fields, rules and value maps of a stream, every constant against its field's kind and
vocabulary), each error naming the path in the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from data_sources.fields import CANONICAL_FIELDS, NATIVE_FIELDS, canonical_constant, kind_of

if TYPE_CHECKING:
    from data_sources.profiles import StreamMapping

PRESENCE = ("present", "absent")
COMPARISONS = ("equals", "in")
COMPARABLE_KINDS = ("text", "integer")


class FieldRule(BaseModel):
    """A field's `default` (None: none) and `derive` rules (None: none), as the profile gives them under
    `columns.<field>`; `check_rule` returns them with every constant as the field holds it."""

    model_config = ConfigDict(extra="forbid")
    default: Any = None
    derive: Any = None  # checked by `check_rule` (a list of rules), so its errors name the file's own path


class RuleError(ValueError):
    """A bad default or derive rule: `path` is where in the field's rule (`derive.0.when.answered_at`)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path


def check_stream(stream: str, mapping: StreamMapping, zone: ZoneInfo) -> None:
    """A stream's fields, rules and value maps against the canonical fields; constants normalized in place.
    Raises ValueError naming the path in the file (`streams.feedback.columns.status.derive.0.value: …`)."""
    where, fields, native = f"streams.{stream}", CANONICAL_FIELDS[stream], NATIVE_FIELDS[stream]
    if stream != "dossiers" and mapping.unknown_procedures != "reject":
        raise ValueError(f"{where}.unknown_procedures: only dossiers have procedures")
    for name in {**mapping.columns, **mapping.rules}:
        if name not in fields:
            raise ValueError(f"{where}.columns.{name}: not a canonical field ({', '.join(fields)})")
    if native in mapping.rules:
        raise ValueError(f"{where}.columns.{native}: a row's identity comes from its column, never a default or rule")
    for name, (required, _) in fields.items():
        if required and name not in mapping.columns and name not in mapping.rules:
            raise ValueError(f"{where}.columns: required field {name!r} is not mapped")
    readable = {
        n
        for n in fields
        if (n in mapping.columns or mapping.rules.get(n, FieldRule()).default is not None)
        and not mapping.rules.get(n, FieldRule()).derive
    }
    for name, rule in mapping.rules.items():
        try:
            mapping.rules[name] = check_rule(stream, name, rule, readable, zone)
        except RuleError as exc:
            raise ValueError(f"{where}.columns.{name}.{exc}") from None
    for name, table in mapping.values.items():
        if name not in fields:
            raise ValueError(f"{where}.values.{name}: not a canonical field ({', '.join(fields)})")
        if fields[name][1] != "text" or name == native:
            raise ValueError(f"{where}.values.{name}: only a coded text field is recoded, not {name}")
        if name not in mapping.columns:
            raise ValueError(f"{where}.values.{name}: {name} has no column whose codes it could recode")
        for code, canonical in table.items():
            try:
                table[code] = canonical_constant(stream, name, canonical, zone)
            except ValueError as exc:
                raise ValueError(f"{where}.values.{name}.{code}: {exc}") from None


def check_rule(stream: str, name: str, rule: FieldRule, readable: set[str], zone: ZoneInfo) -> FieldRule:
    """`rule` of field `name` checked, its constants normalized. `readable` are the fields a `when` may test:
    those with a column or a default and no derive rule of their own. Raises RuleError."""
    if rule.default is None and rule.derive is None:
        raise RuleError("default", "a default needs a value (or remove it)")
    default = None if rule.default is None else _constant(stream, name, rule.default, "default", zone)
    if rule.derive is None:
        return FieldRule(default=default)
    if not isinstance(rule.derive, list) or not rule.derive:
        raise RuleError("derive", "a list of rules, e.g. [{when: {answered_at: present}, value: answered}]")
    checked: list[dict[str, Any]] = []
    for i, item in enumerate(rule.derive):
        where = f"derive.{i}"
        if not isinstance(item, dict) or set(item) not in ({"when", "value"}, {"otherwise"}):
            got = ", ".join(map(str, item)) if isinstance(item, dict) else repr(item)
            raise RuleError(where, f"a rule is {{when: {{…}}, value: …}} or {{otherwise: …}}, not {got or 'empty'}")
        if "otherwise" in item:
            if i != len(rule.derive) - 1:
                raise RuleError(where, "otherwise must be the last rule (the rules after it would never apply)")
            if default is not None:
                raise RuleError(where, "otherwise and a default say the same: give only one of them")
            checked.append({"otherwise": _constant(stream, name, item["otherwise"], f"{where}.otherwise", zone)})
            continue
        when = _when(stream, name, item["when"], f"{where}.when", readable, zone)
        checked.append({"when": when, "value": _constant(stream, name, item["value"], f"{where}.value", zone)})
    return FieldRule(default=default, derive=checked)


def _when(stream: str, name: str, when: Any, where: str, readable: set[str], zone: ZoneInfo) -> dict[str, Any]:
    if not isinstance(when, dict) or not when:
        raise RuleError(where, "one or more tests on other fields, e.g. {answered_at: present}")
    tests: dict[str, Any] = {}
    for other, test in when.items():
        at = f"{where}.{other}"
        fields = CANONICAL_FIELDS[stream]
        if other not in fields:
            raise RuleError(at, f"not a canonical field ({', '.join(fields)})")
        if other == name:
            raise RuleError(at, "a rule cannot test its own field")
        if other not in readable:
            raise RuleError(
                at,
                f"{other} is derived itself or has neither a column nor a default: a rule reads only "
                "fields whose value comes from a column or a default",
            )
        tests[other] = _test(stream, other, test, at, zone)
    return tests


def _test(stream: str, field: str, test: Any, at: str, zone: ZoneInfo) -> Any:
    if test in PRESENCE:
        return test
    if not (isinstance(test, dict) and len(test) == 1 and next(iter(test)) in COMPARISONS):
        raise RuleError(at, f"a test is present, absent, {{equals: value}} or {{in: [values]}}, not {test!r}")
    if kind_of(stream, field) not in COMPARABLE_KINDS:
        raise RuleError(at, f"{field} is {kind_of(stream, field)}: only present or absent can test it")
    if "equals" in test:
        return {"equals": _constant(stream, field, test["equals"], f"{at}.equals", zone)}
    values = test["in"]
    if not isinstance(values, list) or not values:
        raise RuleError(f"{at}.in", f"a list of values, not {values!r}")
    return {"in": [_constant(stream, field, v, f"{at}.in.{i}", zone) for i, v in enumerate(values)]}


def _constant(stream: str, field: str, value: Any, at: str, zone: ZoneInfo) -> Any:
    try:
        return canonical_constant(stream, field, value, zone)
    except ValueError as exc:
        raise RuleError(at, str(exc)) from None


def derived(rules: list[dict[str, Any]], row: dict[str, Any]) -> Any:
    """The value of the first rule whose tests all hold on `row` (canonical values), or None."""
    for rule in rules:
        if "otherwise" in rule:
            return rule["otherwise"]
        if all(_holds(test, row.get(field)) for field, test in rule["when"].items()):
            return rule["value"]
    return None


def _holds(test: Any, value: Any) -> bool:
    if test == "present":
        return value is not None
    if test == "absent":
        return value is None
    if "equals" in test:
        return value is not None and value == test["equals"]
    return value is not None and value in test["in"]

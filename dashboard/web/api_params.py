"""Each API endpoint's query parameters, declared (pydantic): their names, that each comes once, and their length
and shape. An unknown, repeated or malformed parameter is a 400 naming it. What a value means (a period of the
vocabulary, a unit of the registry, a past `as_of`, a page in range) is checked next by the rules the pages share
(`dashboard.pages.common`, `dashboard.pages.api`), with the same 400."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError
from werkzeug.datastructures import MultiDict

from dashboard.core.errors import ParameterError
from dashboard.core.vocabulary import LEAGUE_KINDS

Key = Annotated[StrictStr, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
Word = Annotated[StrictStr, Field(max_length=64, pattern=r"^[^\x00-\x1f\x7f]*$")]
Moment = Annotated[StrictStr, Field(max_length=40, pattern=r"^[^\x00-\x1f\x7f]*$")]  # its meaning: parse_as_of
Number = Annotated[StrictStr, Field(max_length=12)]


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KpisQuery(_Query):
    period: Word | None = None
    unit: Key | None = None
    as_of: Moment | None = None
    compare: Literal["origin", ""] | None = None


class LeagueQuery(_Query):
    kind: Literal[LEAGUE_KINDS] | None = None  # type: ignore[valid-type]  # the vocabulary's tuple, as a Literal
    period: Word | None = None
    as_of: Moment | None = None


class DossiersQuery(_Query):
    unit: Key | None = None  # required: the endpoint says so, naming /api/v1/units
    filter: Word | None = None
    period: Word | None = None
    page: Number | None = None
    page_size: Number | None = None
    as_of: Moment | None = None


class NoQuery(_Query):
    pass


QUERIES: Mapping[str, type[_Query]] = MappingProxyType(
    {
        "units": NoQuery,
        "kpis": KpisQuery,
        "league": LeagueQuery,
        "dossiers": DossiersQuery,
        "openapi_document": NoQuery,
    }
)


def check_query(endpoint: str, args: MultiDict[str, str]) -> None:
    """Raise `ParameterError` naming the first parameter the endpoint does not take, gets twice, or gets malformed."""
    model = QUERIES.get(endpoint, NoQuery)
    for name in args:
        if len(args.getlist(name)) > 1:
            raise ParameterError(name, f"{name} is given {len(args.getlist(name))} times: give it once")
    try:
        model.model_validate(args.to_dict())
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "query"
        if first["type"] == "extra_forbidden":
            known = ", ".join(model.model_fields) or "none"
            raise ParameterError(name, f"unknown parameter {name!r}: this endpoint takes {known}") from None
        raise ParameterError(name, f"{name}: {first['msg']}") from None

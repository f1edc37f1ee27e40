"""Every value a Dash callback receives has a declared schema (pydantic), checked before the callback runs: a value
of the wrong type or out of bounds is a 400 naming the input (`<component id>.<property>`), never a 500. An input
this table does not name is refused — a test checks that every callback input of the app has its schema."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, TypeAdapter
from pydantic import ValidationError as SchemaError

from layouts.ids import BriefingsIds, HomeIds, LeagueIds, OverviewIds, ShellIds, SourcesIds, UnitIds, WallIds

MAX_ADDRESS = 2048  # a path or a query string
MAX_TEXT = 200  # a search box, a choice
MAX_KEY_PARTS = 8  # a data-version key the page keeps: [version, minute, scale …]
MAX_GRID_ROWS = 2_000  # the league grid's shown rows: the biggest league (168 wards) with room to spare
MIN_SCALE, MAX_SCALE = 0.25, 4.0  # a wall's screen against 1080p: from a small monitor to an 8K wall

PRINTABLE = r"^[^\x00-\x1f\x7f]*$"  # no control character: none is typed, and Excel and XML refuse them
Count = Annotated[StrictInt, Field(ge=0, le=10**9)] | None  # n_clicks, n_intervals
Address = Annotated[StrictStr, Field(max_length=MAX_ADDRESS, pattern=PRINTABLE)] | None
Text = Annotated[StrictStr, Field(max_length=MAX_TEXT, pattern=PRINTABLE)] | None
Scalar = StrictBool | StrictInt | StrictFloat | Annotated[StrictStr, Field(max_length=MAX_TEXT)] | None
SeenKey = Annotated[list[Scalar], Field(max_length=MAX_KEY_PARTS)] | None
# The archive's key: [snapshot ids, [[request id, error], …]]
ArchiveKey = (
    Annotated[
        list[Annotated[list[StrictInt | Annotated[list[Scalar], Field(max_length=4)]], Field(max_length=10_000)]],
        Field(max_length=4),
    ]
    | None
)
Scale = Annotated[StrictFloat | StrictInt, Field(ge=MIN_SCALE, le=MAX_SCALE)] | None
GridRow = Annotated[dict[Annotated[StrictStr, Field(max_length=MAX_TEXT)], Scalar], Field(max_length=64)]
GridRows = Annotated[list[GridRow], Field(max_length=MAX_GRID_ROWS)] | None


def _schemas() -> dict[tuple[str, str], TypeAdapter[Any]]:
    count, seen = TypeAdapter(Count), TypeAdapter(SeenKey)
    table: dict[tuple[str, str], TypeAdapter[Any]] = {
        (ShellIds.LOCATION, "pathname"): TypeAdapter(Address),
        (ShellIds.LOCATION, "search"): TypeAdapter(Address),
        (LeagueIds.GRID, "virtualRowData"): TypeAdapter(GridRows),
        (LeagueIds.SEARCH, "value"): TypeAdapter(Text),
        (WallIds.SCALE, "data"): TypeAdapter(Scale),
        (BriefingsIds.ASK_PERIOD, "value"): TypeAdapter(Text),
        (HomeIds.PERIODS, "value"): TypeAdapter(Text),  # the home page's period picker
        (BriefingsIds.PICK_A, "value"): TypeAdapter(Text | StrictInt),
        (BriefingsIds.PICK_B, "value"): TypeAdapter(Text | StrictInt),
    }
    for button in (UnitIds.XLSX, UnitIds.DRILL_CSV, UnitIds.DRILL_XLSX, LeagueIds.XLSX, BriefingsIds.ASK):
        table[(button, "n_clicks")] = count
    for interval in (
        OverviewIds.INTERVAL,
        SourcesIds.INTERVAL,
        UnitIds.INTERVAL,
        LeagueIds.INTERVAL,
        WallIds.POLL,
        BriefingsIds.INTERVAL,
    ):
        table[(interval, "n_intervals")] = count
    for store in (OverviewIds.SEEN, SourcesIds.SEEN, UnitIds.SEEN, LeagueIds.SEEN, WallIds.SEEN):
        table[(store, "data")] = seen
    table[(BriefingsIds.SEEN, "data")] = TypeAdapter(ArchiveKey)
    return table


SCHEMAS: Mapping[tuple[str, str], TypeAdapter[Any]] = MappingProxyType(_schemas())


class Item(BaseModel):
    """One input or state value as the browser sends it."""

    model_config = ConfigDict(extra="allow")
    id: Annotated[StrictStr, Field(max_length=MAX_TEXT)] | dict[str, Any]
    property: Annotated[StrictStr, Field(max_length=MAX_TEXT)]
    value: Any = None


class CallbackRequest(BaseModel):
    """The envelope of `/_dash-update-component`: what Dash itself reads from it."""

    model_config = ConfigDict(extra="allow")
    output: Annotated[StrictStr, Field(max_length=4096)]
    outputs: Item | Annotated[list[Item | Annotated[list[Item], Field(max_length=1000)]], Field(max_length=64)]
    inputs: Annotated[list[Item], Field(max_length=64)]
    state: Annotated[list[Item], Field(max_length=64)] = []
    changedPropIds: Annotated[list[Annotated[StrictStr, Field(max_length=MAX_TEXT)]], Field(max_length=64)] = []


class BadInput(ValueError):
    """A callback request whose envelope or one of whose values breaks its schema; `parameter` names which."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        super().__init__(message)


def checked(spec: Mapping[str, Any], body: Any) -> CallbackRequest:
    """The request, when its envelope and each value (by position, as Dash passes them) meet their schemas."""
    try:
        request = CallbackRequest.model_validate(body)
    except SchemaError as error:
        where = ".".join(str(part) for part in error.errors()[0]["loc"]) or "request"
        raise BadInput(where, f"not a callback request: {where}: {error.errors()[0]['msg']}") from None
    declared = [*spec.get("inputs", []), *spec.get("state", [])]
    sent = [*request.inputs, *request.state]
    if len(sent) != len(declared):
        raise BadInput("inputs", f"this callback takes {len(declared)} values, not {len(sent)}")
    for item, value in zip(declared, sent, strict=True):
        name = f"{item['id']}.{item['property']}"
        schema = SCHEMAS.get((str(item["id"]), item["property"]))
        if schema is None:
            raise BadInput(name, f"{name} has no declared schema: refused")
        try:
            schema.validate_python(value.value)
        except SchemaError as error:
            raise BadInput(name, f"{name}: {error.errors()[0]['msg']}") from None
    return request

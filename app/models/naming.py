"""The pinyin sort key of named rows (app/data/collation): stored beside the name, so lists,
the scoring matrix and the official forms sort Chinese names in SQL, with an index.

Kept current on every path: a Core or ORM INSERT fills it from the row's name (a column
default, per row of an executemany too); an ORM UPDATE of the name refreshes it (a mapper
event); Core UPDATEs that change names pass their rows through `with_name_key`.

A member's number has its match key stored the same way (`number_key`: what the roster import
compares numbers by, so it looks up the file's members with an index instead of reading the
whole scope): a column default on INSERT, a mapper event on an ORM UPDATE (Member, in
app/models/people.py), `with_number_key` for Core UPDATEs, the bulk writers (`zhibu synth`) by
hand.
"""
from sqlalchemy import Column, String, event

from app.data.collation import KEY_LENGTH, sort_key
from app.imports.values import match_key

NUMBER_KEY_LENGTH = 255


def _from_name(context) -> str:
    return sort_key(context.get_current_parameters().get("name"))


def name_key_column():
    """The sort-key column: ASCII compared byte-wise ("C" collation on PostgreSQL)."""
    return Column(String(KEY_LENGTH).with_variant(String(KEY_LENGTH, collation="C"), "postgresql"),
                  nullable=False, default=_from_name, server_default="", index=True,
                  info={"computed": True})


class NameKeyed:
    """A model whose `name` sorts by pinyin; `code`, where the model has one, sorts first."""

    @classmethod
    def by_name(cls):
        """ORDER BY for this model's rows: the code first where there is one, then the name."""
        keys = (cls.name_key, cls.name)
        return ((cls.code,) + keys) if hasattr(cls, "code") else keys


@event.listens_for(NameKeyed, "before_update", propagate=True)
def _refresh_key(_mapper, _connection, target) -> None:
    target.name_key = sort_key(target.name)


def with_name_key(rows: list[dict]) -> list[dict]:
    """Core UPDATE/INSERT parameter rows that carry a name, with its sort key beside it."""
    return [{**row, "name_key": sort_key(row["name"])} if "name" in row else row for row in rows]


def order_keys(model, column: str):
    """What a list sorted by `column` orders by: pinyin for a name, code then pinyin for a code."""
    if not issubclass(model, NameKeyed):
        return None
    if column == "name":
        return (model.name_key, model.name)
    if column == "code" and hasattr(model, "code"):
        return (model.code, model.name_key, model.name)
    return None


def number_key(number) -> str:
    """A member number's match key as stored (app/imports/values.match_key: NFKC, no white space,
    case-blind), cut to the column's length. A cut key finds a superset of the members whose key
    begins so; the import compares the numbers' full keys again, so it still matches exactly."""
    return match_key(number or "")[:NUMBER_KEY_LENGTH]


def _from_number(context) -> str:
    return number_key(context.get_current_parameters().get("number"))


def number_key_column():
    """The stored match key of a `number` column (compared by equality: "C" on PostgreSQL)."""
    return Column(String(NUMBER_KEY_LENGTH).with_variant(String(NUMBER_KEY_LENGTH, collation="C"), "postgresql"),
                  nullable=False, default=_from_number, server_default="", info={"computed": True})


def with_number_key(rows: list[dict]) -> list[dict]:
    """Core UPDATE/INSERT parameter rows that carry a number, with its match key beside it."""
    return [{**row, "number_key": number_key(row["number"])} if "number" in row else row for row in rows]

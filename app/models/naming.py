"""The pinyin sort key of named rows (app/data/collation): stored beside the name, so lists,
the scoring matrix and the official forms sort Chinese names in SQL, with an index.

Kept current on every path: a Core or ORM INSERT fills it from the row's name (a column
default, per row of an executemany too); an ORM UPDATE of the name refreshes it (a mapper
event); Core UPDATEs that change names pass their rows through `with_name_key`.
"""
from sqlalchemy import Column, String, event

from app.data.collation import KEY_LENGTH, sort_key


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

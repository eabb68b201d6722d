"""The official Excel forms (附件2, 附件3): plain rows in, xlsx bytes out.

Pure builders on XlsxWriter; no Flask, no SQLAlchemy, no other app package.
"""

from ._sheet import FormHeader
from .annex2 import Annex2Row, annex2_workbook
from .annex3 import Annex3Row, annex3_workbook

__all__ = ["FormHeader", "Annex2Row", "Annex3Row", "annex2_workbook", "annex3_workbook"]

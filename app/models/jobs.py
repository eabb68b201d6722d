"""A background job: a long import, a committee-wide export or a round's recompute.

The job belongs to the user who started it and to that user's organization at the time
(kind + the ids of it and its ancestors, as on an import record), so the rule table shows it
to its owner only, and no longer once the owner has moved elsewhere. The worker (RQ on Redis,
or a thread of the web process) writes its state, progress, message and result.
"""
import json
from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from app.extensions import db
from app.models.choices import ORG_KINDS

JOB_KINDS = {
    "import_check": _l("名册导入预检"),
    "import_apply": _l("名册导入"),
    "annex2": _l("附件2 分类定级汇总表"),
    "annex3": _l("附件3 整改汇总表"),
    "statistics": _l("分类定级统计"),
    "recompute": _l("重新计算考评批次"),
}
JOB_STATES = {"queued": _l("排队中"), "running": _l("进行中"), "done": _l("已完成"), "failed": _l("失败")}


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Job(db.Model):
    """One background job and what it produced (a file kept in ZHIBU_JOB_DIR, or a result)."""

    __tablename__ = "zb_job"
    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False, info={"choices": JOB_KINDS})
    params = Column(Text, nullable=False, default="{}")
    state = Column(String(10), nullable=False, default="queued", info={"choices": JOB_STATES})
    progress = Column(Integer, nullable=False, default=0)
    # the current step or the outcome, in both languages (a refusal raised inside the job is
    # in the language the owner used when starting it, and shown for both)
    message = Column(Text, nullable=False, default="")
    message_en = Column(Text, nullable=False, default="")
    result = Column(Text, nullable=False, default="{}")
    result_path = Column(String(500))
    result_name = Column(String(255))
    lang = Column(String(5), nullable=False, default="zh")
    runner = Column(String(120), nullable=False, default="")
    created_at = Column(DateTime, nullable=False, default=_now)
    started_at = Column(DateTime)
    finished_at = Column(DateTime)
    owner_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True)
    owner = relationship("User")
    org_kind = Column(String(20), nullable=False, info={"choices": ORG_KINDS})
    committee_id = Column(Integer, ForeignKey("zb_committee.id", ondelete="SET NULL"), index=True)
    general_branch_id = Column(Integer, ForeignKey("zb_general_branch.id", ondelete="SET NULL"), index=True)
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="SET NULL"), index=True)

    def __str__(self):
        return f"#{self.id}"

    @property
    def params_dict(self) -> dict:
        return json.loads(self.params or "{}")

    @property
    def result_dict(self) -> dict:
        return json.loads(self.result or "{}")

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

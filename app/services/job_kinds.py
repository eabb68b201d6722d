"""What each kind of background job does: the same service functions as the pages call.

start_*(…, lang)  make the refusals a page would make at once (role, scope, a closed round),
                  then start the job (app.services.jobs.start); the views call these
RUNNERS[kind]     (owner, actor, params, report) -> JobOutcome, run acting as the job's owner
                  (app.services.jobs), so the rule table scopes and checks all it reads and
                  writes; report(percent, (zh, en)) is called only between transactions
"""
from __future__ import annotations

from flask_babel import gettext as _

from app.extensions import db
from app.models import AssessmentRound
from app.services import assessment, forms, imports
from app.services import jobs
from app.services.jobs import JobOutcome, both, stored


class NotFound(Exception):
    """What the job works on is gone or outside the owner's scope; messages is (zh, en)."""

    def __init__(self, messages: tuple):
        super().__init__(messages[1])
        self.messages = messages


def _import_steps(report, writing: bool):
    """The import service's steps as the bar's: file read (40 %), checked (70 %)."""
    def progress(stage, rows):
        if stage == "parsed":
            report(40, both(lambda: _("已读取 %(rows)d 行，正在与名册核对 …", rows=rows)))
        elif writing:
            report(70, both(lambda: _("核对完成，正在写入 %(rows)d 行 …", rows=rows)))
        else:
            report(70, both(lambda: _("核对完成，正在保存预检结果 …")))
    return progress


def _import_check(owner, actor, params, report) -> JobOutcome:
    """A dry run of a large upload, kept in the job folder until it has been read."""
    path = stored(params.get("input"))
    if path is None:
        raise NotFound(both(lambda: _("上传的文件已不在服务器上，请重新上传。")))
    try:
        data = path.read_bytes()
        report(10, both(lambda: _("正在读取并核对 %(count)s 字节的文件 …", count=f"{len(data):,}")))
        outcome = imports.dry_run(owner, params["kind"], params.get("filename", ""), data,
                                  _import_steps(report, writing=False))
    finally:
        path.unlink(missing_ok=True)
    s = outcome.summary
    return JobOutcome(
        both(lambda: _("预检完成：新增 %(new)d 条，更新 %(updated)d 条，未变 %(unchanged)d 条，错误 %(errors)d 处。",
                       new=s["new"], updated=s["updated"], unchanged=s["unchanged"], errors=len(outcome.errors))),
        {"import_record": outcome.record.id})


def _import_apply(owner, actor, params, report) -> JobOutcome:
    """Apply a checked import: all rows in one transaction, or none."""
    report(10, both(lambda: _("正在按当前数据再次核对并写入 …")))
    outcome = imports.apply(owner, params["record_id"], _import_steps(report, writing=True))
    s = outcome.summary
    if outcome.applied:
        message = both(lambda: _("导入完成：新增 %(new)d 条，更新 %(updated)d 条，未变 %(unchanged)d 条。",
                                 new=s["new"], updated=s["updated"], unchanged=s["unchanged"]))
    else:
        message = both(lambda: _("文件与系统中的数据核对时发现错误，未导入任何数据。请改正后重新上传。"))
    return JobOutcome(message, {"import_record": outcome.record.id, "applied": outcome.applied})


def _no_round():
    return NotFound(both(lambda: _("找不到这个考评批次，或它不在您的管理范围内。")))


def _signed(params):
    """The 填报人 / 联系电话 typed on the start page (checked again), or None for the defaults."""
    return forms.signer(params.get("person"), params.get("phone"))


def _export(build):
    def run(owner, actor, params, report) -> JobOutcome:
        report(10, both(lambda: _("正在汇总数据并生成 Excel 文件 …")))
        try:
            export = build(owner, actor, params["round_id"], _signed(params))
        except forms.FormNotFound as exc:
            raise _no_round() from exc
        return JobOutcome(both(lambda: _("文件已生成：%(name)s", name=export.filename)), {},
                          export.data, export.filename)
    return run


def _recompute(owner, actor, params, report) -> JobOutcome:
    """Recompute a whole round (the committee that runs it)."""
    round_ = db.session.get(AssessmentRound, params["round_id"])   # scoped to the owner
    if round_ is None:
        raise _no_round()
    report(10, both(lambda: _("正在重新计算「%(name)s」…", name=round_.name)))
    counts = assessment.recompute(round_, actor=actor)
    return JobOutcome(
        both(lambda: _("已重新计算：好 %(a)d，较好 %(b)d，一般 %(c)d，较差 %(d)d。",
                       a=counts["A"], b=counts["B"], c=counts["C"], d=counts["D"])),
        {"round_id": params["round_id"], "counts": {str(k): v for k, v in counts.items()}})


RUNNERS = {
    "import_check": _import_check,
    "import_apply": _import_apply,
    "annex2": _export(lambda owner, actor, round_id, signed: forms.export_annex2(actor, owner, round_id, signed=signed)),
    "annex3": _export(lambda owner, actor, round_id, signed: forms.export_annex3(actor, owner, round_id, signed=signed)),
    "statistics": _export(lambda owner, actor, round_id, signed: forms.export_statistics(actor, round_id)),
    "recompute": _recompute,
}


# ---------------------------------------------------------------- starting


def start_import_check(user, kind, filename, data, lang):
    """Check a large upload in the background, once the user's role may import it."""
    imports.importer_org(user, kind)
    return jobs.start(user, "import_check", {"kind": kind, "filename": filename,
                                             "input": jobs.keep_file(data, ".xlsx")}, lang)


def start_import_apply(user, record, lang):
    """Apply a checked large import in the background, if the user may confirm it now."""
    imports.check_confirmable(user, record)
    return jobs.start(user, "import_apply", {"record_id": record.id}, lang)


def start_recompute(user, round_, actor, lang):
    """Recompute a whole round in the background, if the actor may recompute it now."""
    assessment.check_recompute(round_, actor)
    return jobs.start(user, "recompute", {"round_id": round_.id}, lang)


def start_form(user, actor, form, round_id, lang, signed=None):
    """Build the whole committee's form in the background (FormNotFound for a foreign round).

    signed (forms.signer) carries the 填报人 / 联系电话 typed on the start page into the job.
    """
    forms.resolve(actor, round_id, None)
    params = {"round_id": round_id}
    if signed is not None:
        params.update({k: v for k, v in (("person", signed.person), ("phone", signed.phone)) if v is not None})
    return jobs.start(user, form, params, lang)

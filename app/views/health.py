"""支部体检: committee → general branches × rules, general branch → branches × rules, branch → its rules.

Every cell opens the records behind it; every table exports to xlsx in the same scope; the
charts are drawn by app/static/health/health.js from the JSON the page carries.
"""
from __future__ import annotations

from flask import abort, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import get_locale
from flask_babel import gettext as _
from io import BytesIO

from app.extensions import db
from app.forms.health import health_workbook
from app.models import BRANCH_CATEGORIES, GRADE_LABELS, HEALTH_PROFILES, HEALTH_STATUSES, Branch, GeneralBranch, label
from app.rules import RULE_IDS
from app.security.scope import current_org
from app.services.health import default_year, grade_distribution, health_report
from app.services.health_summary import committee_summary
from app.views.forms import XLSX
from app.views.health_links import RULE_NAMES, evidence_rows, records_url
from app.views.paging import matches, page_of

MIN_YEAR, MAX_YEAR = 2000, 2100
COMMITTEE_PAGE = 50           # general branches per page of the committee's table


def _year() -> int:
    """?year=YYYY, default this year; anything else is a 400 with a clear message."""
    raw = request.args.get("year")
    if raw in (None, ""):
        return default_year()
    try:
        year = int(raw)
    except ValueError:
        year = 0
    if not MIN_YEAR <= year <= MAX_YEAR:
        abort(400, description=_("年份须为 %(low)d 至 %(high)d 之间的整数。", low=MIN_YEAR, high=MAX_YEAR))
    return year


def _lang() -> str:
    return "en" if str(get_locale()).startswith("en") else "zh"


def _pct(share) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def _scoped(model, pk):
    row = db.session.get(model, pk)     # the guard scopes it: a foreign id is None
    if row is None:
        abort(404)
    return row


class HealthView(BaseView):
    """支部体检 (H1–H11) for the actor's scope."""

    route_base = "/health"
    class_permission_name = "Health"
    method_permission_name = {"index": "read", "committee": "read", "general_branch": "read", "branch": "read",
                              "export": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        org, year = current_org(), _year()
        if org is not None and org.kind == "branch":
            return redirect(url_for("HealthView.branch", branch_id=org.branch_id, year=year))
        if org is not None and org.kind == "general_branch":
            return redirect(url_for("HealthView.general_branch", gb_id=org.general_branch_id, year=year))
        return redirect(url_for("HealthView.committee", year=year))

    @expose("/committee")
    @has_access
    def committee(self):
        """General branches × rules from the kept summary (app/services/health_summary.py), a page
        of COMMITTEE_PAGE general branches at a time (a city's committee holds thousands),
        searchable by name and narrowed to those with a failing rule; the totals, the H3 share
        and the compliance chart are the whole scope's. A general branch or a branch has its
        own page."""
        org, year = current_org(), _year()
        if org is None or org.kind in ("general_branch", "branch"):
            return redirect(url_for("HealthView.index", year=year))
        summary = committee_summary(year)
        search, failing = request.args.get("q", "").strip(), request.args.get("failing") == "1"
        chosen = [gb_id for gb_id, name in summary.general_branches.items()
                  if matches(name, search) and (not failing or any(summary.tally(r, gb_id)["fail"] for r in RULE_IDS))]
        page, pages = page_of(len(chosen), COMMITTEE_PAGE)
        shown = chosen[page * COMMITTEE_PAGE:(page + 1) * COMMITTEE_PAGE]
        rows = [self._gb_row(summary, gb_id, summary.general_branches[gb_id], year) for gb_id in shown]
        totals = {rule: summary.tally(rule) for rule in RULE_IDS}
        pager = {"page": page, "pages": pages, "total": len(chosen), "args": {"year": year, "q": search or None,
                                                                             "failing": "1" if failing else None}}
        return self.render_template(
            "health/committee.html", report=summary, year=year, rows=rows, totals=totals, rules=RULE_IDS,
            titles=RULE_NAMES, lang=_lang(), pct=_pct, h3=summary.h3_share, search=search,
            failing=failing, pager=pager, charts=self._committee_charts(summary, grade_distribution(), shown),
            profiles=self._profiles(summary))

    @expose("/general-branch/<int:gb_id>")
    @has_access
    def general_branch(self, gb_id):
        year = _year()
        gb = _scoped(GeneralBranch, gb_id)
        report = health_report(year, general_branch_id=gb.id)
        grades = grade_distribution(general_branch_id=gb.id)
        return self.render_template(
            "health/general_branch.html", report=report, year=year, gb=gb, rows=report.branches,
            totals={rule: report.tally(rule) for rule in RULE_IDS}, rules=RULE_IDS, titles=RULE_NAMES,
            lang=_lang(), pct=_pct, records_url=records_url, statuses=HEALTH_STATUSES, label=label,
            categories=BRANCH_CATEGORIES, h3=report.h3_share.get(gb.id), h9=report.h9_committee.get(gb.id),
            charts=self._charts(report, grades), profiles=self._profiles(report),
            highlight=request.args.get("rule"))

    @expose("/branch/<int:branch_id>")
    @has_access
    def branch(self, branch_id):
        year = _year()
        item = _scoped(Branch, branch_id)
        report = health_report(year, branch_id=item.id)
        row = report.branch(item.id)
        if row is None:
            abort(404)
        return self.render_template(
            "health/branch.html", report=report, year=year, item=item, row=row, rules=RULE_IDS,
            titles=RULE_NAMES, lang=_lang(), records_url=records_url, statuses=HEALTH_STATUSES, label=label,
            categories=BRANCH_CATEGORIES, charts=self._charts(report, None), evidence_rows=evidence_rows,
            profiles=self._profiles(report))

    @expose("/export/<level>")
    @has_access
    def export(self, level):
        """The table of a page as xlsx, in the same scope: committee, general-branch (?id=), branch (?id=)."""
        year, lang = _year(), _lang()
        titles = [str(RULE_NAMES[r]) for r in RULE_IDS]
        if level == "committee":
            if current_org() is None or current_org().kind in ("general_branch", "branch"):
                abort(404)
            summary = committee_summary(year)
            headings = [_("党总支"), _("党支部数")] + [f"{r} {t}" for r, t in zip(RULE_IDS, titles)]
            rows = []
            for gb_id, name in summary.general_branches.items():
                cells = [name, summary.branches[gb_id]]
                for rule in RULE_IDS:
                    t = summary.tally(rule, gb_id)
                    cells.append(_("达标 %(p)d / 提醒 %(w)d / 未达标 %(f)d（%(c)s）", p=t["pass"], w=t["warn"],
                                   f=t["fail"], c=_pct(t["compliance"])))
                rows.append(cells)
            name = f"health-committee-{year}.xlsx"
        elif level in ("general-branch", "branch"):
            pk = request.args.get("id", type=int)
            if pk is None:
                abort(400, description=_("缺少 id 参数。"))
            if level == "general-branch":
                report = health_report(year, general_branch_id=_scoped(GeneralBranch, pk).id)
            else:
                report = health_report(year, branch_id=_scoped(Branch, pk).id)
            if level == "branch":
                headings = [_("规则"), _("结果"), _("下一步"), _("依据")]
                b = report.branches[0] if report.branches else None
                rows = [[f"{r} {str(RULE_NAMES[r])}", label(HEALTH_STATUSES, b.results[r].status),
                         b.results[r].next_step(lang),
                         "\n".join(f"{k}：{v}" for k, v in evidence_rows(b.results[r].evidence))]
                        for r in RULE_IDS] if b else []
            else:
                headings = [_("党支部"), _("类别")] + [f"{r} {t}" for r, t in zip(RULE_IDS, titles)]
                rows = [[b.name, label(BRANCH_CATEGORIES, b.category)]
                        + [label(HEALTH_STATUSES, b.results[r].status) for r in RULE_IDS] for b in report.branches]
            name = f"health-{level}-{pk}-{year}.xlsx"
        else:
            abort(404)
        data = health_workbook(_("支部体检 %(year)d", year=year), headings, rows)
        return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)

    # -- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _gb_row(summary, gb_id, name, year):
        cells = {}
        for rule in RULE_IDS:
            t = summary.tally(rule, gb_id)
            cells[rule] = dict(t, url=url_for("HealthView.general_branch", gb_id=gb_id, year=year, rule=rule))
        return {"id": gb_id, "name": name, "branches": summary.branches[gb_id], "cells": cells,
                "url": url_for("HealthView.general_branch", gb_id=gb_id, year=year)}

    @staticmethod
    def _profiles(report):
        return sorted({label(HEALTH_PROFILES, p.profile) for p in report.policies.values()})

    @staticmethod
    def _compliance(report):
        return [{"rule": r, "title": str(RULE_NAMES[r]),
                 "value": None if report.tally(r)["compliance"] is None
                 else round(report.tally(r)["compliance"] * 100, 1)} for r in RULE_IDS]

    @staticmethod
    def _chart_data(compliance, hours, target, months, grades, policy):
        """The data of the five charts, as plain JSON for health.js."""
        data = {
            "labels": {"compliance": _("各规则达标率（%）"), "hours": _("书记培训学时与目标"),
                       "target": _("目标"), "months": _("每月组织生活次数"), "grades": _("各党总支分类定级"),
                       "goal": _("本科生党支部好/较好占比（%）"), "goal_line": _("工作目标")},
            "compliance": compliance, "hours": hours, "hours_target": target,
            "months": months, "month_names": [f"{m}" for m in range(1, 13)],
        }
        if grades is not None:
            data["grades"] = grades["rows"]
            data["grade_names"] = {code: str(name) for code, name in GRADE_LABELS.items()}
            data["goal"] = grades["goal"]
            data["goal_share"] = round((policy.undergraduate_goal_share if policy else 0.9) * 100, 1)
        return data

    @classmethod
    def _committee_charts(cls, summary, grades, shown):
        """The committee's charts: compliance over the scope, the rest for the general branches
        shown on the page."""
        policy = next(iter(summary.policies.values()), None)
        hours = [{"name": summary.general_branches[g], "value": round(summary.hours[g], 1) if summary.hours[g] else 0}
                 for g in shown]
        months = [{"name": summary.general_branches[g], "values": summary.months[g]} for g in shown]
        kept = set(shown)
        grades = dict(grades, rows=[r for r in grades["rows"] if r["id"] in kept],
                      goal=[r for r in grades["goal"] if r["id"] in kept])
        return cls._chart_data(cls._compliance(summary), hours, policy.secretary_hours if policy else 40.0, months,
                               grades, policy)

    @classmethod
    def _charts(cls, report, grades):
        """The charts of a general branch's or a branch's page: one bar per branch."""
        policy = next(iter(report.policies.values()), None)
        hours = [{"name": b.name, "value": b.results["H4"].evidence.get("hours", 0)} for b in report.branches]
        months = [{"name": b.name, "values": [b.results["H7"].evidence["per_month"].get(f"{report.year}-{m:02d}", 0)
                                              for m in range(1, 13)]} for b in report.branches]
        return cls._chart_data(cls._compliance(report), hours, policy.secretary_hours if policy else 40.0, months,
                               grades, policy)

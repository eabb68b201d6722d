"""explain(): a ScoringResult in plain sentences, Chinese (default) or English.

Pure text templates, no gettext: the engine must not import Flask-Babel. Views pass the
user's locale as `lang` ('zh', 'zh_CN', 'en', 'en-US' ...).
"""

from __future__ import annotations

_ZH = {
    "source": {"self": "党支部委员会自评", "members": "支部党员评议",
               "peer": "党支部分类互评", "superior": "上级党组织考评"},
    "rate": {"mass": "群众对党员发挥作用的满意率", "secretary": "支部书记在党员中的满意率"},
    "sep": "、",
    "src_score": "{src}：{score} 分，权重 {w}",
    "src_reweighted": "{src}：{score} 分，权重 {w}，缺项后按比例折算为 {eff}",
    "src_missing": "{src}：无分数（权重 {w}），不计入综合得分",
    "src_unweighted": "{src}：{score} 分，权重 0%，不计入综合得分",
    "missing": "缺少{srcs}的分数：其余来源按权重比例重新分配，综合得分为部分结果。",
    "composite": "综合得分 {c} 分（= {terms}）。",
    "no_composite": "没有任何计入权重的来源有分数，无法计算综合得分。",
    "cut_reached": "综合得分达到“{g}”的分数线 {cut} 分。",
    "cut_below_all": "综合得分低于“{g}”的分数线 {cut} 分，对应“较差”。",
    "capped": "{rate} {r} 低于标准 {t}，因此不能评为“好”。",
    "below_no_effect": "{rate} {r} 低于标准 {t}（低于标准时不能评为“好”）。",
    "below_cap_off": "{rate} {r} 低于标准 {t}；按本单位规则满意率仅作参考，不限制等次。",
    "no_rate": "未提供{rate}，满意率标准和否决项 V4 未检查该项。",
    "V1": "V1 近两年来党支部书记有重大违纪违法行为：{dates}，在考评日前 {years} 年内（自 {start} 起），直接定为“较差”。",
    "V2": ("V2 无故长期不换届：上次换届 {elected}，任期 {term} 年，应于 {due} 换届{grace}，"
           "考评日已超过 {over} 天，且未记录免除理由，直接定为“较差”。"),
    "V2_grace": "，宽限 {months} 个月至 {deadline}",
    "V3": "V3 一年以上没有开展活动：最近一次活动 {last}，距考评日 {days} 天（超过 {limit} 天），直接定为“较差”。",
    "V3_none": "V3 一年以上没有开展活动：没有任何活动记录，直接定为“较差”。",
    "V4": "V4 满意率低于 {t}：{rates}，直接定为“较差”。",
    "rate_value": "{rate} {r}",
    "no_election_date": "未填写支部换届日期，无法检查 V2（无故长期不换届）。",
    "election_exempt": "换届已超过期限（应于 {deadline} 前，含宽限），但记录了免除理由“{reason}”，不触发 V2。",
    "combined_unmet": ("{which}的情形存在，但本单位规则要求“无故长期不换届和一年以上没有开展活动”同时成立，"
                       "未触发否决。"),
    "which": {"V2": "无故长期不换届", "V3": "一年以上没有开展活动"},
    "origin_ballots": "{fig}：按 {n} 张匿名选票统计（最低有效票数 {k}）{state}。",
    "origin_short": "{fig}：匿名测评只收到 {n} 张选票，少于最低有效票数 {k}，按缺项处理{state}。",
    "origin_typed": "{fig}：未开展匿名测评，按纸质表手工录入。",
    "origin_open": "，测评进行中，结果随选票更新",
    "origin_closed": "，测评已结束，结果为最终结果",
    "final": "最终等次：{g}（{code}）。",
    "final_capped": "最终等次：{g}（{code}）：综合得分已达“好”，因满意率未达标降为“较好”。",
    "final_veto": "最终等次：{g}（{code}），由否决项 {codes} 直接确定，与综合得分无关。",
    "final_none": "无法确定等次：没有分数，也没有否决项。",
}

_EN = {
    "source": {"self": "Branch committee self-assessment", "members": "Members' appraisal",
               "peer": "Peer review by branches of the same category", "superior": "Superior organization's assessment"},
    "rate": {"mass": "the masses' satisfaction with members' role",
             "secretary": "members' satisfaction with the branch secretary"},
    "sep": ", ",
    "src_score": "{src}: {score}, weight {w}",
    "src_reweighted": "{src}: {score}, weight {w}, re-weighted to {eff} because a source is missing",
    "src_missing": "{src}: no score (weight {w}), left out of the composite",
    "src_unweighted": "{src}: {score}, weight 0%, not counted",
    "missing": "Missing: {srcs}. The other sources were re-weighted in proportion; the composite is partial.",
    "composite": "Composite score {c} (= {terms}).",
    "no_composite": "No weighted source has a score, so there is no composite score.",
    "cut_reached": "The composite reaches the cut-off for {g}, {cut}.",
    "cut_below_all": "The composite is below the cut-off for {g}, {cut}, which means Poor.",
    "capped": "{rate_cap} is {r}, below the standard of {t}, so the grade cannot be Good.",
    "below_no_effect": "{rate_cap} is {r}, below the standard of {t} (a branch below standard cannot be graded Good).",
    "below_cap_off": "{rate_cap} is {r}, below the standard of {t}; under this policy satisfaction is for reference only.",
    "no_rate": "No figure for {rate}: the satisfaction standard and veto V4 were not checked for it.",
    "V1": ("V1 the branch secretary committed a major violation of discipline or law within {years} years before "
           "the round (since {start}): {dates}. Graded Poor."),
    "V2": ("V2 no re-election for a long time without cause: last elected {elected}, term {term} years, due {due}"
           "{grace}, now {over} days overdue and no exemption recorded. Graded Poor."),
    "V2_grace": ", {months} months' grace until {deadline}",
    "V3": ("V3 no activity for over a year: last activity {last}, {days} days before the round (more than {limit}). "
           "Graded Poor."),
    "V3_none": "V3 no activity for over a year: no activity on record. Graded Poor.",
    "V4": "V4 a satisfaction rate below {t}: {rates}. Graded Poor.",
    "rate_value": "{rate} {r}",
    "no_election_date": "No committee election date on record, so V2 (no re-election without cause) could not be checked.",
    "election_exempt": ("Re-election is overdue (due by {deadline}, grace included) but an exemption is recorded "
                        "(\"{reason}\"), so V2 does not apply."),
    "combined_unmet": ("The condition '{which}' holds, but this policy vetoes only when no re-election and no activity "
                       "for over a year hold together, so no veto."),
    "which": {"V2": "no re-election without cause", "V3": "no activity for over a year"},
    "origin_ballots": "{fig_cap}: tallied from {n} anonymous ballots (minimum turnout {k}){state}.",
    "origin_short": ("{fig_cap}: the anonymous ballot has only {n} ballots, fewer than the minimum turnout of {k}, "
                     "so it counts as missing{state}."),
    "origin_typed": "{fig_cap}: no anonymous ballot runs; typed in from paper forms.",
    "origin_open": "; the ballot is still open and the figure follows the votes",
    "origin_closed": "; the ballot is closed and the figure is final",
    "final": "Final grade: {g} ({code}).",
    "final_capped": "Final grade: {g} ({code}): the composite reached Good, lowered to Fairly good because a satisfaction rate is below standard.",
    "final_veto": "Final grade: {g} ({code}), set by veto {codes} whatever the composite.",
    "final_none": "No grade: there are no scores and no veto.",
}

_TEXTS = {"zh": _ZH, "en": _EN}


def _lang(lang) -> str:
    code = str(lang or "zh").replace("-", "_").split("_")[0].lower()
    if code not in _TEXTS:
        raise ValueError(f"explain(): unsupported language {lang!r} (use 'zh' or 'en')")
    return code


def pct(fraction: float) -> str:
    """0.375 -> '37.5%', 0.3 -> '30%'."""
    text = f"{fraction * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _grade_label(grade, lang: str) -> str:
    return grade.label if lang == "zh" else grade.label_en


def explain_lines(result, lang="zh") -> list[str]:
    """The lines of ScoringResult.explain()."""
    lang = _lang(lang)
    t = _TEXTS[lang]
    p = result.policy
    lines = []
    sources = result.sources
    reweighted = bool(result.missing_sources) and result.composite is not None
    for line in sources:
        src = t["source"][line.source]
        if line.weight <= 0:
            if line.score is not None:
                lines.append(t["src_unweighted"].format(src=src, score=f"{line.score:.2f}"))
        elif line.score is None:
            lines.append(t["src_missing"].format(src=src, w=pct(line.weight)))
        elif reweighted:
            lines.append(t["src_reweighted"].format(src=src, score=f"{line.score:.2f}", w=pct(line.weight),
                                                    eff=pct(line.effective_weight)))
        else:
            lines.append(t["src_score"].format(src=src, score=f"{line.score:.2f}", w=pct(line.weight)))
    lines.extend(_origin_lines(result, t))
    if result.missing_sources and result.composite is not None:
        lines.append(t["missing"].format(srcs=t["sep"].join(t["source"][s] for s in result.missing_sources)))

    if result.composite is None:
        lines.append(t["no_composite"])
    else:
        terms = " + ".join(f"{s.score:.2f}×{pct(s.effective_weight)}" for s in sources if s.effective_weight > 0)
        lines.append(t["composite"].format(c=f"{result.composite:.2f}", terms=terms))
        reached = [(cut, g) for cut, g in p.grade_steps if result.composite >= cut]
        if reached:
            cut, g = reached[0]
            lines.append(t["cut_reached"].format(g=_grade_label(g, lang), cut=_num(cut)))
        else:
            cut, g = p.grade_steps[-1]
            lines.append(t["cut_below_all"].format(g=_grade_label(g, lang), cut=_num(cut)))

    lines.extend(_satisfaction_lines(result, t))
    lines.extend(_veto_lines(result, t, lang))
    lines.extend(_note_lines(result, t))
    lines.append(_final_line(result, t, lang))
    return lines


def _origin_lines(result, t) -> list[str]:
    """Where the members source and the rates came from: ballots (with turnout) or typed."""
    out = []
    for o in result.assessment.origins:
        fig = t["source"]["members"] if o.figure == "members" else t["rate"][o.figure]
        names = {"fig": fig, "fig_cap": fig[:1].upper() + fig[1:]}
        if o.kind == "typed":
            out.append(t["origin_typed"].format(**names))
            continue
        state = t["origin_closed"] if o.closed else t["origin_open"]
        key = "origin_ballots" if o.turnout >= o.min_turnout else "origin_short"
        out.append(t[key].format(n=o.turnout, k=o.min_turnout, state=state, **names))
    return out


def _satisfaction_lines(result, t) -> list[str]:
    p = result.policy
    a = result.assessment
    out = []
    if result.vetoes:
        return out  # a veto decides the grade; the cap no longer matters
    for which in result.below_standard:
        rate = a.mass_satisfaction if which == "mass" else a.secretary_satisfaction
        standard = p.satisfaction_mass if which == "mass" else p.satisfaction_secretary
        name = t["rate"][which]
        if result.capped:
            key = "capped"
        elif p.satisfaction_cap:
            key = "below_no_effect"
        else:
            key = "below_cap_off"
        out.append(t[key].format(rate=name, rate_cap=name[:1].upper() + name[1:], r=pct(rate), t=pct(standard)))
    return out


def _veto_lines(result, t, lang) -> list[str]:
    out = []
    sep = t["sep"]
    for fact in result.veto_facts:
        d = fact.detail
        if fact.code == "V1":
            out.append(t["V1"].format(dates=sep.join(x.isoformat() for x in d["dates"]), years=d["years"],
                                      start=d["window_start"].isoformat()))
        elif fact.code == "V2":
            grace = t["V2_grace"].format(months=d["grace_months"], deadline=d["deadline"].isoformat())
            out.append(t["V2"].format(elected=d["elected_on"].isoformat(), term=d["term_years"],
                                      due=d["due"].isoformat(), grace=grace if d["grace_months"] else "",
                                      over=d["days_overdue"]))
        elif fact.code == "V3":
            if d["last_activity_on"] is None:
                out.append(t["V3_none"])
            else:
                out.append(t["V3"].format(last=d["last_activity_on"].isoformat(), days=d["days"], limit=d["limit"]))
        elif fact.code == "V4":
            rates = sep.join(t["rate_value"].format(rate=t["rate"][k], r=pct(r)) for k, r in d["rates"])
            out.append(t["V4"].format(t=pct(d["threshold"]), rates=rates))
    return out


def _note_lines(result, t) -> list[str]:
    out = []
    for note in result.notes:
        d = note.detail
        if note.code == "no_rate":
            out.append(t["no_rate"].format(rate=t["rate"][d["rate"]]))
        elif note.code == "no_election_date":
            out.append(t["no_election_date"])
        elif note.code == "election_exempt":
            out.append(t["election_exempt"].format(deadline=d["deadline"].isoformat(), reason=d["exemption"]))
        elif note.code == "combined_unmet":
            which = next(code for code in ("V2", "V3") if d[code] is not None)
            out.append(t["combined_unmet"].format(which=t["which"][which]))
    return out


def _final_line(result, t, lang) -> str:
    g = result.grade
    if g is None:
        return t["final_none"]
    label = _grade_label(g, lang)
    if result.vetoes:
        return t["final_veto"].format(g=label, code=g.code, codes=t["sep"].join(result.vetoes))
    if result.capped:
        return t["final_capped"].format(g=label, code=g.code)
    return t["final"].format(g=label, code=g.code)


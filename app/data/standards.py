"""The standards (五个好) of 附表1 (teacher branches) and 附表2 (student branches), as printed.

Plain data for the seed migration and the forms; imports nothing. Texts are verbatim from
shared/seed/000_bcd26b857b112677.txt (tests/unit/test_standards.py checks every one), item
numbering included as printed. Seed quirks kept on purpose: 附表1 standard 1 item 2 has an
ASCII comma ("决议,有力"); 附表2 standard 1 numbers its items 1., 2., 4.; 附表2 standard 5
speaks of 学生 (students) where 附表1 says 群众 (the masses).

附件1 四、(一) leaves the standards for 管理/服务/离退休 branches to the committee ("参照该办法
研究制定"): they start as copies of the teacher set (CATEGORY_STANDARD_SET).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Standard:
    """One of the five standards: 考评标准 (number, title), 考评标准内涵 and 考评要素."""

    number: int                 # 1..5 as printed before the title ("1.支部班子好")
    title: str                  # e.g. 支部班子好
    title_en: str
    connotation: str            # 考评标准内涵
    elements: tuple[str, ...]   # 考评要素, one string per item, numbering as printed ("1.支部设置合理，按时换届。")

    @property
    def elements_text(self) -> str:
        """The 考评要素 cell as one text, one item a line."""
        return "\n".join(self.elements)


TEACHER_STANDARDS = (
    Standard(
        number=1,
        title="支部班子好",
        title_en="Strong branch committee",
        connotation="深入学习实践科学发展观，坚决贯彻执行党的路线方针政策，团结协作、求真务实，有较强的号召力和影响力。",
        elements=(
            "1.支部设置合理，按时换届。",
            "2.支委会宣传、执行党的路线方针政策和上级党组织的决议,有力保证教学、科研等各项任务的完成；组织健全、分工明确、协调配合、作用发挥好，支持本单位行政负责人的工作，经常与行政负责人沟通情况，对单位的工作提出意见和建议；支部委员带头学习马列主义、毛泽东思想、中国特色社会主义理论体系，理论水平较高。",
            "3.支部书记具有较高的政治素质和较强的工作能力，在所在单位群众中威信较高，具有副高级以上专业技术职务，每年学习培训时间不少于40学时。",
        ),
    ),
    Standard(
        number=2,
        title="党员队伍好",
        title_en="Strong membership",
        connotation="党员素质优良，有较强的党员意识、大局意识、责任意识、忧患意识，能够充分发挥先锋模范作用。",
        elements=(
            "1.认真培养教育入党积极分子，严格履行入党手续，做好发展党员工作，发展党员质量高；加强在学科带头人、优秀青年教师中发展党员工作，教学科研骨干中党员比例较高；认真做好预备党员的考察和转正工作。",
            "2.严格党员管理，党员正确行使权利、认真履行义务；党员党费缴纳及时足额。",
            "3.努力建设学习型党支部，定期组织党员学习，发挥北京高校教师党员在线学习网站平台作用，党员每年培训不少于24学时，其中在线学习不少于12学时。",
            "4.党员事业心和责任感强，努力提高业务水平，工作中发挥骨干带头作用，关心本单位事业发展，主动建言献策；党员主动关心并帮助解决教职工和学生的思想问题和实际困难，积极为青年教师和大学生健康成长服务；党员积极参与志愿服务。",
        ),
    ),
    Standard(
        number=3,
        title="工作机制好",
        title_en="Sound working mechanisms",
        connotation="履行好党支部工作职责，充分发挥推动发展、服务群众、凝聚人心、促进和谐的作用，制度健全，机制顺畅。",
        elements=(
            "1.党支部书记参与讨论决定本单位重要事项的工作机制健全、运行顺畅。",
            "2.坚持“三会一课”制度；坚持至少每月1次组织生活，每年召开1次组织生活会，每2年进行1次民主评议党员。",
            "3.支部有年度工作计划和总结，支部手册填写符合要求。",
            "4.支部学习和工作制度健全，不断完善党内激励、关怀、帮扶工作机制，不断健全党支部活动立项、党支部共建等支部工作创新机制。",
        ),
    ),
    Standard(
        number=4,
        title="工作业绩好",
        title_en="Good work results",
        connotation="紧紧围绕中心，服务大局，团结师生员工为学校事业发展做出积极贡献，支部活力强，工作成绩突出。",
        elements=(
            "1.引导和带领全体党员和师生员工立足本职、创先争优，战斗堡垒作用充分发挥，工作成效明显、业绩突出。",
            "2.加强师德师风建设，立德树人、教书育人，促进学生成长成才。",
            "3.支部活动丰富，主题鲜明，有特色，吸引力强，支部建设取得显著成果，受到上级表彰表扬或被树为典型。",
            "4.及时了解掌握党员群众的思想状况，有针对性地做好思想政治工作，努力化解矛盾、理顺情绪，本单位和谐稳定，教师思想积极健康向上。",
        ),
    ),
    Standard(
        number=5,
        title="群众反映好",
        title_en="Good standing with the masses",
        connotation="党群关系密切，党组织有较高威信，党员有良好形象。",
        elements=(
            "1.群众对党员发挥作用的满意率达到70%。",
            "2.支部书记在党员中的满意率达到80%。",
        ),
    ),
)
STUDENT_STANDARDS = (
    Standard(
        number=1,
        title="支部班子好",
        title_en="Strong branch committee",
        connotation="深入学习实践科学发展观，坚决贯彻执行党的路线方针政策，团结协作、求真务实，推动学生班级进步，有较强的影响力和凝聚力。",
        elements=(
            "1.支部设置合理，按时换届。",
            "2.支委会自觉坚持党的路线方针政策，坚决执行上级党组织的决议，推动学生班级进步；组织健全、分工明确、协调配合，支持、指导和帮助团支部、班委会及学生社团根据学生特点开展工作；支部委员带头学习马列主义、毛泽东思想、中国特色社会主义理论体系，理论水平较高。",
            # Printed "4." right after "2." in 附表2 (there is no item 3): kept as printed, since the
            # text must match the seed; the teacher set has this item as "3.".
            "4.党支部书记具有较高的政治素质和较强的工作能力，在所在单位群众中威信较高，每年培训时间一般不少于40学时。",
        ),
    ),
    Standard(
        number=2,
        title="党员队伍好",
        title_en="Strong membership",
        connotation="党员素质优良，有较强的党员意识、大局意识、责任意识、忧患意识，能够充分发挥先锋模范作用。",
        elements=(
            "1.入党积极分子队伍壮大，重视培养教育，严格标准和程序，发展党员质量高；认真做好预备党员的教育、考察、转正工作。",
            "2.严格党员管理，党员正确行使权利、认真履行义务；党员党费缴纳及时足额。",
            "3.努力建设学习型党支部，定期组织党员学习，党员每年培训不少于16学时。",
            "4.党员在学习、科研、社会实践和志愿服务等各方面表现突出；服务意识和奉献精神强，做好联系和服务学生工作，努力帮助解决实际问题。",
        ),
    ),
    Standard(
        number=3,
        title="工作机制好",
        title_en="Sound working mechanisms",
        connotation="履行好党支部工作职责，制度健全，机制顺畅。",
        elements=(
            "1.建立与团支部、班委会协同工作机制，支持、指导和帮助团支部、班委会及学生社团根据学生特点开展工作。",
            "2.坚持“三会一课”制度；坚持至少每月1次组织生活，每年召开1次组织生活会，每2年进行1次民主评议党员。",
            "3.支部有年度工作计划和总结，支部手册填写符合要求。",
            "4.支部学习和工作制度健全，党支部关心支部成员学习和生活，不断完善党内激励、关怀、帮扶工作机制，不断健全党支部活动立项、党支部共建等支部工作创新机制。",
        ),
    ),
    Standard(
        number=4,
        title="工作业绩好",
        title_en="Good work results",
        connotation="紧紧围绕中心，服务大局，发挥战斗堡垒和先锋模范作用，支部活力强，工作成绩突出。",
        elements=(
            "1.引导党员立足本职、创先争优，以党建带团建、促班建，带动班级团结进步，带动广大学生勤奋学习、积极奉献、努力成才，战斗堡垒作用充分发挥，党支部成为班级核心。",
            "2.积极影响、带动广大学生明确学习目的，树立优良学风，完成学习任务。",
            "3.支部活动丰富，主题鲜明，有特色，吸引力强，支部建设取得显著成果，受到上级表彰表扬或被树为典型。",
            "4.及时了解掌握学生思想状况，维护学生正当权益，做好思想政治工作，学生学风优良、思想积极健康向上。",
        ),
    ),
    Standard(
        number=5,
        title="群众反映好",
        title_en="Good standing with the masses",
        connotation="党群关系密切，党组织有较高威信，党员有良好形象。",
        elements=(
            "1.学生对党员发挥作用的满意率达到70%。",
            "2.支部书记在党员中的满意率达到80%。",
        ),
    ),
)


#: Standard set key -> the five standards.
STANDARD_SETS = {"teacher": TEACHER_STANDARDS, "student": STUDENT_STANDARDS}

#: Standard set key -> the title the seed prints above its table.
STANDARD_SET_TITLES = {
    "teacher": "北京高校教师党支部考核测评标准（试行）",
    "student": "北京高校学生党支部考核测评标准（试行）",
}

#: Branch category (DOMAIN.md Branch.category) -> standard set key. 管理/服务/离退休 are
#: seeded as copies of the teacher set; the committee may author its own later.
CATEGORY_STANDARD_SET = {
    "teacher": "teacher",
    "undergraduate": "student",
    "graduate": "student",
    "admin": "teacher",
    "service": "teacher",
    "retired": "teacher",
}


def standards_for(category: str) -> tuple[Standard, ...]:
    """The five standards that apply to a branch category; KeyError names an unknown category."""
    try:
        return STANDARD_SETS[CATEGORY_STANDARD_SET[category]]
    except KeyError:
        raise KeyError(f"unknown branch category {category!r} (expected one of {', '.join(CATEGORY_STANDARD_SET)})") from None

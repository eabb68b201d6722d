"""Column specifications and row types of the two rosters.

Pure data: no flask, no sqlalchemy. ``max_len`` follows the database columns
(app/models: number 40, name 60, unit 120, general branch / branch name 120).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

# ---------------------------------------------------------------- row types


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One member of a branch roster, as typed in the roster file."""

    number: str                      # 学号/工号, the key (unique in a committee)
    name: str
    gender: str | None               # 'M' | 'F' | None
    member_type: str                 # 'formal' | 'probationary'
    joined_on: date | None
    unit: str | None                 # 所在单位/班级/课题组
    is_teacher_backbone: bool
    general_branch: str              # 所属党总支 (name)
    branch: str                      # 所属党支部 (name)


@dataclass(frozen=True, slots=True)
class BranchRow:
    """One branch, as typed in the branch roster. Key: (general_branch, name)."""

    general_branch: str
    name: str
    category: str                    # see CATEGORY choices
    is_joint: bool
    founded_on: date | None
    elected_on: date | None
    term_years: int
    note: str | None


@dataclass(frozen=True, slots=True)
class TrainingRow:
    """One member credited with one training event. Key: the number and the event (date, topic,
    hours, mode, organizer)."""

    number: str                      # 学号/工号 of the member (in the importer's scope)
    name: str | None                 # checked against the roster when given
    held_on: date
    topic: str
    hours: float
    online: bool
    organizer: str | None


@dataclass(frozen=True, slots=True)
class AppraisalRow:
    """One 民主评议党员 result, as typed in the appraisal sheet. Key: (number, year)."""

    number: str                      # 学号/工号 of the member (in the importer's scope)
    name: str | None                 # the member's name, checked against the roster when given
    year: int
    result: str                      # see APPRAISAL_RESULT choices
    note: str | None


# ---------------------------------------------------------------- choices


@dataclass(frozen=True, slots=True)
class Choice:
    code: object                     # stored value ('M', 'formal', True, ...)
    zh: str                          # label written by templates and exports
    en: str                          # label of the English template
    aliases: tuple[str, ...] = ()    # further accepted spellings


GENDER = (
    Choice("M", "男", "male", ("m", "男性")),
    Choice("F", "女", "female", ("f", "女性")),
)
MEMBER_TYPE = (
    Choice("formal", "正式党员", "formal", ("正式",)),
    Choice("probationary", "预备党员", "probationary", ("预备",)),
)
CATEGORY = (
    Choice("teacher", "教师", "teacher", ("教工", "教师党支部", "教工党支部")),
    Choice("undergraduate", "本科生", "undergraduate", ("本科生党支部", "本科")),
    Choice("graduate", "研究生", "graduate", ("研究生党支部",)),
    Choice("admin", "管理", "admin", ("administration", "管理党支部")),
    Choice("service", "服务", "service", ("服务党支部",)),
    Choice("retired", "离退休", "retired", ("离退休党支部",)),
)
APPRAISAL_RESULT = (
    Choice("excellent", "优秀", "excellent"),
    Choice("qualified", "合格", "qualified"),
    Choice("basic", "基本合格", "basically qualified", ("basic",)),
    Choice("unqualified", "不合格", "unqualified", ("not qualified",)),
)
YES_NO = (
    Choice(True, "是", "yes", ("y", "true", "1", "√", "✓", "✔")),
    Choice(False, "否", "no", ("n", "false", "0", "×", "✗", "✘")),
)

# ---------------------------------------------------------------- columns

TEXT = "text"          # free text, one line
NOTE = "note"          # free text, may hold line breaks
KEY = "key"            # an identifier (member number): no spaces, NFKC-normalised
DATE = "date"
ENUM = "enum"
BOOL = "bool"
INT = "int"
DECIMAL = "decimal"    # a number with at most one decimal place (training hours)


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    field: str
    header_zh: str
    header_en: str
    kind: str
    required: bool = False
    choices: tuple[Choice, ...] = ()
    max_len: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    default: object = None           # value of a blank cell / an absent column
    width: float = 14
    aliases: tuple[str, ...] = ()    # further accepted header texts
    help_zh: str = ""
    help_en: str = ""

    def header(self, lang: str = "zh") -> str:
        return self.header_en if lang == "en" else self.header_zh


@dataclass(frozen=True, slots=True)
class RosterSpec:
    kind: str                        # 'member' | 'branch'
    title_zh: str                    # 党员名册
    title_en: str
    sheet_zh: str                    # data sheet name
    sheet_en: str
    columns: tuple[ColumnSpec, ...]
    key_fields: tuple[str, ...]
    row_type: type
    example_rows: tuple = field(default=())

    def column(self, field_name: str) -> ColumnSpec:
        for col in self.columns:
            if col.field == field_name:
                return col
        raise KeyError(field_name)

    @property
    def required_columns(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if c.required)

    def sheet_name(self, lang: str = "zh") -> str:
        return self.sheet_en if lang == "en" else self.sheet_zh

    def headers(self, lang: str = "zh") -> list[str]:
        return [c.header(lang) for c in self.columns]


MEMBER_SPEC = RosterSpec(
    kind="member",
    title_zh="党员名册",
    title_en="Member roster",
    sheet_zh="党员名册",
    sheet_en="Members",
    key_fields=("number",),
    row_type=MemberRow,
    columns=(
        ColumnSpec("number", "学号/工号", "Number", KEY, required=True, max_len=40, width=16,
                   aliases=("学号", "工号", "学号（工号）", "学工号", "number", "staff/student number"),
                   help_zh="学生填学号，教职工填工号；在本党委内唯一。请按文本填写，以免丢失开头的 0。",
                   help_en="Student number or staff number, unique in the committee. Type it as text "
                           "so that leading zeros are kept."),
        ColumnSpec("name", "姓名", "Name", TEXT, required=True, max_len=60, width=12,
                   help_zh="党员姓名。", help_en="The member's name."),
        ColumnSpec("gender", "性别", "Gender", ENUM, choices=GENDER, width=8,
                   help_zh="男 或 女；可留空。", help_en="male or female (男/女); may be blank."),
        ColumnSpec("member_type", "党员类型", "Member type", ENUM, required=True,
                   choices=MEMBER_TYPE, width=12, aliases=("党员类别",),
                   help_zh="正式党员 或 预备党员。", help_en="formal or probationary (正式党员/预备党员)."),
        ColumnSpec("joined_on", "入党日期", "Joined on", DATE, width=12,
                   aliases=("入党时间",),
                   help_zh="如 2012-04-18；也接受 2012/4/18、2012.4.18、2012年4月18日、20120418。",
                   help_en="e.g. 2012-04-18; 2012/4/18, 2012.4.18, 2012年4月18日 and 20120418 "
                           "are accepted too."),
        ColumnSpec("unit", "所在单位/班级/课题组", "Unit/class/group", TEXT, max_len=120, width=24,
                   aliases=("所在单位", "所在班级", "所在单位（班级、课题组）"),
                   help_zh="教职工填所在单位或课题组，学生填班级；可留空。",
                   help_en="Staff: unit or research group; students: class. May be blank."),
        ColumnSpec("is_teacher_backbone", "教学科研骨干", "Teaching/research backbone", BOOL,
                   choices=YES_NO, default=False, width=14,
                   help_zh="是 或 否；留空视为“否”。", help_en="yes or no (是/否); blank means no."),
        ColumnSpec("general_branch", "所属党总支", "General branch", TEXT, required=True,
                   max_len=120, width=22, aliases=("党总支", "所属党委（党总支）", "所属党委"),
                   help_zh="与系统中的党总支名称一致。",
                   help_en="Exactly as the general branch is named in the system."),
        ColumnSpec("branch", "所属党支部", "Branch", TEXT, required=True, max_len=120, width=26,
                   aliases=("党支部",),
                   help_zh="与系统中的党支部名称一致，且属于上一列的党总支。",
                   help_en="Exactly as the branch is named in the system, under that general branch."),
    ),
)

BRANCH_SPEC = RosterSpec(
    kind="branch",
    title_zh="支部名册",
    title_en="Branch roster",
    sheet_zh="支部名册",
    sheet_en="Branches",
    key_fields=("general_branch", "name"),
    row_type=BranchRow,
    columns=(
        ColumnSpec("general_branch", "所属党总支", "General branch", TEXT, required=True,
                   max_len=120, width=22, aliases=("党总支", "所属党委（党总支）", "所属党委"),
                   help_zh="与系统中的党总支名称一致。",
                   help_en="Exactly as the general branch is named in the system."),
        ColumnSpec("name", "党支部名称", "Branch name", TEXT, required=True, max_len=120, width=28,
                   aliases=("支部名称",),
                   help_zh="党支部全称；同一党总支内不能重名。",
                   help_en="Full name of the branch; unique within its general branch."),
        ColumnSpec("category", "类别", "Category", ENUM, required=True, choices=CATEGORY, width=10,
                   aliases=("党支部类别", "支部类别"),
                   help_zh="教师、本科生、研究生、管理、服务、离退休 之一。",
                   help_en="one of teacher, undergraduate, graduate, admin, service, retired."),
        ColumnSpec("is_joint", "联合党支部", "Joint branch", BOOL, choices=YES_NO, default=False,
                   width=12, aliases=("是否联合党支部",),
                   help_zh="是 或 否；留空视为“否”。", help_en="yes or no (是/否); blank means no."),
        ColumnSpec("founded_on", "成立日期", "Founded on", DATE, width=12,
                   aliases=("成立时间",),
                   help_zh="如 2010-09-15；可留空。", help_en="e.g. 2010-09-15; may be blank."),
        ColumnSpec("elected_on", "换届日期", "Elected on", DATE, width=12,
                   aliases=("换届时间", "上次换届日期"),
                   help_zh="支委会最近一次换届选举的日期；可留空。",
                   help_en="Date of the branch committee's latest election; may be blank."),
        ColumnSpec("term_years", "任期（年）", "Term (years)", INT, default=3, min_value=1,
                   max_value=10, width=10, aliases=("任期",),
                   help_zh="1 至 10 的整数；留空为 3。", help_en="a whole number 1 to 10; blank means 3."),
        ColumnSpec("note", "备注", "Note", NOTE, max_len=32767, width=30,   # Excel's cell limit
                   help_zh="可留空。", help_en="May be blank."),
    ),
)

# Two example rows per roster: the templates put them on the separate sheet 示例
# (Examples), never on the data sheet, so an unedited template imports zero rows.
MEMBER_SPEC = replace(MEMBER_SPEC, example_rows=(
    MemberRow("2012001", "张三", "M", "formal", date(2012, 4, 18), "计算机学院2010级1班", False,
              "计算机学院党委", "计算机学院本科生第一党支部"),
    MemberRow("T0315", "李四", "F", "probationary", date(2024, 6, 30), "物理系凝聚态物理课题组", True,
              "物理系党总支", "物理系教工党支部"),
))
BRANCH_SPEC = replace(BRANCH_SPEC, example_rows=(
    BranchRow("计算机学院党委", "计算机学院本科生第一党支部", "undergraduate", False,
              date(2010, 9, 15), date(2023, 10, 20), 3, None),
    BranchRow("物理系党总支", "物理系教工党支部", "teacher", True,
              date(2005, 3, 1), date(2022, 12, 1), 3, "与化学系实验中心联合设立"),
))

APPRAISAL_SPEC = RosterSpec(
    kind="appraisal",
    title_zh="民主评议党员结果",
    title_en="Member appraisal results",
    sheet_zh="民主评议结果",
    sheet_en="Appraisals",
    key_fields=("number", "year"),
    row_type=AppraisalRow,
    columns=(
        ColumnSpec("number", "学号/工号", "Number", KEY, required=True, max_len=40, width=16,
                   aliases=("学号", "工号", "学号（工号）", "学工号", "number", "staff/student number"),
                   help_zh="党员的学号或工号，须是您所管理的党员。",
                   help_en="The member's student or staff number; a member you manage."),
        ColumnSpec("name", "姓名", "Name", TEXT, max_len=60, width=12,
                   help_zh="可留空；填写时须与名册中的姓名一致（用于核对编号）。",
                   help_en="May be blank; when given it must match the roster (a check of the number)."),
        ColumnSpec("year", "年度", "Year", INT, required=True, min_value=1949, max_value=2100, width=8,
                   aliases=("评议年度",),
                   help_zh="开展民主评议的年份，如 2024。", help_en="The year of the appraisal, e.g. 2024."),
        ColumnSpec("result", "评议结果", "Result", ENUM, required=True, choices=APPRAISAL_RESULT, width=12,
                   aliases=("民主评议结果", "评议等次"),
                   help_zh="优秀、合格、基本合格、不合格 之一。",
                   help_en="one of excellent, qualified, basically qualified, unqualified (优秀/合格/基本合格/不合格)."),
        ColumnSpec("note", "备注", "Note", NOTE, max_len=32767, width=30,
                   help_zh="可留空。", help_en="May be blank."),
    ),
)
APPRAISAL_SPEC = replace(APPRAISAL_SPEC, example_rows=(
    AppraisalRow("2012001", "张三", 2024, "excellent", None),
    AppraisalRow("T0315", "李四", 2024, "qualified", "会上作了自我批评"),
))

TRAINING_SPEC = RosterSpec(
    kind="training",
    title_zh="培训参加人员",
    title_en="Training attendees",
    sheet_zh="培训参加人员",
    sheet_en="Training attendees",
    key_fields=("number", "held_on", "topic", "hours", "online", "organizer"),
    row_type=TrainingRow,
    columns=(
        ColumnSpec("number", "学号/工号", "Number", KEY, required=True, max_len=40, width=16,
                   aliases=("学号", "工号", "学号（工号）", "学工号", "number", "staff/student number"),
                   help_zh="参加培训的党员的学号或工号，须是您所管理的党员。",
                   help_en="The attendee's student or staff number; a member you manage."),
        ColumnSpec("name", "姓名", "Name", TEXT, max_len=60, width=12,
                   help_zh="可留空；填写时须与名册中的姓名一致（用于核对编号）。",
                   help_en="May be blank; when given it must match the roster (a check of the number)."),
        ColumnSpec("held_on", "培训日期", "Date", DATE, required=True, width=12, aliases=("日期", "培训时间"),
                   help_zh="如 2012-04-18；不能晚于今天。", help_en="e.g. 2012-04-18; not later than today."),
        ColumnSpec("topic", "培训主题", "Topic", TEXT, required=True, max_len=200, width=30, aliases=("主题",),
                   help_zh="同一日期、主题、学时、方式和组织单位的行记入同一次培训；同一次培训每人一行。",
                   help_en="Rows with the same date, topic, hours, mode and organizer are one training event."),
        ColumnSpec("hours", "学时", "Hours", DECIMAL, required=True, min_value=0, max_value=200, width=8,
                   help_zh="大于 0、不超过 200，可有一位小数，如 3.5。",
                   help_en="Above 0 and at most 200, one decimal place allowed, e.g. 3.5."),
        ColumnSpec("online", "在线学习", "Online", BOOL, choices=YES_NO, default=False, width=10,
                   aliases=("网络培训", "线上"),
                   help_zh="是 或 否；留空视为“否”。", help_en="yes or no (是/否); blank means no."),
        ColumnSpec("organizer", "组织单位", "Organizer", TEXT, max_len=120, width=20, aliases=("主办单位",),
                   help_zh="可留空。", help_en="May be blank."),
    ),
)
TRAINING_SPEC = replace(TRAINING_SPEC, example_rows=(
    TrainingRow("2012001", "张三", date(2012, 3, 20), "学习贯彻十七届六中全会精神专题党课", 3.0, False, "计算机学院党委"),
    TrainingRow("T0315", "李四", date(2012, 3, 22), "北京高校教师党员在线学习平台：科学发展观专题", 2.5, True,
                "中共北京市委教育工委"),
))

SPECS = {MEMBER_SPEC.kind: MEMBER_SPEC, BRANCH_SPEC.kind: BRANCH_SPEC, APPRAISAL_SPEC.kind: APPRAISAL_SPEC,
         TRAINING_SPEC.kind: TRAINING_SPEC}

# Sheets that a template adds beside the data sheet; never imported.
AUX_SHEETS_ZH = ("说明", "示例")
AUX_SHEETS_EN = ("Instructions", "Examples")

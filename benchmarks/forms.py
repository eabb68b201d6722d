"""附件2 at scale: annex2_workbook against bare XlsxWriter writing the same cells.

Run by hand from the repo root:  python benchmarks/forms.py [--rows 50000] [--repeat 3]

Prints (1) the build time of 附件2 for --rows branches with annex2_workbook and with a
bare XlsxWriter loop (constant_memory, minimal formats, same cells), and the ratio
(goal <= 1.5x); (2) peak memory for 10k and 50k rows, one fresh subprocess per variant
and size: ru_maxrss of the process and the tracemalloc peak of the build alone. A third
variant, XlsxWriter with in_memory=True, shows why the builders do not use it: in_memory
switches constant_memory off and the whole sheet is held in a dict.
"""

from __future__ import annotations

import argparse
import io
import json
import pathlib
import resource
import subprocess
import sys
import time
import tracemalloc

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import xlsxwriter  # noqa: E402

from app.forms import Annex2Row, FormHeader, annex2_workbook  # noqa: E402

HEADER = FormHeader("资源与安全工程学院党委", "张三", "010-62331234", "4月18日", "zzb@cumtb.edu.cn")
GRADES = ("好", "较好", "一般", "较差", "")
TITLE = "北京高校基层党支部分类定级汇总表"
INFO = "填报单位（盖章）：资源与安全工程学院党委    填报人：张三    联系电话：010-62331234"
NOTE = "填表说明：此表4月18日前由各党总支汇总后报送至党委组织部，同时发送电子版至zzb@cumtb.edu.cn。"


def rows(n: int):
    """n branches, 40 per general branch, generated lazily (the input is not measured)."""
    for i in range(n):
        yield Annex2Row(f"第{i // 40 + 1}学院党委", f"第{i + 1}党支部（教工）", GRADES[i % 5])


def build_forms(n: int) -> bytes:
    return annex2_workbook(HEADER, rows(n))


def build_bare(n: int, *, in_memory: bool = False) -> bytes:
    """The same cells with XlsxWriter alone: no hygiene, no height estimate, no counting."""
    buffer = io.BytesIO()
    options = {"constant_memory": True, "strings_to_formulas": False, "in_memory": in_memory}
    workbook = xlsxwriter.Workbook(buffer, options)
    font = {"font_name": "SimSun"}
    head = workbook.add_format(font | {"border": 1, "bold": True, "align": "center"})
    text = workbook.add_format(font | {"border": 1, "text_wrap": True, "valign": "top"})
    grade = workbook.add_format(font | {"border": 1, "align": "center_across"})
    plain = workbook.add_format(font)
    sheet = workbook.add_worksheet("附件2")
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(1, 3)
    sheet.write_string(0, 0, "附件2", plain)
    sheet.merge_range(1, 0, 1, 4, "", plain)
    sheet.write_string(1, 0, TITLE, plain)
    sheet.merge_range(2, 0, 2, 4, "", plain)
    sheet.write_string(2, 0, INFO, plain)
    for col, name in enumerate(("序号", "所属党委（党总支）", "党支部名称")):
        sheet.write_string(3, col, name, head)
    sheet.merge_range(3, 3, 3, 4, "", head)
    sheet.write_string(3, 3, "分类定级结果", head)
    r = 4
    for seq, row in enumerate(rows(n), start=1):
        sheet.write_number(r, 0, seq, text)
        sheet.write_string(r, 1, row.general_branch, text)
        sheet.write_string(r, 2, row.branch, text)
        sheet.write_string(r, 3, row.grade, grade)
        sheet.write_blank(r, 4, None, grade)
        r += 1
    for col, name in enumerate(("合计", "好", "较好", "一般", "较差")):
        sheet.write_string(r, col, name, head)
    sheet.write_blank(r + 1, 0, None, text)
    for col in range(1, 5):
        sheet.write_number(r + 1, col, n // 5, text)
    sheet.merge_range(r + 2, 0, r + 2, 4, "", plain)
    sheet.write_string(r + 2, 0, NOTE, plain)
    workbook.close()
    return buffer.getvalue()


VARIANTS = {
    "annex2_workbook": build_forms,
    "bare xlsxwriter": build_bare,
    "bare in_memory=True": lambda n: build_bare(n, in_memory=True),
}


def child(variant: str, n: int, trace: bool) -> None:
    """One measurement in a fresh process; prints a JSON line."""
    build = VARIANTS[variant]
    build(100)  # warm imports and lazy module state out of the measurement
    if trace:
        tracemalloc.start()
    data = build(n)
    result = {"bytes": len(data)}
    if trace:
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    else:
        result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def measure(variant: str, n: int, trace: bool) -> dict:
    command = [sys.executable, __file__, "--child", variant, "--rows", str(n)]
    if trace:
        command.append("--trace")
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def best_time(build, n: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        build(n)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child")
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows, args.trace)
        return

    build_forms(100), build_bare(100)  # warm-up
    forms_s = best_time(build_forms, args.rows, args.repeat)
    bare_s = best_time(build_bare, args.rows, args.repeat)
    print(f"附件2, {args.rows:,} branches, best of {args.repeat}:")
    print(f"  annex2_workbook   {forms_s:7.3f} s")
    print(f"  bare xlsxwriter   {bare_s:7.3f} s")
    print(f"  ratio             {forms_s / bare_s:7.2f}x   (goal <= 1.5x)")
    print()
    print("peak memory, one fresh process per cell (ru_maxrss includes the interpreter,")
    print("XlsxWriter and the finished file's bytes):")
    print(f"  {'variant':<22}{'rows':>8}{'ru_maxrss MB':>14}{'traced peak MB':>16}{'xlsx KB':>10}")
    for variant in VARIANTS:
        for n in (10_000, 50_000):
            rss = measure(variant, n, trace=False)
            traced = measure(variant, n, trace=True)
            print(f"  {variant:<22}{n:>8,}{rss['maxrss_mb']:>14.1f}"
                  f"{traced['traced_peak_mb']:>16.1f}{rss['bytes'] / 1024:>10.0f}")


if __name__ == "__main__":
    main()

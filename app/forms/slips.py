"""Ballot slips: one QR code per code, as inline SVG for the printable A4 sheet (segno)."""
import segno


def qr_svg(url: str) -> str:
    """An inline SVG QR code of the URL (error correction M: survives a crumpled slip)."""
    return segno.make(url, error="m").svg_inline(scale=3, border=2)


def codes_text(codes) -> str:
    """The plain list: one code per line."""
    return "".join(f"{c}\n" for c in codes)

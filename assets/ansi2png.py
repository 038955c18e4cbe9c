#!/usr/bin/env python3
"""Render a `tmux capture-pane -e -p` capture (SGR colours) to a PNG.
Usage: python3 assets/ansi2png.py assets/screenshot.ans assets/screenshot.png
Needs Pillow and DejaVu Sans Mono."""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 16
BG = (30, 31, 40)
FG = (220, 220, 215)
# A common dark 16-colour palette (Tango-like).
PALETTE = [
    (46, 52, 54), (220, 70, 70), (115, 200, 80), (220, 180, 60),
    (90, 140, 230), (190, 110, 200), (70, 190, 200), (211, 215, 207),
    (110, 115, 125), (240, 100, 100), (140, 225, 100), (250, 220, 100),
    (130, 170, 250), (215, 140, 225), (100, 220, 225), (238, 238, 236),
]


def color(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    g = 8 + (n - 232) * 10
    return (g, g, g)


def parse(text):
    """Yield rows of cells (char, fg, bg, bold)."""
    rows = []
    for line in text.split("\n"):
        st = {"fg": None, "bg": None, "bold": False, "rev": False}
        cells = []
        for tok in re.split(r"(\x1b\[[0-9;]*m)", line):
            if tok.startswith("\x1b["):
                codes = [int(c) if c else 0 for c in tok[2:-1].split(";")]
                i = 0
                while i < len(codes):
                    c = codes[i]
                    if c == 0:
                        st = {"fg": None, "bg": None, "bold": False, "rev": False}
                    elif c == 1:
                        st["bold"] = True
                    elif c == 7:
                        st["rev"] = True
                    elif c == 22:
                        st["bold"] = False
                    elif c == 27:
                        st["rev"] = False
                    elif 30 <= c <= 37:
                        st["fg"] = PALETTE[c - 30]
                    elif 90 <= c <= 97:
                        st["fg"] = PALETTE[c - 90 + 8]
                    elif 40 <= c <= 47:
                        st["bg"] = PALETTE[c - 40]
                    elif 100 <= c <= 107:
                        st["bg"] = PALETTE[c - 100 + 8]
                    elif c == 39:
                        st["fg"] = None
                    elif c == 49:
                        st["bg"] = None
                    elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                        st["fg" if c == 38 else "bg"] = color(codes[i + 2])
                        i += 2
                    elif c in (38, 48) and i + 4 < len(codes) and codes[i + 1] == 2:
                        st["fg" if c == 38 else "bg"] = tuple(codes[i + 2:i + 5])
                        i += 4
                    i += 1
                continue
            for ch in tok:
                fg, bg = st["fg"] or FG, st["bg"] or BG
                if st["rev"]:
                    fg, bg = bg, fg
                cells.append((ch, fg, bg, st["bold"]))
        rows.append(cells)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def main(src, dst):
    rows = parse(open(src, encoding="utf-8").read())
    font = ImageFont.truetype(FONT, SIZE)
    bold = ImageFont.truetype(BOLD, SIZE)
    cw = round(font.getlength("M"))
    ch = SIZE + 4
    cols = max(len(r) for r in rows)
    pad = 12
    img = Image.new("RGB", (cols * cw + 2 * pad, len(rows) * ch + 2 * pad), BG)
    d = ImageDraw.Draw(img)
    for y, row in enumerate(rows):
        for x, (c, fg, bg, b) in enumerate(row):
            x0, y0 = pad + x * cw, pad + y * ch
            if bg != BG:
                d.rectangle([x0, y0, x0 + cw - 1, y0 + ch - 1], fill=bg)
            if c in "─│┌┐└┘├┤┬┴┼":
                # Box drawing: draw the lines so they join across cells.
                mx, my = x0 + cw // 2, y0 + ch // 2
                if c in "─┌┐└┘├┤┬┴┼":
                    l = x0 if c in "─┐┘┤┬┴┼" else mx
                    r = x0 + cw - 1 if c in "─┌└├┬┴┼" else mx
                    d.line([l, my, r, my], fill=fg)
                if c in "│┌┐└┘├┤┬┴┼":
                    t = y0 if c in "│└┘├┤┴┼" else my
                    btm = y0 + ch - 1 if c in "│┌┐├┤┬┼" else my
                    d.line([mx, t, mx, btm], fill=fg)
            elif c != " ":
                d.text((x0, y0 + 1), c, font=bold if b else font, fill=fg)
    img.save(dst)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

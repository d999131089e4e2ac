"""Exercise figures drawn from pose data: one consistent, licence-free picture per exercise.

Public API (pure Python, no Django):

    exercise_svg(slug, *, frame=None, size=240, title=None) -> str
        The SVG for a shipped exercise ("clamshell-with-band") or a self-test ("selftest:leg_swing").
        frame=None draws every frame side by side (start ... end, the end with a light ghost of the start
        and the movement arrow); frame=0 / frame=-1 draws only that frame. size is the width in px that
        the width/height attributes ask for; the drawing scales with its viewBox, so any size works.
        Raises KeyError for a slug without a pose.
    has_figure(slug) -> bool
    figure_name(slug) -> str                     (the catalog name a figure is titled with)
    figure_slugs() -> list[str]
    compute_frame(exercise, index) -> Frame      (joint positions, used by the tests)

How a pose works. A figure is a kinematic skeleton: a root (the pelvis) plus one absolute direction per
segment (degrees, 0 = facing direction / +x, 90 = up). Every joint is its parent plus length * direction,
so limb lengths are constant by construction. The first contact of a frame places the root: the named
body point is moved onto the top of the named surface (the floor, or a prop's top), optionally at a given
x. "solve" entries then turn one segment so that a further point lands on its surface too (a bridge:
shoulders on the floor, then each shin turned so the ankles reach the floor). The renderer draws with one
line weight and one palette: a dark slate body (far-side limbs lighter), working limbs teal, props light
grey with a darker outline, and the movement arrow amber.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

POSES_PATH = Path(__file__).resolve().parent / "data" / "poses.json"
CATALOG_PATH = Path(__file__).resolve().parent / "data" / "exercises.json"

# Segment lengths in drawing units (a standing figure is about 100 units tall).
TRUNK = 30.0
NECK = 8.0
HEAD_R = 6.0
SHOULDER_DROP = 3.0  # shoulders sit this far below the top of the trunk
UPPER_ARM = 14.0
FOREARM = 13.0
THIGH = 22.0
SHIN = 21.0
FOOT = 7.0
# Half-widths across the body, used only in the front view.
HIP_HALF = 5.0
SHOULDER_HALF = 8.0

LINE = 4.2  # the one line weight
SKIN = LINE / 2  # surfaces are drawn this far below a contact so the stroke sits on them

SLATE = "#1e293b"
SLATE_FAR = "#64748b"
TEAL = "#0f766e"
TEAL_FAR = "#5fa8a0"
GHOST = "#dbe3ec"
PROP_FILL = "#e5e7eb"
PROP_LINE = "#9ca3af"
ARROW = "#b45309"

SIDES = ("l", "r")
# segment name -> (parent joint, child joint, length)
SEGMENTS = {"trunk": ("pelvis", "neck", TRUNK), "head": ("neck", "head", NECK)}
for _s in SIDES:
    SEGMENTS.update(
        {
            f"{_s}_arm": (f"{_s}_shoulder", f"{_s}_elbow", UPPER_ARM),
            f"{_s}_forearm": (f"{_s}_elbow", f"{_s}_hand", FOREARM),
            f"{_s}_thigh": (f"{_s}_hip", f"{_s}_knee", THIGH),
            f"{_s}_shin": (f"{_s}_knee", f"{_s}_ankle", SHIN),
            f"{_s}_foot": (f"{_s}_ankle", f"{_s}_toe", FOOT),
        }
    )

# Standing upright, facing +x.
DEFAULT_ANGLES = {"trunk": 90, "head": 90, "arm": -90, "forearm": -90, "thigh": -90, "shin": -90, "foot": 0}

# Props whose top is a surface a body point can rest on: name -> default height.
SURFACE_PROPS = {
    "step": 18.0,
    "box": 18.0,
    "bench": 40.0,
    "chair": 40.0,
    "roller": 12.0,
    "ball": 0.0,
    "saddle": 44.0,
    "seat": 10.0,
    "water": 14.0,
}


@dataclass
class Frame:
    joints: dict[str, tuple[float, float]]
    surfaces: dict[str, float]
    contacts: list[tuple[str, str]]
    props: list[dict]
    view: str
    near: str
    work: list[str] = field(default_factory=list)

    def point(self, name: str) -> tuple[float, float]:
        """A body point; "head" as a contact means the bottom of the head."""
        x, y = self.joints[name]
        return x, y

    def contact_y(self, name: str) -> float:
        if name == "head":
            return self.joints["head"][1] - HEAD_R
        return self.joints[name][1]


@lru_cache(maxsize=1)
def _poses() -> dict:
    with POSES_PATH.open(encoding="utf-8") as fh:
        data = json.load(fh)
    return {k: v for k, v in data.items() if not k.startswith("_")}


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    with CATALOG_PATH.open(encoding="utf-8") as fh:
        return {e["slug"]: e["name"] for e in json.load(fh)}


def figure_name(slug: str) -> str:
    return _names().get(_resolve(slug), slug)


def figure_slugs() -> list[str]:
    return sorted(_poses())


def has_figure(slug: str) -> bool:
    return slug in _poses()


def _resolve(slug: str) -> str:
    while "same_as" in _poses().get(slug, {}):
        slug = _poses()[slug]["same_as"]
    return slug


def exercise_pose(slug: str) -> dict:
    entry = _poses()[slug]
    seen = {slug}
    while "same_as" in entry:  # a self-test drawn exactly like its catalog exercise
        target = entry["same_as"]
        if target in seen:
            raise ValueError(f"pose alias loop at {slug}")
        seen.add(target)
        entry = _poses()[target]
    return entry


def _angles(pose: dict) -> dict[str, float]:
    angles = {}
    for seg in SEGMENTS:
        base = seg.split("_", 1)[1] if "_" in seg else seg
        value = pose.get(seg, pose.get(base, DEFAULT_ANGLES[base]))
        angles[seg] = float(value)
    if "head" not in pose:
        angles["head"] = angles["trunk"]
    return angles


def _dir(deg: float) -> tuple[float, float]:
    r = math.radians(deg)
    return math.cos(r), math.sin(r)


def _build(angles: dict[str, float], root: tuple[float, float], view: str) -> dict[str, tuple[float, float]]:
    joints: dict[str, tuple[float, float]] = {"pelvis": root}
    tx, ty = _dir(angles["trunk"])
    joints["neck"] = (root[0] + TRUNK * tx, root[1] + TRUNK * ty)
    # Across-body offsets exist only in the front view; in side views both sides share a hip and shoulder.
    px, py = (ty, -tx) if view == "front" else (0.0, 0.0)
    for side, sign in (("l", -1.0), ("r", 1.0)):
        joints[f"{side}_hip"] = (root[0] + sign * HIP_HALF * px, root[1] + sign * HIP_HALF * py)
        sx = joints["neck"][0] - SHOULDER_DROP * tx + sign * SHOULDER_HALF * px
        sy = joints["neck"][1] - SHOULDER_DROP * ty + sign * SHOULDER_HALF * py
        joints[f"{side}_shoulder"] = (sx, sy)
    for seg, (parent, child, length) in SEGMENTS.items():
        if seg == "trunk":
            continue
        dx, dy = _dir(angles[seg])
        x, y = joints[parent]
        joints[child] = (x + length * dx, y + length * dy)
    return joints


def _surfaces(props: list[dict]) -> dict[str, float]:
    tops = {"floor": 0.0}
    for prop in props:
        kind = prop["type"]
        if kind in SURFACE_PROPS:
            height = prop.get("h", SURFACE_PROPS[kind])
            if kind in ("roller", "ball"):
                height = 2 * prop.get("r", 6.0 if kind == "roller" else 9.0)
            tops[prop.get("name", kind)] = float(prop.get("y", 0.0)) + float(height)
    return tops


def _child_chain(seg: str, target: str, joints: dict) -> tuple[float, float]:
    """Offset from the segment's child joint to target (fixed, because downstream angles are absolute)."""
    child = SEGMENTS[seg][1]
    cx, cy = joints[child]
    tx, ty = joints[target]
    return tx - cx, ty - cy


def _frame_props(exercise: dict, frame: dict) -> list[dict]:
    props = list(exercise.get("props", []))
    props.extend(frame.get("props", []))
    return props


def compute_frame(exercise: dict, index: int) -> Frame:
    frames = exercise["frames"]
    raw = frames[index]
    view = raw.get("view", exercise.get("view", "side"))
    props = _frame_props(exercise, raw)
    surfaces = _surfaces(props)
    angles = _angles(raw)
    contacts = [tuple(c[:2]) for c in raw.get("contacts", exercise.get("contacts", []))]
    placement = raw.get("contacts", exercise.get("contacts", []))
    joints = _build(angles, (0.0, 0.0), view)
    if placement:
        point, surface, *at = placement[0]
        cy = joints["head"][1] - HEAD_R if point == "head" else joints[point][1]
        dy = surfaces[surface] - cy
        dx = (at[0] - joints["head" if point == "head" else point][0]) if at else 0.0
        root = (dx, dy)
    else:
        root = (0.0, raw.get("root_y", 50.0))
    root = (root[0] + raw.get("shift", 0.0), root[1])
    joints = _build(angles, root, view)
    # Turn single segments so further contacts land on their surfaces.
    for seg, target, surface in raw.get("solve", []):
        parent = SEGMENTS[seg][0]
        px, py = joints[parent]
        _, oy = _child_chain(seg, target, joints)
        if target == "head":
            oy -= HEAD_R
        length = SEGMENTS[seg][2]
        s = (surfaces[surface] - oy - py) / length
        s = max(-1.0, min(1.0, s))
        a = math.degrees(math.asin(s))
        current = angles[seg]
        # Two directions reach the same height; keep the one on the same side (fore/aft) as authored.
        candidates = [a, 180.0 - a]
        angles[seg] = min(
            candidates, key=lambda c: abs(math.cos(math.radians(c)) - math.cos(math.radians(current)))
        )
        joints = _build(angles, root, view)
    return Frame(
        joints=joints,
        surfaces=surfaces,
        contacts=contacts,
        props=props,
        view=view,
        near=raw.get("near", exercise.get("near", "r")),
        work=list(raw.get("work", exercise.get("work", []))),
    )


# ---------------------------------------------------------------- drawing


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".") if abs(v) >= 0.05 else "0"


class _Canvas:
    """Collects SVG elements in drawing coordinates (y up) and flips them on output."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.xs: list[float] = []
        self.ys: list[float] = []

    def _pt(self, x: float, y: float) -> str:
        self.xs.append(x)
        self.ys.append(y)
        return f"{_f(x)},{_f(-y)}"

    def line(self, pts, color, width=LINE, dash=None):
        d = " ".join(self._pt(x, y) for x, y in pts)
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.items.append(
            f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="{_f(width)}"{extra}/>'
        )

    def circle(self, c, r, fill, stroke="none", width=LINE):
        self._pt(c[0] - r, c[1] - r)
        self._pt(c[0] + r, c[1] + r)
        self.items.append(
            f'<circle cx="{_f(c[0])}" cy="{_f(-c[1])}" r="{_f(r)}" fill="{fill}" stroke="{stroke}"'
            f' stroke-width="{_f(width)}"/>'
        )

    def rect(self, x, y, w, h, fill=PROP_FILL, stroke=PROP_LINE, rx=1.5):
        self._pt(x, y)
        self._pt(x + w, y + h)
        self.items.append(
            f'<rect x="{_f(x)}" y="{_f(-(y + h))}" width="{_f(w)}" height="{_f(h)}" rx="{_f(rx)}"'
            f' fill="{fill}" stroke="{stroke}" stroke-width="1.2"/>'
        )

    def polygon(self, pts, fill, stroke="none"):
        d = " ".join(self._pt(x, y) for x, y in pts)
        self.items.append(f'<polygon points="{d}" fill="{fill}" stroke="{stroke}" stroke-width="1.2"/>')

    def ellipse(self, c, rx, ry, angle, stroke, width):
        self._pt(c[0] - rx, c[1] - rx)
        self._pt(c[0] + rx, c[1] + rx)
        self.items.append(
            f'<ellipse cx="{_f(c[0])}" cy="{_f(-c[1])}" rx="{_f(rx)}" ry="{_f(ry)}" fill="none" stroke="{stroke}"'
            f' stroke-width="{_f(width)}" transform="rotate({_f(-angle)} {_f(c[0])} {_f(-c[1])})"/>'
        )


def _mid(a, b):
    return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2


def _draw_back_props(cv: _Canvas, frame: Frame, x0: float, x1: float) -> None:
    for prop in frame.props:
        kind = prop["type"]
        top = frame.surfaces.get(prop.get("name", kind), 0.0) - SKIN
        x = prop.get("x", 0.0)
        if kind == "wall":
            cv.rect(x, -SKIN, 5, prop.get("h", 105), rx=0)
        elif kind == "mat":
            cv.rect(prop.get("x", x0 + 4), -SKIN - 2.5, prop.get("w", x1 - x0 - 8), 2.5, rx=1.2)
        elif kind in ("step", "box"):
            cv.rect(x, -SKIN, prop.get("w", 26), top + SKIN, rx=1.5)
        elif kind == "bench":
            w = prop.get("w", 40)
            cv.rect(x + 3, -SKIN, 3, top + SKIN - 4, rx=0.5)
            cv.rect(x + w - 6, -SKIN, 3, top + SKIN - 4, rx=0.5)
            cv.rect(x, top - 4, w, 4, rx=1.2)
        elif kind == "chair":
            w = prop.get("w", 22)
            back = prop.get("back", "left")
            cv.rect(x + 1, -SKIN, 2.5, top + SKIN - 3.5, rx=0.5)
            cv.rect(x + w - 3.5, -SKIN, 2.5, top + SKIN - 3.5, rx=0.5)
            bx = x if back == "left" else x + w - 3
            if back != "none":
                cv.rect(bx, top, 3, 26, rx=1)
            cv.rect(x, top - 3.5, w, 3.5, rx=1.2)
        elif kind == "roller":
            r = prop.get("r", 6.0)
            cv.circle((x, r - SKIN), r, PROP_FILL, PROP_LINE, 1.2)
        elif kind == "ball" and "at" not in prop:
            r = prop.get("r", 9.0)
            cv.circle((x, r - SKIN), r, PROP_FILL, PROP_LINE, 1.2)
        elif kind == "water":
            cv.rect(
                x0 + 2, -SKIN - 4, x1 - x0 - 4, prop.get("h", 12) + 4, fill="#e8eef3", stroke=PROP_LINE, rx=0
            )
        elif kind == "bike":
            r = 13.0
            cx = prop.get("x", 0.0)
            cv.circle((cx - 28, r - SKIN), r, "none", PROP_LINE, 2.2)
            cv.circle((cx + 30, r - SKIN), r, "none", PROP_LINE, 2.2)
            seat = frame.surfaces.get("saddle", 40) - SKIN
            crank = (cx + 6, r - SKIN)
            cv.line([(cx - 28, r - SKIN), crank, (cx - 2, seat), (cx - 28, r - SKIN)], PROP_LINE, 2.2)
            cv.line([crank, (cx + 22, seat + 10), (cx + 30, r - SKIN)], PROP_LINE, 2.2)
            cv.line([(cx + 22, seat + 10), (cx + 24, seat + 16), (cx + 30, seat + 16)], PROP_LINE, 2.2)
            cv.rect(cx - 8, seat - 2, 12, 3, rx=1.2)
        elif kind == "rower":
            cv.rect(x0 + 4, -SKIN, x1 - x0 - 8, 5, rx=1.5)
            cv.circle((x1 - 10, 12), 9, PROP_FILL, PROP_LINE, 1.2)
            seat = frame.surfaces.get("seat", 8) - SKIN
            cv.rect(prop.get("seat_x", 0) - 6, 5 - SKIN, 12, seat - 5 + SKIN, rx=1.2)


def _draw_front_props(cv: _Canvas, frame: Frame) -> None:
    j = frame.joints
    for prop in frame.props:
        kind = prop["type"]
        if kind == "loop_band":
            a, b = j[prop["around"][0]], j[prop["around"][1]]
            c = _mid(a, b)
            dx, dy = b[0] - a[0], b[1] - a[1]
            dist = math.hypot(dx, dy)
            ang = math.degrees(math.atan2(dy, dx)) if dist > 0.5 else 90.0
            cv.ellipse(c, dist / 2 + 3.5, 3.2, ang, PROP_LINE, 2.0)
        elif kind == "long_band":
            cv.line([tuple(prop["anchor"]), j[prop["to"]]], PROP_LINE, 2.0)
            cv.circle(tuple(prop["anchor"]), 1.6, PROP_LINE)
        elif kind == "dumbbell":
            hx, hy = j[prop["at"]]
            cv.line([(hx - 5, hy), (hx + 5, hy)], "#6b7280", 2.0)
            cv.rect(hx - 7.5, hy - 3.5, 3, 7, fill="#9ca3af", stroke="#6b7280", rx=0.8)
            cv.rect(hx + 4.5, hy - 3.5, 3, 7, fill="#9ca3af", stroke="#6b7280", rx=0.8)
        elif kind == "kettlebell":
            hx, hy = j[prop["at"]] if "at" in prop else (prop.get("x", 0.0), 10.0)
            cv.circle((hx, hy - 7), 5.5, "#9ca3af", "#6b7280", 1.2)
            cv.line([(hx - 3, hy - 3), (hx - 3, hy + 1), (hx + 3, hy + 1), (hx + 3, hy - 3)], "#6b7280", 1.6)
        elif kind == "ball" and "at" in prop:
            c = _mid(j[prop["at"][0]], j[prop["at"][1]])
            r = prop.get("r", 6.5)
            cv.circle((c[0] + prop.get("dx", 0), c[1] + prop.get("dy", 0)), r, PROP_FILL, PROP_LINE, 1.2)
        elif kind == "cup":
            hx, hy = j[prop["at"]]
            cv.polygon(
                [(hx - 3, hy + 1), (hx + 3, hy + 1), (hx + 2.2, hy - 6), (hx - 2.2, hy - 6)],
                "#e0f2fe",
                "#6b7280",
            )
        elif kind == "handle":
            hx, hy = j[prop["at"]]
            cv.line([(hx, hy), (prop.get("to_x", hx + 30), 12)], PROP_LINE, 1.2, dash="2 1.5")


def _limbs(side: str) -> list[tuple[str, list[str]]]:
    return [
        (f"{side}_leg", [f"{side}_hip", f"{side}_knee", f"{side}_ankle", f"{side}_toe"]),
        (f"{side}_arm", [f"{side}_shoulder", f"{side}_elbow", f"{side}_hand"]),
    ]


def _draw_body(cv: _Canvas, frame: Frame, ghost: bool = False) -> None:
    j = frame.joints
    near = frame.near
    far = "l" if near == "r" else "r"
    work = set(frame.work)

    def color(limb: str, is_far: bool) -> str:
        if ghost:
            return GHOST
        if limb in work:
            return TEAL_FAR if is_far else TEAL
        return SLATE_FAR if is_far else SLATE

    order = [(far, True), (near, False)] if frame.view != "front" else [("l", False), ("r", False)]
    # Far-side limbs first, then the trunk and head, then near-side limbs on top.
    for side, is_far in order[:1]:
        for limb, names in _limbs(side):
            cv.line([j[n] for n in names], color(limb, is_far))
    trunk_color = GHOST if ghost else (TEAL if "trunk" in work else SLATE)
    if frame.view == "front":
        cv.line([j["l_hip"], j["r_hip"]], trunk_color)
        cv.line([j["pelvis"], j["neck"]], trunk_color)
        cv.line([j["l_shoulder"], j["r_shoulder"]], trunk_color)
    else:
        cv.line([j["pelvis"], j["neck"]], trunk_color)
    cv.line([j["neck"], _toward(j["neck"], j["head"], NECK - HEAD_R)], trunk_color)
    cv.circle(j["head"], HEAD_R, trunk_color)
    for side, is_far in order[1:]:
        for limb, names in _limbs(side):
            cv.line([j[n] for n in names], color(limb, is_far))


def _toward(a, b, dist):
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = math.hypot(dx, dy) or 1.0
    return a[0] + dx / n * dist, a[1] + dy / n * dist


def _draw_arrow(cv: _Canvas, start, end, bend: float) -> None:
    dx, dy = end[0] - start[0], end[1] - start[1]
    dist = math.hypot(dx, dy)
    if dist < 2:
        return
    # Offset the arrow a little away from the limb so it does not sit on the stroke, and stop short of the joint.
    nx, ny = -dy / dist, dx / dist
    off = 5.0 * (1 if bend >= 0 else -1)
    s = (start[0] + nx * off, start[1] + ny * off)
    e = (end[0] + nx * off, end[1] + ny * off)
    ctrl = ((s[0] + e[0]) / 2 + nx * bend, (s[1] + e[1]) / 2 + ny * bend)
    pts = []
    steps = 16
    for i in range(steps + 1):
        t = i / steps * 0.9
        x = (1 - t) ** 2 * s[0] + 2 * (1 - t) * t * ctrl[0] + t * t * e[0]
        y = (1 - t) ** 2 * s[1] + 2 * (1 - t) * t * ctrl[1] + t * t * e[1]
        pts.append((x, y))
    cv.line(pts, ARROW, 2.4)
    tip_t = 1.0
    tip = (
        (1 - tip_t) ** 2 * s[0] + 2 * (1 - tip_t) * tip_t * ctrl[0] + tip_t**2 * e[0],
        (1 - tip_t) ** 2 * s[1] + 2 * (1 - tip_t) * tip_t * ctrl[1] + tip_t**2 * e[1],
    )
    bx, by = pts[-1]
    ux, uy = tip[0] - bx, tip[1] - by
    n = math.hypot(ux, uy) or 1.0
    ux, uy = ux / n, uy / n
    size = 5.5
    base = (tip[0] - ux * size, tip[1] - uy * size)
    cv.polygon(
        [
            tip,
            (base[0] - uy * size * 0.6, base[1] + ux * size * 0.6),
            (base[0] + uy * size * 0.6, base[1] - ux * size * 0.6),
        ],
        ARROW,
    )


def _panel(exercise: dict, index: int, with_ghost: bool) -> _Canvas:
    frame = compute_frame(exercise, index)
    cv = _Canvas()
    xs = [p[0] for p in frame.joints.values()]
    x0, x1 = min(xs) - 14, max(xs) + 14
    for prop in frame.props:
        if "x" in prop:
            x0 = min(x0, prop["x"] - 6)
            x1 = max(x1, prop["x"] + prop.get("w", 10) + 6)
    _draw_back_props(cv, frame, x0, x1)
    if frame.view != "top":
        cv.line([(x0, -SKIN - 0.6), (x1, -SKIN - 0.6)], PROP_LINE, 1.2)
    arrow = exercise.get("arrow")
    if with_ghost:
        start = compute_frame(exercise, arrow.get("from", 0) if arrow else 0)
        _draw_body(cv, start, ghost=True)
    _draw_body(cv, frame)
    _draw_front_props(cv, frame)
    if arrow and with_ghost:
        a = compute_frame(exercise, arrow.get("from", 0)).joints[arrow["joint"]]
        b = frame.joints[arrow["joint"]]
        _draw_arrow(cv, a, b, arrow.get("bend", 6.0))
    return cv


def exercise_svg(slug: str, *, frame: int | None = None, size: int = 240, title: str | None = None) -> str:
    """The figure for one exercise as a standalone SVG string (see the module docstring)."""
    exercise = exercise_pose(slug)
    count = len(exercise["frames"])
    if frame is None:
        indices = list(range(count))
    else:
        indices = [range(count)[frame]]
    last = count - 1
    panels = [_panel(exercise, i, with_ghost=(frame is None and i == last and count > 1)) for i in indices]
    gap = 10.0
    pad = 4.0
    top = max(max(p.ys) for p in panels) + pad
    bottom = min(min(p.ys) for p in panels) - pad
    height = top - bottom
    body = []
    cursor = 0.0
    for i, cv in enumerate(panels):
        left, right = min(cv.xs) - pad, max(cv.xs) + pad
        shift = cursor - left
        body.append(f'<g transform="translate({_f(shift)} 0)">{"".join(cv.items)}</g>')
        cursor += right - left
        if i < len(panels) - 1:
            cursor += gap
    width = cursor
    name = title or figure_name(slug)
    label = escape(f"{name}: start and end positions" if len(indices) > 1 else name)
    px_h = size * height / width
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 {_f(-top)} {_f(width)} {_f(height)}"'
        f' width="{size}" height="{_f(px_h)}" stroke-linecap="round" stroke-linejoin="round">'
        f"<title>{label}</title>{''.join(body)}</svg>"
    )

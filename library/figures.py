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
shoulders on the floor, then each shin turned so the ankles reach the floor).

Depth. The skeleton is really three-dimensional: "out" tips a segment out of the picture by some degrees
(positive = toward the viewer), so it is drawn foreshortened while its true length stays the same (a thigh
lifted out to the side in a side view, the thighs of someone seated seen from the front, a knee bent forward
in a front view). "pelvis" (front view) sets the angle of the line through the hips, so one side of the
pelvis visibly drops or hikes; "level": "l_hip" draws a dashed level line through that hip for comparison.
In a side view "pelvis" draws the pelvis as a short bar from back to front at that angle (negative: tipped
forward, positive: tucked under), with "level": "pelvis" for its level line.
"turn" rotates the figure about the vertical before drawing (-90 shows a side-view figure from behind, 30-60
gives a three-quarter view); heights do not change, so contacts still hold, and the parts are drawn farthest
first. A frame marked "hidden" is never a panel of its own: it is the ghost and arrow start for a later frame
drawn from a different place (the ghost and the arrow are only drawn between frames seen from the same
place). "push": [[joint, degrees], ...] draws short arrows for a held push that does not move (an isometric);
"circle": [[joint, radius, dx, dy, start, end], ...] draws a round arrow for small circles (rubbing ice over a
spot), or with start and end (degrees) a short turning arrow; a seventh number squashes the circle into an
ellipse (height / width, e.g. 0.35), so the arrow runs round the body like a hoop: turning about the vertical.
"twist" turns the upper body (trunk, head, shoulders and arms) about the vertical through the pelvis by that
many degrees relative to the hips (the same sense as "turn"): a trunk rotation, the shoulders across the picture
while the hips stay square. "paths": [{"points": [[x, y], ...], "both": true?}, ...] draws a free arrow along
the points (picture units, the floor at y = 0): a sideways or diagonal step, an up-and-down hop ("both": a head
at each end), a walk there and back. "clock" is a prop: a small clock face at x, y (radius r) with the
minutes shaded from twelve o'clock ("minutes": 5); "footprints" is a small map seen from above (forward is up) of
steps at x + dx, y + dy ("steps": [[dx, dy], ...], a third item "ghost" for where a foot was); "shadow" is a
flat grey oval on the floor under a joint in the air ("under": "l_toe"), so a hop shows its gap. "ghost": false
on an exercise leaves out the pale start figure behind the end frame (where it would hide that gap).

The renderer draws with one
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
PELVIS_HALF = 6.0  # half the pelvis bar drawn in a side view when its tilt is given
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
WATER = "#bfdbfe"
WATER_LINE = "#60a5fa"

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

# The joints that turn with the chest when the upper body twists on the hips.
UPPER_BODY = ("neck", "head") + tuple(f"{s}_{j}" for s in SIDES for j in ("shoulder", "elbow", "hand"))

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
    depth: dict[str, float] = field(default_factory=dict)  # z of each joint, toward the viewer
    push: list[tuple] = field(default_factory=list)  # [joint, direction in degrees]: a held push, no movement
    level: str | None = None  # front view: draw a level line through this hip
    circle: list[tuple] = field(
        default_factory=list
    )  # [joint, radius, dx?, dy?]: a round "small circles" arrow
    turn: float = 0.0  # the camera turned about the vertical (degrees): parts are drawn farthest first
    twist: float = 0.0  # the upper body turned about the vertical relative to the hips (degrees)
    paths: list[dict] = field(default_factory=list)  # free arrows: {"points": [[x, y], ...], "both": bool}

    def point3(self, name: str) -> tuple[float, float, float]:
        """A joint in three dimensions (picture x, y and depth); limb lengths are measured here."""
        x, y = self.joints[name]
        return x, y, self.depth.get(name, 0.0)

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


def _dir3(deg: float, out: float) -> tuple[float, float, float]:
    """A direction: deg in the picture plane, tipped out of it by out degrees (positive = toward the viewer)."""
    a, e = math.radians(deg), math.radians(out)
    return math.cos(e) * math.cos(a), math.cos(e) * math.sin(a), math.sin(e)


def _build(
    angles: dict[str, float],
    root: tuple[float, float],
    view: str,
    *,
    out: dict[str, float] | None = None,
    pelvis: float | None = None,
    near: str = "r",
    turn: float = 0.0,
    twist: float = 0.0,
) -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    """Joint positions in the picture (x, y) and their depth z (toward the viewer), for a root placed at root.

    The skeleton is built in three dimensions: every segment has its picture-plane angle and may be tipped
    out of the picture by out[segment] degrees (foreshortening: a thigh lifted toward the viewer is drawn
    shorter, its real length is unchanged). In the front view the hips sit across the body on a line at
    pelvis degrees (default: square to the trunk), so a pelvis that drops or hikes on one side tilts that line.
    In the side and top views the two sides are separated in depth (the near side toward the viewer), which
    only shows once the camera turns: turn rotates the whole figure about the vertical (degrees; -90 looks at
    a side-view figure from behind), which keeps every height, so contacts with the floor still hold.
    """
    out = out or {}
    pts: dict[str, tuple[float, float, float]] = {"pelvis": (0.0, 0.0, 0.0)}
    tx, ty, tz = _dir3(angles["trunk"], out.get("trunk", 0.0))
    pts["neck"] = (TRUNK * tx, TRUNK * ty, TRUNK * tz)
    if view == "front":
        tilt = angles["trunk"] - 90.0 if pelvis is None else pelvis
        hip_axis = (*_dir(tilt), 0.0)
        sa = math.radians(angles["trunk"])
        shoulder_axis = (math.sin(sa), -math.cos(sa), 0.0)
    else:
        hip_axis = shoulder_axis = (0.0, 0.0, 1.0 if near == "r" else -1.0)
    if view != "front" and pelvis is not None:
        # Side view: the pelvis drawn as a short bar from the back of the pelvis to its front at pelvis
        # degrees (0 = level, negative = front down / anterior tilt, positive = front up / posterior tilt).
        px, py = _dir(pelvis)
        pts["pelvis_front"] = (PELVIS_HALF * px, PELVIS_HALF * py, 0.0)
        pts["pelvis_back"] = (-PELVIS_HALF * px, -PELVIS_HALF * py, 0.0)
    for side, sign in (("l", -1.0), ("r", 1.0)):
        pts[f"{side}_hip"] = tuple(sign * HIP_HALF * c for c in hip_axis)
        pts[f"{side}_shoulder"] = tuple(
            n - SHOULDER_DROP * t + sign * SHOULDER_HALF * c
            for n, t, c in zip(pts["neck"], (tx, ty, tz), shoulder_axis, strict=True)
        )
    for seg, (parent, child, length) in SEGMENTS.items():
        if seg == "trunk":
            continue
        d = _dir3(angles[seg], out.get(seg, 0.0))
        pts[child] = tuple(p + length * c for p, c in zip(pts[parent], d, strict=True))
    if twist:
        # The upper body turns as one piece about the vertical line through the pelvis (which sits at the
        # origin here), so every length in it, and the trunk's own length, stays the same.
        tc, ts = math.cos(math.radians(twist)), math.sin(math.radians(twist))
        for name in UPPER_BODY:
            x, y, z = pts[name]
            pts[name] = (x * tc + z * ts, y, -x * ts + z * tc)
    c, s = math.cos(math.radians(turn)), math.sin(math.radians(turn))
    joints: dict[str, tuple[float, float]] = {}
    depth: dict[str, float] = {}
    for name, (x, y, z) in pts.items():
        x, z = x * c + z * s, -x * s + z * c
        joints[name] = (root[0] + x, root[1] + y)
        depth[name] = z
    return joints, depth


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
    near = raw.get("near", exercise.get("near", "r"))
    props = _frame_props(exercise, raw)
    surfaces = _surfaces(props)
    angles = _angles(raw)
    out = {seg: float(v) for seg, v in raw.get("out", {}).items()}
    unknown = set(out) - set(SEGMENTS)
    if unknown:
        raise ValueError(f"out-of-picture angle for unknown segments {sorted(unknown)}")
    pelvis = raw.get("pelvis")
    turn = float(raw.get("turn", exercise.get("turn", 0.0)))
    twist = float(raw.get("twist", 0.0))

    def build(root):
        return _build(angles, root, view, out=out, pelvis=pelvis, near=near, turn=turn, twist=twist)

    contacts = [tuple(c[:2]) for c in raw.get("contacts", exercise.get("contacts", []))]
    placement = raw.get("contacts", exercise.get("contacts", []))
    joints, _ = build((0.0, 0.0))
    if placement:
        point, surface, *at = placement[0]
        cy = joints["head"][1] - HEAD_R if point == "head" else joints[point][1]
        dy = surfaces[surface] - cy
        dx = (at[0] - joints["head" if point == "head" else point][0]) if at else 0.0
        root = (dx, dy)
    else:
        root = (0.0, raw.get("root_y", 50.0))
    root = (root[0] + raw.get("shift", 0.0), root[1])
    joints, depth = build(root)
    # Turn single segments so further contacts land on their surfaces.
    for seg, target, surface in raw.get("solve", []):
        parent = SEGMENTS[seg][0]
        px, py = joints[parent]
        _, oy = _child_chain(seg, target, joints)
        if target == "head":
            oy -= HEAD_R
        # Only the part of the segment in the picture plane can reach up or down.
        length = SEGMENTS[seg][2] * math.cos(math.radians(out.get(seg, 0.0)))
        s = (surfaces[surface] - oy - py) / length
        s = max(-1.0, min(1.0, s))
        a = math.degrees(math.asin(s))
        current = angles[seg]
        # Two directions reach the same height; keep the one on the same side (fore/aft) as authored.
        candidates = [a, 180.0 - a]
        angles[seg] = min(
            candidates, key=lambda c: abs(math.cos(math.radians(c)) - math.cos(math.radians(current)))
        )
        joints, depth = build(root)
    return Frame(
        joints=joints,
        surfaces=surfaces,
        contacts=contacts,
        props=props,
        view=view,
        near=near,
        work=list(raw.get("work", exercise.get("work", []))),
        depth=depth,
        push=[tuple(p) for p in raw.get("push", [])],
        level=raw.get("level"),
        circle=[tuple(c) for c in raw.get("circle", [])],
        turn=turn,
        twist=twist,
        paths=[dict(p) for p in raw.get("paths", [])],
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
        elif kind == "shadow":  # a foot in the air: its shadow on the floor below shows the gap
            sx = frame.joints[prop["under"]][0] + prop.get("dx", 0.0)
            w = prop.get("w", 7.0)
            oval = [
                (sx + w * math.cos(a), -SKIN + 1.4 * math.sin(a))
                for a in (i * math.pi / 8 for i in range(16))
            ]
            cv.polygon(oval, "#cbd5e1")
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


def _draw_water(cv: _Canvas, frame: Frame, prop: dict, x0: float, x1: float) -> None:
    """Water drawn over the body: what is under the surface shows through a pale blue, the surface is a wave."""
    top = frame.surfaces.get(prop.get("name", "water"), 0.0)
    cv.items.append(
        f'<rect x="{_f(x0 + 2)}" y="{_f(-top)}" width="{_f(x1 - x0 - 4)}" height="{_f(top - SKIN)}"'
        f' fill="{WATER}" fill-opacity="0.55" stroke="none"/>'
    )
    cv._pt(x0 + 2, -SKIN)
    cv._pt(x1 - 2, top)
    wave, x, pts = 3.0, x0 + 2, []
    while x <= x1 - 2 + 1e-6:
        pts.append((x, top + 1.0 * math.sin((x - x0) / wave)))
        x += 1.0
    cv.line(pts, WATER_LINE, 1.6)


def _draw_front_props(cv: _Canvas, frame: Frame, x0: float = 0.0, x1: float = 0.0) -> None:
    j = frame.joints
    for prop in frame.props:
        kind = prop["type"]
        if kind == "water":
            _draw_water(cv, frame, prop, x0, x1)
        if kind == "loop_band":
            a, b = (_anchor(j, spec) for spec in prop["around"])
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
        elif kind == "clock":
            _draw_clock(cv, prop)
        elif kind == "footprints":
            _draw_footprints(cv, prop)
        elif kind == "handle":
            hx, hy = j[prop["at"]]
            cv.line([(hx, hy), (prop.get("to_x", hx + 30), 12)], PROP_LINE, 1.2, dash="2 1.5")


def _anchor(joints: dict, spec) -> tuple[float, float]:
    """A joint name, or [segment, fraction]: the point that far along the segment (a band just above the knee)."""
    if isinstance(spec, str):
        return joints[spec]
    segment, fraction = spec
    parent, child, _ = SEGMENTS[segment]
    (x0, y0), (x1, y1) = joints[parent], joints[child]
    return x0 + (x1 - x0) * fraction, y0 + (y1 - y0) * fraction


def _draw_push(cv: _Canvas, frame: Frame) -> None:
    """Short straight arrows for a held push (an isometric hold): the joint presses that way and stays put."""
    for joint, angle in frame.push:
        x, y = frame.joints[joint]
        dx, dy = _dir(angle)
        start = (x + dx * 4.5, y + dy * 4.5)
        tip = (x + dx * 13.0, y + dy * 13.0)
        base = (tip[0] - dx * 4.5, tip[1] - dy * 4.5)
        cv.line([start, base], ARROW, 2.4)
        cv.polygon(
            [tip, (base[0] - dy * 3.2, base[1] + dx * 3.2), (base[0] + dy * 3.2, base[1] - dx * 3.2)], ARROW
        )


def _draw_circles(cv: _Canvas, frame: Frame) -> None:
    """A round arrow around a point: small circles (rubbing ice over a spot, say)."""
    for joint, radius, *rest in frame.circle:
        # Optional: offset of the centre from the joint, and the arc's start and end in degrees (a short arc
        # is a turning arrow, e.g. the pelvis tucking under); by default nearly a full circle.
        # A seventh number squashes the circle into an ellipse (a hoop round the body seen from the side).
        dx, dy, start, end, squash = (list(rest) + [0.0, 0.0, 60.0, 360.0, 1.0][len(rest) :])[:5]
        cx, cy = frame.joints[joint][0] + dx, frame.joints[joint][1] + dy

        def at(a, cx=cx, cy=cy, radius=radius, squash=squash):
            return cx + radius * math.cos(a), cy + radius * squash * math.sin(a)

        sweep = [math.radians(start + (end - start) * i / 20) for i in range(21)]
        cv.line([at(a) for a in sweep], ARROW, 2.0)
        # Arrowhead at the end of the arc, pointing along it.
        way = 1.0 if end >= start else -1.0
        last = sweep[-1]
        tip = at(last + way * 0.35)
        base = at(last - way * 0.1)
        ux, uy = tip[0] - base[0], tip[1] - base[1]
        n = math.hypot(ux, uy) or 1.0
        ux, uy = ux / n, uy / n
        cv.polygon(
            [tip, (base[0] - uy * 2.8, base[1] + ux * 2.8), (base[0] + uy * 2.8, base[1] - ux * 2.8)], ARROW
        )


def _arrowhead(cv: _Canvas, tip, before, size: float = 5.5) -> None:
    """A filled head at tip, pointing away from before."""
    ux, uy = tip[0] - before[0], tip[1] - before[1]
    n = math.hypot(ux, uy) or 1.0
    ux, uy = ux / n, uy / n
    base = (tip[0] - ux * size, tip[1] - uy * size)
    cv.polygon(
        [
            tip,
            (base[0] - uy * size * 0.6, base[1] + ux * size * 0.6),
            (base[0] + uy * size * 0.6, base[1] - ux * size * 0.6),
        ],
        ARROW,
    )


def _draw_paths(cv: _Canvas, frame: Frame) -> None:
    """Free arrows along given points: a step to the side, a hop up and down, a walk there and back."""
    for path in frame.paths:
        pts = [tuple(map(float, p)) for p in path["points"]]
        if len(pts) < 2:
            continue
        size = 5.5

        def short(tip, before, size=size):
            # The line stops inside the head so its round cap does not poke through the point.
            ux, uy = tip[0] - before[0], tip[1] - before[1]
            n = math.hypot(ux, uy) or 1.0
            return tip[0] - ux / n * size * 0.8, tip[1] - uy / n * size * 0.8

        line = list(pts)
        line[-1] = short(pts[-1], pts[-2])
        if path.get("both"):
            line[0] = short(pts[0], pts[1])
        cv.line(line, ARROW, 2.4)
        _arrowhead(cv, pts[-1], pts[-2], size)
        if path.get("both"):
            _arrowhead(cv, pts[0], pts[1], size)


def _draw_clock(cv: _Canvas, prop: dict) -> None:
    """A small clock face with the minutes shaded from twelve o'clock: how long, not how far."""
    x, y, r = float(prop.get("x", 0.0)), float(prop.get("y", 90.0)), float(prop.get("r", 9.0))
    minutes = float(prop.get("minutes", 5))
    cv.circle((x, y), r, "#ffffff", SLATE_FAR, 1.4)
    sweep = [math.radians(90 - 6 * minutes * i / 12) for i in range(13)]
    wedge = [(x, y)] + [(x + (r - 1.2) * math.cos(a), y + (r - 1.2) * math.sin(a)) for a in sweep]
    cv.polygon(wedge, "#fde68a", "none")
    cv.line([(x, y), (x, y + r * 0.75)], SLATE, 1.4)
    a = sweep[-1]
    cv.line([(x, y), (x + r * 0.8 * math.cos(a), y + r * 0.8 * math.sin(a))], SLATE, 1.4)


def _draw_footprints(cv: _Canvas, prop: dict) -> None:
    """A small map of footprints seen from above (forward is up): where the steps go, on a pale card."""
    x, y = float(prop.get("x", 0.0)), float(prop.get("y", 60.0))
    steps = [tuple(step) for step in prop["steps"]]
    xs = [x + sx for sx, *_ in steps]
    ys = [y + sy for _sx, sy, *_ in steps]
    cv.rect(min(xs) - 6, min(ys) - 7, max(xs) - min(xs) + 12, max(ys) - min(ys) + 14, "#f8fafc", "#cbd5e1", 2)
    for (_sx, _sy, *rest), px, py in zip(steps, xs, ys, strict=True):
        fill = GHOST if rest and rest[0] == "ghost" else SLATE_FAR
        cv.items.append(
            f'<ellipse cx="{_f(px)}" cy="{_f(-py)}" rx="1.9" ry="3.4" fill="{fill}" stroke="none"/>'
        )
        cv._pt(px - 1.9, py - 3.4)
        cv._pt(px + 1.9, py + 3.4)


def _draw_level(cv: _Canvas, frame: Frame) -> None:
    """A dashed level line shows how far the pelvis tilts: in the front view through the standing hip, in the
    side view ("level": "pelvis") through the pelvis bar."""
    if not frame.level:
        return
    if frame.level == "pelvis":
        (bx, _), (fx, _) = frame.joints["pelvis_back"], frame.joints["pelvis_front"]
        x, y = frame.joints["pelvis"]
        sign = 1.0 if fx >= bx else -1.0
        cv.line(
            [(x - sign * (PELVIS_HALF + 4.0), y), (x + sign * (PELVIS_HALF + 6.0), y)],
            ARROW,
            1.2,
            dash="2.5 2",
        )
        return
    x, y = frame.joints[frame.level]
    other = frame.joints["r_hip" if frame.level == "l_hip" else "l_hip"]
    reach = 2 * HIP_HALF + 7.0
    sign = 1.0 if other[0] >= x else -1.0
    cv.line([(x - sign * 4.0, y), (x + sign * reach, y)], ARROW, 1.2, dash="2.5 2")


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

    if frame.turn or frame.twist:
        _draw_body_by_depth(cv, frame, color, GHOST if ghost else (TEAL if "trunk" in work else SLATE), far)
        return
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
        if "pelvis_front" in j:
            pelvis_color = GHOST if ghost else (TEAL if "pelvis" in work else trunk_color)
            cv.line([j["pelvis_back"], j["pelvis_front"]], pelvis_color)
    cv.line([j["neck"], _toward(j["neck"], j["head"], NECK - HEAD_R)], trunk_color)
    cv.circle(j["head"], HEAD_R, trunk_color)
    for side, is_far in order[1:]:
        for limb, names in _limbs(side):
            cv.line([j[n] for n in names], color(limb, is_far))


def _draw_body_by_depth(cv: _Canvas, frame: Frame, color, trunk_color: str, far: str) -> None:
    """A turned view (seen from behind, or three-quarters): parts are drawn farthest first, and the hips and
    shoulders show as a bar across the body."""
    j, z = frame.joints, frame.depth

    def depth(names):
        return sum(z[n] for n in names) / len(names)

    # (depth, joints of a polyline or "head", colour)
    parts: list[tuple[float, list[str] | str, str]] = []
    for side in SIDES:
        for limb, names in _limbs(side):
            parts.append((depth(names), names, color(limb, side == far)))
    for names in (["l_hip", "r_hip"], ["pelvis", "neck"], ["l_shoulder", "r_shoulder"]):
        parts.append((depth(names), names, trunk_color))
    parts.append((z["head"], "head", trunk_color))
    for _depth, names, stroke in sorted(parts, key=lambda part: part[0]):
        if names == "head":
            cv.line([j["neck"], _toward(j["neck"], j["head"], NECK - HEAD_R)], stroke)
            cv.circle(j["head"], HEAD_R, stroke)
        else:
            cv.line([j[n] for n in names], stroke)


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
    for path in frame.paths:  # the floor runs under a step arrow too
        x0 = min([x0] + [p[0] - 6 for p in path["points"]])
        x1 = max([x1] + [p[0] + 6 for p in path["points"]])
    _draw_back_props(cv, frame, x0, x1)
    if frame.view != "top":
        cv.line([(x0, -SKIN - 0.6), (x1, -SKIN - 0.6)], PROP_LINE, 1.2)
    arrow = exercise.get("arrow")
    start = compute_frame(exercise, arrow.get("from", 0) if arrow else 0) if with_ghost else None
    if start is not None and (start.view, start.turn) != (frame.view, frame.turn):
        start = None  # a ghost or arrow only means something seen from the same place
        start = None
    if start is not None:
        _draw_body(cv, start, ghost=True)
    _draw_body(cv, frame)
    _draw_front_props(cv, frame, x0, x1)
    _draw_level(cv, frame)
    _draw_push(cv, frame)
    _draw_circles(cv, frame)
    _draw_paths(cv, frame)
    if arrow and start is not None:
        a = start.joints[arrow["joint"]]
        b = frame.joints[arrow["joint"]]
        _draw_arrow(cv, a, b, arrow.get("bend", 6.0))
    return cv


def exercise_svg(slug: str, *, frame: int | None = None, size: int = 240, title: str | None = None) -> str:
    """The figure for one exercise as a standalone SVG string (see the module docstring)."""
    exercise = exercise_pose(slug)
    # A "hidden" frame is never a panel of its own: it is the ghost and arrow start for a frame drawn in a
    # different view from the panels before it.
    shown = [i for i, raw in enumerate(exercise["frames"]) if not raw.get("hidden")]
    count = len(shown)
    indices = list(shown) if frame is None else [shown[frame]]
    last = shown[-1]
    panels = [
        _panel(
            exercise,
            i,
            with_ghost=(frame is None and i == last and count > 1 and exercise.get("ghost", True)),
        )
        for i in indices
    ]
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

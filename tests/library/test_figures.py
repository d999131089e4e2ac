"""Exercise figures: every shipped exercise and self-test has one, the skeleton keeps its shape, contacts touch."""

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from library import figures
from triage.engine import _TESTS

CATALOG = json.loads((Path(figures.__file__).parent / "data" / "exercises.json").read_text(encoding="utf-8"))
SLUGS = figures.figure_slugs()
SVG_NS = "{http://www.w3.org/2000/svg}"


def _frames():
    for slug in SLUGS:
        pose = figures.exercise_pose(slug)
        for index in range(len(pose["frames"])):
            yield slug, index


def test_every_shipped_exercise_and_self_test_has_a_pose():
    assert {e["slug"] for e in CATALOG} <= set(SLUGS)
    assert {f"selftest:{code}" for code, _label in _TESTS} <= set(SLUGS)


@pytest.mark.parametrize("slug,index", list(_frames()))
def test_limb_lengths_match_the_skeleton(slug, index):
    # Measured in three dimensions: a limb tipped toward the viewer is drawn shorter but is as long as ever.
    frame = figures.compute_frame(figures.exercise_pose(slug), index)
    for segment, (parent, child, length) in figures.SEGMENTS.items():
        assert math.dist(frame.point3(parent), frame.point3(child)) == pytest.approx(length, abs=1e-6), (
            segment
        )
    for side in figures.SIDES:  # the hips and shoulders stay the body's width apart
        assert math.dist(frame.point3("l_hip"), frame.point3("r_hip")) == pytest.approx(2 * figures.HIP_HALF)
        assert math.dist(frame.point3(f"{side}_hip"), frame.point3("pelvis")) == pytest.approx(
            figures.HIP_HALF
        )


@pytest.mark.parametrize("slug,index", list(_frames()))
def test_contacts_touch_and_nothing_goes_through_the_floor(slug, index):
    frame = figures.compute_frame(figures.exercise_pose(slug), index)
    for point, surface in frame.contacts:
        assert frame.contact_y(point) == pytest.approx(frame.surfaces[surface], abs=0.5), (point, surface)
    if frame.view == "top":  # seen from above: the floor is the picture plane, not a line
        return
    for name, (_x, y) in frame.joints.items():
        assert y >= -0.5, name
    assert frame.contact_y("head") >= -0.5


def test_a_contact_moves_the_figure_onto_a_raised_surface():
    exercise = {
        "props": [{"type": "step", "x": 0, "h": 18}],
        "frames": [{"contacts": [["l_ankle", "step", 5]]}, {"contacts": [["l_ankle", "floor", 5]]}],
    }
    on_step, on_floor = figures.compute_frame(exercise, 0), figures.compute_frame(exercise, 1)
    assert on_step.joints["l_ankle"] == pytest.approx((5, 18))
    assert on_floor.joints["l_ankle"] == pytest.approx((5, 0))


def test_solve_turns_a_segment_so_a_second_point_lands():
    exercise = {
        "frames": [
            {
                "trunk": 180,
                "thigh": 50,
                "shin": -60,
                "contacts": [["pelvis", "floor", 0], ["l_ankle", "floor"]],
                "solve": [["l_shin", "l_ankle", "floor"]],
            }
        ]
    }
    frame = figures.compute_frame(exercise, 0)
    assert frame.joints["l_ankle"][1] == pytest.approx(0, abs=1e-9)
    assert frame.joints["l_ankle"][0] > frame.joints["l_knee"][0]  # kept on the authored side


@pytest.mark.parametrize("slug", SLUGS)
def test_svg_is_valid_and_inert(slug):
    svg = figures.exercise_svg(slug)
    root = ET.fromstring(svg)
    assert root.tag == SVG_NS + "svg"
    assert root.get("role") == "img"
    assert root.find(SVG_NS + "title").text.strip()
    for element in root.iter():
        assert not element.tag.endswith("script")
        assert not element.tag.endswith("foreignObject")
        for attr, value in element.attrib.items():
            assert not attr.lower().startswith("on"), attr
            if attr.endswith("href"):
                assert value.startswith("#"), value


def test_title_names_the_exercise_and_says_start_and_end():
    root = ET.fromstring(figures.exercise_svg("copenhagen-plank"))
    assert root.find(SVG_NS + "title").text == "Copenhagen plank: start and end positions"
    single = ET.fromstring(figures.exercise_svg("copenhagen-plank", frame=0))
    assert single.find(SVG_NS + "title").text == "Copenhagen plank"


def test_rendering_is_deterministic_and_sized():
    first = figures.exercise_svg("glute-bridge", size=120)
    assert first == figures.exercise_svg("glute-bridge", size=120)
    assert ET.fromstring(first).get("width") == "120"
    assert first != figures.exercise_svg("glute-bridge", frame=-1, size=120)


def test_working_limb_is_tinted_and_the_arrow_drawn():
    svg = figures.exercise_svg("clamshell-with-band")
    assert figures.TEAL in svg
    assert figures.ARROW in svg
    assert figures.TEAL not in figures.exercise_svg("slow-walk-cool-down")


def test_unknown_slug_raises():
    assert not figures.has_figure("no-such-exercise")
    with pytest.raises(KeyError):
        figures.exercise_svg("no-such-exercise")


def _drawn_length(frame, segment):
    parent, child, _ = figures.SEGMENTS[segment]
    return math.dist(frame.joints[parent], frame.joints[child])


def test_a_limb_tipped_toward_the_viewer_is_drawn_foreshortened():
    upright = {"frames": [{"contacts": [["l_ankle", "floor", 0]]}]}
    lifted = {"frames": [{"out": {"r_thigh": 60}, "contacts": [["l_ankle", "floor", 0]]}]}
    flat, tipped = figures.compute_frame(upright, 0), figures.compute_frame(lifted, 0)
    assert _drawn_length(flat, "r_thigh") == pytest.approx(figures.THIGH)
    assert _drawn_length(tipped, "r_thigh") == pytest.approx(figures.THIGH * 0.5)
    toward_viewer = tipped.point3("r_knee")[2] - tipped.point3("r_hip")[2]
    assert toward_viewer == pytest.approx(figures.THIGH * math.sin(math.radians(60)))
    # The knee rises as the thigh comes forward; the foot hangs from it, the standing leg is untouched.
    assert tipped.joints["r_knee"][1] == pytest.approx(flat.joints["r_knee"][1] + figures.THIGH * 0.5)
    assert tipped.joints["l_knee"] == pytest.approx(flat.joints["l_knee"])
    with pytest.raises(ValueError):
        figures.compute_frame({"frames": [{"out": {"tail": 10}}]}, 0)


def test_solve_lands_a_foreshortened_segment_on_its_surface():
    # Seated seen from the front: thighs come toward the viewer, the shins are turned until the feet are down.
    exercise = {
        "view": "front",
        "props": [{"type": "chair", "x": -14, "w": 28, "h": 27}],
        "frames": [
            {
                "l_thigh": -70,
                "r_thigh": -110,
                "out": {"l_thigh": 70, "r_thigh": 70, "l_shin": 10},
                "contacts": [["pelvis", "chair", 0], ["l_ankle", "floor"]],
                "solve": [["l_shin", "l_ankle", "floor"]],
            }
        ],
    }
    frame = figures.compute_frame(exercise, 0)
    assert frame.joints["l_ankle"][1] == pytest.approx(0, abs=1e-9)
    assert math.dist(frame.point3("l_knee"), frame.point3("l_ankle")) == pytest.approx(figures.SHIN)


def test_pelvis_tilt_drops_and_hikes_one_hip_in_the_front_view():
    def frame(pelvis):
        raw = {"view": "front", "contacts": [["l_ankle", "floor", 0]]}
        if pelvis is not None:
            raw["pelvis"] = pelvis
        return figures.compute_frame({"frames": [raw]}, 0)

    level, dropped, hiked = frame(None), frame(-20), frame(20)
    assert level.joints["r_hip"][1] == pytest.approx(level.joints["l_hip"][1])
    rise = 2 * figures.HIP_HALF * math.sin(math.radians(20))
    assert hiked.joints["r_hip"][1] - hiked.joints["l_hip"][1] == pytest.approx(rise)
    assert dropped.joints["r_hip"][1] - dropped.joints["l_hip"][1] == pytest.approx(-rise)
    # The standing foot stays on the floor; the free leg hangs from its hip, so its foot rises and falls too.
    for tilted in (dropped, hiked):
        assert tilted.joints["l_ankle"][1] == pytest.approx(0)
    assert hiked.joints["r_ankle"][1] - dropped.joints["r_ankle"][1] == pytest.approx(2 * rise)
    assert hiked.joints["neck"][0] == pytest.approx(hiked.joints["pelvis"][0])  # the trunk stays upright


def test_shipped_hip_hike_visibly_drops_then_hikes_the_free_side_on_the_step():
    pose = figures.exercise_pose("heel-drop-hip-hike")
    frames = [figures.compute_frame(pose, i) for i in range(len(pose["frames"]))]
    step_top = frames[0].surfaces["step"]
    tilts = [f.joints["r_hip"][1] - f.joints["l_hip"][1] for f in frames]
    assert min(tilts) < -3 and max(tilts) > 3  # at least 3 units either way at a 100-unit figure
    assert all(f.joints["l_ankle"][1] == pytest.approx(step_top) for f in frames)
    hiked = frames[tilts.index(max(tilts))]
    assert hiked.joints["r_ankle"][1] > step_top > min(f.joints["r_ankle"][1] for f in frames)
    assert figures.exercise_svg("heel-drop-hip-hike").count('stroke-dasharray="2.5 2"') >= 1  # the level line


def test_turning_the_camera_keeps_heights_and_separates_the_sides():
    pose = {"frames": [{"trunk": 170, "thigh": -90, "shin": 0, "contacts": [["l_knee", "floor", 0]]}]}
    side = figures.compute_frame(pose, 0)
    behind = figures.compute_frame(dict(pose, turn=-90), 0)
    for name, (_x, y) in side.joints.items():
        assert behind.joints[name][1] == pytest.approx(y), name
    assert side.joints["l_hip"] == pytest.approx(side.joints["r_hip"])  # side on, the hips overlap
    assert abs(behind.joints["l_hip"][0] - behind.joints["r_hip"][0]) == pytest.approx(2 * figures.HIP_HALF)
    # Seen from behind the trunk runs away from the viewer, so it is drawn (almost) as a point.
    assert _drawn_length(behind, "trunk") == pytest.approx(
        figures.TRUNK * math.sin(math.radians(10)), abs=1e-6
    )


def test_fire_hydrant_lifts_the_thigh_out_to_the_side_seen_from_behind():
    pose = figures.exercise_pose("fire-hydrant")
    start, end = (figures.compute_frame(pose, i) for i in (0, len(pose["frames"]) - 1))
    assert start.joints["r_knee"][1] == pytest.approx(0) and start.turn == 0  # on all fours, side on
    assert end.turn and end.joints["r_knee"][1] > 10  # the knee lifted well off the floor
    assert end.joints["l_knee"][1] == pytest.approx(0)
    hip, knee = end.joints["r_hip"], end.joints["r_knee"]
    assert abs(knee[0] - hip[0]) > 10  # out to the side in the picture, not hidden in depth


def test_a_hidden_frame_is_only_the_ghost_and_arrow_start():
    pose = figures.exercise_pose("fire-hydrant")
    hidden = [i for i, raw in enumerate(pose["frames"]) if raw.get("hidden")]
    assert hidden
    svg = figures.exercise_svg("fire-hydrant")
    assert svg.count("<g transform") == len(pose["frames"]) - len(hidden)
    assert figures.GHOST in svg and figures.ARROW in svg
    assert figures.exercise_svg("fire-hydrant", frame=-1) != figures.exercise_svg("fire-hydrant", frame=0)


def test_no_ghost_or_arrow_across_a_change_of_view():
    pose = {
        "frames": [
            {"contacts": [["l_ankle", "floor", 0]]},
            {"turn": -90, "contacts": [["l_ankle", "floor", 0]]},
        ],
        "arrow": {"joint": "r_knee"},
    }
    figures._poses()["_test_two_views"] = pose
    try:
        svg = figures.exercise_svg("_test_two_views", title="test")
    finally:
        del figures._poses()["_test_two_views"]
    assert figures.GHOST not in svg and figures.ARROW not in svg


def test_isometric_hold_shows_push_arrows_and_fills_its_frame():
    svg = figures.exercise_svg("isometric-hip-abduction")
    root = ET.fromstring(svg)
    assert figures.ARROW in svg  # the knees press out against the belt
    _x, _y, width, height = (float(v) for v in root.get("viewBox").split())
    assert height / width > 0.3  # not a thin strip lost in a 2:1 thumbnail


def test_seated_band_starts_knees_together_and_ends_knees_apart_with_feet_still():
    pose = figures.exercise_pose("seated-banded-hip-abduction")
    start, end = (figures.compute_frame(pose, i) for i in (0, -1))
    knees = [abs(f.joints["l_knee"][0] - f.joints["r_knee"][0]) for f in (start, end)]
    assert knees[0] <= figures.LINE + 0.5 < 15 < knees[1]
    for side in figures.SIDES:
        assert end.joints[f"{side}_ankle"][0] == pytest.approx(start.joints[f"{side}_ankle"][0], abs=1.5)
    assert start.joints["neck"][0] == pytest.approx(start.joints["pelvis"][0])  # sitting tall
    band = next(p for p in pose["props"] if p["type"] == "loop_band")
    assert all(
        isinstance(spec, list) and spec[0].endswith("thigh") for spec in band["around"]
    )  # above the knees


def test_swimming_water_covers_the_body_below_the_surface():
    svg = figures.exercise_svg("swimming")
    assert figures.WATER in svg and 'fill-opacity="0.55"' in svg
    assert svg.index(figures.WATER) > svg.index("<circle")  # drawn over the swimmer, not behind


def test_small_circles_are_drawn_round_the_point_they_rub():
    pose = figures.exercise_pose("ice-massage")
    assert "arrow" not in pose and figures.ARROW in figures.exercise_svg("ice-massage")
    frame = figures.compute_frame(pose, 0)
    joint, radius, dx, dy = frame.circle[0]
    cx, cy = frame.joints[joint][0] + dx, frame.joints[joint][1] + dy
    canvas = figures._Canvas()
    figures._draw_circles(canvas, frame)
    arc = list(zip(canvas.xs, canvas.ys, strict=True))[:-3]  # the last three points are the arrowhead
    assert len(arc) > 10
    assert all(math.dist((x, y), (cx, cy)) == pytest.approx(radius, abs=0.01) for x, y in arc)
    # The ice is held against the outside of the hip, not in front of the body.
    assert frame.joints["r_hand"][0] > frame.joints["r_hip"][0] + 4


def test_side_view_pelvis_bar_tips_forward_or_tucks_under():
    def frame(pelvis):
        return figures.compute_frame(
            {"frames": [{"pelvis": pelvis, "contacts": [["l_ankle", "floor", 0]]}]}, 0
        )

    for angle in (-18, 12):
        f = frame(angle)
        (bx, by), (fx, fy) = f.joints["pelvis_back"], f.joints["pelvis_front"]
        assert math.degrees(math.atan2(fy - by, fx - bx)) == pytest.approx(angle)
        assert math.dist((bx, by), (fx, fy)) == pytest.approx(2 * figures.PELVIS_HALF)
        assert f.joints["pelvis"] == pytest.approx(((bx + fx) / 2, (by + fy) / 2))
    assert (
        "pelvis_front" not in figures.compute_frame({"frames": [{}]}, 0).joints
    )  # only drawn when asked for
    pose = figures.exercise_pose("standing-hip-flexor-stretch-posterior-tilt")
    start, end = (figures.compute_frame(pose, i) for i in (0, -1))
    assert start.joints["pelvis_front"][1] < start.joints["pelvis_back"][1]  # tipped forward to begin with
    assert end.joints["pelvis_front"][1] > end.joints["pelvis_back"][1]  # tucked under: the front comes up
    assert end.joints["neck"][0] == pytest.approx(end.joints["pelvis"][0])  # without leaning


def test_a_short_turning_arrow_follows_its_arc():
    frame = figures.compute_frame({"frames": [{"circle": [["pelvis", 10, 0, 0, -45, 45]]}]}, 0)
    canvas = figures._Canvas()
    figures._draw_circles(canvas, frame)
    cx, cy = frame.joints["pelvis"]
    arc = list(zip(canvas.xs, canvas.ys, strict=True))[:-3]
    angles = [math.degrees(math.atan2(y - cy, x - cx)) for x, y in arc]
    assert angles[0] == pytest.approx(-45) and angles[-1] == pytest.approx(45)
    assert all(x > cx for x, _y in arc)  # on the front of the pelvis only
    tip = (canvas.xs[-3], canvas.ys[-3])
    assert tip[1] > arc[-1][1]  # the head points on round the way the arc runs (upward here)


def test_twisting_the_upper_body_turns_the_shoulders_but_not_the_hips():
    square = figures.compute_frame({"frames": [{"contacts": [["l_ankle", "floor", 0]]}]}, 0)
    twisted = figures.compute_frame({"frames": [{"twist": -60, "contacts": [["l_ankle", "floor", 0]]}]}, 0)
    for name in ("l_hip", "r_hip", "l_ankle", "r_toe", "pelvis"):  # the legs and hips stay where they were
        assert twisted.point3(name) == pytest.approx(square.point3(name))
    # Seen from the side the shoulders were one behind the other; turned, they spread across the picture.
    assert abs(square.joints["l_shoulder"][0] - square.joints["r_shoulder"][0]) == pytest.approx(0, abs=1e-6)
    spread = abs(twisted.joints["l_shoulder"][0] - twisted.joints["r_shoulder"][0])
    assert spread == pytest.approx(2 * figures.SHOULDER_HALF * math.sin(math.radians(60)))
    assert twisted.joints["neck"][1] == pytest.approx(square.joints["neck"][1])  # no taller or shorter
    svg = figures.exercise_svg("walking-lunge-with-rotation")
    pose = figures.exercise_pose("walking-lunge-with-rotation")
    lunge = figures.compute_frame(pose, -1)
    assert lunge.twist and lunge.circle and lunge.circle[0][6] < 1  # a hoop arrow round the trunk
    assert figures.ARROW in svg


def test_a_squashed_circle_runs_round_like_a_hoop():
    frame = figures.compute_frame({"frames": [{"circle": [["neck", 16, 0, 0, 350, 190, 0.3]]}]}, 0)
    canvas = figures._Canvas()
    figures._draw_circles(canvas, frame)
    cx, cy = frame.joints["neck"]
    arc = list(zip(canvas.xs, canvas.ys, strict=True))[:-3]
    assert all(((x - cx) / 16) ** 2 + ((y - cy) / 4.8) ** 2 == pytest.approx(1, abs=1e-6) for x, y in arc)
    assert max(y for _x, y in arc) <= cy + 1e-6  # the front half: below the joint, toward the viewer
    assert arc[0][0] > cx > arc[-1][0]  # runs from right to left


def test_a_free_arrow_has_a_head_at_its_end_and_at_both_ends_when_asked():
    def heads(path):
        frame = figures.compute_frame({"frames": [{"paths": [path]}]}, 0)
        canvas = figures._Canvas()
        figures._draw_paths(canvas, frame)
        return [item for item in canvas.items if item.startswith("<polygon")], canvas

    one, canvas = heads({"points": [[0, 10], [30, 10]]})
    assert len(one) == 1 and max(canvas.xs) == pytest.approx(30)  # the tip reaches the last point
    two, canvas = heads({"points": [[20, 2], [20, 28]], "both": True})
    assert len(two) == 2 and (min(canvas.ys), max(canvas.ys)) == pytest.approx((2, 28))


def test_clock_shades_the_minutes_and_footprints_sit_where_asked():
    frame = figures.compute_frame(
        {
            "frames": [{}],
            "props": [
                {"type": "clock", "x": 40, "y": 70, "r": 10, "minutes": 15},
                {"type": "footprints", "x": 60, "y": 30, "steps": [[-7, 0], [7, 14, "ghost"]]},
            ],
        },
        0,
    )
    canvas = figures._Canvas()
    figures._draw_front_props(canvas, frame)
    wedge = next(item for item in canvas.items if 'fill="#fde68a"' in item)
    points = [tuple(map(float, p.split(","))) for p in wedge.split('points="')[1].split('"')[0].split()]
    # A quarter of an hour: from twelve o'clock round to three o'clock (y is flipped in the SVG).
    assert points[1] == pytest.approx((40, -(70 + 8.8)), abs=0.1)
    assert points[-1] == pytest.approx((40 + 8.8, -70), abs=0.1)
    prints = [item for item in canvas.items if item.startswith("<ellipse")]
    assert len(prints) == 2 and 'cx="53"' in prints[0] and 'cx="67"' in prints[1]
    assert figures.GHOST in prints[1]


def test_hop_test_shows_the_foot_in_the_air_with_an_up_and_down_arrow():
    pose = figures.exercise_pose("single-leg-hop-test")
    landing, air = (figures.compute_frame(pose, i) for i in (0, -1))
    assert ("l_ankle", "floor") in landing.contacts
    assert min(y for _x, y in air.joints.values()) > 5  # nothing touches the floor: airborne
    knee = air.joints["l_knee"]
    hip, ankle = air.joints["l_hip"], air.joints["l_ankle"]
    assert knee[0] > min(hip[0], ankle[0])  # the knee stays a little bent
    (path,) = air.paths
    (x0, y0), (x1, y1) = path["points"]
    assert x0 == x1 and y1 > y0 and path["both"]  # straight up and down


def test_walks_differ_brisk_long_stride_and_arm_swing_slow_short_short_walks_a_clock():
    def stride(slug):
        frame = figures.compute_frame(figures.exercise_pose(slug), 0)
        return abs(frame.joints["l_ankle"][0] - frame.joints["r_ankle"][0]), frame

    brisk, brisk_frame = stride("brisk-walk-warm-up")
    slow, slow_frame = stride("slow-walk-cool-down")
    short, _ = stride("short-walks-early-care")
    assert brisk > short > slow
    swing = abs(brisk_frame.joints["l_hand"][0] - brisk_frame.joints["r_hand"][0])
    assert swing > 3 * abs(slow_frame.joints["l_hand"][0] - slow_frame.joints["r_hand"][0])
    assert any(p["type"] == "clock" for p in figures.exercise_pose("short-walks-early-care")["props"])


def test_lateral_band_walk_steps_sideways_and_monster_walk_diagonally_forward():
    lateral = figures.exercise_pose("lateral-band-walk")
    start, end = (figures.compute_frame(lateral, i) for i in (0, -1))
    assert end.view == "front" and end.joints["r_ankle"][0] > start.joints["r_ankle"][0] + 6
    (arrow,) = end.paths
    (x0, y0), (x1, y1) = arrow["points"]
    assert y0 == y1 and x1 > x0  # a sideways arrow
    monster = figures.compute_frame(figures.exercise_pose("monster-walk-with-band"), -1)
    assert monster.turn  # three-quarter view
    prints = next(p for p in monster.props if p["type"] == "footprints")
    assert {sx > 0 for sx, _sy in prints["steps"]} == {True, False}  # wide steps, left and right
    for path in monster.paths:  # every arrow runs forward (up the map) and out to one side
        (ax, ay), (bx, by) = path["points"][0], path["points"][-1]
        assert by > ay and abs(bx - ax) > 4


def test_hop_has_no_ghost_hiding_the_gap_and_a_shadow_under_the_foot():
    svg = figures.exercise_svg("single-leg-hop-test")
    assert figures.GHOST not in svg  # no pale landing figure standing in the gap
    air = figures.compute_frame(figures.exercise_pose("single-leg-hop-test"), -1)
    canvas = figures._Canvas()
    figures._draw_back_props(canvas, air, -40, 40)
    shadow = next(item for item in canvas.items if 'fill="#cbd5e1"' in item)
    xs = [float(p.split(",")[0]) for p in shadow.split('points="')[1].split('"')[0].split()]
    assert min(xs) < air.joints["l_ankle"][0] < max(xs)  # right under the foot in the air
    assert figures.GHOST in figures.exercise_svg("standing-leg-swing-test")  # others keep their ghost

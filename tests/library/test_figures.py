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
    frame = figures.compute_frame(figures.exercise_pose(slug), index)
    for segment, (parent, child, length) in figures.SEGMENTS.items():
        (x0, y0), (x1, y1) = frame.joints[parent], frame.joints[child]
        assert math.hypot(x1 - x0, y1 - y0) == pytest.approx(length, abs=1e-6), segment


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

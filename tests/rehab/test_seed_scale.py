"""manage.py seed_scale: the benchmark's clinic network, at a size a test can afford."""

import math
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone

from portal.models import Alert, Athlete, CareTeamMember, Clinic, Clinician, User
from rehab.models import DailyLog, ExerciseLog, PhaseChange, Plan, PlanExercise, PlanPhase, RehabStatus
from tests.factories import AthleteFactory

ATHLETES, DAYS, CLINICS = 12, 10, 3


def seed(*extra: str) -> str:
    out = StringIO()
    today = timezone.localdate().isoformat()
    call_command("seed_scale", "--athletes", str(ATHLETES), "--days", str(DAYS), "--clinics", str(CLINICS),
                 "--seed", "7", "--today", today, *extra, stdout=out)  # fmt: skip
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed()


def scale_athletes():
    return Athlete.objects.filter(clinic__slug__startswith="scale-")


def test_creates_the_clinic_network(seeded):
    assert Clinic.objects.filter(slug__startswith="scale-").count() == CLINICS
    assert scale_athletes().count() == ATHLETES
    assert Clinician.objects.filter(user__email__endswith="@scale.example").count() == CLINICS
    logins = User.objects.filter(email__startswith="athlete", email__endswith="@scale.example")
    assert logins.count() == math.ceil(ATHLETES / 10)
    assert CareTeamMember.objects.filter(athlete__in=scale_athletes(), is_primary=True).count() == ATHLETES
    assert "Seeded 12 athletes in 3 clinics with 120 daily logs" in seeded


def test_exactly_days_logs_per_athlete_and_sets_add_up(seeded):
    assert DailyLog.objects.count() == ATHLETES * DAYS
    per_athlete = set(DailyLog.objects.values("athlete").annotate(n=Count("pk")).values_list("n", flat=True))
    assert per_athlete == {DAYS}
    assert ExerciseLog.objects.exists()
    sums = DailyLog.objects.annotate(total=Sum("exercises__sets_done"))
    mismatched = [(log.sets_done, log.total) for log in sums if log.sets_done != (log.total or 0)]
    assert mismatched == []
    # Exercise logs belong to the phase the day was logged in, like log_save writes them.
    assert not ExerciseLog.objects.exclude(plan_exercise__phase=F("log__phase")).exists()
    assert DailyLog.objects.filter(date__gt=timezone.localdate()).count() == 0


def test_one_active_plan_per_athlete_shaped_like_plan_assign(seeded):
    plans = Plan.objects.filter(athlete__in=scale_athletes())
    assert plans.filter(status=Plan.Status.ACTIVE).count() == ATHLETES
    for plan in plans.select_related("template", "current_phase"):
        phases = list(plan.phases.order_by("order"))
        template_phases = list(plan.template.phases.order_by("order").annotate(n=Count("exercises")))
        assert [p.name for p in phases] == [p.name for p in template_phases]
        assert [p.exercises.count() for p in phases] == [p.n for p in template_phases]
        assert plan.current_phase.plan_id == plan.pk
        assert phases[0].started_on == plan.start_date
        changes = list(PhaseChange.objects.filter(plan=plan).order_by("created", "pk"))
        assert changes[0].kind == PhaseChange.Kind.START and changes[0].to_phase_id == phases[0].pk
        assert changes[-1].to_phase_id == plan.current_phase_id
        assert plan.version == len(changes)
    # Every log points at its athlete's plan and a phase of that plan that had started by then.
    assert not DailyLog.objects.exclude(plan__athlete=F("athlete")).exists()
    assert not DailyLog.objects.exclude(phase__plan=F("plan")).exists()
    assert not DailyLog.objects.filter(date__lt=F("phase__started_on")).exists()
    assert PlanExercise.objects.filter(phase__plan__in=plans).count() == sum(
        t.n for t in PlanPhase.objects.filter(plan__in=plans).annotate(n=Count("exercises"))
    )


def test_every_athlete_has_a_current_status(seeded):
    today = timezone.localdate()
    assert RehabStatus.objects.filter(athlete__in=scale_athletes(), as_of=today).count() == ATHLETES
    assert not RehabStatus.objects.filter(Q(plan__isnull=True) | Q(phase__isnull=True)).exists()
    # Alerts follow the one-open-per-kind rule.
    kinds = Alert.objects.open().values("athlete", "kind").annotate(n=Count("pk")).filter(n__gt=1)
    assert not kinds.exists()


def test_a_clinician_sees_only_their_clinic(seeded, client):
    physio = User.objects.get(email="physio1@scale.example")
    visible = Athlete.objects.visible_to(physio)
    assert visible.count() == ATHLETES // CLINICS
    assert set(visible.values_list("clinic_id", flat=True)) == {physio.clinician.clinic_id}
    assert client.login(username="physio1@scale.example", password="stride-scale")
    response = client.get(reverse("athlete_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == ATHLETES // CLINICS


def test_athlete_logins_work(seeded, client):
    assert client.login(username="athlete1@scale.example", password="stride-scale")
    assert client.get(reverse("rehab:athlete_today")).status_code == 200


def test_refuses_to_seed_twice_unless_reset(seeded):
    with pytest.raises(CommandError, match="already exists"):
        seed()
    seed("--reset")
    assert scale_athletes().count() == ATHLETES
    assert DailyLog.objects.count() == ATHLETES * DAYS
    # Ids continue after the seeded ones (PostgreSQL sequences were moved past them).
    AthleteFactory(clinic=Clinic.objects.get(slug="scale-1"))
    assert scale_athletes().count() == ATHLETES + 1


def test_same_seed_same_data(db):
    seed()
    first = list(DailyLog.objects.order_by("athlete__email", "date").values_list("pain_during", "sets_done"))
    seed("--reset")
    again = list(DailyLog.objects.order_by("athlete__email", "date").values_list("pain_during", "sets_done"))
    assert first == again

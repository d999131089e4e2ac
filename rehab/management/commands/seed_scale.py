"""A clinic network at scale for benchmarks: `manage.py seed_scale --athletes 10000 --days 100`.

Creates clinics of about 300 athletes each, one physiotherapist with a login per clinic
(physio{N}@scale.example), athletes (athlete{N}@scale.example; every tenth has a login), care-team rows, one
active plan per athlete copied from a shipped protocol (the rows `rehab.services.plan_assign` writes, plus the
phase moves of athletes who progressed), exactly `--days` daily logs per athlete with exercise logs for the
exercises done, the caseload status of every athlete and the alerts their latest logs call for.

Written for speed, not through the services: ids are allocated up front and rows go in with executemany
(SQLite) or COPY (PostgreSQL) inside one transaction. Refuses to run twice unless --reset is given, which
removes the previous scale data (clinics `scale-*`, logins `@scale.example`) first.
"""

import json
import math
import random
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import BaseCommand, CommandError, call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from library.models import Exercise
from portal.models import Alert, Athlete, CareTeamMember, Clinic, Clinician, Shoe, User
from portal.permissions import CLINICIANS_GROUP
from rehab import selectors
from rehab.models import (
    DailyLog,
    ExerciseLog,
    PhaseChange,
    Plan,
    PlanExercise,
    PlanPhase,
    PlanTemplate,
    RehabStatus,
)
from rehab.services import DOSAGE_FIELDS, PHASE_FIELDS, status_row, status_snapshots
from rehab.status import log_alerts, stop_alerts, time_alerts
from rehab.translation import every_language
from triage.engine import LOCATION_CHOICES
from triage.models import Condition

DOMAIN = "scale.example"
SLUG_PREFIX = "scale-"
PASSWORD = "stride-scale"
ATHLETES_PER_CLINIC = 300
LOGIN_EVERY = 10  # athlete 1, 11, 21, … can log in
STATUS_CHUNK = 500
ROWS_CHUNK = 50_000

FIRST_NAMES = (
    "Aino Ben Carla Dev Elif Femi Greta Hugo Ines Jonas Kaia Liam Mina Noah Olga Pablo Quinn Rosa Sami Tara "
    "Umar Vera Wim Xenia Yusuf Zoe Amara Bruno Chloe Dario Emma Finn Gaia Hamid Isla Jamal Kenji Lena Marco "
    "Nadia Oskar Priya Rafael Sofia Theo Uma Viktor Wren Yara Zane"
).split()
LAST_NAMES = (
    "Aalto Berg Costa Dubois Eriksen Fischer Garcia Hansen Ivanova Jensen Kowalski Larsen Moreau Novak "
    "Okafor Petrov Quispe Rossi Schmidt Tanaka Usman Varga Weber Xu Yilmaz Zimmer Andersson Bianchi Castillo "
    "Dimitrov Evans Fontaine Gallagher Horvat Ito Jovanovic Keller Lindqvist Mendes Nakamura O'Brien Popescu "
    "Reyes Silva Toivonen Urban Vogel Walsh Young Zhang"
).split()
SHOES = [
    "Pegasus 41",
    "Ghost 16",
    "Clifton 9",
    "Novablast 4",
    "Kinvara 14",
    "Endorphin Speed 4",
    "Glycerin 21",
]
EVENTS = ["", "", "Berlin Marathon", "Parkrun 5k", "City Half Marathon", "Trail 30k", "Spring 10k"]
TRIGGERS = ["running", "hills", "speed", "stairs", "sitting", "lying", "getting_up", "exercises"]
NOTES = ["", "Felt stiff first thing.", "Good day.", "Long day at the desk.", "Easy on the hills."]
# Protocol weights: the condition programmes most, acute care and prevention rarely.
TEMPLATE_WEIGHTS = {"acute-72-hour-care": 0.2, "prevention-strength-maintenance": 0.5}
# Stories: (name, share). improving: pain falls, phases advance; steady: pain low and flat; flaring: improving
# then a flare over the last two weeks; quiet: stopped logging days ago; patchy: low compliance.
STORIES = (("improving", 0.5), ("steady", 0.22), ("flaring", 0.1), ("quiet", 0.08), ("patchy", 0.1))
PACE_KM_PER_MIN = {"walk": 0.09, "walk_jog": 0.11, "jog": 0.14, "run": 0.17}


# Written with Writer.insert (ids chosen here).
# The columns a plan copies from its template, its text in every language included (rehab.translation).
PHASE_COLUMNS = [*PHASE_FIELDS, *every_language(PHASE_FIELDS)]
DOSAGE_COLUMNS = [*DOSAGE_FIELDS, *every_language(DOSAGE_FIELDS)]
BULK_MODELS = [Clinic, User, Clinician, Athlete, CareTeamMember, Shoe, Plan, PlanPhase, PlanExercise, PhaseChange,
               DailyLog, ExerciseLog]  # fmt: skip


def weekday_pattern(per_week: int, offset: int) -> tuple[bool, ...]:
    """Which weekdays (Monday = 0) `per_week` sessions fall on, spread over the week and shifted by `offset`."""
    per_week = max(0, min(7, per_week))
    days = {(round(i * 7 / per_week) + offset) % 7 for i in range(per_week)} if per_week else set()
    return tuple(day in days for day in range(7))


class Writer:
    """Bulk inserts of plain rows with ids chosen here: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self):
        self.vendor = connection.vendor
        self.counts: dict[str, int] = {}

    def next_id(self, model) -> int:
        return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def day(self, value: date) -> str:
        return value.isoformat()

    def moment(self, value: datetime) -> str:
        """An aware datetime as each backend stores it (SQLite: naive UTC text)."""
        utc = value.astimezone(UTC)
        if self.vendor == "sqlite":
            return utc.replace(tzinfo=None).isoformat(" ")
        return utc.isoformat(" ")

    @contextmanager
    def foreign_keys_checked_at_end(self, models):
        """PostgreSQL: drop the foreign keys of `models`' tables, and add them back (validated) at the end.

        Deferred foreign keys queue one check per inserted row until the commit (minutes for millions of rows);
        adding a constraint validates all rows with one join (seconds), as pg_restore does. All in the
        caller's transaction, so nothing is left half-done. SQLite checks cheaply as it goes: nothing to do.
        """
        if self.vendor != "postgresql":
            yield
            return
        tables = [model._meta.db_table for model in models]
        with connection.cursor() as cursor:
            self._check_pending(cursor)
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
                [tables],
            )
            saved = cursor.fetchall()
            for table, name, _ in saved:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        yield
        with connection.cursor() as cursor:
            self._check_pending(cursor)
            for table, name, definition in saved:
                cursor.execute(
                    f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
                )

    @staticmethod
    def _with_defaults(model, columns: list[str], rows: list) -> tuple[list[str], list]:
        """Add the columns the rows leave out that have a default (a field added later: its default, worked
        out once for all rows), so adding such a field to a model does not break the raw inserts."""
        extra, values = [], []
        for f in model._meta.concrete_fields:
            if f.column in columns or f.null:
                continue
            if f.has_default():
                value = f.get_default()
            elif f.empty_strings_allowed:
                value = ""
            else:
                continue
            extra.append(f.column)
            values.append(f.get_db_prep_save(value, connection))
        if not extra:
            return columns, rows
        return [*columns, *extra], [(*row, *values) for row in rows]

    @staticmethod
    def _check_pending(cursor) -> None:
        """Run the deferred checks queued so far in this transaction (e.g. the shipped content just loaded):
        PostgreSQL refuses to alter a table with pending trigger events."""
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def insert(self, model, columns: list[str], rows) -> int:
        rows = rows if isinstance(rows, list) else list(rows)
        if not rows:
            return 0
        columns, rows = self._with_defaults(model, columns, rows)
        table = connection.ops.quote_name(model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in columns)
        raw = connection.connection
        if self.vendor == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = (
                ", ".join("?" * len(columns)) if self.vendor == "sqlite" else ", ".join(["%s"] * len(columns))
            )
            cursor = raw.cursor()
            try:
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)  # noqa: S608
            finally:
                cursor.close()
        self.counts[model.__name__] = self.counts.get(model.__name__, 0) + len(rows)
        return len(rows)


class Command(BaseCommand):
    help = (
        "Create a clinic network at scale for benchmarks: clinics of ~300 athletes, a physio login per clinic, "
        "an active plan and --days daily logs per athlete, and every athlete's caseload status."
    )

    def add_arguments(self, parser):
        parser.add_argument("--athletes", type=int, default=10_000)
        parser.add_argument("--days", type=int, default=100, help="Daily logs per athlete (default 100).")
        parser.add_argument(
            "--clinics",
            type=int,
            default=None,
            help=f"Default: athletes / {ATHLETES_PER_CLINIC}, rounded up.",
        )
        parser.add_argument("--seed", type=int, default=20261101, help="Random seed: same seed, same data.")
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="The last day logged (default: today)."
        )
        parser.add_argument(
            "--password", default=PASSWORD, help=f"Password of every login (default {PASSWORD})."
        )
        parser.add_argument(
            "--reset",
            "--force",
            action="store_true",
            dest="reset",
            help="Delete the existing scale data (clinics scale-*, logins @scale.example) first.",
        )

    def handle(self, *args, athletes, days, clinics, seed, today, password, reset, **options):
        if athletes < 1 or days < 1:
            raise CommandError("--athletes and --days must be at least 1.")
        clinics = clinics or math.ceil(athletes / ATHLETES_PER_CLINIC)
        if not 1 <= clinics <= athletes:
            raise CommandError("--clinics must be between 1 and the number of athletes.")
        today = today or timezone.localdate()
        self.verbosity = options["verbosity"]
        self.rng = random.Random(seed)
        self.timings: list[tuple[str, float]] = []
        self.marks: dict[str, float] = {}
        started = time.perf_counter()

        self.step("shipped content", self.ensure_content)
        exists = (
            Clinic.objects.filter(slug__startswith=SLUG_PREFIX).exists()
            or User.objects.filter(email__endswith=f"@{DOMAIN}").exists()
        )
        if exists and not reset:
            raise CommandError(
                "Scale data already exists (clinics scale-*, logins @scale.example). "
                "Run with --reset to delete it and seed again."
            )
        if exists:
            self.step("reset", self.delete_existing)

        self.writer = Writer()
        self.tune(True)
        try:
            with self.timed("commit"), transaction.atomic():
                with self.timed("foreign keys"), self.writer.foreign_keys_checked_at_end(BULK_MODELS):
                    self.step("people", lambda: self.create_people(athletes, clinics, password, today))
                    self.step("plans and logs", lambda: self.create_plans_and_logs(days, today))
                    self.mark("foreign keys")
                self.step("sequences", self.reset_sequences)
                self.mark("commit")
            with transaction.atomic():
                self.step("caseload status", lambda: self.create_statuses(today))
            self.step("analyze", self.analyze)
        finally:
            self.tune(False)

        total = time.perf_counter() - started
        for label, seconds in self.timings:
            self.stdout.write(f"  {label:<18} {seconds:7.1f} s")
        self.stdout.write(f"  {'total':<18} {total:7.1f} s")
        for name, count in self.writer.counts.items():
            self.stdout.write(f"  {name:<18} {count:>10,} rows")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {athletes:,} athletes in {clinics} clinics with {self.writer.counts.get('DailyLog', 0):,} "
                f"daily logs up to {today:%Y-%m-%d} in {total:.1f} s."
            )
        )
        self.stdout.write(
            f"Logins (password “{password}”): physio1@{DOMAIN} … physio{clinics}@{DOMAIN} (one per clinic), "
            f"athlete1@{DOMAIN}, athlete{1 + LOGIN_EVERY}@{DOMAIN}, … (every {LOGIN_EVERY}th athlete)."
        )

    # ------------------------------------------------------------------------------------------------------

    @contextmanager
    def timed(self, label):
        """Time from mark(label) to the end of the block: what happens on leaving it (a commit, say)."""
        yield
        self._record(label, time.perf_counter() - self.marks.pop(label))

    def mark(self, label) -> None:
        self.marks[label] = time.perf_counter()

    def _record(self, label, seconds) -> None:
        self.timings.append((label, seconds))
        if self.verbosity > 1:
            self.stdout.write(f"{label}: {seconds:.1f} s")

    def step(self, label, func):
        start = time.perf_counter()
        result = func()
        self._record(label, time.perf_counter() - start)
        return result

    def tune(self, on: bool) -> None:
        """SQLite: no fsync and a large page cache while seeding; the previous settings come back afterwards.

        (The safety level cannot change inside a transaction, e.g. in a test: then it stays as it is.)
        """
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            if on:
                self.saved_pragmas = {}
                names = ["cache_size"] if connection.in_atomic_block else ["cache_size", "synchronous"]
                for name in names:
                    cursor.execute(f"PRAGMA {name}")
                    self.saved_pragmas[name] = cursor.fetchone()[0]
                cursor.execute("PRAGMA cache_size=-262144")  # 256 MB
                if "synchronous" in self.saved_pragmas:
                    cursor.execute("PRAGMA synchronous=OFF")
            else:
                for name, value in getattr(self, "saved_pragmas", {}).items():
                    cursor.execute(f"PRAGMA {name}={int(value)}")

    def ensure_content(self) -> None:
        if not Exercise.objects.filter(clinic__isnull=True).exists():
            call_command("load_library", verbosity=0, stdout=self.stdout_null())
        if not Condition.objects.exists():
            call_command("load_conditions", verbosity=0, stdout=self.stdout_null())
        if not PlanTemplate.objects.filter(clinic__isnull=True).exists():
            call_command("load_protocols", verbosity=0, stdout=self.stdout_null())

    @staticmethod
    def stdout_null():
        from io import StringIO

        return StringIO()

    def delete_existing(self) -> None:
        """Remove earlier scale data. The big tables go with plain DELETEs, the rest through the ORM."""
        athletes = Athlete.objects.filter(clinic__slug__startswith=SLUG_PREFIX).values("pk")
        plans = Plan.objects.filter(athlete__in=athletes).values("pk")
        with transaction.atomic(), Writer().foreign_keys_checked_at_end(BULK_MODELS):
            ExerciseLog.objects.filter(log__athlete__in=athletes)._raw_delete(connection.alias)
            DailyLog.objects.filter(athlete__in=athletes)._raw_delete(connection.alias)
            RehabStatus.objects.filter(athlete__in=athletes)._raw_delete(connection.alias)
            Alert.objects.filter(athlete__in=athletes)._raw_delete(connection.alias)
            PhaseChange.objects.filter(plan__in=plans)._raw_delete(connection.alias)
            Plan.objects.filter(pk__in=plans).update(current_phase=None)
            PlanExercise.objects.filter(phase__plan__in=plans)._raw_delete(connection.alias)
            PlanPhase.objects.filter(plan__in=plans)._raw_delete(connection.alias)
            Plan.objects.filter(pk__in=plans).delete()
            Athlete.objects.filter(clinic__slug__startswith=SLUG_PREFIX).delete()
            Clinician.objects.filter(clinic__slug__startswith=SLUG_PREFIX).delete()
            User.objects.filter(email__endswith=f"@{DOMAIN}").delete()
            Clinic.objects.filter(slug__startswith=SLUG_PREFIX).delete()

    # ------------------------------------------------------------------------------------------------------

    def create_people(self, n_athletes: int, n_clinics: int, password: str, today: date) -> None:
        rng, w = self.rng, self.writer
        now = timezone.now()
        stamp = w.moment(now)
        hashed = make_password(password)  # one hash for every login: hashing 1,000 passwords takes minutes

        clinic_id, user_id, clinician_id = w.next_id(Clinic), w.next_id(User), w.next_id(Clinician)
        athlete_id, care_id, shoe_id = w.next_id(Athlete), w.next_id(CareTeamMember), w.next_id(Shoe)
        width = len(str(n_clinics))
        clinics = [
            (clinic_id + i, f"Scale Clinic {i + 1:0{width}d}", f"{SLUG_PREFIX}{i + 1}", stamp)
            for i in range(n_clinics)
        ]
        w.insert(Clinic, ["id", "name", "slug", "created"], clinics)

        users, clinicians = [], []
        self.physio_user = {}  # clinic id -> (user id, clinician id)
        for i, (cid, *_rest) in enumerate(clinics):
            uid = user_id + len(users)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            users.append((uid, hashed, 0, first, last, 1, 1, stamp, f"physio{i + 1}@{DOMAIN}"))
            clinicians.append((clinician_id + i, uid, cid, Clinician.Profession.PHYSIOTHERAPIST.value))
            self.physio_user[cid] = (uid, clinician_id + i)

        def review(n: int) -> str | None:
            """Every fourth athlete has a review planned, from a week ago (overdue) to four weeks ahead; no
            random draw, so the seed's other data stays as it was."""
            return w.day(today + timedelta(days=(n * 7) % 36 - 7)) if n % 4 == 0 else None

        athletes, care, shoes = [], [], []
        self.athletes = []  # (athlete id, clinic id, shoe id)
        for n in range(1, n_athletes + 1):
            aid, cid = athlete_id + n - 1, clinics[(n - 1) % n_clinics][0]
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"athlete{n}@{DOMAIN}"
            uid = None
            if (n - 1) % LOGIN_EVERY == 0:
                uid = user_id + len(users)
                users.append((uid, hashed, 0, first, last, 0, 1, stamp, email))
            born = date(rng.randint(1960, 2006), rng.randint(1, 12), rng.randint(1, 28))
            athletes.append(
                (aid, cid, uid, first, last, email, w.day(born), rng.choice(["female", "male", "female", "other"]),
                 f"{rng.randint(10, 90)}.0", rng.randint(1, 25), rng.choice(EVENTS), None, review(n), stamp, stamp)
            )  # fmt: skip
            care.append((care_id + n - 1, aid, self.physio_user[cid][1], 1))
            sid = shoe_id + n - 1
            self.athletes.append((aid, cid, sid))
            shoes.append([sid, aid, rng.choice(SHOES), rng.randint(20, 500), 0])
        self.shoes = shoes  # km grows with the logs, inserted after them
        w.insert(User, ["id", "password", "is_superuser", "first_name", "last_name", "is_staff", "is_active",
                        "date_joined", "email"], users)  # fmt: skip
        group = Group.objects.get(name=CLINICIANS_GROUP)
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=uid, group_id=group.pk) for uid, _ in self.physio_user.values()
        )
        w.insert(Clinician, ["id", "user_id", "clinic_id", "profession"], clinicians)
        w.insert(Athlete, ["id", "clinic_id", "user_id", "first_name", "last_name", "email", "date_of_birth", "sex",
                           "weekly_km", "years_running", "goal_event", "goal_date", "next_review", "created",
                           "updated"],
                 athletes)  # fmt: skip
        w.insert(CareTeamMember, ["id", "athlete_id", "clinician_id", "is_primary"], care)

    # ------------------------------------------------------------------------------------------------------

    def load_templates(self):
        templates = list(
            PlanTemplate.objects.filter(clinic__isnull=True, active=True).prefetch_related(
                "phases__exercises"
            )
        )
        if not templates:
            raise CommandError("No protocol templates: run manage.py load_protocols.")
        shaped = []
        for template in templates:
            phases = []
            for phase in template.phases.all():
                values = [
                    json.dumps(value) if isinstance(value, list) else value
                    for value in (getattr(phase, name) for name in PHASE_COLUMNS)
                ]
                exercises = [[getattr(ex, name) for name in DOSAGE_COLUMNS] for ex in phase.exercises.all()]
                phases.append((phase, values, exercises))
            if phases:
                shaped.append((template, phases))
        weights = [TEMPLATE_WEIGHTS.get(t.slug, 1.0) for t, _ in shaped]
        return shaped, weights

    def create_plans_and_logs(self, days: int, today: date) -> None:
        rng, w = self.rng, self.writer
        templates, weights = self.load_templates()
        # Plan.pain_free as plan_assign sets it from the template (seeded athletes have no reviewed intake).
        pain_free = {t.pk: int(selectors.template_pain_free(t)) for t, _ in templates}
        plan_id, phase_id, pex_id = w.next_id(Plan), w.next_id(PlanPhase), w.next_id(PlanExercise)
        change_id, log_id, exlog_id = w.next_id(PhaseChange), w.next_id(DailyLog), w.next_id(ExerciseLog)
        story_names = [name for name, _ in STORIES]
        story_weights = [share for _, share in STORIES]
        tz = timezone.get_current_timezone()
        day_cache: dict[date, tuple[str, str, int]] = {}

        def day_values(d: date):
            """(date text, 20:00 local as stored, weekday) — the same for every athlete, so computed once."""
            if d not in day_cache:
                evening = datetime.combine(d, clock(20, 0), tzinfo=tz)
                day_cache[d] = (w.day(d), w.moment(evening), d.weekday())
            return day_cache[d]

        def morning(d: date) -> str:
            return w.moment(datetime.combine(d, clock(9, 0), tzinfo=tz))

        plans, phases, pexes, changes, logs, exlogs = [], [], [], [], [], []
        plan_cols = ["id", "athlete_id", "template_id", "name", "goal", "start_date", "status", "current_phase_id",
                     "assigned_by_id", "auto_advance", "pain_free", "version", "created", "updated"]  # fmt: skip
        phase_cols = ["id", *PHASE_COLUMNS, "plan_id", "started_on"]
        pex_cols = ["id", *DOSAGE_COLUMNS, "phase_id"]
        change_cols = ["id", "plan_id", "from_phase_id", "to_phase_id", "kind", "by_id", "reason", "created"]
        log_cols = ["id", "athlete_id", "date", "plan_id", "phase_id", "run_minutes", "distance_km", "walk_minutes",
                    "jog_minutes", "shoe_id", "pain_during", "pain_after", "pain_next_morning", "pain_locations",
                    "triggers", "notes", "sets_done", "night_pain", "cannot_bear_weight", "swelling", "locking",
                    "created", "updated"]  # fmt: skip
        exlog_cols = ["id", "log_id", "plan_exercise_id", "exercise_id", "done", "sets_done"]
        trigger_json = [json.dumps([t]) for t in TRIGGERS]
        locations = [code for code, _ in LOCATION_CHOICES]

        def flush(final=False):
            if final or len(logs) >= ROWS_CHUNK:
                # Parents first: PostgreSQL checks the foreign keys at commit, SQLite per statement is deferred.
                w.insert(Plan, plan_cols, plans)
                w.insert(PlanPhase, phase_cols, phases)
                w.insert(PlanExercise, pex_cols, pexes)
                w.insert(PhaseChange, change_cols, changes)
                w.insert(DailyLog, log_cols, logs)
                w.insert(ExerciseLog, exlog_cols, exlogs)
                for rows in (plans, phases, pexes, changes, logs, exlogs):
                    rows.clear()

        self.plan_of = {}
        for athlete_id, clinic_id, shoe_id in self.athletes:
            physio_uid = self.physio_user[clinic_id][0]
            template, template_phases = rng.choices(templates, weights)[0]
            story = rng.choices(story_names, story_weights)[0]
            adherence = {"patchy": rng.uniform(0.2, 0.5), "quiet": rng.uniform(0.4, 0.7)}.get(
                story, rng.uniform(0.65, 1.0)
            )
            miss = rng.uniform(0.0, 0.06) if story != "patchy" else rng.uniform(0.1, 0.3)
            offset = rng.randrange(7)

            # The days this athlete logged: exactly `days` of them, ending today, yesterday, or days ago (quiet).
            if story == "quiet":
                last = today - timedelta(days=rng.randint(4, 12))
            else:
                last = today - timedelta(days=0 if rng.random() < 0.7 else 1)
            dates, d = [], last
            while len(dates) < days:
                if d == last or rng.random() >= miss:
                    dates.append(d)
                d -= timedelta(days=1)
            dates.reverse()
            start = dates[0] - timedelta(days=rng.randint(0, 2))
            span = max(1, (last - start).days)

            # Phase moves: improving athletes advance when a phase's minimum days are well met.
            pace = {"improving": rng.uniform(1.1, 1.6), "flaring": rng.uniform(1.2, 1.8)}.get(story, 3.0)
            starts, at = [start], start
            for phase, _, _ in template_phases[:-1]:
                at = at + timedelta(days=round(phase.min_days * pace))
                if at > last:
                    break
                starts.append(at)

            pid = plan_id + len(self.plan_of)
            self.plan_of[athlete_id] = pid
            copies = []  # (phase id, started_on, run spec, exercises)
            for index, (phase, values, exercises) in enumerate(template_phases):
                ph_id = phase_id
                phase_id += 1
                started = starts[index] if index < len(starts) else None
                phases.append((ph_id, *values, pid, w.day(started) if started else None))
                rows = []
                for ex in exercises:
                    pexes.append((pex_id, *ex, ph_id))
                    by_name = dict(zip(DOSAGE_COLUMNS, ex, strict=True))
                    daily = (by_name["sets"] or 1) * (by_name["times_per_day"] or 1)
                    pattern = weekday_pattern(by_name["days_per_week"] or 7, offset)
                    rows.append((pex_id, by_name["exercise_id"], daily, pattern))
                    pex_id += 1
                activity = phase.run_activity
                runs = phase.sessions_per_week if activity not in ("none", "") else 0
                run = (activity, phase.run_minutes or 20, phase.walk_minutes, phase.jog_minutes,
                       weekday_pattern(runs or 0, offset + 1), PACE_KM_PER_MIN.get(activity))  # fmt: skip
                copies.append((ph_id, started, run, rows))
            current = copies[len(starts) - 1]
            moved_at = starts[-1]
            plans.append(
                (pid, athlete_id, template.pk, template.name, "", w.day(start), "active", current[0], physio_uid, 0,
                 pain_free[template.pk], len(starts), morning(start), morning(moved_at))
            )  # fmt: skip
            changes.append((change_id, pid, None, copies[0][0], "start", physio_uid,
                            f"Assigned from “{template.name}”.", morning(start)))  # fmt: skip
            change_id += 1
            for index in range(1, len(starts)):
                changes.append((change_id, pid, copies[index - 1][0], copies[index][0], "advance", physio_uid,
                                "Recommended: every criterion of the phase was met.", morning(starts[index])))  # fmt: skip
                change_id += 1

            # Pain: a curve per story, plus day-to-day noise.
            high = rng.uniform(2.5, 5.0)
            low = rng.uniform(0.0, 0.8)
            noise = 0.45 if story == "improving" else 0.7
            flare_from = last - timedelta(days=rng.randint(8, 14)) if story == "flaring" else None
            flare_peak = rng.uniform(4.0, 6.8)
            where = json.dumps(rng.sample(locations, rng.choice((1, 1, 2))))
            shoe_km = 0.0
            logged = set(dates)
            phase_index = 0
            for d in dates:
                while phase_index + 1 < len(starts) and d >= starts[phase_index + 1]:
                    phase_index += 1
                ph_id, _, run, rows = copies[phase_index]
                day_text, evening, weekday = day_values(d)
                share = (d - start).days / span
                if story in ("improving", "flaring"):
                    base = high + (low - high) * min(1.0, share * 1.3)
                else:
                    base = 1.2 if story != "steady" else low + 0.6
                if flare_from and d >= flare_from:
                    base = base + (flare_peak - base) * min(1.0, (d - flare_from).days / 7)
                during = min(10, max(0, round(base + rng.gauss(0, noise))))
                after = min(10, max(0, during + rng.choice((-1, 0, 0, 0, 1))))
                next_morning = None
                if d + timedelta(days=1) in logged:
                    next_morning = min(10, max(0, round(base - 0.8 + rng.gauss(0, noise * 0.6))))
                activity, minutes, walk, jog, run_days, km_per_min = run
                run_minutes = distance = walk_min = jog_min = shoe = None
                if run_days[weekday] and rng.random() < adherence:
                    run_minutes = max(5, round(minutes * rng.uniform(0.85, 1.1)))
                    walk_min, jog_min = (walk, jog) if activity == "walk_jog" else (None, None)
                    if km_per_min:
                        km = round(run_minutes * km_per_min * rng.uniform(0.85, 1.15), 2)
                        distance, shoe = f"{km:.2f}", shoe_id
                        shoe_km += km
                lid = log_id
                log_id += 1
                sets_done = 0
                for pex, exercise, daily, pattern in rows:
                    if pattern[weekday] and rng.random() < adherence:
                        exlogs.append((exlog_id, lid, pex, exercise, 1, daily))
                        exlog_id += 1
                        sets_done += daily
                peak = max(during, after, next_morning or 0)
                red = flare_from is not None and d >= flare_from and rng.random() < 0.015
                logs.append(
                    (lid, athlete_id, day_text, pid, ph_id, run_minutes, distance, walk_min, jog_min, shoe,
                     during, after, next_morning, where if peak else "[]",
                     trigger_json[rng.randrange(len(TRIGGERS))] if peak >= 3 else "[]",
                     NOTES[rng.randrange(len(NOTES))] if rng.random() < 0.05 else "", sets_done,
                     1 if red else 0, 0, 1 if red and rng.random() < 0.3 else 0, 0, evening, evening)
                )  # fmt: skip
            self.shoes[len(self.plan_of) - 1][3] = f"{self.shoes[len(self.plan_of) - 1][3] + shoe_km:.1f}"
            flush()
        flush(final=True)
        w.insert(Shoe, ["id", "athlete_id", "name", "km", "retired"], [tuple(row) for row in self.shoes])

    def reset_sequences(self) -> None:
        """PostgreSQL: move the id sequences past the ids chosen here (SQLite follows by itself)."""
        statements = connection.ops.sequence_reset_sql(no_style(), BULK_MODELS)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    # ------------------------------------------------------------------------------------------------------

    def create_statuses(self, today: date) -> None:
        """Every athlete's caseload status, and the alerts their latest log and the last days call for."""
        ids = [athlete_id for athlete_id, _, _ in self.athletes]
        alert_count = 0
        for i in range(0, len(ids), STATUS_CHUNK):
            chunk = [Athlete(pk=pk) for pk in ids[i : i + STATUS_CHUNK]]
            snaps = status_snapshots(chunk, today)
            recent = selectors.log_days([a.pk for a in chunk], today - timedelta(days=27), today)
            statuses, alerts = [], []
            for pk, (plan, snap) in snaps.items():
                statuses.append(status_row(pk, plan, snap))
                due = {a.kind: a for a in time_alerts(snap)} if plan else {}
                if plan and snap.last_log_date and snap.last_log_date >= today - timedelta(days=1):
                    logs = recent[pk]
                    for a in [*stop_alerts(logs[-1]), *log_alerts(logs[-1], logs, snap)]:
                        due.setdefault(a.kind, a)
                link = reverse("rehab:timeline", args=[pk])
                raised = timezone.now()
                alerts.extend(
                    Alert(athlete_id=pk, kind=a.kind, severity=a.severity, code=a.reason.code,
                          params=a.reason.params, link=link, created=raised, updated=raised)
                    for a in due.values()
                )  # fmt: skip
            RehabStatus.objects.bulk_create(statuses, batch_size=STATUS_CHUNK)
            Alert.objects.bulk_create(alerts, batch_size=STATUS_CHUNK)
            self.writer.counts["RehabStatus"] = self.writer.counts.get("RehabStatus", 0) + len(statuses)
            alert_count += len(alerts)
        self.writer.counts["Alert"] = alert_count

    def analyze(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

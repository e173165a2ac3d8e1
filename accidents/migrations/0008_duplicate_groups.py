"""Possible duplicates become groups: the stored pairs move into them.

Each decided pair (merged, distinct, superseded) becomes a decided group of its two reports, so
it is never reopened. The open pairs are joined into clusters (reports linked by open pairs), and
each cluster becomes open groups of at most eight reports in date order, so a report is in at
most one open group. Reports deleted or rejected meanwhile are left out.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MAX_GROUP_SIZE = 8  # accidents.duplicates.MAX_GROUP_SIZE when this was written


def pairs_to_groups(apps, schema_editor):
    Candidate = apps.get_model("accidents", "DuplicateCandidate")
    Group = apps.get_model("accidents", "DuplicateGroup")
    Member = apps.get_model("accidents", "DuplicateMember")
    Accident = apps.get_model("accidents", "Accident")
    decided = Candidate.objects.exclude(status="open").select_related("first", "second")
    for pair in decided.iterator(chunk_size=1000):
        group = Group.objects.create(
            district_id=pair.first.district_id,
            first_occurred_on=min(pair.first.occurred_on, pair.second.occurred_on),
            last_occurred_on=max(pair.first.occurred_on, pair.second.occurred_on),
            score=pair.score,
            reasons=pair.reasons,
            status=pair.status,
            kept_id=pair.kept_id,
            decided_at=pair.decided_at,
            decided_by_id=pair.decided_by_id,
        )
        Member.objects.bulk_create(
            [
                Member(group=group, accident_id=pair.first_id, is_open=False),
                Member(group=group, accident_id=pair.second_id, is_open=False),
            ]
        )
    # Clusters of the open pairs (union-find over accident ids: memory grows with reports).
    parent = {}
    score = {}
    reasons = {}

    def root(node):
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    rows = Candidate.objects.filter(status="open").values_list(
        "first_id", "second_id", "score", "reasons"
    )
    for first, second, _score, _reasons in rows.iterator(chunk_size=5000):
        for node in (first, second):
            parent.setdefault(node, node)
        a, b = root(first), root(second)
        if a != b:
            parent[b] = a
    for first, _second, pair_score, pair_reasons in rows.iterator(chunk_size=5000):
        top = root(first)
        score[top] = min(score.get(top, pair_score), pair_score)
        reasons.setdefault(top, pair_reasons)
    clusters = {}
    for node in parent:
        clusters.setdefault(root(node), []).append(node)
    for top, members in clusters.items():
        live = list(
            Accident.objects.filter(pk__in=members, is_deleted=False)
            .exclude(status="rejected")
            .order_by("occurred_on", "pk")
            .values_list("pk", "district_id", "occurred_on")
        )
        for start in range(0, len(live), MAX_GROUP_SIZE):
            chunk = live[start : start + MAX_GROUP_SIZE]
            if len(chunk) < 2:
                continue
            group = Group.objects.create(
                district_id=chunk[0][1],
                first_occurred_on=chunk[0][2],
                last_occurred_on=chunk[-1][2],
                score=score[top],
                reasons=reasons[top],
            )
            Member.objects.bulk_create(
                [Member(group=group, accident_id=pk, is_open=True) for pk, _d, _o in chunk]
            )


class Migration(migrations.Migration):

    dependencies = [
        ('accidents', '0007_received_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DuplicateGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('first_occurred_on', models.DateField(verbose_name='first date')),
                ('last_occurred_on', models.DateField(verbose_name='last date')),
                ('score', models.DecimalField(decimal_places=3, max_digits=4, verbose_name='score')),
                ('reasons', models.JSONField(default=dict, verbose_name='reasons')),
                ('status', models.CharField(choices=[('open', 'Awaiting review'), ('merged', 'Merged'), ('distinct', 'Distinct accidents'), ('superseded', 'Superseded by another merge')], default='open', max_length=16, verbose_name='status')),
                ('flagged_at', models.DateTimeField(auto_now_add=True, verbose_name='flagged at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                ('district', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accidents.district', verbose_name='district')),
                ('kept', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accidents.accident', verbose_name='kept accident')),
            ],
            options={
                'verbose_name': 'possible duplicate',
                'verbose_name_plural': 'possible duplicates',
                'ordering': ['-score', '-flagged_at'],
            },
        ),
        migrations.CreateModel(
            name='DuplicateMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('is_open', models.BooleanField(default=True, verbose_name='open')),
                ('accident', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accidents.accident', verbose_name='accident')),
                ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='accidents.duplicategroup', verbose_name='group')),
            ],
            options={
                'verbose_name': 'possible duplicate report',
                'verbose_name_plural': 'possible duplicate reports',
                'ordering': ['group', 'accident'],
            },
        ),
        migrations.AddIndex(
            model_name='duplicategroup',
            index=models.Index(fields=['status', '-score'], name='duplicate_group_status_idx'),
        ),
        migrations.AddIndex(
            model_name='duplicatemember',
            index=models.Index(fields=['accident'], name='duplicate_member_accident_idx'),
        ),
        migrations.AddConstraint(
            model_name='duplicatemember',
            constraint=models.UniqueConstraint(fields=('group', 'accident'), name='duplicate_member_unique'),
        ),
        migrations.AddConstraint(
            model_name='duplicatemember',
            constraint=models.UniqueConstraint(condition=models.Q(('is_open', True)), fields=('accident',), name='duplicate_one_open_group'),
        ),
        migrations.RunPython(pairs_to_groups, migrations.RunPython.noop, elidable=True),
    ]

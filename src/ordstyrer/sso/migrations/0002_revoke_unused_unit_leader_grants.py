# The unit leader roles that group mappings gave before a group could no longer give the
# role (CH-1; `sso.services.UNMAPPABLE_ROLES`) go now, not at each person's next login.
# A group names no unit, and a unit leader without a unit leads every unit
# (`channels.selectors._decides`, publishing's approvals), so until then each member
# decided every unit's channel proposals and posts. Such a mapping gives nothing at a
# login any longer and no service makes a new one, so this is the one place the grants
# still alive are taken. A grant came from a mapping when the login audited it
# (`sso_role_grant`), or when the person's groups at their last login include a group
# mapped to the role in that municipality (a role held before, kept by the mapping).
# Each revocation is audited as a login's is (`sso_role_revoke`), with the reason.
# Unit leaders appointed for a unit, and those without a unit who never logged in
# through the identity provider, keep their role. Going back gives nothing back.

import logging

from django.db import migrations

logger = logging.getLogger("ordstyrer.sso.services")

UNIT_LEADER = "unit_leader"


def revoke_grants_of_unused_mappings(apps, schema_editor):
    RoleAssignment = apps.get_model("tenants", "RoleAssignment")
    GroupRoleMapping = apps.get_model("sso", "GroupRoleMapping")
    SsoIdentity = apps.get_model("sso", "SsoIdentity")
    AuditEntry = apps.get_model("core", "AuditEntry")

    groups_of = dict(SsoIdentity.objects.values_list("user_id", "groups"))
    candidates = list(
        RoleAssignment.objects.filter(
            role=UNIT_LEADER, unit__isnull=True, user_id__in=list(groups_of)
        ).order_by("pk")
    )
    if not candidates:
        return
    audited = set(
        AuditEntry.objects.filter(
            action="sso_role_grant",
            object_type="RoleAssignment",
            object_id__in=[str(a.pk) for a in candidates],
        ).values_list("object_id", flat=True)
    )
    leader_groups: dict[int, set[str]] = {}
    for municipality_id, group in GroupRoleMapping.objects.filter(role=UNIT_LEADER).values_list(
        "municipality_id", "group"
    ):
        leader_groups.setdefault(municipality_id, set()).add(group)

    revoked = 0
    for assignment in candidates:
        groups = groups_of.get(assignment.user_id)
        stored = {g for g in groups if isinstance(g, str)} if isinstance(groups, list) else set()
        mapped = stored & leader_groups.get(assignment.municipality_id, set())
        if str(assignment.pk) not in audited and not mapped:
            continue
        AuditEntry.objects.create(
            municipality_id=assignment.municipality_id,
            actor=None,
            action="sso_role_revoke",
            object_type="RoleAssignment",
            object_id=str(assignment.pk),
            data={
                "user_id": assignment.user_id,
                "role": UNIT_LEADER,
                "reason": "mapping_not_in_use",
                "rule": "CH-1",
            },
        )
        assignment.delete()
        revoked += 1
    if revoked:
        # A count only: who lost the role is in the audit entries.
        logger.warning("sso unit leader grants revoked", extra={"count": revoked, "rule": "CH-1"})


class Migration(migrations.Migration):
    dependencies = [
        ("sso", "0001_initial"),
        ("tenants", "0003_municipality_identity"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(revoke_grants_of_unused_mappings, migrations.RunPython.noop),
    ]

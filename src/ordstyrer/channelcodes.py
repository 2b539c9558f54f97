"""The channel registry's stored codes that an app below `channels` names too (CH-3).

`channels` owns them and takes them from here (`channels.models.ChannelRole`,
`channels.workflow.RETIRED`). `tenants` sits below `channels` (.importlinter,
"apps-layers"): it reads the channels' rows through reverse relations when it tells
which channels a person's going leaves without an active main administrator
(`tenants.selectors.active_main_admin_q`, `tenants.services`), and names these values
from here instead of a copy of its own. Pure Python: the strings stored in
`ChannelMembership.role` and `Channel.status`, nothing else.
"""

from __future__ import annotations

# ChannelMembership.role: the per-channel roles (CH-3).
MAIN_ADMIN = "main_admin"
ADMIN = "admin"
EDITOR = "editor"

# Channel.status: the one status in which a channel needs no main administrator.
RETIRED = "retired"

"""What every UI part shares: the memory database, the chat engine, who is asking, the training schedule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from webapp.identity import Identity, is_sandbox


@dataclass
class AppContext:
    """The app's collaborators; handlers get the user from `user(request)` and nothing else."""

    memory: Any  # memory.api.Memory
    engine: Any  # rlmf.chat.ChatEngine
    identity: Identity
    # rlmf.training.scheduler.TrainingScheduler, or None when this process schedules nothing.
    scheduler: Optional[Any] = None
    # Start queued training runs from this process; False where another process dispatches them.
    dispatch_runs: bool = True

    def user(self, request: Any):
        """The memory (memory.api.UserMemory) of the user making `request`."""
        return self.memory.user(self.identity.user_name(request))

    @property
    def database_url(self) -> str:
        """The URL a training process opens to reach the same database."""
        from rlmf.training.scheduler import database_url

        return database_url(self.memory)

    def can_train(self, user) -> bool:
        """Sandboxes of anonymous visitors are throwaway: they get no training runs."""
        return not is_sandbox(user.name)

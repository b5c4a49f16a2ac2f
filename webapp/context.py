"""What every UI part shares: the memory database, the chat engine, who is asking, the training schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Optional

from memory.users import is_sandbox, open_sandbox
from webapp.identity import Identity


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
    settings: Any = None  # memory.settings.Settings
    access: Any = None  # webapp.guard.Access: who owns which session, upload and export

    def user(self, request: Any):
        """The memory (memory.api.UserMemory) of the user making `request`; an anonymous visitor's sandbox
        is made on first use, replaced once expired, and refused (SandboxesFull) beyond the cap."""
        name = self.identity.user_name(request)
        if is_sandbox(name):
            return open_sandbox(self.memory, name, lifetime=timedelta(hours=self.settings.sandbox_hours),
                                limit=self.settings.max_sandboxes)
        return self.memory.user(name)

    @property
    def database_url(self) -> str:
        """The URL a training process opens to reach the same database."""
        from rlmf.training.scheduler import database_url

        return database_url(self.memory)

    def can_train(self, user) -> bool:
        """Sandboxes of anonymous visitors are throwaway: they get no training runs."""
        return not is_sandbox(user.name)

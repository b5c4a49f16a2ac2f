"""A user's adapter versions: each training run writes a new folder (never touching the live one), the
database says which version is live, and promotion or rollback is one transaction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from sqlalchemy import func, select

from memory.errors import InvalidInput, NotFound
from memory.models import AdapterVersion, utcnow
from memory.vocab import AdapterStatus
from rlmf.chat.backends import AdapterRef
from rlmf.training import store

METADATA_FILE = "mebot_adapter.json"


def user_dir(adapters_root: Path, user_id: int) -> Path:
    """The folder holding every adapter version of one user."""
    return Path(adapters_root) / f"u{user_id}"


def clean_leftovers(adapters_root: Path, user_id: int) -> list[Path]:
    """Remove work folders a killed run left behind (hidden dot-folders; version folders are never touched).

    Call only while holding the machine's training lock, when no run of this machine is writing.
    """
    import shutil

    folder = user_dir(adapters_root, user_id)
    removed = [p for p in folder.glob(".*") if p.is_dir()] if folder.is_dir() else []
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def next_version_dir(memory, adapters_root: Path, user_id: int) -> tuple[int, Path]:
    """(version number, folder) for the user's next adapter; the folder does not exist yet."""
    with memory.session() as session:
        highest = session.scalar(select(func.max(AdapterVersion.version)).where(AdapterVersion.user_id == user_id))
    version = (highest or 0) + 1
    folder = user_dir(adapters_root, user_id) / f"v{version}"
    while folder.exists():  # left by a crashed run: never reuse it
        version += 1
        folder = user_dir(adapters_root, user_id) / f"v{version}"
    return version, folder


def register(memory, *, user_id: int, version: int, path: Path, base_model: str, parent_id: Optional[int],
             metadata: dict, base_fingerprint: Optional[str] = None, seen: Optional[dict] = None) -> AdapterVersion:
    """Record a finished adapter folder as a candidate and write its metadata file beside the weights.

    base_fingerprint: content hash of the exact base it was trained on (rlmf.model.fingerprint);
    seen: which notes and feedback its training has covered, cumulatively (rlmf.data.run_data)."""
    row = AdapterVersion(user_id=user_id, version=version, path=str(path), base_model=base_model,
                         base_fingerprint=base_fingerprint, seen=seen, parent_id=parent_id, status=AdapterStatus.CANDIDATE,
                         metrics=metadata.get("metrics"))
    with memory.session() as session:
        session.add(row)
        session.flush()
        (Path(path) / METADATA_FILE).write_text(
            json.dumps({**metadata, "id": row.id, "version": version, "base_model": base_model,
                        "base_fingerprint": base_fingerprint, "seen": seen, "parent_id": parent_id,
                        "created_at": row.created_at.isoformat()}, indent=2))
    return row


def relocate(memory, version_id: int, location: str) -> AdapterVersion:
    """Point a version's row at where the store keeps it (unchanged for a folder store)."""
    with memory.session() as session:
        row = session.get(AdapterVersion, version_id)
        row.path = str(location)
        return row


def versions(memory, user_id: int) -> list[AdapterVersion]:
    """All the user's adapter versions, newest first."""
    with memory.session() as session:
        return list(session.scalars(select(AdapterVersion).where(AdapterVersion.user_id == user_id)
                                    .order_by(AdapterVersion.version.desc())))


def live(memory, user_id: int) -> Optional[AdapterVersion]:
    """The version that answers the user now, or None (the bare base)."""
    with memory.session() as session:
        return session.scalars(select(AdapterVersion).where(
            AdapterVersion.user_id == user_id, AdapterVersion.status == AdapterStatus.LIVE)).first()


def promote(memory, user_id: int, version: int) -> AdapterVersion:
    """Make `version` the live adapter (the previous live one is retired) in one transaction."""
    with memory.session() as session:
        rows = list(session.scalars(select(AdapterVersion).where(AdapterVersion.user_id == user_id)))
        target = next((r for r in rows if r.version == version), None)
        if target is None:
            raise NotFound(f"No adapter version {version}.")
        if not store.has_file(target.path, "adapter_config.json"):
            raise InvalidInput(f"Adapter version {version} has no weights on disk; it cannot go live.")
        for row in rows:
            if row.status == AdapterStatus.LIVE and row.id != target.id:
                row.status = AdapterStatus.RETIRED
        target.status = AdapterStatus.LIVE
        target.promoted_at = utcnow()
        return target


def reject(memory, user_id: int, version: int, metrics: Optional[dict] = None) -> None:
    """Mark a candidate that failed the evaluation gate."""
    with memory.session() as session:
        row = session.scalars(select(AdapterVersion).where(
            AdapterVersion.user_id == user_id, AdapterVersion.version == version)).one()
        row.status = AdapterStatus.REJECTED
        if metrics is not None:
            row.metrics = metrics


def rollback(memory, user_id: int, version: int) -> AdapterVersion:
    """Make an earlier version live again (version 0 means: no adapter, the bare base)."""
    if version == 0:
        with memory.session() as session:
            for row in session.scalars(select(AdapterVersion).where(
                    AdapterVersion.user_id == user_id, AdapterVersion.status == AdapterStatus.LIVE)):
                row.status = AdapterStatus.RETIRED
        return None
    return promote(memory, user_id, version)


def ref(row: Optional[AdapterVersion]) -> Optional[AdapterRef]:
    """How a backend loads this version."""
    if row is None:
        return None
    return AdapterRef(name=f"u{row.user_id}-v{row.version}", path=row.path, version_id=row.id,
                      version=row.version)

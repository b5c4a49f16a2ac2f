"""The adapter store: where adapter versions live, addressed by URL so that training workers and model servers
on other machines find them. A folder (a plain path or file://, e.g. a shared mount) is the default and holds
versions in place; any other URL (s3://, gs://, memory://, …) is object storage reached through fsspec:
a run trains in a local staging folder and uploads the finished version, and readers fetch a local copy.

An adapter row's `path` is where its version lives: a folder for a folder store, else the URL. A version
becomes visible only through its row, which is written after the upload has finished.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse

from memory import settings as settings_module

COMPLETE = ".mebot-complete"  # written last into a local copy, so a half-fetched copy is never used


def is_folder(location: str) -> bool:
    """Whether `location` is a local folder (a path or a file:// URL) rather than object storage."""
    scheme = urlparse(str(location)).scheme
    return scheme in ("", "file") or (len(scheme) == 1 and str(location)[1:3] == ":\\")  # C:\ on Windows


def _as_path(location: str) -> Path:
    return Path(urlparse(location).path) if str(location).startswith("file://") else Path(location)


def store_url(settings: Optional[settings_module.Settings] = None) -> str:
    """The store's URL (MEBOT_ADAPTER_STORE, default: the `adapters` folder in the data directory)."""
    settings = settings or settings_module.load()
    return settings.adapter_store or str(settings.home / "adapters")


def training_root(settings: Optional[settings_module.Settings] = None) -> Path:
    """Where runs write version folders: the store itself when it is a folder, else a local staging folder."""
    settings = settings or settings_module.load()
    url = store_url(settings)
    return _as_path(url) if is_folder(url) else settings.home / "adapter-staging"


def publish(folder: Path, user_id: int, version: int, settings=None) -> str:
    """Put a finished version folder in the store; returns its location (the folder itself for a folder store)."""
    import fsspec

    url = store_url(settings)
    if is_folder(url):
        return str(folder)
    fs, root = fsspec.core.url_to_fs(url)
    target = f"{root.rstrip('/')}/u{user_id}/v{version}"
    if fs.exists(target):
        fs.rm(target, recursive=True)  # left by an upload that died half-way; no row points at it
    fs.put(str(folder), target, recursive=True)
    shutil.rmtree(folder, ignore_errors=True)
    return f"{url.rstrip('/')}/u{user_id}/v{version}"


def has_file(location: str, name: str) -> bool:
    """Whether the version at `location` holds the file `name` (e.g. adapter_config.json)."""
    import fsspec

    if is_folder(location):
        return (_as_path(location) / name).is_file()
    fs, path = fsspec.core.url_to_fs(location)
    return fs.isfile(f"{path.rstrip('/')}/{name}")


def local_copy(location: str, settings=None) -> Path:
    """A local folder with the version's files: the folder itself, or a cached download of the URL."""
    import fsspec

    if is_folder(location):
        return _as_path(location)
    settings = settings or settings_module.load()
    cache = settings.home / "adapter-cache" / hashlib.sha256(str(location).encode()).hexdigest()[:24]
    if (cache / COMPLETE).is_file():  # versions never change once published
        return cache
    shutil.rmtree(cache, ignore_errors=True)
    fs, path = fsspec.core.url_to_fs(location)
    partial = cache.with_name(cache.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    fs.get(f"{path.rstrip('/')}/", str(partial), recursive=True)
    (partial / COMPLETE).write_text(str(location))
    partial.rename(cache)
    return cache

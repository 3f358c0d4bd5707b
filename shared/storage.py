"""Object storage behind one small interface: a local directory or any S3 API.

Keys are slash-separated paths such as ``default/jobs/<id>/input.wav``. Writes are
whole-object and atomic on both backends, so a reader never sees half an object.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import os
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator

from shared.errors import StorageKeyNotFound
from shared.settings import Settings


class ObjectStorage(ABC):
    """Where inputs and stage outputs live."""

    # Whether a write is a local disk's, done in well under a millisecond: the API then does
    # it on its intake thread rather than handing it to the shared pool (api/intake.py).
    writes_are_local: ClassVar[bool] = False

    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """Store ``data`` under ``key``, replacing any earlier object."""

    @abstractmethod
    def get(self, key: str) -> bytes:
        """The object's bytes; raises ``StorageKeyNotFound``."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; a missing key is not an error."""

    @abstractmethod
    def list(self, prefix: str = "") -> list[str]:
        """Every key that starts with ``prefix``, sorted."""

    def list_page(self, prefix: str, after: str, limit: int) -> builtins.list[str]:
        """Up to ``limit`` keys under ``prefix`` that sort after ``after``: a listing that a
        worker can resume where it stopped."""
        return [key for key in self.list(prefix) if key > after][:limit]

    @abstractmethod
    def ping(self) -> None:
        """Raise if the backend cannot be reached (readiness probe)."""

    def path_hint(self, key: str) -> str:
        """Where a person can find the object (a file path or an s3:// URL)."""
        return key


def _malformed(key: str) -> bool:
    # Checked on the raw string: PurePosixPath would quietly fold "a//b" and "a/./b". A NUL
    # byte is no file name's, and no S3 key a person could mean.
    return (
        not key
        or key.startswith("/")
        or "\x00" in key
        or any(p in {"", ".", ".."} for p in key.split("/"))
    )


def _checked_key(key: str) -> PurePosixPath:
    if _malformed(key):
        raise ValueError(f"invalid object key {key!r}")
    return PurePosixPath(key)


def check_key(key: str) -> str:
    """``key``, or ValueError unless it is one every store can hold (see ``_malformed``)."""
    if _malformed(key):
        raise ValueError(
            f"invalid object key {key!r}: give a key of the import location such as "
            "'mail/vm1.wav', without a leading '/', '.' or '..' parts, '//' or NUL bytes"
        )
    return key


# A key as a client gives it, checked where it is read (a manifest's item).
PlainKey = Annotated[str, AfterValidator(check_key)]


def check_prefix(prefix: str) -> None:
    """Raise ValueError unless ``prefix`` could begin a valid key: the key rules, with one
    trailing "/" allowed ("mail/" is the folder, "mail/vm" every key starting so)."""
    if _malformed(prefix.removesuffix("/")):
        raise ValueError(
            f"invalid prefix {prefix!r}: give a folder of the import location such as "
            "'mail/' or 'mail/2026-', without a leading '/', '.' or '..' parts or '//'"
        )


class LocalStorage(ObjectStorage):
    """A directory on disk: the embedded default."""

    writes_are_local = True

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*_checked_key(key).parts)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = os.fspath(self._path(key))
        directory, name = os.path.split(path)
        # Write then rename, so a crash mid-write never leaves a partial object behind.
        # The temporary name is unique per process and thread (cheaper than mkstemp), and
        # plain os calls skip the buffered-file machinery: every stage of every job does this.
        tmp = f"{directory}/.tmp-{os.getpid()}-{threading.get_ident()}-{name}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileNotFoundError:
            os.makedirs(directory, exist_ok=True)
            fd = os.open(tmp, flags, 0o666)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def _followed(self, key: str) -> Path:
        """The file ``key`` names, its symbolic links followed, if they stay within the key's
        top folder (a tenant's): a link a tenant's sync tool copied into an import folder
        may not read the server's files or another tenant's. A top folder that is itself a
        link (a tenant's own volume) is that folder."""
        parts = _checked_key(key).parts
        path = self.root.joinpath(*parts)
        real = path.resolve()
        if real == path:  # no link on the way (the usual case): nothing more to resolve
            return real
        top = self.root.joinpath(parts[0]).resolve() if len(parts) > 1 else self.root
        if not real.is_relative_to(top):
            raise StorageKeyNotFound(
                f"no object at {key}: it is a symbolic link leading out of its folder "
                f"{parts[0]!r}, which is not followed"
            )
        return real

    def get(self, key: str) -> bytes:
        try:
            return self._followed(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            # A folder ("mail" of "mail/a.wav"), or a key below a file, is no object.
            raise StorageKeyNotFound(f"no object at {key}") from None
        except OSError as exc:
            # A key part longer than a file name may be (255 bytes) names no file: it is
            # missing, as on S3, not a failure of the disk to retry.
            if exc.errno != errno.ENAMETOOLONG:
                raise
            raise StorageKeyNotFound(f"no object at {key}") from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list(self, prefix: str = "") -> list[str]:
        # Walk only below the prefix's folder, not the whole store.
        folder = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        top = self.root.joinpath(*_checked_key(folder).parts) if folder else self.root
        keys = (
            path.relative_to(self.root).as_posix()
            for path in top.rglob("*")
            if path.is_file() and not path.name.startswith(".tmp-")
        )
        return sorted(key for key in keys if key.startswith(prefix))

    def ping(self) -> None:
        if not os.access(self.root, os.W_OK):
            raise OSError(f"storage directory {self.root} is not writable")

    def path_hint(self, key: str) -> str:
        return str(self._path(key))


@dataclass(frozen=True)
class Patience:
    """How long an S3 client waits to connect and then for each answer, and how many times
    it tries a call in all."""

    timeout_s: float
    attempts: int


# boto3's own timeouts (60 s): a stage or the sweeper can wait out a slow or restarting
# store, and retries its call before failing the stage.
WORKER_PATIENCE = Patience(timeout_s=60.0, attempts=6)


class S3Storage(ObjectStorage):
    """AWS S3, MinIO or any S3 API, through boto3."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        create_bucket: bool = False,
        patience: Patience | None = None,
    ) -> None:
        import boto3
        from botocore.config import Config

        wait = patience or WORKER_PATIENCE
        self.bucket = bucket
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(
                connect_timeout=wait.timeout_s,
                read_timeout=wait.timeout_s,
                retries={"total_max_attempts": wait.attempts, "mode": "standard"},
            ),
        )
        if create_bucket:
            self._ensure_bucket(region)

    def _ensure_bucket(self, region: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            kwargs: dict[str, Any] = {"Bucket": self.bucket}
            if region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
            self.client.create_bucket(**kwargs)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        _checked_key(key)
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        _checked_key(key)
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except self.client.exceptions.NoSuchKey:
            raise StorageKeyNotFound(f"no object at s3://{self.bucket}/{key}") from None
        body: bytes = response["Body"].read()
        return body

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def list(self, prefix: str = "") -> list[str]:
        keys: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(keys)

    def list_page(self, prefix: str, after: str, limit: int) -> builtins.list[str]:
        response = self.client.list_objects_v2(
            Bucket=self.bucket, Prefix=prefix, StartAfter=after, MaxKeys=limit
        )
        return [item["Key"] for item in response.get("Contents", [])]

    def ping(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)

    def path_hint(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"


def storage_from_settings(settings: Settings, patience: Patience | None = None) -> ObjectStorage:
    """The job storage; an S3 client waits as ``patience`` says (the workers' by default)."""
    if settings.storage.backend == "s3":
        cfg = settings.storage
        return S3Storage(
            cfg.s3_bucket,
            endpoint_url=cfg.s3_endpoint_url,
            region=cfg.s3_region,
            access_key_id=cfg.s3_access_key_id,
            secret_access_key=cfg.secret_key(),
            create_bucket=cfg.s3_create_bucket,
            patience=patience,
        )
    return LocalStorage(settings.objects_dir)


def import_storage(settings: Settings) -> ObjectStorage:
    """Where batch manifests' object keys and S3 prefixes are read from: a location of the
    client's own, apart from the job storage, so a batch can never read another job's
    objects by naming their keys."""
    cfg = settings.imports
    if cfg.backend == "s3":
        return S3Storage(
            cfg.s3_bucket,
            endpoint_url=cfg.s3_endpoint_url,
            region=cfg.s3_region,
            access_key_id=cfg.s3_access_key_id,
            secret_access_key=cfg.secret_key(),
        )
    return LocalStorage(settings.imports_dir)

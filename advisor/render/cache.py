"""A template bytecode cache that cannot hurt: compiled templates are code, so a cache file
is used only when a keyed MAC (the key kept in the state folder, not beside the cache)
proves that this program wrote it for this template source. No pickle: a JSON header and
marshal'd code. A damaged, foreign, unreadable or read-only cache is ignored and noted."""

from __future__ import annotations

import hashlib
import hmac
import json
import marshal
import os
import stat
import sys
import tempfile
from pathlib import Path

import jinja2
from jinja2.bccache import BytecodeCache, Bucket

KEY_BYTES = 32
_VERSION = f"{jinja2.__version__}/{sys.version_info[:3]}"


def secret(path: Path) -> bytes | None:
    """The cache's key: KEY_BYTES random bytes in a file only this user can read, made on
    first use. None when it cannot be read or made safely."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(os.urandom(KEY_BYTES))
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
            return None
        key = path.read_bytes()
        return key if len(key) == KEY_BYTES else None
    except OSError:
        return None


def private_folder(path: Path) -> bool:
    """Make `path` (mode 0700) if needed; whether it is a folder only this user can write."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = os.lstat(path)
        return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022
    except OSError:
        return False


class SafeBytecodeCache(BytecodeCache):
    def __init__(self, directory: Path, key: bytes):
        self.directory = Path(directory)
        self.key = key
        self.problem: str | None = None      # why a cache file could not be used, if one could not

    def _path(self, bucket: Bucket) -> Path:
        return self.directory / f"{bucket.key}.cache"

    def _mac(self, header: bytes, code: bytes) -> str:
        return hmac.new(self.key, header + b"\n" + code, hashlib.sha256).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            raw = self._path(bucket).read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            self.problem = self.problem or type(exc).__name__
            return
        try:
            mac, header, code = raw.split(b"\n", 2)
            meta = json.loads(header)
            if not hmac.compare_digest(mac.decode("ascii"), self._mac(header, code)):
                raise ValueError("not written by this program")
            if meta != {"version": _VERSION, "checksum": bucket.checksum, "key": bucket.key}:
                return                                # an older template or Jinja: recompile
            bucket.code = marshal.loads(code)
        except (ValueError, TypeError, EOFError, UnicodeDecodeError):
            self.problem = self.problem or "damaged"
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        header = json.dumps({"version": _VERSION, "checksum": bucket.checksum, "key": bucket.key},
                            sort_keys=True).encode()
        code = marshal.dumps(bucket.code)
        try:
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(self._mac(header, code).encode() + b"\n" + header + b"\n" + code)
            os.replace(tmp, self._path(bucket))
        except OSError as exc:
            self.problem = self.problem or type(exc).__name__

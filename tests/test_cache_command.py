"""``bandstand cache dir|clear``: where the cache lives (platformdirs, or BANDSTAND_CACHE_DIR), and clearing it safely.

``clear`` removes bandstand's entries, this version's and older versions'
(folders of pickles, Lark's tables), and nothing else: a file of the user's,
a symbolic link (whatever its name) and what it points to are left alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import platformdirs

from helpers import ROOT

NOBODY = 65534
HEX = "0123456789abcdef" * 4


def bandstand(*args, env_changes: dict, cwd: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("BANDSTAND_CACHE_DIR", "BANDSTAND_NO_CACHE")}
    env.update(env_changes)
    return subprocess.run([sys.executable, "-m", "bandstand", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


def test_the_cache_lives_where_the_platform_keeps_caches_unless_moved(tmp_path, monkeypatch):
    home, xdg = tmp_path / "home", tmp_path / "xdg"
    home.mkdir()
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(xdg)}
    done = bandstand("cache", "dir", env_changes=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{xdg / 'bandstand'}\n"
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert done.stdout.strip() == platformdirs.user_cache_dir("bandstand", appauthor=False)
    # the folder printed is the one a run fills
    assert bandstand("list", env_changes=env, cwd=tmp_path).returncode == 0
    assert any(p.name.startswith("catalogue-") for p in (xdg / "bandstand").iterdir())
    # BANDSTAND_CACHE_DIR still moves it; BANDSTAND_NO_CACHE says it is not used
    moved = bandstand("cache", "dir", env_changes={**env, "BANDSTAND_CACHE_DIR": str(tmp_path / "mine")}, cwd=tmp_path)
    assert moved.stdout == f"{tmp_path / 'mine'}\n" and moved.stderr == ""
    off = bandstand("cache", "dir", env_changes={**env, "BANDSTAND_NO_CACHE": "1"}, cwd=tmp_path)
    assert off.returncode == 0 and off.stdout == f"{xdg / 'bandstand'}\n" and "not in use" in off.stderr


def test_clear_removes_every_entry_of_any_version_and_nothing_else(tmp_path):
    folder = tmp_path / "cache"
    env = {"BANDSTAND_CACHE_DIR": str(folder)}
    evaluate = ("evaluate", "hmip-youth@2018", str(ROOT / "frameworks/examples/hmip-youth-2018/"
                                                      "bedfordshire-2021-cases.yaml"), "--format", "json")
    plain = bandstand(*evaluate, env_changes={"BANDSTAND_NO_CACHE": "1"}, cwd=tmp_path)
    assert bandstand(*evaluate, env_changes=env, cwd=tmp_path).stdout == plain.stdout
    ours = sorted(p.name for p in folder.iterdir() if p.name != "key")
    assert ours and all(n.endswith(".json") for n in ours)
    # another version's entry (a key this version never makes), a write cut short, an older version's layout
    (folder / f"schema-{HEX}.json").write_text("x")
    (folder / f".schema-{HEX}.json.123.{HEX[:16]}.tmp").write_text("x")
    (folder / "frameworks").mkdir()
    (folder / "frameworks" / HEX).write_bytes(b"pickle")
    (folder / "frameworks" / ".tmpab12.tmp").write_bytes(b"half")
    (folder / "grammar.lark.pickle").write_bytes(b"tables")
    # what is not bandstand's: a user's file, links named like entries, a linked folder named like an old one
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / HEX).write_text("precious")
    (outside / "f.json").write_text("precious")
    (folder / "notes.txt").write_text("mine")
    (folder / f"catalogue-{HEX[::-1]}.json").symlink_to(outside / "f.json")
    (folder / "schema").symlink_to(outside)
    done = bandstand("cache", "clear", env_changes=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"removed {len(ours) + 5} cache entries from {folder}\n"
    assert done.stderr == (f"bandstand: left 3 files there that are not bandstand's: catalogue-{HEX[::-1]}.json, "
                           "notes.txt, schema\n")
    assert sorted(p.name for p in folder.iterdir()) == sorted(["key", "notes.txt", f"catalogue-{HEX[::-1]}.json",
                                                               "schema"])
    assert (outside / HEX).read_text() == "precious" and (outside / "f.json").read_text() == "precious"
    # the cache works as before afterwards, and a second clear finds nothing
    assert bandstand(*evaluate, env_changes=env, cwd=tmp_path).stdout == plain.stdout
    assert bandstand("cache", "clear", env_changes=env, cwd=tmp_path).stdout.startswith(f"removed {len(ours)} ")
    again = bandstand("cache", "clear", env_changes=env, cwd=tmp_path)
    assert again.stdout == f"removed 0 cache entries from {folder}\n"


def test_clear_makes_no_folder_and_refuses_one_of_another_user(tmp_path):
    missing = tmp_path / "none"
    done = bandstand("cache", "clear", env_changes={"BANDSTAND_CACHE_DIR": str(missing)}, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == f"removed 0 cache entries from {missing}\n"
    assert not missing.exists()
    if os.getuid() != 0:
        return  # giving a folder to another user needs root
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / f"schema-{HEX}.json").write_text("x")
    os.chown(theirs, NOBODY, NOBODY)
    done = bandstand("cache", "clear", env_changes={"BANDSTAND_CACHE_DIR": str(theirs)}, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (f"{theirs}: error: not clearing the cache folder {theirs}: it belongs to another user "
                           f"(uid {NOBODY}) [input.cache]\n")
    assert (theirs / f"schema-{HEX}.json").exists()

"""How to build and run each language inside the sandbox image (stdlib only).

``{src}`` and ``{exe}`` in the commands are replaced with paths in the job's work directory.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    name: str
    source_file: str
    run: tuple[str, ...]
    compile: tuple[str, ...] | None = None


LANGUAGES: dict[str, Language] = {
    "python": Language("python", "main.py", ("python3", "-I", "-B", "{src}")),
    "cpp": Language(
        "cpp",
        "main.cpp",
        ("{exe}",),
        compile=("g++", "-O2", "-std=c++17", "-pipe", "-o", "{exe}", "{src}"),
    ),
}
ALIASES = {"py": "python", "python3": "python", "c++": "cpp", "cc": "cpp"}


def find_language(name: str) -> Language | None:
    key = name.strip().lower()
    return LANGUAGES.get(ALIASES.get(key, key))

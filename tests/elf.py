"""Just enough ELF reading for the real-build tests: a binary's machine and sections."""

from __future__ import annotations

import struct
from pathlib import Path

#: e_machine of an arm64 binary
AARCH64 = 183


def _elf64(binary: Path) -> bytes:
    data = binary.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, f"{binary}: not ELF64 LE"
    return data


def machine(binary: Path) -> int:
    """e_machine of an ELF64 little-endian binary (`AARCH64`, 62 for x86-64)."""
    value: int = struct.unpack_from("<H", _elf64(binary), 18)[0]
    return value


def section_names(binary: Path) -> set[str]:
    """Names of an ELF64 little-endian binary's sections (`.text`, `.symtab`, ...)."""
    data = _elf64(binary)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strings_offset = headers[shstrndx][4]
    names = set()
    for name_offset, *_ in headers:
        start = strings_offset + name_offset
        names.add(data[start:data.index(b"\0", start)].decode("ascii"))
    return names

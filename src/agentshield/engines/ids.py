"""Time-ordered UUIDs (RFC 9562 version 7), so primary keys sort by creation."""

import os
import time
import uuid

_VERSION_AND_VARIANT = 0x7 << 76 | 0b10 << 62


def uuid7() -> uuid.UUID:
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & 0xFFFF_FFFF_FFFF) << 80 | _VERSION_AND_VARIANT
    value |= (rand >> 68) << 64 & (0xFFF << 64)  # 12 random bits
    value |= rand & 0x3FFF_FFFF_FFFF_FFFF  # 62 random bits
    # What UUID(int=value) makes, without re-checking a value that is in range by
    # construction: ids are made on every call of the request path.
    made = object.__new__(uuid.UUID)
    object.__setattr__(made, "int", value)
    object.__setattr__(made, "is_safe", uuid.SafeUUID.unknown)
    return made

"""Pictures built for tests."""

import struct
import zlib


def png_of_size(width: int, height: int) -> bytes:
    """A valid one-bit PNG of width × height white pixels, built from a zlib stream: a 13,000 × 13,000 picture
    is a few kilobytes of file (and 169 million pixels to decode)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte, then the row's bits
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")

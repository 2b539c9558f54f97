"""What Pillow raises on a broken or hostile image, for every place that opens one
(the media register's upload checks, the archive deposit's conversions)."""

from __future__ import annotations

import struct

from PIL import Image

# A truncated or malformed file, a lying header, a decompression bomb.
UNREADABLE = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    Image.DecompressionBombError,
)

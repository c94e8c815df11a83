"""QR codes as SVG for the cockpit's pages (a session's check-in code, a trainee's ticket):
the certificate's matrix (sidecar.certificates.drawing), drawn as one path with a quiet zone.
No style attribute: the CSP allows none."""

from __future__ import annotations

from markupsafe import escape

from sidecar.certificates.drawing import qr_matrix

QUIET = 4  # modules of white around the code, as the standard asks


def qr_svg(data: str, title: str) -> str:
    matrix = qr_matrix(data)
    size = len(matrix) + 2 * QUIET
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            runs.append(f"M{start + QUIET} {y + QUIET}h{x - start}v1h{start - x}z")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size * 8}" height="{size * 8}" role="img" shape-rendering="crispEdges">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )

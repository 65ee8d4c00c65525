#!/usr/bin/env python3
"""Build assets/map/world-110m.json, the trends dashboard's world map, from a pinned
registry package. Run by hand; the program never downloads anything.

    npm pack world-atlas@2.0.2                      # -> world-atlas-2.0.2.tgz
    python3 -m venv /tmp/map-venv && /tmp/map-venv/bin/pip install pycountry==24.6.1
    /tmp/map-venv/bin/python scripts/map/build_world_map.py world-atlas-2.0.2.tgz assets/map/world-110m.json

Then put the printed sha256 into crates/trends/src/map.rs (WORLD_MAP_SHA256) and
assets/map/SOURCES.md.

Input: `package/countries-110m.json` inside the npm tarball, TopoJSON of Natural
Earth 1:110m Admin 0 countries (v4.1.0). Natural Earth is public domain; the package
is ISC-licensed (Mike Bostock).

What it does:
1. checks the tarball's sha256 (pinned below);
2. decodes the quantised, delta-encoded TopoJSON arcs to lon/lat;
3. simplifies every *arc* (not every ring) with Douglas-Peucker at TOLERANCE degrees,
   so a border shared by two countries is simplified once and stays shared (no gaps
   or overlaps between neighbours), then rounds to 0.01 degree;
4. assembles each country's polygons (outer ring first, then holes) from its arcs;
5. maps the ISO 3166-1 numeric id to alpha-3 (pycountry, pinned) and then to the code
   ICAO 9303 MRZs use (Germany is `D`); Kosovo (no ISO id in the data) is `RKS`;
   Northern Cyprus and Somaliland (no ISO id, not issuing states in ICAO's list) are
   merged into CYP and SOM;
6. keeps an arc unsimplified when simplifying it made a ring cross itself, and removes
   the one vertex of the package's Sudan ring that crosses its own border (printed);
7. cuts rings that step across the antimeridian (Russia, Fiji) into pieces on each
   side, and closes Antarctica, which goes round the South Pole, along latitude -90;
8. writes compact JSON: coordinates as integers in hundredths of a degree,
   each ring a flat [lon0, lat0, lon1, lat1, ...] list, not closed.
"""

import hashlib
import io
import json
import sys
import tarfile

import pycountry

PACKAGE = "world-atlas@2.0.2"
PACKAGE_SHA256 = "032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97"
MEMBER = "package/countries-110m.json"
TOLERANCE = 0.05  # degrees, Douglas-Peucker
SCALE = 100  # integer units per degree (0.01 degree)

# ISO 3166-1 alpha-3 -> the code ICAO 9303 MRZs print, where they differ.
ICAO_FOR_ISO = {"DEU": "D"}
# Features without an ISO numeric id in Natural Earth 110m, by name.
BY_NAME = {"Kosovo": ("RKS", "RKS"), "N. Cyprus": ("CYP", "CYP"), "Somaliland": ("SOM", "SOM")}


def decode_arcs(topo):
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def perpendicular(p, a, b):
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
    return abs(dy * px - dx * py + bx * ay - by * ax) / length2**0.5


def douglas_peucker(points, tolerance):
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = -1.0, None
        for i in range(first + 1, last):
            d = perpendicular(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep) if k]


def simplify_arc(points):
    if len(points) > 3 and points[0] == points[-1]:
        # A closed arc (an island): split at the point farthest from the start.
        far = max(range(len(points)), key=lambda i: (points[i][0] - points[0][0]) ** 2 + (points[i][1] - points[0][1]) ** 2)
        head = douglas_peucker(points[: far + 1], TOLERANCE)
        tail = douglas_peucker(points[far:], TOLERANCE)
        return head + tail[1:]
    return douglas_peucker(points, TOLERANCE)


def quantise(points):
    out = []
    for lon, lat in points:
        q = (round(lon * SCALE), round(lat * SCALE))
        if not out or out[-1] != q:
            out.append(q)
    return out


def ring_with_sources(indices, arcs):
    """The ring's points, and for each point the arc it came from."""
    ring, sources = [], []
    for index in indices:
        points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        start = 0 if not ring else 1
        ring.extend(points[start:])
        sources.extend([index if index >= 0 else ~index] * (len(points) - start))
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
        sources.pop()
    return ring, sources


def orientation(p, q, r):
    return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])


def crossing_arcs(ring, sources):
    """Arcs holding segments of the ring that properly cross each other."""
    n, bad = len(ring), set()
    for i in range(n):
        a, b = ring[i], ring[(i + 1) % n]
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue
            c, d = ring[j], ring[(j + 1) % n]
            if max(a[0], b[0]) < min(c[0], d[0]) or max(c[0], d[0]) < min(a[0], b[0]):
                continue
            if orientation(a, b, c) * orientation(a, b, d) < 0 and orientation(c, d, a) * orientation(c, d, b) < 0:
                bad.update((sources[i], sources[(i + 1) % n], sources[j], sources[(j + 1) % n]))
    return bad


def ring_from_arcs(indices, arcs):
    ring, _ = ring_with_sources(indices, arcs)
    # Rounding can make non-adjacent repeats collapse into a spike; drop consecutive repeats.
    deduped = []
    for p in ring:
        if not deduped or deduped[-1] != p:
            deduped.append(p)
    return deduped


def clip(ring, keep):
    """Sutherland-Hodgman against one vertical line: keep(x) says which side stays."""
    out = []
    for i, current in enumerate(ring):
        previous = ring[i - 1]
        inside_now, inside_before = keep.inside(current[0]), keep.inside(previous[0])
        if inside_now != inside_before:
            t = (keep.line - previous[0]) / (current[0] - previous[0])
            out.append((keep.line, round(previous[1] + t * (current[1] - previous[1]))))
        if inside_now:
            out.append(current)
    return out


class Side:
    def __init__(self, line, below):
        self.line, self.below = line, below

    def inside(self, x):
        return x <= self.line if self.below else x >= self.line


def area2(ring):
    return sum(ring[i - 1][0] * ring[i][1] - ring[i][0] * ring[i - 1][1] for i in range(len(ring)))


def dedupe(ring):
    out = []
    for p in ring:
        if not out or out[-1] != p:
            out.append(p)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def split_antimeridian(ring):
    """The package's rings step across the antimeridian (Russia's Chukotka, Fiji) or
    go round the pole (Antarctica); a flat map needs them cut at +-180 degrees."""
    half = 180 * SCALE
    if not any(abs(ring[i][0] - ring[i - 1][0]) > half for i in range(len(ring))):
        return [ring]
    unwrapped, offset = [ring[0]], 0
    for lon, lat in ring[1:]:
        step = lon + offset - unwrapped[-1][0]
        if step > half:
            offset -= 2 * half
        elif step < -half:
            offset += 2 * half
        unwrapped.append((lon + offset, lat))
    closing = ring[0][0] - unwrapped[-1][0]
    if abs(closing) > half:
        # Round the pole: start after the jump and close along the pole line.
        jump = next(i for i in range(len(ring)) if abs(ring[i][0] - ring[i - 1][0]) > half)
        rotated = ring[jump:] + ring[:jump]
        pole = -90 * SCALE if sum(lat for _, lat in ring) < 0 else 90 * SCALE
        rotated += [(rotated[-1][0], pole), (rotated[0][0], pole)]
        return [dedupe(rotated)]
    pieces = []
    if max(lon for lon, _ in unwrapped) > half:
        pieces.append(clip(unwrapped, Side(half, True)))
        pieces.append([(lon - 2 * half, lat) for lon, lat in clip(unwrapped, Side(half, False))])
    else:
        pieces.append(clip(unwrapped, Side(-half, False)))
        pieces.append([(lon + 2 * half, lat) for lon, lat in clip(unwrapped, Side(-half, True))])
    return [p for p in map(dedupe, pieces) if len(p) >= 3 and area2(p) != 0]


def crossings(ring):
    n = len(ring)
    for i in range(n):
        a, b = ring[i], ring[(i + 1) % n]
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue
            c, d = ring[j], ring[(j + 1) % n]
            if orientation(a, b, c) * orientation(a, b, d) < 0 and orientation(c, d, a) * orientation(c, d, b) < 0:
                return (i, j)
    return None


def repair(ring, name):
    """Removes the vertex that untangles a ring crossing itself at the least change of
    area. Natural Earth 1:110m's Sudan has such a twist near 24.5 E, 8.6 N."""
    while (pair := crossings(ring)) is not None:
        i, j = pair
        n = len(ring)
        candidates = {i, (i + 1) % n, j, (j + 1) % n}
        best = min(
            candidates,
            key=lambda k: (crossings(ring[:k] + ring[k + 1 :]) is not None, abs(area2(ring[:k] + ring[k + 1 :]) - area2(ring))),
        )
        print(f"{name}: removed {ring[best]} where the ring crossed itself")
        ring = ring[:best] + ring[best + 1 :]
    return ring


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: build_world_map.py world-atlas-2.0.2.tgz OUT.json")
    data = open(sys.argv[1], "rb").read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != PACKAGE_SHA256:
        sys.exit(f"{sys.argv[1]}: sha256 {digest}, expected {PACKAGE_SHA256} ({PACKAGE})")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        topo = json.load(tar.extractfile(MEMBER))

    raw = decode_arcs(topo)
    simplified = [quantise(simplify_arc(arc)) for arc in raw]
    fallback = [quantise(arc) for arc in raw]
    # Douglas-Peucker per arc keeps shared borders shared but can make a ring cross
    # itself (Sudan near its border with the Central African Republic): such arcs are
    # kept unsimplified, until no ring crosses itself.
    all_rings = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        all_rings.extend(ring_arcs for polygon in polygons for ring_arcs in polygon)
    kept = set()
    half = 180 * SCALE
    while True:
        bad = set()
        for ring_arcs in all_rings:
            ring, sources = ring_with_sources(ring_arcs, simplified)
            if any(abs(ring[i][0] - ring[i - 1][0]) > half for i in range(len(ring))):
                continue  # crosses the antimeridian: checked after the cut, below
            bad |= crossing_arcs(ring, sources)
        if bad <= kept:
            break  # what is left is in the package's own data: repaired below
        kept |= bad
        for index in bad:
            simplified[index] = fallback[index]
    print(f"{len(kept)} of {len(raw)} arcs kept unsimplified (self-crossing after simplification)")

    countries = {}
    order = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        if "id" in geometry:
            country = pycountry.countries.get(numeric=geometry["id"])
            if country is None:
                sys.exit(f"no ISO 3166-1 entry for numeric id {geometry['id']} ({name})")
            iso = country.alpha_3
            code = ICAO_FOR_ISO.get(iso, iso)
        elif name in BY_NAME:
            iso, code = BY_NAME[name]
        else:
            sys.exit(f"feature without id and without a rule: {name}")
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            sys.exit(f"{name}: unexpected geometry {geometry['type']}")
        out_polygons = []
        for polygon in polygons:
            rings = []
            for ring_arcs in polygon:
                ring = ring_from_arcs(ring_arcs, simplified)
                if len(ring) < 3:
                    ring = ring_from_arcs(ring_arcs, fallback)  # too small to simplify
                if len(ring) < 3:
                    continue
                pieces = [repair(piece, name) for piece in split_antimeridian(ring)]
                if len(pieces) == 1:
                    rings.append([c for p in pieces[0] for c in p])
                else:
                    # Only outer rings cross the antimeridian in this data: each piece
                    # becomes its own polygon.
                    if len(polygon) > 1:
                        sys.exit(f"{name}: a polygon with holes crosses the antimeridian")
                    out_polygons.extend([[c for p in piece for c in p]] for piece in pieces)
            if rings:
                out_polygons.append(rings)
        if code not in countries:
            countries[code] = {"code": code, "iso": iso, "name": name, "polygons": []}
            order.append(code)
        if "id" in geometry:
            countries[code]["name"] = name  # a merged part (N. Cyprus) does not name the state
        countries[code]["polygons"].extend(out_polygons)

    out = {
        "format": "tdverify-world-map/1",
        "source": f"npm {PACKAGE} {MEMBER} (Natural Earth 1:110m Admin 0, v4.1.0, public domain)",
        "simplification": f"Douglas-Peucker per shared arc at {TOLERANCE} degree, rounded to {1 / SCALE} degree",
        "scale": SCALE,
        "countries": [countries[c] for c in sorted(order)],
    }
    text = json.dumps(out, separators=(",", ":"), ensure_ascii=False) + "\n"
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(text)
    vertices = sum(len(r) // 2 for c in out["countries"] for p in c["polygons"] for r in p)
    print(f"{len(out['countries'])} countries, {vertices} vertices, {len(text.encode())} bytes")
    print(f"sha256 {hashlib.sha256(text.encode()).hexdigest()}")


if __name__ == "__main__":
    main()

//! The world map of the trends dashboard (issue 24, view 7): country outlines, a
//! projection to a unit rectangle, a choropleth classing that never lets a hidden count
//! show, a hit test for cross-filtering, and label points for drawing routes.
//!
//! Why it lives here and not in the GUI: the screen (egui), the PNG export and the PDF
//! report must draw the *same* map with the *same* classes, so everything but the
//! painting is decided once, in this module. The renderers get projected coordinates in
//! `[0, 1] × [0, 1]` (x to the east, y downwards as on a screen) and scale them to their
//! frame with [`Projection::aspect`].
//!
//! The outlines are `assets/map/world-110m.json`, made by hand with
//! `scripts/map/build_world_map.py` from the npm package `world-atlas` 2.0.2 (Natural
//! Earth 1:110m, public domain; see `assets/map/SOURCES.md` and docs/TRENDS.md). Nothing
//! is downloaded at run time; the file's SHA-256 is pinned in [`WORLD_MAP_SHA256`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::TrendsError;
use crate::view::Count;

/// Where the map is under the resources home (`Resources::home` in the program).
pub const WORLD_MAP_FILE: &str = "assets/map/world-110m.json";

/// SHA-256 of the committed asset: a changed or damaged install is refused rather than
/// drawing a wrong map. Update it (and `assets/map/SOURCES.md`) when the script is re-run.
pub const WORLD_MAP_SHA256: &str = "963f81b7740eb45c93e055b1b064b17d32627ece477a9823fd206ddae0a693f1";

/// The most vertices the map may have, so that filling and outlining it stays a small
/// part of the dashboard's 16 ms frame (the asset has about a quarter of this; the
/// frame itself is measured by the screen, not here).
pub const VERTEX_BUDGET: usize = 40_000;

/// The format tag the loader accepts.
const FORMAT: &str = "tdverify-world-map/1";

/// The asset compiled into the library, so the map draws without locating any file.
const EMBEDDED: &[u8] = include_bytes!("../../../assets/map/world-110m.json");

/// A point in the projected unit rectangle: `[x, y]`, x east, y down.
pub type Point = [f32; 2];

/// How longitude and latitude become a flat picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Projection {
    /// Natural Earth (Šavrič, Jenny, Patterson et al. 2011): a pseudo-cylindrical
    /// compromise whose polynomial needs no iteration. The default, because it keeps the
    /// high latitudes (Russia, Canada, Greenland) from swamping a choropleth.
    #[default]
    NaturalEarth,
    /// Plate carrée: x = longitude, y = latitude. The simplest to read back to degrees.
    Equirectangular,
}

impl Projection {
    /// Projects longitude and latitude in degrees to the unit rectangle (y down).
    pub fn project(self, lon: f64, lat: f64) -> Point {
        let (x, y) = self.raw(lon.clamp(-180.0, 180.0).to_radians(), lat.clamp(-90.0, 90.0).to_radians());
        let (half_width, half_height) = self.half_extent();
        [((x + half_width) / (2.0 * half_width)) as f32, ((half_height - y) / (2.0 * half_height)) as f32]
    }

    /// Width over height of the whole world in this projection: the renderer's frame
    /// should keep it so countries are not stretched.
    pub fn aspect(self) -> f32 {
        let (half_width, half_height) = self.half_extent();
        (half_width / half_height) as f32
    }

    fn raw(self, lambda: f64, phi: f64) -> (f64, f64) {
        match self {
            Projection::Equirectangular => (lambda, phi),
            Projection::NaturalEarth => {
                let p2 = phi * phi;
                let p4 = p2 * p2;
                let p6 = p4 * p2;
                let p8 = p4 * p4;
                let p10 = p8 * p2;
                let p12 = p6 * p6;
                let x = lambda * (0.870700 - 0.131979 * p2 - 0.013791 * p4 + 0.003971 * p10 - 0.001529 * p12);
                let y = phi * (1.007226 + 0.015085 * p2 - 0.044475 * p6 + 0.028874 * p8 - 0.005916 * p10);
                (x, y)
            }
        }
    }

    fn half_extent(self) -> (f64, f64) {
        let (x, _) = self.raw(std::f64::consts::PI, 0.0);
        let (_, y) = self.raw(0.0, std::f64::consts::FRAC_PI_2);
        (x, y)
    }
}

/// Triangles that fill one country, for renderers that fill only convex shapes (egui's
/// `Mesh`); the PDF can fill [`Country::rings`] with the even-odd rule instead.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mesh {
    /// Projected vertices.
    pub vertices: Vec<Point>,
    /// Three indices into `vertices` per triangle.
    pub indices: Vec<u32>,
}

/// One country of the map.
#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    /// The code the records use: ICAO 9303 (`D` for Germany, `RKS` for Kosovo), so a
    /// view's keys find their country directly.
    pub code: String,
    /// ISO 3166-1 alpha-3 (`DEU`), accepted too by [`WorldMap::country`].
    pub iso_a3: String,
    /// English short name, from the MRZ crate's state list where it has one (the same
    /// names as the country pickers), else Natural Earth's.
    pub name: String,
    /// Polygons in degrees: each is an outer ring followed by its holes, `[lon, lat]`,
    /// not closed.
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
    /// Every ring projected, for outlines and even-odd fills.
    pub rings: Vec<Vec<Point>>,
    /// The projected fill as triangles.
    pub mesh: Mesh,
    /// Projected bounding box `[min_x, min_y, max_x, max_y]`, for culling and hit tests.
    pub bounds: [f32; 4],
    /// A projected point inside the country's largest polygon: where its label goes
    /// and where route lines start and end.
    pub label: Point,
}

impl Country {
    /// Whether a projected point is inside (even-odd over all rings, so holes are holes).
    pub fn contains(&self, point: Point) -> bool {
        let [x, y] = point;
        if x < self.bounds[0] || x > self.bounds[2] || y < self.bounds[1] || y > self.bounds[3] {
            return false;
        }
        self.rings.iter().filter(|ring| ring_crosses(ring, point)).count() % 2 == 1
    }
}

/// How to cut the visible counts into colour classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classing {
    /// About the same number of countries per class (good for skewed counts).
    Quantile(usize),
    /// Classes of equal width between the smallest and the largest visible count.
    EqualInterval(usize),
}

/// The bounds of one colour class, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ClassBound {
    /// Smallest count in the class.
    pub lower: u64,
    /// Largest count in the class.
    pub upper: u64,
}

/// How one country is painted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shade {
    /// The view has no row for the country: background.
    NoData,
    /// A visible zero.
    Zero,
    /// Hidden (`<k`): drawn with the one hatch or grey that stands for every hidden
    /// count, never with a class colour, which would tell its size.
    Suppressed,
    /// Index into [`Choropleth::classes`], 0 the lowest.
    Class(usize),
}

/// The classes of one map view, for the legend and for every renderer.
#[derive(Debug, Clone, PartialEq)]
pub struct Choropleth {
    /// Colour classes, lowest first; built from visible counts only.
    pub classes: Vec<ClassBound>,
    /// One shade per entry of [`WorldMap::countries`], in the same order.
    pub shades: Vec<Shade>,
    /// Keys of the view that are not on the map (`unknown`, small island states,
    /// sub-regions, non-state codes), with their counts, for a line under the legend.
    pub unmapped: Vec<(String, Count)>,
}

/// A route's stops on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct RoutePath {
    /// Projected label points of the stops on the map, in travel order.
    pub points: Vec<Point>,
    /// Stops the map cannot place (`?` ends, states too small for 1:110m).
    pub missing: Vec<String>,
}

/// The loaded world map in one projection.
#[derive(Debug, Clone, PartialEq)]
pub struct WorldMap {
    projection: Projection,
    countries: Vec<Country>,
    by_code: HashMap<String, usize>,
    vertex_count: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssetFile {
    format: String,
    #[allow(dead_code)]
    source: String,
    #[allow(dead_code)]
    simplification: String,
    scale: u32,
    countries: Vec<AssetCountry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssetCountry {
    code: String,
    iso: String,
    name: String,
    polygons: Vec<Vec<Vec<i32>>>,
}

impl WorldMap {
    /// Loads the map shipped with the program under `home` (the resources home, the
    /// folder holding `assets/`), refusing it if its SHA-256 is not the pinned one.
    pub fn bundled(home: &Path, projection: Projection) -> Result<WorldMap, TrendsError> {
        let path = home.join(WORLD_MAP_FILE);
        let bytes = read(&path)?;
        let digest = sha256_hex(&bytes);
        if digest != WORLD_MAP_SHA256 {
            return Err(map_error(
                &path,
                format!("SHA-256 {digest} is not the pinned {WORLD_MAP_SHA256}: reinstall the program"),
            ));
        }
        WorldMap::parse(&bytes, &path, projection)
    }

    /// The same map compiled into the library: nothing to locate, nothing to go missing.
    pub fn embedded(projection: Projection) -> Result<WorldMap, TrendsError> {
        WorldMap::parse(EMBEDDED, Path::new("(embedded) assets/map/world-110m.json"), projection)
    }

    /// Loads a map file in the asset's format without checking its hash (tests, a map
    /// rebuilt by the script before its hash is pinned).
    pub fn load(path: &Path, projection: Projection) -> Result<WorldMap, TrendsError> {
        let bytes = read(path)?;
        WorldMap::parse(&bytes, path, projection)
    }

    /// Parses the asset's JSON; `origin` names it in errors. Every malformed input
    /// gives [`TrendsError::WorldMap`], never a panic.
    pub fn parse(bytes: &[u8], origin: &Path, projection: Projection) -> Result<WorldMap, TrendsError> {
        let file: AssetFile =
            serde_json::from_slice(bytes).map_err(|error| map_error(origin, format!("not a world map: {error}")))?;
        if file.format != FORMAT {
            return Err(map_error(origin, format!("format {:?}, expected {FORMAT:?}", file.format)));
        }
        if file.scale == 0 || file.scale > 1_000_000 {
            return Err(map_error(origin, format!("scale {} out of range", file.scale)));
        }
        let scale = f64::from(file.scale);
        let mut countries = Vec::with_capacity(file.countries.len());
        let mut by_code = HashMap::new();
        let mut vertex_count = 0usize;
        for (index, raw) in file.countries.into_iter().enumerate() {
            let code_ok = |c: &str| (1..=3).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_uppercase());
            if !code_ok(&raw.code) || !code_ok(&raw.iso) {
                return Err(map_error(origin, format!("country {index}: bad code {:?}/{:?}", raw.code, raw.iso)));
            }
            if by_code.contains_key(&raw.code) {
                return Err(map_error(origin, format!("country {} appears twice", raw.code)));
            }
            let mut polygons = Vec::with_capacity(raw.polygons.len());
            for polygon in &raw.polygons {
                if polygon.is_empty() {
                    return Err(map_error(origin, format!("{}: empty polygon", raw.code)));
                }
                let mut rings = Vec::with_capacity(polygon.len());
                for flat in polygon {
                    if flat.len() % 2 != 0 || flat.len() < 6 {
                        return Err(map_error(
                            origin,
                            format!("{}: a ring needs at least 3 lon/lat pairs, got {} numbers", raw.code, flat.len()),
                        ));
                    }
                    let mut ring = Vec::with_capacity(flat.len() / 2);
                    for pair in flat.chunks_exact(2) {
                        let (lon, lat) = (f64::from(pair[0]) / scale, f64::from(pair[1]) / scale);
                        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                            return Err(map_error(origin, format!("{}: point ({lon}, {lat}) off the globe", raw.code)));
                        }
                        ring.push([lon, lat]);
                    }
                    vertex_count += ring.len();
                    rings.push(ring);
                }
                polygons.push(rings);
            }
            if polygons.is_empty() {
                return Err(map_error(origin, format!("{}: no outline", raw.code)));
            }
            let name = tdverify_mrz::state_info(&raw.code).map(|info| info.name.to_string()).unwrap_or(raw.name);
            by_code.insert(raw.code.clone(), countries.len());
            countries.push(Country {
                code: raw.code,
                iso_a3: raw.iso,
                name,
                polygons,
                rings: Vec::new(),
                mesh: Mesh::default(),
                bounds: [0.0; 4],
                label: [0.0; 2],
            });
        }
        if countries.is_empty() {
            return Err(map_error(origin, "no countries".to_string()));
        }
        for (index, country) in countries.iter().enumerate() {
            if country.iso_a3 != country.code {
                by_code.entry(country.iso_a3.clone()).or_insert(index);
            }
        }
        let mut map = WorldMap { projection, countries, by_code, vertex_count };
        map.reproject(projection);
        Ok(map)
    }

    /// The same map in another projection.
    pub fn with_projection(mut self, projection: Projection) -> WorldMap {
        self.reproject(projection);
        self
    }

    /// The projection in use.
    pub fn projection(&self) -> Projection {
        self.projection
    }

    /// Every country, sorted by code; [`Choropleth::shades`] follows this order.
    pub fn countries(&self) -> &[Country] {
        &self.countries
    }

    /// The country of a record's code (ICAO `D` or ISO `DEU`, any case).
    pub fn country(&self, code: &str) -> Option<&Country> {
        self.index_of(code).map(|index| &self.countries[index])
    }

    /// Vertices in all rings (the frame budget's measure).
    pub fn vertex_count(&self) -> usize {
        self.vertex_count
    }

    /// The country under a projected point (a click), or `None` over the sea. The caller
    /// pins the issuing state to its [`Country::code`] with `Filter::toggle`.
    pub fn country_at(&self, x: f32, y: f32) -> Option<&Country> {
        self.countries.iter().find(|country| country.contains([x, y]))
    }

    /// The stops of a route key (`TUR→GRC→D`, `->` accepted) as projected label points.
    pub fn route(&self, route: &str) -> RoutePath {
        let mut path = RoutePath { points: Vec::new(), missing: Vec::new() };
        for stop in route.replace("->", "→").split('→').map(str::trim) {
            match self.country(stop) {
                Some(country) => path.points.push(country.label),
                None => path.missing.push(stop.to_string()),
            }
        }
        path
    }

    /// Shades every country from a view's rows (`View::rows` as `(key, count)`). Visible
    /// counts above zero are cut into classes by `classing`; hidden counts get
    /// [`Shade::Suppressed`] and take no part in the class bounds; zeros get
    /// [`Shade::Zero`]. A code given twice (`D` and `DEU`) is summed, and hidden if
    /// either part is hidden.
    pub fn choropleth(&self, values: &[(String, Count)], classing: Classing) -> Choropleth {
        let mut per_country: Vec<Option<Count>> = vec![None; self.countries.len()];
        let mut unmapped = Vec::new();
        for (key, count) in values {
            match self.index_of(key) {
                Some(index) => {
                    per_country[index] = Some(match (per_country[index], *count) {
                        (None, count) => count,
                        (Some(Count::Value(a)), Count::Value(b)) => Count::Value(a.saturating_add(b)),
                        _ => Count::Suppressed,
                    })
                }
                None => unmapped.push((key.clone(), *count)),
            }
        }
        let mut visible: Vec<u64> =
            per_country.iter().filter_map(|c| c.and_then(Count::value)).filter(|&n| n > 0).collect();
        visible.sort_unstable();
        let classes = class_bounds(&visible, classing);
        let shades = per_country
            .iter()
            .map(|count| match count {
                None => Shade::NoData,
                Some(Count::Suppressed) => Shade::Suppressed,
                Some(Count::Value(0)) => Shade::Zero,
                Some(Count::Value(n)) => Shade::Class(
                    classes.iter().position(|class| *n <= class.upper).unwrap_or(classes.len().saturating_sub(1)),
                ),
            })
            .collect();
        Choropleth { classes, shades, unmapped }
    }

    fn index_of(&self, code: &str) -> Option<usize> {
        let upper = code.trim().to_ascii_uppercase();
        self.by_code.get(&upper).copied()
    }

    fn reproject(&mut self, projection: Projection) {
        self.projection = projection;
        for country in &mut self.countries {
            let mut rings = Vec::new();
            let mut mesh = Mesh::default();
            for polygon in &country.polygons {
                let projected: Vec<Vec<Point>> = polygon
                    .iter()
                    .map(|ring| ring.iter().map(|&[lon, lat]| projection.project(lon, lat)).collect())
                    .collect();
                triangulate(&projected, &mut mesh);
                rings.extend(projected);
            }
            let mut bounds = [f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY];
            for &[x, y] in rings.iter().flatten() {
                bounds = [bounds[0].min(x), bounds[1].min(y), bounds[2].max(x), bounds[3].max(y)];
            }
            let [lon, lat] = label_point(&country.polygons);
            country.label = projection.project(lon, lat);
            country.rings = rings;
            country.mesh = mesh;
            country.bounds = bounds;
        }
    }
}

impl Choropleth {
    /// The shade of a code under this classing (`None` when the code is not on `map`).
    pub fn shade_of(&self, map: &WorldMap, code: &str) -> Option<Shade> {
        map.index_of(code).and_then(|index| self.shades.get(index).copied())
    }

    /// The legend's text for each class (`"120–340"`), lowest first.
    pub fn legend(&self) -> Vec<String> {
        self.classes
            .iter()
            .map(|c| if c.lower == c.upper { c.lower.to_string() } else { format!("{}–{}", c.lower, c.upper) })
            .collect()
    }
}

/// Class bounds over sorted, positive, visible values. Classes are contiguous integer
/// ranges; empty or repeated classes are dropped, so few distinct values give few classes.
fn class_bounds(sorted: &[u64], classing: Classing) -> Vec<ClassBound> {
    let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else { return Vec::new() };
    let wanted = match classing {
        Classing::Quantile(n) | Classing::EqualInterval(n) => n.clamp(1, 12),
    };
    let mut uppers: Vec<u64> = match classing {
        Classing::Quantile(_) => (1..=wanted).map(|i| sorted[(i * sorted.len()).div_ceil(wanted) - 1]).collect(),
        Classing::EqualInterval(_) => {
            let span = max - min + 1;
            (1..=wanted as u64).map(|i| min - 1 + (span * i).div_ceil(wanted as u64)).collect()
        }
    };
    uppers.dedup();
    let mut classes = Vec::with_capacity(uppers.len());
    let mut lower = min;
    for upper in uppers {
        if upper >= lower {
            classes.push(ClassBound { lower, upper });
            lower = upper + 1;
        }
    }
    classes
}

/// Even-odd crossing test of a horizontal ray to the east of `point` against one ring.
fn ring_crosses(ring: &[Point], [x, y]: Point) -> bool {
    let mut inside = false;
    let mut previous = match ring.last() {
        Some(&p) => p,
        None => return false,
    };
    for &current in ring {
        let ([x1, y1], [x2, y2]) = (previous, current);
        if (y1 > y) != (y2 > y) && x < x1 + (y - y1) * (x2 - x1) / (y2 - y1) {
            inside = !inside;
        }
        previous = current;
    }
    inside
}

/// A point inside the largest polygon (by area in degrees): its centroid when that is
/// inside, else the middle of the widest inside span on the centroid's parallel.
fn label_point(polygons: &[Vec<Vec<[f64; 2]>>]) -> [f64; 2] {
    let area = |ring: &[[f64; 2]]| signed_area(ring).abs();
    let Some(polygon) = polygons.iter().max_by(|a, b| area(&a[0]).total_cmp(&area(&b[0]))) else {
        return [0.0, 0.0];
    };
    let outer = &polygon[0];
    let twice_area = signed_area(outer) * 2.0;
    let centroid = if twice_area.abs() > 1e-12 {
        let (mut cx, mut cy) = (0.0, 0.0);
        for (i, &[x1, y1]) in outer.iter().enumerate() {
            let [x2, y2] = outer[(i + 1) % outer.len()];
            let cross = x1 * y2 - x2 * y1;
            cx += (x1 + x2) * cross;
            cy += (y1 + y2) * cross;
        }
        [cx / (3.0 * twice_area), cy / (3.0 * twice_area)]
    } else {
        outer[0]
    };
    let inside = |p: [f64; 2]| polygon.iter().filter(|ring| ring_crosses_f64(ring, p)).count() % 2 == 1;
    if inside(centroid) {
        return centroid;
    }
    // The centroid of a crescent or an archipelago can fall outside: walk the parallel.
    let y = centroid[1];
    let mut crossings: Vec<f64> = Vec::new();
    for ring in polygon {
        for (i, &[x1, y1]) in ring.iter().enumerate() {
            let [x2, y2] = ring[(i + 1) % ring.len()];
            if (y1 > y) != (y2 > y) {
                crossings.push(x1 + (y - y1) * (x2 - x1) / (y2 - y1));
            }
        }
    }
    crossings.sort_by(f64::total_cmp);
    crossings
        .chunks_exact(2)
        .max_by(|a, b| (a[1] - a[0]).total_cmp(&(b[1] - b[0])))
        .map(|span| [(span[0] + span[1]) / 2.0, y])
        .unwrap_or(outer[0])
}

fn ring_crosses_f64(ring: &[[f64; 2]], [x, y]: [f64; 2]) -> bool {
    let mut inside = false;
    for (i, &[x1, y1]) in ring.iter().enumerate() {
        let [x2, y2] = ring[(i + 1) % ring.len()];
        if (y1 > y) != (y2 > y) && x < x1 + (y - y1) * (x2 - x1) / (y2 - y1) {
            inside = !inside;
        }
    }
    inside
}

fn signed_area(ring: &[[f64; 2]]) -> f64 {
    let mut sum = 0.0;
    for (i, &[x1, y1]) in ring.iter().enumerate() {
        let [x2, y2] = ring[(i + 1) % ring.len()];
        sum += x1 * y2 - x2 * y1;
    }
    sum / 2.0
}

/// Ear clipping of one polygon (outer ring, then holes) into `mesh`. Holes are first
/// joined to the outer ring by a bridge to a vertex they can see. Outlines simplified
/// and rounded can touch themselves; when no proper ear is left, the most convex corner
/// is cut anyway, so the loop always ends (a sliver may be drawn, never a hang).
fn triangulate(polygon: &[Vec<Point>], mesh: &mut Mesh) {
    let to64 = |ring: &Vec<Point>| ring.iter().map(|&[x, y]| [f64::from(x), f64::from(y)]).collect::<Vec<[f64; 2]>>();
    let Some(first) = polygon.first() else { return };
    let mut outer = to64(first);
    // Projected y grows downwards; orient the outer ring counter-clockwise in these
    // coordinates (positive shoelace area) and holes clockwise.
    if signed_area(&outer) < 0.0 {
        outer.reverse();
    }
    let mut holes: Vec<Vec<[f64; 2]>> = polygon[1..]
        .iter()
        .map(|ring| {
            let mut hole = to64(ring);
            if signed_area(&hole) > 0.0 {
                hole.reverse();
            }
            hole
        })
        .filter(|hole| hole.len() >= 3)
        .collect();
    holes.sort_by(|a, b| max_x(b).total_cmp(&max_x(a)));
    for hole in &holes {
        bridge(&mut outer, hole);
    }
    let base = mesh.vertices.len() as u32;
    mesh.vertices.extend(outer.iter().map(|&[x, y]| [x as f32, y as f32]));
    let mut remaining: Vec<usize> = (0..outer.len()).collect();
    let mut misses = 0usize;
    let mut i = 0usize;
    while remaining.len() > 3 {
        let n = remaining.len();
        let (a, b, c) = (remaining[(i + n - 1) % n], remaining[i % n], remaining[(i + 1) % n]);
        let forced = misses > n;
        let area = cross(outer[a], outer[b], outer[c]);
        if area == 0.0 {
            // A straight run or a spike of zero width: drop the corner, no triangle.
            remaining.remove(i % n);
            misses = 0;
            i %= remaining.len();
        } else if forced || is_ear(&outer, &remaining, a, b, c) {
            mesh.indices.extend([base + a as u32, base + b as u32, base + c as u32]);
            remaining.remove(i % n);
            misses = 0;
            i %= remaining.len();
        } else {
            misses += 1;
            i = (i + 1) % n;
        }
    }
    if let [a, b, c] = remaining[..] {
        mesh.indices.extend([base + a as u32, base + b as u32, base + c as u32]);
    }
}

fn max_x(ring: &[[f64; 2]]) -> f64 {
    ring.iter().map(|p| p[0]).fold(f64::NEG_INFINITY, f64::max)
}

fn cross(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> f64 {
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

fn is_ear(points: &[[f64; 2]], remaining: &[usize], a: usize, b: usize, c: usize) -> bool {
    let (pa, pb, pc) = (points[a], points[b], points[c]);
    if cross(pa, pb, pc) <= 0.0 {
        return false;
    }
    remaining.iter().all(|&j| {
        let p = points[j];
        if j == a || j == b || j == c || p == pa || p == pb || p == pc {
            return true;
        }
        // Outside (or on the edge of) triangle a-b-c.
        cross(pa, pb, p) < 0.0 || cross(pb, pc, p) < 0.0 || cross(pc, pa, p) < 0.0
    })
}

/// Splices a hole into the outer ring through the shortest segment from the hole's
/// easternmost vertex to an outer vertex that crosses no edge.
fn bridge(outer: &mut Vec<[f64; 2]>, hole: &[[f64; 2]]) {
    let Some(start) = (0..hole.len()).max_by(|&a, &b| hole[a][0].total_cmp(&hole[b][0])) else { return };
    let m = hole[start];
    let crosses_any = |ring: &[[f64; 2]], p: [f64; 2]| {
        (0..ring.len()).any(|i| {
            let (s, e) = (ring[i], ring[(i + 1) % ring.len()]);
            if s == p || e == p || s == m || e == m {
                return false;
            }
            segments_cross(m, p, s, e)
        })
    };
    let mut candidates: Vec<usize> = (0..outer.len()).collect();
    candidates.sort_by(|&a, &b| distance2(outer[a], m).total_cmp(&distance2(outer[b], m)));
    let chosen = candidates
        .iter()
        .copied()
        .find(|&i| !crosses_any(outer, outer[i]) && !crosses_any(hole, outer[i]))
        .or(candidates.first().copied());
    let Some(p) = chosen else { return };
    let mut spliced = Vec::with_capacity(outer.len() + hole.len() + 2);
    spliced.extend_from_slice(&outer[..=p]);
    spliced.extend((0..=hole.len()).map(|k| hole[(start + k) % hole.len()]));
    spliced.push(outer[p]);
    spliced.extend_from_slice(&outer[p + 1..]);
    *outer = spliced;
}

fn distance2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

fn segments_cross(a: [f64; 2], b: [f64; 2], c: [f64; 2], d: [f64; 2]) -> bool {
    let d1 = cross(c, d, a);
    let d2 = cross(c, d, b);
    let d3 = cross(a, b, c);
    let d4 = cross(a, b, d);
    ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0)) && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
}

fn read(path: &Path) -> Result<Vec<u8>, TrendsError> {
    std::fs::read(path).map_err(|source| TrendsError::Io { action: "reading the world map", path: path.into(), source })
}

fn map_error(path: &Path, problem: String) -> TrendsError {
    TrendsError::WorldMap { path: PathBuf::from(path), problem }
}

/// Lower-case hex SHA-256, as recorded in SOURCES.md.
fn sha256_hex(bytes: &[u8]) -> String {
    tdverify_core::hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn repo_home() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn world(projection: Projection) -> WorldMap {
        WorldMap::bundled(&repo_home(), projection).expect("the committed map loads")
    }

    /// Projects a city and asks the map what is there.
    fn at(map: &WorldMap, lon: f64, lat: f64) -> Option<&str> {
        let [x, y] = map.projection().project(lon, lat);
        map.country_at(x, y).map(|country| country.code.as_str())
    }

    #[test]
    fn the_committed_asset_has_the_pinned_sha256_and_is_the_embedded_one() {
        let bytes = std::fs::read(repo_home().join(WORLD_MAP_FILE)).expect("asset");
        assert_eq!(sha256_hex(&bytes), WORLD_MAP_SHA256);
        assert_eq!(sha256_hex(EMBEDDED), WORLD_MAP_SHA256);
        assert!(bytes.len() < 300_000, "asset is {} bytes", bytes.len());
    }

    #[test]
    fn an_altered_asset_is_refused_by_bundled() {
        let home = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(home.path().join("assets/map")).expect("mkdir");
        let mut bytes = EMBEDDED.to_vec();
        bytes.extend_from_slice(b" ");
        std::fs::write(home.path().join(WORLD_MAP_FILE), &bytes).expect("write");
        let error = WorldMap::bundled(home.path(), Projection::default()).expect_err("hash differs");
        assert_eq!(error.reason_code(), "world_map");
        assert!(error.to_string().contains("SHA-256"), "{error}");
        // `load` takes the same file (valid JSON) without the hash check.
        assert!(WorldMap::load(&home.path().join(WORLD_MAP_FILE), Projection::default()).is_ok());
        let missing = WorldMap::bundled(Path::new("/nonexistent"), Projection::default()).expect_err("missing");
        assert_eq!(missing.reason_code(), "io");
    }

    #[test]
    fn every_code_is_an_icao_issuer_code_and_the_map_is_complete() {
        let map = world(Projection::default());
        assert!(map.countries().len() >= 170, "{} countries", map.countries().len());
        for country in map.countries() {
            let info = tdverify_mrz::state_info(&country.code);
            assert!(info.is_some_and(|info| info.code == country.code), "{} is not an ICAO code", country.code);
        }
        // ICAO differences: Germany prints D; Kosovo is RKS; N. Cyprus and Somaliland
        // are not issuers and are drawn as part of CYP and SOM.
        assert_eq!(map.country("D").map(|c| c.iso_a3.as_str()), Some("DEU"));
        assert_eq!(map.country("deu").map(|c| c.code.as_str()), Some("D"));
        assert_eq!(map.country("RKS").map(|c| c.name.as_str()), Some("Kosovo"));
        assert_eq!(map.country("CYP").map(|c| c.name.as_str()), Some("Cyprus"));
        assert!(map.country("DEU").is_some() && map.country("GBR").is_some() && map.country("XXA").is_none());
    }

    #[test]
    fn the_vertex_count_is_within_the_frame_budget() {
        let map = world(Projection::default());
        let rings: usize = map.countries().iter().flat_map(|c| &c.rings).map(Vec::len).sum();
        assert_eq!(rings, map.vertex_count());
        assert_eq!(map.vertex_count(), 9464);
        assert!(map.vertex_count() <= VERTEX_BUDGET);
    }

    #[test]
    fn cities_fall_in_their_countries_and_the_sea_in_none() {
        for projection in [Projection::NaturalEarth, Projection::Equirectangular] {
            let map = world(projection);
            assert_eq!(at(&map, 2.35, 48.86), Some("FRA"), "Paris {projection:?}");
            assert_eq!(at(&map, 13.40, 52.52), Some("D"), "Berlin");
            assert_eq!(at(&map, 36.82, -1.29), Some("KEN"), "Nairobi");
            assert_eq!(at(&map, -87.63, 41.88), Some("USA"), "Chicago");
            assert_eq!(at(&map, 139.7, 35.7), Some("JPN"), "Tokyo");
            assert_eq!(at(&map, 151.2, -33.87), Some("AUS"), "Sydney");
            assert_eq!(at(&map, 27.48, -29.31), Some("LSO"), "Maseru, in South Africa's hole");
            assert_eq!(at(&map, 28.05, -26.2), Some("ZAF"), "Johannesburg");
            assert_eq!(at(&map, -30.0, 30.0), None, "mid-Atlantic");
            assert_eq!(at(&map, -140.0, -10.0), None, "mid-Pacific");
        }
    }

    #[test]
    fn projections_fill_the_unit_rectangle() {
        for projection in [Projection::NaturalEarth, Projection::Equirectangular] {
            let [x0, y0] = projection.project(-180.0, 0.0);
            let [x1, _] = projection.project(180.0, 0.0);
            let [_, top] = projection.project(0.0, 90.0);
            let [_, bottom] = projection.project(0.0, -90.0);
            assert!((x0 - 0.0).abs() < 1e-6 && (x1 - 1.0).abs() < 1e-6 && (y0 - 0.5).abs() < 1e-6);
            assert!(top.abs() < 1e-6 && (bottom - 1.0).abs() < 1e-6);
        }
        assert!((Projection::Equirectangular.aspect() - 2.0).abs() < 1e-6);
        let natural = Projection::NaturalEarth.aspect();
        assert!((1.9..2.0).contains(&natural), "{natural}");
    }

    #[test]
    fn labels_lie_inside_their_country_and_routes_join_them() {
        let map = world(Projection::default());
        for country in map.countries() {
            let [x, y] = country.label;
            assert!(
                map.country_at(x, y).is_some_and(|hit| hit.code == country.code),
                "label of {} at {:?} hits {:?}",
                country.code,
                country.label,
                map.country_at(x, y).map(|c| &c.code)
            );
        }
        let route = map.route("TUR→GRC→D");
        assert_eq!(route.points.len(), 3);
        assert_eq!(route.points[2], map.country("D").map(|c| c.label).unwrap_or_default());
        let partial = map.route("?->SYR->MLT");
        assert_eq!(partial.points.len(), 1);
        assert_eq!(partial.missing, vec!["?".to_string(), "MLT".to_string()]);
    }

    #[test]
    fn meshes_cover_each_country_with_its_area() {
        let map = world(Projection::Equirectangular);
        let ring_area = |ring: &Vec<Point>| {
            signed_area(&ring.iter().map(|&[x, y]| [f64::from(x), f64::from(y)]).collect::<Vec<_>>()).abs()
        };
        let mut worst: (f64, String) = (0.0, String::new());
        for country in map.countries() {
            let mesh = &country.mesh;
            assert_eq!(mesh.indices.len() % 3, 0);
            assert!(mesh.indices.iter().all(|&i| (i as usize) < mesh.vertices.len()));
            let triangles: f64 = mesh
                .indices
                .chunks_exact(3)
                .map(|t| {
                    let p = |i: u32| {
                        let [x, y] = mesh.vertices[i as usize];
                        [f64::from(x), f64::from(y)]
                    };
                    cross(p(t[0]), p(t[1]), p(t[2])).abs() / 2.0
                })
                .sum();
            // Outer rings minus holes (each polygon's first ring is its outer one).
            let mut expected = 0.0;
            let mut ring_index = 0;
            for polygon in &country.polygons {
                for (k, _) in polygon.iter().enumerate() {
                    let area = ring_area(&country.rings[ring_index]);
                    expected += if k == 0 { area } else { -area };
                    ring_index += 1;
                }
            }
            let error = (triangles - expected).abs() / expected.max(1e-12);
            if error > worst.0 {
                worst = (error, country.code.clone());
            }
        }
        assert!(worst.0 < 0.02, "mesh area off by {:.3} % for {}", worst.0 * 100.0, worst.1);
    }

    fn rows(pairs: &[(&str, Count)]) -> Vec<(String, Count)> {
        pairs.iter().map(|(k, c)| (k.to_string(), *c)).collect()
    }

    #[test]
    fn choropleth_keeps_hidden_counts_out_of_every_class() {
        let map = world(Projection::default());
        let values = rows(&[
            ("FRA", Count::Value(100)),
            ("D", Count::Value(40)),
            ("ITA", Count::Value(10)),
            ("ESP", Count::Value(7)),
            ("KEN", Count::Suppressed),
            ("NGA", Count::Value(0)),
            ("MLT", Count::Value(9)),
            ("unknown", Count::Suppressed),
        ]);
        for classing in [Classing::Quantile(5), Classing::EqualInterval(5), Classing::Quantile(2)] {
            let choropleth = map.choropleth(&values, classing);
            assert_eq!(choropleth.shade_of(&map, "KEN"), Some(Shade::Suppressed));
            assert_eq!(choropleth.shade_of(&map, "NGA"), Some(Shade::Zero));
            assert_eq!(choropleth.shade_of(&map, "BRA"), Some(Shade::NoData));
            assert_eq!(choropleth.unmapped, rows(&[("MLT", Count::Value(9)), ("unknown", Count::Suppressed)]));
            let top = choropleth.classes.len() - 1;
            assert_eq!(choropleth.shade_of(&map, "FRA"), Some(Shade::Class(top)));
            assert_eq!(choropleth.shade_of(&map, "ESP"), Some(Shade::Class(0)));
            // The bounds come from the visible counts only.
            assert_eq!(choropleth.classes[0].lower, 7);
            assert_eq!(choropleth.classes[top].upper, 100);
        }
        let equal = map.choropleth(&values, Classing::EqualInterval(3));
        assert_eq!(equal.legend(), vec!["7–38", "39–69", "70–100"]);
        assert_eq!(equal.shade_of(&map, "D"), Some(Shade::Class(1)));
        let quantile = map.choropleth(&values, Classing::Quantile(5));
        assert_eq!(quantile.legend(), vec!["7", "8–10", "11–40", "41–100"]);
    }

    #[test]
    fn icao_and_iso_rows_of_one_state_are_merged_without_revealing() {
        let map = world(Projection::default());
        let sum = map.choropleth(&rows(&[("D", Count::Value(20)), ("DEU", Count::Value(5))]), Classing::Quantile(5));
        assert_eq!(sum.classes, vec![ClassBound { lower: 25, upper: 25 }]);
        let hidden =
            map.choropleth(&rows(&[("D", Count::Value(20)), ("DEU", Count::Suppressed)]), Classing::Quantile(5));
        assert_eq!(hidden.shade_of(&map, "D"), Some(Shade::Suppressed));
        assert!(hidden.classes.is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever the counts, a suppressed country is never in a class and every
        /// visible positive count is in the class whose bounds hold it.
        #[test]
        fn classes_hold_exactly_the_visible_counts(
            counts in prop::collection::vec(prop::option::of(0u64..5_000), 1..60),
            n in 1usize..8,
            quantile in any::<bool>(),
        ) {
            let map = WorldMap::embedded(Projection::default()).expect("embedded map");
            let values: Vec<(String, Count)> = counts
                .iter()
                .zip(map.countries())
                .map(|(c, country)| (country.code.clone(), c.map_or(Count::Suppressed, Count::Value)))
                .collect();
            let classing = if quantile { Classing::Quantile(n) } else { Classing::EqualInterval(n) };
            let choropleth = map.choropleth(&values, classing);
            prop_assert!(choropleth.classes.len() <= n);
            for pair in choropleth.classes.windows(2) {
                prop_assert_eq!(pair[0].upper + 1, pair[1].lower);
            }
            for (code, count) in &values {
                let shade = choropleth.shade_of(&map, code);
                match count {
                    Count::Suppressed => prop_assert_eq!(shade, Some(Shade::Suppressed)),
                    Count::Value(0) => prop_assert_eq!(shade, Some(Shade::Zero)),
                    Count::Value(v) => match shade {
                        Some(Shade::Class(i)) => {
                            let class = choropleth.classes[i];
                            prop_assert!(class.lower <= *v && *v <= class.upper);
                        }
                        other => prop_assert!(false, "{} {} got {:?}", code, v, other),
                    },
                }
            }
        }

        /// A truncated or garbled asset gives an error, never a panic.
        #[test]
        fn truncated_or_garbled_assets_are_errors(cut in 0usize..EMBEDDED.len(), flips in prop::collection::vec((0usize..EMBEDDED.len(), any::<u8>()), 0..4)) {
            let truncated = &EMBEDDED[..cut];
            let error = WorldMap::parse(truncated, Path::new("t.json"), Projection::default()).expect_err("truncated");
            prop_assert_eq!(error.reason_code(), "world_map");
            let mut garbled = EMBEDDED.to_vec();
            for (at, byte) in flips {
                garbled[at] = byte;
            }
            // Either it is still a valid map (a digit changed within range) or a clear error.
            if let Err(error) = WorldMap::parse(&garbled, Path::new("g.json"), Projection::default()) {
                prop_assert_eq!(error.reason_code(), "world_map");
            }
        }
    }

    #[test]
    fn malformed_maps_name_the_problem() {
        let cases: &[(&str, &str)] = &[
            ("", "not a world map"),
            ("{}", "not a world map"),
            (r#"{"format":"x","source":"","simplification":"","scale":100,"countries":[]}"#, "format"),
            (
                r#"{"format":"tdverify-world-map/1","source":"","simplification":"","scale":100,"countries":[]}"#,
                "no countries",
            ),
            (r#"{"format":"tdverify-world-map/1","source":"","simplification":"","scale":0,"countries":[]}"#, "scale"),
            (
                r#"{"format":"tdverify-world-map/1","source":"","simplification":"","scale":100,"countries":[{"code":"FRA","iso":"FRA","name":"F","polygons":[[[1,2,3]]]}]}"#,
                "at least 3",
            ),
            (
                r#"{"format":"tdverify-world-map/1","source":"","simplification":"","scale":100,"countries":[{"code":"FRA","iso":"FRA","name":"F","polygons":[[[0,0,100,0,99999,0]]]}]}"#,
                "off the globe",
            ),
            (
                r#"{"format":"tdverify-world-map/1","source":"","simplification":"","scale":100,"countries":[{"code":"fr","iso":"FRA","name":"F","polygons":[[[0,0,100,0,0,100]]]}]}"#,
                "bad code",
            ),
            (
                r#"{"format":"tdverify-world-map/1","source":"","simplification":"","scale":100,"countries":[{"code":"FRA","iso":"FRA","name":"F","polygons":[]}]}"#,
                "no outline",
            ),
        ];
        for (text, expected) in cases {
            let error =
                WorldMap::parse(text.as_bytes(), Path::new("m.json"), Projection::default()).expect_err("malformed");
            assert!(error.to_string().contains(expected), "{text}: {error}");
            assert!(error.to_string().contains("m.json"), "{error}");
        }
    }
}

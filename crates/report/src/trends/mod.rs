//! The trends dashboard's outputs: each of the seven views as a PNG, and the national
//! trend report PDF.
//!
//! The caller (CLI `trends report`, the GUI's export) builds one [`TrendReportInput`] from
//! a `Trends` and a `Filter` with [`TrendReportInput::from_trends`]; it holds only
//! published, already suppressed views (every count below k is `Count::Suppressed`), so
//! nothing drawn from it can show a small number or any record. Then
//! [`render_view_png`] draws one view and [`render_trend_report`] the whole report. Both
//! lay the charts out once in the shared chart model ([`chart`]), so a view looks the same
//! in the PNG and on its PDF page.

pub(crate) mod chart;
pub(crate) mod pdf;
mod raster;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tdverify_trends::{
    AlertReport, BundleInfo, Change, Classing, Count, Dimension, Filter, Grid, Projection, Ranking,
    Trends, View, WorldMap,
};

use crate::{ReportError, ReportFont};
use chart::{
    Anchor, Area, Bar, BarList, Heat, INK, MUTED, MapRoute, Painter, RULE, Scene, Shape, Stacked,
    Table, count_text, draw_bars, draw_heat, draw_map, draw_stacked, draw_table, number,
};
pub use pdf::extract_text;

/// Size of a view in points (the PDF lays it on a landscape A4 page at this size).
const FIGURE: (f32, f32) = (700.0, 440.0);
/// Pixels per point of the PNG exports.
const PNG_SCALE: f32 = 2.0;
/// Width and height in pixels of every view's PNG.
pub const PNG_SIZE: (u32, u32) = ((FIGURE.0 * PNG_SCALE) as u32, (FIGURE.1 * PNG_SCALE) as u32);
/// Most alert-history months before a tested month (the rule's window), used to widen
/// the alerts' filter so months at the start of the report period can be tested.
const HISTORY: u32 = 12;
/// A time series longer than this many months is drawn by quarter.
const MONTHLY_LIMIT: u32 = 36;

const PORTRAIT: (f32, f32) = (595.0, 842.0);
const LANDSCAPE: (f32, f32) = (842.0, 595.0);
const MARGIN: f32 = 50.0;

/// The seven views of the dashboard, in the report's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrendView {
    /// Detections over time, stacked by fraud type (month, or quarter over 3 years).
    TimeSeries,
    /// Issuing states most linked to fraud, ranked, with the change against the previous period.
    IssuingStates,
    /// Issuing state × nationality claimed: who uses whose documents.
    StateByNationality,
    /// Top routes, embarkation → transits → destination.
    Routes,
    /// Sex × age band.
    Demographics,
    /// Forgery methods, failed checks and detection stage (with the SLTD hit share).
    ModusOperandi,
    /// World map of issuing states.
    Map,
}

impl TrendView {
    /// Every view, in the report's order.
    pub const ALL: [TrendView; 7] = [
        TrendView::TimeSeries,
        TrendView::IssuingStates,
        TrendView::StateByNationality,
        TrendView::Routes,
        TrendView::Demographics,
        TrendView::ModusOperandi,
        TrendView::Map,
    ];

    /// A stable file-name part (`trends-1-time-series.png`).
    pub fn slug(self) -> &'static str {
        match self {
            TrendView::TimeSeries => "1-time-series",
            TrendView::IssuingStates => "2-issuing-states",
            TrendView::StateByNationality => "3-state-by-nationality",
            TrendView::Routes => "4-routes",
            TrendView::Demographics => "5-demographics",
            TrendView::ModusOperandi => "6-modus-operandi",
            TrendView::Map => "7-map",
        }
    }

    /// The view's title on the image and in the report.
    pub fn title(self) -> &'static str {
        match self {
            TrendView::TimeSeries => "Detections over time, by fraud type",
            TrendView::IssuingStates => "Issuing states most linked to fraud",
            TrendView::StateByNationality => "Issuing state × nationality claimed",
            TrendView::Routes => "Routes: embarkation → transit → destination",
            TrendView::Demographics => "Demographics: sex × age band",
            TrendView::ModusOperandi => "Modus operandi",
            TrendView::Map => "World map of issuing states and the largest routes",
        }
    }
}

/// Everything the PNGs and the report show, computed once from the trends database
/// under one filter. It holds only suppressed views and bundle facts: no record, no
/// record id, no repeat-document link.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendReportInput {
    /// The report's title (e.g. "National trend report — Kenya").
    pub title: String,
    /// First and last month of the report (`YYYY-MM`); `None` when there are no records
    /// and the filter names no period.
    pub period: Option<(String, String)>,
    /// The filter the views were made under (its period set to [`Self::period`]).
    pub filter: Filter,
    /// When the report was made, `YYYY-MM-DD` (UTC).
    pub generated: String,
    /// The k every view applied.
    pub k: usize,
    /// Records in the database, all filters aside (a fact about the data sources).
    pub records_in_database: usize,
    /// The imported bundles (the data sources).
    pub bundles: Vec<BundleInfo>,
    /// Records matching the filter.
    pub total: Count,
    /// The previous period of equal length, `YYYY-MM..YYYY-MM`.
    pub previous_period: Option<String>,
    /// Records matching the filter's pins in the previous period.
    pub previous_total: Count,
    /// Periods × fraud type.
    pub time_series: Grid,
    /// Issuing states ranked with their change.
    pub ranking: Ranking,
    /// Counts by issuing state (the map).
    pub issuing_states: View,
    /// Issuing state × nationality claimed.
    pub state_by_nationality: Grid,
    /// Counts by route.
    pub routes: View,
    /// Age band × sex.
    pub demographics: Grid,
    /// Counts by forgery method.
    pub forgery_methods: View,
    /// Counts by failed check.
    pub failed_checks: View,
    /// Counts by detection stage (`sltd_hit` among them).
    pub detection_stage: View,
    /// Alerts of months inside the period (history taken from before it).
    pub alerts: AlertReport,
    /// The range the alert rule was run over, `YYYY-MM..YYYY-MM`.
    pub alerts_range: Option<String>,
}

/// `YYYY-MM` → months since year 0.
fn month_index(text: &str) -> Option<u32> {
    let (year, month) = text.trim().split_once('-')?;
    let (year, month): (u32, u32) = (year.parse().ok()?, month.parse().ok()?);
    (year.to_string().len() == 4 && (1..=12).contains(&month)).then(|| year * 12 + month - 1)
}

fn month_label(index: u32) -> String {
    format!("{:04}-{:02}", index / 12, index % 12 + 1)
}

/// Today (UTC) as `YYYY-MM-DD`.
fn today() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (year, month, day) = tdverify_core::civil::civil_from_days((seconds / 86_400) as i64);
    format!("{year:04}-{month:02}-{day:02}")
}

impl TrendReportInput {
    /// Computes every view of the report from `trends` under `filter`. A filter without a
    /// period takes the months that hold data. Alerts are tested with the 12 months before
    /// the period as history, and only alerts of months inside the period are kept. An
    /// empty database gives an input whose report says "no records"; only a bad filter
    /// (an unreadable month) is an error.
    pub fn from_trends(
        trends: &Trends,
        filter: &Filter,
        title: &str,
    ) -> Result<TrendReportInput, ReportError> {
        let data = trends.months();
        let from = filter
            .from
            .clone()
            .or_else(|| data.as_ref().map(|d| d.0.clone()));
        let to = filter
            .to
            .clone()
            .or_else(|| data.as_ref().map(|d| d.1.clone()));
        let period = from.zip(to);
        let mut filter = filter.clone();
        if let Some((from, to)) = &period {
            filter.from = Some(from.clone());
            filter.to = Some(to.clone());
        }
        let total = trends.query(Dimension::Sex, &filter)?.total;
        // With no data and no period the ranking has no period to compare: the library
        // would look for months before year 1970, so an empty ranking stands in for it.
        let ranking = match &period {
            Some(_) => trends.ranked_issuing_states(&filter)?,
            None => Ranking {
                k: trends.k(),
                period: "—".into(),
                previous_period: "—".into(),
                rows: Vec::new(),
            },
        };
        let previous_period = period.as_ref().map(|_| ranking.previous_period.clone());
        let previous_total = match previous_period.as_deref().and_then(|p| p.split_once("..")) {
            Some((a, b)) => {
                trends
                    .query(
                        Dimension::Sex,
                        &Filter {
                            from: Some(a.into()),
                            to: Some(b.into()),
                            ..filter.clone()
                        },
                    )?
                    .total
            }
            None => Count::Value(0),
        };
        let span = period
            .as_ref()
            .and_then(|(a, b)| Some(month_index(b)?.saturating_sub(month_index(a)?) + 1))
            .unwrap_or(0);
        let step = if span > MONTHLY_LIMIT {
            Dimension::Quarter
        } else {
            Dimension::Month
        };
        let (alerts_filter, alerts_range) = match &period {
            Some((from, to)) => {
                let start = month_index(from)
                    .map(|m| month_label(m.saturating_sub(HISTORY)))
                    .unwrap_or(from.clone());
                let range = format!("{start}..{to}");
                (
                    Filter {
                        from: Some(start),
                        to: Some(to.clone()),
                        ..filter.clone()
                    },
                    Some(range),
                )
            }
            None => (filter.clone(), None),
        };
        let mut alerts = trends.alerts(&alerts_filter)?;
        if let Some((from, to)) = &period {
            alerts
                .alerts
                .retain(|a| a.month.as_str() >= from.as_str() && a.month.as_str() <= to.as_str());
        }
        Ok(TrendReportInput {
            title: title.to_string(),
            generated: today(),
            k: trends.k(),
            records_in_database: trends.records(),
            bundles: trends.bundles().to_vec(),
            total,
            previous_total,
            previous_period,
            time_series: trends.time_series(step, &filter)?,
            issuing_states: trends.query(Dimension::IssuingState, &filter)?,
            state_by_nationality: trends.heatmap(
                Dimension::IssuingState,
                Dimension::Nationality,
                &filter,
            )?,
            routes: trends.query(Dimension::Route, &filter)?,
            demographics: trends.heatmap(Dimension::AgeBand, Dimension::Sex, &filter)?,
            forgery_methods: trends.query(Dimension::ForgeryMethod, &filter)?,
            failed_checks: trends.query(Dimension::FailedCheck, &filter)?,
            detection_stage: trends.query(Dimension::DetectionStage, &filter)?,
            ranking,
            alerts,
            alerts_range,
            period,
            filter,
        })
    }

    /// The period as printed.
    fn period_text(&self) -> String {
        match &self.period {
            Some((a, b)) if a == b => a.clone(),
            Some((a, b)) => format!("{a} to {b}"),
            None => "no records".to_string(),
        }
    }

    /// The reporting area: region, country and station pins.
    fn area_text(&self) -> String {
        let area: Vec<String> = self
            .filter
            .pins
            .iter()
            .filter(|(d, _)| {
                matches!(
                    d,
                    Dimension::Region | Dimension::Country | Dimension::Station
                )
            })
            .map(|(d, v)| format!("{} {v}", d.as_str().replace('_', " ")))
            .collect();
        if area.is_empty() {
            "all reporting countries".to_string()
        } else {
            area.join(", ")
        }
    }

    /// The other pins.
    fn pins_text(&self) -> String {
        let pins: Vec<String> = self
            .filter
            .pins
            .iter()
            .filter(|(d, _)| {
                !matches!(
                    d,
                    Dimension::Region | Dimension::Country | Dimension::Station
                )
            })
            .map(|(d, v)| format!("{} = {v}", d.as_str()))
            .collect();
        if pins.is_empty() {
            "none".to_string()
        } else {
            pins.join(", ")
        }
    }

    fn has_records(&self) -> bool {
        self.total != Count::Value(0)
    }
}

fn change_text(change: Change) -> String {
    match change {
        Change::Value(n) if n > 0 => format!("+{}", number(n as u64)),
        Change::Value(n) if n < 0 => format!("−{}", number(n.unsigned_abs())),
        Change::Value(_) => "0".to_string(),
        Change::Suppressed => chart::HIDDEN_TEXT.to_string(),
    }
}

fn change_colour(change: Change) -> chart::Rgb {
    match change {
        Change::Value(n) if n > 0 => [180, 30, 30],
        Change::Value(n) if n < 0 => [30, 110, 50],
        _ => MUTED,
    }
}

fn bars_of(view: &View, heading: Option<String>) -> BarList {
    BarList {
        heading,
        note_heading: None,
        rows: view
            .rows
            .iter()
            .map(|r| Bar {
                label: r.key.clone(),
                count: r.count,
                note: None,
            })
            .collect(),
    }
}

fn ranking_bars(ranking: &Ranking) -> BarList {
    // No record at all in the previous period: no change column (it would repeat the counts).
    let with_change = !ranking.previous_is_empty();
    BarList {
        heading: None,
        note_heading: with_change.then(|| "change".into()),
        rows: ranking
            .rows
            .iter()
            .map(|r| Bar {
                label: r.key.clone(),
                count: r.count,
                note: with_change.then(|| (change_text(r.change), change_colour(r.change))),
            })
            .collect(),
    }
}

fn heat_of(grid: &Grid, row_title: &str, col_title: &str) -> Heat {
    Heat {
        row_title: row_title.into(),
        col_title: col_title.into(),
        rows: grid.rows.clone(),
        cols: grid.cols.clone(),
        cells: grid.cells.clone(),
        row_totals: grid.row_totals.clone(),
        col_totals: grid.col_totals.clone(),
        total: grid.total,
    }
}

/// Age bands read best in age order, `unknown` last.
fn demographics_heat(grid: &Grid) -> Heat {
    let mut heat = heat_of(grid, "age band", "sex");
    let mut order: Vec<usize> = (0..heat.rows.len()).collect();
    let key = |label: &str| {
        let start: u32 = label
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(u32::MAX);
        (start, label.to_string())
    };
    order.sort_by_key(|&i| key(&heat.rows[i]));
    // A hand-built grid may have fewer cells or totals than rows: those show as hidden.
    heat.rows = order.iter().map(|&i| grid.rows[i].clone()).collect();
    heat.cells = order
        .iter()
        .map(|&i| grid.cells.get(i).cloned().unwrap_or_default())
        .collect();
    heat.row_totals = order
        .iter()
        .map(|&i| grid.row_totals.get(i).copied().unwrap_or(Count::Suppressed))
        .collect();
    heat
}

/// The SLTD hit share of the detection-stage view, as printed.
fn sltd_share(input: &TrendReportInput) -> String {
    let hits = input
        .detection_stage
        .rows
        .iter()
        .find(|r| r.key == "sltd_hit")
        .map(|r| r.count);
    match (hits, input.detection_stage.total) {
        (_, Count::Value(0)) => "SLTD hit share: no records".to_string(),
        (None, _) => "SLTD hit share: 0 %".to_string(),
        (Some(Count::Value(h)), Count::Value(t)) => {
            format!(
                "SLTD hit share: {:.1} % ({} of {})",
                h as f64 * 100.0 / t as f64,
                number(h),
                number(t)
            )
        }
        _ => "SLTD hit share: hidden (<k)".to_string(),
    }
}

fn world_map() -> Option<&'static WorldMap> {
    static MAP: OnceLock<Option<WorldMap>> = OnceLock::new();
    MAP.get_or_init(|| WorldMap::embedded(Projection::NaturalEarth).ok())
        .as_ref()
}

/// Routes drawn on the map: the largest visible ones whose stops the map can place
/// (at least two). A hidden route is never drawn, so no line width hints at its count.
const MAP_ROUTES: usize = 8;

fn map_routes(map: &WorldMap, routes: &View) -> Vec<MapRoute> {
    let visible: Vec<(Vec<[f32; 2]>, u64)> = routes
        .rows
        .iter()
        .filter_map(|row| {
            Some((
                map.route(&row.key).points,
                row.count.value().filter(|&n| n > 0)?,
            ))
        })
        .filter(|(points, _)| points.len() >= 2)
        .take(MAP_ROUTES)
        .collect();
    let max = visible.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    visible
        .into_iter()
        .map(|(points, n)| MapRoute {
            points,
            width: 0.4 + 1.4 * (n as f32 / max as f32).sqrt(),
        })
        .collect()
}

/// Lays one view out at [`FIGURE`] size: title, filter, the chart, k and totals.
fn figure(view: TrendView, input: &TrendReportInput, font: &ReportFont) -> Scene {
    let (width, height) = FIGURE;
    let mut p = Painter::new(font, width, height);
    let margin = 14.0;
    p.text(margin, 22.0, 14.0, INK, view.title(), Anchor::Start);
    let mut subtitle = format!(
        "{} · {} · filters: {}",
        input.period_text(),
        input.area_text(),
        input.pins_text()
    );
    if view == TrendView::IssuingStates {
        subtitle.push_str(&format!(
            " · change against {}",
            input.ranking.previous_period
        ));
    }
    let subtitle = p.fit(&subtitle, 8.0, width - 2.0 * margin);
    p.text(margin, 36.0, 8.0, MUTED, &subtitle, Anchor::Start);
    let footer = format!(
        "k = {}: a count below k shows as <k in grey, and other counts are hidden with it so that no <k can be worked out from a total · {} records · {} · tdverify",
        input.k,
        count_text(input.total),
        input.generated
    );
    let footer = p.fit(&footer, 7.0, width - 2.0 * margin);
    p.line(
        vec![[margin, height - 20.0], [width - margin, height - 20.0]],
        0.4,
        RULE,
    );
    p.text(margin, height - 9.0, 7.0, MUTED, &footer, Anchor::Start);
    let body = Area {
        x: margin,
        y: 48.0,
        w: width - 2.0 * margin,
        h: height - 48.0 - 28.0,
    };
    if !input.has_records() {
        p.text(
            body.x,
            body.y + 20.0,
            11.0,
            MUTED,
            "No records match this filter.",
            Anchor::Start,
        );
        return p.scene;
    }
    match view {
        TrendView::TimeSeries => {
            let grid = &input.time_series;
            let chart = Stacked {
                periods: grid.rows.clone(),
                series: grid.cols.clone(),
                cells: grid.cells.clone(),
                totals: grid.row_totals.clone(),
            };
            draw_stacked(&mut p, body, &chart);
        }
        TrendView::IssuingStates => draw_bars(&mut p, body, &ranking_bars(&input.ranking)),
        TrendView::StateByNationality => draw_heat(
            &mut p,
            body,
            &heat_of(
                &input.state_by_nationality,
                "issuing state",
                "nationality claimed",
            ),
        ),
        TrendView::Routes => draw_bars(&mut p, body, &bars_of(&input.routes, None)),
        TrendView::Demographics => {
            // The grid on the left; its margins (the same published counts) as bars on the
            // right, so the shape of each distribution reads at a glance.
            let heat = demographics_heat(&input.demographics);
            let left = Area {
                w: 320.0_f32.min(body.w * 0.5),
                ..body
            };
            draw_heat(&mut p, left, &heat);
            let x = body.x + left.w + 24.0;
            let w = body.x + body.w - x;
            let margin_bars = |keys: &[String], counts: &[Count], heading: &str| BarList {
                heading: Some(heading.to_string()),
                note_heading: None,
                rows: keys
                    .iter()
                    .zip(counts)
                    .map(|(k, c)| Bar {
                        label: k.clone(),
                        count: *c,
                        note: None,
                    })
                    .collect(),
            };
            let by_sex = margin_bars(&heat.cols, &heat.col_totals, "By sex");
            let by_age = margin_bars(&heat.rows, &heat.row_totals, "By age band");
            let sex_height = 16.0 + 17.0 * by_sex.rows.len().max(1) as f32 + 10.0;
            draw_bars(
                &mut p,
                Area {
                    x,
                    y: body.y,
                    w,
                    h: sex_height,
                },
                &by_sex,
            );
            draw_bars(
                &mut p,
                Area {
                    x,
                    y: body.y + sex_height,
                    w,
                    h: body.h - sex_height,
                },
                &by_age,
            );
        }
        TrendView::ModusOperandi => {
            // Failed check ids are long: they get the wider right half; forgery methods and
            // the detection stage (few rows each) share the left.
            let gap = 20.0;
            let left = (body.w - gap) * 0.45;
            let right = Area {
                x: body.x + left + gap,
                w: body.w - left - gap,
                ..body
            };
            let methods_height = body.h * 0.58;
            let methods = Area {
                w: left,
                h: methods_height - 8.0,
                ..body
            };
            let stages = Area {
                y: body.y + methods_height,
                w: left,
                h: body.h - methods_height,
                ..body
            };
            draw_bars(
                &mut p,
                methods,
                &bars_of(&input.forgery_methods, Some("Forgery methods".into())),
            );
            let heading = format!("Detection stage · {}", sltd_share(input));
            draw_bars(
                &mut p,
                stages,
                &bars_of(&input.detection_stage, Some(heading)),
            );
            draw_bars(
                &mut p,
                right,
                &bars_of(&input.failed_checks, Some("Failed checks".into())),
            );
        }
        TrendView::Map => match world_map() {
            Some(map) => {
                let values: Vec<(String, Count)> = input
                    .issuing_states
                    .rows
                    .iter()
                    .map(|r| (r.key.clone(), r.count))
                    .collect();
                let choropleth = map.choropleth(&values, Classing::Quantile(5));
                draw_map(
                    &mut p,
                    body,
                    map,
                    &choropleth,
                    &map_routes(map, &input.routes),
                );
            }
            None => {
                p.text(
                    body.x,
                    body.y + 8.0,
                    8.0,
                    MUTED,
                    "The world map could not be loaded: issuing states ranked instead.",
                    Anchor::Start,
                );
                draw_bars(
                    &mut p,
                    Area {
                        y: body.y + 14.0,
                        h: body.h - 14.0,
                        ..body
                    },
                    &ranking_bars(&input.ranking),
                );
            }
        },
    }
    p.scene
}

/// One view of the dashboard as a PNG of [`PNG_SIZE`] pixels: title, filter and period,
/// the chart, k and the total. Hidden counts are grey with `<k`, at a size that never
/// depends on what they hide.
pub fn render_view_png(
    view: TrendView,
    input: &TrendReportInput,
    font: &ReportFont,
) -> Result<Vec<u8>, ReportError> {
    let image = raster::paint(&figure(view, input, font), PNG_SCALE, font)?;
    raster::encode_png(&image)
}

/// Writes the seven PNGs into `dir` (created if missing) as `trends-<n>-<view>.png`;
/// returns their paths. Each file is written under a temporary name and renamed.
pub fn write_view_pngs(
    dir: &Path,
    input: &TrendReportInput,
    font: &ReportFont,
) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut paths = Vec::new();
    for view in TrendView::ALL {
        let path = dir.join(format!("trends-{}.png", view.slug()));
        write_atomically(&path, &render_view_png(view, input, font)?)?;
        paths.push(path);
    }
    Ok(paths)
}

pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".partial");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, bytes).map_err(|source| ReportError::Write {
        path: temporary.clone(),
        source,
    })?;
    std::fs::rename(&temporary, path).map_err(|source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Moves every shape of `scene` by (`dx`, `dy`) into `target`.
fn place(target: &mut Scene, scene: &Scene, dx: f32, dy: f32) {
    let at = |[x, y]: [f32; 2]| [x + dx, y + dy];
    for shape in &scene.shapes {
        target.shapes.push(match shape.clone() {
            Shape::Rect { x, y, w, h, fill } => Shape::Rect {
                x: x + dx,
                y: y + dy,
                w,
                h,
                fill,
            },
            Shape::Line {
                points,
                width,
                colour,
            } => Shape::Line {
                points: points.into_iter().map(at).collect(),
                width,
                colour,
            },
            Shape::Polygon {
                rings,
                fill,
                outline,
            } => Shape::Polygon {
                rings: rings
                    .into_iter()
                    .map(|ring| ring.into_iter().map(at).collect())
                    .collect(),
                fill,
                outline,
            },
            Shape::Text {
                x,
                y,
                size,
                colour,
                text,
                anchor,
            } => Shape::Text {
                x: x + dx,
                y: y + dy,
                size,
                colour,
                text,
                anchor,
            },
        });
    }
}

/// Portrait pages of flowing text and tables.
struct TextPages<'f> {
    painter: Painter<'f>,
    done: Vec<Scene>,
    y: f32,
}

impl<'f> TextPages<'f> {
    fn new(font: &'f ReportFont) -> TextPages<'f> {
        TextPages {
            painter: Painter::new(font, PORTRAIT.0, PORTRAIT.1),
            done: Vec::new(),
            y: MARGIN,
        }
    }

    fn width() -> f32 {
        PORTRAIT.0 - 2.0 * MARGIN
    }

    fn new_page(&mut self) {
        let page = std::mem::replace(
            &mut self.painter.scene,
            Scene {
                width: PORTRAIT.0,
                height: PORTRAIT.1,
                shapes: Vec::new(),
            },
        );
        self.done.push(page);
        self.y = MARGIN;
    }

    fn ensure(&mut self, height: f32) {
        if self.y + height > PORTRAIT.1 - 60.0 {
            self.new_page();
        }
    }

    fn paragraph(&mut self, size: f32, colour: chart::Rgb, text: &str) {
        for line in self.painter.wrap(text, size, Self::width()) {
            self.ensure(size * 1.4);
            self.y += size * 1.25;
            self.painter
                .text(MARGIN, self.y, size, colour, &line, Anchor::Start);
            self.y += size * 0.15;
        }
    }

    fn heading(&mut self, text: &str) {
        self.ensure(48.0);
        self.y += 14.0;
        self.paragraph(13.0, INK, text);
        self.y += 3.0;
        self.painter.line(
            vec![[MARGIN, self.y], [PORTRAIT.0 - MARGIN, self.y]],
            0.5,
            RULE,
        );
        self.y += 6.0;
    }

    fn fields(&mut self, rows: &[(&str, String)]) {
        let label_width = 150.0;
        for (label, value) in rows {
            let lines = self.painter.wrap(value, 10.0, Self::width() - label_width);
            self.ensure(lines.len() as f32 * 13.0 + 2.0);
            self.y += 12.5;
            self.painter
                .text(MARGIN, self.y, 10.0, MUTED, label, Anchor::Start);
            for (index, line) in lines.iter().enumerate() {
                if index > 0 {
                    self.y += 12.5;
                }
                self.painter
                    .text(MARGIN + label_width, self.y, 10.0, INK, line, Anchor::Start);
            }
            self.y += 1.5;
        }
    }

    /// A table, continued on the next page with its header when it does not fit.
    fn table(&mut self, table: &Table) {
        let mut rest: &[Vec<String>] = &table.rows;
        loop {
            self.ensure(36.0);
            let room = ((PORTRAIT.1 - 60.0 - self.y - 14.0) / 12.0)
                .floor()
                .max(1.0) as usize;
            let (now, later) = rest.split_at(room.min(rest.len()));
            let part = Table {
                rows: now.to_vec(),
                ..table.clone()
            };
            self.y = draw_table(
                &mut self.painter,
                MARGIN,
                self.y + 4.0,
                Self::width(),
                &part,
            );
            rest = later;
            if rest.is_empty() {
                break;
            }
            self.new_page();
        }
    }

    fn finish(mut self) -> Vec<Scene> {
        if !self.painter.scene.shapes.is_empty() {
            self.new_page();
        }
        self.done
    }
}

fn cover(input: &TrendReportInput, font: &ReportFont) -> Vec<Scene> {
    let mut pages = TextPages::new(font);
    pages.y += 10.0;
    pages.paragraph(20.0, INK, &input.title);
    pages.paragraph(
        9.0,
        MUTED,
        "tdverify trends · anonymised statistics of detected document fraud from signed station bundles · for official use · no personal data",
    );
    pages.heading("Scope");
    pages.fields(&[
        ("Period", input.period_text()),
        ("Reporting area", input.area_text()),
        ("Other filters", input.pins_text()),
        ("Generated (UTC)", input.generated.clone()),
        (
            "k (small numbers)",
            format!("{}: counts below k are shown as <k", input.k),
        ),
    ]);
    pages.heading("Headline figures");
    if !input.has_records() {
        pages.paragraph(
            11.0,
            INK,
            "No records match this filter in this period: there is nothing to report.",
        );
    }
    let stations: std::collections::BTreeSet<&str> = input
        .bundles
        .iter()
        .map(|b| b.station_id.as_str())
        .collect();
    // With nothing at all in the previous period (no bundle covers it), a change would only
    // repeat the period's total as growth: say there is nothing to compare with instead.
    let nothing_before = matches!(input.previous_total, Count::Value(0));
    let change = match (input.total, input.previous_total) {
        _ if nothing_before => "no records in the previous period to compare with".to_string(),
        (Count::Value(a), Count::Value(b)) if b > 0 => {
            format!(
                "{} ({:+.1} %)",
                change_text(Change::Value(a as i64 - b as i64)),
                (a as f64 - b as f64) * 100.0 / b as f64
            )
        }
        (Count::Value(a), Count::Value(b)) => change_text(Change::Value(a as i64 - b as i64)),
        _ => chart::HIDDEN_TEXT.to_string(),
    };
    let alerts = match input.alerts.alerts.len() {
        0 => "none".to_string(),
        n => format!("{n} (see Alerts)"),
    };
    pages.fields(&[
        ("Records in the period", count_text(input.total)),
        (
            "Previous period",
            match &input.previous_period {
                Some(previous) => format!("{previous}: {}", count_text(input.previous_total)),
                None => "—".to_string(),
            },
        ),
        ("Change", change),
        (
            "Data sources",
            format!(
                "{} bundles from {} stations, {} records in all",
                input.bundles.len(),
                stations.len(),
                number(input.records_in_database as u64)
            ),
        ),
        ("Risk alerts", alerts),
    ]);
    if input.has_records() {
        pages.y += 8.0;
        pages.paragraph(10.0, INK, "Issuing states most linked to fraud");
        let rows: Vec<Vec<String>> = input
            .ranking
            .rows
            .iter()
            .take(10)
            .enumerate()
            .map(|(i, r)| {
                vec![
                    (i + 1).to_string(),
                    r.key.clone(),
                    count_text(r.count),
                    count_text(r.previous),
                    if nothing_before {
                        "—".to_string()
                    } else {
                        change_text(r.change)
                    },
                ]
            })
            .collect();
        pages.table(&Table {
            header: vec![
                "#".into(),
                "Issuing state".into(),
                "Records".into(),
                format!("{}", input.ranking.previous_period),
                "Change".into(),
            ],
            rows,
            widths: vec![0.6, 2.0, 1.4, 1.8, 1.2],
            right: vec![false, false, true, true, true],
        });
    }
    pages.heading("Contents");
    let mut contents: Vec<String> = TrendView::ALL
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{}. {}", i + 1, v.title()))
        .collect();
    contents.push("8. Risk alerts, with their evidence and the rule".into());
    contents.push("9. Data sources and k".into());
    for line in contents {
        pages.paragraph(10.0, INK, &line);
    }
    pages.finish()
}

fn view_page(view: TrendView, input: &TrendReportInput, font: &ReportFont) -> Scene {
    let mut page = Scene {
        width: LANDSCAPE.0,
        height: LANDSCAPE.1,
        shapes: Vec::new(),
    };
    let figure = figure(view, input, font);
    place(&mut page, &figure, (LANDSCAPE.0 - FIGURE.0) / 2.0, 50.0);
    page
}

fn alerts_pages(input: &TrendReportInput, font: &ReportFont) -> Vec<Scene> {
    let mut pages = TextPages::new(font);
    pages.heading("Risk alerts");
    let report = &input.alerts;
    pages.paragraph(9.0, INK, &report.rule);
    pages.y += 4.0;
    let range = input.alerts_range.clone().unwrap_or_else(|| "—".into());
    pages.paragraph(
        9.0,
        MUTED,
        &format!(
            "Run over {range} ({} series-months tested, so the 12 months before the period serve as history); alerts are listed for months of the period only.",
            report.tests
        ),
    );
    if report.alerts.is_empty() {
        pages.y += 6.0;
        pages.paragraph(10.0, INK, "No alert in this period under this filter.");
    }
    for alert in &report.alerts {
        pages.ensure(90.0);
        pages.y += 8.0;
        let kind = if alert.dimension == Dimension::Route {
            "route"
        } else {
            "issuing state"
        };
        pages.paragraph(
            11.0,
            INK,
            &format!("{} ({kind}), {}", alert.series, alert.month),
        );
        pages.fields(&[
            ("Count x", number(alert.count)),
            ("Expected λ", format!("{:.1}", alert.expected)),
            ("Dispersion φ", format!("{:.2}", alert.dispersion)),
            ("p", format!("{:.2e}", alert.p_value)),
            (
                &format!("p × {} tests", report.tests),
                format!("{:.2e}", alert.corrected_p),
            ),
        ]);
        let start = month_index(&alert.month).map(|m| m.saturating_sub(alert.history.len() as u32));
        let history: Vec<String> = alert
            .history
            .iter()
            .enumerate()
            .map(|(i, c)| match start {
                Some(s) => format!("{} {}", month_label(s + i as u32), count_text(*c)),
                None => count_text(*c),
            })
            .collect();
        pages.fields(&[("Previous 12 months", history.join(" · "))]);
    }
    pages.finish()
}

fn sources_pages(input: &TrendReportInput, font: &ReportFont) -> Vec<Scene> {
    let mut pages = TextPages::new(font);
    pages.heading("Data sources and k");
    pages.paragraph(
        9.0,
        INK,
        "Every record comes from a DESC bundle signed by a station whose key the administrator trusts (verified at import: signature, hashes, schema, counts, k), or from this station's own cases anonymised the same way. Records are anonymised before export: no name, no document number, no record id is held or printed here.",
    );
    pages.y += 4.0;
    let rows: Vec<Vec<String>> = input
        .bundles
        .iter()
        .map(|b| {
            vec![
                b.station_id.clone(),
                b.period.clone(),
                b.k.to_string(),
                number(b.records),
                if b.own {
                    "own cases".into()
                } else {
                    format!("signed, key {}", b.key_label)
                },
            ]
        })
        .collect();
    if rows.is_empty() {
        pages.paragraph(10.0, MUTED, "No bundle has been imported: no records.");
    } else {
        pages.table(&Table {
            header: vec![
                "Station".into(),
                "Period".into(),
                "k".into(),
                "Records".into(),
                "Source".into(),
            ],
            rows,
            widths: vec![2.2, 2.0, 0.5, 1.1, 2.4],
            right: vec![false, false, true, true, false],
        });
    }
    pages.y += 8.0;
    pages.fields(&[
        (
            "k used",
            format!(
                "{} (the largest of the configured minimum and every bundle's k)",
                input.k
            ),
        ),
        ("Records in all", number(input.records_in_database as u64)),
    ]);
    pages.y += 4.0;
    pages.paragraph(
        9.0,
        INK,
        "Small numbers: every count c with 0 < c < k is shown as <k. So that no hidden count can be worked out from a total, the smallest visible counts of a line are hidden with it until the hidden counts of the line sum to 0 or at least k; in tables this runs over rows, columns and totals until nothing changes. A change between periods is hidden when either count is. Zeros stay visible. In the stacked time series the hidden part of a month is one grey segment (0 or at least k by this rule), and a hidden month total is marked <k.",
    );
    pages.finish()
}

/// The national trend report: a cover (period, reporting area, headline figures, top
/// issuing states with their change, contents), the seven views (one landscape page
/// each, the same drawing as the PNGs), the risk alerts with their evidence and the
/// rule, the data sources (bundles: station, period, k, records) and the k used. Every
/// page is numbered. No record, record id or repeat-document link is printed.
pub fn render_trend_report(
    input: &TrendReportInput,
    font: &ReportFont,
) -> Result<Vec<u8>, ReportError> {
    let mut pages = cover(input, font);
    for view in TrendView::ALL {
        pages.push(view_page(view, input, font));
    }
    pages.extend(alerts_pages(input, font));
    pages.extend(sources_pages(input, font));
    let count = pages.len();
    for (index, page) in pages.iter_mut().enumerate() {
        let footer = format!(
            "{} · {} · page {} of {count}",
            input.title,
            input.period_text(),
            index + 1
        );
        let mut painter = Painter::new(font, page.width, page.height);
        let footer = painter.fit(&footer, 8.0, page.width - 2.0 * MARGIN);
        painter.text(
            MARGIN,
            page.height - 28.0,
            8.0,
            MUTED,
            &footer,
            Anchor::Start,
        );
        page.shapes.extend(painter.scene.shapes);
    }
    Ok(pdf::document(&pages, font, &input.title))
}

/// Renders the report with the system font (as the case report finds it) and writes it
/// to `path` through a temporary file, so a failure never leaves half a PDF. Returns
/// the size in bytes.
pub fn write_trend_report(path: &Path, input: &TrendReportInput) -> Result<u64, ReportError> {
    let font = ReportFont::system()?;
    let bytes = render_trend_report(input, &font)?;
    write_atomically(path, &bytes)?;
    Ok(bytes.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_round_trip_and_views_have_distinct_slugs() {
        assert_eq!(
            month_index("2026-10").map(month_label).as_deref(),
            Some("2026-10")
        );
        assert_eq!(month_index("2026-13"), None);
        assert_eq!(month_index("26-01"), None);
        let slugs: std::collections::HashSet<&str> =
            TrendView::ALL.iter().map(|v| v.slug()).collect();
        assert_eq!(slugs.len(), 7);
    }

    #[test]
    fn the_font_has_every_symbol_the_charts_print() {
        let font = ReportFont::system().unwrap_or_else(|e| {
            tdverify_core::test_data::missing_project_piece(
                format!("the report font ({e})"),
                "run cargo xtask setup (Debian fonts-dejavu-core)",
            )
        });
        for symbol in [
            '→', '↓', '…', '−', '·', 'λ', 'φ', '×', '⌊', '⌋', '≥', '\u{202F}',
        ] {
            assert_ne!(
                font.glyph(symbol),
                0,
                "{symbol:?} is missing from {}",
                font.path().display()
            );
        }
    }
}

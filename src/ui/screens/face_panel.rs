//! The faces: the bearer's photo (a file or the camera) that joins the next
//! inspection, and after it the portrait beside its printed copies (ghost
//! image, UV and IR copies), the chip's portrait and the bearer, each with its
//! comparison's decision and score, then the comparisons' messages and the
//! portrait edge checks.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};

use eframe::egui::{self, RichText};
use image::DynamicImage;

use tdverify_document::reference::ZoneKind;

use crate::i18n::Translator;
use crate::inspect::Inspection;
use crate::ui::widgets::FileBrowser;
use crate::ui::widgets::checks::status_style;
use crate::ui::widgets::file_browser::BrowserOutcome;

/// Side of a face thumbnail on screen, in points.
const THUMBNAIL: f32 = 112.0;

/// The bearer photo given for the next inspection.
pub struct BearerPhoto {
    /// The file, or `None` for a camera still.
    pub path: Option<PathBuf>,
    /// The decoded photo.
    pub image: DynamicImage,
    texture: Option<egui::TextureHandle>,
}

/// State of the face panel.
#[derive(Default)]
pub struct FacePanel {
    /// The bearer's photo, compared at the next inspection.
    pub bearer: Option<BearerPhoto>,
    /// Why the last photo could not be taken or opened.
    pub error: Option<String>,
    browser: Option<FileBrowser>,
    pending: Option<Receiver<Result<(Option<PathBuf>, DynamicImage), String>>>,
    /// The side-by-side faces of the last inspection, keyed by the inspection they belong to.
    crops: Vec<FaceColumn>,
    crops_of: Option<usize>,
    camera_requested: bool,
}

impl FacePanel {
    /// Opens the bearer photo from a file, in the background.
    pub fn open_bearer(&mut self, path: PathBuf) {
        self.start(move || {
            crate::capture::decode_file(&path).map(|image| (Some(path.clone()), image)).map_err(|e| e.to_string())
        });
    }

    /// Whether the officer asked for the camera (the document screen then opens its
    /// capture window in bearer mode); asking is forgotten once taken.
    pub fn take_camera_request(&mut self) -> bool {
        std::mem::take(&mut self.camera_requested)
    }

    /// Takes the bearer photo with the first camera in one shot, in the background
    /// (no preview; the capture window is the usual way).
    pub fn take_photo(&mut self) {
        self.start(|| {
            crate::capture::camera::capture_from_first_camera().map(|image| (None, image)).map_err(|e| e.to_string())
        });
    }

    fn start(&mut self, job: impl FnOnce() -> Result<(Option<PathBuf>, DynamicImage), String> + Send + 'static) {
        let (sender, receiver) = mpsc::channel();
        let spawned = std::thread::Builder::new().name("bearer-photo".into()).spawn(move || {
            let _ = sender.send(job());
        });
        match spawned {
            Ok(_) => {
                self.pending = Some(receiver);
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Whether a photo is being opened or taken.
    pub fn is_busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Waits for the photo being opened or taken (tests).
    pub fn finish(&mut self) {
        while self.is_busy() {
            self.poll();
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    fn poll(&mut self) {
        let Some(receiver) = &self.pending else { return };
        match receiver.try_recv() {
            Ok(Ok((path, image))) => {
                self.bearer = Some(BearerPhoto { path, image, texture: None });
                self.pending = None;
            }
            Ok(Err(message)) => {
                self.error = Some(message);
                self.pending = None;
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => {
                self.error = Some("the photo could not be read".into());
                self.pending = None;
            }
        }
    }

    /// Draws the panel. `inspection` is the last finished one, `generation` tells
    /// a new inspection from the one whose crops are shown.
    pub fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, inspection: Option<&Inspection>, generation: usize) {
        self.poll();
        if self.is_busy() {
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(50));
        }
        if let Some(browser) = &mut self.browser {
            match browser.show(ui.ctx(), tr) {
                BrowserOutcome::Open => {}
                BrowserOutcome::Cancelled => self.browser = None,
                BrowserOutcome::Chosen(paths) => {
                    self.browser = None;
                    if let Some(path) = paths.into_iter().next() {
                        self.open_bearer(path);
                    }
                }
            }
        }
        ui.heading(tr.tr("face-title"));
        ui.label(RichText::new(tr.tr("face-bearer")).strong());
        ui.horizontal_wrapped(|ui| {
            if ui.button(tr.tr("face-open-bearer")).clicked() && self.browser.is_none() {
                let start = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
                self.browser = Some(FileBrowser::new(&start));
            }
            if ui.button(tr.tr("face-take-photo")).clicked() && !self.is_busy() {
                self.camera_requested = true;
            }
            if self.bearer.is_some() && ui.button(tr.tr("face-remove-bearer")).clicked() {
                self.bearer = None;
            }
            if self.is_busy() {
                ui.spinner();
            }
        });
        if let Some(error) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {error}"));
        }
        match &mut self.bearer {
            Some(bearer) => {
                let texture = bearer.texture.get_or_insert_with(|| {
                    ui.ctx().load_texture(
                        "bearer-photo",
                        thumbnail(&bearer.image, (3.0 * THUMBNAIL) as u32),
                        egui::TextureOptions::LINEAR,
                    )
                });
                ui.add(egui::Image::new(&*texture).max_height(THUMBNAIL * 1.5));
                let from = bearer
                    .path
                    .as_ref()
                    .and_then(|p| p.file_name())
                    .map_or_else(|| tr.tr("face-from-camera"), |n| n.to_string_lossy().into_owned());
                ui.label(RichText::new(tr.tr_args("face-bearer-next", &[("source", from)])).small());
            }
            None => {
                ui.label(RichText::new(tr.tr("face-no-bearer")).weak());
            }
        }
        let Some(inspection) = inspection else { return };
        if self.crops_of != Some(generation) {
            self.crops = side_by_side(inspection)
                .into_iter()
                .map(|(source, image, aligned)| {
                    let texture = ui.ctx().load_texture(
                        format!("face-{source}-{generation}"),
                        image,
                        egui::TextureOptions::LINEAR,
                    );
                    FaceColumn { source, texture, aligned }
                })
                .collect();
            self.crops_of = Some(generation);
        }
        if !self.crops.is_empty() {
            ui.add_space(6.0);
            ui.label(RichText::new(tr.tr("face-side-by-side")).strong());
            egui::ScrollArea::horizontal().id_salt("face-side-by-side").show(ui, |ui| {
                ui.horizontal_top(|ui| {
                    for column in &self.crops {
                        ui.vertical(|ui| {
                            ui.set_width(THUMBNAIL + 8.0);
                            let image = egui::Image::new(&column.texture);
                            let image = if column.aligned {
                                image.fit_to_exact_size(egui::vec2(THUMBNAIL, THUMBNAIL))
                            } else {
                                image.max_height(THUMBNAIL).max_width(THUMBNAIL)
                            };
                            ui.add(image);
                            ui.label(tr.tr(&format!("face-source-{}", column.source)));
                            if !column.aligned {
                                ui.label(RichText::new(tr.tr("face-as-printed")).small().weak());
                            }
                            match comparison_of(column.source)
                                .and_then(|id| inspection.checks.iter().find(|c| c.id == id))
                            {
                                Some(check) => {
                                    let (color, mark) = status_style(check.status, ui.visuals());
                                    let score =
                                        check.evidence.iter().find_map(|e| e.detail.as_deref().and_then(score_in));
                                    let text = match score {
                                        Some(score) => {
                                            format!("{mark} {}", tr.tr_args("face-score", &[("score", score)]))
                                        }
                                        None => format!("{mark} {}", check.status.as_str()),
                                    };
                                    ui.label(RichText::new(text).color(color));
                                }
                                None if column.source == "photo" => {
                                    ui.label(RichText::new(tr.tr("face-reference")).small().weak());
                                }
                                None => {}
                            }
                        });
                    }
                });
            });
        }
        for check in inspection.checks.iter().filter(|c| PANEL_CHECKS.contains(&c.id.as_str())) {
            let (color, mark) = status_style(check.status, ui.visuals());
            ui.label(RichText::new(format!("{mark} {}", check.message)).color(color));
            if let Some(detail) = check.evidence.iter().find_map(|e| e.detail.as_deref()) {
                ui.label(RichText::new(detail).small().weak());
            }
        }
    }
}

/// The checks the panel lists under the faces: every comparison with the
/// portrait, and whether the portrait's edge is intact.
const PANEL_CHECKS: [&str; 9] = [
    "face.photo_vs_chip",
    "face.photo_vs_bearer",
    "face.chip_vs_bearer",
    "face.photo_vs_ghost",
    "face.photo_vs_uv_copy",
    "face.photo_vs_ir_copy",
    "photo.guilloche_continuity",
    "photo.overlap_intact",
    "photo.integrity",
];

/// One column of the side-by-side row.
struct FaceColumn {
    source: &'static str,
    texture: egui::TextureHandle,
    /// The aligned face (square), or the zone as printed when no face was found in it.
    aligned: bool,
}

/// Order of the side-by-side row: the portrait first, its printed copies,
/// then the chip and the bearer.
const COLUMN_ORDER: [&str; 6] = ["photo", "ghost", "uv_copy", "ir_copy", "chip", "bearer"];

/// The check comparing a column's face with the portrait (`None` for the portrait itself).
fn comparison_of(source: &str) -> Option<&'static str> {
    match source {
        "ghost" => Some("face.photo_vs_ghost"),
        "uv_copy" => Some("face.photo_vs_uv_copy"),
        "ir_copy" => Some("face.photo_vs_ir_copy"),
        "chip" => Some("face.photo_vs_chip"),
        "bearer" => Some("face.photo_vs_bearer"),
        _ => None,
    }
}

/// The face view source of a portrait copy's zone kind.
fn copy_source(kind: ZoneKind) -> Option<&'static str> {
    match kind {
        ZoneKind::Photo => Some("photo"),
        ZoneKind::GhostImage => Some("ghost"),
        ZoneKind::UvPortrait => Some("uv_copy"),
        ZoneKind::IrPortrait => Some("ir_copy"),
        _ => None,
    }
}

/// The images of the side-by-side row: each source's aligned face, or for
/// the portrait and its printed copies the zone as cut from its light's
/// capture when no face was aligned (the officer compares by eye).
fn side_by_side(inspection: &Inspection) -> Vec<(&'static str, egui::ColorImage, bool)> {
    let copies =
        inspection.document_report.as_ref().map(|report| report.portrait_copies.as_slice()).unwrap_or_default();
    COLUMN_ORDER
        .iter()
        .filter_map(|source| {
            if let Some(aligned) =
                inspection.faces.iter().filter(|face| face.source == *source).find_map(|face| face.aligned.as_ref())
            {
                let image =
                    egui::ColorImage::from_rgb([aligned.width() as usize, aligned.height() as usize], aligned.as_raw());
                return Some((*source, image, true));
            }
            let copy = copies.iter().find(|copy| copy_source(copy.kind) == Some(*source))?;
            let small = image::DynamicImage::ImageRgb8(copy.image.clone())
                .thumbnail((2.0 * THUMBNAIL) as u32, (2.0 * THUMBNAIL) as u32)
                .to_rgb8();
            (small.width() > 0 && small.height() > 0).then(|| {
                (
                    *source,
                    egui::ColorImage::from_rgb([small.width() as usize, small.height() as usize], small.as_raw()),
                    false,
                )
            })
        })
        .collect()
}

/// The similarity score in a comparison's evidence detail (`score 0.412; …`).
fn score_in(detail: &str) -> Option<String> {
    let rest = detail.split("score ").nth(1)?;
    let number: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-').collect();
    number.parse::<f32>().ok().map(|score| format!("{score:.2}"))
}

/// A small copy for the screen (the full photo goes to the comparison).
fn thumbnail(image: &DynamicImage, side: u32) -> egui::ColorImage {
    let small = image.thumbnail(side, side).to_rgba8();
    egui::ColorImage::from_rgba_unmultiplied([small.width() as usize, small.height() as usize], small.as_raw())
}

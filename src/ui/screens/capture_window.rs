//! The capture window: a live preview from a camera or a folder of images
//! played like one, with gauges for sharpness, glare and stillness, the page
//! outline drawn on the preview, and a still taken on Space, the button, or by
//! itself when the page lies sharp, still and free of glare. The still is kept
//! as a PNG under `<data_dir>/captures/` and handed back to the document
//! screen (one light and side) or the face panel (the bearer).

use std::path::PathBuf;

use eframe::egui::{self, RichText};
use tdverify_core::Light;

use crate::capture::camera::{CameraInfo, list_cameras};
use crate::capture::frame_quality::{FrameQuality, MAX_GLARE, MAX_MOTION, MIN_SHARPNESS};
use crate::capture::live::{
    FramePump, PreviewFrame, PumpEvent, PumpSettings, SourceSpec, Still, capture_path, write_still,
};
use crate::i18n::Translator;

use super::light_label;

/// Widest the preview is drawn, in points.
const PREVIEW_WIDTH: f32 = 640.0;

/// What the capture is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureMode {
    /// A document image under one light, of one side (0 the MRZ side, 1 the other side).
    Document {
        /// The light the document is lit with.
        light: Light,
        /// The side.
        page: u8,
    },
    /// The bearer's photo.
    Bearer,
}

impl Default for CaptureMode {
    fn default() -> CaptureMode {
        CaptureMode::Document { light: Light::White, page: 0 }
    }
}

/// A still the window took and wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    /// The PNG under `<data_dir>/captures/`.
    pub path: PathBuf,
    /// The light, for a document image.
    pub light: Option<Light>,
    /// The side, for a document image.
    pub page: u8,
    /// Whether it is the bearer's photo.
    pub bearer: bool,
}

/// Where the frames come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceChoice {
    /// A camera of the list.
    Camera(u32),
    /// The folder typed in [`CaptureWindow::folder`].
    Folder,
}

/// State of the capture window.
pub struct CaptureWindow {
    /// Where stills are written (`<data_dir>/captures`); the default data folder when `None`.
    pub data_dir: Option<PathBuf>,
    /// What the capture is for.
    pub mode: CaptureMode,
    /// The source chosen.
    pub source: SourceChoice,
    /// The folder of images played as a camera.
    pub folder: String,
    /// Frames a second a folder plays at.
    pub folder_fps: f32,
    /// Take the still as soon as the page is sharp, still and free of glare.
    pub auto_capture: bool,
    /// Why the preview stopped or the still was not kept.
    pub error: Option<String>,
    open: bool,
    start_wanted: bool,
    cameras: Option<Result<Vec<CameraInfo>, String>>,
    pump: Option<FramePump>,
    source_name: Option<String>,
    last: Option<PreviewFrame>,
    texture: Option<egui::TextureHandle>,
    ended: bool,
}

impl Default for CaptureWindow {
    fn default() -> CaptureWindow {
        CaptureWindow {
            data_dir: None,
            mode: CaptureMode::default(),
            source: SourceChoice::Camera(0),
            folder: String::new(),
            folder_fps: crate::capture::live::DEFAULT_SEQUENCE_FPS,
            auto_capture: true,
            error: None,
            open: false,
            start_wanted: false,
            cameras: None,
            pump: None,
            source_name: None,
            last: None,
            texture: None,
            ended: false,
        }
    }
}

impl CaptureWindow {
    /// Opens the window for `mode` and starts the preview from the source chosen
    /// last (the first camera, or the folder when no camera is connected).
    pub fn open(&mut self, mode: CaptureMode) {
        self.mode = mode;
        self.open = true;
        self.error = None;
        self.ended = false;
        let cameras = list_cameras().map_err(|e| e.to_string());
        if let (SourceChoice::Camera(index), Ok(list)) = (&self.source, &cameras) {
            match list.first() {
                Some(first) if !list.iter().any(|c| c.index == *index) => {
                    self.source = SourceChoice::Camera(first.index)
                }
                None => self.source = SourceChoice::Folder,
                _ => {}
            }
        }
        self.cameras = Some(cameras);
        self.start_wanted = match self.source {
            SourceChoice::Camera(_) => true,
            SourceChoice::Folder => !self.folder.trim().is_empty(),
        };
    }

    /// Opens the window playing `folder` as a camera (tests, and a folder chosen elsewhere).
    pub fn open_folder(&mut self, mode: CaptureMode, folder: &std::path::Path) {
        self.source = SourceChoice::Folder;
        self.folder = folder.display().to_string();
        self.open(mode);
    }

    /// Whether the window is shown.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Whether frames are coming.
    pub fn is_running(&self) -> bool {
        self.pump.is_some()
    }

    /// The last frame's measures.
    pub fn last_quality(&self) -> Option<&FrameQuality> {
        self.last.as_ref().map(|frame| &frame.quality)
    }

    /// Closes the window and stops the source.
    pub fn close(&mut self) {
        self.open = false;
        self.stop();
    }

    fn stop(&mut self) {
        self.pump = None;
        self.start_wanted = false;
    }

    fn start(&mut self, ctx: &egui::Context) {
        self.stop();
        self.error = None;
        self.ended = false;
        self.last = None;
        self.source_name = None;
        let spec = match &self.source {
            SourceChoice::Camera(index) => SourceSpec::Camera(*index),
            SourceChoice::Folder => {
                let folder = self.folder.trim();
                if folder.is_empty() {
                    return;
                }
                SourceSpec::Sequence { folder: PathBuf::from(folder), fps: self.folder_fps, looping: true }
            }
        };
        let settings = PumpSettings { auto_capture: self.auto_capture, ..PumpSettings::default() };
        let wake = ctx.clone();
        match FramePump::start(spec, settings, move || wake.request_repaint()) {
            Ok(pump) => self.pump = Some(pump),
            Err(error) => self.error = Some(error.to_string()),
        }
    }

    /// Takes the events the pump has; a still written comes back.
    fn poll(&mut self, ctx: &egui::Context, tr: &Translator) -> Option<Captured> {
        let mut captured = None;
        while let Some(event) = self.pump.as_ref().and_then(FramePump::try_next) {
            match event {
                PumpEvent::Started(name) => self.source_name = Some(name),
                PumpEvent::Frame(frame) => {
                    let image = egui::ColorImage::from_rgb(
                        [frame.image.width() as usize, frame.image.height() as usize],
                        frame.image.as_raw(),
                    );
                    match &mut self.texture {
                        Some(texture) => texture.set(image, egui::TextureOptions::LINEAR),
                        None => {
                            self.texture =
                                Some(ctx.load_texture("capture-preview", image, egui::TextureOptions::LINEAR))
                        }
                    }
                    self.last = Some(*frame);
                }
                PumpEvent::Still(still) => match self.keep(&still) {
                    Ok(result) => {
                        captured = Some(result);
                        break;
                    }
                    Err(message) => self.error = Some(message),
                },
                PumpEvent::Ended => {
                    self.ended = true;
                    self.pump = None;
                }
                PumpEvent::Failed(message) => {
                    self.error = Some(tr.tr_args("capture-source-failed", &[("reason", message)]));
                    self.pump = None;
                }
            }
        }
        if captured.is_some() {
            self.close();
        }
        captured
    }

    /// Writes the still under `<data_dir>/captures/`.
    fn keep(&self, still: &Still) -> Result<Captured, String> {
        let data_dir = self.data_dir.clone().unwrap_or_else(crate::resources::default_data_dir);
        let (label, light, page, bearer) = match self.mode {
            CaptureMode::Document { light, page } => {
                let side = if page == 0 { String::new() } else { format!("-side{page}") };
                (format!("{}{side}", light.as_str()), Some(light), page, false)
            }
            CaptureMode::Bearer => ("bearer".to_owned(), None, 0, true),
        };
        let path = capture_path(&data_dir, &label, crate::pki::now_unix());
        let path = write_still(&still.image, &path).map_err(|e| e.to_string())?;
        tracing::info!(path = %path.display(), frame = still.frame_index, automatic = still.automatic, "still captured");
        Ok(Captured { path, light, page, bearer })
    }

    /// Draws the window; returns the still when one was taken and written.
    pub fn show(&mut self, ctx: &egui::Context, tr: &Translator) -> Option<Captured> {
        if !self.open {
            return None;
        }
        if std::mem::take(&mut self.start_wanted) {
            self.start(ctx);
        }
        if let Some(captured) = self.poll(ctx, tr) {
            return Some(captured);
        }
        let mut open = true;
        let mut capture_now = false;
        egui::Window::new(tr.tr("capture-title"))
            .id(egui::Id::unique("capture-window"))
            .open(&mut open)
            .collapsible(false)
            .default_width(PREVIEW_WIDTH + 40.0)
            .show(ctx, |ui| {
                self.show_source(ui, tr);
                ui.separator();
                self.show_mode(ui, tr);
                ui.separator();
                self.show_preview(ui, tr);
                self.show_gauges(ui, tr);
                ui.horizontal(|ui| {
                    let previous = self.auto_capture;
                    ui.checkbox(&mut self.auto_capture, tr.tr("capture-auto"));
                    if previous != self.auto_capture
                        && let Some(pump) = &self.pump
                    {
                        pump.set_auto_capture(self.auto_capture);
                    }
                    let can_capture = self.pump.is_some() && self.last.is_some();
                    if ui
                        .add_enabled(can_capture, egui::Button::new(RichText::new(tr.tr("capture-take")).strong()))
                        .on_hover_text(tr.tr("capture-take-hint"))
                        .clicked()
                    {
                        capture_now = true;
                    }
                });
                if let Some(error) = &self.error {
                    ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {error}"));
                }
            });
        // Space captures unless a text field has the keyboard.
        if !ctx.egui_wants_keyboard_input()
            && self.pump.is_some()
            && ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Space))
        {
            capture_now = true;
        }
        if capture_now && let Some(pump) = &self.pump {
            pump.capture();
        }
        if !open {
            self.close();
        }
        None
    }

    fn show_source(&mut self, ui: &mut egui::Ui, tr: &Translator) {
        let cameras: Vec<CameraInfo> = match &self.cameras {
            Some(Ok(list)) => list.clone(),
            _ => Vec::new(),
        };
        if cameras.is_empty() {
            let reason = match &self.cameras {
                Some(Err(reason)) => tr.tr_args("capture-cameras-unreadable", &[("reason", reason.clone())]),
                _ => tr.tr("capture-no-camera"),
            };
            ui.label(RichText::new(reason).color(ui.visuals().warn_fg_color));
        }
        let mut chosen = self.source.clone();
        ui.horizontal_wrapped(|ui| {
            let selected = match &self.source {
                SourceChoice::Camera(index) => cameras
                    .iter()
                    .find(|c| c.index == *index)
                    .map_or_else(|| format!("camera:{index}"), |c| format!("{} ({})", c.name, c.index)),
                SourceChoice::Folder => tr.tr("capture-source-folder"),
            };
            egui::ComboBox::from_id_salt("capture-source")
                .selected_text(selected)
                .show_ui(ui, |ui| {
                    for camera in &cameras {
                        ui.selectable_value(
                            &mut chosen,
                            SourceChoice::Camera(camera.index),
                            format!("{} ({})", camera.name, camera.index),
                        );
                    }
                    ui.selectable_value(&mut chosen, SourceChoice::Folder, tr.tr("capture-source-folder"));
                })
                .response
                .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, tr.tr("capture-source")));
            if chosen == SourceChoice::Folder {
                let label = ui.label(tr.tr("capture-folder"));
                ui.add(egui::TextEdit::singleline(&mut self.folder).desired_width(260.0)).labelled_by(label.id);
            }
            if ui.button(tr.tr("capture-start")).clicked() {
                self.start_wanted = true;
            }
            if self.pump.is_some() && ui.button(tr.tr("capture-stop")).clicked() {
                self.stop();
            }
        });
        if chosen != self.source {
            self.source = chosen;
            self.stop();
            self.start_wanted = matches!(self.source, SourceChoice::Camera(_));
        }
        if let Some(name) = &self.source_name
            && self.pump.is_some()
        {
            ui.label(RichText::new(tr.tr_args("capture-playing", &[("source", name.clone())])).small());
        }
        if self.ended {
            ui.label(RichText::new(tr.tr("capture-ended")).color(ui.visuals().warn_fg_color));
        }
    }

    fn show_mode(&mut self, ui: &mut egui::Ui, tr: &Translator) {
        ui.horizontal_wrapped(|ui| {
            let bearer = self.mode == CaptureMode::Bearer;
            if ui.add(egui::Button::selectable(!bearer, tr.tr("capture-mode-document"))).clicked() && bearer {
                self.mode = CaptureMode::default();
            }
            if ui.add(egui::Button::selectable(bearer, tr.tr("capture-mode-bearer"))).clicked() {
                self.mode = CaptureMode::Bearer;
            }
            if let CaptureMode::Document { light, page } = &mut self.mode {
                ui.separator();
                egui::ComboBox::from_id_salt("capture-light")
                    .selected_text(tr.tr(light_label(*light)))
                    .show_ui(ui, |ui| {
                        for option in Light::ALL {
                            ui.selectable_value(light, option, tr.tr(light_label(option)));
                        }
                    })
                    .response
                    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, tr.tr("capture-light")));
                egui::ComboBox::from_id_salt("capture-side")
                    .selected_text(tr.tr(side_label(*page)))
                    .show_ui(ui, |ui| {
                        for option in [0u8, 1] {
                            ui.selectable_value(page, option, tr.tr(side_label(option)));
                        }
                    })
                    .response
                    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, tr.tr("capture-side")));
            }
        });
    }

    fn show_preview(&mut self, ui: &mut egui::Ui, tr: &Translator) {
        let (Some(texture), Some(frame)) = (&self.texture, &self.last) else {
            let text = if self.pump.is_some() { tr.tr("capture-waiting") } else { tr.tr("capture-no-preview") };
            ui.add_sized([PREVIEW_WIDTH, PREVIEW_WIDTH * 9.0 / 16.0], egui::Label::new(RichText::new(text).weak()));
            return;
        };
        let size = texture.size_vec2();
        let scale_to_screen = (PREVIEW_WIDTH / size.x.max(1.0)).min(1.0);
        let response = ui.add(
            egui::Image::new(texture).fit_to_exact_size(size * scale_to_screen).alt_text(tr.tr("capture-preview")),
        );
        let rect = response.rect;
        // Measures are in full-frame pixels.
        let frame_to_screen = rect.width() / frame.quality.width.max(1) as f32;
        let to_screen = |x: f32, y: f32| rect.min + egui::vec2(x, y) * frame_to_screen;
        let painter = ui.painter_at(rect);
        let good = frame.quality.acceptable(&Default::default());
        if let Some(outline) = frame.quality.outline {
            let points: Vec<egui::Pos2> = outline.iter().map(|[x, y]| to_screen(*x, *y)).collect();
            let colour =
                if good { egui::Color32::from_rgb(40, 200, 90) } else { egui::Color32::from_rgb(240, 170, 30) };
            painter.add(egui::Shape::closed_line(points, egui::Stroke::new(2.5, colour)));
        }
        if let Some(region) = frame.quality.glare_region {
            let glare = egui::Rect::from_min_size(
                to_screen(region.x, region.y),
                egui::vec2(region.w, region.h) * frame_to_screen,
            );
            painter.rect_stroke(
                glare,
                2.0,
                egui::Stroke::new(2.0, egui::Color32::from_rgb(230, 50, 50)),
                egui::StrokeKind::Outside,
            );
        }
    }

    fn show_gauges(&self, ui: &mut egui::Ui, tr: &Translator) {
        let quality = self.last.as_ref().map(|frame| &frame.quality);
        let run = self.last.as_ref().map_or(0, |frame| frame.good_run);
        let sharpness = quality.map_or(0.0, |q| q.sharpness);
        let glare = quality.map_or(0.0, |q| q.glare);
        let motion = quality.and_then(|q| q.stillness);
        egui::Grid::new("capture-gauges").num_columns(3).show(ui, |ui| {
            gauge(
                ui,
                &tr.tr("capture-gauge-sharpness"),
                sharpness / (2.0 * MIN_SHARPNESS),
                sharpness >= MIN_SHARPNESS,
                format!("{sharpness:.0}"),
            );
            ui.end_row();
            gauge(
                ui,
                &tr.tr("capture-gauge-glare"),
                glare / (2.0 * MAX_GLARE),
                glare <= MAX_GLARE,
                format!("{:.1} %", glare * 100.0),
            );
            ui.end_row();
            // Stillness: full when the frame does not differ from the last one.
            let still_fill = motion.map_or(0.0, |m| 1.0 - m / (2.0 * MAX_MOTION));
            let still = motion.is_some_and(|m| m <= MAX_MOTION);
            gauge(
                ui,
                &tr.tr("capture-gauge-stillness"),
                still_fill,
                still,
                tr.tr_args("capture-still-frames", &[("count", run.to_string())]),
            );
            ui.end_row();
        });
    }
}

/// One gauge: its label, a bar with the threshold marked at half its length, the value.
/// `fill` is 0 to 1 (1 = twice the threshold); `good` colours the bar.
fn gauge(ui: &mut egui::Ui, label: &str, fill: f32, good: bool, value: String) {
    ui.label(label);
    let (rect, response) = ui.allocate_exact_size(egui::vec2(220.0, 14.0), egui::Sense::hover());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::ProgressIndicator, true, label));
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 3.0, ui.visuals().extreme_bg_color);
    let fill = if fill.is_finite() { fill.clamp(0.0, 1.0) } else { 0.0 };
    let bar = egui::Rect::from_min_size(rect.min, egui::vec2(rect.width() * fill, rect.height()));
    let colour = if good { egui::Color32::from_rgb(40, 170, 80) } else { egui::Color32::from_rgb(220, 140, 30) };
    painter.rect_filled(bar, 3.0, colour);
    let mark = rect.left() + rect.width() * 0.5;
    painter.line_segment(
        [egui::pos2(mark, rect.top() - 2.0), egui::pos2(mark, rect.bottom() + 2.0)],
        egui::Stroke::new(2.0, ui.visuals().strong_text_color()),
    );
    ui.label(RichText::new(value).monospace());
}

/// Translation id of a side's name.
fn side_label(page: u8) -> &'static str {
    if page == 0 { "document-side-mrz" } else { "document-side-other" }
}

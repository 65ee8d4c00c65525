use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};

use eframe::egui::{self, RichText};
use tdverify_core::{Capture, Light};

use crate::capture::{guess_light, import_file};
use crate::i18n::Translator;
use crate::ui::widgets::file_browser::BrowserOutcome;
use crate::ui::widgets::{FileBrowser, ImageView, show_image};

/// Largest texture side sent to the GPU; the full-resolution capture is kept for analysis.
const MAX_TEXTURE_SIDE: u32 = 4096;

/// One opened image: the capture (full resolution) and its on-screen texture.
pub struct ImageSlot {
    /// Light the image was taken under (the user can change it).
    pub light: Light,
    /// Side of the document: 0 the MRZ side (or the only side), 1 the other side of a card.
    pub page: u8,
    /// The file it came from.
    pub path: PathBuf,
    /// The decoded capture.
    pub capture: Capture,
    preview: egui::ColorImage,
    texture: Option<egui::TextureHandle>,
}

struct PendingLoad {
    path: PathBuf,
    light: Light,
    page: u8,
    result: Receiver<Result<(Capture, egui::ColorImage), String>>,
}

/// The document's images, one per light, side by side with shared zoom and pan.
#[derive(Default)]
pub struct DocumentScreen {
    /// Opened images, in light order.
    pub slots: Vec<ImageSlot>,
    /// Shared zoom and pan.
    pub view: ImageView,
    /// The side shown when the document has two (0 the MRZ side, 1 the other side).
    pub shown_page: u8,
    /// Messages about files that could not be opened.
    pub errors: Vec<String>,
    /// The MRZ panel.
    pub mrz: super::MrzPanel,
    /// The inspection and its findings.
    pub inspection: super::InspectionPanel,
    /// The chip panel (reader, read progress, PA/AA/CA).
    pub chip: super::ChipPanel,
    /// The bearer's photo and the faces compared.
    pub face: super::FacePanel,
    /// The capture window (a camera or a folder of images) for one light's image or the bearer's photo.
    pub camera: super::CaptureWindow,
    browser: Option<FileBrowser>,
    pending: Vec<PendingLoad>,
    /// Whether the inspection of these images is kept as a case.
    pub case: CaseLink,
    /// The guided flow: stages that start by themselves, the officer's decision.
    pub flow: super::flow::GuidedFlow,
    /// The station's defaults for a new case's context (from Settings).
    pub station: crate::settings::StationDefaults,
    save_wanted: Option<SaveTrigger>,
}

/// Where the inspection of the open images stands with the case store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CaseLink {
    /// Not saved (no inspection yet, or nobody logged in).
    #[default]
    Unsaved,
    /// Waiting for a login on the Cases screen; saved right after.
    WaitingForLogin,
    /// Saved as this case; later inspections of the same images update it.
    Saved(String),
    /// The last save failed; the inspection is still here to save again.
    Failed(String),
}

/// Who asked for a save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveTrigger {
    /// A finished inspection (autosave, only when someone is logged in).
    Autosave,
    /// The officer pressed Save as case.
    Officer,
}

/// What the document screen asks the application to do with the case store.
pub struct SaveRequest {
    /// The draft to save.
    pub draft: crate::store::CaseDraft,
    /// The case to update, when this document was saved before.
    pub case_id: Option<String>,
    /// Who asked.
    pub trigger: SaveTrigger,
}

impl DocumentScreen {
    /// Starts loading an image in the background (the light guessed from its
    /// name when not given, the side too: `front.*` is a card's other side); an
    /// image under the same light on the same side is replaced.
    pub fn open(&mut self, path: PathBuf, light: Option<Light>) {
        let page = guess_page(&path);
        self.open_on_page(path, light, page);
    }

    /// As [`DocumentScreen::open`], on side `page` (0 the MRZ side, 1 the other side).
    pub fn open_on_page(&mut self, path: PathBuf, light: Option<Light>, page: u8) {
        let light = light.unwrap_or_else(|| guess_light(&path));
        let (sender, result) = mpsc::channel();
        let thread_path = path.clone();
        let spawned = std::thread::Builder::new().name("image-load".into()).spawn(move || {
            let loaded = import_file(&thread_path, light).map_err(|e| e.to_string()).map(|capture| {
                let preview = crate::ui::widgets::image_view::color_image(&capture.image, MAX_TEXTURE_SIDE);
                (capture, preview)
            });
            let _ = sender.send(loaded);
        });
        match spawned {
            Ok(_) => self.pending.push(PendingLoad { path, light, page, result }),
            Err(e) => self.errors.push(format!("{}: {e}", path.display())),
        }
    }

    /// Whether images are still being decoded.
    pub fn is_loading(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Waits for every pending load (tests and the headless demo).
    pub fn finish_loading(&mut self) {
        while self.is_loading() {
            self.poll_loads();
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Closes every image.
    pub fn clear(&mut self) {
        self.slots.clear();
        self.errors.clear();
        self.view.reset();
        self.shown_page = 0;
        // Other images are another document: the next inspection starts a new case.
        self.case = CaseLink::Unsaved;
        self.inspection.result = None;
        self.inspection.draft = None;
        self.chip.outcome = None;
        self.face.bearer = None;
        self.mrz.clear_reading();
        self.flow.reset();
    }

    /// Starts a new case (Ctrl+N): closes the document, forgets its reading, chip and
    /// photo, and looks for readers again so the chip stage knows what it has.
    pub fn new_case(&mut self) {
        self.clear();
        self.mrz.set_text(String::new(), crate::clock::today_utc());
        self.chip.can.clear();
        self.chip.refresh_readers();
    }

    /// Where a stage of the guided flow stands (what its bar shows).
    pub fn stage_progress(&self, stage: super::flow::Stage, tr: &Translator) -> super::flow::Progress {
        let inputs = flow_inputs(self);
        self.flow.progress(stage, &inputs, tr)
    }

    /// Whether a white image is open (an inspection can run).
    fn has_white(&self) -> bool {
        self.slots.iter().any(|s| s.light == Light::White)
    }

    /// Keys of the guided flow: Alt+1…6 stages, Ctrl+R read the chip, Ctrl+B the bearer's
    /// photo, Ctrl+Shift+B no bearer photo.
    fn handle_flow_keys(&mut self, ctx: &egui::Context) {
        self.flow.handle_stage_keys(ctx);
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::R)) && !self.chip.is_busy() {
            self.flow.go_to(super::flow::Stage::Chip);
            self.chip.refresh_readers();
            if self.chip.readers.as_ref().is_some_and(|r| r.as_ref().is_ok_and(|r| !r.is_empty())) {
                self.flow.chip_started_for = Some(self.mrz.text.clone());
                self.chip.start_reader_read(&self.mrz.text, None);
            }
        }
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, egui::Key::B)) {
            self.flow.bearer_skipped = true;
            self.flow.go_to(super::flow::Stage::Decide);
        } else if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::B)) && !self.face.is_busy() {
            self.flow.go_to(super::flow::Stage::Bearer);
            self.camera.data_dir = self.inspection.data_dir.clone();
            self.camera.open(super::CaptureMode::Bearer);
        }
    }

    /// What the next inspection's inputs are: the images, the chip reads, the photo.
    fn inputs_key(&self) -> super::flow::InputsKey {
        let images = self.slots.iter().map(|s| (s.path.display().to_string(), s.light, s.page)).collect();
        let bearer = self.face.bearer.as_ref().map(|b| match &b.path {
            Some(path) => path.display().to_string(),
            // A camera still has no file: its size and a few pixels tell one from another.
            None => {
                let bytes = b.image.as_bytes();
                let sample: Vec<u8> = bytes.iter().step_by((bytes.len() / 64).max(1)).copied().collect();
                format!("camera {}x{} {sample:?}", b.image.width(), b.image.height())
            }
        });
        super::flow::InputsKey::new(images, self.chip.reads_finished, bearer)
    }

    /// Runs the guided flow's automatic steps and saves the officer's decision.
    fn drive_flow(
        &mut self,
        ctx: &egui::Context,
        resources: &crate::resources::Resources,
        tr: &Translator,
        desk: Option<(&crate::store::Store, &crate::store::Session)>,
    ) {
        let inputs = flow_inputs(self);
        let action = self.flow.next_action(&inputs);
        let case_id = inputs.case_id.clone();
        match action {
            Some(super::flow::FlowAction::Inspect) => self.start_inspection(resources),
            Some(super::flow::FlowAction::ReadChip(mrz_text)) => self.chip.start_reader_read(&mrz_text, None),
            None => {}
        }
        if let Some(due) = self.flow.autosave_due_in() {
            ctx.request_repaint_after(due.max(std::time::Duration::from_millis(50)));
        }
        // The decision is saved once the case exists; asking for it saves the case first.
        if self.flow.decision_wanted && matches!(self.case, CaseLink::Unsaved | CaseLink::Failed(_)) {
            self.save_wanted = Some(SaveTrigger::Officer);
        }
        if let (Some((store, session)), Some(case_id)) = (desk, case_id) {
            self.flow.save_decision(store, session, &case_id, tr);
        }
    }

    /// The save the application should make now, if any (called once per frame).
    pub fn take_save_request(&mut self) -> Option<SaveRequest> {
        let trigger = self.save_wanted.take()?;
        let draft = match self.inspection.draft.as_ref()? {
            Ok(draft) => draft.clone(),
            Err(message) => {
                self.case = CaseLink::Failed(message.clone());
                return None;
            }
        };
        let case_id = match &self.case {
            CaseLink::Saved(case_id) => Some(case_id.clone()),
            _ => None,
        };
        Some(SaveRequest { draft, case_id, trigger })
    }

    /// Opens the file browser window.
    pub fn open_browser(&mut self) {
        if self.browser.is_none() {
            let start = self
                .slots
                .last()
                .and_then(|s| s.path.parent().map(PathBuf::from))
                .or_else(|| std::env::current_dir().ok())
                .unwrap_or_else(|| PathBuf::from("/"));
            self.browser = Some(FileBrowser::new(&start));
        }
    }

    fn poll_loads(&mut self) {
        let mut still_pending = Vec::new();
        for load in self.pending.drain(..) {
            match load.result.try_recv() {
                Ok(Ok((capture, preview))) => {
                    // Fixes of a reading must not follow it onto other images.
                    self.mrz.clear_reading();
                    self.slots.retain(|s| s.light != load.light || s.page != load.page);
                    self.slots.push(ImageSlot {
                        light: load.light,
                        page: load.page,
                        path: load.path,
                        capture,
                        preview,
                        texture: None,
                    });
                    self.slots.sort_by_key(|s| (s.page, s.light));
                }
                Ok(Err(message)) => self.errors.push(message),
                Err(TryRecvError::Empty) => still_pending.push(load),
                Err(TryRecvError::Disconnected) => {
                    self.errors.push(format!("{}: loading stopped unexpectedly", load.path.display()))
                }
            }
        }
        self.pending = still_pending;
    }

    /// Draws the screen.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        tr: &Translator,
        resources: &crate::resources::Resources,
        desk: Option<(&crate::store::Store, &crate::store::Session)>,
    ) {
        self.poll_loads();
        if self.inspection.poll(ui.ctx()) {
            self.after_inspection();
        }
        if self.is_loading() {
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(50));
        }
        self.handle_flow_keys(ui.ctx());
        self.drive_flow(ui.ctx(), resources, tr, desk);
        if let Some(browser) = &mut self.browser {
            match browser.show(ui.ctx(), tr) {
                BrowserOutcome::Open => {}
                BrowserOutcome::Cancelled => self.browser = None,
                BrowserOutcome::Chosen(paths) => {
                    self.browser = None;
                    for path in paths {
                        self.open(path, None);
                    }
                }
            }
        }
        // Stills go under the station's data folder, however the window was opened.
        self.camera.data_dir.clone_from(&self.inspection.data_dir);
        if let Some(captured) = self.camera.show(ui.ctx(), tr) {
            if captured.bearer {
                self.face.open_bearer(captured.path);
            } else {
                self.open_on_page(captured.path, captured.light, captured.page);
            }
        }

        let inputs = flow_inputs(self);
        self.flow.show_bar(ui, tr, &inputs);
        ui.horizontal(|ui| {
            if ui.button(tr.tr("document-open")).on_hover_text("Ctrl+O").clicked() {
                self.open_browser();
            }
            let bearer_wanted = self.face.take_camera_request();
            if ui.button(tr.tr("document-camera")).on_hover_text(tr.tr("document-camera-hint")).clicked()
                || ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::K))
                || bearer_wanted
            {
                let page = self.shown_page;
                self.camera.open(if bearer_wanted {
                    super::CaptureMode::Bearer
                } else {
                    super::CaptureMode::Document { light: Light::White, page }
                });
            }
            if ui.add_enabled(!self.slots.is_empty(), egui::Button::new(tr.tr("document-close-all"))).clicked() {
                self.clear();
            }
            let can_inspect = self.slots.iter().any(|s| s.light == Light::White)
                && !self.inspection.is_running()
                && !self.is_loading();
            // (a white image on either side: `start_inspection` puts it first)
            if ui
                .add_enabled(can_inspect, egui::Button::new(RichText::new(tr.tr("document-inspect")).strong()))
                .on_hover_text("Ctrl+I")
                .clicked()
                || (can_inspect && ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::I)))
            {
                self.start_inspection(resources);
            }
            ui.separator();
            if ui.button("−").on_hover_text(tr.tr("document-zoom-out")).clicked() {
                self.view.zoom_about(1.0 / 1.5, self.view.center);
            }
            if ui.button(tr.tr("document-fit")).clicked() {
                self.view.reset();
            }
            if ui.button("+").on_hover_text(tr.tr("document-zoom-in")).clicked() {
                self.view.zoom_about(1.5, self.view.center);
            }
            ui.label(format!("{:.0} %", self.view.zoom * 100.0));
            for load in &self.pending {
                ui.spinner();
                let name = load.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                ui.label(tr.tr_args("document-loading", &[("file", name)]));
            }
        });
        self.show_errors(ui, tr);
        ui.separator();

        // The officer may widen the results, but content never pushes them over the images.
        let widest = (ui.available_width() * 0.55).max(400.0);
        egui::Panel::right("mrz-panel").resizable(true).default_size(400.0).max_size(widest).show(ui, |ui| {
            egui::ScrollArea::vertical().id_salt("side-panel").show(ui, |ui| {
                self.flow.anchor(ui, super::flow::Stage::Results);
                ui.heading(tr.tr("inspect-title"));
                self.show_case_link(ui, tr);
                if self.inspection.show(ui, tr, desk) {
                    self.zoom_to_selected();
                }
                ui.separator();
                self.flow.anchor(ui, super::flow::Stage::Mrz);
                self.mrz.show(ui, tr, crate::clock::today_utc());
                ui.separator();
                self.flow.anchor(ui, super::flow::Stage::Chip);
                self.chip.show(ui, tr, &self.mrz.text);
                ui.separator();
                self.flow.anchor(ui, super::flow::Stage::Bearer);
                self.face.show(ui, tr, self.inspection.result.as_ref(), self.inspection.generation);
                ui.separator();
                let case_saved = matches!(self.case, CaseLink::Saved(_));
                self.flow.show_decision(ui, tr, desk.is_some(), case_saved);
            });
        });

        if self.slots.is_empty() {
            if !self.is_loading() {
                ui.vertical_centered(|ui| {
                    ui.add_space(60.0);
                    ui.label(egui::RichText::new(tr.tr("document-empty")).size(18.0));
                    ui.label(tr.tr("document-empty-hint"));
                });
            }
            return;
        }
        self.show_images(ui, tr);
    }

    fn show_errors(&mut self, ui: &mut egui::Ui, tr: &Translator) {
        let mut dismissed = None;
        for (index, error) in self.errors.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {error}"));
                if ui.small_button(tr.tr("dismiss")).clicked() {
                    dismissed = Some(index);
                }
            });
        }
        if let Some(index) = dismissed {
            self.errors.remove(index);
        }
    }

    fn show_images(&mut self, ui: &mut egui::Ui, tr: &Translator) {
        let two_sided = self.slots.iter().any(|s| s.page == 1);
        if two_sided {
            ui.horizontal(|ui| {
                for page in [0u8, 1] {
                    let label = tr.tr(page_label(page));
                    if ui.add(egui::Button::selectable(self.shown_page == page, label)).clicked() {
                        self.shown_page = page;
                    }
                }
            });
        } else {
            self.shown_page = 0;
        }
        let shown_page = self.shown_page;
        let count = self.slots.iter().filter(|s| s.page == shown_page).count();
        if count == 0 {
            ui.label(RichText::new(tr.tr("document-side-empty")).weak());
            return;
        }
        let mut removed = None;
        let mut relight: Option<(usize, Light)> = None;
        let mut move_to_page: Option<(usize, u8)> = None;
        let view = &mut self.view;
        let inspection = &self.inspection;
        let mut shown: Vec<(usize, &mut ImageSlot)> =
            self.slots.iter_mut().enumerate().filter(|(_, s)| s.page == shown_page).collect();
        // As many columns as make the images largest: a landscape page under three lights
        // gets a 2×2 grid or one column in a tall area instead of three narrow strips.
        let first = &shown[0].1.capture.image;
        let aspect = first.width().max(1) as f32 / first.height().max(1) as f32;
        let area = ui.available_size();
        let columns_count = grid_columns(count, aspect, area, CONTROLS_HEIGHT);
        let rows = count.div_ceil(columns_count);
        let row_height = (area.y / rows as f32 - ui.spacing().item_spacing.y).max(120.0);
        let mut remaining = shown.len();
        while remaining > 0 {
            let row: Vec<(usize, &mut ImageSlot)> = shown.drain(..columns_count.min(remaining)).collect();
            remaining = shown.len();
            let row_len = row.len();
            ui.allocate_ui(egui::vec2(area.x, row_height), |ui| {
                ui.columns(columns_count, |columns| {
                    for (column, (index, slot)) in columns.iter_mut().take(row_len).zip(row) {
                        // Wrapped, so that narrow columns stack the controls instead of pushing into the side panel.
                        column.horizontal_wrapped(|ui| {
                            let mut page = slot.page;
                            egui::ComboBox::from_id_salt(("page", index))
                                .selected_text(tr.tr(page_label(page)))
                                .width(70.0)
                                .show_ui(ui, |ui| {
                                    for option in [0u8, 1] {
                                        ui.selectable_value(&mut page, option, tr.tr(page_label(option)));
                                    }
                                })
                                .response
                                .widget_info(|| {
                                    egui::WidgetInfo::labeled(egui::Role::ComboBox, true, tr.tr("document-side-of"))
                                });
                            if page != slot.page {
                                move_to_page = Some((index, page));
                            }
                            let mut light = slot.light;
                            let name =
                                slot.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                            egui::ComboBox::from_id_salt(("light", index))
                                .selected_text(tr.tr(light_label(light)))
                                .width(60.0)
                                .show_ui(ui, |ui| {
                                    for option in Light::ALL {
                                        ui.selectable_value(&mut light, option, tr.tr(light_label(option)));
                                    }
                                })
                                .response
                                .widget_info(|| {
                                    egui::WidgetInfo::labeled(
                                        egui::Role::ComboBox,
                                        true,
                                        tr.tr_args("document-light-of", &[("file", name.clone())]),
                                    )
                                });
                            if light != slot.light {
                                relight = Some((index, light));
                            }
                            ui.label(egui::RichText::new(name).small()).on_hover_text(slot.path.display().to_string());
                            if ui.small_button("×").on_hover_text(tr.tr("document-close")).clicked() {
                                removed = Some(index);
                            }
                        });
                        let texture = slot.texture.get_or_insert_with(|| {
                            column.ctx().load_texture(
                                format!("capture-{}", slot.path.display()),
                                slot.preview.clone(),
                                egui::TextureOptions::LINEAR,
                            )
                        });
                        let label = format!(
                            "{} — {}×{} px",
                            tr.tr(light_label(slot.light)),
                            slot.capture.image.width(),
                            slot.capture.image.height()
                        );
                        let (image_rect, _) = show_image(column, texture, view, &label);
                        let scale = image_rect.width() / slot.capture.image.width().max(1) as f32;
                        let painter = column.painter_at(column.min_rect().expand(4.0));
                        for (region, status, selected) in inspection.overlays(slot.page, slot.light) {
                            let rect = egui::Rect::from_min_size(
                                image_rect.min + egui::vec2(region.x, region.y) * scale,
                                egui::vec2(region.w, region.h) * scale,
                            );
                            let (color, _) = crate::ui::widgets::checks::status_style(status, column.visuals());
                            painter.rect_stroke(
                                rect,
                                2.0,
                                egui::Stroke::new(if selected { 3.5 } else { 1.5 }, color),
                                egui::StrokeKind::Outside,
                            );
                        }
                    }
                });
            });
        }
        if let Some((index, light)) = relight
            && let Some((path, page)) = self.slots.get(index).map(|s| (s.path.clone(), s.page))
        {
            // One image per light and side: the image moved to `light` replaces the one there.
            self.slots.retain(|s| s.light != light || s.page != page || s.path == path);
            if let Some(slot) = self.slots.iter_mut().find(|s| s.path == path) {
                slot.light = light;
                slot.capture.light = light;
            }
            self.slots.sort_by_key(|s| (s.page, s.light));
            return;
        }
        if let Some((index, page)) = move_to_page
            && let Some((path, light)) = self.slots.get(index).map(|s| (s.path.clone(), s.light))
        {
            self.slots.retain(|s| s.light != light || s.page != page || s.path == path);
            if let Some(slot) = self.slots.iter_mut().find(|s| s.path == path) {
                slot.page = page;
            }
            self.slots.sort_by_key(|s| (s.page, s.light));
            return;
        }
        if let Some(index) = removed
            && index < self.slots.len()
        {
            self.slots.remove(index);
        }
    }
}

impl DocumentScreen {
    /// Starts an inspection of the open images (the MRZ panel's text, when the
    /// officer typed it, is used instead of reading the image; characters they
    /// corrected in a reading are applied to the new reading).
    pub fn start_inspection(&mut self, resources: &crate::resources::Resources) {
        let side = |page: u8| -> Vec<Capture> {
            self.slots.iter().filter(|s| s.page == page).map(|s| s.capture.clone()).collect()
        };
        let (mut captures, mut other_side) = (side(0), side(1));
        // Only the other side was given a white image: it is the side to inspect first.
        if !captures.iter().any(|c| c.light == Light::White) && other_side.iter().any(|c| c.light == Light::White) {
            std::mem::swap(&mut captures, &mut other_side);
        }
        // The officer's own text wins over reading the image again; their fixes of a reading go with it.
        let (typed_mrz, officer_mrz_fixes) = self.mrz.inspection_input();
        // A chip read in the chip panel and the bearer's photo join the inspection.
        let chip = match &self.chip.outcome {
            Some(Ok(outcome)) => {
                Some(crate::chip_session::evidence::inspection_evidence(&outcome.read, &outcome.verification))
            }
            _ => None,
        };
        let bearer = self.face.bearer.as_ref().map(|b| b.image.clone());
        let input = crate::inspect::InspectInput {
            captures,
            other_side,
            bearer,
            typed_mrz,
            officer_mrz_fixes,
            chip,
            inspection_date: crate::clock::today_utc(),
        };
        self.flow.inspected = Some(self.inputs_key());
        self.inspection.start(input, resources);
    }

    /// Whether the inspection is kept, and the button to keep it.
    fn show_case_link(&mut self, ui: &mut egui::Ui, tr: &Translator) {
        if self.inspection.result.is_none() || self.inspection.is_running() {
            return;
        }
        ui.horizontal_wrapped(|ui| {
            let save_label = match &self.case {
                CaseLink::Saved(case_id) => {
                    ui.label(RichText::new(tr.tr_args("case-saved", &[("case", short_id(case_id))])).strong());
                    None
                }
                CaseLink::WaitingForLogin => {
                    ui.label(RichText::new(tr.tr("case-pending-login")).color(ui.visuals().warn_fg_color));
                    None
                }
                CaseLink::Unsaved => {
                    ui.label(RichText::new(tr.tr("case-unsaved")).color(ui.visuals().warn_fg_color));
                    Some(tr.tr("case-save"))
                }
                CaseLink::Failed(reason) => {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        tr.tr_args("case-save-failed", &[("reason", reason.clone())]),
                    );
                    Some(tr.tr("case-save-again"))
                }
            };
            // (Ctrl+S saves the case with the officer's decision, in the decision section.)
            if let Some(label) = save_label
                && ui.button(label).clicked()
            {
                self.save_wanted = Some(SaveTrigger::Officer);
            }
        });
        ui.add_space(4.0);
    }

    /// Shows what the inspection read in the MRZ panel (with the crop of the capture it
    /// was read from), so the officer can correct it; asks for the autosave.
    fn after_inspection(&mut self) {
        self.save_wanted = Some(SaveTrigger::Autosave);
        let Some(result) = &self.inspection.result else { return };
        self.flow.prepare_decision(result, &self.station);
        let Some(mrz) = &result.mrz else { return };
        let Some(reading) = mrz.reading.as_ref().filter(|_| mrz.source.starts_with("ocr")) else { return };
        let read_lines: Vec<String> = match reading.get("lines").and_then(|l| l.as_array()) {
            Some(lines) => lines.iter().filter_map(|l| l.as_str().map(str::to_owned)).collect(),
            None => Vec::new(),
        };
        let (lines, _) = crate::inspect::mrz_review::apply_fixes(&read_lines, &mrz.officer_fixes);
        let image = mrz
            .region
            .and_then(|(light, _)| self.slots.iter().find(|s| s.light == light && s.page == mrz.page))
            .map(|s| &s.capture.image);
        self.mrz.show_reading(reading, image, lines.join("\n"), crate::clock::today_utc());
    }

    /// Zooms the shared view onto the selected finding's evidence.
    fn zoom_to_selected(&mut self) {
        let Some(check) = self.inspection.selected_check() else { return };
        let Some((light, region, page)) =
            check.evidence.iter().find_map(|e| e.light.zip(e.region).map(|(l, r)| (l, r, e.page)))
        else {
            return;
        };
        let Some(slot) = self.slots.iter().find(|s| s.light == light && s.page == page) else { return };
        self.shown_page = page;
        let (width, height) = (slot.capture.image.width().max(1) as f32, slot.capture.image.height().max(1) as f32);
        let center = egui::vec2((region.x + region.w / 2.0) / width, (region.y + region.h / 2.0) / height);
        let zoom = (width / region.w.max(1.0)).min(height / region.h.max(1.0)) * 0.6;
        self.view.reset();
        self.view.zoom_about(zoom.clamp(1.0, crate::ui::widgets::image_view::MAX_ZOOM), egui::vec2(0.5, 0.5));
        self.view.center = center;
    }
}

/// The first characters of a case id, enough to find it in the list.
fn short_id(case_id: &str) -> String {
    case_id.chars().take(8).collect()
}

/// Translation id of a side's name.
fn page_label(page: u8) -> &'static str {
    if page == 0 { "document-side-mrz" } else { "document-side-other" }
}

/// The side a file shows, from its name: `front.white.png` (the fixture naming) is
/// the other side of a card; anything else the MRZ side (the officer can move it).
fn guess_page(path: &std::path::Path) -> u8 {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    u8::from(name.starts_with("front."))
}

/// Translation id of a light's name.
pub fn light_label(light: Light) -> &'static str {
    match light {
        Light::White => "light-white",
        Light::Uv => "light-uv",
        Light::Ir => "light-ir",
        Light::Coaxial => "light-coaxial",
    }
}

/// Height the controls above each image take (side, light, file name, close).
const CONTROLS_HEIGHT: f32 = 30.0;

/// The number of columns that shows `count` images of width/height `aspect` largest
/// in `area`, each with `controls` pixels of controls above it.
fn grid_columns(count: usize, aspect: f32, area: egui::Vec2, controls: f32) -> usize {
    let aspect = if aspect.is_finite() && aspect > 0.0 { aspect } else { 1.0 };
    (1..=count.max(1))
        .map(|columns| {
            let rows = count.max(1).div_ceil(columns) as f32;
            let cell_width = area.x / columns as f32;
            let cell_height = (area.y / rows - controls).max(1.0);
            // The image's width when fitted into the cell.
            (columns, cell_width.min(cell_height * aspect))
        })
        .fold((1, f32::MIN), |best, candidate| if candidate.1 > best.1 + 0.5 { candidate } else { best })
        .0
}

#[cfg(test)]
mod tests {
    use super::grid_columns;
    use eframe::egui::vec2;

    #[test]
    fn the_grid_makes_the_images_largest() {
        // A landscape page under three lights in a tall column: one column, stacked.
        assert_eq!(grid_columns(3, 1.4, vec2(600.0, 1400.0), 30.0), 1);
        // The same in a 600 × 630 area (the 1280 × 800 window beside the results): 2 × 2.
        assert_eq!(grid_columns(3, 1.4, vec2(600.0, 630.0), 30.0), 2);
        // A wide, low area: side by side.
        assert_eq!(grid_columns(3, 1.4, vec2(1800.0, 400.0), 30.0), 3);
        // One image, and nonsense sizes, never panic and give one column.
        assert_eq!(grid_columns(1, 1.4, vec2(600.0, 630.0), 30.0), 1);
        assert_eq!(grid_columns(0, f32::NAN, vec2(0.0, 0.0), 30.0), 1);
    }
}

/// The facts the guided flow decides from, taken from the document screen's parts.
fn flow_inputs(screen: &DocumentScreen) -> super::flow::FlowInputs {
    let DocumentScreen { inspection, chip, mrz, face, case, camera, .. } = screen;
    // The capture window open for the bearer: the photo is on its way.
    let bearer_camera = camera.is_open() && camera.mode == super::CaptureMode::Bearer;
    super::flow::FlowInputs {
        key: screen.inputs_key(),
        loading: screen.is_loading(),
        has_white: screen.has_white(),
        inspecting: inspection.is_running(),
        has_result: inspection.result.is_some(),
        mrz_valid: super::flow::GuidedFlow::mrz_valid(inspection.result.as_ref()),
        chip_busy: chip.is_busy(),
        chip_outcome: chip.outcome.as_ref().map(|o| o.as_ref().map(|_| ()).map_err(Clone::clone)),
        readers: chip.readers.as_ref().and_then(|r| r.as_ref().ok()).map(Vec::len),
        mrz_text: mrz.text.clone(),
        bearer_busy: face.is_busy() || bearer_camera,
        has_bearer: face.bearer.is_some(),
        case_id: match case {
            CaseLink::Saved(id) => Some(id.clone()),
            _ => None,
        },
    }
}
